/**
 * A classifier's image decoding (sharp): EXIF orientation applied, resized (linear, 'fill') to
 * the model's [height, width, channels], grayscale or sRGB; training, `detecta classify` and the
 * exported package's example decode through here.
 */
import sharp, { type Sharp } from 'sharp';

function decodePipeline(img: Sharp, shape: [number, number, number]): Sharp {
  const [h, w, c] = shape;
  const resized = img.resize({ width: w, height: h, fit: 'fill', kernel: 'linear' }).removeAlpha();
  return c === 1 ? resized.grayscale() : resized.toColourspace('srgb');
}

export async function toPixels(img: Sharp, shape: [number, number, number], what: string): Promise<Uint8Array> {
  const { data, info } = await decodePipeline(img, shape).raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== shape[2] || info.width !== shape[1] || info.height !== shape[0]) {
    throw new Error(`${what}: decoded to ${info.width}×${info.height}×${info.channels}, expected ${shape[1]}×${shape[0]}×${shape[2]}`);
  }
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** Decodes one image file to the model input (prediction uses the same pipeline as training). */
export async function decodeImageFile(file: string, shape: [number, number, number]): Promise<Uint8Array> {
  return toPixels(sharp(file, { failOn: 'error' }).rotate(), shape, file);
}

