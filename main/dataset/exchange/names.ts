/**
 * File names in exported datasets: the image's base name when it is unique in the export,
 * otherwise its project-relative id with '/' replaced by '__' (so `a/x.jpg` and `b/x.jpg`
 * become `a__x.jpg` and `b__x.jpg` and never overwrite each other).
 */
export function exportNames(ids: readonly string[]): Map<string, string> {
  const count = new Map<string, number>();
  const base = (id: string) => id.slice(id.lastIndexOf('/') + 1);
  for (const id of ids) count.set(base(id), (count.get(base(id)) ?? 0) + 1);
  const out = new Map<string, string>();
  for (const id of ids) out.set(id, count.get(base(id)) === 1 ? base(id) : id.split('/').join('__'));
  return out;
}

export function stemOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}

/** A YAML double-quoted scalar (JSON strings are valid YAML). */
export function yamlString(s: string): string {
  return JSON.stringify(s);
}
