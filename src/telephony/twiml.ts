import type { Action, Audio } from '../routing/engine.js';

/** Where the carrier reports back to; each URL carries the step it answers, for idempotency. */
export interface CallbackUrls {
  gather: string;
  dial: string;
  record: string;
  /**
   * the `<Number url>` run on the answering leg: the whisper and the "press 1" screen, read from
   * the call's step (never carried in the URL, which carriers and this server limit in length)
   */
  whisper: string;
  /** where a screened leg's key press goes */
  screen: string;
  audio: (reference: string) => string;
}

/*
 * TwiML is written here as text, byte for byte what twilio's `VoiceResponse` writes for the same
 * verbs (test/unit/twiml.test.ts compares the two over generated actions). `VoiceResponse`
 * builds an XML document object per answer, which cost about 7% of the carrier webhook's CPU
 * time; these few verbs need only escaping.
 */

const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';
/** Characters XML 1.0 cannot carry at all (controls, lone surrogates, U+FFFE/U+FFFF): dropped. */
const NOT_XML =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
  /[\0-\x08\x0B\f\x0E-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const TEXT_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#xD;' };
const ATTRIBUTE_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '"': '&quot;',
  '\t': '&#x9;',
  '\n': '&#xA;',
  '\r': '&#xD;',
};
const escapeText = (text: string) =>
  text.replace(NOT_XML, '').replace(/[&<>\r]/g, (c) => TEXT_ESCAPES[c] as string);
const escapeAttribute = (value: string) =>
  value.replace(NOT_XML, '').replace(/[&<"\t\n\r]/g, (c) => ATTRIBUTE_ESCAPES[c] as string);

type Attributes = Record<string, string | number | boolean>;

/** One element; `content` is escaped text, or children already written. */
function element(
  name: string,
  attributes: Attributes,
  content?: { text: string } | readonly string[],
): string {
  let open = `<${name}`;
  for (const [key, value] of Object.entries(attributes))
    open += ` ${key}="${escapeAttribute(String(value))}"`;
  const inner =
    content === undefined
      ? ''
      : Array.isArray(content)
        ? content.join('')
        : escapeText((content as { text: string }).text);
  return inner === '' ? `${open}/>` : `${open}>${inner}</${name}>`;
}

const response = (verbs: readonly string[]) => XML_DECLARATION + element('Response', {}, verbs);

const e164 = (nanp10: string) => `+1${nanp10}`;

const audioElement = (audio: Audio, urls: CallbackUrls) =>
  audio.verb === 'say'
    ? element('Say', {}, { text: audio.text })
    : element('Play', {}, { text: urls.audio(audio.reference) });

/** Renders engine actions as TwiML (Twilio's dialect, which SignalWire and Telnyx TeXML accept). */
export function renderTwiml(actions: readonly Action[], urls: CallbackUrls): string {
  const verbs: string[] = [];
  for (const action of actions) {
    switch (action.verb) {
      case 'say':
      case 'play':
        verbs.push(audioElement(action, urls));
        break;
      case 'gather':
        // actionOnEmptyResult sends a timeout to the action too; the Redirect covers dialects
        // that fall through instead, so "no input" always comes back to us.
        verbs.push(
          element(
            'Gather',
            {
              numDigits: action.numDigits,
              timeout: action.timeoutSeconds,
              action: urls.gather,
              method: 'POST',
              actionOnEmptyResult: true,
              ...(action.numDigits > 1 ? { finishOnKey: '#' } : {}),
            },
            action.prompt.map((audio) => audioElement(audio, urls)),
          ),
          element('Redirect', { method: 'POST' }, { text: urls.gather }),
        );
        break;
      case 'dial': {
        const legUrl = action.whisper || action.screen ? urls.whisper : undefined;
        verbs.push(
          element(
            'Dial',
            {
              action: urls.dial,
              method: 'POST',
              timeout: Math.max(...action.legs.map((leg) => leg.timeoutSeconds)),
              answerOnBridge: true,
              ...(action.record ? { record: 'record-from-answer-dual' } : {}),
              ...(action.callerId ? { callerId: e164(action.callerId) } : {}),
            },
            action.legs.map((leg) =>
              element('Number', legUrl ? { url: legUrl, method: 'POST' } : {}, { text: e164(leg.number) }),
            ),
          ),
        );
        break;
      }
      case 'record':
        verbs.push(
          element('Record', {
            action: urls.record,
            method: 'POST',
            maxLength: action.maxLengthSeconds,
            playBeep: true,
          }),
        );
        break;
      case 'hangup':
        verbs.push(element('Hangup', {}));
        break;
    }
  }
  return response(verbs);
}

export function rejectTwiml(): string {
  return response([element('Reject', { reason: 'rejected' })]);
}

export const SCREEN_PROMPT = 'You have a call. Press 1 to accept it.';

/**
 * What the answering party hears before the bridge: the whisper, and with screening a one-key
 * `<Gather>` whose silence or wrong key ends with `<Hangup>`, so a voicemail greeting never
 * takes the call.
 */
export function whisperTwiml(whisper: readonly Audio[], screen: boolean, urls: CallbackUrls): string {
  const spoken = whisper.map((audio) => audioElement(audio, urls));
  if (!screen) return response(spoken);
  return response([
    element('Gather', { numDigits: 1, timeout: 8, action: urls.screen, method: 'POST' }, [
      ...spoken,
      element('Say', {}, { text: SCREEN_PROMPT }),
    ]),
    element('Hangup', {}),
  ]);
}

/** A messaging webhook's answer: a `<Message>` reply to the texter, or nothing. */
export function messagingTwiml(reply?: string): string {
  return response(reply ? [element('Message', {}, { text: reply })] : []);
}
