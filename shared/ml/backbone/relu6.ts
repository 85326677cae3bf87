/**
 * Keras's 'relu6' activation, computed in one op each way. tfjs-layers defines relu6 as
 * minimum(6, relu(x)): two passes forward and six backward (Greater, Cast and Multiply for the
 * minimum, Step, Cast and Multiply for the relu), with the comparison against 6 on the backends'
 * slow broadcasting paths. Here the forward is tf.relu6 (one clamp; XNNPACK's on wasm) and the
 * gradient dy · step(y) · step(6 − y) (../wasm-kernels/relu6-grad, one kernel on wasm), the same
 * values: 1 where 0 < y < 6, else 0 (at y = 0 and y = 6 too, as Keras's). On the mobilenet presets this is about a fifth of a training step on wasm.
 *
 * Registered under Keras's own class name, so every 'relu6' Activation layer built or loaded after
 * this module is imported uses it, and models still serialise as `"activation": "relu6"`: a
 * model.json we write loads unchanged in stock tfjs, Keras or our ONNX export.
 */
import * as tf from '@tensorflow/tfjs';
import { relu6Gradient } from '../wasm-kernels/relu6-grad';

const relu6Op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
  const y = tf.relu6(x);
  save([y]);
  return {
    value: y,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => relu6Gradient(dy, saved[0]!),
  };
});

/** Keras's relu6 activation (tfjs-layers' Activation interface: apply and a config). */
export class Relu6 extends tf.serialization.Serializable {
  static readonly className = 'relu6';
  override getClassName(): string {
    return Relu6.className;
  }
  apply(x: tf.Tensor): tf.Tensor {
    return relu6Op(x);
  }
  getConfig(): tf.serialization.ConfigDict {
    return {};
  }
}

tf.serialization.registerClass(Relu6);
