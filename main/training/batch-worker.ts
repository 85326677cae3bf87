/**
 * Worker thread of the batch pipeline (./batch-pipeline): builds training batches with the same
 * makeBatch (augmentation, mosaic, mixup) the trainer would run on its own thread. The train images
 * arrive once, in SharedArrayBuffers (no copy per worker); each batch goes back with its image
 * buffers transferred. A batch depends only on (seed, epoch, index, mosaic) and the samples, so it
 * is the same whichever thread builds it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { epochOrder, makeBatch } from './data';
import type { BatchJob, BatchReply, PipelineInit } from './batch-pipeline';

const init = workerData as PipelineInit;
const port = parentPort;
if (!port) throw new Error('batch-worker.ts runs as a worker thread of the batch pipeline');

const orders = new Map<number, number[]>();
function orderOf(epoch: number): number[] {
  let o = orders.get(epoch);
  if (!o) {
    o = epochOrder(init.samples.length, init.trainTimes, init.seed, epoch);
    orders.clear(); // one epoch at a time is asked for
    orders.set(epoch, o);
  }
  return o;
}

port.on('message', (job: BatchJob) => {
  let reply: BatchReply;
  const transfer = new Set<ArrayBuffer>();
  try {
    const batch = makeBatch(init.samples, orderOf(job.epoch), job.index, init.batchSize, init.augment, init.seed, job.epoch, { mosaic: job.mosaic });
    const images = batch.images.map((im) => {
      // an image passed through unaugmented is a view of the shared cache: send a copy
      const data = im.data.buffer instanceof SharedArrayBuffer ? im.data.slice() : im.data;
      transfer.add(data.buffer as ArrayBuffer);
      return { width: im.width, height: im.height, data };
    });
    reply = { id: job.id, ok: true, batch: { images, boxes: batch.boxes } };
  } catch (err) {
    reply = { id: job.id, ok: false, error: err instanceof Error ? err.message : String(err) };
  }
  port.postMessage(reply, [...transfer]);
});
