import type { Config } from '../config.js';
import type { Db } from '../db/index.js';
import { createNumberProvisioning, type NumberProvisioning } from '../modules/numbers/number-provisioning.js';
import { numberWebhookUrls, SIGNALWIRE_WEBHOOK_PREFIX, TELNYX_WEBHOOK_PREFIX } from './callback-urls.js';
import { createTelnyxNumbers } from './telnyx-numbers.js';
import { createTwilioNumbers, twilioProvisioning, twilioWebhooksFor } from './twilio-numbers.js';

/**
 * Number provisioning through the account of the carrier CARRIER names: Twilio's REST API,
 * SignalWire's LaML REST API (Twilio's resources under `<space>/api/laml`, with the project id and
 * API token) or Telnyx's API v2. Numbers are pointed at that carrier's own webhooks.
 */
export function carrierProvisioning(config: Config, db: Db, twilioAuthToken: string): NumberProvisioning {
  const timeoutMs = config.OUTBOUND_HTTP_TIMEOUT_MS;
  switch (config.CARRIER) {
    case 'signalwire': {
      const {
        SIGNALWIRE_SPACE_URL: space,
        SIGNALWIRE_PROJECT_ID: project,
        SIGNALWIRE_API_TOKEN: token,
      } = config;
      return createNumberProvisioning({
        db,
        carrier:
          space && project && token
            ? createTwilioNumbers({
                baseUrl: `${space.replace(/\/+$/, '')}/api/laml`,
                accountSid: project,
                authToken: token,
                timeoutMs,
              })
            : undefined,
        // LaML reads the Forward twimlet's TwiML like any other: the same fail-safe as Twilio's
        webhooksFor: twilioWebhooksFor(config, SIGNALWIRE_WEBHOOK_PREFIX),
        accountVariable: 'SIGNALWIRE_SPACE_URL, SIGNALWIRE_PROJECT_ID, SIGNALWIRE_API_TOKEN',
        carrierName: 'signalwire',
      });
    }
    case 'telnyx': {
      const {
        TELNYX_API_KEY: apiKey,
        TELNYX_TEXML_APP_ID: applicationId,
        TELNYX_MESSAGING_PROFILE_ID: messagingProfileId,
      } = config;
      const { voiceUrl, statusUrl, smsUrl } = numberWebhookUrls(
        config.PUBLIC_BASE_URL,
        TELNYX_WEBHOOK_PREFIX,
      );
      return createNumberProvisioning({
        db,
        carrier:
          apiKey && applicationId
            ? createTelnyxNumbers({
                baseUrl: config.TELNYX_API_BASE_URL,
                apiKey,
                applicationId,
                messagingProfileId,
                timeoutMs,
              })
            : undefined,
        // Telnyx texts go to a messaging profile, not to TeXML: its webhook URL, when there is one
        webhooksFor: () => ({
          voiceUrl,
          statusCallback: statusUrl,
          smsUrl: messagingProfileId ? smsUrl : '',
          voiceFallbackUrl: '',
        }),
        carrierName: 'telnyx',
        accountVariable: 'TELNYX_API_KEY, TELNYX_TEXML_APP_ID',
      });
    }
    default:
      return twilioProvisioning(config, db, twilioAuthToken);
  }
}
