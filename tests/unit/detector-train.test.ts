/**
 * Proves that the whole detector path learns: the tiny preset trained from scratch on procedural
 * scenes (coloured rectangles on noise, boxes known exactly) with the YOLOv2 loss; the loss must
 * fall several-fold and decode + NMS must find each training box (IoU > 0.5, right class).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { boxIou, buildDetector, detectImages, detectorPreset, encodeBatchTargets, gridSpecOf, imagesToTensor, kmeansAnchors, syntheticScene, trainStep, type DetectorConfig } from '../../shared/ml/detector';

// Pure-JS cpu backend: Conv2DBackpropFilter dominates the step (~95 %), so the net is small:
// 64 px input (2×2 grid), 4 images, 45 Adam steps (≈0.3–2 s a step depending on machine load).
test('tiny detector learns procedural boxes on the cpu backend', { timeout: 240_000 }, async () => {
  await tf.setBackend('cpu');
  const size = 64;
  const scenes = Array.from({ length: 4 }, (_, i) => syntheticScene(100 + i, { size, numClasses: 2 }));
  const grid = size / 32;
  const { anchors } = kmeansAnchors(scenes.flatMap((s) => s.boxes.map((b) => ({ w: ((b.x2 - b.x1) / size) * grid, h: ((b.y2 - b.y1) / size) * grid }))), 2, { seed: 1 });
  const config: DetectorConfig = {
    ...detectorPreset('tiny', { numClasses: 2, inputSize: size, anchors }),
    backbone: { kind: 'tiny', widths: [4, 8, 8, 16, 16, 16] },
    resizeMode: 'stretch',
  };
  const spec = gridSpecOf(config);
  // seeded: with Math.random initial weights about 1 run in 11 ended with one box at IoU 0.4–0.5
  // (seeds 1–11: 10 pass); a fixed start makes a failure mean the path stopped learning
  const model = buildDetector(config, { seed: 7 });
  const optimizer = tf.train.adam(0.02);
  const images = imagesToTensor(scenes.map((s) => s.image));
  const targets = encodeBatchTargets(scenes.map((s) => s.boxes), spec, 4);
  const losses: number[] = [];
  for (let step = 0; step < 45; step++) losses.push((await trainStep(model, optimizer, images, targets, spec)).total);
  const first = losses.slice(0, 5).reduce((a, b) => a + b) / 5;
  const last = losses.slice(-5).reduce((a, b) => a + b) / 5;
  assert.ok(last < first / 5, `loss ${first.toFixed(3)} → ${last.toFixed(3)}`);

  const detections = await detectImages(model, scenes.map((s) => s.image), config, { scoreThreshold: 0.2 });
  scenes.forEach((scene, i) => {
    const truth = scene.boxes[0];
    const best = detections[i][0];
    assert.ok(best, `image ${i}: no detection`);
    assert.equal(best.classId, truth.classId, `image ${i}: class`);
    assert.ok(boxIou(best, truth) > 0.5, `image ${i}: IoU ${boxIou(best, truth).toFixed(2)} ${JSON.stringify(best)} vs ${JSON.stringify(truth)}`);
  });
  tf.dispose([images, targets.target, targets.trueBoxes]);
  model.dispose();
});
