/**
 * The review queue's remembered dismissals ("keep the label"): keys of shared/dataset/review.ts
 * findingKey, kept in the project's .detecta/review.json. The queue itself is computed where the
 * model runs (the page, or `detecta dataset review`).
 */
import { z } from 'zod';
import { method } from './contract';

const project = z.string().min(1).max(4096);
const key = z.string().min(1).max(2048);

export const reviewMethods = {
  /** The dismissed findings' keys, oldest first. */
  'review.dismissed': method<{ keys: string[] }>()(z.object({ project }).strict()),
  /** Dismisses (or, dismissed false, restores) findings; returns every dismissed key. */
  'review.dismiss': method<{ keys: string[] }>()(z.object({ project, keys: z.array(key).min(1).max(10_000), dismissed: z.boolean().default(true) }).strict()),
};
