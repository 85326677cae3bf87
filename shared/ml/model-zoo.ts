/**
 * The model zoo: every pretrained model the app can download, in one list. Backbones
 * (shared/ml/backbone/zoo.ts: the mobilenet preset's and the classifier's transfer-learning
 * backbone) and ready-made detectors (shared/ml/adapters/zoo.ts, with their adapters) share one
 * entry shape: where the files are published upstream, where they sit under a mirror, and the
 * sha256 of every file, checked on download and on every reuse of the cache.
 *
 * One mirror serves them all: a base URL holding `<modelPath>` for each entry (the layout of
 * ../shared/models, which the tests serve). The app reads it from DETECTA_MODEL_MIRROR.
 */
import type { DetectorZooEntry, ZooEntry, ZooFiles } from './zoo-entry';
import { BACKBONE_ZOO } from './backbone/zoo';
import { DETECTOR_ZOO } from './adapters/zoo';

export type { ZooFiles, BackboneZooEntry, DetectorZooEntry, ZooEntry } from './zoo-entry';

export const MODEL_ZOO: readonly ZooEntry[] = [...BACKBONE_ZOO, ...DETECTOR_ZOO];

/** The environment variable naming the mirror (a base URL); empty or unset = upstream. */
export const MODEL_MIRROR_ENV = 'DETECTA_MODEL_MIRROR';

export function zooEntry(id: string): ZooEntry {
  const e = MODEL_ZOO.find((z) => z.id === id);
  if (!e) throw new Error(`no model "${id}" in the model zoo (known: ${MODEL_ZOO.map((z) => z.id).join(', ')})`);
  return e;
}

export function detectorZooEntry(id: string): DetectorZooEntry {
  const e = zooEntry(id);
  if (e.kind !== 'detector') throw new Error(`model-zoo entry "${id}" is a ${e.kind}, not a detector`);
  return e;
}

/** The entry's model.json URL: under the mirror when one is given, else upstream. */
export function zooEntryUrl(entry: ZooFiles, mirror?: string): string {
  if (!mirror) return entry.upstreamUrl;
  return new URL(entry.modelPath, mirror.endsWith('/') ? mirror : `${mirror}/`).toString();
}
