/**
 * ONNX Runtime in Node through onnxruntime-web's wasm build (single-threaded: no worker threads,
 * the same numbers on every machine): the runtime the export checks its ONNX model with, and the
 * one the package's example uses.
 */
import * as ort from 'onnxruntime-web';

export const ONNX_RUNTIME_NAME = `onnxruntime-web ${ort.env.versions.web ?? ort.env.versions.common} (wasm)`;

export interface OnnxModelSession {
  /** Runs the model on a float32 tensor; returns the output values and dims. */
  run(data: Float32Array, dims: number[]): Promise<{ data: Float32Array; dims: number[] }>;
  release(): Promise<void>;
}

export async function openOnnxSession(bytes: Uint8Array, io: { input: string; output: string }): Promise<OnnxModelSession> {
  ort.env.wasm.numThreads = 1;
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  return {
    async run(data, dims) {
      const feeds = { [io.input]: new ort.Tensor('float32', data, dims) };
      const out = await session.run(feeds);
      const t = out[io.output];
      if (!t) throw new Error(`the ONNX model gave no output named ${io.output}`);
      const values = t.data as Float32Array;
      const result = { data: Float32Array.from(values), dims: t.dims.map(Number) };
      t.dispose();
      return result;
    },
    release: () => session.release(),
  };
}
