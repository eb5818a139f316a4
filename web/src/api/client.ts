/**
 * The one way the console talks to the server: the same /v2 API integrations use, with the
 * session cookie (sent by the browser; scripts never see it) and, on every write, the session's
 * CSRF token. Replies are V2 envelopes; failures become an ApiError that knows which form field
 * an error names, so forms can show it beside the field.
 */

let csrfToken: string | null = null;

/** Set from the sign-in reply and GET /v2/me; sent as X-CSRF-Token with every write. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export type QueryValue = string | number | boolean | null | undefined;
export type QueryParams = Record<string, QueryValue>;

interface V2ValidationBody {
  message: 'Validation errors';
  errors: { message: string; errors: { code: string; message: string; path: string[] }[] }[];
}

interface V2ErrorBody {
  result: 'error';
  err: string | string[] | null;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** messages by the body field they concern (validation errors name a path) */
    readonly fieldErrors: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The message for `field`: a validation error on it, or a business error that names it first. */
  errorFor(field: string): string | undefined {
    if (this.fieldErrors[field]) return this.fieldErrors[field];
    return this.message.startsWith(`${field} `) || this.message.startsWith(`${field}:`)
      ? this.message
      : undefined;
  }

  /** Whether any of `fields` has a message: then the form shows it there, not at the top. */
  concernsAny(fields: readonly string[]): boolean {
    return fields.some((field) => this.errorFor(field) !== undefined);
  }
}

/** The field a V2 validation error names: the last named step of its path, or the missing property. */
function fieldOf(error: { code: string; message: string; path: string[] }): string | undefined {
  if (error.code === 'OBJECT_MISSING_REQUIRED_PROPERTY') return /: (\w+)$/.exec(error.message)?.[1];
  return [...error.path].reverse().find((step) => !/^\d+$/.test(step));
}

function toApiError(status: number, body: unknown): ApiError {
  if (body && typeof body === 'object' && (body as V2ValidationBody).message === 'Validation errors') {
    const inner = (body as V2ValidationBody).errors.flatMap((outer) => outer.errors);
    const fieldErrors: Record<string, string> = {};
    for (const error of inner) {
      const field = fieldOf(error);
      if (field && !fieldErrors[field]) fieldErrors[field] = error.message;
    }
    return new ApiError(status, inner[0]?.message ?? 'The request was refused', fieldErrors);
  }
  const err = (body as V2ErrorBody | null)?.err;
  // a nested per-entry reply (PUT /v2/group/user) says "1 of 1 entries failed": its entries say why
  const entries = (body as { data?: unknown } | null)?.data;
  const reasons = Array.isArray(entries)
    ? entries.filter((entry) => entry?.result === 'error').map((entry) => String(entry.data))
    : [];
  const message =
    reasons.length > 0
      ? reasons.join('; ')
      : Array.isArray(err)
        ? err.join('; ')
        : (err ?? `The server answered ${status}`);
  return new ApiError(status, message);
}

export function withQuery(path: string, params: QueryParams = {}): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params))
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `${path}?${text}` : path;
}

/** Listeners told when the server says the session ended (401), so the app can go to sign-in. */
const signedOutListeners = new Set<() => void>();
export function onSignedOut(listener: () => void): () => void {
  signedOutListeners.add(listener);
  return () => signedOutListeners.delete(listener);
}

async function request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const form = body instanceof FormData;
  // a form sets its own multipart content type (with the boundary)
  if (body !== undefined && !form) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const response = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    ...(body === undefined ? {} : { body: form ? body : JSON.stringify(body) }),
    ...(signal ? { signal } : {}),
  });
  const text = await response.text();
  const parsed: unknown = text === '' ? null : JSON.parse(text);
  if (!response.ok) {
    if (response.status === 401 && path !== '/v2/session')
      for (const listener of signedOutListeners) listener();
    throw toApiError(response.status, parsed);
  }
  if (parsed && typeof parsed === 'object' && (parsed as V2ErrorBody).result === 'error')
    throw toApiError(response.status, parsed);
  // bulk saves of some V2 endpoints (POST /v2/callflow/multilevelivr) answer their per-entry results bare
  return Array.isArray(parsed) ? (parsed as T) : (parsed as { data: T }).data;
}

/** A streamed GET (a CSV export): the response once its headers are in, its body still coming. */
async function stream(path: string, params: QueryParams, signal?: AbortSignal): Promise<Response> {
  const response = await fetch(withQuery(path, params), {
    credentials: 'same-origin',
    ...(signal ? { signal } : {}),
  });
  if (!response.ok) {
    const text = await response.text();
    throw toApiError(response.status, text === '' ? null : JSON.parse(text));
  }
  return response;
}

export const api = {
  stream,
  get: <T>(path: string, params?: QueryParams, signal?: AbortSignal) =>
    request<T>('GET', withQuery(path, params), undefined, signal),
  post: <T>(path: string, body: unknown) => request<T>('POST', path, body),
  /** A multipart upload (a file in a form). */
  upload: <T>(path: string, form: FormData) => request<T>('POST', path, form),
  put: <T>(path: string, body: unknown) => request<T>('PUT', path, body),
  delete: <T>(path: string, body?: unknown) => request<T>('DELETE', path, body),
};
