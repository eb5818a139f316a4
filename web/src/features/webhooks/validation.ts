import { WebhookCreate } from '../../../../src/modules/webhooks/webhooks.schemas.js';
import { fieldErrors } from '../../lib/schema-check';
import type { WebhookFields } from './queries';

/**
 * The webhook form is checked with the schema POST /v2/webhook validates with, so the limits
 * shown as you type are the API's own.
 */
export const webhookFieldErrors = (fields: WebhookFields, groupId: number) =>
  fieldErrors<keyof WebhookFields>(WebhookCreate, { org_unit_id: groupId, ...fields });
