import twilio from 'twilio';
import type { Action, Audio } from '../routing/engine.js';

const { VoiceResponse } = twilio.twiml;

/** Where the carrier reports back to; each URL carries the step it answers, for idempotency. */
export interface CallbackUrls {
  gather: string;
  dial: string;
  record: string;
  /** the `<Number url>` run on the answering leg: the whisper, and the "press 1" screen */
  whisper: (text: string | undefined, screen: boolean) => string;
  /** where a screened leg's key press goes */
  screen: string;
  audio: (reference: string) => string;
}

const e164 = (nanp10: string) => `+1${nanp10}`;

function addAudio(
  target: { say: (text: string) => unknown; play: (url: string) => unknown },
  audio: Audio,
  urls: CallbackUrls,
) {
  if (audio.verb === 'say') target.say(audio.text);
  else target.play(urls.audio(audio.reference));
}

/** Renders engine actions as TwiML (Twilio's dialect, which SignalWire and Telnyx TeXML accept). */
export function renderTwiml(actions: readonly Action[], urls: CallbackUrls): string {
  const response = new VoiceResponse();
  for (const action of actions) {
    switch (action.verb) {
      case 'say':
      case 'play':
        addAudio(response as never, action, urls);
        break;
      case 'gather': {
        // actionOnEmptyResult sends a timeout to the action too; the Redirect covers dialects
        // that fall through instead, so "no input" always comes back to us.
        const gather = response.gather({
          numDigits: action.numDigits,
          timeout: action.timeoutSeconds,
          action: urls.gather,
          method: 'POST',
          actionOnEmptyResult: true,
          ...(action.numDigits > 1 ? { finishOnKey: '#' } : {}),
        });
        for (const audio of action.prompt) addAudio(gather as never, audio, urls);
        response.redirect({ method: 'POST' }, urls.gather);
        break;
      }
      case 'dial': {
        const dial = response.dial({
          action: urls.dial,
          method: 'POST',
          timeout: Math.max(...action.legs.map((leg) => leg.timeoutSeconds)),
          answerOnBridge: true,
          ...(action.record ? { record: 'record-from-answer-dual' as const } : {}),
          ...(action.callerId ? { callerId: e164(action.callerId) } : {}),
        });
        const legUrl =
          action.whisper || action.screen ? urls.whisper(action.whisper, action.screen ?? false) : undefined;
        for (const leg of action.legs) {
          dial.number(legUrl ? { url: legUrl, method: 'POST' } : {}, e164(leg.number));
        }
        break;
      }
      case 'record':
        response.record({
          action: urls.record,
          method: 'POST',
          maxLength: action.maxLengthSeconds,
          playBeep: true,
        });
        break;
      case 'hangup':
        response.hangup();
        break;
    }
  }
  return response.toString();
}

export function rejectTwiml(): string {
  const response = new VoiceResponse();
  response.reject({ reason: 'rejected' });
  return response.toString();
}

export const SCREEN_PROMPT = 'You have a call. Press 1 to accept it.';

/**
 * What the answering party hears before the bridge: the whisper, and with screening a one-key
 * `<Gather>` whose silence or wrong key ends with `<Hangup>`, so a voicemail greeting never
 * takes the call.
 */
export function whisperTwiml(whisper: readonly Audio[], screen: boolean, urls: CallbackUrls): string {
  const response = new VoiceResponse();
  if (!screen) {
    for (const audio of whisper) addAudio(response as never, audio, urls);
    return response.toString();
  }
  const gather = response.gather({ numDigits: 1, timeout: 8, action: urls.screen, method: 'POST' });
  for (const audio of whisper) addAudio(gather as never, audio, urls);
  gather.say(SCREEN_PROMPT);
  response.hangup();
  return response.toString();
}
