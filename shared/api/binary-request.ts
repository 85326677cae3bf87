/**
 * Requests that carry bytes (a webcam snapshot's JPEG): binary, never base64 inside JSON. In
 * Electron the params go over IPC as they are (a Uint8Array is structured-cloned). Over the web
 * host's WebSocket such a request is one binary frame:
 *
 *   [header length: uint32, big-endian][header: UTF-8 JSON {id, method, params, bytes}][the bytes]
 *
 * where `bytes` names the params field the bytes belong in (left out of `params` in the header).
 * Text frames stay plain JSON requests and are limited to MAX_JSON_MESSAGE_BYTES: no API request
 * needs more (the largest is an annotation of 10,000 boxes); a binary frame may add up to
 * MAX_BINARY_PAYLOAD_BYTES of bytes. Result files of any size take the upload route instead
 * (UPLOAD_ROUTE in ./detect.ts, streamed to disk).
 */
import { z } from 'zod';
import { requestMessageSchema } from './contract';

/** Largest text (JSON) message, and largest header of a binary one. */
export const MAX_JSON_MESSAGE_BYTES = 4 * 1024 * 1024;
/** Largest bytes part of a binary request (a webcam snapshot is a few MB). */
export const MAX_BINARY_PAYLOAD_BYTES = 16 * 1024 * 1024;
/** Largest binary WebSocket message: length word, header, bytes. */
export const MAX_BINARY_MESSAGE_BYTES = 4 + MAX_JSON_MESSAGE_BYTES + MAX_BINARY_PAYLOAD_BYTES;

export const binaryRequestHeaderSchema = requestMessageSchema.extend({
  params: z.record(z.string(), z.unknown()),
  bytes: z.string().min(1).max(100),
});
export type BinaryRequestHeader = z.infer<typeof binaryRequestHeaderSchema>;

/**
 * The one top-level params field holding a Uint8Array, with the params without it; null when
 * there is none. More than one is an error (a frame carries one run of bytes).
 */
export function splitBytes(params: unknown): { field: string; bytes: Uint8Array; rest: Record<string, unknown> } | null {
  if (params === null || typeof params !== 'object') return null;
  const entries = Object.entries(params as Record<string, unknown>);
  const binary = entries.filter(([, v]) => v instanceof Uint8Array);
  if (binary.length === 0) return null;
  if (binary.length > 1) throw new Error(`a request carries one byte field, got ${binary.map(([k]) => k).join(', ')}`);
  const [field, bytes] = binary[0] as [string, Uint8Array];
  return { field, bytes, rest: Object.fromEntries(entries.filter(([k]) => k !== field)) };
}
