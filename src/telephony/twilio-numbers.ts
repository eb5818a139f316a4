import type { Db } from '../db/index.js';
import {
  CarrierApiError,
  type CarrierNumbers,
  type CarrierOffer,
  type NumberWebhooks,
  type OfferCriteria,
  type OwnedNumber,
} from '../modules/numbers/carrier.js';
import { createNumberProvisioning, type NumberProvisioning } from '../modules/numbers/number-provisioning.js';
import { numberWebhookUrls, TWILIO_WEBHOOK_PREFIX } from './callback-urls.js';
import { createTwilioRest, twilioError } from './twilio-rest.js';

/**
 * The numbers of a Twilio account through Twilio's REST API (2010-04-01): the available numbers
 * to buy, buying one with its webhooks set, the numbers the account owns, pointing them at us,
 * releasing one. SignalWire's LaML REST API speaks the same resources under its own base URL.
 */

export interface TwilioNumbersOptions {
  baseUrl: string;
  accountSid: string;
  authToken: string;
  timeoutMs: number;
}

const toTen = (e164: string) => (/^\+1\d{10}$/.test(e164) ? e164.slice(2) : e164);
const toE164 = (number: string) => (/^\d{10}$/.test(number) ? `+1${number}` : number);

interface TwilioNumberResource {
  sid: string;
  phone_number: string;
  voice_url: string | null;
  status_callback: string | null;
  sms_url: string | null;
  voice_fallback_url: string | null;
}

const toOwned = (resource: TwilioNumberResource): OwnedNumber => ({
  sid: resource.sid,
  number: toTen(resource.phone_number),
  voiceUrl: resource.voice_url ?? '',
  statusCallback: resource.status_callback ?? '',
  smsUrl: resource.sms_url ?? '',
  voiceFallbackUrl: resource.voice_fallback_url ?? '',
});

const webhookParams = (hooks: NumberWebhooks) => ({
  VoiceUrl: hooks.voiceUrl,
  VoiceMethod: 'POST',
  StatusCallback: hooks.statusCallback,
  StatusCallbackMethod: 'POST',
  SmsUrl: hooks.smsUrl,
  SmsMethod: 'POST',
  VoiceFallbackUrl: hooks.voiceFallbackUrl,
  VoiceFallbackMethod: 'GET',
});

export function createTwilioNumbers({
  baseUrl,
  accountSid,
  authToken,
  timeoutMs,
}: TwilioNumbersOptions): CarrierNumbers {
  const request = createTwilioRest({ baseUrl, accountSid, authToken, timeoutMs });

  async function call<T>(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    form?: Record<string, string>,
  ): Promise<T> {
    const { status, json } = await request(method, path, form ? new URLSearchParams(form) : undefined).catch(
      (error: Error) => {
        throw new CarrierApiError(`the carrier's API is unreachable: ${error.message}`, 0);
      },
    );
    if (status < 200 || status >= 300) {
      const { code, message } = twilioError(json);
      throw new CarrierApiError(message ?? `HTTP ${status}`, status, code ?? undefined);
    }
    return (json ?? {}) as T;
  }

  return {
    /** Numbers the carrier offers, local or toll-free, in the US. */
    async offers(criteria: OfferCriteria): Promise<CarrierOffer[]> {
      const query = new URLSearchParams({ PageSize: String(criteria.limit), VoiceEnabled: 'true' });
      if (criteria.areaCode) query.set('AreaCode', criteria.areaCode);
      if (criteria.region && !criteria.tollFree) query.set('InRegion', criteria.region);
      if (criteria.contains) query.set('Contains', criteria.contains);
      const kind = criteria.tollFree ? 'TollFree' : 'Local';
      const body = await call<{
        available_phone_numbers?: {
          phone_number: string;
          rate_center?: string | null;
          region?: string | null;
          locality?: string | null;
        }[];
      }>('GET', `/AvailablePhoneNumbers/US/${kind}.json?${query}`);
      return (body.available_phone_numbers ?? [])
        .map((offer) => ({
          number: toTen(offer.phone_number),
          rateCenter: offer.rate_center ?? '',
          state: offer.region ?? '',
          locality: offer.locality ?? '',
        }))
        .filter((offer) => /^\d{10}$/.test(offer.number));
    },

    /** Buys `number` with its webhooks set; resolves to what the account now owns. */
    async buy(number: string, hooks: NumberWebhooks): Promise<OwnedNumber> {
      return toOwned(
        await call<TwilioNumberResource>('POST', '/IncomingPhoneNumbers.json', {
          PhoneNumber: toE164(number),
          ...webhookParams(hooks),
        }),
      );
    },

    /** Every number the account owns, page after page. */
    async *owned(pageSize = 100): AsyncGenerator<OwnedNumber[]> {
      let path: string | null = `/IncomingPhoneNumbers.json?PageSize=${pageSize}`;
      while (path) {
        const page: { incoming_phone_numbers?: TwilioNumberResource[]; next_page_uri?: string | null } =
          await call('GET', path);
        yield (page.incoming_phone_numbers ?? []).map(toOwned);
        path = page.next_page_uri || null;
      }
    },

    /** Points an owned number's webhooks at `hooks`. */
    async rewire(sid: string, hooks: NumberWebhooks): Promise<OwnedNumber> {
      return toOwned(
        await call<TwilioNumberResource>(
          'POST',
          `/IncomingPhoneNumbers/${encodeURIComponent(sid)}.json`,
          webhookParams(hooks),
        ),
      );
    },

    /** Gives an owned number back to the carrier, for good. */
    async release(sid: string): Promise<void> {
      await call('DELETE', `/IncomingPhoneNumbers/${encodeURIComponent(sid)}.json`);
    },
  };
}

/** What provisioning needs of the configuration. */
export interface CarrierConfig {
  PUBLIC_BASE_URL: string;
  TWILIO_API_BASE_URL: string;
  TWILIO_ACCOUNT_SID?: string | undefined;
  TWILIO_TWIMLETS_BASE_URL: string;
  OUTBOUND_HTTP_TIMEOUT_MS: number;
}

/**
 * Where a Twilio number's webhooks point: this server's voice, status and messaging URLs, and,
 * for a number with a backup, Twilio's own Forward twimlet as the fallback, which the carrier
 * runs itself when this server cannot be reached or answers an error.
 */
export function twilioWebhooksFor(config: CarrierConfig, prefix = TWILIO_WEBHOOK_PREFIX) {
  const { voiceUrl, statusUrl, smsUrl } = numberWebhookUrls(config.PUBLIC_BASE_URL, prefix);
  return (backupNumber: string | null): NumberWebhooks => ({
    voiceUrl,
    statusCallback: statusUrl,
    smsUrl,
    voiceFallbackUrl: backupNumber
      ? `${config.TWILIO_TWIMLETS_BASE_URL.replace(/\/+$/, '')}/forward?${new URLSearchParams({ PhoneNumber: `+1${backupNumber}` })}`
      : '',
  });
}

/** Number provisioning through the Twilio account, when one is configured. */
export function twilioProvisioning(config: CarrierConfig, db: Db, authToken: string): NumberProvisioning {
  const carrier = config.TWILIO_ACCOUNT_SID
    ? createTwilioNumbers({
        baseUrl: config.TWILIO_API_BASE_URL,
        accountSid: config.TWILIO_ACCOUNT_SID,
        authToken,
        timeoutMs: config.OUTBOUND_HTTP_TIMEOUT_MS,
      })
    : undefined;
  return createNumberProvisioning({ db, carrier, webhooksFor: twilioWebhooksFor(config) });
}
