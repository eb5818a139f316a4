import { Value } from '@sinclair/typebox/value';
import { WebhookCreate } from '../../../../src/modules/webhooks/webhooks.schemas.js';
import type { WebhookFields } from './queries';

/**
 * The webhook form is checked with the server's own schema (the one POST /v2/webhook validates
 * with), so the limits shown as you type are the API's, never a copy of them.
 */
export function webhookFieldErrors(
  fields: WebhookFields,
  groupId: number,
): Partial<Record<keyof WebhookFields, string>> {
  const errors: Partial<Record<keyof WebhookFields, string>> = {};
  for (const error of Value.Errors(WebhookCreate, { org_unit_id: groupId, ...fields })) {
    const field = error.path.split('/')[1] as keyof WebhookFields | undefined;
    if (field && !errors[field]) errors[field] = error.message;
  }
  return errors;
}
