import { toNanp10 } from '../lib/phone.js';
import { parseClockTime, resolveTimeZone } from '../lib/time-zones.js';
import type { IvrOption, MultilevelIvrFlow, OverflowNumber } from './flow-document.js';
import { recordUntilInstant } from './recording.js';
import { type WeeklyWindow, weekdaysOf } from './schedule.js';

/**
 * A call flow compiled for the engine: an immutable graph of nodes keyed by id. Node ids are key
 * paths from the top menu (`m`, `m.2`, `m.2.1`), so a call's position survives serialisation and
 * reads well in a routing trail.
 */

export const SECONDS_PER_RING = 6;
/** The most legs one simultaneous dial rings (Twilio's limit for <Dial>). */
export const MAX_SIMULTANEOUS_LEGS = 10;
/** Rings for a target whose document gives none (V2's backend default ring_delay is 18 s). */
export const DEFAULT_TARGET_RINGS = 3;

export interface Leg {
  number: string;
  rings: number;
}

/** How a connection is made: legs to hunt through and what happens around them. */
export interface ConnectSpec {
  legs: Leg[];
  isSimultaneous: boolean;
  record: boolean;
  disclaimer: 'before' | 'after' | 'never';
  message?: string | undefined;
  whisper?: string | undefined;
  /** the answering party must press 1 to take the call (so a cell phone's voicemail cannot) */
  screen?: boolean | undefined;
  voicemail: boolean;
}

/**
 * Why a hunt cannot run as configured, without the path of the setting (saving a flow checks
 * this; the engine relies on it). Screening cannot survive a simultaneous ring: the carrier
 * drops every other leg as soon as one answers, so a voicemail that picks up and is declined
 * would end the whole ring.
 */
export function huntRuleReason(hunt: {
  legCount: number;
  isSimultaneous: boolean;
  screen: boolean;
}): string | undefined {
  if (!hunt.isSimultaneous) return undefined;
  if (hunt.legCount > MAX_SIMULTANEOUS_LEGS) {
    return `isSimultaneous rings at most ${MAX_SIMULTANEOUS_LEGS} numbers at once; this hunt has ${hunt.legCount}`;
  }
  if (hunt.screen) {
    return 'screen_calls cannot be combined with isSimultaneous: the first leg to answer ends the others, so a voicemail that answers and is declined would end the whole ring; set isSimultaneous to false to screen each number in turn';
  }
  return undefined;
}

/** Settings of the whole flow that every connection in it starts from. */
interface FlowDefaults {
  /** rings for the first target (the flow's `ring_delay` / 6, else `voicemail_rings`, else 3) */
  targetRings: number;
  screen: boolean;
  /** the flow records every connection: its `record_enabled`, or a `record_until` date */
  record: boolean;
}

/**
 * How long a flow's first target rings: its `ring_delay` (seconds, rung as whole rings, at least
 * one), else its `voicemail_rings`, else V2's default of 3 rings (18 s). The one rule for the
 * engine (`rings`) and for V2's `ring_delay` field (`seconds`).
 */
export function firstTargetRing(document: { ring_delay?: unknown; voicemail_rings?: unknown }): {
  rings: number;
  seconds: number;
} {
  const ringDelay = Number(document.ring_delay ?? 0);
  if (ringDelay > 0)
    return { rings: Math.max(1, Math.round(ringDelay / SECONDS_PER_RING)), seconds: ringDelay };
  const voicemailRings = Number(document.voicemail_rings ?? 0);
  const rings = voicemailRings > 0 ? voicemailRings : DEFAULT_TARGET_RINGS;
  return { rings, seconds: rings * SECONDS_PER_RING };
}

function flowDefaults(document: {
  ring_delay?: number;
  voicemail_rings?: number;
  screen_calls?: boolean;
  record_enabled?: boolean;
  record_until?: string;
}): FlowDefaults {
  return {
    targetRings: firstTargetRing(document).rings,
    screen: document.screen_calls ?? false,
    record: document.record_enabled === true || recordUntilInstant(document.record_until) !== undefined,
  };
}

export interface MenuNode {
  kind: 'menu';
  id: string;
  label: string;
  prompt: string;
  /** key -> node id */
  options: Readonly<Record<string, string>>;
  parentId?: string | undefined;
  goBackKey?: number | undefined;
}

export interface ConnectNode {
  kind: 'connect';
  id: string;
  label: string;
  connect: ConnectSpec;
}

export interface ScheduleWindow extends WeeklyWindow {
  connect: ConnectSpec;
}

export interface ScheduleNode {
  kind: 'schedule';
  id: string;
  label: string;
  message?: string | undefined;
  zone: string;
  windows: ScheduleWindow[];
  /** outside every window */
  otherwise: ConnectSpec | undefined;
  voicemail: boolean;
}

export interface Branch {
  targetDid: string;
  latitude: number | null;
  longitude: number | null;
  claimedStates: readonly string[];
  claimedZips: readonly string[];
}

export interface GeoNode {
  kind: 'geo';
  id: string;
  label: string;
  message?: string | undefined;
  routeBy: 'Claimed State' | 'Claimed Zip' | 'Area Code Proximity' | 'Zip Code Proximity';
  proximityMiles: number;
  branches: readonly Branch[];
  /** when no branch matches */
  otherwise: ConnectSpec | undefined;
  /** ask a caller no branch matches for a ZIP code (`allow_manual_entry`) */
  manualEntry: boolean;
  template: Omit<ConnectSpec, 'legs'>;
  /** rings for the matched branch's number */
  branchRings: number;
}

export interface VoicemailNode {
  kind: 'voicemail';
  id: string;
  label: string;
  message?: string | undefined;
}

export interface HangupNode {
  kind: 'hangup';
  id: string;
  label: string;
  message?: string | undefined;
}

export interface PercentageNode {
  kind: 'percentage';
  id: string;
  label: string;
  message?: string | undefined;
  /** weights add up to 100 */
  options: { weight: number; connect: ConnectSpec }[];
}

export interface OutboundNode {
  kind: 'outbound';
  id: string;
  label: string;
  /** whether keyed-in digits are the flow's PIN (stored hashed; the compiler's input checks) */
  isPin: (entered: string) => boolean;
  /** shown to the called party; the dialled tracking number when absent */
  callerId?: string | undefined;
  record: boolean;
}

export type ProgramNode =
  | OutboundNode
  | MenuNode
  | ConnectNode
  | ScheduleNode
  | GeoNode
  | VoicemailNode
  | HangupNode
  | PercentageNode;

export interface MenuLimits {
  /** invalid keys in one menu before the flow's fallback */
  maxInvalid: number;
  /** timeouts in one menu before the fallback */
  maxNoInput: number;
  /** menu entries per call (replays count) */
  maxMenuVisits: number;
  /** total seconds a call may spend in menus */
  maxMenuSeconds: number;
  gatherTimeoutSeconds: number;
}

export const DEFAULT_LIMITS: MenuLimits = {
  maxInvalid: 3,
  maxNoInput: 3,
  maxMenuVisits: 20,
  maxMenuSeconds: 300,
  gatherTimeoutSeconds: 6,
};

export interface Program {
  callFlowId: number;
  version: number;
  isActive: boolean;
  root: string;
  nodes: Readonly<Record<string, ProgramNode>>;
  referralNumber?: string | undefined;
  voicemailGreeting?: string | undefined;
  /** calls that start at or after this instant (ms) are not recorded (`record_until`) */
  recordUntilMs?: number | undefined;
  limits: MenuLimits;
}

export interface CompileInput {
  callFlowId: number;
  version: number;
  status: string;
  document: MultilevelIvrFlow;
  /** branches of every location the document names, by location id */
  locations: ReadonlyMap<number, readonly Branch[]>;
  limits?: Partial<MenuLimits>;
}

const numberOf = (value: string | number | undefined): string | undefined =>
  value === undefined || value === 0 || value === '' ? undefined : toNanp10(value);

function connectSpec(
  target: string | number | undefined,
  settings: {
    isSimultaneous?: boolean | undefined;
    overflowNumbers?: OverflowNumber[] | undefined;
    record_enabled?: boolean | undefined;
    play_disclaimer?: 'before' | 'after' | 'never' | undefined;
    message?: string | undefined;
    whisper_enabled?: boolean | undefined;
    whisper_message?: string | undefined;
    voicemail_enabled?: boolean | undefined;
    screen_calls?: boolean | undefined;
  },
  defaults: FlowDefaults,
): ConnectSpec | undefined {
  const first = numberOf(target);
  const overflow = (settings.overflowNumbers ?? []).flatMap((entry) => {
    const number = numberOf(entry.overflowNumber);
    return number ? [{ number, rings: entry.rings }] : [];
  });
  const legs = [...(first ? [{ number: first, rings: defaults.targetRings }] : []), ...overflow];
  if (legs.length === 0) return undefined;
  return {
    legs,
    isSimultaneous: settings.isSimultaneous ?? false,
    record: (settings.record_enabled ?? false) || defaults.record,
    disclaimer: settings.play_disclaimer ?? 'never',
    message: settings.message,
    whisper: settings.whisper_enabled ? settings.whisper_message : undefined,
    screen: settings.screen_calls ?? defaults.screen,
    voicemail: settings.voicemail_enabled ?? false,
  };
}

function compileOption(
  id: string,
  option: IvrOption,
  parentId: string,
  input: CompileInput,
  nodes: Record<string, ProgramNode>,
): void {
  const label = option.destination ?? `Key ${option.key}`;
  const defaults = flowDefaults(input.document as StoredFlowDocument);
  switch (option.action) {
    case 'interactiveVoice':
      compileMenu(id, label, option.message ?? '', option.ivrData ?? [], parentId, input, nodes);
      return;
    case 'simple': {
      const connect = connectSpec(option.target_did, option, defaults);
      nodes[id] = connect
        ? { kind: 'connect', id, label, connect }
        : { kind: 'hangup', id, label, message: option.message };
      return;
    }
    case 'schedule': {
      const route = option.scheduleRoute;
      nodes[id] = {
        kind: 'schedule',
        id,
        label,
        message: option.message,
        zone: resolveTimeZone(route?.timezone ?? '') ?? 'UTC',
        windows: (route?.schedules ?? []).flatMap((schedule) => {
          const connect = connectSpec(
            schedule.ring_to,
            { ...schedule, record_enabled: option.record_enabled, screen_calls: option.screen_calls },
            defaults,
          );
          const startMinute = parseClockTime(schedule.schedule_start_time);
          const endMinute = parseClockTime(schedule.schedule_end_time);
          if (!connect || startMinute === undefined || endMinute === undefined) return [];
          return [
            { days: weekdaysOf(schedule.schedule_days.map((d) => d.id)), startMinute, endMinute, connect },
          ];
        }),
        otherwise: connectSpec(
          route?.default_ringto,
          {
            record_enabled: option.record_enabled,
            voicemail_enabled: route?.voicemail_enabled,
            screen_calls: option.screen_calls,
          },
          defaults,
        ),
        voicemail: route?.voicemail_enabled ?? false,
      };
      return;
    }
    case 'geo': {
      const geo = option.geoData;
      nodes[id] = {
        kind: 'geo',
        id,
        label,
        message: option.message,
        routeBy: geo?.route_by ?? 'Claimed State',
        proximityMiles: Number(geo?.proximity_limit ?? 0),
        branches: input.locations.get(Number(geo?.location_id ?? 0)) ?? [],
        otherwise: connectSpec(
          geo?.target_did,
          { ...option, overflowNumbers: undefined, message: undefined },
          defaults,
        ),
        branchRings: defaults.targetRings,
        manualEntry: geo?.allow_manual_entry ?? false,
        template: {
          isSimultaneous: false,
          record: (option.record_enabled ?? false) || defaults.record,
          disclaimer: option.play_disclaimer ?? 'never',
          whisper: option.whisper_enabled ? option.whisper_message : undefined,
          screen: option.screen_calls ?? defaults.screen,
          voicemail: option.voicemail_enabled ?? false,
        },
      };
      return;
    }
    case 'voicemail':
      nodes[id] = { kind: 'voicemail', id, label, message: option.message };
      return;
    case 'hangup':
      nodes[id] = { kind: 'hangup', id, label, message: option.message };
      return;
  }
}

function compileMenu(
  id: string,
  label: string,
  prompt: string,
  options: IvrOption[],
  parentId: string | undefined,
  input: CompileInput,
  nodes: Record<string, ProgramNode>,
): void {
  const goBackKey =
    parentId === undefined ? undefined : options.find((o) => o.go_back_key != null)?.go_back_key;
  nodes[id] = {
    kind: 'menu',
    id,
    label,
    prompt,
    options: Object.fromEntries(options.map((option) => [String(option.key), `${id}.${option.key}`])),
    parentId,
    goBackKey,
  };
  for (const option of options) compileOption(`${id}.${option.key}`, option, id, input, nodes);
}

/** Compiles a stored multi-level IVR document (already validated when it was saved). */
export function compileIvrProgram(input: CompileInput): Program {
  const nodes: Record<string, ProgramNode> = {};
  const { document } = input;
  compileMenu('m', 'Main menu', document.message ?? '', document.ivrs, undefined, input, nodes);
  return {
    callFlowId: input.callFlowId,
    version: input.version,
    isActive: input.status === 'active',
    root: 'm',
    nodes,
    referralNumber: numberOf(document.referral_number),
    voicemailGreeting: document.voicemail_greeting,
    recordUntilMs: recordUntilInstant((document as StoredFlowDocument).record_until)?.getTime(),
    limits: { ...DEFAULT_LIMITS, ...input.limits },
  };
}

/** A stored flow of any route type, as the runtime reads it (the fields every route may use). */
export interface StoredFlowDocument extends Omit<MultilevelIvrFlow, 'ivrs'> {
  ivrs?: IvrOption[];
  default_ringto?: string | number;
  ring_delay?: number;
  isSimultaneous?: boolean;
  overflowNumbers?: OverflowNumber[];
  record_enabled?: boolean;
  record_until?: string;
  play_disclaimer?: 'before' | 'after' | 'never';
  whisper_enabled?: boolean;
  whisper_message?: string;
  voicemail_enabled?: boolean;
  screen_calls?: boolean;
  dnis_as_cid?: boolean;
  geo_route?: IvrOption['geoData'] & { play_branding?: boolean };
  schedule_data?: IvrOption['scheduleRoute'];
  outboundData?: { pin: string; callerid?: string | number };
  ringto_percentage?: {
    ringToNum: string | number;
    percentage: number;
    activateVoicemail?: boolean;
    isSimultaneous?: boolean;
    overflowNumbers?: OverflowNumber[];
  }[];
}

/** The route of a non-IVR flow as the single option the engine runs from the start. */
function routeOption(routableType: string, document: StoredFlowDocument): IvrOption | undefined {
  const common = {
    key: 0,
    destination: document.call_flow_name,
    message: document.message,
    record_enabled: document.record_enabled,
    play_disclaimer: document.play_disclaimer,
    whisper_enabled: document.whisper_enabled,
    whisper_message: document.whisper_message,
    voicemail_enabled: document.voicemail_enabled,
  };
  switch (routableType) {
    case 'SimpleRoute':
      return String(document.default_ringto).toLowerCase() === 'hangup'
        ? { ...common, action: 'hangup' }
        : {
            ...common,
            action: 'simple',
            target_did: document.default_ringto,
            isSimultaneous: document.isSimultaneous,
            overflowNumbers: document.overflowNumbers,
          };
    case 'VoicemailRoute':
      return { ...common, action: 'voicemail', message: document.voicemail_greeting ?? document.message };
    case 'GeoRoute':
      return {
        ...common,
        action: 'geo',
        message: document.geo_route?.play_branding === false ? undefined : document.message,
        geoData: document.geo_route && {
          ...document.geo_route,
          target_did: numberOf(document.geo_route.target_did) ?? document.default_ringto,
        },
      };
    case 'ScheduleRoute':
      // Outside every window the route's own default rings, else the flow's (required on save).
      return {
        ...common,
        action: 'schedule',
        scheduleRoute: document.schedule_data && {
          ...document.schedule_data,
          default_ringto: numberOf(document.schedule_data.default_ringto) ?? document.default_ringto,
        },
      };
    default:
      return undefined;
  }
}

export interface FlowCompileInput extends Omit<CompileInput, 'document'> {
  routableType: string;
  /** the flow's tracking number: the default caller id of an outbound route */
  trackingNumber?: string | undefined;
  document: StoredFlowDocument;
  /** whether keyed-in digits are the PIN an outbound route stores (a keyed hash); outbound routes need it */
  isOutboundPin?: (storedPin: string, entered: string) => boolean;
}

/**
 * Compiles a stored flow of any route type the engine runs: IVRs become menus; simple, geo,
 * schedule, voicemail, hangup, percentage and outbound routes become one node the call starts at.
 * Undefined when the document cannot route (an outbound route without a PIN or a PIN check).
 */
export function compileFlowProgram(input: FlowCompileInput): Program | undefined {
  const { document, routableType } = input;
  if (routableType === 'IvrRoute2') {
    return compileIvrProgram({ ...input, document: { ...document, ivrs: document.ivrs ?? [] } });
  }
  const nodes: Record<string, ProgramNode> = {};
  if (routableType === 'OutboundRoute') {
    const { outboundData } = document;
    const { isOutboundPin } = input;
    if (!outboundData?.pin || !isOutboundPin) return undefined;
    const storedPin = outboundData.pin;
    nodes.r = {
      kind: 'outbound',
      id: 'r',
      label: document.call_flow_name,
      isPin: (entered) => isOutboundPin(storedPin, entered),
      callerId: numberOf(outboundData.callerid) ?? input.trackingNumber,
      record: flowDefaults(document).record,
    };
  } else if (routableType === 'PercentageBasedRoute') {
    nodes.r = {
      kind: 'percentage',
      id: 'r',
      label: document.call_flow_name,
      message: document.message,
      options: (document.ringto_percentage ?? []).flatMap((option) => {
        const connect = connectSpec(
          option.ringToNum,
          {
            ...option,
            voicemail_enabled: option.activateVoicemail,
            record_enabled: document.record_enabled,
            play_disclaimer: document.play_disclaimer,
            message: document.message,
            whisper_enabled: document.whisper_enabled,
            whisper_message: document.whisper_message,
          },
          flowDefaults(document),
        );
        return connect ? [{ weight: option.percentage, connect }] : [];
      }),
    };
  } else {
    const option = routeOption(routableType, document);
    if (!option) return undefined;
    compileOption('r', option, 'r', { ...input, document: { ...document, ivrs: [] } }, nodes);
  }
  return {
    callFlowId: input.callFlowId,
    version: input.version,
    isActive: input.status === 'active',
    root: 'r',
    nodes,
    referralNumber: numberOf(document.referral_number),
    voicemailGreeting: document.voicemail_greeting,
    recordUntilMs: recordUntilInstant((document as StoredFlowDocument).record_until)?.getTime(),
    limits: { ...DEFAULT_LIMITS, ...input.limits },
  };
}
