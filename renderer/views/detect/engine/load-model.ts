/**
 * Loading a detector into the renderer. Files come through URLs of the app (project files or
 * granted model folders), one URL per file: tfjs's HTTP loader would resolve weight paths against
 * the model.json URL, which breaks with a `?path=` query, so this IOHandler fetches model.json and
 * then each weight file through the given URL function.
 */
import * as tf from '@tensorflow/tfjs';
import type { AdapterMetadata } from '../../../../shared/ml/adapters/metadata';
import { detectaAdapter } from '../../../../shared/ml/adapters/metadata';
import { readDetectorMetadata } from '../../../../shared/ml/detector/metadata';
import { gridSpecOf, type GridSpec } from '../../../../shared/ml/detector/layout';

const SAFE_FILE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

async function fetchOk(url: string, what: string): Promise<Response> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`cannot load ${what}: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`);
  return res;
}

export function urlModelHandler(modelJsonPath: string, urlOf: (absPath: string) => string): tf.io.IOHandler {
  const sepIndex = Math.max(modelJsonPath.lastIndexOf('/'), modelJsonPath.lastIndexOf('\\'));
  const dir = modelJsonPath.slice(0, sepIndex + 1);
  return {
    async load(): Promise<tf.io.ModelArtifacts> {
      const json = (await (await fetchOk(urlOf(modelJsonPath), modelJsonPath)).json()) as tf.io.ModelJSON;
      return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const buffers: ArrayBuffer[] = [];
        for (const p of manifest.flatMap((g) => g.paths)) {
          if (!SAFE_FILE.test(p)) throw new Error(`${modelJsonPath}: weight path '${p}' is not a plain file name`);
          buffers.push(await (await fetchOk(urlOf(dir + p), dir + p)).arrayBuffer());
        }
        return [tf.io.getWeightSpecs(manifest), tf.io.concatenateArrayBuffers(buffers)];
      });
    },
  };
}

export interface ModelRef {
  title: string;
  modelJson: string;
  format: 'layers' | 'graph';
  /** Null for our own detectors (adapter built from detectaDetector metadata). */
  adapter: AdapterMetadata | null;
  /** Class names for our detectors (from the run); the config's count is used when empty. */
  classes?: string[];
  urlOf: (absPath: string) => string;
}

export interface LoadedModel {
  title: string;
  adapter: AdapterMetadata;
  yoloSpec?: GridSpec;
  layers?: tf.LayersModel;
  graph?: tf.GraphModel;
  dispose(): void;
}

export async function loadModel(ref: ModelRef): Promise<LoadedModel> {
  const io = urlModelHandler(ref.modelJson, ref.urlOf);
  if (ref.format === 'graph') {
    if (!ref.adapter) throw new Error(`${ref.title}: a GraphModel needs an adapter`);
    const graph = await tf.loadGraphModel(io);
    return { title: ref.title, adapter: ref.adapter, graph, dispose: () => graph.dispose() };
  }
  const layers = await tf.loadLayersModel(io);
  if (ref.adapter) return { title: ref.title, adapter: ref.adapter, layers, dispose: () => layers.dispose() };
  let config;
  try {
    config = readDetectorMetadata(layers);
  } catch (err) {
    layers.dispose();
    throw new Error(`${ref.title}: ${(err as Error).message}`);
  }
  const labels = ref.classes && ref.classes.length === config.numClasses ? ref.classes : Array.from({ length: config.numClasses }, (_, i) => `class ${i}`);
  return {
    title: ref.title,
    adapter: detectaAdapter(ref.title, config.inputSize, config.resizeMode, labels),
    yoloSpec: gridSpecOf(config),
    layers,
    dispose: () => layers.dispose(),
  };
}
