/**
 * Tiled detection in the renderer (issue 21, SAHI-style), for the Detect view's images and for
 * pre-labeling: the passes of shared/ml/detector/tiles.ts (overlapping tiles plus the whole image)
 * each go through runFrame, their raw outputs are kept, and decodeTiled decodes every pass with
 * the current settings and merges the boxes into image pixels (mergeTileDetections), so the
 * sliders still re-run only the decode.
 */
import type { Detection } from '../../shared/ml/detector/box';
import { decodeOutputs, type PostprocessSettings } from '../../shared/ml/adapters/decode';
import { mergeTileDetections, tilePasses, type TileOptions, type TileRect } from '../../shared/ml/detector/tiles';
import type { LoadedDetector } from './load-model';
import { runFrame, type FrameSource, type RawFrame } from './run-frame';

export interface TiledPass {
  tile: TileRect;
  /** The pass's outputs; its geometry is in the tile's pixels. */
  raw: RawFrame;
}

let tileCanvas: HTMLCanvasElement | null = null;

/** Runs every pass (tiles, then the whole image) of a width×height frame. */
export async function runTiledFrame(model: LoadedDetector, source: FrameSource, width: number, height: number, options: TileOptions): Promise<TiledPass[]> {
  const passes: TiledPass[] = [];
  for (const tile of tilePasses(width, height, options)) {
    if (tile.x === 0 && tile.y === 0 && tile.width === width && tile.height === height) {
      passes.push({ tile, raw: await runFrame(model, source, width, height) });
      continue;
    }
    tileCanvas ??= document.createElement('canvas');
    if (tileCanvas.width !== tile.width || tileCanvas.height !== tile.height) { tileCanvas.width = tile.width; tileCanvas.height = tile.height; }
    const ctx = tileCanvas.getContext('2d');
    if (!ctx) throw new Error('no 2D canvas context');
    ctx.drawImage(source, tile.x, tile.y, tile.width, tile.height, 0, 0, tile.width, tile.height);
    passes.push({ tile, raw: await runFrame(model, tileCanvas, tile.width, tile.height) });
  }
  return passes;
}

/** Every pass decoded with `settings`, merged into one list in the image's pixels. */
export function decodeTiled(model: LoadedDetector, passes: readonly TiledPass[], imageSize: { width: number; height: number }, settings: PostprocessSettings): Detection[] {
  const found = passes.map((p) => ({ tile: p.tile, detections: decodeOutputs(model.adapter, p.raw.outputs, p.raw.geometry, settings, model.detector) }));
  return mergeTileDetections(found, imageSize, { iouThreshold: settings.iouThreshold, ...(settings.maxDetections !== undefined ? { maxDetections: settings.maxDetections } : {}) });
}
