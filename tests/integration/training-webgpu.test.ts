/**
 * The WebGPU rung of the trainer's backend ladder, on the software adapter Debian's Chromium
 * ships (SwiftShader through Vulkan): `auto` skips a software adapter with the reason, a forced
 * `webgpu` takes it, and the detector's train step learns on it (the loss falls). Slow by design:
 * this proves the kernels, not the speed (a real GPU adapter is what auto picks).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../main/training/backend';
import { installedVersion } from '../../main/training/installed-package';
import { buildDetector, detectorPreset, encodeBatchTargets, gridSpecOf, imagesToTensor, kmeansAnchors, syntheticScene, trainStep, type DetectorConfig } from '../../shared/ml/detector';

const ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
const missing = !existsSync(ICD)
  ? `${ICD} is missing (apt-get install chromium ships SwiftShader's Vulkan driver)`
  : installedVersion('webgpu') === null ? 'the optional webgpu package is not installed (npm install)' : null;

test('auto skips a software WebGPU adapter; forced, the detector trains on it', { skip: missing ?? false, timeout: 600_000 }, async () => {
  process.env.VK_ICD_FILENAMES = ICD; // Dawn's Vulkan loader reads it when the adapter is requested
  process.env.XDG_RUNTIME_DIR ??= join(tmpdir(), 'detecta-xdg');
  mkdirSync(process.env.XDG_RUNTIME_DIR, { recursive: true });

  const auto = await selectBackend('auto');
  const skipped = auto.skipped.find((s) => s.backend === 'webgpu');
  assert.ok(skipped, `auto chose ${auto.backend} without considering webgpu`);
  assert.match(skipped.reason, /software adapter.*swiftshader/i);
  assert.notEqual(auto.backend, 'webgpu');

  const forced = await selectBackend('webgpu');
  assert.equal(forced.backend, 'webgpu');
  assert.equal(tf.getBackend(), 'webgpu');
  assert.match(forced.device, /WebGPU \(.*swiftshader/i);

  const size = 64;
  const scenes = Array.from({ length: 2 }, (_, i) => syntheticScene(200 + i, { size, numClasses: 2 }));
  const grid = size / 32;
  const { anchors } = kmeansAnchors(scenes.flatMap((s) => s.boxes.map((b) => ({ w: ((b.x2 - b.x1) / size) * grid, h: ((b.y2 - b.y1) / size) * grid }))), 2, { seed: 1 });
  const config: DetectorConfig = { ...detectorPreset('tiny', { numClasses: 2, inputSize: size, anchors }), backbone: { kind: 'tiny', widths: [4, 8, 8, 16, 16, 16] }, resizeMode: 'stretch' };
  const spec = gridSpecOf(config);
  const model = buildDetector(config);
  const optimizer = tf.train.adam(0.02);
  const images = imagesToTensor(scenes.map((s) => s.image));
  const targets = encodeBatchTargets(scenes.map((s) => s.boxes), spec, 4);
  const losses: number[] = [];
  for (let step = 0; step < 14; step++) losses.push((await trainStep(model, optimizer, images, targets, spec, { clipNorm: 10 })).total);
  assert.ok(losses.every(Number.isFinite), losses.join(', '));
  const first = (losses[0]! + losses[1]! + losses[2]!) / 3;
  const last = (losses[11]! + losses[12]! + losses[13]!) / 3;
  assert.ok(last < first / 2, `loss ${first.toFixed(3)} → ${last.toFixed(3)} on WebGPU: ${losses.map((l) => l.toFixed(2)).join(' ')}`);
});
