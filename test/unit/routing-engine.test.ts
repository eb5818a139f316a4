import { describe, expect, it } from 'vitest';
import { hashOutboundPin, isOutboundPin } from '../../src/modules/callflows/callflow-secrets.js';
import type { MultilevelIvrFlow } from '../../src/modules/callflows/callflows.schemas.js';
import {
  type Action,
  type CallContext,
  type CallEvent,
  DISCLAIMER,
  ENTER_NUMBER,
  ENTER_PIN,
  GOODBYE,
  INVALID_NUMBER,
  INVALID_OPTION,
  keyPath,
  NOT_IN_SERVICE,
  resume,
  type Step,
  start,
  WRONG_PIN,
} from '../../src/routing/engine.js';
import {
  type Branch,
  compileFlowProgram,
  compileIvrProgram,
  type Program,
} from '../../src/routing/program.js';

const schedule = {
  timezone: 'Eastern',
  default_ringto: 8015550300,
  voicemail_enabled: true,
  schedules: [
    {
      schedule_days: [{ id: 'Weekdays' as const }],
      schedule_start_time: '9:00 AM',
      schedule_end_time: '5:00 PM',
      ring_to: 8015550301,
    },
  ],
};

const branches: Branch[] = [
  {
    targetDid: '8015550401',
    latitude: 40.7608,
    longitude: -111.891,
    claimedStates: ['UT'],
    claimedZips: ['84101'],
  },
  {
    targetDid: '8015550402',
    latitude: 39.7392,
    longitude: -104.9903,
    claimedStates: ['CO'],
    claimedZips: ['80202'],
  },
];

function flow(overrides: Partial<MultilevelIvrFlow> = {}): MultilevelIvrFlow {
  return {
    call_flow_name: 'Engine test',
    channel_id: 1,
    group_id: 1,
    campaign_id: 1,
    message: 'Main menu',
    voicemail_greeting: 'Leave a message for the team.',
    ivrs: [
      {
        key: 1,
        action: 'simple',
        destination: 'Sales',
        message: 'Connecting to sales',
        target_did: 8015550100,
        overflowNumbers: [
          { overflowNumber: 8015550101, rings: 2 },
          { overflowNumber: 8015550102, rings: 4 },
        ],
        record_enabled: true,
        play_disclaimer: 'before',
        whisper_enabled: true,
        whisper_message: 'Sales lead',
        voicemail_enabled: true,
      },
      {
        key: 2,
        action: 'interactiveVoice',
        message: 'Service menu',
        ivrData: [
          {
            key: 1,
            action: 'simple',
            target_did: '8015550200',
            isSimultaneous: true,
            overflowNumbers: [{ overflowNumber: 8015550201, rings: 2 }],
            go_back_key: 9,
          },
          { key: 2, action: 'schedule', scheduleRoute: schedule, go_back_key: 9 },
          {
            key: 3,
            action: 'geo',
            geoData: {
              route_by: 'Zip Code Proximity',
              proximity_limit: 50,
              location_id: 7,
              target_did: 8015550499,
            },
            go_back_key: 9,
          },
          { key: 4, action: 'geo', geoData: { route_by: 'Claimed State', location_id: 7 }, go_back_key: 9 },
        ],
      },
      { key: 3, action: 'voicemail', message: 'tts://Leave us a note' },
      { key: 0, action: 'hangup', message: 'file://bye.wav' },
    ],
    ...overrides,
  } as MultilevelIvrFlow;
}

const program = (overrides: Partial<MultilevelIvrFlow> = {}, status = 'active'): Program =>
  compileIvrProgram({
    callFlowId: 1,
    version: 1,
    status,
    document: flow(overrides),
    locations: new Map([[7, branches]]),
  });

// Wednesday 2026-03-11 15:00 UTC = 11:00 in New York (EDT)
const weekdayMorning = new Date('2026-03-11T15:00:00Z');
const context = (overrides: Partial<CallContext> = {}): CallContext => ({
  now: weekdayMorning,
  from: '2125550100',
  ...overrides,
});

/** Plays a call: start, then each event in turn; returns every step. */
function play(p: Program, events: CallEvent[], ctx: CallContext = context()): Step[] {
  const steps = [start(p, ctx)];
  for (const event of events) steps.push(resume(p, (steps.at(-1) as Step).state, event, ctx));
  return steps;
}

const press = (digits: string): CallEvent => ({ type: 'gather', digits });
const silence: CallEvent = { type: 'gather' };
const dial = (outcome: 'answered' | 'busy' | 'no-answer' | 'failed' | 'canceled'): CallEvent => ({
  type: 'dial',
  outcome,
});
const dials = (actions: Action[]) => actions.filter((a) => a.verb === 'dial');
const last = (steps: Step[]) => steps.at(-1) as Step;

describe('menus', () => {
  it('starts with the top menu prompt inside a one-digit gather', () => {
    const [first] = play(program(), []);
    expect(first?.actions).toEqual([
      { verb: 'gather', numDigits: 1, timeoutSeconds: 6, prompt: [{ verb: 'say', text: 'Main menu' }] },
    ]);
  });

  it('answers a call to an inactive flow with "not in service"', () => {
    const [first] = play(program({}, 'suspended'), []);
    expect(first?.actions).toEqual([{ verb: 'say', text: NOT_IN_SERVICE }, { verb: 'hangup' }]);
    expect(first?.done).toBe(true);
  });

  it('says an invalid key is invalid and replays, then falls back after 3', () => {
    const steps = play(program(), [press('7'), press('8'), press('6')]);
    expect(steps[1]?.actions[0]).toEqual({ verb: 'say', text: INVALID_OPTION });
    expect(steps[1]?.actions[1]).toMatchObject({ verb: 'gather' });
    expect(steps[2]?.done).toBe(false);
    expect(last(steps).actions).toEqual([
      { verb: 'say', text: INVALID_OPTION },
      { verb: 'say', text: GOODBYE },
      { verb: 'hangup' },
    ]);
    expect(last(steps).state.trail).toContain('invalid-input');
  });

  it('replays on no input and gives up after 3 timeouts', () => {
    const steps = play(program(), [silence, silence, silence]);
    expect(steps[1]?.actions).toEqual(steps[0]?.actions);
    expect(last(steps).done).toBe(true);
    expect(last(steps).state.trail).toContain('no-input');
  });

  it('sends a caller who gives up to the referral number when there is one', () => {
    const steps = play(program({ referral_number: 8015550999 }), [silence, silence, silence]);
    expect(dials(last(steps).actions)).toEqual([
      { verb: 'dial', legs: [{ number: '8015550999', timeoutSeconds: 30 }], record: false },
    ]);
  });

  it('enters a sub-menu, goes back with go_back_key and keeps the key path', () => {
    const steps = play(program(), [press('2'), press('9'), press('2'), press('1')]);
    expect(steps[1]?.actions[0]).toMatchObject({
      verb: 'gather',
      prompt: [{ verb: 'say', text: 'Service menu' }],
    });
    expect(steps[2]?.actions[0]).toMatchObject({
      verb: 'gather',
      prompt: [{ verb: 'say', text: 'Main menu' }],
    });
    expect(keyPath(last(steps).state)).toBe('2>9>2>1');
    expect(last(steps).state.phase).toBe('connect');
  });

  it('treats go_back_key as invalid in the top menu', () => {
    const steps = play(program(), [press('9')]);
    expect(steps[1]?.actions[0]).toEqual({ verb: 'say', text: INVALID_OPTION });
  });

  it('caps menu visits per call, however the caller loops', () => {
    const events = Array.from({ length: 30 }, (_, i) => press(i % 2 === 0 ? '2' : '9'));
    const steps = play(program(), events);
    const ended = steps.findIndex((s) => s.done);
    expect(ended).toBeGreaterThan(0);
    expect(steps[ended]?.state.trail).toContain('menu-visits-exceeded');
  });

  it('caps total time in menus', () => {
    const p = program();
    const first = start(p, context());
    const late = context({ now: new Date(weekdayMorning.getTime() + 301_000) });
    const step = resume(p, first.state, press('2'), late);
    expect(step.done).toBe(true);
    expect(step.state.trail).toContain('menu-time-exceeded');
  });
});

describe('connecting', () => {
  it('plays the disclaimer before the message, whispers, records, then hunts one leg after another', () => {
    const steps = play(program(), [press('1'), dial('no-answer'), dial('busy')]);
    expect(steps[1]?.actions).toEqual([
      { verb: 'say', text: DISCLAIMER },
      { verb: 'say', text: 'Connecting to sales' },
      {
        verb: 'dial',
        legs: [{ number: '8015550100', timeoutSeconds: 18 }],
        record: true,
        whisper: 'Sales lead',
      },
    ]);
    expect(dials(steps[2]?.actions ?? [])).toEqual([
      {
        verb: 'dial',
        legs: [{ number: '8015550101', timeoutSeconds: 12 }],
        record: true,
        whisper: 'Sales lead',
      },
    ]);
    expect(dials(steps[3]?.actions ?? [])[0]).toMatchObject({
      legs: [{ number: '8015550102', timeoutSeconds: 24 }],
    });
  });

  it('takes a voicemail after every leg fails, with the flow greeting', () => {
    const steps = play(program(), [
      press('1'),
      dial('no-answer'),
      dial('no-answer'),
      dial('failed'),
      { type: 'recorded' },
    ]);
    expect(steps[4]?.actions).toEqual([
      { verb: 'say', text: 'Leave a message for the team.' },
      { verb: 'record', purpose: 'voicemail', maxLengthSeconds: 180 },
    ]);
    expect(last(steps).done).toBe(true);
    expect(last(steps).state.trail.at(-1)).toBe('voicemail-left');
  });

  it('rings every number at once when simultaneous, then says goodbye without voicemail', () => {
    const steps = play(program(), [press('2'), press('1'), dial('no-answer')]);
    expect(dials(steps[2]?.actions ?? [])).toEqual([
      {
        verb: 'dial',
        legs: [
          { number: '8015550200', timeoutSeconds: 18 },
          { number: '8015550201', timeoutSeconds: 12 },
        ],
        record: false,
      },
    ]);
    expect(last(steps).actions).toEqual([{ verb: 'say', text: GOODBYE }, { verb: 'hangup' }]);
  });

  it('ends the call when a leg answers, and ignores late events', () => {
    const steps = play(program(), [press('1'), dial('answered'), dial('no-answer')]);
    expect(steps[2]?.done).toBe(true);
    expect(steps[2]?.state.trail.at(-1)).toBe('answered');
    expect(steps[3]?.state).toEqual(steps[2]?.state);
  });

  it('changes nothing for an event that does not fit the phase', () => {
    const first = start(program(), context());
    const step = resume(program(), first.state, dial('busy'), context());
    expect(step.state).toEqual(first.state);
    expect(step.actions).toEqual([]);
  });
});

describe('schedules', () => {
  it.each([
    ['a weekday inside the window', '2026-03-11T15:00:00Z', '8015550301'],
    ['a weekday after hours', '2026-03-11T22:30:00Z', '8015550300'],
    ['a Saturday', '2026-03-14T15:00:00Z', '8015550300'],
    // 2026-03-08 is the US spring-forward Sunday; Monday 9:30 EDT is 13:30 UTC
    ['the Monday after the DST change, 9:30 local', '2026-03-09T13:30:00Z', '8015550301'],
    ['the Monday before it, 8:30 local (13:30 UTC in EST)', '2026-03-02T13:30:00Z', '8015550300'],
  ])('on %s rings the right number', (_, instant, number) => {
    const steps = play(program(), [press('2'), press('2')], context({ now: new Date(instant) }));
    expect(dials(last(steps).actions)[0]).toMatchObject({ legs: [{ number }] });
  });
});

describe('geo', () => {
  it('picks the nearest branch within the proximity limit', () => {
    const steps = play(
      program(),
      [press('2'), press('3')],
      context({ callerPoint: { latitude: 40.5, longitude: -111.9 } }),
    );
    expect(dials(last(steps).actions)[0]).toMatchObject({ legs: [{ number: '8015550401' }] });
  });

  it('rings the default target when no branch is near enough', () => {
    const steps = play(
      program(),
      [press('2'), press('3')],
      context({ callerPoint: { latitude: 25.76, longitude: -80.19 } }),
    );
    expect(dials(last(steps).actions)[0]).toMatchObject({ legs: [{ number: '8015550499' }] });
  });

  it('routes by the claimed state of the caller', () => {
    const steps = play(program(), [press('2'), press('4')], context({ fromState: 'co' }));
    expect(dials(last(steps).actions)[0]).toMatchObject({ legs: [{ number: '8015550402' }] });
  });
});

describe('other options', () => {
  it('takes a voicemail with the option message as greeting', () => {
    const steps = play(program(), [press('3')]);
    expect(last(steps).actions).toEqual([
      { verb: 'say', text: 'Leave us a note' },
      { verb: 'record', purpose: 'voicemail', maxLengthSeconds: 180 },
    ]);
  });

  it('plays an uploaded file and hangs up', () => {
    const steps = play(program(), [press('0')]);
    expect(last(steps).actions).toEqual([{ verb: 'play', reference: 'bye.wav' }, { verb: 'hangup' }]);
  });
});

describe('route types without a menu', () => {
  const compile = (routableType: string, document: Record<string, unknown>) =>
    compileFlowProgram({
      callFlowId: 2,
      version: 1,
      status: 'active',
      routableType,
      document: { call_flow_name: 'Route', group_id: 1, campaign_id: 1, channel_id: 1, ...document },
      locations: new Map([[7, branches]]),
    }) as Program;

  it.each([
    [0, '8015550600'],
    [0.69, '8015550600'],
    [0.7, '8015550601'],
    [0.99, '8015550601'],
  ])('a percentage route sends draw %s to %s (70/30)', (random, number) => {
    const program = compile('PercentageBasedRoute', {
      ringto_percentage: [
        { ringToNum: 8015550600, percentage: 70 },
        { ringToNum: 8015550601, percentage: 30 },
      ],
    });
    const step = start(program, context({ random }));
    expect(dials(step.actions)[0]).toMatchObject({ legs: [{ number }] });
  });

  it('a geo route uses default_ringto when no branch claims the caller', () => {
    const program = compile('GeoRoute', {
      default_ringto: 8015550499,
      geo_route: { route_by: 'Claimed State', location_id: 7 },
    });
    expect(dials(start(program, context({ fromState: 'NY' })).actions)[0]).toMatchObject({
      legs: [{ number: '8015550499' }],
    });
    expect(dials(start(program, context({ fromState: 'UT' })).actions)[0]).toMatchObject({
      legs: [{ number: '8015550401' }],
    });
  });

  it('a schedule route rings by the clock', () => {
    const program = compile('ScheduleRoute', { schedule_data: schedule });
    expect(dials(start(program, context()).actions)[0]).toMatchObject({ legs: [{ number: '8015550301' }] });
  });

  it('an outbound route needs a PIN', () => {
    const program = compileFlowProgram({
      callFlowId: 3,
      version: 1,
      status: 'active',
      routableType: 'OutboundRoute',
      document: { call_flow_name: 'x', group_id: 1, campaign_id: 1, channel_id: 1 },
      locations: new Map(),
    });
    expect(program).toBeUndefined();
  });
});

describe('outbound', () => {
  const pinKey = Buffer.from('a test key for outbound PINs');
  const outbound = compileFlowProgram({
    isOutboundPin: (storedPin, entered) => isOutboundPin(pinKey, storedPin, entered),
    callFlowId: 4,
    version: 1,
    status: 'active',
    routableType: 'OutboundRoute',
    trackingNumber: '3125550000',
    document: {
      call_flow_name: 'Field team',
      group_id: 1,
      campaign_id: 1,
      channel_id: 1,
      outboundData: { pin: hashOutboundPin(pinKey, '2468') },
    },
    locations: new Map(),
  }) as Program;

  it('asks for the PIN, then the number, and dials out with the tracking number as caller id', () => {
    const steps = play(outbound, [press('2468#'), press('8015550700#')]);
    expect(steps[0]?.actions[0]).toMatchObject({
      verb: 'gather',
      numDigits: 8,
      prompt: [{ verb: 'say', text: ENTER_PIN }],
    });
    expect(steps[1]?.actions[0]).toMatchObject({
      verb: 'gather',
      numDigits: 11,
      prompt: [{ verb: 'say', text: ENTER_NUMBER }],
    });
    expect(last(steps).actions).toEqual([
      {
        verb: 'dial',
        legs: [{ number: '8015550700', timeoutSeconds: 60 }],
        record: false,
        callerId: '3125550000',
      },
    ]);
    expect(last(steps).state.trail).toEqual(['r', 'pin-ok', 'ring:8015550700']);
  });

  it('says goodbye after three wrong PINs and never dials', () => {
    const steps = play(outbound, [press('1111'), press('2222'), press('3333')]);
    expect(steps[1]?.actions[0]).toEqual({ verb: 'say', text: WRONG_PIN });
    expect(last(steps).done).toBe(true);
    expect(steps.flatMap((s) => dials(s.actions))).toEqual([]);
    expect(last(steps).state.trail.at(-1)).toBe('wrong-pin');
  });

  it('asks again for a number that cannot be called', () => {
    const steps = play(outbound, [press('2468'), press('123')]);
    expect(last(steps).actions[0]).toEqual({ verb: 'say', text: INVALID_NUMBER });
    expect(last(steps).state.phase).toBe('dial-out');
  });
});
