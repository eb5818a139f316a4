import { describe, expect, it } from 'vitest';
import { hashOutboundPin, isOutboundPin } from '../../src/modules/callflows/callflow-secrets.js';
import {
  type Action,
  AWAITED_EVENT,
  type CallContext,
  type CallEvent,
  DISCLAIMER,
  ENTER_NUMBER,
  ENTER_PIN,
  ENTER_ZIP,
  GOODBYE,
  INVALID_NUMBER,
  INVALID_OPTION,
  keyPath,
  NOT_IN_SERVICE,
  resume,
  type Step,
  start,
  UNKNOWN_ZIP,
  WRONG_PIN,
} from '../../src/routing/engine.js';
import type { MultilevelIvrFlow } from '../../src/routing/flow-document.js';
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

  it('hunts on when a leg is cancelled while the caller is still on the line', () => {
    const steps = play(program(), [press('1'), { type: 'dial', outcome: 'canceled', callerOnLine: true }]);
    expect(dials(last(steps).actions)[0]).toMatchObject({ legs: [{ number: '8015550101' }] });
    expect(last(steps).state.trail.slice(-2)).toEqual(['canceled', 'ring:8015550101']);
  });

  it.each([
    ['a cancelled leg, the caller gone', 'canceled', false],
    ['a cancelled leg, the caller not known to be there', 'canceled', undefined],
    ['a leg that rang out after the caller hung up', 'no-answer', false],
    ['a busy leg after the caller hung up', 'busy', false],
  ] as const)(
    'ends the call as the caller hanging up on %s, with no next leg or voicemail',
    (_, outcome, callerOnLine) => {
      const steps = play(program(), [press('1'), { type: 'dial', outcome, callerOnLine }]);
      expect(last(steps).done).toBe(true);
      expect(last(steps).actions).toEqual([{ verb: 'hangup' }]);
      expect(last(steps).state.trail.at(-1)).toBe('caller-hung-up');
    },
  );

  it('counts an answer even when the caller has hung up since', () => {
    const steps = play(program(), [press('1'), { type: 'dial', outcome: 'answered', callerOnLine: false }]);
    expect(last(steps).state.trail.at(-1)).toBe('answered');
  });

  it('names the one event each phase waits for', () => {
    const first = start(program(), context());
    expect(AWAITED_EVENT[first.state.phase]).toBe('gather');
    expect(AWAITED_EVENT[play(program(), [press('1')])[1]?.state.phase ?? 'done']).toBe('dial');
    expect(AWAITED_EVENT[play(program(), [press('3')])[1]?.state.phase ?? 'done']).toBe('recorded');
    expect(AWAITED_EVENT.done).toBeUndefined();
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

describe('flow settings on every route type', () => {
  const pinKey = Buffer.from('a test key for outbound PINs');
  const compile = (routableType: string, document: Record<string, unknown>) =>
    compileFlowProgram({
      isOutboundPin: (storedPin, entered) => isOutboundPin(pinKey, storedPin, entered),
      callFlowId: 5,
      version: 1,
      status: 'active',
      routableType,
      trackingNumber: '3125550000',
      document: { call_flow_name: 'Route', group_id: 1, campaign_id: 1, channel_id: 1, ...document },
      locations: new Map([[7, branches]]),
    }) as Program;

  /** Each route type, and the events that bring a call to its first <Dial>. */
  const routes: [string, string, Record<string, unknown>, CallEvent[]][] = [
    ['simple', 'SimpleRoute', { default_ringto: 8015550700 }, []],
    [
      'geo',
      'GeoRoute',
      { default_ringto: 8015550499, geo_route: { route_by: 'Claimed State', location_id: 7 } },
      [],
    ],
    ['schedule', 'ScheduleRoute', { default_ringto: 8015550300, schedule_data: schedule }, []],
    [
      'percentage',
      'PercentageBasedRoute',
      { ringto_percentage: [{ ringToNum: 8015550600, percentage: 100 }] },
      [],
    ],
    [
      'outbound',
      'OutboundRoute',
      { outboundData: { pin: hashOutboundPin(pinKey, '2468') } },
      [press('2468#'), press('8015550700#')],
    ],
    [
      'single-level IVR',
      'IvrRoute2',
      { ivrs: [{ key: 1, action: 'simple', target_did: 8015550100 }] },
      [press('1')],
    ],
  ];
  // 2026-03-11, the day context() calls on
  const recordings: [string, Record<string, unknown>, boolean][] = [
    ['record_enabled', { record_enabled: true }, true],
    ['a record_until still ahead', { record_until: '2026-03-11' }, true],
    ['a record_until date-time still ahead', { record_until: '2026-03-11T15:00:01Z' }, true],
    [
      'record_enabled with a record_until that has passed',
      { record_enabled: true, record_until: '2026-03-10' },
      false,
    ],
    ['a record_until date-time that has passed', { record_until: '2026-03-11T10:59:59-04:00' }, false],
    ['neither', {}, false],
  ];

  for (const [route, routableType, document, events] of routes) {
    it.each(recordings)(`a ${route} route records with %s: %s`, (_, recording, records) => {
      const steps = play(compile(routableType, { ...document, ...recording }), events);
      expect(dials(last(steps).actions)[0]).toMatchObject({ verb: 'dial', record: records });
    });
  }

  it('a schedule route closed rings the flow’s default_ringto when its schedule names none', () => {
    const { default_ringto: _, ...withoutDefault } = schedule;
    const program = compile('ScheduleRoute', { default_ringto: 8015550310, schedule_data: withoutDefault });
    const saturday = context({ now: new Date('2026-03-14T15:00:00Z') });
    const step = start(program, saturday);
    expect(dials(step.actions)[0]).toMatchObject({ legs: [{ number: '8015550310' }] });
    expect(step.state.trail).toEqual(['r:closed', 'ring:8015550310']);
    // the schedule's own default comes first
    const own = compile('ScheduleRoute', { default_ringto: 8015550310, schedule_data: schedule });
    expect(dials(start(own, saturday).actions)[0]).toMatchObject({ legs: [{ number: '8015550300' }] });
  });

  it('rings more simultaneous numbers than one <Dial> takes in groups of 10, never dropping one', () => {
    const overflowNumbers = Array.from({ length: 11 }, (_, i) => ({
      overflowNumber: 8015550800 + i,
      rings: 1,
    }));
    const program = compile('SimpleRoute', {
      default_ringto: 8015550799,
      isSimultaneous: true,
      overflowNumbers,
    });
    const steps = play(program, [dial('no-answer'), dial('no-answer')]);
    const rung = steps
      .flatMap((step) => dials(step.actions))
      .map((d) => (d as { legs: unknown[] }).legs.length);
    expect(rung).toEqual([10, 2]);
    expect(last(steps).state.trail.at(-1)).toBe('no-answer');
  });
});

describe('geo with manual ZIP entry', () => {
  const placeOfZip = (zip: string) =>
    ({
      '80202': { state: 'CO', latitude: 39.7392, longitude: -104.9903 },
      '84101': { state: 'UT', latitude: 40.7608, longitude: -111.891 },
      '10001': { state: 'NY', latitude: 40.75, longitude: -73.99 },
    })[zip];
  const geoRoute = (
    routeBy: 'Claimed State' | 'Claimed Zip' | 'Area Code Proximity' | 'Zip Code Proximity',
    manual = true,
  ) =>
    compileFlowProgram({
      callFlowId: 6,
      version: 1,
      status: 'active',
      routableType: 'GeoRoute',
      document: {
        call_flow_name: 'Branches',
        group_id: 1,
        campaign_id: 1,
        channel_id: 1,
        message: 'Finding your branch.',
        default_ringto: 8015550499,
        geo_route: { route_by: routeBy, proximity_limit: 50, location_id: 7, allow_manual_entry: manual },
      },
      locations: new Map([[7, branches]]),
    }) as Program;
  const unknownCaller = context({ placeOfZip });

  it('asks a caller it cannot place for five digits, then rings the branch of that ZIP', () => {
    const steps = play(geoRoute('Claimed Zip'), [press('80202')], unknownCaller);
    expect(steps[0]?.actions).toEqual([
      {
        verb: 'gather',
        numDigits: 5,
        timeoutSeconds: 12,
        prompt: [
          { verb: 'say', text: 'Finding your branch.' },
          { verb: 'say', text: ENTER_ZIP },
        ],
      },
    ]);
    expect(dials(last(steps).actions)).toEqual([
      { verb: 'dial', legs: [{ number: '8015550402', timeoutSeconds: 18 }], record: false },
    ]);
    expect(last(steps).state.trail).toEqual(['r:zip', 'zip:80202', 'r:8015550402', 'ring:8015550402']);
  });

  it.each([
    ['Claimed State', '84101', '8015550401'],
    ['Zip Code Proximity', '84101', '8015550401'],
    ['Area Code Proximity', '80202', '8015550402'],
  ] as const)('routes an entered ZIP by %s', (routeBy, zip, number) => {
    const steps = play(geoRoute(routeBy), [press(zip)], unknownCaller);
    expect(dials(last(steps).actions)[0]).toMatchObject({ legs: [{ number }] });
  });

  it('asks again after an unknown ZIP or silence, then gives up on the default after three tries', () => {
    const steps = play(geoRoute('Claimed Zip'), [press('00000'), silence, press('123')], unknownCaller);
    expect(steps[1]?.actions[0]).toEqual({ verb: 'say', text: UNKNOWN_ZIP });
    expect(steps[1]?.actions[1]).toMatchObject({
      verb: 'gather',
      prompt: [{ verb: 'say', text: ENTER_ZIP }],
    });
    expect(steps[2]?.actions[0]).toMatchObject({ verb: 'gather', numDigits: 5 });
    expect(dials(last(steps).actions)[0]).toMatchObject({ legs: [{ number: '8015550499' }] });
    expect(last(steps).state.trail).toEqual(['r:zip', 'zip-not-found', 'r:default', 'ring:8015550499']);
  });

  it('rings the default for an entered ZIP no branch serves', () => {
    const steps = play(geoRoute('Claimed Zip'), [press('10001')], unknownCaller);
    expect(dials(last(steps).actions)[0]).toMatchObject({ legs: [{ number: '8015550499' }] });
  });

  it('does not ask a caller a branch already matches, nor on a route without manual entry', () => {
    const placed = start(geoRoute('Claimed State'), context({ placeOfZip, fromState: 'UT' }));
    expect(dials(placed.actions)[0]).toMatchObject({ legs: [{ number: '8015550401' }] });
    const notAsked = start(geoRoute('Claimed Zip', false), unknownCaller);
    expect(dials(notAsked.actions)[0]).toMatchObject({ legs: [{ number: '8015550499' }] });
  });
});
