/**
 * Run folders written by the version before the training engine (tests/fixtures/runs-v1: no
 * run.json, bookkeeping inside state/optimizer.json) are listed with their state upgraded on the
 * fly, resumable when their binary files are there (regenerated here by code: the same config,
 * seed and sample project give the same weights) and clearly refused when not. A run whose
 * config.json is broken is listed with the file and the field, and the other runs list normally.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { writeSampleProject } from '../../main/sample/write-sample-project';
import { runTraining } from '../../main/training/detect-task';
import { runClassifierTraining } from '../../main/training/classifier/classify-task';
import { runPaths } from '../../main/training/run-folder';
import { listRuns, readRun } from '../../main/training/run-files';
import { ApiError } from '../../shared/api/contract';
import { createServices } from '../../main/api/create-services';
import { trainHandlers } from '../../main/api/train';
import type { ApiContext } from '../../main/api/handler';
import { tempFolders } from '../helpers/temp-folders';

const FIXTURES = resolve(import.meta.dirname, '../fixtures/runs-v1');
const roots = tempFolders();

/** The sample project the fixture's detector run was trained on. */
async function fixtureProject(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'detecta-oldruns-'));
  roots.push(root);
  const dir = join(root, 'p');
  await writeSampleProject(dir, { images: 10, seed: 4, width: 64, height: 64, classes: ['ball'], minObjects: 1, maxObjects: 1, minSize: 0.3, maxSize: 0.6 });
  return dir;
}
const runsOf = (dir: string) => join(dir, '.detecta', 'runs');

test('an old detector run is listed with its state upgraded, and resumes with --more once its binary files are there', { timeout: 120_000 }, async () => {
  const dir = await fixtureProject();
  await cp(join(FIXTURES, 'train'), join(runsOf(dir), 'old'), { recursive: true });
  let info = await readRun(dir, 'old');
  assert.equal(info.problem, null);
  assert.equal(info.upgraded, true);
  assert.equal(info.config?.task, 'detect');
  const legacy = JSON.parse(await readFile(join(FIXTURES, 'train', 'state', 'optimizer.json'), 'utf8')) as { best: { epoch: number } };
  assert.deepEqual([info.status, info.state?.epoch, info.state?.epochs, info.state?.best?.epoch], ['completed', 3, 3, legacy.best.epoch]);
  assert.deepEqual(info.metrics.map((m) => m.epoch), [1, 2, 3]);
  // without weights it is refused with the reason, and left as it was
  await assert.rejects(runTraining({ project: dir, resume: 'old', moreEpochs: 1 }, { emit: () => {} }), /cannot resume run "old": it has no saved weights \(weights\/last\/model\.json is missing\)/);
  assert.equal(existsSync(runPaths(join(runsOf(dir), 'old')).runJson), false, 'a refused resume writes nothing');

  // the binary files, regenerated: the same config, seed and project reproduce them
  const config = JSON.parse(await readFile(join(FIXTURES, 'train', 'config.json'), 'utf8')) as { train: Record<string, unknown> };
  await runTraining({ project: dir, name: 'regen', config: config.train }, { emit: () => {} });
  const regen = runPaths(join(runsOf(dir), 'regen'));
  const old = runPaths(join(runsOf(dir), 'old'));
  await cp(regen.last, old.last, { recursive: true });
  await cp(join(regen.state, 'optimizer.bin'), join(old.state, 'optimizer.bin'));
  const logs: string[] = [];
  const done = await runTraining({ project: dir, resume: 'old', moreEpochs: 1 }, { emit: (e) => { if (e.type === 'log') logs.push(e.payload.message); } });
  assert.equal(done.status, 'completed');
  assert.equal(done.epochsDone, 4);
  assert.ok(logs.includes('resumed from epoch 3 (optimizer state restored)'), logs.join('\n'));
  info = await readRun(dir, 'old');
  assert.equal(info.upgraded, false, 'run.json written now');
  assert.deepEqual(info.metrics.map((m) => m.epoch), [1, 2, 3, 4]);
  assert.deepEqual([info.state?.status, info.state?.epoch], ['completed', 4]);
});

test('an old classifier run is listed; resuming it without its weights is refused clearly', async () => {
  const dir = await fixtureProject();
  await cp(join(FIXTURES, 'classify'), join(runsOf(dir), 'oldcls'), { recursive: true });
  const info = await readRun(dir, 'oldcls');
  assert.equal(info.problem, null);
  assert.deepEqual([info.config?.task, info.upgraded, info.status, info.state?.epoch], ['classify', true, 'completed', 3]);
  assert.deepEqual(info.classifierMetrics?.map((m) => m.epoch), [1, 2, 3]);
  await assert.rejects(runClassifierTraining({ task: 'classify', project: dir, resume: 'oldcls' }, { emit: () => {} }), /cannot resume run "oldcls": it has no saved weights/);
});

test('train.list: a run with a broken config.json or env.json is listed with the file and field; the others list normally', async () => {
  const dir = await fixtureProject();
  for (const name of ['good', 'empty', 'badenv', 'garbage']) await cp(join(FIXTURES, 'train'), join(runsOf(dir), name), { recursive: true });
  await writeFile(join(runsOf(dir), 'empty', 'config.json'), '{}');
  await writeFile(join(runsOf(dir), 'badenv', 'env.json'), '{"backend": "quantum"}');
  await writeFile(join(runsOf(dir), 'garbage', 'metrics.csv'), 'epoch,train/loss\n1,0.5\nx,y\n7,1\n');
  const runs = await listRuns(dir);
  const byName = new Map(runs.map((r) => [r.name, r]));
  assert.equal(byName.get('good')?.problem, null);
  assert.match(byName.get('empty')?.problem ?? '', /config\.json: .*name: /);
  assert.doesNotMatch(byName.get('empty')?.problem ?? '', /Cannot read properties/);
  assert.match(byName.get('badenv')?.problem ?? '', /env\.json: backend: /);
  assert.match(byName.get('garbage')?.problem ?? '', /metrics\.csv: line 3, column epoch: "x" is not a number/);

  const root = await mkdtemp(join(tmpdir(), 'detecta-oldruns-api-'));
  roots.push(root);
  const services = createServices({ transport: 'web', dataDir: join(root, 'data'), modelCacheDir: join(root, 'data', 'models') });
  const { project } = await services.projects.openProject(dir);
  const ctx = { services, emit: () => {} } as unknown as ApiContext;
  const list = await trainHandlers['train.list']({ project: project.root }, ctx);
  const good = list.find((r) => r.name === 'good')!;
  assert.deepEqual([good.status, good.epochsDone, good.epochs, good.upgraded, good.resumable], ['completed', 3, 3, true, false]);
  assert.equal(good.inputSize, 64);
  const empty = list.find((r) => r.name === 'empty')!;
  assert.equal(empty.resumable, false);
  assert.match(empty.problem ?? '', /config\.json/);
  // its eval.json predates AP per object size: the report reads, without the size table's data
  const report = await trainHandlers['train.report']({ project: project.root, run: 'good' }, ctx);
  assert.ok(report.task === 'detect' && report.perSize === null && report.mAP50 !== null);
  // an eval.json that does not fit its schema is refused with the file and the field, not drawn half-way
  await writeFile(join(runsOf(dir), 'badenv', 'eval.json'), JSON.stringify({ epoch: 2, classes: [], mAP50: '0.5' }));
  await assert.rejects(trainHandlers['train.report']({ project: project.root, run: 'badenv' }, ctx), (e: ApiError) => e.code === 'unreadable' && /eval\.json: mAP50: .*expected number/.test(e.message));
  await services.projects.closeAll();
});
