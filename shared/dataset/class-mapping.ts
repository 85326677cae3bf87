/**
 * Where a model's classes meet a project's (pre-labeling, webcam "Add to project"): each model
 * class is mapped by the remembered mapping of that model (project class, or null = ignore),
 * else kept when the project has a class of that name, else left unmapped: its boxes stay drafts
 * with the model's class, and accepting them asks what it is. Pure.
 */
import type { ClassMapping } from './types';

export interface MappedBoxes<B> {
  boxes: B[];
  /** Boxes of classes the mapping ignores. */
  dropped: number;
  /** Model classes the project does not know and the mapping does not name, in first-seen order. */
  unmapped: string[];
}

/** The project class a model class maps to; null = ignored; undefined = not known yet. */
export function mapClass(label: string, projectClasses: readonly string[], mapping: ClassMapping): string | null | undefined {
  if (Object.prototype.hasOwnProperty.call(mapping, label)) {
    const to = mapping[label];
    if (to === null) return null;
    if (to !== undefined && projectClasses.includes(to)) return to; // a target deleted since counts as not known
  }
  return projectClasses.includes(label) ? label : undefined;
}

export function mapModelBoxes<B extends { label: string }>(boxes: readonly B[], projectClasses: readonly string[], mapping: ClassMapping): MappedBoxes<B> {
  const out: B[] = [];
  const unmapped: string[] = [];
  let dropped = 0;
  for (const b of boxes) {
    const to = mapClass(b.label, projectClasses, mapping);
    if (to === null) { dropped++; continue; }
    if (to === undefined) { if (!unmapped.includes(b.label)) unmapped.push(b.label); out.push(b); continue; }
    out.push(to === b.label ? b : { ...b, label: to });
  }
  return { boxes: out, dropped, unmapped };
}

/** Model classes mentioned by a list of labels that the project does not have (first-seen order). */
export function unknownClasses(labels: Iterable<string>, projectClasses: readonly string[]): string[] {
  const out: string[] = [];
  for (const l of labels) if (!projectClasses.includes(l) && !out.includes(l)) out.push(l);
  return out;
}
