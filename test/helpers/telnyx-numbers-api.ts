import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

/**
 * A local server speaking the part of Telnyx's REST API v2 that provisioning uses, as its
 * reference documents it: `GET /available_phone_numbers` (filter[...] query, region_information),
 * `POST /number_orders`, `GET /phone_numbers` (filter[phone_number], page[number]/page[size], meta),
 * `PATCH` and `DELETE /phone_numbers/{id}`, `PATCH /phone_numbers/{id}/messaging`
 * (messaging_profile_id), `GET` and `PATCH /texml_applications/{id}` and
 * `/messaging_profiles/{id}` (webhook_url, webhook_api_version); Bearer auth and Telnyx's
 * `{errors: [{code, title, detail}]}` body.
 */
export interface TelnyxOffer {
  phone_number: string;
  rate_center: string;
  state: string;
  locality: string;
  tollFree?: boolean;
}

export interface TelnyxOwned {
  id: string;
  phone_number: string;
  connection_id: string | null;
  messaging_profile_id: string | null;
  status: string;
}

export interface TelnyxMessagingProfile {
  id: string;
  name: string;
  webhook_url: string | null;
  webhook_failover_url: string | null;
  webhook_api_version: string;
}

export interface TelnyxApplication {
  id: string;
  friendly_name: string;
  voice_url: string;
  voice_method: string;
  status_callback: string;
  status_callback_method: string;
}

export async function startTelnyxNumbersApi(apiKey: string, applicationId: string, messagingProfileId = '') {
  const offers: TelnyxOffer[] = [];
  const owned = new Map<string, TelnyxOwned>();
  const orders: {
    phone_numbers: { phone_number: string }[];
    connection_id?: string;
    messaging_profile_id?: string;
  }[] = [];
  const profile: TelnyxMessagingProfile = {
    id: messagingProfileId,
    name: 'Switchboard texts',
    webhook_url: null,
    webhook_failover_url: null,
    webhook_api_version: '2',
  };
  const requests: { method: string; path: string; body: unknown }[] = [];
  const application: TelnyxApplication = {
    id: applicationId,
    friendly_name: 'Switchboard',
    voice_url: 'https://example.com/texml',
    voice_method: 'post',
    status_callback: '',
    status_callback_method: 'post',
  };
  let sequence = 0;

  const send = (response: ServerResponse, status: number, body: unknown) =>
    response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  const error = (response: ServerResponse, status: number, code: string, title: string, detail = '') =>
    send(response, status, { errors: [{ code, title, detail }] });

  const read = async (request: IncomingMessage): Promise<Record<string, unknown>> => {
    let text = '';
    for await (const chunk of request) text += String(chunk);
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  };

  const server = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://fake');
    const body = await read(request);
    const path = url.pathname;
    const q = (name: string) => url.searchParams.get(name);
    requests.push({ method: request.method ?? '', path, body });
    if (request.headers.authorization !== `Bearer ${apiKey}`) {
      return error(response, 401, '10009', 'Authentication failed', 'The API key is not valid');
    }
    if (request.method === 'GET' && path === '/available_phone_numbers') {
      const tollFree = q('filter[phone_number_type]') === 'toll_free';
      const found = offers
        .filter((offer) => Boolean(offer.tollFree) === tollFree)
        .filter((offer) => {
          const ndc = q('filter[national_destination_code]');
          return !ndc || offer.phone_number.startsWith(`+1${ndc}`);
        })
        .filter(
          (offer) => !q('filter[administrative_area]') || offer.state === q('filter[administrative_area]'),
        )
        .filter((offer) => {
          const contains = q('filter[phone_number][contains]');
          return !contains || offer.phone_number.includes(contains);
        })
        .slice(0, Number(q('filter[limit]') ?? 50));
      return send(response, 200, {
        data: found.map((offer) => ({
          record_type: 'available_phone_number',
          phone_number: offer.phone_number,
          vanity_format: null,
          best_effort: false,
          reservable: true,
          region_information: [
            { region_type: 'country_code', region_name: 'US' },
            { region_type: 'rate_center', region_name: offer.rate_center },
            { region_type: 'state', region_name: offer.state },
            { region_type: 'location', region_name: offer.locality },
          ],
          features: [{ name: 'voice' }, { name: 'sms' }],
        })),
        metadata: { total_results: found.length, best_effort_results: 0 },
      });
    }
    if (request.method === 'POST' && path === '/number_orders') {
      const wanted = (body.phone_numbers as { phone_number: string }[] | undefined) ?? [];
      const missing = wanted.find((w) => !offers.some((offer) => offer.phone_number === w.phone_number));
      if (wanted.length === 0 || missing) {
        return error(
          response,
          422,
          '10015',
          'Invalid phone number',
          `${missing?.phone_number} is not available`,
        );
      }
      orders.push(body as (typeof orders)[number]);
      const bought = wanted.map((w) => {
        offers.splice(
          offers.findIndex((offer) => offer.phone_number === w.phone_number),
          1,
        );
        const number: TelnyxOwned = {
          id: `12933842610757${String(31400 + ++sequence)}`,
          phone_number: w.phone_number,
          connection_id: (body.connection_id as string | undefined) ?? null,
          messaging_profile_id: (body.messaging_profile_id as string | undefined) ?? null,
          status: 'active',
        };
        owned.set(number.id, number);
        return number;
      });
      return send(response, 200, {
        data: {
          id: randomUUID(),
          record_type: 'number_order',
          status: 'success',
          connection_id: body.connection_id ?? null,
          phone_numbers_count: bought.length,
          phone_numbers: bought.map((n) => ({
            id: randomUUID(),
            record_type: 'number_order_phone_number',
            phone_number: n.phone_number,
            status: 'success',
          })),
        },
      });
    }
    if (request.method === 'GET' && path === '/phone_numbers') {
      const size = Number(q('page[size]') ?? 20);
      const page = Number(q('page[number]') ?? 1);
      const all = [...owned.values()].filter(
        (n) => !q('filter[phone_number]') || n.phone_number === q('filter[phone_number]'),
      );
      return send(response, 200, {
        data: all.slice((page - 1) * size, page * size).map((n) => ({ record_type: 'phone_number', ...n })),
        meta: {
          total_pages: Math.max(1, Math.ceil(all.length / size)),
          total_results: all.length,
          page_number: page,
          page_size: size,
        },
      });
    }
    const messaging = /^\/phone_numbers\/([\w+-]+)\/messaging$/.exec(path);
    if (messaging && request.method === 'PATCH') {
      const number = owned.get(messaging[1] as string);
      if (!number) return error(response, 404, '10005', 'Resource not found');
      if (body.messaging_profile_id !== profile.id || profile.id === '') {
        return error(
          response,
          422,
          '10002',
          'Invalid parameter',
          'messaging_profile_id is not a profile of yours',
        );
      }
      number.messaging_profile_id = profile.id;
      return send(response, 200, {
        data: {
          record_type: 'messaging_settings',
          id: number.id,
          phone_number: number.phone_number,
          messaging_profile_id: number.messaging_profile_id,
        },
      });
    }
    if (profile.id !== '' && path === `/messaging_profiles/${profile.id}`) {
      if (request.method === 'PATCH') {
        if (body.webhook_url !== undefined && typeof body.webhook_url !== 'string') {
          return error(response, 422, '10002', 'Invalid parameter', 'webhook_url must be a URL');
        }
        Object.assign(profile, body);
      }
      return send(response, 200, { data: { record_type: 'messaging_profile', enabled: true, ...profile } });
    }
    const one = /^\/phone_numbers\/([\w+-]+)$/.exec(path);
    if (one) {
      const number = owned.get(one[1] as string);
      if (!number) return error(response, 404, '10005', 'Resource not found');
      if (request.method === 'PATCH') {
        if (typeof body.connection_id === 'string') number.connection_id = body.connection_id;
        return send(response, 200, { data: { record_type: 'phone_number', ...number } });
      }
      if (request.method === 'DELETE') {
        owned.delete(number.id);
        return send(response, 200, { data: { record_type: 'phone_number', ...number, status: 'deleted' } });
      }
    }
    if (path === `/texml_applications/${applicationId}`) {
      if (request.method === 'PATCH') {
        if (typeof body.friendly_name !== 'string' || typeof body.voice_url !== 'string') {
          return error(
            response,
            422,
            '10002',
            'Invalid parameter',
            'friendly_name and voice_url are required',
          );
        }
        Object.assign(application, body);
      }
      return send(response, 200, { data: { record_type: 'texml_application', ...application } });
    }
    return error(response, 404, '10005', 'Resource not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;

  return {
    base,
    offers,
    owned,
    orders,
    requests,
    application,
    profile,
    /** A number the account owns outside Switchboard, on `connectionId`. */
    own(phoneNumber: string, connectionId: string | null): TelnyxOwned {
      const number = {
        id: `12933842610757${String(31400 + ++sequence)}`,
        phone_number: phoneNumber,
        connection_id: connectionId,
        messaging_profile_id: null,
        status: 'active',
      };
      owned.set(number.id, number);
      return number;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type TelnyxNumbersApi = Awaited<ReturnType<typeof startTelnyxNumbersApi>>;
