import {
  CarrierApiError,
  type CarrierNumbers,
  type CarrierOffer,
  type NumberWebhooks,
  type OfferCriteria,
  type OwnedNumber,
} from '../modules/numbers/carrier.js';

/**
 * The numbers of a Telnyx account through its REST API v2: `available_phone_numbers` to search,
 * `number_orders` to buy, `phone_numbers` to list, assign and release. Telnyx keeps a number's
 * voice and status URLs on the TeXML application the number is assigned to (its connection), not
 * on the number: wiring a number is assigning it to TELNYX_TEXML_APP_ID and pointing that
 * application at this server. Its fallback URL is the application's too, so a backup per number
 * cannot be set there (`hasNumberFallback` is false). Texts likewise go to a messaging profile:
 * with TELNYX_MESSAGING_PROFILE_ID, a number bought or rewired is assigned to it and its webhook
 * URL is pointed at this server's /telephony/telnyx/sms.
 */

export interface TelnyxNumbersOptions {
  baseUrl: string;
  apiKey: string;
  /** the TeXML application (connection) numbers are assigned to */
  applicationId: string;
  /** the messaging profile numbers' texts go to; absent: texts are not wired */
  messagingProfileId?: string | undefined;
  timeoutMs: number;
}

interface TelnyxPhoneNumber {
  id: string;
  phone_number: string;
  connection_id?: string | null;
  messaging_profile_id?: string | null;
}

interface TelnyxMessagingProfile {
  id: string;
  webhook_url?: string | null;
}

interface TelnyxApplication {
  id: string;
  friendly_name?: string;
  voice_url?: string | null;
  status_callback?: string | null;
}

const toTen = (e164: string) => (/^\+1\d{10}$/.test(e164) ? e164.slice(2) : e164);
const toE164 = (number: string) => (/^\d{10}$/.test(number) ? `+1${number}` : number);

/** Telnyx's error body: `{errors: [{code, title, detail}]}`. */
function telnyxMessage(json: unknown, status: number): string {
  const first = (json as { errors?: { title?: unknown; detail?: unknown }[] } | undefined)?.errors?.[0];
  const text = [first?.title, first?.detail].filter((part) => typeof part === 'string' && part !== '');
  return text.length > 0 ? text.join(': ') : `HTTP ${status}`;
}

export function createTelnyxNumbers({
  baseUrl,
  apiKey,
  applicationId,
  messagingProfileId,
  timeoutMs,
}: TelnyxNumbersOptions): CarrierNumbers {
  const root = baseUrl.replace(/\/+$/, '');

  /** One request; resolves to the whole JSON body. */
  async function request<T>(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    path: string,
    body?: Record<string, unknown>,
  ): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${root}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${apiKey}`,
          accept: 'application/json',
          'user-agent': 'Switchboard',
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new CarrierApiError(`the carrier's API is unreachable: ${(error as Error).message}`, 0);
    }
    const text = await response.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!response.ok) throw new CarrierApiError(telnyxMessage(json, response.status), response.status);
    return (json ?? {}) as T;
  }

  /** One request; resolves to its `data`. */
  const call = async <T>(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    path: string,
    body?: Record<string, unknown>,
  ): Promise<T> => ((await request<{ data?: T }>(method, path, body)).data ?? {}) as T;

  const application = () =>
    call<TelnyxApplication>('GET', `/texml_applications/${encodeURIComponent(applicationId)}`);

  /** Points the TeXML application at `hooks`; skipped when it already points there. */
  let wired = '';
  async function wireApplication(hooks: NumberWebhooks): Promise<TelnyxApplication> {
    const key = `${hooks.voiceUrl} ${hooks.statusCallback}`;
    const current = await application();
    if (wired === key && current.voice_url === hooks.voiceUrl) return current;
    const updated = await call<TelnyxApplication>(
      'PATCH',
      `/texml_applications/${encodeURIComponent(applicationId)}`,
      {
        friendly_name: current.friendly_name ?? 'Switchboard',
        voice_url: hooks.voiceUrl,
        voice_method: 'post',
        status_callback: hooks.statusCallback,
        status_callback_method: 'post',
      },
    );
    wired = key;
    return updated;
  }

  const profilePath = () => `/messaging_profiles/${encodeURIComponent(messagingProfileId ?? '')}`;
  const messagingProfile = async (): Promise<TelnyxMessagingProfile | undefined> =>
    messagingProfileId ? call<TelnyxMessagingProfile>('GET', profilePath()) : undefined;

  /** Points the messaging profile's webhook at `smsUrl` (API v2 events); skipped when it does. */
  async function wireProfile(smsUrl: string): Promise<TelnyxMessagingProfile | undefined> {
    const current = await messagingProfile();
    if (!current || !smsUrl || current.webhook_url === smsUrl) return current;
    return call<TelnyxMessagingProfile>('PATCH', profilePath(), {
      webhook_url: smsUrl,
      webhook_api_version: '2',
    });
  }

  /** Assigns a number to the messaging profile (its texts come to the profile's webhook). */
  async function assignMessaging(number: TelnyxPhoneNumber): Promise<TelnyxPhoneNumber> {
    if (!messagingProfileId || number.messaging_profile_id === messagingProfileId) return number;
    const updated = await call<TelnyxPhoneNumber>(
      'PATCH',
      `/phone_numbers/${encodeURIComponent(number.id)}/messaging`,
      { messaging_profile_id: messagingProfileId },
    );
    return { ...number, messaging_profile_id: updated.messaging_profile_id ?? messagingProfileId };
  }

  /** A number as the interface reports it: the application's URLs when assigned to ours. */
  const toOwned = (
    number: TelnyxPhoneNumber,
    app: TelnyxApplication,
    profile?: TelnyxMessagingProfile,
  ): OwnedNumber => {
    const ours = number.connection_id === applicationId;
    return {
      sid: number.id,
      number: toTen(number.phone_number),
      voiceUrl: ours
        ? (app.voice_url ?? '')
        : number.connection_id
          ? `connection:${number.connection_id}`
          : '',
      statusCallback: ours ? (app.status_callback ?? '') : '',
      smsUrl: profile && number.messaging_profile_id === profile.id ? (profile.webhook_url ?? '') : '',
      voiceFallbackUrl: '',
    };
  };

  async function findOwned(e164: string): Promise<TelnyxPhoneNumber | undefined> {
    const query = new URLSearchParams({ 'filter[phone_number]': e164, 'page[size]': '1' });
    const found = await call<TelnyxPhoneNumber[]>('GET', `/phone_numbers?${query}`);
    return Array.isArray(found) ? found[0] : undefined;
  }

  return {
    hasNumberFallback: false,

    async offers(criteria: OfferCriteria): Promise<CarrierOffer[]> {
      const query = new URLSearchParams({
        'filter[country_code]': 'US',
        'filter[phone_number_type]': criteria.tollFree ? 'toll_free' : 'local',
        'filter[features][]': 'voice',
        'filter[limit]': String(criteria.limit),
      });
      if (criteria.areaCode) query.set('filter[national_destination_code]', criteria.areaCode);
      if (criteria.region && !criteria.tollFree) query.set('filter[administrative_area]', criteria.region);
      if (criteria.contains) query.set('filter[phone_number][contains]', criteria.contains);
      const found = await call<
        { phone_number: string; region_information?: { region_type?: string; region_name?: string }[] }[]
      >('GET', `/available_phone_numbers?${query}`);
      const region = (
        offer: { region_information?: { region_type?: string; region_name?: string }[] },
        type: string,
      ) => offer.region_information?.find((r) => r.region_type === type)?.region_name ?? '';
      return (Array.isArray(found) ? found : [])
        .map((offer) => ({
          number: toTen(offer.phone_number),
          rateCenter: region(offer, 'rate_center'),
          state: region(offer, 'state'),
          locality: region(offer, 'location'),
        }))
        .filter((offer) => /^\d{10}$/.test(offer.number));
    },

    /** Orders the number on the TeXML application; the order may complete later (then: sync). */
    async buy(number: string, hooks: NumberWebhooks): Promise<OwnedNumber> {
      const app = await wireApplication(hooks);
      const profile = await wireProfile(hooks.smsUrl);
      const e164 = toE164(number);
      await call('POST', '/number_orders', {
        phone_numbers: [{ phone_number: e164 }],
        connection_id: applicationId,
        ...(messagingProfileId ? { messaging_profile_id: messagingProfileId } : {}),
      });
      const owned = await findOwned(e164);
      if (!owned) {
        throw new CarrierApiError(
          `Telnyx took the order for ${e164} but has not activated it yet: run \`switchboard numbers sync\` once it has`,
          202,
        );
      }
      return toOwned(await assignMessaging(owned), app, profile);
    },

    async *owned(pageSize = 100): AsyncGenerator<OwnedNumber[]> {
      const app = await application();
      const profile = await messagingProfile();
      for (let page = 1; ; page += 1) {
        const query = new URLSearchParams({ 'page[number]': String(page), 'page[size]': String(pageSize) });
        const { data = [], meta } = await request<{
          data?: TelnyxPhoneNumber[];
          meta?: { total_pages?: number };
        }>('GET', `/phone_numbers?${query}`);
        yield data.map((number) => toOwned(number, app, profile));
        if (page >= (meta?.total_pages ?? 1) || data.length === 0) return;
      }
    },

    async rewire(sid: string, hooks: NumberWebhooks): Promise<OwnedNumber> {
      const app = await wireApplication(hooks);
      const profile = await wireProfile(hooks.smsUrl);
      const number = await call<TelnyxPhoneNumber>('PATCH', `/phone_numbers/${encodeURIComponent(sid)}`, {
        connection_id: applicationId,
      });
      return toOwned(await assignMessaging(number), app, profile);
    },

    async release(sid: string): Promise<void> {
      await call('DELETE', `/phone_numbers/${encodeURIComponent(sid)}`);
    },
  };
}
