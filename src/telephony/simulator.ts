import { randomBytes } from 'node:crypto';
import { XMLParser } from 'fast-xml-parser';
import twilio from 'twilio';
import { callOutcome } from '../routing/dry-run.js';

/**
 * Plays the carrier: posts signed webhooks as Twilio would, reads the TwiML that comes back,
 * presses keys, answers or not, and records what happened. Used by `switchboard call` and by
 * the end-to-end tests, so the real webhook path is what gets exercised.
 */

export interface SimulatedCall {
  /** tracking number dialled (10 digits) */
  to: string;
  /** caller (10 digits) */
  from: string;
  /** keys to press at successive menus; an empty string means "press nothing" */
  press?: readonly string[];
  /** which leg answers: the first one rung, none, or a given 10-digit number */
  answer?: 'first' | 'none' | string;
  /**
   * the key the answering party presses when the call is screened ("press 1 to accept"); '' is a
   * voicemail greeting that presses nothing. Default '1'.
   */
  screenKey?: string;
  /** where the carrier serves recordings (`<base>/RE…`, `<base>/VM…`); a placeholder by default */
  recordingBaseUrl?: string;
  fromState?: string;
  fromZip?: string;
  stirVerstat?: string;
  callSid?: string;
}

export interface SimulationStep {
  kind:
    | 'hear'
    | 'press'
    | 'silence'
    | 'ring'
    | 'answered'
    | 'no-answer'
    | 'whisper'
    | 'screen'
    | 'voicemail'
    | 'hangup'
    | 'rejected';
  detail: string;
}

export interface SimulationResult {
  callSid: string;
  steps: SimulationStep[];
  /** how the call ended, named as the dry run names it (callOutcome) */
  outcome: string;
  /** the call's length as reported in the final status callback (see CALL_TIMING) */
  durationSeconds: number;
}

/**
 * How long the simulated parts of a call take, for the duration the carrier reports: a number
 * nobody answers rings for its whole timeout; one that answers rings and talks for
 * `answeredSeconds` in all; a voicemail is `voicemailSeconds` long. Prompts are not timed, and a
 * rejected call lasts 0 s (the carrier never answered it).
 */
const CALL_TIMING = { answeredSeconds: 42, voicemailSeconds: 12 };

/** Sends one webhook: an absolute URL, the form fields and the signature; resolves to the body. */
export type CarrierTransport = (
  url: string,
  params: Record<string, string>,
  signature: string,
) => Promise<string>;

type XmlNode = Record<string, unknown> & { ':@'?: Record<string, string> };

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
});

const verbOf = (node: XmlNode) => Object.keys(node).find((key) => key !== ':@') ?? '';
const childrenOf = (node: XmlNode) => (node[verbOf(node)] as XmlNode[] | undefined) ?? [];
const textOf = (node: XmlNode) =>
  childrenOf(node)
    .map((child) => String((child as { '#text'?: unknown })['#text'] ?? ''))
    .join('');

/** What a Say or Play says, as a step's detail. */
const heardText = (node: XmlNode) => (verbOf(node) === 'Play' ? `audio ${textOf(node)}` : textOf(node));

function responseVerbs(twiml: string): XmlNode[] {
  const document = parser.parse(twiml) as XmlNode[];
  const response = document.find((node) => verbOf(node) === 'Response');
  return response ? childrenOf(response) : [];
}

const MAX_REQUESTS = 60;

export async function simulateCall(
  call: SimulatedCall,
  options: { voiceUrl: string; statusUrl: string; authToken: string; transport: CarrierTransport },
): Promise<SimulationResult> {
  const callSid = call.callSid ?? `CA${randomBytes(16).toString('hex')}`;
  const keys = [...(call.press ?? [])];
  const recordings = call.recordingBaseUrl ?? 'https://carrier.invalid/recordings';
  const steps: SimulationStep[] = [];
  const base: Record<string, string> = {
    CallSid: callSid,
    AccountSid: 'AC00000000000000000000000000000000',
    From: `+1${call.from}`,
    To: `+1${call.to}`,
    Direction: 'inbound',
    CallStatus: 'in-progress',
    ApiVersion: '2010-04-01',
    ...(call.fromState ? { FromState: call.fromState } : {}),
    ...(call.fromZip ? { FromZip: call.fromZip } : {}),
    ...(call.stirVerstat ? { StirVerstat: call.stirVerstat } : {}),
  };
  let requests = 0;
  const post = async (url: string, extra: Record<string, string> = {}) => {
    requests += 1;
    const params = { ...base, ...extra };
    return options.transport(url, params, twilio.getExpectedTwilioSignature(options.authToken, url, params));
  };

  let twiml = await post(options.voiceUrl, { CallStatus: 'ringing' });
  let ending: 'hangup' | 'rejected' | 'step-limit' = 'step-limit';
  let durationSeconds = 0;
  walk: while (requests < MAX_REQUESTS) {
    for (const node of responseVerbs(twiml)) {
      const attributes = node[':@'] ?? {};
      switch (verbOf(node)) {
        case 'Say':
          steps.push({ kind: 'hear', detail: textOf(node) });
          break;
        case 'Play':
          steps.push({ kind: 'hear', detail: `audio ${textOf(node)}` });
          break;
        case 'Gather': {
          for (const inner of childrenOf(node)) {
            steps.push({
              kind: 'hear',
              detail: verbOf(inner) === 'Play' ? `audio ${textOf(inner)}` : textOf(inner),
            });
          }
          const key = keys.shift() ?? '';
          steps.push(key ? { kind: 'press', detail: key } : { kind: 'silence', detail: 'no input' });
          twiml = await post(attributes.action ?? options.voiceUrl, { Digits: key });
          continue walk;
        }
        case 'Redirect':
          twiml = await post(textOf(node));
          continue walk;
        case 'Dial': {
          const legs = childrenOf(node).map((number) => ({
            number: textOf(number).replace(/^\+1/, ''),
            whisperUrl: number[':@']?.url,
          }));
          steps.push({
            kind: 'ring',
            detail: `${legs.map((l) => l.number).join(' + ')} for ${attributes.timeout ?? 30} s`,
          });
          const answering =
            call.answer === 'none'
              ? undefined
              : call.answer && call.answer !== 'first'
                ? legs.find((l) => l.number === call.answer)
                : legs[0];
          let accepted = answering !== undefined;
          if (answering?.whisperUrl) {
            const leg = { Called: `+1${answering.number}` };
            for (const heard of responseVerbs(await post(answering.whisperUrl, leg))) {
              if (verbOf(heard) !== 'Gather') {
                if (verbOf(heard) === 'Hangup') accepted = false;
                else steps.push({ kind: 'whisper', detail: heardText(heard) });
                continue;
              }
              for (const inner of childrenOf(heard))
                steps.push({ kind: 'whisper', detail: heardText(inner) });
              const key = call.screenKey ?? '1';
              const reply = responseVerbs(await post(heard[':@']?.action ?? '', { ...leg, Digits: key }));
              accepted = !reply.some((verb) => verbOf(verb) === 'Hangup');
              steps.push({
                kind: 'screen',
                detail: `${key || 'nothing'} pressed: ${accepted ? 'accepted' : 'declined'}`,
              });
              break;
            }
          }
          steps.push(
            answering && accepted
              ? { kind: 'answered', detail: answering.number }
              : { kind: 'no-answer', detail: 'no-answer' },
          );
          durationSeconds +=
            answering && accepted ? CALL_TIMING.answeredSeconds : Number(attributes.timeout ?? 30);
          twiml = await post(attributes.action ?? options.voiceUrl, {
            DialCallStatus: answering ? 'completed' : 'no-answer',
            ...(answering && attributes.record
              ? { RecordingUrl: `${recordings}/RE${callSid.slice(2, 12)}` }
              : {}),
          });
          continue walk;
        }
        case 'Record':
          steps.push({ kind: 'voicemail', detail: `recording up to ${attributes.maxLength ?? 3600} s` });
          durationSeconds += CALL_TIMING.voicemailSeconds;
          twiml = await post(attributes.action ?? options.voiceUrl, {
            RecordingUrl: `${recordings}/VM${callSid.slice(2, 12)}`,
            RecordingDuration: String(CALL_TIMING.voicemailSeconds),
          });
          continue walk;
        case 'Reject':
          steps.push({ kind: 'rejected', detail: attributes.reason ?? 'rejected' });
          ending = 'rejected';
          break walk;
        case 'Hangup':
          steps.push({ kind: 'hangup', detail: 'hangup' });
          ending = 'hangup';
          break walk;
      }
    }
    ending = 'hangup';
    break;
  }
  if (ending === 'rejected') durationSeconds = 0;
  await post(options.statusUrl, {
    CallStatus: ending === 'rejected' ? 'canceled' : 'completed',
    CallDuration: String(durationSeconds),
  });
  return { callSid, steps, outcome: callOutcome(steps, ending !== 'step-limit'), durationSeconds };
}
