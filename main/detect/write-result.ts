/**
 * Writes one result file of the Detect view (annotated image or video, detections JSON/CSV):
 * confined by the folder grants to result types inside a project or a chosen output folder, and
 * streamed atomically to disk. Both transports use it: Electron's IPC hands a buffer, the web
 * host the body of an upload request.
 */
import { RESULT_MAX_BYTES } from '../../shared/api/detect';
import type { FolderGrants } from './folder-grants';
import { writeStreamAtomic } from '../dataset/atomic-write';

export async function writeResultFile(grants: FolderGrants, path: string, data: AsyncIterable<Uint8Array> | Uint8Array): Promise<{ path: string; bytes: number }> {
  const target = await grants.resolveWritable(path, 'result');
  const source = data instanceof Uint8Array ? [data] : data;
  const bytes = await writeStreamAtomic(target, source, RESULT_MAX_BYTES);
  return { path: target, bytes };
}
