/** Handlers of the review queue's dismissals (shared/api/review.ts), in .detecta/review.json. */
import type { reviewMethods } from '../../shared/api/review';
import { readDismissed, setDismissed } from '../dataset/review-dismissals';
import type { HandlersFor } from './handler';

export const reviewHandlers: HandlersFor<typeof reviewMethods> = {
  'review.dismissed': async (p, ctx) => ({ keys: await readDismissed(ctx.services.projects.get(p.project).root) }),
  'review.dismiss': async (p, ctx) => ({ keys: await setDismissed(ctx.services.projects.get(p.project).root, p.keys, p.dismissed) }),
};
