/**
 * Evaluates a run's saved weights (best or last) on the run's own validation images, as they are
 * in the project now: the same validation pass the trainer runs after each epoch (validate), plus
 * the per-class report (buildEvalReport). Reads the run folder, writes nothing (the caller may
 * store the report as eval.json with writeJson, which is atomic).
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { openDatasetProject } from '../dataset/project';
import { readDetectorMetadata } from '../../shared/ml/detector/metadata';
import type { DetectorConfig } from '../../shared/ml/detector/config';
import type { LossParts } from '../../shared/training/types';
import { selectBackend, type BackendSelection } from './backend';
import { loadSample, type Sample } from './data';
import { buildEvalReport, validate, type EvalReport } from './evaluate';
import { runDir, runPaths } from './run-folder';
import { readRunConfig, readRunState } from './run-files';
import { loadModelFromFolder } from './weights-io';

export interface RunEvaluation {
  run: string;
  weights: 'best' | 'last';
  /** The epoch those weights were saved at (null when the run's state does not say). */
  epoch: number | null;
  backend: BackendSelection['backend'];
  images: number;
  skipped: { imageId: string; reason: string }[];
  loss: LossParts;
  precision: number;
  recall: number;
  F1: number;
  mAP50: number | null;
  'mAP50-95': number | null;
  report: EvalReport | null;
}

export async function evaluateRun(projectDir: string, run: string, options: { weights?: 'best' | 'last'; backend?: Parameters<typeof selectBackend>[0]; batchSize?: number } = {}): Promise<RunEvaluation> {
  const weights = options.weights ?? 'best';
  const project = await openDatasetProject(projectDir, { watch: false });
  let model: tf.LayersModel | null = null;
  try {
    await project.ready();
    const dir = runDir(project.root, run);
    const paths = runPaths(dir);
    const config = await readRunConfig(dir);
    if (!config) throw new Error(`no run "${run}" in ${project.root}`);
    if (config.task !== 'detect') throw new Error(`run "${run}" is a classifier run (use detecta classify eval)`);
    const folder = weights === 'best' ? paths.best : paths.last;
    if (!(await fs.stat(join(folder, 'model.json')).then(() => true, () => false))) {
      throw new Error(`run "${run}" has no weights/${weights} yet${weights === 'best' ? ' (no validated epoch; try --weights last)' : ''}`);
    }
    const state = (await readRunState(dir, config))?.state ?? null;
    const epoch = weights === 'best' ? (state?.best?.epoch ?? null) : (state?.epoch ?? null);
    const sel = await selectBackend(options.backend ?? 'auto');
    model = await loadModelFromFolder(folder);
    const detector: DetectorConfig = readDetectorMetadata(model);
    const classes = config.classes;
    const val: Sample[] = [];
    const skipped: RunEvaluation['skipped'] = [];
    for (const id of config.split.val) {
      try {
        val.push(await loadSample(await project.sample(id), classes, detector.inputSize, detector.resizeMode));
      } catch (err) {
        skipped.push({ imageId: id, reason: (err as Error).message });
      }
    }
    if (val.length === 0) throw new Error(`run "${run}" has no readable validation images (${config.split.val.length} in its split, ${skipped.length} skipped)`);
    const confidence = config.train.evalConfidence;
    const v = await validate(model, detector, classes, val, { batchSize: options.batchSize ?? config.train.batchSize, confidence, maxBoxes: config.train.maxBoxes });
    return {
      run, weights, epoch, backend: sel.backend, images: val.length, skipped,
      loss: v.loss, precision: v.precision, recall: v.recall, F1: v.F1, mAP50: v.mAP50, 'mAP50-95': v['mAP50-95'],
      report: v.groundTruth.length > 0 ? buildEvalReport(epoch ?? 0, classes, v.groundTruth, v.detections, confidence) : null,
    };
  } finally {
    model?.dispose();
    await project.close();
  }
}
