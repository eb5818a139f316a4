import { distanceMiles, type GeoPoint } from '../lib/distance.js';
import { toNanp10 } from '../lib/phone.js';
import {
  type ConnectSpec,
  type GeoNode,
  type Leg,
  MAX_SIMULTANEOUS_LEGS,
  type MenuNode,
  type Program,
  type ProgramNode,
  type ScheduleNode,
  SECONDS_PER_RING,
} from './program.js';
import { isWithinWindow } from './schedule.js';

/**
 * The call-routing engine: pure functions from (program, call state, event, time) to the next
 * Step. No I/O and no clock reads; the carrier edge persists the state and renders the actions.
 */

export const DISCLAIMER = 'This call may be recorded for quality assurance.';
export const INVALID_OPTION = 'Sorry, that is not a valid option.';
export const GOODBYE = 'Thank you for calling. Goodbye.';
export const DEFAULT_VOICEMAIL_GREETING = 'Please leave a message after the tone.';
export const NOT_IN_SERVICE = 'The number you have called is not in service.';
export const ENTER_PIN = 'Please enter your PIN, then press pound.';
export const WRONG_PIN = 'That PIN is not correct.';
export const ENTER_NUMBER = 'Please enter the 10-digit number to call, then press pound.';
export const INVALID_NUMBER = 'That is not a number we can call.';
/** PIN or number attempts on an outbound route before a goodbye */
export const MAX_OUTBOUND_ATTEMPTS = 3;
export const ENTER_ZIP = 'Please enter your 5-digit ZIP code.';
export const UNKNOWN_ZIP = 'Sorry, that is not a ZIP code we know.';
/** ZIP code attempts on a geo route (`allow_manual_entry`) before its default */
export const MAX_ZIP_ATTEMPTS = 3;

/** Something to hear: spoken text, or an uploaded audio file (V2's `file://<reference_id>`). */
export type Audio = { verb: 'say'; text: string } | { verb: 'play'; reference: string };

export type Action =
  | Audio
  | {
      verb: 'gather';
      /** digits to collect; more than one ends early on `#` */
      numDigits: number;
      timeoutSeconds: number;
      prompt: Audio[];
    }
  | {
      verb: 'dial';
      legs: { number: string; timeoutSeconds: number }[];
      record: boolean;
      whisper?: string;
      /** the answering party must press 1 before the call is bridged */
      screen?: boolean;
      /** the number the answering party sees; the caller's when absent */
      callerId?: string;
    }
  | { verb: 'record'; purpose: 'voicemail'; maxLengthSeconds: number }
  | { verb: 'hangup' };

export interface CallContext {
  now: Date;
  from: string;
  fromState?: string | undefined;
  fromZip?: string | undefined;
  /** where the caller is, when known (from the ZIP or the area code) */
  callerPoint?: GeoPoint | undefined;
  /** a uniform draw in [0, 1) for percentage routes; the edge supplies it so the engine stays pure */
  random?: number | undefined;
  /** where a 5-digit ZIP code a caller keys in is (geo routes with manual entry); the edge's data */
  placeOfZip?: ((zip: string) => (GeoPoint & { state: string }) | undefined) | undefined;
}

export type Phase = 'menu' | 'connect' | 'voicemail' | 'pin' | 'dial-out' | 'zip' | 'done';

/** Everything the engine needs between two carrier requests; plain JSON. */
export interface CallState {
  phase: Phase;
  /** the node the call is at */
  at: string;
  invalid: number;
  noInput: number;
  menuVisits: number;
  menuSeconds: number;
  menuEnteredAtMs: number;
  /** keys pressed in order, e.g. [2, 1, 3], shown as "2>1>3" */
  keys: number[];
  /** node ids and outcomes in order: the routing trail stored on the call */
  trail: string[];
  connect?: { spec: ConnectSpec; next: number };
  /** the call started after the flow's `record_until`: nothing on it is recorded */
  recordingEnded?: boolean;
}

export type CallEvent =
  | { type: 'gather'; digits?: string | undefined }
  | {
      type: 'dial';
      outcome: 'answered' | 'busy' | 'no-answer' | 'failed' | 'canceled';
      /** with screening on: the answering party pressed 1 */
      accepted?: boolean | undefined;
      /**
       * whether the caller is still on the line (false: they hung up while the leg rang, and the
       * carrier reports the dial anyway); undefined when the carrier does not say
       */
      callerOnLine?: boolean | undefined;
    }
  | { type: 'recorded' };

/** The carrier event a call in each phase waits for; an event of another kind changes nothing. */
export const AWAITED_EVENT: Record<Phase, CallEvent['type'] | undefined> = {
  menu: 'gather',
  pin: 'gather',
  'dial-out': 'gather',
  zip: 'gather',
  connect: 'dial',
  voicemail: 'recorded',
  done: undefined,
};

export interface Step {
  actions: Action[];
  state: CallState;
  done: boolean;
}

/** A prompt as actions: `file://` plays an upload, `tts://` and plain text are spoken, blank is silence. */
export function audioOf(message: string | undefined): Audio[] {
  const text = (message ?? '').trim();
  if (text === '' || text === 'blank://') return [];
  if (text.startsWith('file://')) return [{ verb: 'play', reference: text.slice('file://'.length) }];
  const spoken = text.startsWith('tts://') ? text.slice('tts://'.length) : text;
  return spoken.trim() === '' ? [] : [{ verb: 'say', text: spoken }];
}

const say = (text: string): Audio => ({ verb: 'say', text });

function node<K extends ProgramNode['kind']>(program: Program, id: string, kind: K) {
  const found = program.nodes[id];
  if (!found || found.kind !== kind)
    throw new Error(`program ${program.callFlowId} has no ${kind} node ${id}`);
  return found as Extract<ProgramNode, { kind: K }>;
}

const finish = (state: CallState, actions: Action[], outcome: string): Step => ({
  actions: [...actions, { verb: 'hangup' }],
  state: { ...state, phase: 'done', trail: [...state.trail, outcome] },
  done: true,
});

function dialAction(state: CallState, spec: ConnectSpec, legs: Leg[]): Action {
  return {
    verb: 'dial',
    legs: legs.map((leg) => ({ number: leg.number, timeoutSeconds: leg.rings * SECONDS_PER_RING })),
    record: spec.record && !state.recordingEnded,
    ...(spec.whisper ? { whisper: spec.whisper } : {}),
    ...(spec.screen ? { screen: true } : {}),
  };
}

/** Rings the next leg (or all legs at once); after the last fails, voicemail or goodbye. */
function dialNext(program: Program, state: CallState, spec: ConnectSpec, next: number, lead: Action[]): Step {
  // Saving refuses more simultaneous legs than one <Dial> rings; a document stored before that
  // rule rings them in groups instead of dropping any.
  if (spec.isSimultaneous && next < spec.legs.length) {
    const legs = spec.legs.slice(next, next + MAX_SIMULTANEOUS_LEGS);
    return {
      actions: [...lead, dialAction(state, spec, legs)],
      state: {
        ...state,
        phase: 'connect',
        connect: { spec, next: next + legs.length },
        trail: [...state.trail, `ring:${legs.map((l) => l.number).join('+')}`],
      },
      done: false,
    };
  }
  const leg = spec.legs[next];
  if (!leg)
    return spec.voicemail
      ? startVoicemail(program, state, lead)
      : finish(state, [...lead, say(GOODBYE)], 'no-answer');
  return {
    actions: [...lead, dialAction(state, spec, [leg])],
    state: {
      ...state,
      phase: 'connect',
      connect: { spec, next: next + 1 },
      trail: [...state.trail, `ring:${leg.number}`],
    },
    done: false,
  };
}

function startConnect(program: Program, state: CallState, spec: ConnectSpec): Step {
  const message = audioOf(spec.message);
  const disclaimer = [say(DISCLAIMER)];
  const lead: Action[] =
    spec.disclaimer === 'before'
      ? [...disclaimer, ...message]
      : spec.disclaimer === 'after'
        ? [...message, ...disclaimer]
        : message;
  return dialNext(program, state, spec, 0, lead);
}

function startVoicemail(program: Program, state: CallState, lead: Action[] = [], greeting?: string): Step {
  const spoken = audioOf(greeting ?? program.voicemailGreeting);
  return {
    actions: [
      ...lead,
      ...(spoken.length ? spoken : [say(DEFAULT_VOICEMAIL_GREETING)]),
      { verb: 'record', purpose: 'voicemail', maxLengthSeconds: 180 },
    ],
    state: { ...state, phase: 'voicemail', trail: [...state.trail, 'voicemail'] },
    done: false,
  };
}

/** Where a caller goes when menus give up: the referral number, else a polite goodbye. */
function fallback(program: Program, state: CallState, lead: Action[], reason: string): Step {
  const trailed = { ...state, trail: [...state.trail, reason] };
  if (!program.referralNumber) return finish(trailed, [...lead, say(GOODBYE)], 'goodbye');
  const spec: ConnectSpec = {
    legs: [{ number: program.referralNumber, rings: 5 }],
    isSimultaneous: false,
    record: false,
    disclaimer: 'never',
    voicemail: false,
  };
  return dialNext(program, trailed, spec, 0, lead);
}

function gather(program: Program, menu: MenuNode, lead: Action[] = []): Action[] {
  return [
    ...lead,
    {
      verb: 'gather',
      numDigits: 1,
      timeoutSeconds: program.limits.gatherTimeoutSeconds,
      prompt: audioOf(menu.prompt),
    },
  ];
}

function enterMenu(
  program: Program,
  state: CallState,
  menuId: string,
  context: CallContext,
  lead: Action[] = [],
): Step {
  const menu = node(program, menuId, 'menu');
  const visits = state.menuVisits + 1;
  if (visits > program.limits.maxMenuVisits) return fallback(program, state, lead, 'menu-visits-exceeded');
  return {
    actions: gather(program, menu, lead),
    state: {
      ...state,
      phase: 'menu',
      at: menuId,
      invalid: menuId === state.at ? state.invalid : 0,
      noInput: menuId === state.at ? state.noInput : 0,
      menuVisits: visits,
      menuEnteredAtMs: context.now.getTime(),
      trail: [...state.trail, menuId],
    },
    done: false,
  };
}

function pickBranch(
  geo: GeoNode,
  context: Pick<CallContext, 'fromState' | 'fromZip' | 'callerPoint'>,
): string | undefined {
  const state = context.fromState?.toUpperCase();
  const zip = context.fromZip?.slice(0, 5);
  switch (geo.routeBy) {
    case 'Claimed State':
      return state ? geo.branches.find((b) => b.claimedStates.includes(state))?.targetDid : undefined;
    case 'Claimed Zip':
      return zip ? geo.branches.find((b) => b.claimedZips.includes(zip))?.targetDid : undefined;
    default: {
      const caller = context.callerPoint;
      if (!caller) return undefined;
      const nearest = geo.branches
        .flatMap((b) =>
          b.latitude === null || b.longitude === null
            ? []
            : [{ b, miles: distanceMiles(caller, { latitude: b.latitude, longitude: b.longitude }) }],
        )
        .filter(({ miles }) => miles <= geo.proximityMiles)
        .sort((x, y) => x.miles - y.miles)[0];
      return nearest?.b.targetDid;
    }
  }
}

function runSchedule(program: Program, state: CallState, schedule: ScheduleNode, context: CallContext): Step {
  const lead = audioOf(schedule.message);
  const open = schedule.windows.find((window) => isWithinWindow(window, context.now, schedule.zone));
  const at = { ...state, trail: [...state.trail, open ? `${schedule.id}:open` : `${schedule.id}:closed`] };
  if (open) return startConnect(program, at, { ...open.connect, message: schedule.message });
  if (schedule.otherwise)
    return startConnect(program, at, { ...schedule.otherwise, message: schedule.message });
  if (schedule.voicemail) return startVoicemail(program, at, lead);
  return finish(at, [...lead, say(GOODBYE)], 'closed');
}

/** Runs the node a key or the flow led to. */
function run(
  program: Program,
  state: CallState,
  id: string,
  context: CallContext,
  lead: Action[] = [],
): Step {
  const target = program.nodes[id];
  if (!target) return fallback(program, state, lead, `missing:${id}`);
  const at = { ...state, at: id };
  switch (target.kind) {
    case 'menu':
      return enterMenu(program, state, id, context, lead);
    case 'connect':
      return startConnect(program, { ...at, trail: [...at.trail, id] }, target.connect);
    case 'schedule':
      return runSchedule(program, at, target, context);
    case 'geo': {
      const branch = pickBranch(target, context);
      if (!branch && target.manualEntry) {
        const asking = { ...at, invalid: 0, trail: [...at.trail, `${id}:zip`] };
        return askZip(program, asking, lead, [...audioOf(target.message), say(ENTER_ZIP)]);
      }
      return connectGeo(program, at, target, branch, lead, target.message);
    }
    case 'outbound':
      return askOutbound(program, { ...at, trail: [...at.trail, id], invalid: 0 }, 'pin', lead);
    case 'percentage': {
      const draw = (context.random ?? 0) * 100;
      const ends = target.options.map((_, i) =>
        target.options.slice(0, i + 1).reduce((sum, option) => sum + option.weight, 0),
      );
      const found = ends.findIndex((end) => end > draw);
      const index = found === -1 ? target.options.length - 1 : found;
      const picked = target.options[index];
      if (!picked)
        return finish({ ...at, trail: [...at.trail, id] }, [...lead, say(GOODBYE)], 'no-destination');
      return startConnect(program, { ...at, trail: [...at.trail, `${id}:${index}`] }, picked.connect);
    }
    case 'voicemail':
      return startVoicemail(program, { ...at, trail: [...at.trail, id] }, lead, target.message);
    case 'hangup':
      return finish({ ...at, trail: [...at.trail, id] }, [...lead, ...audioOf(target.message)], 'hangup');
  }
}

/** Rings the geo branch picked (the default when none), saying `message` first. */
function connectGeo(
  program: Program,
  state: CallState,
  geo: GeoNode,
  branch: string | undefined,
  lead: Action[],
  message: string | undefined,
): Step {
  const trailed = { ...state, trail: [...state.trail, `${geo.id}:${branch ?? 'default'}`] };
  const spec = branch
    ? { ...geo.template, message, legs: [{ number: branch, rings: geo.branchRings }] }
    : geo.otherwise && { ...geo.otherwise, message };
  if (spec) return startConnect(program, trailed, spec);
  // No branch and no default number: the flow's referral number, else voicemail, else goodbye.
  if (program.referralNumber) return fallback(program, trailed, [...lead, ...audioOf(message)], 'no-branch');
  return geo.template.voicemail
    ? startVoicemail(program, trailed, [...lead, ...audioOf(message)])
    : finish(trailed, [...lead, ...audioOf(message), say(GOODBYE)], 'no-branch');
}

function askZip(program: Program, state: CallState, lead: Action[], prompt: Audio[]): Step {
  return {
    actions: [
      ...lead,
      { verb: 'gather', numDigits: 5, timeoutSeconds: program.limits.gatherTimeoutSeconds * 2, prompt },
    ],
    state: { ...state, phase: 'zip' },
    done: false,
  };
}

/** A ZIP code keyed in on a geo route: its branch, else the default; unknown codes are asked again. */
function onZipInput(program: Program, state: CallState, digits: string, context: CallContext): Step {
  const geo = node(program, state.at, 'geo');
  const zip = digits.replace(/#$/, '');
  const place = /^\d{5}$/.test(zip) ? context.placeOfZip?.(zip) : undefined;
  if (!place) {
    const invalid = state.invalid + 1;
    const retried = { ...state, invalid };
    if (invalid >= MAX_ZIP_ATTEMPTS) {
      return connectGeo(
        program,
        { ...retried, trail: [...state.trail, 'zip-not-found'] },
        geo,
        undefined,
        [],
        undefined,
      );
    }
    return askZip(program, retried, zip === '' ? [] : [say(UNKNOWN_ZIP)], [say(ENTER_ZIP)]);
  }
  const branch = pickBranch(geo, { fromState: place.state, fromZip: zip, callerPoint: place });
  return connectGeo(program, { ...state, trail: [...state.trail, `zip:${zip}`] }, geo, branch, [], undefined);
}

function askOutbound(
  program: Program,
  state: CallState,
  phase: 'pin' | 'dial-out',
  lead: Action[] = [],
): Step {
  return {
    actions: [
      ...lead,
      {
        verb: 'gather',
        numDigits: phase === 'pin' ? 8 : 11,
        timeoutSeconds: program.limits.gatherTimeoutSeconds * 2,
        prompt: [say(phase === 'pin' ? ENTER_PIN : ENTER_NUMBER)],
      },
    ],
    state: { ...state, phase },
    done: false,
  };
}

/** Outbound: the caller proves the PIN, then keys the number the flow dials out to. */
function onOutboundInput(program: Program, state: CallState, digits: string): Step {
  const outbound = node(program, state.at, 'outbound');
  const entered = digits.replace(/#$/, '');
  const retry = (message: string, reason: string) => {
    const invalid = state.invalid + 1;
    if (invalid >= MAX_OUTBOUND_ATTEMPTS)
      return finish({ ...state, invalid }, [say(message), say(GOODBYE)], reason);
    return askOutbound(program, { ...state, invalid }, state.phase === 'pin' ? 'pin' : 'dial-out', [
      say(message),
    ]);
  };
  if (state.phase === 'pin') {
    if (!outbound.isPin(entered)) return retry(WRONG_PIN, 'wrong-pin');
    return askOutbound(program, { ...state, invalid: 0, trail: [...state.trail, 'pin-ok'] }, 'dial-out');
  }
  const number = toNanp10(entered);
  if (!number) return retry(INVALID_NUMBER, 'invalid-number');
  return {
    actions: [
      {
        verb: 'dial',
        legs: [{ number, timeoutSeconds: 60 }],
        record: outbound.record && !state.recordingEnded,
        ...(outbound.callerId ? { callerId: outbound.callerId } : {}),
      },
    ],
    state: {
      ...state,
      phase: 'connect',
      connect: {
        spec: {
          legs: [{ number, rings: 10 }],
          isSimultaneous: false,
          record: outbound.record,
          disclaimer: 'never',
          voicemail: false,
        },
        next: 1,
      },
      trail: [...state.trail, `ring:${number}`],
    },
    done: false,
  };
}

/** The first step of a call. */
export function start(program: Program, context: CallContext): Step {
  const initial: CallState = {
    phase: 'menu',
    at: program.root,
    invalid: 0,
    noInput: 0,
    menuVisits: 0,
    menuSeconds: 0,
    menuEnteredAtMs: context.now.getTime(),
    keys: [],
    trail: [],
    ...(program.recordUntilMs !== undefined && context.now.getTime() >= program.recordUntilMs
      ? { recordingEnded: true }
      : {}),
  };
  if (!program.isActive) return finish(initial, [say(NOT_IN_SERVICE)], 'not-in-service');
  return run(program, initial, program.root, context);
}

function onMenuInput(
  program: Program,
  state: CallState,
  digits: string | undefined,
  context: CallContext,
): Step {
  const menu = node(program, state.at, 'menu');
  const spent = state.menuSeconds + Math.max(0, (context.now.getTime() - state.menuEnteredAtMs) / 1000);
  const timed = { ...state, menuSeconds: spent };
  if (spent > program.limits.maxMenuSeconds) return fallback(program, timed, [], 'menu-time-exceeded');

  const digit = digits?.trim().charAt(0) ?? '';
  if (digit === '') {
    const noInput = timed.noInput + 1;
    if (noInput >= program.limits.maxNoInput) return fallback(program, { ...timed, noInput }, [], 'no-input');
    return enterMenu(program, { ...timed, noInput }, menu.id, context);
  }
  const key = Number(digit);
  const target = menu.options[digit];
  if (target) return run(program, { ...timed, keys: [...timed.keys, key] }, target, context);
  if (menu.parentId !== undefined && menu.goBackKey === key) {
    return enterMenu(program, { ...timed, keys: [...timed.keys, key] }, menu.parentId, context);
  }
  const invalid = timed.invalid + 1;
  if (invalid >= program.limits.maxInvalid)
    return fallback(program, { ...timed, invalid }, [say(INVALID_OPTION)], 'invalid-input');
  return enterMenu(program, { ...timed, invalid }, menu.id, context, [say(INVALID_OPTION)]);
}

/** The next step after an event from the carrier. Events that do not fit the phase change nothing. */
export function resume(program: Program, state: CallState, event: CallEvent, context: CallContext): Step {
  if (state.phase === 'done') return { actions: [{ verb: 'hangup' }], state, done: true };
  if (event.type === 'gather' && state.phase === 'menu')
    return onMenuInput(program, state, event.digits, context);
  if (event.type === 'gather' && state.phase === 'zip')
    return onZipInput(program, state, event.digits ?? '', context);
  if (event.type === 'gather' && (state.phase === 'pin' || state.phase === 'dial-out')) {
    return onOutboundInput(program, state, event.digits ?? '');
  }
  if (event.type === 'dial' && state.phase === 'connect' && state.connect) {
    // A screened leg that "answered" without the key press was a machine or a refusal: hunt on.
    const outcome =
      event.outcome === 'answered' && state.connect.spec.screen && !event.accepted
        ? 'not-accepted'
        : event.outcome;
    if (outcome === 'answered') return finish(state, [], 'answered');
    // A leg cancelled while the caller waits is one more leg that did not answer; with the caller
    // gone (or not known to be there), nobody is left to hunt for.
    if (event.callerOnLine === false || (outcome === 'canceled' && event.callerOnLine !== true))
      return finish(state, [], 'caller-hung-up');
    return dialNext(
      program,
      { ...state, trail: [...state.trail, outcome] },
      state.connect.spec,
      state.connect.next,
      [],
    );
  }
  if (event.type === 'recorded' && state.phase === 'voicemail') return finish(state, [], 'voicemail-left');
  return { actions: [], state, done: false };
}

/** The key path as V2 reports it: "1>2>3". */
export const keyPath = (state: CallState): string => state.keys.join('>');
