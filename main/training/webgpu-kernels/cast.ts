/**
 * Cast for tfjs-backend-webgpu that gives an int32 or bool tensor cast to float32 a float32 buffer.
 *
 * The stock kernel (4.22) treats int32/bool → float32 as lossless and only relabels the tensor:
 * the new float32 tensor keeps the int32 buffer. Kernels that read their input through the
 * generated getters convert it, but the ones that index the raw array do not, and their shader
 * does not compile: TransposeProgram gives "type mismatch for argument 2 in call to
 * 'setOutputAtIndex', expected 'f32', got 'i32'", the pipeline is invalid and the transpose
 * returns zeros. The point head's label assignment transposes a one-hot of argMax, cast to
 * float32, so on WebGPU every point was background and the loss was near 0 (cpu: 2.26).
 *
 * Browser-safe: imports only tfjs; the webgpu backend is reached through the kernel's `backend`.
 */
import * as tf from '@tensorflow/tfjs';

/** The parts of tfjs-backend-webgpu's WebGPUProgram this module fills in. */
interface WebGpuProgram {
  variableNames: string[];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  size: boolean;
  getUserCode(): string;
}

/** The parts of the WebGPUBackend a kernel function uses here. */
export interface WebGpuBackendLike {
  tensorMap: { get(dataId: object): { values: tf.TypedArray | null; dtype: tf.DataType } | undefined };
  runWebGPUProgram(program: WebGpuProgram, inputs: tf.TensorInfo[], outputDtype: tf.DataType): tf.TensorInfo;
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: tf.TypedArray): tf.TensorInfo;
}

function asWebGpuBackend(backend: unknown): WebGpuBackendLike {
  const b = backend as Partial<WebGpuBackendLike> | null;
  if (b == null || typeof b.runWebGPUProgram !== 'function' || b.tensorMap == null) throw new Error('webgpu kernels: expected the tfjs webgpu backend as kernel backend');
  return b as WebGpuBackendLike;
}

const WORKGROUP = 64;

/** result[i] = f32(A[i]), A of any 32-bit integer type (the generated getter converts). */
function toFloatProgram(shape: number[]): WebGpuProgram {
  const size = shape.reduce((a, b) => a * b, 1);
  return {
    variableNames: ['A'],
    outputShape: shape,
    shaderKey: 'detecta_to_float32',
    dispatchLayout: { x: shape.map((_, i) => i) },
    // tfjs spreads a dispatch over y and z when x exceeds the device's limit
    dispatch: [Math.max(1, Math.ceil(size / WORKGROUP)), 1, 1],
    workgroupSize: [WORKGROUP, 1, 1],
    size: true,
    getUserCode: () => `
      fn main(index : i32) {
        if (index < uniforms.size) {
          setOutputAtIndex(index, getAByOutputIndex(index));
        }
      }`,
  };
}

export const CAST = 'Cast';

/** Wraps the stock Cast: int32/bool → float32 makes a float32 buffer, everything else is the stock kernel. */
export function makeCast(stock: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    const dtype = (args.attrs as { dtype: tf.DataType }).dtype;
    if (dtype !== 'float32' || (x.dtype !== 'int32' && x.dtype !== 'bool')) return stock(args);
    const backend = asWebGpuBackend(args.backend);
    const data = backend.tensorMap.get(x.dataId);
    if (data == null) throw new Error('webgpu Cast: the input tensor is not on the webgpu backend');
    // still on the CPU side (small tensors, uploaded lazily): convert there, uploaded as float32 later
    if (data.values != null) return backend.makeTensorInfo(x.shape, 'float32', Float32Array.from(data.values as ArrayLike<number>));
    return backend.runWebGPUProgram(toFloatProgram(x.shape), [x], 'float32');
  };
}
