/**
 * Adam whose update runs as one kernel per weight where the backend has one (the wasm training
 * kernels' ADAM_UPDATE), and as tfjs's own AdamOptimizer everywhere else.
 *
 * It is a tf.AdamOptimizer: same class name ('Adam'), config, moments, slot names and
 * getWeights/setWeights, so checkpoints and the learning-rate setter work unchanged, and the new
 * weights are bit-identical to tf.train.adam's (see ../wasm-kernels/adam-update). The fused path
 * also takes a factor for the gradients (global-norm clipping), applied inside the same pass
 * instead of as one more kernel per weight.
 */
import * as tf from '@tensorflow/tfjs';
import { ADAM_UPDATE, type AdamUpdateAttrs } from '../wasm-kernels/adam-update';

/** What applyGradients takes: gradients by variable name, or a list of { name, tensor }. */
type Gradients = Parameters<tf.Optimizer['applyGradients']>[0];

interface Slot {
  originalName: string;
  variable: tf.Variable;
}

/** tfjs's AdamOptimizer state, private in its typings. */
interface AdamState {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: Slot[];
  accumulatedSecondMoment: Slot[];
}

export class FusedAdamOptimizer extends tf.AdamOptimizer {
  /**
   * tfjs's Optimizer answers `instanceof` for anything with minimize, computeGradients and
   * applyGradients, which every optimizer has; this class means its own instances only.
   */
  static override [Symbol.hasInstance](x: unknown): boolean {
    return typeof x === 'object' && x !== null && Object.prototype.isPrototypeOf.call(FusedAdamOptimizer.prototype, x);
  }

  /** Whether the current backend runs the update as one kernel. */
  static fusedOnBackend(): boolean {
    return tf.getKernel(ADAM_UPDATE, tf.getBackend()) != null;
  }

  override applyGradients(variableGradients: Gradients): void {
    this.applyScaledGradients(variableGradients, 1);
  }

  /** Applies gradients · scale (scale 1: the gradients as they are). */
  applyScaledGradients(variableGradients: Gradients, scale: number): void {
    if (!FusedAdamOptimizer.fusedOnBackend()) {
      const list = Array.isArray(variableGradients) ? variableGradients : Object.entries(variableGradients).map(([name, tensor]) => ({ name, tensor }));
      if (scale === 1) return super.applyGradients(list);
      const scaled = list.map(({ name, tensor }) => ({ name, tensor: tf.mul(tensor, scale) }));
      try {
        super.applyGradients(scaled);
      } finally {
        tf.dispose(scaled.map((g) => g.tensor));
      }
      return;
    }
    const s = this as unknown as AdamState;
    const names = Array.isArray(variableGradients) ? variableGradients.map((v) => v.name) : Object.keys(variableGradients);
    const attrs: AdamUpdateAttrs = { beta1: s.beta1, beta2: s.beta2, epsilon: s.epsilon, learningRate: s.learningRate, gradScale: scale };
    tf.tidy(() => {
      const oneMinusAccBeta1 = tf.sub(1, s.accBeta1);
      const oneMinusAccBeta2 = tf.sub(1, s.accBeta2);
      names.forEach((name, i) => {
        const value = tf.engine().registeredVariables[name];
        if (value == null) throw new Error(`FusedAdamOptimizer: no variable named '${name}'`);
        s.accumulatedFirstMoment[i] ??= { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        s.accumulatedSecondMoment[i] ??= { originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        const grad = Array.isArray(variableGradients) ? variableGradients[i]!.tensor : variableGradients[name];
        if (grad == null) return;
        const m = s.accumulatedFirstMoment[i]!.variable;
        const v = s.accumulatedSecondMoment[i]!.variable;
        const [w2, m2, v2] = tf.engine().runKernel(ADAM_UPDATE, { value, m, v, grad, oneMinusAccBeta1, oneMinusAccBeta2 }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
        m.assign(m2!);
        v.assign(v2!);
        value.assign(w2!);
      });
      s.accBeta1.assign(tf.mul(s.accBeta1, s.beta1));
      s.accBeta2.assign(tf.mul(s.accBeta2, s.beta2));
    });
    this.incrementIterations();
  }
}

/** tf.train.adam's defaults (β1 0.9, β2 0.999, the backend's ε) as a FusedAdamOptimizer. */
export function fusedAdam(learningRate: number, beta1 = 0.9, beta2 = 0.999, epsilon?: number): FusedAdamOptimizer {
  return new FusedAdamOptimizer(learningRate, beta1, beta2, epsilon);
}
