import { describe, expect, it } from 'vitest';
import type { CallFlowEntry } from '../../src/modules/callflows/callflow-create.schemas.js';
import {
  callFlowLocationIds,
  callFlowReason,
  ivrOptionsOf,
  toIvrOptions,
} from '../../src/modules/callflows/callflows.validate.js';

const base = {
  call_flow_name: 'Front desk',
  group_id: 2,
  campaign_id: 3,
  routable_type: 'simple',
  default_ringto: '8015550100',
  number: { phone_number: 9495551000 },
};

const entry = (overrides: Record<string, unknown>) => ({ ...base, ...overrides }) as CallFlowEntry;

const schedule = {
  timezone: 'Pacific',
  schedules: [
    {
      schedule_days: [{ id: 'AllDays' as const }],
      schedule_start_time: '22:00',
      schedule_end_time: '06:00',
      ring_to: '8015550301',
    },
  ],
};

describe('callFlowReason accepts one good flow of each route type', () => {
  it.each([
    ['simple', {}],
    ['hangup', { default_ringto: undefined }],
    ['hangup', { default_ringto: 'Hangup' }],
    ['simple', { default_ringto: 'hangup' }],
    [
      'ivr',
      { default_ringto: undefined, ivrs: [{ Key: 1, route_type: 'Simple', target_did: '8018786943' }] },
    ],
    ['geo', { geo_route: { route_by: 'Claimed State', location_id: 4 } }],
    [
      'percentage',
      {
        default_ringto: undefined,
        ringto_percentage: [
          { ringToNum: 8015550401, percentage: 70 },
          { ringToNum: '8015550402', percentage: 30 },
        ],
      },
    ],
    ['schedule', { default_ringto: 'hangup', schedule_data: schedule }],
    ['outbound', { default_ringto: undefined, outboundData: { pin: '00001234' } }],
    ['voicemail', { default_ringto: undefined }],
  ])('%s %j', (routable_type, overrides) => {
    expect(callFlowReason(entry({ routable_type, ...overrides }))).toBeUndefined();
  });

  it('lets an update keep its number', () => {
    expect(callFlowReason(entry({ call_flow_id: 7, number: undefined }))).toBeUndefined();
  });
});

describe('callFlowReason refuses', () => {
  it.each([
    ['a route type in another case', { routable_type: 'Simple' }, 'Invalid Route Type'],
    ['an empty route type', { routable_type: '' }, 'Invalid Route Type'],
    ['an inherited property name', { routable_type: 'constructor' }, 'Invalid Route Type'],
    ['an ivr without options', { routable_type: 'ivr' }, 'Missing Ivr Data.'],
    ['a geo route without geo_route', { routable_type: 'geo' }, 'Missing Geo Data.'],
    [
      'a percentage route without options',
      { routable_type: 'percentage', ringto_percentage: [] },
      'Missing Ringto Data.',
    ],
    ['a schedule route without schedule_data', { routable_type: 'schedule' }, 'Missing Schedule Data.'],
    ['an outbound route without outboundData', { routable_type: 'outbound' }, 'Missing Outbound Data.'],
    [
      'ivrs on a voicemail route',
      { routable_type: 'voicemail', ivrs: [{ Key: 1, route_type: 'Hangup' }] },
      'ivrs does not apply to a voicemail route',
    ],
    [
      'simultaneous ring without a list',
      { isSimultaneous: true },
      "overflowNumbers field is required. Make sure you typed it as 'overflowNumbers'",
    ],
    [
      'a number repeated in a simultaneous list',
      {
        isSimultaneous: true,
        overflowNumbers: [
          { overflowNumber: '(801) 555-0101', rings: 1 },
          { overflowNumber: 8015550101, rings: 1 },
        ],
      },
      'Overflow Numbers cannot contain duplicate numbers with Simultaneous hunt.',
    ],
    [
      'a schedule route without default_ringto',
      { routable_type: 'schedule', default_ringto: 0, schedule_data: schedule },
      'default_ringto is required',
    ],
    [
      'key and Key that differ',
      { routable_type: 'ivr', ivrs: [{ key: 1, Key: 2, route_type: 'Hangup' }] },
      'ivrs[0]: key 1 and Key 2 differ; send one of them',
    ],
    [
      'an IVR option with message_enabled and no message',
      { routable_type: 'ivr', ivrs: [{ Key: 1, route_type: 'Hangup', message_enabled: true }] },
      'ivrs[0]: message is required when message_enabled is true',
    ],
    [
      'message_enabled without a message',
      { message_enabled: true },
      'message is required when message_enabled is true',
    ],
    [
      'a percentage option with a bad number',
      { routable_type: 'percentage', ringto_percentage: [{ ringToNum: 123, percentage: 100 }] },
      'ringto_percentage[0]: ringToNum 123 is not a valid 10-digit phone number',
    ],
    [
      'percentages above 100',
      {
        routable_type: 'percentage',
        ringto_percentage: [
          { ringToNum: 8015550401, percentage: 70 },
          { ringToNum: 8015550402, percentage: 70 },
        ],
      },
      'ringto_percentage adds up to 140%; the percentages must add up to 100',
    ],
    [
      'a 9-digit PIN',
      { routable_type: 'outbound', outboundData: { pin: '123456789' } },
      'outboundData.pin must be 4 to 8 digits',
    ],
    [
      'a caller id that is not a phone number',
      { routable_type: 'outbound', outboundData: { pin: '1234', callerid: '555' } },
      'outboundData.callerid 555 is not a valid 10-digit phone number',
    ],
    [
      'an empty schedule window',
      {
        routable_type: 'schedule',
        schedule_data: { ...schedule, schedules: [{ ...schedule.schedules[0], schedule_end_time: '22:00' }] },
      },
      'schedule_data.schedules[0].schedule_start_time and schedule_end_time are equal: the window is empty',
    ],
    [
      'both number and number_pool',
      { number_pool: { pool_id: 3 } },
      'Provide exactly one of number or number_pool',
    ],
  ])('%s', (_, overrides, reason) => {
    expect(callFlowReason(entry(overrides))).toBe(reason);
  });
});

describe('single-level IVR items', () => {
  const items = [
    {
      Key: 1,
      name: 'Keypress-1',
      message_enabled: true,
      message: 'test_keypress-1',
      route_type: 'Simple' as const,
      record_enabled: true,
      play_disclaimer: 'before' as const,
      target_did: '8018786943',
    },
    {
      key: 2,
      route_type: 'Simple' as const,
      target_did: 'hangup',
      message_enabled: false,
      message: 'unused',
    },
    { key: 3, route_type: 'geo' as const, geoData: { route_by: 'Claimed Zip' as const, location_id: 9 } },
  ];

  it('map to IVR options the call engine already runs', () => {
    expect(toIvrOptions(items)).toEqual([
      {
        key: 1,
        action: 'simple',
        destination: 'Keypress-1',
        message: 'test_keypress-1',
        record_enabled: true,
        play_disclaimer: 'before',
        target_did: '8018786943',
      },
      { key: 2, action: 'hangup' },
      { key: 3, action: 'geo', geoData: { route_by: 'Claimed Zip', location_id: 9 } },
    ]);
  });

  it('are told apart from multi-level options by the document route type', () => {
    expect(ivrOptionsOf({ routable_type: 'ivr', ivrs: items })).toEqual(toIvrOptions(items));
    const multilevel = [{ key: 1, action: 'hangup' }];
    expect(ivrOptionsOf({ ivrs: multilevel })).toBe(multilevel);
  });

  it('name their geo locations with the geo route’s', () => {
    expect(
      callFlowLocationIds(
        entry({
          routable_type: 'ivr',
          ivrs: items,
          geo_route: { route_by: 'Claimed State', location_id: 4 },
        }),
      ),
    ).toEqual([4, 9]);
  });
});
