/**
 * The transport-agnostic front door of the API: validates a request against the method's zod
 * schema, runs its handler, and turns every failure into an ApiError the UI can show. Transports
 * (IPC, WebSocket) only move messages; they never see a handler.
 */
import { z } from 'zod';
import { ApiError, type ApiErrorCode } from '../../shared/api/contract';
import { methods, type MethodName } from '../../shared/api';
import type { ApiContext } from './handler';
import { handlers } from './handlers';
import { errorMessage } from '../../shared/error-message';

const ERRNO_CODES: Record<string, ApiErrorCode> = {
  ENOENT: 'not_found',
  ENOTDIR: 'not_found',
  EACCES: 'forbidden',
  EPERM: 'forbidden',
  EEXIST: 'conflict',
  ENOSPC: 'io',
  EROFS: 'io',
  EISDIR: 'io',
  EMFILE: 'io',
};

/** Maps anything thrown by a handler to an ApiError, keeping the message. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  const errno = (err as NodeJS.ErrnoException | null)?.code;
  if (typeof errno === 'string' && ERRNO_CODES[errno]) {
    return new ApiError(ERRNO_CODES[errno] as ApiErrorCode, (err as Error).message);
  }
  return new ApiError('internal', errorMessage(err));
}

function isMethod(name: string): name is MethodName {
  return Object.prototype.hasOwnProperty.call(methods, name);
}

export async function dispatch(method: string, rawParams: unknown, ctx: ApiContext): Promise<unknown> {
  if (!isMethod(method)) throw new ApiError('unknown_method', `unknown API method "${method}"`);
  const parsed = methods[method].params.safeParse(rawParams ?? {});
  if (!parsed.success) {
    throw new ApiError('bad_request', `invalid params for ${method}: ${z.prettifyError(parsed.error)}`, parsed.error.issues);
  }
  const handler = handlers[method] as (params: unknown, ctx: ApiContext) => Promise<unknown>;
  try {
    return await handler(parsed.data, ctx);
  } catch (err) {
    const apiErr = toApiError(err);
    if (apiErr.code === 'internal') console.error(`[api] ${method} failed:`, err);
    throw apiErr;
  }
}
