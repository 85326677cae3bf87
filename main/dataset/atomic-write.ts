/**
 * Atomic file writes: the data goes to a temp file in the same folder (same file system), is
 * flushed, then renamed over the target, so a reader or a crash sees the old or the new file,
 * never half of one. An unchanged file is never rewritten.
 */
import { open, rename, rm, readFile, mkdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { errnoOf, fsApiError } from './fs-errors';
import { ApiError } from '../../shared/api/contract';

export async function writeFileAtomic(file: string, data: string | Uint8Array, options: { fsync?: boolean } = {}): Promise<void> {
  const dir = dirname(file);
  const tmp = join(dir, `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await mkdir(dir, { recursive: true });
    const fh = await open(tmp, 'wx');
    try {
      await fh.writeFile(data);
      if (options.fsync !== false) await fh.datasync();
    } finally {
      await fh.close();
    }
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true }).catch((rmErr: unknown) => {
      // The original error is what matters; the leftover temp file is named in it.
      (err as { leftover?: string }).leftover = `${tmp} (${String(rmErr)})`;
    });
    throw fsApiError(err, file, 'cannot write');
  }
}

/**
 * Streams `source` into `file` atomically (temp file, flush, rename), refusing more than
 * `maxBytes`: the temp file is removed and the target is left as it was. Returns the bytes written.
 */
export async function writeStreamAtomic(file: string, source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, maxBytes: number): Promise<number> {
  const dir = dirname(file);
  const tmp = join(dir, `.${basename(file).slice(0, 60)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let total = 0;
  try {
    const fh = await open(tmp, 'wx');
    try {
      for await (const chunk of source) {
        total += chunk.byteLength;
        if (total > maxBytes) throw new ApiError('bad_request', `${basename(file)} is larger than ${Math.round(maxBytes / 2 ** 20)} MiB; nothing was written`);
        await fh.write(chunk);
      }
      await fh.datasync();
    } finally {
      await fh.close();
    }
    await rename(tmp, file);
    return total;
  } catch (err) {
    await rm(tmp, { force: true }).catch((rmErr: unknown) => {
      (err as { leftover?: string }).leftover = `${tmp} (${String(rmErr)})`;
    });
    throw fsApiError(err, file, 'cannot write');
  }
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
