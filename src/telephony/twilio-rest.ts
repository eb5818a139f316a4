/**
 * One request to Twilio's REST API (2010-04-01) for an account, or to anything that speaks it at
 * TWILIO_API_BASE_URL: HTTP Basic with the account sid and auth token, a timeout, forms in and
 * JSON out. The Messages and the phone-number clients are built on it.
 */
export interface TwilioRestOptions {
  baseUrl: string;
  accountSid: string;
  authToken: string;
  timeoutMs: number;
}

export interface TwilioAnswer {
  status: number;
  /** the parsed body; undefined when it was empty or not JSON */
  json: unknown;
}

/** Twilio's error body: its error code and message, when it gave them. */
export function twilioError(json: unknown): { code: number | null; message: string | null } {
  const error = json as { code?: unknown; message?: unknown } | undefined;
  return {
    code: typeof error?.code === 'number' ? error.code : null,
    message: typeof error?.message === 'string' ? error.message : null,
  };
}

export function createTwilioRest({ baseUrl, accountSid, authToken, timeoutMs }: TwilioRestOptions) {
  const root = baseUrl.replace(/\/+$/, '');
  const account = `${root}/2010-04-01/Accounts/${encodeURIComponent(accountSid)}`;
  // A `next_page_uri` is absolute from the host: `/2010-04-01/...` at Twilio, and
  // `/api/laml/2010-04-01/...` at SignalWire, whose base URL has that path.
  const { origin, pathname } = new URL(root);
  const versionRoot = `${pathname.replace(/\/+$/, '')}/2010-04-01/`;
  const authorization = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;

  /**
   * `path` is below the account (`/Messages.json?To=...`) or a `next_page_uri` from the host.
   * Rejects only when the API could not be reached (the request may or may not have arrived).
   */
  return async function request(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    form?: URLSearchParams,
  ): Promise<TwilioAnswer> {
    const url = path.startsWith(versionRoot) ? `${origin}${path}` : `${account}${path}`;
    const response = await fetch(url, {
      method,
      headers: {
        authorization,
        accept: 'application/json',
        'user-agent': 'Switchboard',
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(form ? { body: form.toString() } : {}),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: response.status, json };
  };
}

export type TwilioRequest = ReturnType<typeof createTwilioRest>;
