import type { Db } from '../db/index.js';
import type { Clock } from '../lib/clock.js';
import { createGroupCommit } from '../lib/group-commit.js';
import { toNanp10 } from '../lib/phone.js';
import type {
  CallLifecycleHooks,
  CompletedHook,
  StartedCall,
  StartedHook,
} from '../modules/calls/call-lifecycle.js';
import { lookupNpa, lookupZip } from '../modules/misc/geo.js';
import {
  type Action,
  AWAITED_EVENT,
  audioOf,
  type CallContext,
  type CallEvent,
  keyPath,
  NOT_IN_SERVICE,
  resume,
  type Step,
  start,
} from '../routing/engine.js';
import { isSpam, spamBurstLimit, spamScore } from '../routing/spam.js';
import {
  type CallerScreen,
  createCallRoutingRepo,
  type NewCall,
  type ScreenedCall,
  type ScreenedResult,
  type ScreenResult,
} from './call-routing.repo.js';
import type { CarrierName } from './carrier-params.js';
import type { FlowCache, LiveFlow, NumberFlow } from './flow-cache.js';
import { type CallbackUrls, rejectTwiml, renderTwiml, whisperTwiml } from './twiml.js';

/** Form fields a carrier posts; names are Twilio's. Unknown fields are kept and ignored. */
export type CarrierParams = Record<string, string | undefined>;

export type CallbackKind = 'gather' | 'dial' | 'record';

export interface TelephonyDeps {
  db: Db;
  clock: Clock;
  flows: FlowCache;
  /** URLs the TwiML names for the next callbacks of a call (its CallSid) at a step */
  urlsFor: (step: number, callSid: string) => CallbackUrls;
  /** the carrier whose edge this service answers, recorded on each call (default twilio) */
  carrier?: CarrierName;
  hooks?: CallLifecycleHooks;
  /**
   * How long after the final status callback the post-call work waits for a dial or recording
   * result still to come (CALL_SETTLE_WINDOW_SECONDS); it runs as soon as that result arrives.
   */
  settleWindowSeconds?: number;
}

/** The most inbound calls one statement inserts. */
const INSERT_BATCH_MAX = 100;

/** Tries of an inbound call whose flow keeps changing under it; the last one takes what it read. */
const MAX_VOICE_ATTEMPTS = 3;

/** The disposition a finished routing trail implies. */
function dispositionOf(step: Step, lastDialOutcome?: string): string | undefined {
  if (!step.done) return undefined;
  const outcome = step.state.trail.at(-1);
  switch (outcome) {
    case 'answered':
      return 'ANSWERED';
    case 'voicemail-left':
      return 'VOICEMAIL';
    case 'caller-hung-up':
      return 'ABANDONED';
    case 'not-in-service':
      return 'NOT IN SERVICE';
    case 'no-answer':
      return lastDialOutcome === 'busy' ? 'BUSY' : lastDialOutcome === 'failed' ? 'FAILED' : 'NO ANSWER';
    default:
      return 'HANGUP';
  }
}

/**
 * Caller id as the flow configures it: the tracking number when `dnis_as_cid` is on (so the
 * answering party knows the call came through it), else the caller's own number (the carrier's
 * default). An outbound route's configured caller id is kept.
 */
function presentCallerId(actions: Action[], dnisAsCid: boolean, trackingNumber: string): Action[] {
  if (!dnisAsCid || trackingNumber.length !== 10) return actions;
  return actions.map((action) =>
    action.verb === 'dial' && !action.callerId ? { ...action, callerId: trackingNumber } : action,
  );
}

/** The final disposition from the carrier's last status when routing never set one. */
const STATUS_DISPOSITIONS: Record<string, string> = {
  completed: 'ABANDONED',
  busy: 'BUSY',
  'no-answer': 'NO ANSWER',
  failed: 'FAILED',
  canceled: 'ABANDONED',
};

const DIAL_OUTCOMES: Record<string, 'answered' | 'busy' | 'no-answer' | 'failed' | 'canceled'> = {
  completed: 'answered',
  answered: 'answered',
  busy: 'busy',
  'no-answer': 'no-answer',
  failed: 'failed',
  canceled: 'canceled',
};

/** The engine event each callback route carries. */
const CALLBACK_EVENTS: Record<CallbackKind, CallEvent['type']> = {
  gather: 'gather',
  dial: 'dial',
  record: 'recorded',
};

/**
 * The phases whose result the carrier sends even when the caller hangs up first (the `<Dial>` and
 * `<Record>` actions; a `<Gather>` abandoned by a hang-up reports nothing), in no documented order
 * with the final status callback: until it is in, the call is not final.
 */
const RESULT_PHASES = Object.entries(AWAITED_EVENT)
  .filter(([, event]) => event === 'dial' || event === 'recorded')
  .map(([phase]) => phase);

/**
 * Whether the caller is still on the line when a result arrives: not once the call ended or the
 * carrier reports the parent call over; undefined when it does not say.
 */
function isCallerOnLine(callStatus: string | undefined, hasEnded: boolean): boolean | undefined {
  if (hasEnded || (callStatus !== undefined && Object.hasOwn(STATUS_DISPOSITIONS, callStatus))) return false;
  return callStatus === 'in-progress' || callStatus === 'ringing' ? true : undefined;
}

const jobKinds = (hooks: readonly CompletedHook[]) => hooks.map((hook) => hook.enqueues.kind);

/** A new call's row as the carrier reports it, before routing decides its outcome. */
type InboundCall = Omit<NewCall, CallOutcomeField | 'step' | 'last_twiml'>;
type CallOutcomeField = 'disposition' | 'trail' | 'state' | 'ended_at' | 'key_path' | 'is_repeat';
/** What routing decided for a new call. */
type CallOutcome = Pick<NewCall, CallOutcomeField>;

function inboundCallOf(
  params: CarrierParams,
  tracking: string,
  context: CallContext,
  flow: NumberFlow | undefined,
  carrier: CarrierName,
): InboundCall {
  return {
    carrier,
    carrier_call_sid: params.CallSid ?? '',
    call_flow_id: flow?.callFlowId ?? null,
    call_flow_version: flow?.version ?? null,
    group_id: flow?.groupId ?? null,
    campaign_id: flow?.campaignId ?? null,
    channel_id: flow?.channelId ?? null,
    tracking_number: tracking,
    caller_number: context.from,
    caller_city: params.FromCity || null,
    caller_state: context.fromState ?? null,
    caller_zip: context.fromZip ?? null,
    stir_verstat: params.StirVerstat || null,
    started_at: context.now,
    call_value: flow?.callValue ?? null,
  };
}

/** A new call as the lifecycle hooks see it. */
function startedCallOf(
  inbound: InboundCall,
  flow: NumberFlow | undefined,
  callId: number,
  disposition: string,
): StartedCall {
  return {
    callId,
    callFlowId: inbound.call_flow_id,
    groupId: inbound.group_id,
    trackingNumber: inbound.tracking_number,
    callerNumber: inbound.caller_number,
    startedAt: inbound.started_at,
    disposition,
    isPoolNumber: flow?.viaPool ?? false,
    webhookEnabled: flow?.webhookEnabled ?? false,
  };
}

/** A call that ended as it came in: not in service, or blocked. */
function endedAtOnce(disposition: string, trail: string, now: Date, isRepeat: boolean): CallOutcome {
  return { disposition, trail: [trail], state: null, ended_at: now, key_path: '', is_repeat: isRepeat };
}

/** What the screen of a new call looks up: blacklist, recent calls, repeats, the flow's version. */
function callerScreenOf(
  context: CallContext,
  tracking: string,
  flow: NumberFlow,
  attempt: number,
): CallerScreen {
  return {
    callerNumber: context.from,
    trackingNumber: tracking,
    groupId: flow.groupId,
    callFlowId: flow.callFlowId,
    flowRowVersion: attempt < MAX_VOICE_ATTEMPTS ? flow.rowVersion : undefined,
    hourAgo: new Date(context.now.getTime() - 3600_000),
    repeatSince:
      flow.repeatIntervalHours > 0
        ? new Date(context.now.getTime() - flow.repeatIntervalHours * 3600_000)
        : undefined,
  };
}

/** Why a screened caller is refused, as its trail entry; undefined when the call goes through. */
function refusalOf(
  earlier: ScreenResult,
  flow: LiveFlow,
  stirVerstat: string | undefined,
): string | undefined {
  if (earlier.blacklisted) return 'blacklisted';
  const signals = { stirVerstat, recentCalls: earlier.lastHour };
  if (flow.spamFilterEnabled && isSpam(signals, flow.spamThreshold)) {
    return `spam:${spamScore(signals)}>=${flow.spamThreshold}`;
  }
  return undefined;
}

export function createTelephonyService({
  db,
  clock,
  flows,
  urlsFor,
  carrier = 'twilio',
  hooks = { started: [], completed: [], updated: [] },
  settleWindowSeconds = 0,
}: TelephonyDeps) {
  function contextOf(
    params: CarrierParams,
    fallback: { state?: string | null; zip?: string | null } = {},
  ): CallContext {
    const from = toNanp10(params.From ?? '') ?? params.From ?? '';
    const fromState = params.FromState || fallback.state || undefined;
    const fromZip = params.FromZip || fallback.zip || undefined;
    const place =
      (fromZip && lookupZip(fromZip)) || (from.length === 10 ? lookupNpa(from.slice(0, 3)) : undefined);
    return {
      now: clock.now(),
      from,
      fromState: fromState ?? place?.state,
      fromZip,
      callerPoint: place ? { latitude: place.latitude, longitude: place.longitude } : undefined,
      random: Math.random(),
      placeOfZip: lookupZip,
    };
  }

  /**
   * The usual inbound calls, screened and inserted many in one statement (createGroupCommit):
   * under load, one statement and one commit for the calls that arrive together instead of one
   * each. A batch that fails is written again call by call, so one call that cannot be written
   * does not fail the calls that arrived with it.
   */
  const insertScreened = createGroupCommit<ScreenedCall, ScreenedResult>({
    max: INSERT_BATCH_MAX,
    run: (batch) => createCallRoutingRepo(db).insertScreened(batch),
    retryAlone: true,
  });

  /** The started hooks that write something for this call, decided in memory. */
  function startedHooksFor(
    inbound: InboundCall,
    flow: NumberFlow | undefined,
    disposition: string,
  ): StartedHook[] {
    return hooks.started.filter((hook) => hook.wants(startedCallOf(inbound, flow, 0, disposition)));
  }

  /**
   * Records a new call with its outcome and answers its TwiML. Without hooks, one INSERT and no
   * transaction; otherwise the hooks write in the insert's transaction. A carrier retry of the
   * webhook is found when its insert conflicts, so a first delivery costs no lookup.
   */
  async function recordCall(
    inbound: InboundCall,
    flow: NumberFlow | undefined,
    outcome: CallOutcome,
    twiml: string,
    wanted = startedHooksFor(inbound, flow, outcome.disposition),
  ): Promise<string> {
    const newCall = { ...inbound, ...outcome, step: 1, last_twiml: twiml };
    const calls = createCallRoutingRepo(db);
    const callId =
      wanted.length === 0 && !outcome.ended_at
        ? await calls.insert(newCall)
        : await db.transaction(async (tx) => {
            const id = await createCallRoutingRepo(tx).insert(newCall);
            if (id === undefined) return undefined;
            for (const hook of wanted)
              await hook.run(tx, startedCallOf(inbound, flow, id, outcome.disposition));
            // Calls refused or ended at once (not in service, blocked) are final as recorded.
            if (outcome.ended_at) for (const hook of hooks.completed) await hook(tx, id);
            return id;
          });
    // A concurrent retry inserted first: answer what it answered.
    return callId !== undefined ? twiml : ((await calls.lastTwiml(inbound.carrier_call_sid)) ?? twiml);
  }

  /**
   * The usual call (no hook wants it): screened and inserted in one statement, no transaction
   * (insertScreened). Its answer when that settles it; otherwise the screen, for the caller to
   * record the refused call as blocked or to route it again on a changed flow.
   */
  async function insertUsualCall(
    inbound: InboundCall,
    routed: Omit<CallOutcome, 'is_repeat'>,
    twiml: string,
    screen: CallerScreen,
    flow: LiveFlow,
    stirVerstat: string | undefined,
  ): Promise<ScreenResult | { answer: string }> {
    // calls in the last hour from which the spam filter refuses this caller (none: never)
    const spamLimit = flow.spamFilterEnabled ? spamBurstLimit(stirVerstat, flow.spamThreshold) : undefined;
    const screened = await insertScreened({
      call: { ...inbound, ...routed, step: 1, last_twiml: twiml },
      screen,
      spamLimit,
    });
    if (screened.flowChanged) return screened;
    if (screened.callId !== undefined) return { answer: twiml };
    const refused = screened.blacklisted || (spamLimit !== undefined && screened.lastHour >= spamLimit);
    if (refused) return screened;
    return { answer: (await createCallRoutingRepo(db).lastTwiml(inbound.carrier_call_sid)) ?? twiml };
  }

  const service = {
    /**
     * A new inbound call: find its flow, check spam, run the first step, record the call. When
     * the statement that screens the call finds the flow saved since it was cached (a NOTIFY not
     * here yet), nothing is recorded: the number is evicted and the call starts again on the new
     * version (`attempt` counts; the last one does not check).
     */
    async voice(params: CarrierParams, attempt = 1): Promise<string> {
      const sid = params.CallSid ?? '';
      const tracking = toNanp10(params.To ?? '') ?? params.To ?? '';
      const context = contextOf(params);
      const flow = await flows.forNumber(tracking);
      const inbound = inboundCallOf(params, tracking, context, flow, carrier);
      if (!flow) {
        const notInService = endedAtOnce('NOT IN SERVICE', 'no-live-flow', context.now, false);
        const twiml = renderTwiml(
          [{ verb: 'say', text: NOT_IN_SERVICE }, { verb: 'hangup' }],
          urlsFor(1, sid),
        );
        return recordCall(inbound, flow, notInService, twiml);
      }

      const step = start(flow.program, context);
      const twiml = renderTwiml(presentCallerId(step.actions, flow.dnisAsCid, tracking), urlsFor(1, sid));
      const routed = {
        disposition: dispositionOf(step) ?? 'IN PROGRESS',
        trail: step.state.trail,
        state: step.state,
        ended_at: null,
        key_path: keyPath(step.state),
      };
      const wanted = startedHooksFor(inbound, flow, routed.disposition);
      const screen = callerScreenOf(context, tracking, flow, attempt);
      const earlier =
        wanted.length === 0
          ? await insertUsualCall(inbound, routed, twiml, screen, flow, params.StirVerstat)
          : await createCallRoutingRepo(db).screenCaller(screen);
      if ('answer' in earlier) return earlier.answer;
      if (earlier.flowChanged) {
        flows.evict(tracking);
        return service.voice(params, attempt + 1);
      }
      const isRepeat = earlier.sinceRepeat > 0;
      const refusal = refusalOf(earlier, flow, params.StirVerstat);
      if (refusal) {
        return recordCall(
          inbound,
          flow,
          endedAtOnce('BLOCKED', refusal, context.now, isRepeat),
          rejectTwiml(),
        );
      }
      return recordCall(inbound, flow, { ...routed, is_repeat: isRepeat }, twiml, wanted);
    },

    /**
     * A callback the TwiML named (gather result, dial result, recording). `step` is the step the
     * TwiML was rendered for; a retry, a late duplicate or a callback of another kind than the
     * step waits for gets the answer already given, and changes nothing.
     */
    async callback(kind: CallbackKind, step: number, params: CarrierParams): Promise<string> {
      // No lock: the step number is the version. A retry that reads the same step and loses the
      // write answers what the first delivery answered.
      const calls = createCallRoutingRepo(db);
      const call = await calls.findBySid(params.CallSid ?? '');
      if (!call) return renderTwiml([{ verb: 'hangup' }], urlsFor(0, params.CallSid ?? ''));
      if (
        step !== call.step ||
        !call.state ||
        AWAITED_EVENT[call.state.phase] !== CALLBACK_EVENTS[kind] ||
        call.call_flow_id === null ||
        call.call_flow_version === null
      ) {
        return call.last_twiml ?? renderTwiml([{ verb: 'hangup' }], urlsFor(0, params.CallSid ?? ''));
      }
      const flow = await flows.atVersion(call.call_flow_id, call.call_flow_version);
      if (!flow) return renderTwiml([{ verb: 'hangup' }], urlsFor(0, params.CallSid ?? ''));

      const event: CallEvent =
        kind === 'gather'
          ? { type: 'gather', digits: params.Digits }
          : kind === 'dial'
            ? {
                type: 'dial',
                outcome: DIAL_OUTCOMES[params.DialCallStatus ?? ''] ?? 'failed',
                accepted: call.screened_step === step,
                callerOnLine: isCallerOnLine(params.CallStatus, call.ended_at !== null),
              }
            : { type: 'recorded' };
      const context = contextOf(params, { state: call.caller_state, zip: call.caller_zip });
      const next = resume(flow.program, call.state, event, context);
      const twiml = renderTwiml(
        presentCallerId(next.actions, flow.dnisAsCid, call.tracking_number),
        urlsFor(call.step + 1, params.CallSid ?? ''),
      );
      const answered = kind === 'dial' && next.state.trail.at(-1) === 'answered';
      const rung =
        call.screened_step === step && call.screened_by
          ? call.screened_by
          : call.state.trail
              .filter((entry) => entry.startsWith('ring:'))
              .at(-1)
              ?.slice('ring:'.length);
      const changes = {
        state: next.state,
        last_twiml: twiml,
        trail: next.state.trail,
        key_path: keyPath(next.state),
        disposition: dispositionOf(next, params.DialCallStatus),
        answered_at: answered ? context.now : undefined,
        answered_by: answered ? rung : undefined,
        recording_url: kind === 'dial' ? params.RecordingUrl || undefined : undefined,
        voicemail_url: kind === 'record' ? params.RecordingUrl || undefined : undefined,
      };
      // A result after the final status: the post-call work waits for it, or has begun without it.
      const saved = await calls.saveStep(call.call_id, step, changes, {
        completed: jobKinds(hooks.completed),
        updated: jobKinds(hooks.updated),
        changesRecord:
          (changes.disposition !== undefined && changes.disposition !== call.disposition) ||
          changes.recording_url !== undefined ||
          changes.voicemail_url !== undefined,
      });
      return saved ? twiml : ((await calls.lastTwiml(params.CallSid ?? '')) ?? twiml);
    },

    /**
     * The TwiML run on an answering leg before the bridge (`<Number url>`): the whisper and the
     * screen of the connection the caller's call is dialling at `step`. A leg of a dial the call
     * has moved on from is hung up.
     */
    async whisper(callSid: string, step: number): Promise<string> {
      const call = await createCallRoutingRepo(db).findBySid(callSid);
      const spec =
        call?.step === step && call.state?.phase === 'connect' ? call.state.connect?.spec : undefined;
      if (!spec) return renderTwiml([{ verb: 'hangup' }], urlsFor(step, callSid));
      return whisperTwiml(audioOf(spec.whisper), spec.screen ?? false, urlsFor(step, callSid));
    },

    /**
     * The answering party's key press on a screened leg (`<Number url>` → `<Gather>`): 1 accepts and
     * bridges the call; anything else hangs up that leg, and the hunt goes on when `<Dial>` reports.
     */
    async screen(callSid: string, step: number, params: CarrierParams): Promise<string> {
      if (params.Digits !== '1') return renderTwiml([{ verb: 'hangup' }], urlsFor(step, callSid));
      const answeredBy = toNanp10(params.Called ?? params.To ?? '') ?? null;
      await createCallRoutingRepo(db).markScreened(callSid, step, answeredBy);
      return renderTwiml([], urlsFor(step, callSid));
    },

    /**
     * Call progress and the end of the call; a final status closes the call once, in one
     * statement with its post-call jobs. When the call still waits for a dial or recording result
     * (the carrier sends those in no documented order with this callback), the jobs wait for it,
     * at most the settle window.
     */
    async status(params: CarrierParams): Promise<void> {
      const status = params.CallStatus ?? '';
      const disposition = STATUS_DISPOSITIONS[status];
      if (!disposition) return;
      const parsed = Number.parseInt(params.CallDuration ?? '0', 10);
      const endedAt = clock.now();
      const end = {
        carrierCallSid: params.CallSid ?? '',
        endedAt,
        durationSeconds: Number.isNaN(parsed) ? 0 : parsed,
        disposition,
      };
      await createCallRoutingRepo(db).finish(end, jobKinds(hooks.completed), {
        awaitingPhases: RESULT_PHASES,
        settleBy: new Date(endedAt.getTime() + settleWindowSeconds * 1000),
      });
    },
  };
  return service;
}

export type TelephonyService = ReturnType<typeof createTelephonyService>;
