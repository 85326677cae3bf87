/**
 * The review queue's dismissals ("keep the label"): the keys (shared/dataset/review.ts findingKey)
 * of the findings a person looked at and kept, in `.detecta/review.json`, so the queue leaves
 * them out next time (in the app and in `detecta dataset review`). Written atomically; an
 * unreadable file is reported, never overwritten.
 */
import path from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from './atomic-write';
import { readJsonFile } from './json-file';

const fileSchema = z.object({ version: z.literal(1), dismissed: z.array(z.string()) });

/** Most keys kept (the oldest go first beyond it). */
export const MAX_DISMISSED = 20_000;

export function reviewFile(root: string): string {
  return path.join(root, '.detecta', 'review.json');
}

/** The dismissed keys of a project, oldest first; [] when none were saved. */
export async function readDismissed(root: string): Promise<string[]> {
  const file = reviewFile(root);
  return (await readJsonFile(file, fileSchema, 'fix or delete it to review again'))?.dismissed ?? [];
}

/** Adds (dismissed = true) or removes keys; returns the new list. */
export async function setDismissed(root: string, keys: readonly string[], dismissed: boolean): Promise<string[]> {
  const now = await readDismissed(root);
  const drop = new Set(keys);
  let next = now.filter((k) => !drop.has(k));
  if (dismissed) next.push(...new Set(keys));
  if (next.length > MAX_DISMISSED) next = next.slice(next.length - MAX_DISMISSED);
  await writeFileAtomic(reviewFile(root), `${JSON.stringify({ version: 1, dismissed: next }, null, 1)}\n`);
  return next;
}
