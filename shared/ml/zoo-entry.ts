// The shape of a model-zoo entry (shared/ml/model-zoo.ts), in its own module so the backbone and
// detector lists that model-zoo.ts joins can name it without importing model-zoo.ts back.
import type { AdapterMetadata } from './adapters/metadata';

export interface ZooFiles {
  id: string;
  title: string;
  /** model.json path relative to a mirror's base URL. */
  modelPath: string;
  /** Where the files are published upstream, used when no mirror is configured. */
  upstreamUrl: string;
  /** sha256 (hex) per file; the model JSON is listed as 'model.json' (its name in the cache). */
  sha256: Record<string, string>;
  /** Total download size in bytes (for the UI and logs). */
  bytes: number;
}

export interface BackboneZooEntry extends ZooFiles {
  kind: 'backbone';
}

export interface DetectorZooEntry extends ZooFiles {
  kind: 'detector';
  adapter: AdapterMetadata;
}

export type ZooEntry = BackboneZooEntry | DetectorZooEntry;
