/**
 * What the numbers module needs from a carrier's REST API (Twilio's, SignalWire's ...): the
 * carrier edge implements it, this module depends on nothing of the edge.
 */

/** What the account's carrier offers: a number to buy. */
export interface CarrierOffer {
  /** 10 digits */
  number: string;
  rateCenter: string;
  state: string;
  locality: string;
}

/** A number the account owns, and where its webhooks point. */
export interface OwnedNumber {
  sid: string;
  /** 10 digits, or the E.164 form when it is not a NANP number */
  number: string;
  voiceUrl: string;
  statusCallback: string;
  smsUrl: string;
  voiceFallbackUrl: string;
}

/** The webhooks a number should point at. */
export interface NumberWebhooks {
  voiceUrl: string;
  statusCallback: string;
  smsUrl: string;
  /** '' clears the fallback */
  voiceFallbackUrl: string;
}

export interface OfferCriteria {
  areaCode?: string | undefined;
  /** two-letter state or province */
  region?: string | undefined;
  /** digits with `*` wildcards, as Twilio's `Contains` takes them */
  contains?: string | undefined;
  tollFree?: boolean | undefined;
  limit: number;
}

/** The carrier refused or could not be reached; `code` is Twilio's error code when it gave one. */
export class CarrierApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code?: number,
  ) {
    super(message);
    this.name = 'CarrierApiError';
  }
}

/** A carrier account's numbers. */
export interface CarrierNumbers {
  /**
   * false when the carrier keeps the fallback URL somewhere shared by many numbers (Telnyx: on the
   * TeXML application), so no backup can be set per number; default true
   */
  hasNumberFallback?: boolean;
  /** Numbers the carrier offers, local or toll-free, in the US. */
  offers(criteria: OfferCriteria): Promise<CarrierOffer[]>;
  /** Buys `number` with its webhooks set; resolves to what the account now owns. */
  buy(number: string, hooks: NumberWebhooks): Promise<OwnedNumber>;
  /** Every number the account owns, page after page. */
  owned(pageSize?: number): AsyncGenerator<OwnedNumber[]>;
  /** Points an owned number's webhooks at `hooks`. */
  rewire(sid: string, hooks: NumberWebhooks): Promise<OwnedNumber>;
  /** Gives an owned number back to the carrier, for good. */
  release(sid: string): Promise<void>;
}
