/** Project anchors: k-means over raccoon's train boxes, in grid cells, with the mean IoU reported. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openDatasetProject } from '../../main/dataset/project';
import { computeProjectAnchors } from '../../main/training/project-anchors';
import { sharedDatasets } from '../helpers/serve';

test('raccoon anchors: 5 sorted anchors inside the grid, mean IoU well above a single anchor', async () => {
  const project = await openDatasetProject(join(sharedDatasets, 'detection-voc/raccoon'), { watch: false });
  try {
    await project.ready();
    const five = await computeProjectAnchors(project, { k: 5, grid: 13, seed: 3 });
    const one = await computeProjectAnchors(project, { k: 1, grid: 13, seed: 3 });
    assert.equal(five.anchors.length, 5);
    assert.equal(five.split, 'train');
    assert.ok(five.boxes > 100, `raccoon's train split has well over 100 boxes, got ${five.boxes}`);
    for (let i = 1; i < 5; i++) assert.ok(five.anchors[i][0] * five.anchors[i][1] >= five.anchors[i - 1][0] * five.anchors[i - 1][1], 'sorted by area');
    for (const [w, h] of five.anchors) assert.ok(w > 0 && w <= 13 && h > 0 && h <= 13, `anchor ${w}×${h} inside the 13×13 grid`);
    assert.ok(five.meanIoU > one.meanIoU + 0.05, `5 anchors fit better than 1 (${five.meanIoU} vs ${one.meanIoU})`);
    assert.deepEqual(five.anchorsPx[0], [five.anchors[0][0] * 32, five.anchors[0][1] * 32]);
    await assert.rejects(computeProjectAnchors(project, { k: 10_000, grid: 13 }), /fewer than the 10000 anchors/);
  } finally {
    await project.close();
  }
});
