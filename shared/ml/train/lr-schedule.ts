/**
 * Learning-rate schedule, counted in optimizer steps (batches): a linear warm-up from 0 to the
 * base rate over `warmupSteps`, then cosine or linear decay to base·finalLrFactor at the last
 * step, or a constant rate. Pure function of the step, so a resumed run picks up exactly where
 * the interrupted one was.
 */
export type LrScheduleKind = 'cosine' | 'linear' | 'constant';

export interface LrScheduleConfig {
  kind: LrScheduleKind;
  baseLr: number;
  /** Fraction of baseLr reached at the last step (cosine and linear). */
  finalLrFactor: number;
  /** Steps of linear warm-up (0 = none). */
  warmupSteps: number;
  /** Total steps of the run (epochs × batches per epoch). */
  totalSteps: number;
  /**
   * A second warm-up from this step on, over warmupSteps (0 = none): used when the backbone is
   * unfrozen mid-run and a fresh optimizer starts, so its first steps do not wreck the
   * pretrained weights. The rate is the schedule's times the ramp.
   */
  rewarmFromStep?: number;
}

/** The learning rate of 0-based step `step`. */
export function learningRateAt(c: LrScheduleConfig, step: number): number {
  const lr = scheduledRate(c, step);
  const from = c.rewarmFromStep;
  if (from !== undefined && from > 0 && c.warmupSteps > 0 && step >= from && step < from + c.warmupSteps) {
    return (lr * (step - from + 1)) / (c.warmupSteps + 1);
  }
  return lr;
}

function scheduledRate(c: LrScheduleConfig, step: number): number {
  if (c.warmupSteps > 0 && step < c.warmupSteps) return (c.baseLr * (step + 1)) / (c.warmupSteps + 1);
  if (c.kind === 'constant') return c.baseLr;
  const finalLr = c.baseLr * c.finalLrFactor;
  const span = Math.max(1, c.totalSteps - 1 - c.warmupSteps);
  const p = Math.min(1, Math.max(0, (step - c.warmupSteps) / span));
  if (c.kind === 'linear') return c.baseLr + (finalLr - c.baseLr) * p;
  return finalLr + ((c.baseLr - finalLr) * (1 + Math.cos(Math.PI * p))) / 2;
}

/** Warm-up steps for `warmupEpochs` (fractions allowed), never the whole run. */
export function warmupStepsOf(warmupEpochs: number, batchesPerEpoch: number, totalSteps: number): number {
  return Math.min(Math.round(warmupEpochs * batchesPerEpoch), Math.max(0, totalSteps - 1));
}
