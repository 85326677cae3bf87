/**
 * A process that autosaves edits it reads from stdin (one JSON line each: {n, imageId, x}) into
 * the project given as argv[2], and prints `ack N` once each autosave is acknowledged, as the
 * web host acknowledges `dataset.autosave`. The kill test kills it with SIGKILL at random.
 */
import { createInterface } from 'node:readline';
import { openDatasetProject } from '../../main/dataset/project';

const project = await openDatasetProject(process.argv[2]!, { watch: false, autosaveDelayMs: 500 });
await project.ready();
process.stdout.write('ready\n');
for await (const line of createInterface({ input: process.stdin })) {
  const { n, imageId, x } = JSON.parse(line) as { n: number; imageId: string; x: number };
  await project.autosave(imageId, { boxes: [{ label: 'ball', xmin: 1, ymin: 1, xmax: x, ymax: 30, difficult: false, truncated: false }], verified: false });
  process.stdout.write(`ack ${n}\n`);
}
