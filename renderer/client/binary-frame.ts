/**
 * Encodes a request whose params hold bytes as one binary WebSocket frame (layout in
 * shared/api/binary-request.ts): the bytes follow a small JSON header instead of riding in the
 * JSON as base64. Requests without bytes return null and go as text.
 */
import { splitBytes, type BinaryRequestHeader } from '../../shared/api/binary-request';

export function encodeBinaryRequest(id: number, method: string, params: unknown): Uint8Array<ArrayBuffer> | null {
  const split = splitBytes(params);
  if (!split) return null;
  const header: BinaryRequestHeader = { id, method, params: split.rest, bytes: split.field };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const frame = new Uint8Array(4 + json.length + split.bytes.length);
  new DataView(frame.buffer).setUint32(0, json.length, false);
  frame.set(json, 4);
  frame.set(split.bytes, 4 + json.length);
  return frame;
}
