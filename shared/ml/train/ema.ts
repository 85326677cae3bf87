/**
 * Exponential moving average of a model's weights (YOLOv5's ModelEMA), used for validation and
 * for the saved weights while training keeps updating the raw ones.
 *
 * After each optimizer step, update() does ema ← d·ema + (1 − d)·w for every float weight of
 * `model.weights` (trainable, frozen and BatchNorm moving statistics alike), with
 * d = decay · (1 − exp(−updates / tau)): the ramp keeps early EMA values from being stuck near
 * the random initial weights. Everything stays on the backend as tf ops: no synchronous read-back
 * (WebGPU in Node has none), the decay is computed in JS from the update count.
 *
 * Defaults, decay 0.995 and tau 100 (YOLOv5 uses 0.9999 and 2000): YOLOv5's numbers are sized
 * for COCO, ~7 300 updates an epoch, so its window 1/(1 − decay) = 10 000 updates is ~1.4 epochs
 * and its ramp ~0.3 epoch. Projects here are tens to a few thousand images at batch 8, i.e. ~5
 * to ~300 updates an epoch and a few hundred to ~15 000 updates a run; with 0.9999 (or 0.9998)
 * the window would be longer than the whole run once the ramp ends, so the EMA would lag many
 * epochs behind and validation/best.json would judge stale weights. With decay 0.995 the window
 * is ~200 updates (≈ 1–3 epochs for mid-sized projects), and tau 100 ramps it in over the first
 * few hundred updates (window ≈ e^(updates/tau) before that), so a 300-update run on the sample
 * project ends with a window of ~18 updates (≈ 3 epochs) rather than an EMA frozen near its
 * start. For runs of 50 000+ updates, decay 0.9995–0.9999 and tau 1000–2000 are the better pick.
 *
 * Resume: toTensors() (EMA values in the order of the model's float weights) and `updates` are
 * what a checkpoint must hold; a new WeightEma on the resumed model with
 * `loadTensors(saved, updates)` continues the same average. withEmaWeights(() => save(model))
 * saves the EMA weights as an ordinary model.
 */
import * as tf from '@tensorflow/tfjs';

export interface WeightEmaOptions {
  /** Long-run decay (default 0.995). */
  decay?: number;
  /** Ramp time constant in updates (default 100). */
  tau?: number;
  /** Updates already done (resume without tensors: the EMA restarts from the current weights with this count). */
  updates?: number;
}

export const DEFAULT_EMA_DECAY = 0.995;
export const DEFAULT_EMA_TAU = 100;

export class WeightEma {
  readonly decay: number;
  readonly tau: number;
  private count: number;
  /** The model's float weight variables, in model.weights order (each once). */
  private readonly targets: tf.Variable[];
  /** EMA values, one per target. */
  private readonly shadows: tf.Variable[];
  private swapped = false;
  private disposed = false;

  /** Starts the EMA at the model's current weights. */
  constructor(model: tf.LayersModel, options: WeightEmaOptions = {}) {
    this.decay = options.decay ?? DEFAULT_EMA_DECAY;
    this.tau = options.tau ?? DEFAULT_EMA_TAU;
    this.count = options.updates ?? 0;
    if (!(this.decay >= 0 && this.decay < 1)) throw new Error(`WeightEma: decay must be in [0, 1), got ${this.decay}`);
    if (!(this.tau > 0)) throw new Error(`WeightEma: tau must be > 0, got ${this.tau}`);
    if (!(Number.isInteger(this.count) && this.count >= 0)) throw new Error(`WeightEma: updates must be a whole number ≥ 0, got ${this.count}`);
    const seen = new Set<number>();
    this.targets = [];
    for (const w of model.weights) {
      if (w.dtype !== 'float32') continue;
      const v = w.read() as tf.Variable;
      if (seen.has(v.id)) continue;
      seen.add(v.id);
      this.targets.push(v);
    }
    if (this.targets.length === 0) throw new Error('WeightEma: the model has no float weights');
    // tf.variable shares the data of its initial value (reference counted); the optimizer's
    // assign gives the model variable new data, so the shadow keeps the old values.
    this.shadows = this.targets.map((v) => tf.variable(v, false));
  }

  /** Number of update() calls so far (including `options.updates`). */
  get updates(): number {
    return this.count;
  }

  /** Number of weight tensors tracked (the length of toTensors()). */
  get size(): number {
    return this.targets.length;
  }

  /** The decay update() would use for update number `n` (1-based). */
  decayAt(n: number): number {
    return this.decay * (1 - Math.exp(-n / this.tau));
  }

  /** Folds the current weights into the EMA; call after each optimizer step. */
  update(): void {
    this.assertUsable('update');
    if (this.swapped) throw new Error('WeightEma.update: called inside withEmaWeights (the model holds the EMA weights)');
    this.count++;
    const d = this.decayAt(this.count);
    tf.tidy(() => {
      const dt = tf.scalar(d);
      // d·ema + (1 − d)·w = w + d·(ema − w): exact when ema = w.
      for (let i = 0; i < this.targets.length; i++) {
        const w = this.targets[i];
        this.shadows[i].assign(tf.add(w, tf.mul(tf.sub(this.shadows[i], w), dt)));
      }
    });
  }

  /**
   * Runs fn with the EMA values in the model's weights (validation, saving), then puts the
   * training weights back, also when fn throws. Not re-entrant; update() inside fn throws.
   */
  async withEmaWeights<T>(fn: () => Promise<T>): Promise<T> {
    this.assertUsable('withEmaWeights');
    if (this.swapped) throw new Error('WeightEma.withEmaWeights: already inside withEmaWeights');
    // Clones share the variables' data (no copy); assign() repoints the variables.
    const training = this.targets.map((v) => tf.clone(v));
    this.swapped = true;
    try {
      for (let i = 0; i < this.targets.length; i++) this.targets[i].assign(this.shadows[i]);
      return await fn();
    } finally {
      for (let i = 0; i < this.targets.length; i++) this.targets[i].assign(training[i]);
      for (const t of training) t.dispose();
      this.swapped = false;
    }
  }

  /** Copies of the EMA values in model float-weight order, for a checkpoint; the caller disposes them. */
  toTensors(): tf.Tensor[] {
    this.assertUsable('toTensors');
    return this.shadows.map((s) => tf.clone(s));
  }

  /** Restores EMA values saved by toTensors() and the update count (resume). The tensors stay the caller's. */
  loadTensors(tensors: readonly tf.Tensor[], updates: number): void {
    this.assertUsable('loadTensors');
    if (this.swapped) throw new Error('WeightEma.loadTensors: called inside withEmaWeights');
    if (tensors.length !== this.shadows.length) throw new Error(`WeightEma.loadTensors: expected ${this.shadows.length} tensors, got ${tensors.length}`);
    if (!(Number.isInteger(updates) && updates >= 0)) throw new Error(`WeightEma.loadTensors: updates must be a whole number ≥ 0, got ${updates}`);
    tensors.forEach((t, i) => {
      const s = this.shadows[i];
      if (t.dtype !== s.dtype || t.shape.length !== s.shape.length || t.shape.some((d, k) => d !== s.shape[k])) {
        throw new Error(`WeightEma.loadTensors: tensor ${i} is ${t.dtype}[${t.shape.join(',')}], the weight is ${s.dtype}[${s.shape.join(',')}]`);
      }
    });
    tensors.forEach((t, i) => this.shadows[i].assign(t));
    this.count = updates;
  }

  /** Frees the EMA variables (the model's weights are untouched). */
  dispose(): void {
    if (this.disposed) return;
    if (this.swapped) throw new Error('WeightEma.dispose: called inside withEmaWeights');
    for (const s of this.shadows) s.dispose();
    this.disposed = true;
  }

  private assertUsable(where: string): void {
    if (this.disposed) throw new Error(`WeightEma.${where}: disposed`);
  }
}
