/**
 * Errors are data: every failure that crosses a boundary (IPC, HTTP, engine events) is an
 * `AppError` with a stable `code` the UI can switch on. Never throw raw strings across layers.
 */

/** Every error code Ferry knows. The UI switches on these; keep them stable. */
export const ERROR_CODES = [
  // input and contract
  'bad_request', // malformed payload, schema violation, unknown channel
  'unauthorized', // missing/wrong token or credentials (HTTP 401)
  'forbidden', // valid credentials, not allowed (HTTP 403, expired policy)
  'not_found',
  'conflict',
  'payload_too_large',
  'unsupported', // feature or task the target cannot do
  // transport and server
  'rate_limited', // HTTP 429
  'server_error', // HTTP 5xx
  'network', // connection refused/reset, DNS
  'timeout', // request took too long overall
  'stalled', // no progress for the stall window
  'protocol', // server answered something that breaks the protocol (missing ETag, bad JSON)
  'partial_success', // bulk call where some items failed (HTTP 207)
  // files
  'empty_file',
  'not_a_file',
  'permission', // EACCES / EPERM / EBUSY reading a local file
  'file_changed', // the source changed while it was uploading
  'integrity', // stored bytes do not match the source
  // app
  'aborted', // canceled by the user or shutdown
  'invalid_transition', // job state machine refused an event
  'keychain_unavailable',
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** The one error shape. `retryable` tells the engine whether trying again can help. */
export type AppError = {
  readonly code: ErrorCode;
  readonly message: string;
  readonly retryable: boolean;
  /** Small, serialisable facts for the UI or logs (status code, part number...). Never secrets. */
  readonly details?: Readonly<Record<string, string | number | boolean | null>>;
};

/** Codes that are worth retrying by default; callers may override per case. */
const RETRYABLE_BY_DEFAULT: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'rate_limited',
  'server_error',
  'network',
  'timeout',
  'stalled',
  'protocol',
]);

/** Builds an AppError; `retryable` defaults from the code. */
export function appError(
  code: ErrorCode,
  message: string,
  opts: { retryable?: boolean; details?: AppError['details'] } = {},
): AppError {
  const err: AppError = {
    code,
    message,
    retryable: opts.retryable ?? RETRYABLE_BY_DEFAULT.has(code),
    ...(opts.details ? { details: opts.details } : {}),
  };
  return err;
}

/** Narrowing guard for values that crossed a boundary. */
export function isAppError(value: unknown): value is AppError {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.code === 'string' &&
    (ERROR_CODES as readonly string[]).includes(v.code) &&
    typeof v.message === 'string' &&
    typeof v.retryable === 'boolean'
  );
}

/** A thrown carrier for AppError inside the main process; converted back to data at boundaries. */
export class FerryError extends Error {
  readonly error: AppError;
  constructor(error: AppError) {
    super(error.message);
    this.name = 'FerryError';
    this.error = error;
  }
}

/** Turns anything thrown into an AppError (unknown throws become `internal`). */
export function toAppError(thrown: unknown): AppError {
  if (thrown instanceof FerryError) return thrown.error;
  if (isAppError(thrown)) return thrown;
  if (thrown instanceof Error && thrown.name === 'AbortError') {
    return appError('aborted', 'The operation was canceled.');
  }
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  return appError('internal', message || 'Unexpected error.');
}

/** Maps an HTTP status to the error code Ferry uses for it. */
export function codeForStatus(status: number): ErrorCode {
  if (status === 400 || status === 422) return 'bad_request';
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 409) return 'conflict';
  if (status === 413) return 'payload_too_large';
  if (status === 429) return 'rate_limited';
  if (status === 207) return 'partial_success';
  // Not Implemented: the server cannot do this at all, so trying again cannot help.
  if (status === 501) return 'unsupported';
  if (status >= 500) return 'server_error';
  return 'protocol';
}

/** The reply envelope of every contract call. */
export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: AppError };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = <T = never>(error: AppError): Result<T> => ({ ok: false, error });
