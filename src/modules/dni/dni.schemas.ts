import { type Static, Type } from '@sinclair/typebox';
import { Envelope, MAX_ID, StringEnum } from '../../http/schemas.js';
import { DNI_TYPES } from '../callflows/callflow-dni.schemas.js';

/** V2 types `id` as a string here and checks it in the controller, so its errors are business errors. */
export const SnippetQuery = Type.Object({
  id: Type.String({ maxLength: 64, description: 'The id of the group' }),
});

export const SnippetEnvelope = Envelope(
  Type.Array(
    Type.Record(Type.String(), Type.String(), {
      description: 'One key, the group id; the value is the HTML to paste into every page of the site',
    }),
  ),
);

export const VisitorId = Type.String({
  pattern: '^[A-Za-z0-9_-]{8,64}$',
  description: "The script's first-party visitor id",
});

export const PageViewId = Type.String({
  pattern: '^[A-Za-z0-9_-]{8,64}$',
  description: 'One id per page load: a release from a page that no longer holds the lease last is ignored',
});

const Url = (description: string) => Type.String({ maxLength: 2048, description });

/** What dni.js posts on every page view and heartbeat (as text/plain JSON, so no preflight). */
export const AssignBody = Type.Object(
  {
    code: Type.String({ minLength: 1, maxLength: 255, description: "The group's DNI code from the snippet" }),
    visitor: VisitorId,
    view: Type.Optional(PageViewId),
    page: Url('The page being viewed'),
    landing: Type.Optional(Url('The first page of the visit')),
    referrer: Type.Optional(Url('document.referrer of the first page of the visit')),
    params: Type.Optional(
      Type.Record(Type.String({ maxLength: 64 }), Type.String({ maxLength: 512 }), {
        maxProperties: 50,
        description: 'Query parameters of the landing page (UTMs, gclid, custom parameters)',
      }),
    ),
  },
  { additionalProperties: false },
);
export type AssignBody = Static<typeof AssignBody>;

export const AssignResponse = Type.Object({
  number: Type.Union([Type.String(), Type.Null()], {
    description: 'The 10-digit number to show; null: keep the page as it is',
  }),
  formatted: Type.Optional(Type.String({ description: '(949) 555-0100' })),
  e164: Type.Optional(Type.String({ description: '+19495550100, for tel: links' })),
  dni_element: Type.Optional(Type.String({ description: 'The class of the elements to swap' })),
  dni_type: Type.Optional(StringEnum(DNI_TYPES)),
  call_flow_id: Type.Optional(Type.Integer()),
  shared: Type.Optional(
    Type.Boolean({ description: 'The pool had no free number; this one is shown to another visitor too' }),
  ),
  expires_at: Type.Optional(Type.String({ description: 'When the lease ends without a heartbeat' })),
  heartbeat_seconds: Type.Optional(Type.Integer({ description: 'How often to renew the lease' })),
});
export type AssignResponse = Static<typeof AssignResponse>;

export const ReleaseBody = Type.Object(
  {
    code: Type.String({ minLength: 1, maxLength: 255 }),
    visitor: VisitorId,
    number: Type.String({ pattern: '^[2-9][0-9]{2}[2-9][0-9]{6}$' }),
    view: Type.Optional(PageViewId),
  },
  { additionalProperties: false },
);
export type ReleaseBody = Static<typeof ReleaseBody>;

export const PoolUsage = Type.Object({
  pool_id: Type.Integer(),
  pool_name: Type.String(),
  group_id: Type.Integer(),
  call_flow_id: Type.Union([Type.Integer(), Type.Null()]),
  keep_alive_minutes: Type.Integer(),
  size: Type.Integer({ description: 'Numbers in the pool' }),
  leased: Type.Integer({ description: 'Numbers a live visitor holds now' }),
  cooling: Type.Integer({ description: 'Numbers resting after their last lease ended' }),
  free: Type.Integer({ description: 'Numbers a new visitor can get now' }),
  live_visitors: Type.Integer({
    description: 'Visitors holding a number now (more than leased when shared)',
  }),
  utilisation: Type.Number({ description: 'leased / size, 0 to 1' }),
  window_days: Type.Integer(),
  peak_demand: Type.Integer({
    description: 'Most numbers needed at once in the window (each lease until its cooldown ended)',
  }),
  shared_leases: Type.Integer({
    description:
      'Leases started in the window that shared their number with another visitor (pool exhausted)',
  }),
  suggested_size: Type.Integer({ description: 'peak_demand plus 25% headroom, at least 1' }),
});
export type PoolUsage = Static<typeof PoolUsage>;

export const PoolUsageEnvelope = Envelope(PoolUsage);

/** Most points a usage history answers: longer periods are summed into longer buckets. */
export const HISTORY_MAX_POINTS = 720;
export const HISTORY_MAX_DAYS = 366;

export const UsageHistoryQuery = Type.Object({
  id: Type.Integer({ description: 'The id of the number pool', minimum: -MAX_ID, maximum: MAX_ID }),
  days: Type.Integer({
    minimum: 1,
    maximum: HISTORY_MAX_DAYS,
    default: 7,
    description: 'How many days back from now (samples are kept POOL_HISTORY_DAYS)',
  }),
});

export const PoolSample = Type.Object({
  sampled_at: Type.String({ description: "The bucket's start (ISO 8601, UTC)" }),
  size: Type.Integer({ description: 'Numbers in the pool (most in the bucket)' }),
  leased: Type.Integer({ description: 'Numbers a live visitor held (most at one sample in the bucket)' }),
  live_visitors: Type.Integer({
    description: 'Visitors holding a number (most at one sample in the bucket)',
  }),
  shared_visitors: Type.Integer({
    description:
      'Of those, visitors sharing their number because the pool was exhausted (most at one sample)',
  }),
  leases_started: Type.Integer({ description: 'Leases started in the bucket' }),
  shared_started: Type.Integer({ description: 'Of those, leases that shared their number' }),
});

export const PoolUsageHistory = Type.Object({
  pool_id: Type.Integer(),
  days: Type.Integer(),
  sample_minutes: Type.Integer({ description: 'How often the pools are sampled (POOL_SAMPLE_MINUTES)' }),
  bucket_minutes: Type.Integer({
    description: 'The span of one point: the sample interval, or longer for long periods',
  }),
  leases_started: Type.Integer({ description: 'Leases started in the period' }),
  shared_leases: Type.Integer({ description: 'Of those, leases that shared their number (pool exhausted)' }),
  shared_lease_rate: Type.Number({
    description: 'shared_leases / leases_started, 0 to 1 (0 without leases)',
  }),
  samples: Type.Array(PoolSample),
});
export type PoolUsageHistory = Static<typeof PoolUsageHistory>;

export const PoolUsageHistoryEnvelope = Envelope(PoolUsageHistory);

export const LeasedNumber = Type.Object({
  number: Type.String({ description: 'The pool number (10 digits)' }),
  leased_at: Type.String({ description: 'When the earliest live lease on it started (ISO 8601, UTC)' }),
  expires_at: Type.String({ description: 'When the last live lease on it ends without a heartbeat' }),
  visitors: Type.Integer({ description: 'Visitors holding it now (more than 1: shared)' }),
  shared: Type.Boolean({
    description: 'It was handed to another visitor while held (the pool was exhausted)',
  }),
  landing_page: Type.String({ description: "The earliest live lease's landing page" }),
  referrer: Type.String({ description: "The earliest live lease's referrer ('' when none)" }),
});
export type LeasedNumber = Static<typeof LeasedNumber>;

export const LeasedNumbersEnvelope = Envelope(Type.Array(LeasedNumber));
