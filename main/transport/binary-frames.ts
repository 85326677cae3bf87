/**
 * Reads a binary WebSocket request (layout in shared/api/binary-request.ts): the header's params
 * get the bytes back in the field it names. A malformed frame is refused with a clear reason and
 * the request id when the header had one, so the client's call fails instead of hanging.
 */
import { ApiError } from '../../shared/api/contract';
import { binaryRequestHeaderSchema, MAX_BINARY_PAYLOAD_BYTES, MAX_JSON_MESSAGE_BYTES } from '../../shared/api/binary-request';

export class BinaryFrameError extends ApiError {
  constructor(readonly id: number | null, message: string) {
    super('bad_request', message);
  }
}

export function decodeBinaryRequest(data: Buffer): { id: number; method: string; params: Record<string, unknown> } {
  if (data.length < 4) throw new BinaryFrameError(null, 'a binary request starts with a 4-byte header length');
  const headerLength = data.readUInt32BE(0);
  if (headerLength > MAX_JSON_MESSAGE_BYTES || 4 + headerLength > data.length) {
    throw new BinaryFrameError(null, `a binary request's header length (${headerLength}) does not fit the message (${data.length} bytes)`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(data.subarray(4, 4 + headerLength).toString('utf8'));
  } catch (err) {
    throw new BinaryFrameError(null, `a binary request's header is not JSON: ${(err as Error).message}`);
  }
  const header = binaryRequestHeaderSchema.safeParse(raw);
  const rawId = (raw as { id?: unknown } | null)?.id;
  const id = typeof rawId === 'number' ? rawId : null;
  if (!header.success) throw new BinaryFrameError(id, 'a binary request header needs {id: number, method: string, params: object, bytes: string}');
  const { bytes: field, params } = header.data;
  if (Object.prototype.hasOwnProperty.call(params, field)) throw new BinaryFrameError(id, `the header's params already hold "${field}", the field the bytes go into`);
  const bytes = data.subarray(4 + headerLength);
  if (bytes.length > MAX_BINARY_PAYLOAD_BYTES) throw new BinaryFrameError(id, `the request carries ${bytes.length} bytes; the limit is ${MAX_BINARY_PAYLOAD_BYTES}`);
  return { id: header.data.id, method: header.data.method, params: { ...params, [field]: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length) } };
}
