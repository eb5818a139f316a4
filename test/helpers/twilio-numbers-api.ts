import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import twilio from 'twilio';
import { deferred } from './deferred.js';

/**
 * A local server speaking the part of Twilio's REST API (2010-04-01) that provisioning uses:
 * AvailablePhoneNumbers (Local, TollFree), IncomingPhoneNumbers (list with paging, create,
 * update, delete), with HTTP Basic auth and Twilio's error body; the Forward twimlet; and a call
 * as the carrier places it: signed voice webhook first, the number's fallback URL when that
 * cannot be reached or answers an error.
 */
export interface FakeOwned {
  sid: string;
  phone_number: string;
  voice_url: string;
  status_callback: string;
  sms_url: string;
  voice_fallback_url: string;
}

export interface FakeOffer {
  phone_number: string;
  rate_center: string;
  region: string;
  locality: string;
  tollFree?: boolean;
}

/**
 * `prefix` serves the API below a path (SignalWire's LaML API is `/api/laml/2010-04-01/...`);
 * `sidOf` names the n-th number bought (Twilio: PN and 32 digits; SignalWire: a UUID).
 */
export async function startTwilioNumbersApi(
  accountSid: string,
  authToken: string,
  { prefix = '', sidOf = (n: number) => `PN${String(n).padStart(32, '0')}` } = {},
) {
  const offers: FakeOffer[] = [];
  const owned = new Map<string, FakeOwned>();
  const requests: { method: string; path: string; form: Record<string, string> }[] = [];
  let sequence = 0;
  let holding: { arrived: () => void; released: Promise<void> } | undefined;
  const expectedAuth = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;
  const account = `${prefix}/2010-04-01/Accounts/${accountSid}`;

  const send = (response: ServerResponse, status: number, body?: unknown) => {
    if (body === undefined) return response.writeHead(status).end();
    response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  const error = (response: ServerResponse, status: number, code: number, message: string) =>
    send(response, status, {
      code,
      message,
      more_info: `https://www.twilio.com/docs/errors/${code}`,
      status,
    });

  const read = async (request: IncomingMessage) => {
    let text = '';
    for await (const chunk of request) text += String(chunk);
    return Object.fromEntries(new URLSearchParams(text));
  };

  const server = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://fake');
    const form = await read(request);
    requests.push({ method: request.method ?? '', path: url.pathname, form });
    if (url.pathname === '/twimlets/forward') {
      const to = url.searchParams.get('PhoneNumber') ?? '';
      response.writeHead(200, { 'content-type': 'text/xml' });
      return response.end(`<?xml version="1.0" encoding="UTF-8"?><Response><Dial>${to}</Dial></Response>`);
    }
    if (request.headers.authorization !== expectedAuth) return error(response, 401, 20003, 'Authenticate');
    const path = url.pathname;
    if (request.method === 'GET' && /\/AvailablePhoneNumbers\/US\/(Local|TollFree)\.json$/.test(path)) {
      const tollFree = path.endsWith('TollFree.json');
      const areaCode = url.searchParams.get('AreaCode');
      const region = url.searchParams.get('InRegion');
      const contains = url.searchParams.get('Contains');
      const size = Number(url.searchParams.get('PageSize') ?? 50);
      const found = offers
        .filter((offer) => Boolean(offer.tollFree) === tollFree)
        .filter((offer) => !areaCode || offer.phone_number.startsWith(`+1${areaCode}`))
        .filter((offer) => !region || offer.region === region)
        .filter((offer) => !contains || offer.phone_number.includes(contains))
        .slice(0, size);
      return send(response, 200, {
        available_phone_numbers: found.map(({ tollFree: _, ...offer }) => ({
          friendly_name: offer.phone_number,
          ...offer,
          iso_country: 'US',
          capabilities: { voice: true, SMS: true, MMS: false },
        })),
        uri: `${path}${url.search}`,
      });
    }
    if (path === `${account}/IncomingPhoneNumbers.json` && request.method === 'POST') {
      const index = offers.findIndex((offer) => offer.phone_number === form.PhoneNumber);
      if (index < 0) return error(response, 400, 21422, 'PhoneNumber requested is not available');
      offers.splice(index, 1);
      const sid = sidOf(++sequence);
      const number: FakeOwned = {
        sid,
        phone_number: form.PhoneNumber ?? '',
        voice_url: form.VoiceUrl ?? '',
        status_callback: form.StatusCallback ?? '',
        sms_url: form.SmsUrl ?? '',
        voice_fallback_url: form.VoiceFallbackUrl ?? '',
      };
      owned.set(sid, number);
      return send(response, 201, number);
    }
    if (path === `${account}/IncomingPhoneNumbers.json` && request.method === 'GET') {
      const size = Number(url.searchParams.get('PageSize') ?? 50);
      const page = Number(url.searchParams.get('Page') ?? 0);
      const all = [...owned.values()];
      const slice = all.slice(page * size, (page + 1) * size);
      const more = (page + 1) * size < all.length;
      return send(response, 200, {
        incoming_phone_numbers: slice,
        page,
        page_size: size,
        next_page_uri: more ? `${account}/IncomingPhoneNumbers.json?PageSize=${size}&Page=${page + 1}` : null,
      });
    }
    const one = /\/IncomingPhoneNumbers\/([\w-]+)\.json$/.exec(path);
    // a carrier slow to update or release a number: the request waits until let go
    if (one && holding) {
      holding.arrived();
      await holding.released;
    }
    const existing = one ? owned.get(one[1] as string) : undefined;
    if (one && !existing) return error(response, 404, 20404, 'The requested resource was not found');
    if (existing && request.method === 'POST') {
      if (form.VoiceUrl !== undefined) existing.voice_url = form.VoiceUrl;
      if (form.StatusCallback !== undefined) existing.status_callback = form.StatusCallback;
      if (form.SmsUrl !== undefined) existing.sms_url = form.SmsUrl;
      if (form.VoiceFallbackUrl !== undefined) existing.voice_fallback_url = form.VoiceFallbackUrl;
      return send(response, 200, existing);
    }
    if (existing && request.method === 'DELETE') {
      owned.delete(existing.sid);
      return send(response, 204);
    }
    return error(response, 404, 20404, 'The requested resource was not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;

  return {
    base,
    offers,
    owned,
    requests,
    /**
     * Holds the next updates and releases of owned numbers unanswered: `arrived` resolves when
     * one is waiting, `letGo` answers them (and the ones after).
     */
    holdNumberUpdates() {
      const arrived = deferred();
      const released = deferred();
      holding = { arrived: arrived.resolve, released: released.promise };
      return {
        arrived: arrived.promise,
        letGo: () => {
          holding = undefined;
          released.resolve();
        },
      };
    },
    /** A number the account owns outside Switchboard (for sync and rewire). */
    own(phoneNumber: string, voiceUrl: string): FakeOwned {
      const sid = sidOf(++sequence);
      const number = {
        sid,
        phone_number: phoneNumber,
        voice_url: voiceUrl,
        status_callback: '',
        sms_url: '',
        voice_fallback_url: '',
      };
      owned.set(sid, number);
      return number;
    },
    /**
     * A call to an owned number as the carrier places it: the signed voice webhook, and when that
     * cannot be reached or answers 5xx, the fallback URL. Resolves to the TwiML and where it came from.
     */
    async call(
      phoneNumber: string,
      from: string,
    ): Promise<{ from: 'voice' | 'fallback' | 'none'; twiml: string }> {
      const number = [...owned.values()].find((n) => n.phone_number === phoneNumber);
      if (!number) throw new Error(`${phoneNumber} is not owned`);
      const params = {
        AccountSid: accountSid,
        CallSid: `CA${String(++sequence).padStart(32, '0')}`,
        CallStatus: 'ringing',
        From: from,
        To: phoneNumber,
      };
      try {
        const response = await fetch(number.voice_url, {
          method: 'POST',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            'x-twilio-signature': twilio.getExpectedTwilioSignature(authToken, number.voice_url, params),
          },
          body: new URLSearchParams(params).toString(),
          signal: AbortSignal.timeout(5000),
        });
        if (response.status < 500) return { from: 'voice', twiml: await response.text() };
      } catch {}
      if (!number.voice_fallback_url) return { from: 'none', twiml: '' };
      const fallback = await fetch(number.voice_fallback_url);
      return { from: 'fallback', twiml: await fallback.text() };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type TwilioNumbersApi = Awaited<ReturnType<typeof startTwilioNumbersApi>>;
