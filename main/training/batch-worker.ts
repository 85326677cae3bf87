/**
 * Worker thread of the batch pipeline (./batch-pipeline): builds training batches with the same
 * builder (augmentation, mosaic, mixup) the trainer would run on its own thread. The train images
 * the cache kept arrive once, in SharedArrayBuffers (no copy per worker); each model input is
 * built from them when a batch needs it, and the images not kept are decoded again from their
 * files (sharp, on libuv's threads). Each batch goes back with its image buffers transferred. A
 * batch depends only on (seed, epoch, index, mosaic) and the samples, so it is the same whichever
 * thread builds it; jobs may overlap while a file is decoded.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { errorMessage } from '../../shared/error-message';
import { epochOrder } from './batches';
import { buildBatch, type BatchJob, type BatchReply, type PipelineInit } from './batch-pipeline';

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

async function answer(job: BatchJob): Promise<void> {
  let reply: BatchReply;
  const transfer = new Set<ArrayBuffer>();
  try {
    const { batch, decoded } = await buildBatch(init, orderOf(job.epoch), job);
    for (const im of batch.images) transfer.add(im.data.buffer as ArrayBuffer);
    reply = { id: job.id, ok: true, batch, decoded };
  } catch (err) {
    reply = { id: job.id, ok: false, error: errorMessage(err) };
  }
  port!.postMessage(reply, [...transfer]);
}

port.on('message', (job: BatchJob) => { void answer(job); });
