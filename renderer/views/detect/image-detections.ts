/**
 * One image's detections with the Detect view's post-processing settings, for the Label view's
 * model features (pre-labeling, the review queue): tiled (SAHI-style) when "Tiles" is on and the
 * image is larger than one tile, else one pass. Boxes in the image's pixels, classes by name.
 */
import { decodeOutputs } from '../../../shared/ml/adapters/decode';
import { DEFAULT_TILE_OVERLAP, needsTiles } from '../../../shared/ml/detector/tiles';
import type { LoadedDetector } from '../../detect/load-model';
import { runFrame } from '../../detect/run-frame';
import { decodeTiled, runTiledFrame } from '../../detect/tiled-frame';
import { loadImage } from '../../lib/image-io';
import { useDetect } from './detect-store';

export interface NamedDetection { label: string; score: number; xmin: number; ymin: number; xmax: number; ymax: number }

/** Detections of the image at `url` down to `scoreThreshold`. */
export async function imageDetections(m: LoadedDetector, url: string, scoreThreshold: number): Promise<NamedDetection[]> {
  const img = await loadImage(url);
  const settings = { ...useDetect.getState().settings(), scoreThreshold };
  const { tileSize } = useDetect.getState();
  const [w, h] = [img.naturalWidth, img.naturalHeight];
  const found = tileSize > 0 && needsTiles(w, h, tileSize)
    ? decodeTiled(m, await runTiledFrame(m, img, w, h, { tileSize, overlap: DEFAULT_TILE_OVERLAP }), { width: w, height: h }, settings)
    : await runFrame(m, img, w, h).then((raw) => decodeOutputs(m.adapter, raw.outputs, raw.geometry, settings, m.detector));
  return found.map((d) => ({ label: m.adapter.labels[d.classId] ?? `class ${d.classId}`, score: d.score, xmin: d.x1, ymin: d.y1, xmax: d.x2, ymax: d.y2 }));
}
