/**
 * A train or val image as the trainer keeps it between epochs: the decoded uint8 RGB image,
 * already shrunk by sharp to fit the input (decodeFitted: at most inputSize²×3 bytes, 4× less than
 * the float model input), and the float model input built from it (fitToInput) only when a batch
 * or a validation pass needs it. The float image is a function of these bytes, so it is the same
 * whenever it is built.
 *
 * - `data` null: the image cache (./image-cache) did not keep the pixels; they are decoded again
 *   from `file` with the same decodeFitted (identical bytes) each time they are needed. A file gone
 *   or changed in size since the start is an error that names it.
 * - decodeFitted applies the EXIF orientation (`.rotate()`) as the dataset core does
 *   (shared/dataset/exif.ts), so VOC boxes (displayed-image pixels) line up.
 */
import sharp from 'sharp';
import { orientedSize } from '../../shared/dataset/exif';
import { errorMessage } from '../../shared/error-message';
import { fitToInput, type FloatRgbImage, type ResizeMode } from '../../shared/ml/preprocess';

export interface FittedImage {
  /** The image file it was decoded from. */
  file: string;
  inputSize: number;
  resizeMode: ResizeMode;
  /** decodeFitted's size (fits inside inputSize × inputSize). */
  width: number;
  height: number;
  /** width×height×3 RGB bytes, or null when not kept (decoded from `file` when needed). */
  data: Uint8Array | null;
}

/** Decodes one image file to RGB, EXIF orientation applied, shrunk to fit `maxSide`. */
export async function decodeFitted(file: string, maxSide: number): Promise<{ data: Uint8Array; width: number; height: number; origWidth: number; origHeight: number }> {
  const meta = await sharp(file).metadata();
  if (!meta.width || !meta.height) throw new Error(`cannot read the size of ${file}`);
  const { width: origWidth, height: origHeight } = orientedSize(meta.width, meta.height, meta.orientation);
  const { data, info } = await sharp(file, { failOn: 'error' })
    .rotate()
    .resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true, kernel: 'linear' })
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`${file}: decoded to ${info.channels} channels, expected 3`);
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height, origWidth, origHeight };
}

/** The model input (inputSize², 0..255 floats) of an image whose pixels are at hand. */
export function fitPixels(image: FittedImage, data: Uint8Array): FloatRgbImage {
  return fitToInput({ width: image.width, height: image.height, data }, image.inputSize, { mode: image.resizeMode }).image;
}

/** The pixels of an image the cache did not keep, decoded again from its file; throws naming the file when it is gone or changed. */
export async function decodeAgain(image: FittedImage): Promise<Uint8Array> {
  let dec: Awaited<ReturnType<typeof decodeFitted>>;
  try {
    dec = await decodeFitted(image.file, image.inputSize);
  } catch (err) {
    throw new Error(`${image.file}: read at the start of the run, but it cannot be decoded now (${errorMessage(err)}); was it moved, deleted or rewritten during training? Put it back or start the run again`);
  }
  if (dec.width !== image.width || dec.height !== image.height) {
    throw new Error(`${image.file} changed during training: ${image.width}×${image.height} at ${image.inputSize} px at the start of the run, ${dec.width}×${dec.height} now; start the run again`);
  }
  return dec.data;
}

/** The model input of an image, from its kept pixels or decoded again from its file (`decoded` says which). */
export async function inputImage(image: FittedImage): Promise<{ image: FloatRgbImage; decoded: boolean }> {
  if (image.data) return { image: fitPixels(image, image.data), decoded: false };
  return { image: fitPixels(image, await decodeAgain(image)), decoded: true };
}

/** The model inputs of several images (a validation batch), those not kept decoded again at once. */
export async function inputImages(images: readonly FittedImage[]): Promise<FloatRgbImage[]> {
  return (await Promise.all(images.map(inputImage))).map((r) => r.image);
}
