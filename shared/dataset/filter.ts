/** The filters of the image list (Label view sidebar, `dataset.listImages`). */
import type { ImageEntry } from './types';

export type ImageFilter =
  | 'all'
  | 'labeled'
  | 'unlabeled'
  | 'verified'
  | 'unverified'
  | 'unreadable'
  | 'difficult'
  | 'empty'
  | `class:${string}`
  | `split:${'train' | 'val' | 'test'}`;

export function imageFilterProblem(f: string): string | null {
  if (['all', 'labeled', 'unlabeled', 'verified', 'unverified', 'unreadable', 'difficult', 'empty'].includes(f)) return null;
  if (f.startsWith('class:') && f.length > 6) return null;
  if (f === 'split:train' || f === 'split:val' || f === 'split:test') return null;
  return `unknown filter "${f}" (all, labeled, unlabeled, verified, unverified, unreadable, difficult, empty, class:NAME, split:train|val|test)`;
}

export function matchesFilter(e: ImageEntry, f: ImageFilter): boolean {
  switch (f) {
    case 'all': return true;
    case 'labeled': return e.status === 'labeled';
    case 'unlabeled': return e.status === 'unlabeled';
    case 'verified': return e.verified;
    case 'unverified': return e.status === 'labeled' && !e.verified;
    case 'unreadable': return e.status === 'unreadable';
    case 'difficult': return e.difficult;
    case 'empty': return e.status === 'labeled' && e.boxes === 0;
    default:
      if (f.startsWith('class:')) return e.classes.includes(f.slice(6));
      if (f.startsWith('split:')) return e.split === f.slice(6);
      return false;
  }
}
