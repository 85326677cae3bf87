import { memo, useEffect, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { AlertTriangle, CheckCircle2, Circle, FastForward, SquareDashed } from 'lucide-react';
import type { ImageEntry, ImageFilter } from '../../../shared/api';
import { PAGE_SIZE, useLabel } from '../../store/label-store';
import { useRenderCount } from '../../lib/render-count';

const FILTERS: { value: ImageFilter; label: string }[] = [
  { value: 'all', label: 'All images' },
  { value: 'unlabeled', label: 'Unlabeled' },
  { value: 'labeled', label: 'Labeled' },
  { value: 'unverified', label: 'Not verified' },
  { value: 'verified', label: 'Verified' },
  { value: 'difficult', label: 'Has difficult boxes' },
  { value: 'unreadable', label: 'Unreadable' },
];

function StatusIcon({ entry }: { entry: ImageEntry }): React.JSX.Element {
  if (entry.status === 'unreadable') return <AlertTriangle size={14} className="st-unreadable" aria-label="unreadable" />;
  if (entry.verified) return <CheckCircle2 size={14} className="st-verified" aria-label="verified" />;
  if (entry.status === 'labeled') return <SquareDashed size={14} className="st-labeled" aria-label="labeled" />;
  return <Circle size={14} className="st-unlabeled" aria-label="unlabeled" />;
}

interface Props { classes: string[]; labeled: number; images: number; onNextUnlabeled(): void }

/** Virtualized list of the project's images with status icons and filters. */
export const ImageList = memo(function ImageList({ classes, labeled, images, onNextUnlabeled }: Props): React.JSX.Element {
  useRenderCount('label.list');
  const total = useLabel((s) => s.total);
  const filter = useLabel((s) => s.filter);
  const search = useLabel((s) => s.search);
  const currentIndex = useLabel((s) => s.currentIndex);
  const pages = useLabel((s) => s.pages);
  const { setFilter, setSearch, select, ensurePage } = useLabel.getState();
  const entryAt = (index: number): ImageEntry | undefined => pages[Math.floor(index / PAGE_SIZE)]?.[index % PAGE_SIZE];
  const [query, setQuery] = useState(search);
  useEffect(() => { setQuery(search); }, [search]);
  // search as you type, once typing pauses
  useEffect(() => {
    const t = setTimeout(() => { void setSearch(query.trim()); }, 200);
    return () => clearTimeout(t);
  }, [query, setSearch]);
  const parentRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: total, getScrollElement: () => parentRef.current, estimateSize: () => 30, overscan: 12 });
  const items = virtualizer.getVirtualItems();

  useEffect(() => {
    const first = items[0];
    const last = items[items.length - 1];
    if (!first || !last) return;
    for (let p = Math.floor(first.index / PAGE_SIZE); p <= Math.floor(last.index / PAGE_SIZE); p++) void ensurePage(p);
  }, [items, ensurePage]);
  useEffect(() => {
    if (currentIndex >= 0) virtualizer.scrollToIndex(currentIndex, { align: 'auto' });
  }, [currentIndex, virtualizer]);

  return (
    <aside className="image-list" aria-label="Images">
      <div className="panel-head">
        <select aria-label="Filter images" value={filter} onChange={(e) => void setFilter(e.target.value as ImageFilter)}>
          {FILTERS.map((f) => (
            <option key={f.value} value={f.value}>
              {f.label}
            </option>
          ))}
          {classes.map((c) => (
            <option key={c} value={`class:${c}`}>
              Has class “{c}”
            </option>
          ))}
        </select>
        <input
          type="search" aria-label="Search file names" placeholder="Search file names…" value={query}
          onChange={(e) => setQuery(e.target.value)}
          onKeyDown={(e) => { if (e.key === 'Escape') setQuery(''); }}
        />
        <div className="list-meta">
          <span className="counter" data-testid="labeled-counter">
            labeled {labeled} / {images}
          </span>
          <span className="muted small" data-testid="list-total">{total} shown</span>
          <button type="button" className="button small" onClick={onNextUnlabeled} title="Jump to the next unlabeled image (Ctrl+U)">
            <FastForward size={12} /> Next unlabeled
          </button>
        </div>
      </div>
      <div ref={parentRef} className="list-scroll" data-testid="image-list">
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {items.map((row) => {
            const entry = entryAt(row.index);
            return (
              <button
                key={row.key}
                type="button"
                className={`image-row${row.index === currentIndex ? ' selected' : ''}`}
                style={{ transform: `translateY(${row.start}px)`, height: row.size }}
                onClick={() => void select(row.index)}
                title={entry?.error ?? entry?.id}
                data-image-id={entry?.id}
              >
                {entry ? (
                  <>
                    <StatusIcon entry={entry} />
                    <span className="image-name">{entry.id}</span>
                    <span className="image-boxes">{entry.boxes > 0 ? entry.boxes : ''}</span>
                  </>
                ) : (
                  <span className="muted">loading…</span>
                )}
              </button>
            );
          })}
        </div>
        {total === 0 ? <p className="muted list-empty">{search ? `No file name contains “${search}”${filter === 'all' ? '' : ' with this filter'}.` : 'No images match this filter.'}</p> : null}
      </div>
    </aside>
  );
});
