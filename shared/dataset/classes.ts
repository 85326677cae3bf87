/**
 * The project's class list: stable order, appended and renamed in place, so a class keeps its
 * index (its YOLO id); only an explicit delete, merge or reorder by the user moves ids (runs
 * keep the class list they were trained with). Pure functions returning new arrays.
 */

// C0 control characters (tab, CR, LF included) cannot be kept in a VOC name or classes.txt line.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001F\u007F]/;

/** Returns why a class name cannot be used, or null when it can. XML-hostile characters
 *  (< > & " ') are fine: the VOC writer escapes them. */
export function classNameProblem(name: string): string | null {
  if (name.trim() === '') return 'a class name cannot be empty';
  if (name !== name.trim()) return `class name "${name}" has leading or trailing spaces`;
  if (CONTROL.test(name)) return `class name ${JSON.stringify(name)} has control characters (tab, newline...)`;
  if (name.length > 200) return 'a class name is limited to 200 characters';
  return null;
}

/** Appends the names not already present, in the order given. */
export function appendClasses(classes: readonly string[], names: Iterable<string>): string[] {
  const out = [...classes];
  const have = new Set(out);
  for (const n of names) if (!have.has(n)) { have.add(n); out.push(n); }
  return out;
}

/** Renames in place (same index). Throws when `from` is missing or `to` already exists. */
export function renameClass(classes: readonly string[], from: string, to: string): string[] {
  const i = classes.indexOf(from);
  if (i < 0) throw new Error(`no class named "${from}"`);
  if (from !== to && classes.includes(to)) throw new Error(`a class named "${to}" already exists`);
  const out = [...classes];
  out[i] = to;
  return out;
}

/** The list without `name`. Throws when it is missing. Later classes move up one id. */
export function removeClass(classes: readonly string[], name: string): string[] {
  if (!classes.includes(name)) throw new Error(`no class named "${name}"`);
  return classes.filter((c) => c !== name);
}

/** The list after merging `from` into `into` (`from` disappears, `into` keeps its place). */
export function mergeClasses(classes: readonly string[], from: string, into: string): string[] {
  if (!classes.includes(from)) throw new Error(`no class named "${from}"`);
  if (!classes.includes(into)) throw new Error(`no class named "${into}"`);
  if (from === into) throw new Error(`cannot merge "${from}" into itself`);
  return classes.filter((c) => c !== from);
}

/** Checks that `next` holds exactly the names of `classes` (a permutation); throws naming the difference. */
export function reorderClasses(classes: readonly string[], next: readonly string[]): string[] {
  const have = new Set(classes);
  const missing = classes.filter((c) => !next.includes(c));
  const unknown = next.filter((c) => !have.has(c));
  if (missing.length || unknown.length || new Set(next).size !== next.length || next.length !== classes.length) {
    const parts = [missing.length ? `missing ${missing.map((c) => `"${c}"`).join(', ')}` : '', unknown.length ? `unknown ${unknown.map((c) => `"${c}"`).join(', ')}` : ''].filter(Boolean);
    throw new Error(`the new order must list every class once${parts.length ? ` (${parts.join('; ')})` : ''}`);
  }
  return [...next];
}

/** "#rgb" or "#rrggbb": the only colour syntax stored for a class. */
export function classColorProblem(color: string): string | null {
  return /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.test(color) ? null : `"${color}" is not a colour like #ff8800`;
}
