/**
 * Box ids: the identity of one box across edits, saves and reloads. A box drawn (or suggested,
 * duplicated, copied) in the editor gets a new id there; the file keeps it as `<object id="...">`.
 * Objects of files from other tools have no id and are known by their position ("o0", "o1"...);
 * a save writes that as their id once they move (a box before them deleted), so it stays theirs.
 */

/** Longest id accepted (the API's limit on BoxAnnotation.key). */
export const MAX_BOX_ID = 32;

/**
 * A new id: "b" + 12 random hex digits (48 bits). Ids need only be unique among one image's boxes
 * (and a repeat is replaced on save, see withBoxIds), so Math.random does: no DOM or Node global.
 */
export function newBoxId(): string {
  let hex = '';
  for (let i = 0; i < 2; i++) hex += Math.floor(Math.random() * 0x1000000).toString(16).padStart(6, '0');
  return `b${hex}`;
}

/**
 * The ids of a file's objects, in order: each object's own id when it has a usable one not taken by
 * an earlier object, otherwise its position "o<i>" (made unique with a suffix when that is taken).
 */
export function objectIds(ids: readonly (string | undefined)[]): string[] {
  const own = new Set(ids.filter((id): id is string => id !== undefined && id.length <= MAX_BOX_ID));
  const used = new Set<string>();
  return ids.map((id, i) => {
    let key = id !== undefined && id.length <= MAX_BOX_ID && !used.has(id) ? id : `o${i}`;
    for (let n = 1; used.has(key) || (key !== id && own.has(key)); n++) key = `o${i}.${n}`;
    used.add(key);
    return key;
  });
}

/** The boxes with every key present and unique: a missing or repeated key gets a new id. */
export function withBoxIds<B extends { key?: string }>(boxes: readonly B[]): B[] {
  const used = new Set<string>();
  return boxes.map((b) => {
    let key = b.key;
    while (key === undefined || used.has(key)) key = newBoxId();
    used.add(key);
    return key === b.key ? b : { ...b, key };
  });
}
