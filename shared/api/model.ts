/**
 * The project's active model: the weights of one training run that the Detect view, pre-labeling
 * and exports use. Stored in `.detecta/project.json` as `activeModel: { run, weights }`; resolved
 * against the run folder on every read, so a deleted run reads as "no active model".
 */
import { z } from 'zod';
import { runNameSchema } from '../training/run-name';
import { method } from './contract';

export type ModelTask = 'detect' | 'classify';

export interface ActiveModel {
  run: string;
  weights: 'best' | 'last';
  task: ModelTask;
  /** Absolute path of the weights folder (model.json + weights.bin). */
  dir: string;
  /** Absolute path of its model.json (inside the project, so the renderer may fetch it). */
  modelJson: string;
  classes: string[];
  /** Model input side in pixels. */
  inputSize: number;
}

const project = z.string().min(1).max(4096);
const run = runNameSchema;

export const modelMethods = {
  /** The active model, or null when none was chosen or its run/weights are gone. */
  'model.getActive': method<ActiveModel | null>()(z.object({ project }).strict()),
  /** Marks a run's weights as the active model (best by default). */
  'model.setActive': method<ActiveModel>()(z.object({ project, run, weights: z.enum(['best', 'last']).default('best') }).strict()),
  'model.clearActive': method<{ cleared: true }>()(z.object({ project }).strict()),
};

export interface ModelEvents {
  'model.activeChanged': { project: string; active: ActiveModel | null };
}
