/**
 * Stable error codes. Services throw AppError; http/error-handler.ts is the one place that turns
 * them into a reply (V2 envelope under /v2, problem+json elsewhere).
 */
export const ErrorCodes = {
  INVALID_INPUT: 400,
  /** a JSON body nesting deeper than the parser allows (src/http/text-guard.ts) */
  BODY_TOO_DEEP: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  NOT_ACCEPTABLE: 406,
  REQUEST_TIMEOUT: 408,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  URI_TOO_LONG: 414,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  HEADERS_TOO_LARGE: 431,
  INTERNAL: 500,
  UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

export interface AppErrorOptions {
  /** V2 puts an array of strings in `err` on some endpoints. */
  err?: string | string[];
  /** V2 puts the reason in `data` on some endpoints. */
  data?: unknown;
  cause?: unknown;
  /** sent as Retry-After (seconds) with a 429 or 503 */
  retryAfterSeconds?: number;
}

export class AppError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly options: AppErrorOptions = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
    this.status = ErrorCodes[code];
  }
}

export const invalidInput = (message: string, options?: AppErrorOptions) =>
  new AppError('INVALID_INPUT', message, options);
export const notFound = (message = 'No record found', options?: AppErrorOptions) =>
  new AppError('NOT_FOUND', message, options);
export const forbidden = (message: string, options?: AppErrorOptions) =>
  new AppError('FORBIDDEN', message, options);
export const conflict = (message: string, options?: AppErrorOptions) =>
  new AppError('CONFLICT', message, options);

/**
 * PostgreSQL's errors sorted by SQLSTATE, here and nowhere else. Both drivers put the SQLSTATE in
 * `code` (and a `severity` beside it); undefined for anything else.
 */
export function sqlStateOf(error: unknown): string | undefined {
  const { code, severity } = (error ?? {}) as { code?: unknown; severity?: unknown };
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && typeof severity === 'string'
    ? code
    : undefined;
}

/**
 * A statement rolled back because of other transactions, not because of anything wrong with it:
 * chosen as a deadlock victim (40P01), or a serialisable transaction that could not be ordered
 * (40001). The same statement run again succeeds. Read by `code` alone (a driver's error may lack
 * `severity`).
 */
export function isTransactionConflict(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '40P01' || code === '40001';
}

/**
 * An error after which a batch is written again entry by entry, so each entry gets the answer it
 * gets alone: a data exception (class 22), a constraint (class 23), a transaction conflict (40).
 */
export function isEntryError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    typeof code === 'string' && (code.startsWith('23') || code.startsWith('22') || code.startsWith('40'))
  );
}

/** Maps PostgreSQL SQLSTATE codes to AppErrors; anything unknown stays a 500. */
export function fromDatabaseError(error: unknown, messages: Partial<Record<string, string>> = {}): AppError {
  const code = (error as { code?: unknown } | null)?.code;
  switch (code) {
    case '23505':
      return conflict(messages['23505'] ?? 'A record with these values already exists', { cause: error });
    case '23503':
      return invalidInput(messages['23503'] ?? 'A referenced record does not exist', { cause: error });
    case '23514':
    case '22P02':
    case '22003':
      return invalidInput(messages[code] ?? 'A value is out of range or malformed', { cause: error });
    // a NUL character in text (22021) or jsonb (22P05), where the request guard did not see it
    case '22021':
    case '22P05':
      return invalidInput(messages[code] ?? 'Text may not contain the NUL character (\\u0000)', {
        cause: error,
      });
    default:
      return new AppError('INTERNAL', 'Internal server error', { cause: error });
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

/** The OAuth 2.0 error body (RFC 6749 section 5.2), used by /oauth/token only. */
export class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
    /** a 429's Retry-After */
    readonly retryAfterSeconds?: number,
  ) {
    super(description);
    this.name = 'OAuthError';
  }
}

/**
 * A command-line mistake or a state the user must change (a data folder in use, a missing
 * setting): the CLI prints its message as one line, without a stack trace, and exits 1.
 */
export class UsageError extends Error {}
