/**
 * The setup form's time budget (renderer/views/train/setup-form.ts): empty is off; set, the form
 * sends `minutes` and no epochs, leaves the input size, batch size and frozen epochs to the plan
 * until they are typed, and validates the budget like the other fields.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildConfig, defaultSetup, plannedFields } from '../../renderer/views/train/setup-form';
import { trainConfigSchema } from '../../shared/training/types';
import type { BackendAvailability } from '../../shared/api';

const backends: BackendAvailability[] = [{ name: 'wasm', label: 'WebAssembly', available: true, detail: 'SIMD' }];

test('setup form: no time budget by default; the form sends epochs, batch and input size as before', () => {
  const { config, errors } = buildConfig(defaultSetup(), backends);
  assert.deepEqual(errors, {});
  assert.equal(config?.minutes, undefined);
  assert.deepEqual([config?.epochs, config?.batchSize, config?.inputSize], [50, 8, 224]);
  assert.deepEqual(plannedFields(defaultSetup()), { epochs: false, inputSize: false, batchSize: false, freezeEpochs: false });
});

test('setup form: a time budget sends minutes and leaves the planned fields out', () => {
  const v = { ...defaultSetup(), preset: 'mobilenet-fpn' as const, minutes: '5', epochs: 'not even a number' };
  const { config, errors } = buildConfig(v, backends);
  assert.deepEqual(errors, {}, 'the epochs field is planned, not validated');
  assert.ok(config);
  assert.equal(config.minutes, 5);
  for (const k of ['epochs', 'inputSize', 'batchSize', 'freezeEpochs'] as const) assert.equal(k in config, false, `${k} is planned`);
  // what the API makes of it: the trainer still sees no batch size or frozen epochs
  const api = trainConfigSchema.partial().parse(config);
  assert.equal('batchSize' in api, false);
  assert.equal('freezeEpochs' in api, false);
});

test('setup form: typed values win over the time budget\'s plan; emptied ones go back to it', () => {
  const v = { ...defaultSetup(), preset: 'mobilenet' as const, minutes: '2.5', inputSize: '320', inputSizeTouched: true, batchSize: '4', batchSizeTouched: true, freezeEpochs: '2', freezeEpochsTouched: true };
  const { config } = buildConfig(v, backends);
  assert.deepEqual([config?.minutes, config?.inputSize, config?.batchSize, config?.freezeEpochs, config?.epochs], [2.5, 320, 4, 2, undefined]);
  const emptied = buildConfig({ ...v, batchSize: '' }, backends);
  assert.deepEqual(emptied.errors, {});
  assert.equal(emptied.config && 'batchSize' in emptied.config, false);
  assert.equal(buildConfig({ ...v, minutes: '' }, backends).config?.epochs, 50, 'budget off: the epochs field counts again');
});

test('setup form: the time budget is validated like the other fields', () => {
  assert.match(buildConfig({ ...defaultSetup(), minutes: 'soon' }, backends).errors.minutes!, /not a number/);
  assert.ok(buildConfig({ ...defaultSetup(), minutes: '0' }, backends).errors.minutes);
  assert.ok(buildConfig({ ...defaultSetup(), minutes: '-3' }, backends).errors.minutes);
  assert.ok(buildConfig({ ...defaultSetup(), minutes: '20000' }, backends).errors.minutes);
  assert.equal(buildConfig({ ...defaultSetup(), minutes: '0.5' }, backends).config?.minutes, 0.5);
  assert.equal(buildConfig({ ...defaultSetup(), minutes: '  ' }, backends).config?.minutes, undefined, 'blank is off');
});
