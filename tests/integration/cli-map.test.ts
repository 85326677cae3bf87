// `detecta map` end to end: every number of map-test-vectors/expected.json through the command
// line, each under its protocol, plus help and bad-argument behaviour.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const VECTORS = fileURLToPath(new URL('../../../shared/datasets/map-test-vectors/', import.meta.url));
const expected = JSON.parse(readFileSync(`${VECTORS}expected.json`, 'utf8')).sets;
const TOL = 1e-4;

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

async function detecta(...args: string[]): Promise<CliRun> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'main/cli/detecta.ts', 'map', ...args], { cwd: ROOT });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number') throw err;
    return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

async function mapJson(...args: string[]) {
  const run = await detecta(...args, '--json');
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(run.stdout);
}

function close(actual: number | null, want: number, label: string): void {
  assert.ok(actual !== null && Math.abs(actual - want) <= TOL, `${label}: got ${actual}, expected ${want}`);
}

describe('detecta map reproduces the reference vectors', { concurrency: 3 }, () => {
  const padilla: [string, string, string, string[]][] = [
    ['padilla-odm-2018', 'padilla-odm-2018/groundtruths', 'padilla-odm-2018/detections', ['--box', 'xywh']],
    ['padilla-odm-2018', 'padilla-odm-2018/groundtruths_rel', 'padilla-odm-2018/detections_rel', ['--box', 'rel', '--img-size', '200,200']],
    ['padilla-review-2021/test_case_1', 'padilla-review-2021/test_case_1/gts', 'padilla-review-2021/test_case_1/dets', ['--box', 'xywh']],
  ];
  for (const [set, gt, det, extra] of padilla) {
    for (const r of expected[set].results) {
      const t = r.iou_threshold;
      test(`${gt} at IoU ${t}: every-point and 11-point`, async () => {
        const args = ['--gt', VECTORS + gt, '--det', VECTORS + det, '--iou', String(t), ...extra];
        const [all, eleven] = await Promise.all([mapJson(...args), mapJson(...args, '--protocol', 'voc07')]);
        close(all.mAP, r.ap_every_point, 'every-point');
        close(eleven.mAP, r.ap_11_point, '11-point');
        assert.deepEqual([all.classes[0].tp, all.classes[0].fp], [r.tp, r.fp]);
        assert.equal(all.classes[0].className, expected[set].class);
      });
    }
  }

  test('padilla 2018 without +1 (--iou-convention continuous) at IoU 0.1', async () => {
    const r = expected['padilla-odm-2018'].results[0];
    const args = ['--gt', `${VECTORS}padilla-odm-2018/groundtruths`, '--det', `${VECTORS}padilla-odm-2018/detections`, '--box', 'xywh', '--iou', '0.1', '--iou-convention', 'continuous'];
    close((await mapJson(...args)).mAP, r.without_plus1.ap_every_point, 'every-point without +1');
    close((await mapJson(...args, '--protocol', 'voc07')).mAP, r.without_plus1.ap_11_point, '11-point without +1');
  });

  const toy = `${VECTORS}padilla-review-2021/toyexample/`;
  for (const [det, extra] of [
    ['dets_classid_abs_xywh', ['--box', 'xywh', '--names', `${toy}voc.names`]],
    ['dets_classname_abs_xyx2y2', []],
    ['dets_classid_rel_xcycwh', ['--box', 'rel', '--names', `${toy}voc.names`]],
    ['dets_coco_format/coco_dets.json', []],
  ] as [string, string[]][]) {
    test(`toy example: VOC XML + ${det} at 0.5 and 0.75`, async () => {
      for (const r of expected['padilla-review-2021/toyexample'].voc) {
        const args = ['--gt', `${toy}gts_vocpascal_format`, '--det', toy + det, '--iou', String(r.iou_threshold), ...extra];
        const [all, eleven] = await Promise.all([mapJson(...args), mapJson(...args, '--protocol', 'voc07')]);
        close(all.mAP, r.ap_every_point, `every-point @${r.iou_threshold}`);
        close(eleven.mAP, r.ap_11_point, `11-point @${r.iou_threshold}`);
      }
    });
  }

  test("toy example: detecta predict's detections file (written by the shared writer) scores like the txt it came from", async () => {
    const { readTxtDetections } = await import('../../main/metrics/txt');
    const { detectionsFileJson } = await import('../../shared/results/detections-file');
    const txt = readTxtDetections(`${toy}dets_classname_abs_xyx2y2`, {});
    const classes = [...new Set(txt.detections.map((d) => d.className))];
    const file = detectionsFileJson({
      format: 'detecta-detections', version: 1, kind: 'images', task: 'detect', model: 'toy', classes,
      images: txt.images.map((id) => ({ image: `/photos/${id}.jpg`, width: 1000, height: 1000, detections: txt.detections.filter((d) => d.imageId === id).map((d) => ({ label: d.className, classId: classes.indexOf(d.className), score: d.score, x1: d.x1, y1: d.y1, x2: d.x2, y2: d.y2 })) })),
    });
    const dir = mkdtempSync(join(tmpdir(), 'detecta-map-'));
    try {
      writeFileSync(join(dir, 'detections.json'), file);
      for (const r of expected['padilla-review-2021/toyexample'].voc) {
        const out = await mapJson('--gt', `${toy}gts_vocpascal_format`, '--det', join(dir, 'detections.json'), '--iou', String(r.iou_threshold));
        close(out.mAP, r.ap_every_point, `every-point @${r.iou_threshold}`);
      }
      writeFileSync(join(dir, 'video.json'), JSON.stringify({ format: 'detecta-detections', version: 1, kind: 'video', model: 'm', classes: [], source: 'v.mp4', width: 4, height: 4, fps: 1, frameCount: 0, frames: [] }));
      const refused = await detecta('--gt', `${toy}gts_vocpascal_format`, '--det', join(dir, 'video.json'));
      assert.notEqual(refused.code, 0);
      assert.match(refused.stderr, /video\.json: holds one video's detections per frame/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('toy example: COCO protocol, the twelve numbers', async () => {
    const out = await mapJson('--gt', `${toy}gts_coco_format/toy_example_coco.JSON`, '--det', `${toy}dets_coco_format/coco_dets.json`, '--protocol', 'coco');
    assert.equal(out.metric, 'mAP50-95');
    for (const [k, v] of Object.entries(expected['padilla-review-2021/toyexample'].coco_computed_here as Record<string, number>)) close(out.stats[k], v, k);
    close(out.mAP, out.stats.AP, 'mAP is AP50-95');
  });

  test('cartucho sample: mAP50, per-class AP, 11-point; text output prints 31.05%', async () => {
    const exp = expected['cartucho-mAP'];
    const args = ['--gt', `${VECTORS}cartucho-mAP/ground-truth`, '--det', `${VECTORS}cartucho-mAP/detection-results`];
    const out = await mapJson(...args);
    assert.equal(out.metric, 'mAP50');
    close(out.mAP, exp.mAP_every_point, 'mAP50');
    assert.equal(out.classes.length, exp.num_gt_classes);
    for (const c of out.classes) close(c.ap, exp.per_class_ap_every_point[c.className], c.className);
    close((await mapJson(...args, '--protocol', 'voc07')).mAP, exp.mAP_11_point_computed_here, '11-point');
    const text = await detecta(...args);
    assert.equal(text.code, 0);
    assert.match(text.stdout, /^mAP50 = 31\.05%$/m);
    assert.match(text.stdout, /^sofa\s+90\.48%\s+\d+\s+\d+\s+\d+$/m);
    assert.match(text.stderr, /warning: detections of classes without ground truth were ignored: .*refrigerator \(32\)/);
  });
});

describe('detecta map arguments', { concurrency: 3 }, () => {
  test('--help prints the usage and exits 0', async () => {
    const run = await detecta('--help');
    assert.equal(run.code, 0);
    assert.match(run.stdout, /^usage: detecta map --gt PATH --det PATH/);
    assert.match(run.stdout, /--protocol NAME/);
  });

  for (const [args, message] of [
    [['--det', 'x'], /--gt PATH is required/],
    [['--gt', 'x', '--det', 'y', '--protocol', 'yolo'], /--protocol must be one of voc, voc07, coco, got "yolo"/],
    [['--gt', 'x', '--det', 'y', '--iou', '1.5'], /--iou must be a number in \(0, 1\], got "1\.5"/],
    [['--gt', 'x', '--det', 'y', '--protocol', 'coco', '--iou', '0.5'], /--iou does not apply to --protocol coco/],
    [['--gt', 'x', '--det', 'y', '--bogus'], /Unknown option '--bogus'/],
    [['--gt', 'x', '--det', 'y', '--img-size', '200'], /--img-size must be W,H/],
  ] as [string[], RegExp][]) {
    test(`bad arguments exit 2: ${args.join(' ')}`, async () => {
      const run = await detecta(...args);
      assert.equal(run.code, 2);
      assert.match(run.stderr, message);
      assert.equal(run.stdout, '');
    });
  }

  test('an unreadable input exits 1 with the file in the message', async () => {
    const run = await detecta('--gt', `${VECTORS}no-such-folder`, '--det', `${VECTORS}cartucho-mAP/detection-results`);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /no-such-folder: cannot read/);
  });
});
