/**
 * How much of the wasm backend's memory one training step takes, per image, for each detector
 * preset (issue 18: nanodet-m at 320 px with batch 16 outgrew the 4 GiB heap and its first
 * fine-tuning step never returned). Each preset runs in its own process (a wasm heap never
 * shrinks): build the model with its pretrained weights from ../shared/models, take one gradient
 * step of every trainable weight on a random batch, read the heap's size. The trainer's batch limit
 * (shared/ml/detector/wasm-batch-limit.ts) comes from these figures; the summary puts them beside it.
 *
 * Run: node --import tsx bench/wasm-step-memory.bench.ts [--presets mobilenet-fpn,nanodet-m,...]
 *      [--size 224] [--batch 8]
 * Writes bench/results/wasm-step-memory.json.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { writeFileAtomic } from '../main/dataset/atomic-write';
import { selectBackend } from '../main/training/backend';
import { loadPretrainedBackbone } from '../main/training/pretrained-backbone';
import { loadPretrainedNanodet } from '../main/training/pretrained-nanodet';
import { buildDetector, type BuildOptions } from '../shared/ml/detector/build';
import { detectorPreset, type PresetName } from '../shared/ml/detector/config';
import { WASM_STEP_MB_PER_IMAGE_224, wasmBatchLimit } from '../shared/ml/detector/wasm-batch-limit';

const { values } = parseArgs({
  options: {
    presets: { type: 'string', default: 'mobilenet-fpn,nanodet-m,mobilenet,tiny,darknet19' },
    size: { type: 'string', default: '224' }, batch: { type: 'string', default: '8' }, child: { type: 'string' },
  },
});
const MODELS = fileURLToPath(new URL('../../shared/models/', import.meta.url));
const MB = 2 ** 20;

async function child(preset: PresetName, size: number, batch: number): Promise<void> {
  await selectBackend('wasm');
  const heap = (): number => (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.buffer.byteLength / MB;
  const config = detectorPreset(preset, { numClasses: 3, inputSize: size });
  const options: BuildOptions = { seed: 1 };
  if (config.backbone.kind === 'nanodet') options.nanodet = (await loadPretrainedNanodet(join(MODELS, 'nanodet-m-416-coco'))).weights;
  if (config.backbone.kind === 'mobilenet') options.pretrained = (await loadPretrainedBackbone(join(MODELS, 'mobilenet_v1_0.25_224'))).model;
  const model = buildDetector(config, options);
  const before = heap();
  const x = tf.randomUniform([batch, size, size, 3], 0, 255);
  const vars = model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
  tf.tidy(() => tf.variableGrads(() => (model.apply(x, { training: true }) as tf.Tensor).square().mean() as tf.Scalar, vars).value);
  console.log(JSON.stringify({ preset, size, batch, heapBeforeMB: Math.round(before), heapAfterMB: Math.round(heap()) }));
}

if (values.child) {
  await child(values.child as PresetName, Number(values.size), Number(values.batch));
} else {
  const size = Number(values.size);
  const batch = Number(values.batch);
  const rows = values.presets.split(',').map((preset) => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', preset, '--size', String(size), '--batch', String(batch)], { encoding: 'utf8', maxBuffer: 64 << 20 });
    const r = JSON.parse(out.trim().split('\n').pop()!) as { preset: PresetName; heapBeforeMB: number; heapAfterMB: number };
    const perImage224 = ((r.heapAfterMB - r.heapBeforeMB) / batch) * (224 / size) ** 2;
    return { ...r, size, batch, measuredMBPerImage224: Math.round(perImage224), tableMBPerImage224: WASM_STEP_MB_PER_IMAGE_224[r.preset], batchLimitAt224: wasmBatchLimit(r.preset, 224), batchLimitAt320: wasmBatchLimit(r.preset, 320) };
  });
  const dir = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  await writeFileAtomic(join(dir, 'wasm-step-memory.json'), `${JSON.stringify({ bench: 'wasm-step-memory', date: new Date().toISOString(), rows }, null, 1)}\n`);
  for (const r of rows) console.log(`${r.preset.padEnd(14)} ${r.size} px × ${r.batch}: heap ${r.heapBeforeMB} → ${r.heapAfterMB} MB; ${r.measuredMBPerImage224} MB/image at 224 (table ${r.tableMBPerImage224}); batch limit ${r.batchLimitAt224} at 224, ${r.batchLimitAt320} at 320`);
}
