/**
 * Engine pieces behind the run config's schedule fields: learning-rate schedule with warm-up,
 * global-norm gradient clipping in the train step, seeded weight initialisation, and the
 * validation of per-op augmentation overrides.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { learningRateAt, warmupStepsOf } from '../../shared/ml/train/lr-schedule';
import { buildDetector, detectorPreset, encodeBatchTargets, gridSpecOf, imagesToTensor, syntheticScene, trainStep, setOptimizerLearningRate, type DetectorConfig } from '../../shared/ml/detector';
import { parseAugmentOverrides, resolveAugmentConfig } from '../../shared/ml/augment';

const base = { baseLr: 0.01, finalLrFactor: 0.1, warmupSteps: 10, totalSteps: 110 };

test('lr schedule: linear warm-up, then cosine / linear decay to the final factor, or constant', () => {
  for (const kind of ['cosine', 'linear', 'constant'] as const) {
    const c = { ...base, kind };
    const w = Array.from({ length: 10 }, (_, s) => learningRateAt(c, s));
    for (let i = 1; i < w.length; i++) assert.ok(w[i] > w[i - 1], `${kind}: warm-up rises`);
    assert.ok(w[0] > 0 && w[9] < 0.01);
    assert.ok(Math.abs(learningRateAt(c, 10) - 0.01) < 1e-12, `${kind}: base rate right after warm-up`);
    const last = learningRateAt(c, 109);
    if (kind === 'constant') assert.equal(last, 0.01);
    else assert.ok(Math.abs(last - 0.001) < 1e-12, `${kind}: ends at base·finalLrFactor, got ${last}`);
  }
  const mid = 10 + 49.5;
  assert.ok(Math.abs(learningRateAt({ ...base, kind: 'cosine' }, mid) - 0.0055) < 1e-9, 'cosine halfway = mean of base and final');
  assert.ok(Math.abs(learningRateAt({ ...base, kind: 'linear' }, 10 + 99 / 4) - (0.01 - 0.009 / 4)) < 1e-9, 'linear a quarter of the way');
  assert.ok(Math.abs(learningRateAt({ ...base, kind: 'cosine', warmupSteps: 0 }, 0) - 0.01) < 1e-12, 'no warm-up starts at the base rate');
  const re = { ...base, kind: 'cosine' as const, rewarmFromStep: 50 };
  assert.equal(learningRateAt(re, 49), learningRateAt({ ...base, kind: 'cosine' }, 49), 'unchanged before the second warm-up');
  assert.ok(Math.abs(learningRateAt(re, 50) - learningRateAt({ ...base, kind: 'cosine' }, 50) / 11) < 1e-12, 'the second warm-up restarts low');
  assert.equal(learningRateAt(re, 60), learningRateAt({ ...base, kind: 'cosine' }, 60), 'and rejoins the schedule after warmupSteps');
  assert.equal(warmupStepsOf(1.5, 8, 100), 12, 'warm-up epochs counted in batches');
  assert.equal(warmupStepsOf(50, 8, 100), 99, 'never the whole run');
});

function tinySetup(seed: number): { model: tf.LayersModel; config: DetectorConfig } {
  const config: DetectorConfig = { ...detectorPreset('tiny', { numClasses: 2, inputSize: 64 }), backbone: { kind: 'tiny', widths: [4, 4, 8, 8, 8, 8] } };
  return { model: buildDetector(config, { seed }), config };
}

const flat = (m: tf.LayersModel): Float32Array[] => m.getWeights().map((w) => w.dataSync() as Float32Array);

test('weight initialisation follows the seed', async () => {
  await tf.setBackend('cpu');
  const a = tinySetup(5).model;
  const b = tinySetup(5).model;
  const c = tinySetup(6).model;
  const [wa, wb, wc] = [flat(a), flat(b), flat(c)];
  assert.deepEqual(wa, wb, 'same seed → same initial weights');
  assert.ok(wa.some((w, i) => w.some((v, j) => v !== wc[i][j])), 'another seed → other weights');
  [a, b, c].forEach((m) => m.dispose());
});

test('clipNorm bounds the global gradient norm of a step (SGD shows the step size directly)', async () => {
  await tf.setBackend('cpu');
  const scenes = [syntheticScene(1, { size: 64, numClasses: 2 }), syntheticScene(2, { size: 64, numClasses: 2 })];
  const stepNorm = async (clipNorm: number | null): Promise<{ gradNorm: number; moved: number }> => {
    const { model, config } = tinySetup(3);
    const spec = gridSpecOf(config);
    const x = imagesToTensor(scenes.map((s) => s.image));
    const t = encodeBatchTargets(scenes.map((s) => s.boxes), spec, 4);
    const before = flat(model).map((w) => w.slice());
    const opt = tf.train.sgd(0.5);
    const r = await trainStep(model, opt, x, t, spec, { clipNorm });
    // Only trainable weights move; BatchNorm moving statistics also change in training mode, so compare trainables.
    const names = new Set(model.trainableWeights.map((w) => w.name));
    let sq = 0;
    model.weights.forEach((w, i) => {
      if (!names.has(w.name)) return;
      const after = w.read().dataSync();
      for (let j = 0; j < after.length; j++) sq += (after[j] - before[i][j]) ** 2;
    });
    tf.dispose([x, t.target, t.trueBoxes]);
    model.dispose();
    opt.dispose();
    return { gradNorm: r.gradNorm ?? NaN, moved: Math.sqrt(sq) };
  };
  const free = await stepNorm(null);
  assert.ok(free.gradNorm > 0.2, `gradient norm ${free.gradNorm}`);
  assert.ok(Math.abs(free.moved - 0.5 * free.gradNorm) / free.moved < 1e-2, 'unclipped SGD step = lr·‖g‖');
  const clipped = await stepNorm(0.1);
  assert.ok(Math.abs(clipped.moved - 0.5 * 0.1) < 2e-3, `clipped SGD step = lr·clipNorm, got ${clipped.moved}`);
});

test('setOptimizerLearningRate changes the rate Adam applies', async () => {
  await tf.setBackend('cpu');
  const v = tf.variable(tf.scalar(1));
  const opt = tf.train.adam(0.1);
  setOptimizerLearningRate(opt, 0.01);
  opt.minimize(() => v.square() as tf.Scalar, false, [v]);
  // Adam's first step moves by ≈ lr whatever the gradient's size.
  assert.ok(Math.abs(1 - v.dataSync()[0] - 0.01) < 1e-4, `moved ${1 - v.dataSync()[0]}`);
  v.dispose();
  opt.dispose();
});

test('augmentOps: known ops and fields merge over the defaults; mistakes are named', () => {
  const c = resolveAugmentConfig(parseAugmentOverrides({ horizontalFlip: { p: 0 }, blur: { enabled: false, maxSigma: 2 } }));
  assert.equal(c.horizontalFlip.p, 0);
  assert.equal(c.blur.enabled, false);
  assert.equal(c.blur.maxSigma, 2);
  assert.equal(c.noise.p, resolveAugmentConfig().noise.p);
  assert.throws(() => parseAugmentOverrides({ rotate: { p: 1 } }), /unknown op 'rotate'/);
  assert.throws(() => parseAugmentOverrides({ blur: { sigma: 1 } }), /blur\.sigma is not a setting/);
  assert.throws(() => parseAugmentOverrides({ blur: { enabled: 1 } }), /blur\.enabled must be a boolean/);
  assert.throws(() => parseAugmentOverrides({ scaleCrop: { boxKeep: 1 } }), /scaleCrop\.boxKeep is not a setting/);
  assert.throws(() => resolveAugmentConfig(parseAugmentOverrides({ horizontalFlip: { p: 2 } })), /horizontalFlip\.p must be in \[0, 1\]/);
});
