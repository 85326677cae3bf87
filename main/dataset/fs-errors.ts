/** Maps Node file-system errors to ApiErrors that name the file and the reason. */
import { ApiError } from '../../shared/api/contract';
import { errorMessage } from '../../shared/error-message';

export function errnoOf(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined;
}

/** `action` reads like "cannot read", "cannot write". */
export function fsApiError(err: unknown, file: string, action: string): ApiError {
  if (err instanceof ApiError) return err;
  const code = errnoOf(err);
  const reason = errorMessage(err);
  switch (code) {
    case 'ENOENT':
      return new ApiError('not_found', `${action} ${file}: it does not exist`, { file, errno: code });
    case 'EACCES':
    case 'EPERM':
      return new ApiError('forbidden', `${action} ${file}: permission denied`, { file, errno: code });
    case 'ENOTDIR':
      return new ApiError('not_found', `${action} ${file}: not a folder`, { file, errno: code });
    case 'EROFS':
      return new ApiError('io', `${action} ${file}: the file system is read-only`, { file, errno: code });
    case 'ENOSPC':
      return new ApiError('io', `${action} ${file}: the disk is full`, { file, errno: code });
    default:
      return new ApiError('io', `${action} ${file}: ${reason}`, { file, errno: code });
  }
}
