/**
 * The Train view's pure pieces: the setup form's validation (same schema as the API), the
 * per-backend input-size default, epoch records keyed by metrics.csv columns, run overlays, the
 * per-batch curve across a resume, PR resampling and CSV export; and the report gallery's
 * true-positive / false-positive / missed marking.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildConfig, defaultSetup, resolvedBackend } from '../../renderer/views/train/setup-form';
import { alignRuns, detectRecord, DETECT_PANELS, CLASSIFY_PANELS } from '../../renderer/views/train/metric-records';
import { appendBatch, ema, emptyBatch } from '../../renderer/views/train/batch-series';
import { apTableCsv, confusionCsv, prOnGrid } from '../../renderer/views/train/report-data';
import { buildGallery } from '../../main/training/evaluate';
import { rematchGalleryImage } from '../../shared/training/gallery-match';
import { METRICS_COLUMNS, trainConfigSchema, type EpochMetrics } from '../../shared/training/types';
import type { BackendAvailability, DetectRunReport } from '../../shared/api';

const backends: BackendAvailability[] = [
  { name: 'tensorflow-gpu', label: 'GPU', available: false, detail: 'no CUDA' },
  { name: 'tensorflow', label: 'CPU native', available: false, detail: 'not installed' },
  { name: 'wasm', label: 'WebAssembly', available: true, detail: 'SIMD' },
  { name: 'cpu', label: 'JS', available: true, detail: '' },
];

test('setup form: defaults are valid and match the schema; the input size follows the backend', () => {
  const { config, errors } = buildConfig(defaultSetup(), backends);
  assert.deepEqual(errors, {});
  assert.ok(config);
  assert.equal(config.inputSize, 224, 'wasm/cpu default');
  const parsed = trainConfigSchema.parse(config);
  assert.equal(parsed.epochs, 50);
  assert.equal(parsed.augmentOps, undefined, 'untouched augmentation sends no overrides');
  const onGpu = buildConfig({ ...defaultSetup(), backend: 'tensorflow-gpu' }, backends.map((b) => ({ ...b, available: true })));
  assert.equal(onGpu.config?.inputSize, 416, 'tensorflow-gpu default');
  assert.equal(resolvedBackend('auto', backends), 'wasm');
});

test('setup form: every bad field gets its own message and no config', () => {
  const v = defaultSetup();
  v.inputSize = '100';
  v.inputSizeTouched = true;
  v.epochs = '2.5';
  v.batchSize = '';
  v.learningRate = 'fast';
  v.name = '../evil';
  v.tinyWidths = '8,x';
  v.backend = 'tensorflow-gpu';
  v.augmentOps.blur.p = '1.5';
  const { config, errors } = buildConfig(v, backends);
  assert.equal(config, null);
  assert.match(errors.inputSize!, /multiple of 32/);
  assert.match(errors.epochs!, /whole number/);
  assert.equal(errors.batchSize, 'required');
  assert.match(errors.learningRate!, /not a number/);
  assert.match(errors.name!, /letters, digits/);
  assert.match(errors.tinyWidths!, /positive whole numbers/);
  assert.match(errors.backend!, /not available/);
  assert.ok(errors['augmentOps.blur.p'] ?? errors.augment, 'blur p out of range is reported');
});

test('setup form: changed augmentation values and advanced fields reach the config', () => {
  const v = defaultSetup();
  v.augmentOps.horizontalFlip.enabled = false;
  v.augmentOps.noise.maxSigma = '5';
  v.tinyWidths = '8, 16,16,32,32,32';
  v.clipNorm = '';
  v.lrSchedule = 'linear';
  const { config, errors } = buildConfig(v, backends);
  assert.deepEqual(errors, {});
  assert.deepEqual(config?.augmentOps, { horizontalFlip: { enabled: false }, noise: { maxSigma: 5 } });
  assert.deepEqual(config?.tinyWidths, [8, 16, 16, 32, 32, 32]);
  assert.equal(config?.clipNorm, null);
  assert.equal(config?.lrSchedule, 'linear');
});

test('setup form: the mobilenet preset carries its freeze and fine-tune settings; others do not', () => {
  const v = { ...defaultSetup(), preset: 'mobilenet' as const, freezeEpochs: '4', finetuneLrFactor: '0.05', backboneCut: 'conv_pw_11_relu' };
  const { config, errors } = buildConfig(v, backends);
  assert.deepEqual(errors, {});
  assert.deepEqual([config?.freezeEpochs, config?.finetuneLrFactor, config?.backboneCut], [4, 0.05, 'conv_pw_11_relu']);
  assert.ok(buildConfig({ ...v, finetuneLrFactor: '2' }, backends).errors.finetuneLrFactor, 'a factor above 1 is refused');
  const tiny = buildConfig({ ...v, preset: 'tiny' }, backends).config;
  assert.equal(tiny && 'finetuneLrFactor' in tiny, false);
});

const epoch = (n: number, map: number | null): EpochMetrics => ({
  epoch: n, time: n * 2, train: { total: 5 - n, box: 1, obj: 1, noobj: 0.1, cls: 2, dfl: 0.5 }, val: null,
  precision: null, recall: null, F1: null, mAP50: map, 'mAP50-95': map === null ? null : map / 2, lr: 1e-3,
});

test('epoch records are keyed by metrics.csv columns; panels name existing columns', () => {
  const rec = detectRecord(epoch(1, 0.5));
  assert.deepEqual(Object.keys(rec), [...METRICS_COLUMNS]);
  assert.equal(rec['metrics/mAP50(B)'], 0.5);
  assert.equal(rec['val/loss'], null);
  for (const p of DETECT_PANELS) for (const c of p.columns) assert.ok((METRICS_COLUMNS as readonly string[]).includes(c.key), c.key);
  assert.ok(CLASSIFY_PANELS.some((p) => p.columns.some((c) => c.key === 'val/accuracy')));
});

test('overlaying runs aligns them on a shared epoch axis', () => {
  const a = { records: [1, 2, 3].map((e) => detectRecord(epoch(e, e / 10))) };
  const b = { records: [1, 2].map((e) => detectRecord(epoch(e, e / 5))) };
  assert.deepEqual(alignRuns([a, b], 'metrics/mAP50(B)'), [[1, 2, 3], [0.1, 0.2, 0.3], [0.2, 0.4, null]]);
});

test('per-batch curve: a resumed run replaces the points of the epoch it repeats', () => {
  const loss = (t: number) => ({ total: t, box: 0, obj: 0, noobj: 0, cls: 0, dfl: 0 });
  let b = emptyBatch();
  for (const x of [0.25, 0.5, 0.75, 1, 1.25, 1.5]) b = appendBatch(b, x, loss(x));
  b = appendBatch(b, 1.25, loss(9)); // resumed from the end of epoch 1
  assert.deepEqual(b.x, [0.25, 0.5, 0.75, 1, 1.25]);
  assert.deepEqual(b.total, [0.25, 0.5, 0.75, 1, 9]);
  assert.equal(b.cls.length, b.x.length);
  assert.equal(b.dfl.length, b.x.length);
});

test('the smoothed batch loss starts at the first value and follows a step with lag', () => {
  assert.deepEqual(ema([2, 2, 2], 0.9).map((v) => Number(v.toFixed(12))), [2, 2, 2]);
  const s = ema([0, 0, 10, 10, 10], 0.5);
  assert.equal(s[1], 0);
  assert.ok(s[2]! > 0 && s[2]! < s[3]! && s[4]! < 10);
});

test('PR curve on a recall grid is the interpolated envelope and stops at the last recall', () => {
  const grid = prOnGrid({ recall: [0.1, 0.5, 0.5, 0.8], precision: [1, 0.8, 0.6, 0.5] }, 10);
  assert.equal(grid[0], 1);
  assert.equal(grid[2], 0.8);
  assert.equal(grid[8], 0.5);
  assert.equal(grid[9], null);
});

test('CSV exports quote names and include the totals row', () => {
  const report = {
    run: 'r', classes: [{ className: 'a,"b"', numGroundTruth: 2, ap50: 0.5, 'ap50-95': 0.25, precision: 1, recall: 0.5, pr: { recall: [], precision: [] } }],
    mAP50: 0.5, 'mAP50-95': 0.25, confusion: { labels: ['a,"b"', 'background'], matrix: [[1, 1], [0, 0]] },
  } as unknown as DetectRunReport;
  assert.equal(apTableCsv(report).split('\n')[1], '"a,""b""",2,0.5,0.25,1,0.5');
  assert.match(apTableCsv(report), /^all,2,0.5,0.25,,$/m);
  assert.equal(confusionCsv(report.confusion).split('\n')[1], '"a,""b""",1,1');
});

test('gallery marks true positives, false positives, misses and below-threshold detections', () => {
  const gt = [
    { imageId: 'a', className: 'ball', x1: 0, y1: 0, x2: 10, y2: 10 },
    { imageId: 'a', className: 'cube', x1: 20, y1: 20, x2: 30, y2: 30 },
  ];
  const dets = [
    { imageId: 'a', className: 'ball', score: 0.9, x1: 0, y1: 0, x2: 10, y2: 11 },
    { imageId: 'a', className: 'ball', score: 0.8, x1: 0, y1: 0, x2: 10, y2: 10 }, // duplicate → fp
    { imageId: 'a', className: 'cube', score: 0.1, x1: 20, y1: 20, x2: 30, y2: 30 }, // below 0.25
    { imageId: 'b', className: 'cube', score: 0.7, x1: 1, y1: 1, x2: 5, y2: 5 }, // image without gt
    { imageId: 'b', className: 'cube', score: 0.005, x1: 1, y1: 1, x2: 5, y2: 5 }, // under the gallery floor
  ];
  const g = buildGallery(gt, dets, 0.25);
  assert.deepEqual(g.map((x) => x.imageId), ['a', 'b']);
  assert.deepEqual(g[0]!.detections.map((d) => d.outcome), ['tp', 'fp', 'low']);
  assert.deepEqual(g[0]!.groundTruth.map((b) => b.matched), [true, false]);
  assert.equal(g[0]!.misses, 1);
  assert.equal(g[0]!.falsePositives, 1);
  assert.equal(g[1]!.detections.length, 1);
  assert.equal(g[1]!.falsePositives, 1);

  // the report re-marks the same image at another threshold
  const low = rematchGalleryImage(g[0]!, 0.05);
  assert.deepEqual(low.detections.map((d) => d.outcome), ['tp', 'fp', 'tp']);
  assert.equal(low.misses, 0);
  const high = rematchGalleryImage(g[0]!, 0.95);
  assert.deepEqual(high.detections.map((d) => d.outcome), ['low', 'low', 'low']);
  assert.equal(high.misses, 2);
  assert.deepEqual(rematchGalleryImage(g[0]!, 0.25), g[0]);
});
