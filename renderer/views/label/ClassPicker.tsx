import { useEffect, useMemo, useRef, useState } from 'react';

/** Type-to-search class picker shown after drawing a box (LabelImg's label dialog, faster). */
export function ClassPicker({ classes, colorOf, initial, onPick, onCancel }: { classes: string[]; colorOf(name: string): string; initial: string | null; onPick(name: string): void; onCancel(): void }): React.JSX.Element {
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => { input.current?.focus(); }, []);
  const matches = useMemo(() => {
    const q = query.trim().toLowerCase();
    const list = q ? classes.filter((c) => c.toLowerCase().includes(q)) : classes;
    if (!q && initial && list.includes(initial)) return [initial, ...list.filter((c) => c !== initial)];
    return list;
  }, [classes, query, initial]);
  const exact = classes.some((c) => c === query.trim());
  const choose = (): void => {
    const pick = matches[active] ?? (query.trim() || null);
    if (pick) onPick(pick);
  };
  return (
    <div className="class-picker" role="dialog" aria-label="Choose a class" data-testid="class-picker">
      <input
        ref={input}
        aria-label="Class name"
        placeholder="Type to search or add a class"
        value={query}
        onChange={(e) => { setQuery(e.target.value); setActive(0); }}
        onKeyDown={(e) => {
          e.stopPropagation();
          if (e.key === 'Enter') { e.preventDefault(); choose(); }
          else if (e.key === 'Escape') onCancel();
          else if (e.key === 'ArrowDown') setActive((a) => Math.min(a + 1, Math.max(0, matches.length - 1)));
          else if (e.key === 'ArrowUp') setActive((a) => Math.max(0, a - 1));
        }}
      />
      <ul>
        {matches.map((c, i) => (
          <li key={c}>
            <button type="button" className={i === active ? 'active' : ''} onMouseDown={(e) => e.preventDefault()} onClick={() => onPick(c)}>
              <span className="swatch" style={{ background: colorOf(c) }} />
              {c}
            </button>
          </li>
        ))}
        {query.trim() && !exact ? (
          <li>
            <button type="button" className={matches.length === 0 ? 'active' : ''} onClick={() => onPick(query.trim())}>
              + Add class “{query.trim()}”
            </button>
          </li>
        ) : null}
      </ul>
      <p className="muted small">Enter picks · Esc cancels</p>
    </div>
  );
}
