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
