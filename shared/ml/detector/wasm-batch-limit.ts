/**
 * The largest training batch that fits the tfjs wasm backend's memory. Its heap is one WebAssembly
 * memory of at most 4 GiB, and one training step keeps every layer's activations of the whole
 * batch for the backward pass; past the limit the step does not fail cleanly (tfjs-wasm hangs or
 * aborts), so the trainer lowers the batch to this limit before the first step.
 *
 * Heap per image, measured (wasm heap after one step with every layer trainable, random input, tfjs
 * 4.22; bench/wasm-step-memory.bench.ts): at 224 px, mobilenet-fpn 101 MB,
 * nanodet-m 128 MB, mobilenet (YOLOv2) 47 MB, tiny 148 MB, darknet19 541 MB; it grows with the
 * input's area (nanodet-m: 125 MB at 224, 255 MB at 320). The loss, the optimizer's slots and the
 * weight average take a few hundred MB more, so the activations get 3.4 GB of the 4 GiB.
 */
import type { PresetName } from './config';

/** Heap MB one training image takes at 224 px, by preset (measured, rounded up). */
export const WASM_STEP_MB_PER_IMAGE_224: Readonly<Record<PresetName, number>> = {
  'mobilenet-fpn': 102, 'nanodet-m': 130, mobilenet: 50, tiny: 150, darknet19: 545,
};

/** The heap the activations of one step may take (of the 4 GiB), in MB. */
export const WASM_STEP_BUDGET_MB = 3400;

/** Heap MB of one training step's activations for `batch` images at `inputSize` px. */
export function wasmStepMegabytes(preset: PresetName, inputSize: number, batch: number): number {
  return WASM_STEP_MB_PER_IMAGE_224[preset] * (inputSize / 224) ** 2 * batch;
}

/** The largest batch whose step fits WASM_STEP_BUDGET_MB (at least 1). */
export function wasmBatchLimit(preset: PresetName, inputSize: number): number {
  return Math.max(1, Math.floor(WASM_STEP_BUDGET_MB / wasmStepMegabytes(preset, inputSize, 1)));
}
