import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { convGradientsOnDemand } from '../../shared/ml/train/conv-gradients';

/** image → 3×3 conv (bias) → 1×1 conv (no bias) → relu conv → global average → dense: a small detector-like stack. */
function smallModel(): tf.LayersModel {
  const input = tf.input({ shape: [9, 9, 3] });
  let x = tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', name: 'first', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }), biasInitializer: tf.initializers.randomNormal({ seed: 2 }) }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.conv2d({ filters: 5, kernelSize: 1, useBias: false, name: 'pointwise', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'valid', activation: 'relu', name: 'relu_conv', kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 2, name: 'out', kernelInitializer: tf.initializers.glorotUniform({ seed: 5 }) }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

const images = (): tf.Tensor4D => tf.tidy(() => tf.randomUniform([2, 9, 9, 3], 0, 1, 'float32', 7) as tf.Tensor4D);

/** Gradients of a squared output on the trainable weights, and how many input gradients were computed (Conv2DBackpropInput kernels). */
async function step(model: tf.LayersModel): Promise<{ grads: Record<string, number[]>; inputGradients: number }> {
  const x = images();
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  let grads: Record<string, tf.Tensor> = {};
  const info = await tf.profile(() => {
    const r = tf.variableGrads(() => tf.sum(tf.square(model.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar, vars);
    r.value.dispose();
    grads = r.grads;
  });
  const out: Record<string, number[]> = {};
  for (const [name, g] of Object.entries(grads)) out[name] = [...(await g.data())];
  tf.dispose([x, grads]);
  return { grads: out, inputGradients: info.kernels.filter((k) => k.name === 'Conv2DBackpropInput').length };
}

function assertClose(a: Record<string, number[]>, b: Record<string, number[]>): void {
  assert.deepEqual(Object.keys(a).sort(), Object.keys(b).sort());
  for (const name of Object.keys(a)) {
    const x = a[name]!, y = b[name]!;
    const scale = Math.max(1e-6, ...y.map(Math.abs));
    x.forEach((v, i) => assert.ok(Math.abs(v - y[i]!) <= 1e-5 * scale, `${name}[${i}]: ${v} vs ${y[i]}`));
  }
}

test('conv layers compute only the input gradients the loss needs, with the same weight gradients', async () => {
  await tf.setBackend('cpu');
  const model = smallModel();
  const fused = await step(model);
  // fused conv2d computes every input's gradient: the first layer's (the images) is thrown away
  assert.equal(fused.inputGradients, 3);
  assert.equal(convGradientsOnDemand(model), 2, 'the two linear Conv2D layers (the relu one already runs unfused under a gradient)');
  assert.equal(convGradientsOnDemand(model), 0, 'a second call changes nothing');
  const lazy = await step(model);
  assert.equal(lazy.inputGradients, 2, 'no gradient for the images');
  assertClose(lazy.grads, fused.grads);

  // a frozen first layer (a frozen backbone): the next conv's input needs no gradient either
  model.getLayer('first').trainable = false;
  const frozen = await step(model);
  assert.equal(frozen.inputGradients, 1, 'only relu_conv needs its input gradient (pointwise is trained, its input is not)');
  assert.ok(!Object.keys(frozen.grads).some((n) => n.includes('first')));
  model.dispose();
});

test('inference and the saved model are those of plain Conv2D layers', async () => {
  await tf.setBackend('cpu');
  const model = smallModel();
  const x = images();
  const before = [...(await (model.predict(x) as tf.Tensor).data())];
  const topology = JSON.stringify(model.toJSON(null, false));
  convGradientsOnDemand(model);
  const info = await tf.profile(() => model.predict(x) as tf.Tensor);
  assert.ok(info.kernels.some((k) => k.name === 'FusedConv2D'), 'no gradient recorded: the fused kernel still runs');
  assert.deepEqual([...(await (model.predict(x) as tf.Tensor).data())], before);
  assert.equal(JSON.stringify(model.toJSON(null, false)), topology, 'the saved topology is unchanged');
  x.dispose();
  model.dispose();
});
