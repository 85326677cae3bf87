/**
 * train.start flushes the project's pending autosaves before the trainer reads the dataset: a box
 * drawn on an unlabeled image and a run started right after it (before the autosave delay is over)
 * trains on the edit: the image is in the run's split (config.json), its XML is on disk.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSampleProject } from '../../main/sample/write-sample-project';
import { createServices } from '../../main/api/create-services';
import { trainHandlers } from '../../main/api/train';
import { datasetHandlers } from '../../main/api/dataset';
import { datasetMethods } from '../../shared/api/dataset';
import { trainMethods } from '../../shared/api/train';
import type { ApiContext } from '../../main/api/handler';

test('a box drawn just before train.start is in the data the trainer reads', { timeout: 120_000 }, async () => {
  const root = await mkdtemp(join(tmpdir(), 'detecta-api-flush-'));
  const services = createServices({ transport: 'web', dataDir: join(root, 'data'), modelCacheDir: join(root, 'data', 'models') });
  try {
    const dir = join(root, 'project');
    await writeSampleProject(dir, { images: 8, seed: 2, width: 64, height: 64, classes: ['ball'], minObjects: 1, maxObjects: 1, minSize: 0.35, maxSize: 0.6 });
    await rm(join(dir, 'bricks_0002.xml')); // an image with no label yet
    // a long autosave delay stands for "the run starts before the autosave fires", however slowly the trainer process starts
    const { project } = await services.projects.openProject(dir, { autosaveDelayMs: 60_000 } as Parameters<typeof services.projects.openProject>[1]);
    await project.ready();
    let ended: () => void = () => {};
    const end = new Promise<void>((r) => { ended = r; });
    const ctx = { services, emit: (event: string) => { if (event === 'train.finished' || event === 'train.failed') ended(); } } as unknown as ApiContext;
    const box = { label: 'ball', xmin: 10, ymin: 12, xmax: 40, ymax: 44 };
    await datasetHandlers['dataset.autosave'](datasetMethods['dataset.autosave'].params.parse({ project: project.root, imageId: 'bricks_0002.jpg', boxes: [box] }), ctx);
    const params = trainMethods['train.start'].params.parse({ project: project.root, name: 'r', config: { preset: 'tiny', inputSize: 64, epochs: 1, batchSize: 4, backend: 'wasm', tinyWidths: [8, 8, 16, 16, 16, 16], valFraction: 0.25 } });
    await trainHandlers['train.start'](params, ctx);
    // written by the app before the trainer exists (not replayed from the journal by the trainer process)
    assert.ok(existsSync(join(dir, 'bricks_0002.xml')), 'the pending edit is on disk when train.start returns');
    await end;
    const config = JSON.parse(await readFile(join(dir, '.detecta', 'runs', 'r', 'config.json'), 'utf8')) as { split: { train: string[]; val: string[] } };
    assert.ok([...config.split.train, ...config.split.val].includes('bricks_0002.jpg'), `the edited image is in the run's split: ${JSON.stringify(config.split)}`);
  } finally {
    await services.projects.closeAll();
    await rm(root, { recursive: true, force: true });
  }
});
