import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { fuseConvLayers } from '../../shared/ml/train/fused-conv-layers';
import { initWasmBackendForNode } from '../../main/training/wasm-kernels/node-init';
import { registerWasmTrainingKernels } from '../../shared/ml/wasm-kernels/index';

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
  assert.equal(fuseConvLayers(model), 3, 'the three Conv2D layers');
  assert.equal(fuseConvLayers(model), 0, 'a second call changes nothing');
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
  fuseConvLayers(model);
  const info = await tf.profile(() => model.predict(x) as tf.Tensor);
  assert.equal(info.kernels.filter((k) => k.name === 'FusedConv2D').length, 3, 'one fused kernel per conv layer');
  assert.ok(!info.kernels.some((k) => k.name === 'Relu'), 'relu_conv\'s relu runs inside its kernel');
  assertClose({ out: [...(await (model.predict(x) as tf.Tensor).data())] }, { out: before });
  assert.equal(JSON.stringify(model.toJSON(null, false)), topology, 'the saved topology is unchanged');
  x.dispose();
  model.dispose();
});

/**
 * conv (bias) → LeakyReLU → depthwise (bias) → ReLU(6) → conv (no bias) → Activation('relu'), plus a
 * conv whose output also feeds an Add (two consumers: its activation cannot be fused), then a
 * global average and a dense layer. Weights from seeds, so two builds are the same model.
 */
function activationModel(): tf.LayersModel {
  const init = (seed: number) => tf.initializers.randomNormal({ mean: 0, stddev: 0.9, seed });
  const conv = (name: string, filters: number, seed: number, useBias = true) =>
    tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same', useBias, name, kernelInitializer: init(seed), biasInitializer: init(seed + 50) });
  const input = tf.input({ shape: [8, 8, 3] });
  let x = conv('c1', 4, 1).apply(input) as tf.SymbolicTensor;
  x = tf.layers.leakyReLU({ alpha: 0.1, name: 'c1_leaky' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.depthwiseConv2d({ kernelSize: 3, strides: 2, padding: 'same', name: 'dw', depthwiseInitializer: init(2), biasInitializer: init(52) }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.reLU({ maxValue: 6, name: 'dw_relu6' }).apply(x) as tf.SymbolicTensor;
  x = conv('c2', 6, 3, false).apply(x) as tf.SymbolicTensor;
  x = tf.layers.activation({ activation: 'relu', name: 'c2_relu' }).apply(x) as tf.SymbolicTensor;
  const shared = conv('c3', 6, 4).apply(x) as tf.SymbolicTensor;
  const activated = tf.layers.leakyReLU({ alpha: 0.2, name: 'c3_leaky' }).apply(shared) as tf.SymbolicTensor;
  x = tf.layers.add({}).apply([shared, activated]) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 2, name: 'out', kernelInitializer: init(5) }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

for (const backend of ['cpu', 'wasm'] as const) {
  test(`activations run inside the conv kernels, with the same outputs and gradients (${backend})`, async () => {
    if (backend === 'wasm') {
      assert.equal(await initWasmBackendForNode({ threads: 1 }), true);
      registerWasmTrainingKernels();
    }
    await tf.setBackend(backend);
    const plain = activationModel();
    const model = activationModel();
    assert.equal(fuseConvLayers(model), 4);
    const x = tf.tidy(() => tf.randomUniform([2, 8, 8, 3], -3, 3, 'float32', 11) as tf.Tensor4D);
    const info = await tf.profile(() => model.predict(x) as tf.Tensor);
    const names = info.kernels.map((k) => k.name);
    assert.equal(names.filter((n) => n === 'FusedConv2D').length, 3);
    assert.equal(names.filter((n) => n === 'FusedDepthwiseConv2D').length, 1);
    // c3's leaky ReLU runs on its own (its conv output has two consumers); on wasm c1's too (XNNPACK fuses clamps only)
    assert.equal(names.filter((n) => n === 'LeakyRelu').length, backend === 'wasm' ? 2 : 1);
    assert.ok(!names.includes('Relu6') && !names.includes('Relu'), 'the relu6 and relu run inside their kernels');
    assertClose({ out: [...(await (model.predict(x) as tf.Tensor).data())] }, { out: [...(await (plain.predict(x) as tf.Tensor).data())] });
    // the ReLU(6) clips: some pre-activations are above 6, so its zero gradient there is exercised
    const dwOut = tf.model({ inputs: plain.inputs, outputs: plain.getLayer('dw').output as tf.SymbolicTensor });
    assert.ok((await (dwOut.predict(x) as tf.Tensor).max().data())[0]! > 6);
    const grads = async (m: tf.LayersModel) => {
      const vars = m.trainableWeights.map((w) => w.read() as tf.Variable);
      const r = tf.variableGrads(() => tf.sum(tf.square(m.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar, vars);
      const out: Record<string, number[]> = {};
      // layer/weight names, without the variables' unique suffixes
      for (const [i, v] of vars.entries()) out[m.trainableWeights[i]!.originalName] = [...(await r.grads[v.name]!.data())];
      tf.dispose([r.value, r.grads]);
      return out;
    };
    assertClose(await grads(model), await grads(plain));
    x.dispose();
    plain.dispose();
    model.dispose();
  });
}
