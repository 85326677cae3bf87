/**
 * What the file routes (`/files`, `/model-files` in the web host, `detecta-file://` in Electron)
 * may hand to the page, and with which headers. A project is someone's folder of photos: it may
 * also hold HTML, SVG, scripts or XML that must never run with the app's rights, so only the types
 * the app itself loads are served (images, videos, tfjs model files), each inert: sandboxed,
 * never sniffed, never embeddable by another origin. Everything else is refused.
 */
import { basename, extname } from 'node:path';

/** Which route asks: project files (images, videos, the weights of the project's runs) or a model folder. */
export type ServedRoute = 'project' | 'model';

const MEDIA_TYPES: Readonly<Record<string, string>> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.gif': 'image/gif',
  '.bmp': 'image/bmp',
  '.webp': 'image/webp',
  '.mp4': 'video/mp4',
  '.m4v': 'video/mp4',
  '.mov': 'video/quicktime',
  '.webm': 'video/webm',
  '.ogv': 'video/ogg',
  '.mkv': 'video/x-matroska',
};

const MODEL_TYPES: Readonly<Record<string, string>> = {
  '.json': 'application/json',
  '.bin': 'application/octet-stream',
};

/** tfjs weight shards written by the converter carry no extension: `group1-shard1of3`. */
const SHARD_NAME = /^group\d+-shard\d+of\d+$/;

/**
 * The content type to serve `file` with, or null when this route must refuse it. Project files
 * include model files because a run's weights live inside its project.
 */
export function servedContentType(file: string, route: ServedRoute): string | null {
  const ext = extname(file).toLowerCase();
  const model = MODEL_TYPES[ext] ?? (SHARD_NAME.test(basename(file)) ? 'application/octet-stream' : undefined);
  if (route === 'model') return model ?? null;
  return MEDIA_TYPES[ext] ?? model ?? null;
}

/** A plain sentence for a refused type, naming what is served. */
export function refusedTypeMessage(file: string, route: ServedRoute): string {
  const what = route === 'model' ? 'tfjs model files (.json, .bin, weight shards)' : 'images, videos and model files';
  return `refused: ${basename(file)} is not served (only ${what} are)`;
}

/**
 * Headers every served project or model file carries: a document opened from it runs sandboxed
 * without scripts (even if a browser decided to render it), no page can frame it, and the type is
 * never sniffed. The web host adds `cross-origin-resource-policy: same-origin` (another port on
 * 127.0.0.1 cannot embed it); Electron cannot, as its page (app://) and files (detecta-file://)
 * are two origins.
 */
export const SERVED_FILE_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': "sandbox; default-src 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
};
