/**
 * Seeded, stratified train / validation / test split for classifier samples. Samples that share
 * a `group` (crops of the same photo) always land in the same split, so validation never sees a
 * box from a photo the model trained on. Per class (a group counts for its first sample's class),
 * the groups are shuffled with the seed and cut by the fractions: a class with one group goes to
 * train only; with two, one to train and one to validation (when valFraction > 0); from three on,
 * every split with a non-zero fraction gets at least one group and train keeps at least one.
 */
import { createRng } from '../random';

export interface SplitItem {
  id: string;
  label: number;
  /** Samples of one group stay together (default: the id). */
  group?: string;
}

export interface SplitOptions {
  seed: number;
  valFraction: number;
  testFraction: number;
}

export interface ClassifierSplit {
  train: string[];
  val: string[];
  test: string[];
}

function shuffleInPlace<T>(items: T[], seed: number): T[] {
  const rng = createRng(seed);
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/** How many of `n` groups go to validation and test. */
export function splitCounts(n: number, valFraction: number, testFraction: number): { val: number; test: number } {
  if (n <= 1) return { val: 0, test: 0 };
  if (n === 2) return { val: valFraction > 0 ? 1 : 0, test: valFraction > 0 ? 0 : testFraction > 0 ? 1 : 0 };
  let val = valFraction > 0 ? Math.max(1, Math.round(n * valFraction)) : 0;
  let test = testFraction > 0 ? Math.max(1, Math.round(n * testFraction)) : 0;
  while (n - val - test < 1) {
    if (test >= val && test > 0) test--;
    else val--;
  }
  return { val, test };
}

export function stratifiedSplit(items: readonly SplitItem[], options: SplitOptions): ClassifierSplit {
  const groups = new Map<string, { label: number; ids: string[] }>();
  for (const it of items) {
    const key = it.group ?? it.id;
    const g = groups.get(key);
    if (g) g.ids.push(it.id);
    else groups.set(key, { label: it.label, ids: [it.id] });
  }
  const byClass = new Map<number, string[]>();
  for (const [key, g] of groups) {
    const list = byClass.get(g.label) ?? [];
    list.push(key);
    byClass.set(g.label, list);
  }
  const out: ClassifierSplit = { train: [], val: [], test: [] };
  for (const label of [...byClass.keys()].sort((a, b) => a - b)) {
    const keys = shuffleInPlace([...byClass.get(label)!].sort(), (options.seed * 9973 + label * 7919) >>> 0);
    const { val, test } = splitCounts(keys.length, options.valFraction, options.testFraction);
    keys.forEach((key, i) => {
      const target = i < val ? out.val : i < val + test ? out.test : out.train;
      target.push(...groups.get(key)!.ids);
    });
  }
  const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  out.train.sort(byId);
  out.val.sort(byId);
  out.test.sort(byId);
  return out;
}

/** Per-epoch sample order: shuffled by (seed, epoch); with `oversample`, smaller classes are repeated up to the largest class's count. */
export function epochSampleOrder(labels: ArrayLike<number>, numClasses: number, seed: number, epoch: number, oversample: boolean): number[] {
  let order: number[];
  if (!oversample) {
    order = Array.from({ length: labels.length }, (_, i) => i);
  } else {
    const perClass: number[][] = Array.from({ length: numClasses }, () => []);
    for (let i = 0; i < labels.length; i++) perClass[labels[i]!]!.push(i);
    const max = Math.max(...perClass.map((c) => c.length));
    const rng = createRng((seed * 131 + epoch * 65_537) >>> 0);
    order = [];
    for (const members of perClass) {
      if (members.length === 0) continue;
      order.push(...members);
      for (let k = members.length; k < max; k++) order.push(members[rng.int(members.length)]!);
    }
  }
  return shuffleInPlace(order, (seed * 7919 + epoch * 104_729) >>> 0);
}

/** Loss weight per class: total / (classes · count), Keras's "balanced" class_weight (0 for an empty class). */
export function balancedClassWeights(labels: ArrayLike<number>, numClasses: number): number[] {
  const counts = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < labels.length; i++) counts[labels[i]!]!++;
  const present = counts.filter((c) => c > 0).length;
  return counts.map((c) => (c > 0 ? labels.length / (present * c) : 0));
}
