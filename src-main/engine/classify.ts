import { appError, toAppError, type AppError } from '../../src-shared/errors.js';
import { describeNetworkFailure } from '../net/http.js';
import { errnoCode, isPermissionError } from './file-system.js';

/**
 * Turns whatever an attempt threw into an AppError. Local file errors get their own codes
 * because retrying cannot fix them: a permission problem needs the user, a vanished file is gone.
 */
export function classifyFailure(thrown: unknown): AppError {
  if (isPermissionError(thrown)) {
    return appError('permission', `Cannot read the file (${errnoCode(thrown)}).`, { retryable: false });
  }
  const code = errnoCode(thrown);
  if (code === 'ENOENT') return appError('not_found', 'The file no longer exists.', { retryable: false });
  if (code === 'EISDIR') return appError('not_a_file', 'The path is not a regular file.', { retryable: false });
  // Undici reports connection failures as a bare TypeError; a provider should map these itself,
  // but if one slips through it is a network problem, not an internal bug.
  if (thrown instanceof TypeError && thrown.message === 'fetch failed') {
    const cause = (thrown as { cause?: { code?: unknown; hostname?: unknown; address?: unknown } }).cause;
    const code = typeof cause?.code === 'string' ? cause.code : null;
    const host = typeof cause?.hostname === 'string' ? cause.hostname : typeof cause?.address === 'string' ? cause.address : 'the upload service';
    return appError('network', code ? describeNetworkFailure(code, host) : `Can't reach ${host}.`, code ? { details: { errno: code } } : {});
  }
  return toAppError(thrown);
}

/** True when the service refused the credentials: retrying would only hammer it. */
export function isAuthError(error: AppError): boolean {
  return error.code === 'unauthorized' || error.code === 'forbidden';
}

/**
 * A server-requested wait, if the provider put one in the error's details as `retryAfterMs`
 * (parsed from Retry-After with parseRetryAfter).
 */
export function retryAfterOf(error: AppError): number | null {
  const value = error.details?.retryAfterMs;
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : null;
}
