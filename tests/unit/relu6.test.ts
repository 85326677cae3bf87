// Keras's 'relu6' activation as one op each way (shared/ml/backbone/relu6.ts): the values and the
// gradient of tfjs-layers' own minimum(6, relu(x)), boundaries included, and every 'relu6'
// Activation layer built after the import uses it while still serialising as 'relu6'.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { Relu6 } from '../../shared/ml/backbone/relu6';

const VALUES = [-3, -1e-7, -0, 0, 1e-7, 0.5, 3, 5.999999, 6, 6.000001, 7, 1e6];

test('relu6 equals minimum(6, relu(x)) and its gradient, at 0 and 6 too', async () => {
  await tf.setBackend('cpu');
  const x = tf.tensor1d(VALUES);
  const dy = tf.tensor1d(VALUES.map((_, i) => i + 1));
  const stock = (t: tf.Tensor) => tf.minimum(6, tf.relu(t));
  const ours = (t: tf.Tensor) => new Relu6().apply(t);
  assert.deepEqual(Array.from(ours(x).dataSync()), Array.from(stock(x).dataSync()));
  const want = Array.from(tf.grad(stock)(x, dy).dataSync());
  const got = Array.from(tf.grad(ours)(x, dy).dataSync());
  assert.deepEqual(got, want);
  assert.deepEqual(got, [0, 0, 0, 0, 5, 6, 7, 8, 0, 0, 0, 0], 'gradient passes only where 0 < x < 6');
});

test('Activation layers named relu6 use it and still serialise as relu6', () => {
  const layer = tf.layers.activation({ activation: 'relu6' });
  assert.ok((layer as unknown as { activation: unknown }).activation instanceof Relu6);
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] }), layer] });
  const json = JSON.stringify(model.toJSON(null, false));
  assert.match(json, /"activation":"relu6"/);
  model.dispose();
});
