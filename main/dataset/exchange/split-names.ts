/** Splits named by other tools' file and folder names (instances_train.json, valid/, obj_train_data...). */
import type { Split } from '../../../shared/dataset/types';

const WORDS: Record<string, Split> = { train: 'train', training: 'train', val: 'val', valid: 'val', validation: 'val', test: 'test', testing: 'test' };

/** The split a name's words say (`instances_val2017` → val, `train-annotations-bbox` → train), or undefined. */
export function splitFromName(name: string): Split | undefined {
  const stem = name.replace(/\.[^.]*$/, '').toLowerCase();
  for (const w of stem.split(/[^a-z]+/)) if (WORDS[w]) return WORDS[w];
  return undefined;
}

/** The split the nearest folder of a relative path names (`valid/x.json` → val), or undefined. */
export function splitFromFolders(relPath: string): Split | undefined {
  for (const seg of relPath.split('/').slice(0, -1).reverse()) {
    const s = WORDS[seg.toLowerCase()];
    if (s) return s;
  }
  return undefined;
}
