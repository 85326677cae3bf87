/**
 * Atomic file writes: the data goes to a temp file in the same folder (same file system), is
 * flushed, then renamed over the target, so a reader or a crash sees the old or the new file,
 * never half of one. An unchanged file is never rewritten. A file the user made read-only is
 * refused and left as it is; a replaced file keeps its permissions. Temp names are short (a
 * 250-byte image name still saves) and recognisable (`isTempName`), so leftovers of a crash can be
 * cleaned up.
 */
import { open, rename, rm, readFile, stat, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { errnoOf, fsApiError } from './fs-errors';
import { ApiError } from '../../shared/api/contract';
import { makeDirs } from './make-dirs';

const TEMP_NAME = /^\.~[0-9a-f]{12}\.detecta\.tmp$/;

/** True for the name of a temp file an atomic write leaves behind only when the process died. */
export function isTempName(name: string): boolean {
  return TEMP_NAME.test(name);
}

/**
 * Writes through a temp file beside `file`: `fill` writes the content; then flush and rename.
 * The permissions of the file it replaces are kept; a read-only one is refused untouched.
 */
async function replaceAtomic<T>(file: string, fill: (fh: FileHandle) => Promise<T>, options: { fsync?: boolean } = {}): Promise<T> {
  const dir = dirname(file);
  const tmp = join(dir, `.~${randomBytes(6).toString('hex')}.detecta.tmp`);
  try {
    const existing = await stat(file).catch((err: unknown) => {
      if (errnoOf(err) === 'ENOENT') return null;
      throw err;
    });
    if (existing && (existing.mode & 0o222) === 0) {
      throw new ApiError('forbidden', `cannot write ${file}: it is read-only (its permissions say so); it was left as it is`, { file });
    }
    await makeDirs(dir);
    const fh = await open(tmp, 'wx', existing ? existing.mode & 0o777 : 0o666);
    let result: T;
    try {
      result = await fill(fh);
      if (existing) await fh.chmod(existing.mode & 0o7777);
      if (options.fsync !== false) await fh.datasync();
    } finally {
      await fh.close();
    }
    await rename(tmp, file);
    return result;
  } catch (err) {
    await rm(tmp, { force: true }).catch((rmErr: unknown) => {
      // The original error is what matters; the leftover temp file is named in it.
      (err as { leftover?: string }).leftover = `${tmp} (${String(rmErr)})`;
    });
    throw fsApiError(err, file, 'cannot write');
  }
}

export async function writeFileAtomic(file: string, data: string | Uint8Array, options: { fsync?: boolean } = {}): Promise<void> {
  await replaceAtomic(file, (fh) => fh.writeFile(data), options);
}

/**
 * Streams `source` into `file` atomically, refusing more than `maxBytes`: the temp file is
 * removed and the target is left as it was. Returns the bytes written.
 */
export async function writeStreamAtomic(file: string, source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, maxBytes: number): Promise<number> {
  return replaceAtomic(file, async (fh) => {
    let total = 0;
    for await (const chunk of source) {
      total += chunk.byteLength;
      if (total > maxBytes) throw new ApiError('bad_request', `${file} would be larger than ${Math.round(maxBytes / 2 ** 20)} MiB; nothing was written`);
      await fh.write(chunk);
    }
    return total;
  });
}

/** Reads a file as UTF-8, or null when it does not exist. Other errors are thrown as ApiError. */
export async function readTextIfExists(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return null;
    throw fsApiError(err, file, 'cannot read');
  }
}

/** Writes only when the content differs from what is on disk. Returns true when it wrote. */
export async function writeIfChanged(file: string, text: string): Promise<boolean> {
  const current = await readTextIfExists(file);
  if (current === text) return false;
  await writeFileAtomic(file, text);
  return true;
}
