/**
 * The building blocks of the typed API contract shared by main/ (handlers), preload/ and
 * renderer/ (clients). A method is a zod schema for its params plus a phantom result type;
 * events are a plain type map. Messages on the wire (WebSocket or IPC) use the shapes below.
 */
import { z } from 'zod';

export interface MethodDef<P extends z.ZodType = z.ZodType, R = unknown> {
  readonly params: P;
  /** Phantom: carries the result type only, never set at run time. */
  readonly __result?: R;
}

/** `method<Result>()(paramsSchema)`: declares one API method. */
export const method =
  <R>() =>
  <P extends z.ZodType>(params: P): MethodDef<P, R> => ({ params });

export type MethodMap = Record<string, MethodDef>;
export type ParamsOf<D> = D extends MethodDef<infer P, unknown> ? z.input<P> : never;
export type ParsedParamsOf<D> = D extends MethodDef<infer P, unknown> ? z.output<P> : never;
export type ResultOf<D> = D extends MethodDef<z.ZodType, infer R> ? R : never;

/** Error codes every transport carries unchanged to the UI. */
export type ApiErrorCode =
  | 'bad_request' // params failed validation or the message was malformed
  | 'unknown_method'
  | 'not_found' // a file, image, project or run that does not exist
  | 'forbidden' // a path outside the opened projects, a missing token
  | 'conflict' // e.g. a class name that already exists
  | 'unreadable' // a file exists but cannot be parsed; it is never overwritten
  | 'io' // the operating system refused a read or write
  | 'unavailable' // a capability this machine lacks (a backend, the native dialog)
  | 'internal';

export interface ApiErrorData {
  code: ApiErrorCode;
  message: string;
  /** Optional structured detail, e.g. the zod issues or the file that failed. */
  details?: unknown;
}

/** Thrown by handlers and re-thrown by clients, so `instanceof ApiError` works on both sides. */
export class ApiError extends Error {
  readonly code: ApiErrorCode;
  readonly details?: unknown;
  constructor(code: ApiErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.details = details;
  }
  toJSON(): ApiErrorData {
    return { code: this.code, message: this.message, ...(this.details === undefined ? {} : { details: this.details }) };
  }
}

export interface RequestMessage {
  id: number;
  method: string;
  params: unknown;
}
export type ResponseMessage =
  | { id: number; ok: true; result: unknown }
  | { id: number | null; ok: false; error: ApiErrorData };
export interface EventMessage {
  event: string;
  payload: unknown;
}

export const requestMessageSchema = z.object({
  id: z.number().int().nonnegative(),
  method: z.string().min(1).max(100),
  params: z.unknown(),
});
