/**
 * Detect view API: the file side of detection. Inference itself runs in the renderer next to the
 * image/video/webcam element (frames never cross IPC); the main side downloads ready-made models
 * into the cache, grants access to model and output folders the user chose, and writes results
 * (annotated images, videos, detection JSON/CSV, webcam snapshots with draft boxes) atomically.
 */
import { z } from 'zod';
import { method } from './contract';
import { boxSchema } from './dataset';
import type { AdapterMetadata } from '../ml/adapters/metadata';
import { MAX_BINARY_PAYLOAD_BYTES } from './binary-request';

export interface LoadableModel {
  /** Where it came from: a model-zoo entry (downloaded into the cache) or a folder the user picked. */
  source: 'zoo' | 'folder';
  /** Zoo id or the folder path. */
  id: string;
  title: string;
  dir: string;
  /** Absolute path of the model JSON, served under /model-files (web) or detecta-file://model/ (Electron). */
  modelJson: string;
  format: 'layers' | 'graph';
  /** The adapter; null for our own LayersModels, which carry their config in detectaDetector metadata. */
  adapter: AdapterMetadata | null;
  /** Class names of our own detectors, from the run's config.json when the folder is a run's weights folder. */
  classes?: string[];
  /** True when this call downloaded the files. */
  downloaded: boolean;
}

export interface ZooListEntry {
  id: string;
  title: string;
  bytes: number;
  cached: boolean;
  labels: number;
}

const path = z.string().min(1).max(4096);
/** A webcam snapshot: one JPEG frame, as bytes (a binary WebSocket frame or IPC; see ./binary-request.ts). */
const snapshotJpeg = z.instanceof(Uint8Array).refine((d) => d.byteLength <= MAX_BINARY_PAYLOAD_BYTES, `larger than the ${MAX_BINARY_PAYLOAD_BYTES / 1024 / 1024} MiB snapshot limit`);

/** The largest result file (an annotated video) the app writes. */
export const RESULT_MAX_BYTES = 4 * 1024 ** 3;

/**
 * The web host's route for result files: `PUT /upload?path=ABS` with the bytes as the body,
 * streamed to disk (never one WebSocket message). Answers 200 with {path, bytes} or an error
 * status with {error: {code, message}}.
 */
export const UPLOAD_ROUTE = '/upload';

export const detectMethods = {
  /** Ready-made detectors and whether each is in the cache already. */
  'detect.zooList': method<{ entries: ZooListEntry[]; zooUrl: string }>()(z.object({}).strict()),
  /** Downloads a zoo model on first use (sha256-checked) into the app's model cache; re-verifies it otherwise. */
  'detect.zooEnsure': method<LoadableModel>()(z.object({ id: z.string().min(1).max(100) }).strict()),
  /** Opens a tfjs model folder the user chose (model.json + weights, optional detecta-adapter.json). */
  'detect.openModelFolder': method<LoadableModel>()(z.object({ path }).strict()),
  /** Grants writing into a folder outside the projects (the "save to folder" choice). */
  'detect.chooseOutputFolder': method<{ dir: string }>()(z.object({ path }).strict()),
  /**
   * Writes a result file (image, video, JSON, CSV) atomically inside an opened project or a
   * chosen output folder. The bytes travel as a buffer over IPC (Electron); the web host takes
   * them on UPLOAD_ROUTE instead, as JSON cannot carry them (the renderer's client picks).
   */
  'detect.writeFile': method<{ path: string; bytes: number }>()(
    z.object({ path, data: z.instanceof(Uint8Array).refine((d) => d.byteLength <= RESULT_MAX_BYTES, 'larger than the 4 GiB result limit') }).strict(),
  ),
  /**
   * Adds a webcam snapshot (JPEG) to the project as a new image, next to its other images, with
   * the predicted boxes saved as draft annotations. The JPEG travels as bytes: a Uint8Array over
   * IPC, a binary frame over the WebSocket (the web client sends it so), never base64.
   */
  'detect.addSnapshot': method<{ imageId: string; imagePath: string; annotationPath: string; boxes: number }>()(
    z.object({ project: path, jpeg: snapshotJpeg, boxes: z.array(boxSchema).max(10000) }).strict(),
  ),
};

export type DetectEvents = Record<never, never>;
