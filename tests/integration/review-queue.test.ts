/**
 * The review queue finds planted label errors (issue 21). A copy of raccoon gets 25 errors
 * (seeded): 10 boxes deleted, 10 shifted by 30 % of their size, 5 relabeled into a second class.
 * A nanodet-m detector (COCO weights from ../shared/models) is trained on the CORRUPTED copy
 * (320 px, one frozen epoch and one fine-tuning epoch, seeded: the user's own labels have the
 * errors), then `detecta dataset review --top 40 --json FILE` runs it on every labeled image.
 * The issue asks for 80 % of the planted errors among the top 40 findings, each as the finding
 * that names it (a missing box where one was deleted, a finding on the shifted or relabeled box),
 * and the test asks as much (see the end). Then one fix per kind (accept the suggestion) is applied the way
 * the Label view's one-key fix does it (fixEdit + the project's save) and the XML on disk must
 * hold what the finding showed: the added box, the moved box, the class.
 * A box shifted by 30 % overlaps the true one with IoU about 0.54: only a model that localises
 * better than that is a judge of it. mobilenet-fpn after 12 or 24 epochs at 224 px (mAP50-95
 * 0.26-0.29 on the corrupted copy) names 3 of the 10; DETECTA_REVIEW_PRESET=mobilenet-fpn
 * trains that one instead. DETECTA_REVIEW_EPOCHS changes the number of epochs (default 2 for
 * nanodet-m, 12 for mobilenet-fpn); DETECTA_REVIEW_KEEP=DIR works in DIR and keeps it (the
 * corrupted copy, the run, review.json) for a look afterwards.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { copyWritable } from '../helpers/writable-copy';
import { sharedDatasets } from '../helpers/serve';
import { openDatasetProject } from '../../main/dataset/project';
import { runTraining } from '../../main/training/detect-task';
import { run as datasetCli } from '../../main/cli/commands/dataset';
import { setDismissed } from '../../main/dataset/review-dismissals';
import { applyEdit, findingKey, fixEdit, type ReviewFinding, type ReviewRect } from '../../shared/dataset/review';
import { cornersIou } from '../../shared/dataset/convert';
import { mulberry32 } from '../../shared/ml/random';
import { parseVocXml } from '../../shared/voc/parse';
import type { BoxAnnotation } from '../../shared/dataset/types';

const BACKBONE = path.resolve(import.meta.dirname, '../../../shared/models/mobilenet_v1_0.25_224/model.json');
const NANODET = path.resolve(import.meta.dirname, '../../../shared/models/nanodet-m-416-coco');
const PRESET = process.env.DETECTA_REVIEW_PRESET ?? 'nanodet-m';
const EPOCHS = Number(process.env.DETECTA_REVIEW_EPOCHS ?? (PRESET === 'nanodet-m' ? 2 : 12));
const OTHER = 'not_raccoon';
let root = '';
const KEEP = process.env.DETECTA_REVIEW_KEEP;
after(async () => { if (root && !KEEP) await rm(root, { recursive: true, force: true }); });

/** A seeded generator, so the planted errors are the same on every run. */
const rng = mulberry32;

interface Planted { kind: 'deleted' | 'shifted' | 'relabeled'; imageId: string; key: string; original: ReviewRect }

/** Whether the finding is the one a person needs to see for the planted error. */
function names(f: ReviewFinding, p: Planted): boolean {
  if (f.imageId !== p.imageId) return false;
  if (p.kind === 'deleted') return f.kind === 'missing' && cornersIou(f.suggestion!, p.original) >= 0.5;
  if (p.kind === 'relabeled') return f.boxId === p.key && f.kind === 'wrong-class' && f.suggestion?.label === 'raccoon';
  return f.boxId === p.key || (f.kind === 'missing' && cornersIou(f.suggestion!, p.original) >= 0.5);
}

test('review queue: the top 40 findings name most of 25 planted label errors (at least 80 %); the one-key fixes rewrite the XML as shown', { timeout: 1_800_000 }, async () => {
  root = KEEP ? path.resolve(KEEP) : await mkdtemp(path.join(tmpdir(), 'detecta-review-'));
  const dir = path.join(root, 'raccoon');
  copyWritable(path.join(sharedDatasets, 'detection-voc/raccoon'), dir);

  // plant the errors: 25 boxes of 25 different images, chosen with a seeded generator
  const planted: Planted[] = [];
  const project = await openDatasetProject(dir, { watch: false });
  try {
    await project.ready();
    await project.addClass(OTHER);
    const ids = project.listImages({ limit: 1000, filter: 'labeled' }).items.map((e) => e.id);
    assert.equal(ids.length, 200);
    const random = rng(21);
    const order = ids.map((id) => ({ id, r: random() })).sort((a, b) => a.r - b.r).map((x) => x.id);
    for (const [i, imageId] of order.slice(0, 25).entries()) {
      const ann = await project.getAnnotation(imageId);
      const boxes = ann.boxes;
      const k = Math.floor(random() * boxes.length);
      const b = boxes[k];
      const original = { xmin: b.xmin, ymin: b.ymin, xmax: b.xmax, ymax: b.ymax };
      let next: BoxAnnotation[];
      const kind: Planted['kind'] = i < 10 ? 'deleted' : i < 20 ? 'shifted' : 'relabeled';
      if (kind === 'deleted') next = boxes.filter((_, j) => j !== k);
      else if (kind === 'relabeled') next = boxes.map((x, j) => (j === k ? { ...x, label: OTHER } : x));
      else {
        // 30 % of the box's width (or height) to one side, the side that stays inside the image
        const size = ann.size!;
        const horizontal = random() < 0.5;
        const span = horizontal ? b.xmax - b.xmin : b.ymax - b.ymin;
        const d = Math.round(0.3 * span);
        const [lo, hi, limit] = horizontal ? [b.xmin, b.xmax, size.width] : [b.ymin, b.ymax, size.height];
        const sign = (random() < 0.5 && lo - d >= 1) || hi + d > limit ? -1 : 1;
        // a box too big to move inside the image is cut at its edge, as a labeling tool stores it
        const [a0, a1] = [Math.max(1, lo + sign * d), Math.min(limit, hi + sign * d)];
        const moved = horizontal ? { xmin: a0, xmax: a1 } : { ymin: a0, ymax: a1 };
        next = boxes.map((x, j) => (j === k ? { ...x, ...moved } : x));
      }
      await project.saveAnnotation(imageId, { boxes: next, verified: ann.verified });
      planted.push({ kind, imageId, key: b.key!, original });
    }
  } finally {
    await project.close();
  }

  // train on the corrupted labels
  const t0 = Date.now();
  const finished = await runTraining({
    project: dir, name: 'rv', modelCacheDir: path.join(root, 'cache'),
    config: PRESET === 'nanodet-m'
      ? { preset: 'nanodet-m', inputSize: 320, epochs: EPOCHS, freezeEpochs: 1, batchSize: 16, learningRate: 0.002, seed: 1, backend: 'wasm', backbone: NANODET }
      : { preset: 'mobilenet-fpn', inputSize: 224, epochs: EPOCHS, freezeEpochs: 2, batchSize: 16, learningRate: 0.002, seed: 1, backend: 'wasm', backbone: BACKBONE },
  }, { emit: () => {} });
  assert.equal(finished.status, 'completed');
  const trainSeconds = (Date.now() - t0) / 1000;

  // the review queue, through the CLI
  const jsonFile = path.join(root, 'review.json');
  const logs: string[] = [];
  const log = console.log;
  console.log = (...a: unknown[]) => { logs.push(a.join(' ')); };
  let code: number;
  const t1 = Date.now();
  try {
    code = await datasetCli(['review', '--project', dir, '--model', 'rv', '--top', '40', '--json', jsonFile, '--backend', 'wasm']);
  } finally {
    console.log = log;
  }
  assert.equal(code, 0, logs.join('\n'));
  const review = JSON.parse(await readFile(jsonFile, 'utf8')) as { reviewed: number; findings: ReviewFinding[] };
  assert.equal(review.reviewed, 200);
  const top = review.findings.slice(0, 40);
  const found = planted.filter((p) => top.some((f) => names(f, p)));
  const byKind = (k: Planted['kind']): string => `${found.filter((p) => p.kind === k).length}/${planted.filter((p) => p.kind === k).length}`;
  const summary = `found ${found.length}/25 in the top 40 (deleted ${byKind('deleted')}, shifted ${byKind('shifted')}, relabeled ${byKind('relabeled')}); ` +
    `${review.findings.length} findings; trained ${EPOCHS} epochs in ${trainSeconds.toFixed(0)} s (last mAP50 ${finished.final?.mAP50?.toFixed(2) ?? '?'}), reviewed in ${((Date.now() - t1) / 1000).toFixed(0)} s`;
  console.log(summary);
  console.log(top.map((f, i) => `${i + 1}. ${f.score} ${f.kind} ${f.imageId} ${planted.some((p) => names(f, p)) ? 'PLANTED' : ''}`).join('\n'));
  // the printed queue is the same queue
  assert.ok(logs.some((l) => l.startsWith('   1. ') && l.includes(top[0].imageId)), logs.slice(0, 3).join('\n'));

  // one-key fixes (accept the suggestion) of one finding of each kind planted, then the XML on disk
  const fixes = (['deleted', 'shifted', 'relabeled'] as const).map((k) => {
    const p = found.find((x) => x.kind === k && top.some((f) => names(f, x) && f.kind !== 'spurious'));
    assert.ok(p, `no ${k} error found to fix (${summary})`);
    return { p, f: top.find((f) => names(f, p) && f.kind !== 'spurious')! };
  });
  const again = await openDatasetProject(dir, { watch: false });
  try {
    await again.ready();
    for (const { f } of fixes) {
      const ann = await again.getAnnotation(f.imageId);
      const edit = fixEdit(f, 'accept');
      assert.ok(edit);
      const boxes = applyEdit(ann.boxes, edit, (r, label) => ({ ...r, label, difficult: false, truncated: false }));
      assert.ok(boxes);
      await again.saveAnnotation(f.imageId, { boxes, verified: ann.verified });
    }
    for (const { f } of fixes) {
      const p = { imageId: f.imageId };
      const xmlPath = path.join(dir, (await again.getAnnotation(p.imageId)).annotationPath);
      const objects = parseVocXml(await readFile(xmlPath, 'utf8')).objects;
      // the box by its id: <object id> once the app wrote one, else its place ("o<i>", a file from LabelImg)
      const byId = (id: string | null) => objects.find((x) => x.id === id) ?? (id && /^o\d+$/.test(id) ? objects[Number(id.slice(1))] : undefined);
      const near = (r: ReviewRect, o: (typeof objects)[number]): boolean =>
        Math.abs(o.bndbox.xmin - r.xmin) <= 1 && Math.abs(o.bndbox.ymin - r.ymin) <= 1 && Math.abs(o.bndbox.xmax - r.xmax) <= 1 && Math.abs(o.bndbox.ymax - r.ymax) <= 1;
      if (f.kind === 'missing') {
        assert.ok(objects.some((o) => o.name === f.suggestion!.label && near(f.suggestion!, o)), `${xmlPath}: the added box ${JSON.stringify(f.suggestion)}`);
      } else if (f.kind === 'loose') {
        const o = byId(f.boxId);
        assert.ok(o && near(f.suggestion!, o), `${xmlPath}: box ${f.boxId} moved to ${JSON.stringify(f.suggestion)}: ${JSON.stringify(o?.bndbox)}`);
      } else if (f.kind === 'wrong-class') {
        const o = byId(f.boxId);
        assert.equal(o?.name, 'raccoon', `${xmlPath}: box ${f.boxId} relabeled`);
      }
    }
  } finally {
    await again.close();
  }

  // a dismissed finding ("keep the label") leaves the queue of the next review
  await setDismissed(dir, [findingKey(top[0])], true);
  console.log = (...a: unknown[]) => { logs.push(a.join(' ')); };
  try {
    code = await datasetCli(['review', '--project', dir, '--model', 'rv', '--top', '0', '--json', jsonFile, '--backend', 'wasm']);
  } finally {
    console.log = log;
  }
  assert.equal(code, 0);
  const next = JSON.parse(await readFile(jsonFile, 'utf8')) as { findings: ReviewFinding[] };
  assert.ok(!next.findings.some((f) => findingKey(f) === findingKey(top[0])), 'the dismissed finding is left out');
  for (const { f } of fixes) assert.ok(!next.findings.some((x) => findingKey(x) === findingKey(f)), `the fixed ${f.kind} finding on ${f.imageId} is gone`);

  // last, so that the fixes and the dismissal above are checked whatever the model found.
  // Issue 21's bar: 20 of 25 (80 %). Measured on this run: 20 (deleted 8/10, shifted 8/10,
  // relabeled 4/5); the mobilenet-fpn model of 12 epochs named 16 (shifted 3/10).
  const count = (k: Planted['kind']): number => found.filter((p) => p.kind === k).length;
  assert.ok(count('deleted') >= 7, `deleted boxes found as missing: ${summary}`);
  assert.ok(count('shifted') >= 6, `shifted boxes found: ${summary}`);
  assert.ok(count('relabeled') >= 4, `relabeled boxes found as wrong class: ${summary}`);
  assert.ok(found.length >= 20, `80 % of the planted errors in the top 40: ${summary}`);
});
