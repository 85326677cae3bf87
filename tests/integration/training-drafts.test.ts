/** Draft boxes (a model's suggestions not yet accepted) are neither trained on nor scored against. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatasetProject } from '../../main/dataset/project';
import { writeSampleProject } from '../../main/sample/write-sample-project';
import { loadSample } from '../../main/training/data';

const work = mkdtempSync(join(tmpdir(), 'detecta-drafts-'));
after(() => rmSync(work, { recursive: true, force: true }));

test('a draft box of a project class does not reach the training targets or the ground truth', async () => {
  const dir = join(work, 'p');
  await writeSampleProject(dir, { images: 1, seed: 8, width: 96, height: 64, classes: ['ball'], minObjects: 1, maxObjects: 1, minSize: 0.3, maxSize: 0.5 });
  const project = await openDatasetProject(dir, { watch: false });
  await project.ready();
  const [id] = project.listImages().items.map((e) => e.id);
  const accepted = (await project.getAnnotation(id!)).boxes;
  assert.equal(accepted.length, 1);
  await project.saveAnnotation(id!, { boxes: [...accepted, { label: 'ball', xmin: 2, ymin: 2, xmax: 20, ymax: 20, difficult: false, truncated: false, draft: true }], verified: false });
  const sample = await loadSample(await project.sample(id!), ['ball'], 64, 'letterbox');
  assert.equal(sample.boxes.length, 1, 'only the accepted box is a target');
  assert.equal(sample.groundTruth.length, 1, 'only the accepted box is ground truth');
  await project.close();
});
