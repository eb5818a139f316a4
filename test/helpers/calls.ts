import { expect } from 'vitest';
import type { TestContext, TestUser } from './app.js';
import { type FilePart, mp3, multipart } from './audio.js';

/** Fixtures for the calls API tests: call flows to call and call uploads. */

/** POST /v2/call/upload with the given fields and (by default) one mp3 in `file`. */
export async function uploadCall(
  ctx: TestContext,
  token: string,
  fields: Record<string, string>,
  files: FilePart[] = [{ field: 'file', name: 'call.mp3', data: mp3() }],
) {
  const { payload, headers } = await multipart(fields, files);
  const response = await ctx.app.inject({
    method: 'POST',
    url: '/v2/call/upload',
    headers: { ...headers, authorization: `Bearer ${token}` },
    payload,
  });
  return { status: response.statusCode, body: response.json() };
}

/** A multi-level IVR flow on `number` whose option 1 rings 8015550100 (recorded). */
export async function createIvrFlow(
  ctx: TestContext,
  admin: TestUser,
  campaignId: number,
  number: string,
  groupId = admin.group_id,
): Promise<number> {
  const { body } = await ctx.request('POST', '/v2/callflow/multilevelivr', {
    token: admin.token,
    body: [
      {
        call_flow_name: `Flow ${number}`,
        group_id: groupId,
        campaign_id: campaignId,
        channel_id: 1,
        message: 'For sales press 1.',
        call_value: 40,
        repeat_interval: 24,
        number: { phone_number: number },
        ivrs: [
          { key: 1, action: 'simple', message: 'Connecting.', target_did: 8015550100, record_enabled: true },
        ],
      },
    ],
  });
  expect(body[0]?.result).toBe('success');
  return Number(body[0].data);
}

/**
 * Bulk calls for list and metrics fixtures, written straight to the table (the carrier path is
 * exercised elsewhere); returns the new ids in insert order.
 */
export async function insertCalls(
  ctx: TestContext,
  calls: {
    group_id: number;
    started_at: string;
    duration?: number;
    disposition?: string;
    caller?: string;
    tracking?: string;
    campaign_id?: number | null;
    channel_id?: number | null;
    call_value?: number | null;
    is_repeat?: boolean;
  }[],
): Promise<number[]> {
  const ids: number[] = [];
  for (const call of calls) {
    const { rows } = await ctx.db.query<{ call_id: number }>(
      `insert into call (carrier_call_sid, group_id, campaign_id, channel_id, tracking_number, caller_number,
                         started_at, ended_at, duration_seconds, disposition, is_repeat, call_value)
       values ('fixture-' || gen_random_uuid(), $1, $2, $3, $4, $5, $6,
               $6::timestamptz + make_interval(secs => $7), $7, $8, $9, $10)
       returning call_id::integer as call_id`,
      [
        call.group_id,
        call.campaign_id ?? null,
        call.channel_id ?? null,
        call.tracking ?? '8015550000',
        call.caller ?? '4805551234',
        call.started_at,
        call.duration ?? 60,
        call.disposition ?? 'ANSWERED',
        call.is_repeat ?? false,
        call.call_value ?? null,
      ],
    );
    ids.push((rows[0] as { call_id: number }).call_id);
  }
  return ids;
}
