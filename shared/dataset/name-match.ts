/**
 * Finds a project image by the file name another tool's labels give it (labels-only imports:
 * COCO file_name, a YOLO label's stem, a CVAT <image name>, an Open Images ImageID). Pure.
 *
 * Order: the exact file name, then the same name ignoring case; a stem (no extension) matches any
 * image with that stem. Several candidates are narrowed to those whose id ends with the path the
 * labels give (train/x.jpg → photos/train/x.jpg); still several is "ambiguous", never a guess.
 */

export type NameMatch = { id: string } | { why: 'none' } | { why: 'ambiguous'; candidates: string[] };

const baseOf = (p: string) => p.slice(p.lastIndexOf('/') + 1);
const stemOf = (name: string) => { const d = name.lastIndexOf('.'); return d > 0 ? name.slice(0, d) : name; };

export class ProjectNameIndex {
  private readonly byName = new Map<string, string[]>();
  private readonly byLowerName = new Map<string, string[]>();
  private readonly byStem = new Map<string, string[]>();

  constructor(ids: Iterable<string>) {
    const add = (m: Map<string, string[]>, k: string, id: string) => { const l = m.get(k); if (l) l.push(id); else m.set(k, [id]); };
    for (const id of ids) {
      const name = baseOf(id);
      add(this.byName, name, id);
      add(this.byLowerName, name.toLowerCase(), id);
      add(this.byStem, stemOf(name), id);
    }
  }

  /** `path`: the image as the labels name it (forward slashes); `stemOnly`: it has no extension. */
  match(path: string, stemOnly = false): NameMatch {
    const name = baseOf(path);
    const lists = stemOnly ? [this.byStem.get(name)] : [this.byName.get(name), this.byLowerName.get(name.toLowerCase())];
    for (const list of lists) {
      if (!list?.length) continue;
      if (list.length === 1) return { id: list[0]! };
      const tail = stemOnly ? path : path.toLowerCase();
      const narrowed = path.includes('/') ? list.filter((id) => (stemOnly ? stemOf(id) : id.toLowerCase()).endsWith(`/${tail}`) || (stemOnly ? stemOf(id) : id.toLowerCase()) === tail) : [];
      if (narrowed.length === 1) return { id: narrowed[0]! };
      return { why: 'ambiguous', candidates: list };
    }
    return { why: 'none' };
  }
}
