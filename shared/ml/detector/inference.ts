/**
 * Running a detector on RGB images: fit to the input (letterbox/stretch), predict, decode + NMS,
 * boxes back in original-image pixels. Works on any tfjs backend (renderer: webgl/webgpu/wasm).
 */
import * as tf from '@tensorflow/tfjs';
import type { Detection } from './box';
import type { DetectorConfig } from './config';
import { outputValuesPerImage } from './head-ops';
import type { PostprocessOptions } from './postprocess';
import { postprocessDetectorOutput } from './postprocess';
import type { ImageTransform, RgbImage } from '../preprocess';
import { fitToInput } from '../preprocess';

/** Stacks same-size input images (0..255 RGB) into a [batch, size, size, 3] tensor. */
export function imagesToTensor(images: readonly RgbImage[]): tf.Tensor4D {
  if (images.length === 0) throw new Error('imagesToTensor: no images');
  const { width, height } = images[0];
  const data = new Float32Array(images.length * width * height * 3);
  images.forEach((img, i) => {
    if (img.width !== width || img.height !== height) throw new Error(`imagesToTensor: image ${i} is ${img.width}x${img.height}, expected ${width}x${height}`);
    data.set(img.data, i * width * height * 3);
  });
  return tf.tensor4d(data, [images.length, height, width, 3]);
}

/** A batch's raw output tensor read back as one Float32Array per image (layout.ts or points.ts); the caller keeps the tensor. */
export async function rawPerImage(out: tf.Tensor, config: DetectorConfig): Promise<Float32Array[]> {
  const data = (await out.data()) as Float32Array;
  const per = outputValuesPerImage(config);
  return Array.from({ length: out.shape[0]! }, (_, i) => data.slice(i * per, (i + 1) * per));
}

/** Raw outputs of a batch, one Float32Array per image. */
export async function predictRaw(model: tf.LayersModel, images: tf.Tensor4D, config: DetectorConfig): Promise<Float32Array[]> {
  const out = model.predict(images) as tf.Tensor;
  try {
    return await rawPerImage(out, config);
  } finally {
    out.dispose();
  }
}

/** Detects objects in original-size images; boxes are in each image's pixels. */
export async function detectImages(model: tf.LayersModel, images: readonly RgbImage[], config: DetectorConfig, options: Omit<PostprocessOptions, 'transform' | 'imageSize'> = {}): Promise<Detection[][]> {
  const fitted = images.map((img) => fitToInput(img, config.inputSize, { mode: config.resizeMode }));
  const transforms: ImageTransform[] = fitted.map((f) => f.transform);
  const batch = imagesToTensor(fitted.map((f) => f.image));
  try {
    const raws = await predictRaw(model, batch, config);
    return raws.map((raw, i) => postprocessDetectorOutput(raw, config, { ...options, transform: transforms[i], imageSize: { width: images[i].width, height: images[i].height } }));
  } finally {
    batch.dispose();
  }
}
