/**
 * Loading a model into the renderer: a detector (ours, or a third-party one with an adapter) or
 * one of our classifiers (a LayersModel whose metadata holds `classifier`: classes and input). Files come through URLs of the app (project files or
 * granted model folders), one URL per file: tfjs's HTTP loader would resolve weight paths against
 * the model.json URL, which breaks with a `?path=` query, so this IOHandler fetches model.json and
 * then each weight file through the given URL function.
 */
import * as tf from '@tensorflow/tfjs';
import type { AdapterMetadata } from '../../shared/ml/adapters/metadata';
import { detectaAdapter } from '../../shared/ml/adapters/metadata';
import { isNanodetCocoAdapter, nanodetLayersFromGraph } from '../../shared/ml/adapters/nanodet-layers';
import { fuseConvLayers } from '../../shared/ml/train/fused-conv-layers';
import { METADATA_KEY as DETECTOR_METADATA_KEY, readDetectorMetadata } from '../../shared/ml/detector/metadata';
import type { DetectorConfig } from '../../shared/ml/detector/config';
import { readClassifierMetadata, type ClassifierMetadata } from '../../shared/ml/classifier/metadata';

const SAFE_FILE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

async function fetchOk(url: string, what: string): Promise<Response> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`cannot load ${what}: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`);
  return res;
}

export function urlModelHandler(modelJsonPath: string, urlOf: (absPath: string) => string): Required<Pick<tf.io.IOHandler, 'load'>> & tf.io.IOHandler {
  const sepIndex = Math.max(modelJsonPath.lastIndexOf('/'), modelJsonPath.lastIndexOf('\\'));
  const dir = modelJsonPath.slice(0, sepIndex + 1);
  return {
    async load(): Promise<tf.io.ModelArtifacts> {
      const json = (await (await fetchOk(urlOf(modelJsonPath), modelJsonPath)).json()) as tf.io.ModelJSON;
      return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const buffers: ArrayBuffer[] = [];
        for (const listed of manifest.flatMap((g) => g.paths)) {
          const p = listed.replace(/^\.\//, ''); // "./weights.bin", as our runs and tfjs write it, is the file beside model.json
          if (!SAFE_FILE.test(p)) throw new Error(`${modelJsonPath}: weight path '${listed}' is not a plain file name`);
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

export interface LoadedDetector {
  task: 'detect';
  title: string;
  adapter: AdapterMetadata;
  detector?: DetectorConfig;
  layers?: tf.LayersModel;
  graph?: tf.GraphModel;
  /** Runs the model on an input batch of one when it is not a plain predict/execute (NanoDet-m's layers form). */
  forward?: (input: tf.Tensor) => tf.Tensor[];
  dispose(): void;
}

export interface LoadedClassifier {
  task: 'classify';
  title: string;
  classifier: ClassifierMetadata;
  layers: tf.LayersModel;
  dispose(): void;
}

export type LoadedModel = LoadedDetector | LoadedClassifier;

/** A third-party GraphModel as a detector, run as it is through its adapter. */
export function graphDetector(title: string, adapter: AdapterMetadata, graph: tf.GraphModel): LoadedDetector {
  return { task: 'detect', title, adapter, graph, dispose: () => graph.dispose() };
}

/** The class names of a loaded model, in class-id order. */
export const labelsOf = (m: LoadedModel): readonly string[] => (m.task === 'detect' ? m.adapter.labels : m.classifier.classes);

/** "28×28 grayscale" / "416px": the input the model takes. */
export function inputDescription(m: LoadedModel): string {
  if (m.task === 'detect') return `${m.adapter.inputSize}px`;
  const [h, w, c] = m.classifier.inputShape;
  return `${w}×${h} ${c === 1 ? 'grayscale' : 'colour'}`;
}

/** Which of our metadata a LayersModel carries: a classifier's, a detector's, or neither. */
function layersTask(layers: tf.LayersModel): 'classify' | 'detect' | null {
  const meta = (layers.getUserDefinedMetadata() ?? {}) as Record<string, unknown>;
  return meta.classifier ? 'classify' : meta[DETECTOR_METADATA_KEY] ? 'detect' : null;
}

export async function loadModel(ref: ModelRef): Promise<LoadedModel> {
  const io = urlModelHandler(ref.modelJson, ref.urlOf);
  if (ref.format === 'graph') {
    if (!ref.adapter) throw new Error(`${ref.title}: a GraphModel needs an adapter`);
    if (!isNanodetCocoAdapter(ref.adapter)) return graphDetector(ref.title, ref.adapter, await tf.loadGraphModel(io));
    // NanoDet-m's NCHW graph runs as the NHWC layers rebuilt from its weights (0-12% faster per frame on wasm, bench/detect)
    const artifacts = await io.load();
    let nano;
    try {
      nano = nanodetLayersFromGraph(artifacts, ref.adapter);
    } catch (err) {
      console.warn(`${ref.title}: runs as the GraphModel it is, not rebuilt as layers: ${(err as Error).message}`);
      return graphDetector(ref.title, ref.adapter, await tf.loadGraphModel(tf.io.fromMemory(artifacts)));
    }
    const { layers, adapter, forward } = nano;
    return { task: 'detect', title: ref.title, adapter, layers, forward, dispose: () => layers.dispose() };
  }
  const layers = await tf.loadLayersModel(io);
  // conv, bias and activation as one kernel each (the same function, fewer passes per frame)
  fuseConvLayers(layers);
  if (ref.adapter) return { task: 'detect', title: ref.title, adapter: ref.adapter, layers, dispose: () => layers.dispose() };
  let config;
  try {
    const task = layersTask(layers);
    if (!task) throw new Error('this LayersModel is neither a Detecta detector nor a Detecta classifier (its model.json has no detector or classifier metadata); a third-party model needs a detecta-adapter.json beside it');
    if (task === 'classify') {
      const classifier = readClassifierMetadata(layers);
      const out = layers.outputs[0]?.shape;
      const numClasses = out?.[out.length - 1];
      if (numClasses !== classifier.classes.length) throw new Error(`the model scores ${String(numClasses)} classes but its metadata names ${classifier.classes.length}`);
      return { task: 'classify', title: ref.title, classifier, layers, dispose: () => layers.dispose() };
    }
    config = readDetectorMetadata(layers);
  } catch (err) {
    layers.dispose();
    throw new Error(`${ref.title}: ${(err as Error).message}`);
  }
  const labels = ref.classes && ref.classes.length === config.numClasses ? ref.classes : Array.from({ length: config.numClasses }, (_, i) => `class ${i}`);
  return {
    task: 'detect',
    title: ref.title,
    adapter: detectaAdapter(ref.title, config.inputSize, config.resizeMode, labels),
    detector: config,
    layers,
    dispose: () => layers.dispose(),
  };
}
