import { type Static, Type } from '@sinclair/typebox';
import { Envelope, MAX_ID, StringEnum, Success } from '../../http/schemas.js';

/** `source` and `url` serve a single tracking number, `session` a number pool (one number per visitor). */
export const DNI_TYPES = ['source', 'url', 'session'] as const;
export type DniType = (typeof DNI_TYPES)[number];

export const TTL_MIN_MINUTES = 15;
export const TTL_MAX_MINUTES = 525_600;

/** Required in V2's order; the descriptions are V2's where known (they appear in validation errors). */
export const DniEntry = Type.Object(
  {
    group_id: Type.Integer({
      minimum: -MAX_ID,
      maximum: MAX_ID,
      description: 'The group of the call flow',
    }),
    call_flow_id: Type.Integer({
      minimum: -MAX_ID,
      maximum: MAX_ID,
      description: 'The unique ID of the call flow directly attached to this DNI configuration',
    }),
    dni_type: StringEnum(DNI_TYPES, {
      description: '`source` or `url` for a tracking number, `session` for a number pool',
    }),
    dni_element: Type.String({
      maxLength: 255,
      description: 'The HTML class of the elements whose phone number is swapped, e.g. lmc_track',
    }),
    destination_url: Type.String({
      maxLength: 255,
      description: 'Host domain where numbers are swapped: host labels or *, e.g. *.example.com, *.*',
    }),
    referrer: Type.String({
      maxLength: 255,
      description: 'Referring site that triggers the swap: host labels or *, e.g. *.google.*, *.*',
    }),
    referrer_type: Type.Optional(
      Type.String({ maxLength: 32, description: 'paid or organic; kept for Google and Yahoo referrers' }),
    ),
    custom_cookie: Type.Optional(
      Type.String({
        maxLength: 1024,
        description: 'Comma-separated URL parameters to capture (letters, digits, spaces, - and _)',
      }),
    ),
    dni_code: Type.Optional(Type.String({ maxLength: 255, description: 'Kept as given' })),
    TTL: Type.Optional(
      Type.Integer({
        minimum: -MAX_ID,
        maximum: MAX_ID,
        description: 'Time to Live in minutes  Max - 525,600 min',
      }),
    ),
  },
  { additionalProperties: false },
);
export type DniEntry = Static<typeof DniEntry>;

/** No minItems: V2 answers `[]` with a business error, not a validation error. */
export const DniEntries = Type.Array(DniEntry, { maxItems: 1000 });

/** V2's per-entry result here has no `data` on success. */
export const DniEntryResult = Type.Object({
  result: StringEnum(['success', 'error']),
  data: Type.Optional(Type.String()),
  entry_count: Type.Integer({ minimum: 1 }),
});
export type DniEntryResult = Static<typeof DniEntryResult>;

export const DniResults = Type.Object({
  result: Success,
  err: Type.Null(),
  data: Type.Array(DniEntryResult),
});

export const DniClassesEnvelope = Envelope(
  Type.Object({
    classes: Type.Array(Type.String(), { description: 'The DNI HTML classes of the call flow' }),
  }),
);
