/**
 * The parts of a project that issue 22 split out, seen from a user: the active model is a typed
 * key of project.json (kept across reopen, cleared, keys of newer versions kept, a broken value
 * named on open), the sample list a training run gets already holds edits still waiting for
 * their autosave, and a detector run trains on the samples it is handed without indexing the
 * folder again (it trains even when the XML files left the folder after the hand-over).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatasetProject } from '../../main/dataset/project';
import { writeSampleProject } from '../../main/sample/write-sample-project';
import { detectTask } from '../../main/training/detect-task';
import { runEngine, type EngineHooks } from '../../main/training/engine';
import { trainConfigSchema } from '../../shared/training/types';
import { ApiError } from '../../shared/api/contract';
import { tempFolders } from '../helpers/temp-folders';

const roots = tempFolders();

async function sampleProject(images: number): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'detecta-parts-'));
  roots.push(root);
  const dir = join(root, 'p');
  await writeSampleProject(dir, { images, seed: 5, width: 64, height: 64, classes: ['ball'], minObjects: 1, maxObjects: 1, minSize: 0.35, maxSize: 0.6 });
  return dir;
}

const projectJson = async (dir: string): Promise<Record<string, unknown>> => JSON.parse(await readFile(join(dir, '.detecta', 'project.json'), 'utf8')) as Record<string, unknown>;

test('the active model is kept in project.json across reopen, cleared with null, and keys of newer versions survive', async () => {
  const dir = await sampleProject(2);
  let p = await openDatasetProject(dir, { watch: false });
  await p.ready();
  assert.equal(p.activeModel(), null);
  await p.persistConfig();
  await writeFile(join(dir, '.detecta', 'project.json'), JSON.stringify({ ...(await projectJson(dir)), futureKey: { a: 1 } }));
  await p.close();
  p = await openDatasetProject(dir, { watch: false });
  await p.setActiveModel({ run: 'train2', weights: 'last' });
  await p.close();
  p = await openDatasetProject(dir, { watch: false });
  assert.deepEqual(p.activeModel(), { run: 'train2', weights: 'last' });
  await p.setActiveModel(null);
  await p.close();
  const stored = await projectJson(dir);
  assert.equal('activeModel' in stored, false, 'cleared: the key leaves the file');
  assert.deepEqual(stored.futureKey, { a: 1 }, 'a key this version does not know is kept');
});

test('a malformed active model in project.json is named when the project opens, and the file is left as it was', async () => {
  const dir = await sampleProject(1);
  const p = await openDatasetProject(dir, { watch: false });
  await p.persistConfig();
  await p.close();
  const text = JSON.stringify({ ...(await projectJson(dir)), activeModel: { run: '', weights: 'newest' } });
  await writeFile(join(dir, '.detecta', 'project.json'), text);
  await assert.rejects(openDatasetProject(dir, { watch: false }), (err: unknown) => err instanceof ApiError && err.code === 'unreadable' && /activeModel/.test(err.message));
  assert.equal(await readFile(join(dir, '.detecta', 'project.json'), 'utf8'), text);
});

test('the sample list holds an edit still waiting for its autosave', async () => {
  const dir = await sampleProject(3);
  const p = await openDatasetProject(dir, { watch: false, autosaveDelayMs: 60_000 });
  await p.ready();
  const [first] = p.listImages().items;
  const boxes = (await p.getAnnotation(first!.id)).boxes;
  await p.autosave(first!.id, { boxes: [...boxes, { label: 'cube', xmin: 1, ymin: 1, xmax: 20, ymax: 20, difficult: false, truncated: false }], verified: false });
  const list = await p.sampleList();
  await p.close();
  assert.equal(list.samples.length, 3);
  assert.deepEqual(list.classes, ['ball', 'cube']);
  const s = list.samples.find((x) => x.imageId === first!.id)!;
  assert.deepEqual(s.boxes.map((b) => b.label), ['ball', 'cube']);
  assert.equal(s.file, join(p.root, ...first!.id.split('/')));
});

test('a detector run trains on the samples it is handed, without indexing the folder again', async () => {
  const dir = await sampleProject(6);
  const p = await openDatasetProject(dir, { watch: false });
  const list = await p.sampleList();
  await p.close();
  const handed = { ...list, samples: list.samples.slice(0, 4) };
  // after the hand-over every annotation leaves the folder: a trainer that indexed it would find no labeled image
  for (const s of list.samples) await rm(s.file.replace(/\.[^.]+$/, '.xml'), { force: true });
  const p2 = await openDatasetProject(dir, { watch: false });
  await p2.ready();
  assert.equal(p2.summary().labeled, 0, 'the folder has no annotation left');
  await p2.close();
  const logs: string[] = [];
  const hooks: EngineHooks<{ type: string; payload: Record<string, unknown> }> = { emit: (e) => { if (e.type === 'log') logs.push(String(e.payload.message)); } };
  const config = trainConfigSchema.partial().parse({ preset: 'tiny', epochs: 1, inputSize: 64, batchSize: 2, backend: 'wasm', tinyWidths: [8, 8, 16, 16, 16, 16], numAnchors: 2, seed: 3 });
  await runEngine(detectTask, { project: dir, name: 'handed', config, samples: handed }, hooks);
  const data = /^data: (\d+) train, (\d+) val images/.exec(logs.find((l) => l.startsWith('data: ')) ?? '');
  assert.ok(data, `a data line in the log: ${logs.join(' | ')}`);
  const outsideTest = handed.samples.filter((s) => s.split !== 'test').length;
  assert.equal(Number(data[1]) + Number(data[2]), outsideTest, 'the run used the handed samples (test split left out), not the 6 images of the folder');
});
