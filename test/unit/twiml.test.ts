import fc from 'fast-check';
import twilio from 'twilio';
import { describe, expect, it } from 'vitest';
import type { Action, Audio } from '../../src/routing/engine.js';
import { type CallbackUrls, rejectTwiml, renderTwiml, whisperTwiml } from '../../src/telephony/twiml.js';

const { VoiceResponse } = twilio.twiml;

/*
 * The oracle: twilio's own TwiML builder, driven verb for verb as the runtime drove it before it
 * wrote TwiML as text. Every rendering below must be byte for byte what it writes.
 */
type AudioTarget = { say: (text: string) => unknown; play: (url: string) => unknown };
function addAudio(target: AudioTarget, audio: Audio, urls: CallbackUrls) {
  if (audio.verb === 'say') target.say(audio.text);
  else target.play(urls.audio(audio.reference));
}

function referenceTwiml(actions: readonly Action[], urls: CallbackUrls): string {
  const response = new VoiceResponse();
  for (const action of actions) {
    switch (action.verb) {
      case 'say':
      case 'play':
        addAudio(response as never, action, urls);
        break;
      case 'gather': {
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
          ...(action.callerId ? { callerId: `+1${action.callerId}` } : {}),
        });
        const legUrl = action.whisper || action.screen ? urls.whisper : undefined;
        for (const leg of action.legs)
          dial.number(legUrl ? { url: legUrl, method: 'POST' } : {}, `+1${leg.number}`);
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

function referenceWhisper(whisper: readonly Audio[], screen: boolean, urls: CallbackUrls): string {
  const response = new VoiceResponse();
  if (!screen) {
    for (const audio of whisper) addAudio(response as never, audio, urls);
    return response.toString();
  }
  const gather = response.gather({ numDigits: 1, timeout: 8, action: urls.screen, method: 'POST' });
  for (const audio of whisper) addAudio(gather as never, audio, urls);
  gather.say('You have a call. Press 1 to accept it.');
  response.hangup();
  return response.toString();
}

/** Text with everything XML escapes (& < > " \t \n \r), accents and emoji; nothing XML forbids. */
const text = fc
  .array(
    fc.oneof(
      fc.constantFrom('&', '<', '>', '"', "'", '\t', '\n', '\r', ' ', 'é', '😀', '&amp;'),
      fc.string(),
    ),
    {
      maxLength: 6,
    },
  )
  // biome-ignore lint/suspicious/noControlCharactersInRegex: these are what XML forbids
  .map((parts) => parts.join('').replace(/[\0-\x08\x0B\f\x0E-\x1F\uD800-\uDFFF\uFFFE\uFFFF]/g, ''));
const nanp = fc.integer({ min: 2_002_000_000, max: 9_999_999_999 }).map(String);
const audio: fc.Arbitrary<Audio> = fc.oneof(
  fc.record({ verb: fc.constant('say' as const), text }),
  fc.record({ verb: fc.constant('play' as const), reference: text }),
);
const action: fc.Arbitrary<Action> = fc.oneof(
  audio,
  fc.record({
    verb: fc.constant('gather' as const),
    numDigits: fc.integer({ min: 1, max: 4 }),
    timeoutSeconds: fc.integer({ min: 1, max: 30 }),
    prompt: fc.array(audio, { maxLength: 3 }),
  }),
  fc.record(
    {
      verb: fc.constant('dial' as const),
      legs: fc.array(fc.record({ number: nanp, timeoutSeconds: fc.integer({ min: 5, max: 60 }) }), {
        minLength: 1,
        maxLength: 4,
      }),
      record: fc.boolean(),
      whisper: text,
      screen: fc.boolean(),
      callerId: nanp,
    },
    { requiredKeys: ['verb', 'legs', 'record'] },
  ),
  fc.record({
    verb: fc.constant('record' as const),
    purpose: fc.constant('voicemail' as const),
    maxLengthSeconds: fc.integer({ min: 1, max: 600 }),
  }),
  fc.constant({ verb: 'hangup' as const }),
);
/** Callback URLs with a CallSid (and anything else) in them, as a carrier would receive them. */
const urls: fc.Arbitrary<CallbackUrls> = fc.record({ step: fc.nat(99), sid: text }).map(({ step, sid }) => {
  const base = 'https://switchboard.example.com/telephony/twilio';
  const leg = `s=${step}&c=${encodeURIComponent(sid)}`;
  return {
    gather: `${base}/gather?s=${step}`,
    dial: `${base}/dial?s=${step}`,
    record: `${base}/record?s=${step}`,
    whisper: `${base}/whisper?${leg}`,
    screen: `${base}/screen?${leg}`,
    // a raw reference, so the attribute and text escaping of URLs is exercised too
    audio: (reference) => `https://switchboard.example.com/telephony/audio/${reference}?t=a&b="c"`,
  };
});

describe('TwiML', () => {
  it('renders every verb byte for byte as twilio’s VoiceResponse does', () => {
    fc.assert(
      fc.property(fc.array(action, { maxLength: 6 }), urls, (actions, callbackUrls) => {
        expect(renderTwiml(actions, callbackUrls)).toBe(referenceTwiml(actions, callbackUrls));
      }),
      { numRuns: 2_000 },
    );
  });

  it('renders whispers and screened legs as VoiceResponse does', () => {
    fc.assert(
      fc.property(fc.array(audio, { maxLength: 3 }), fc.boolean(), urls, (whisper, screen, callbackUrls) => {
        expect(whisperTwiml(whisper, screen, callbackUrls)).toBe(
          referenceWhisper(whisper, screen, callbackUrls),
        );
      }),
      { numRuns: 500 },
    );
  });

  it('rejects as VoiceResponse does', () => {
    const response = new VoiceResponse();
    response.reject({ reason: 'rejected' });
    expect(rejectTwiml()).toBe(response.toString());
  });

  it('drops characters XML cannot carry instead of failing the call', () => {
    const [anyUrls] = fc.sample(urls, { numRuns: 1, seed: 1 });
    const twiml = renderTwiml(
      [{ verb: 'say', text: 'Hello\u0000 there\u0007\uFFFF \uD800world' }],
      anyUrls as CallbackUrls,
    );
    expect(twiml).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Say>Hello there world</Say></Response>',
    );
  });
});
