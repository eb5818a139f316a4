import { describe, expect, it } from 'vitest';
import { BUILTIN_INDICATORS } from '../../src/modules/indicators/builtins.js';
import {
  type CallFields,
  type IndicatorDefinition,
  scoreCall,
} from '../../src/modules/indicators/scoring.js';

/** Indicator rules on transcripts written for the tests: positive, negative, negated, wrong speaker. */
const builtin = (name: string) =>
  (
    BUILTIN_INDICATORS.find((indicator) => indicator.indicator_name === name) as {
      definition: IndicatorDefinition;
    }
  ).definition;

const answered: CallFields = { duration: 180, disposition: 'ANSWERED', repeat_call: false };
const say = (speaker: string, start_ms: number, text: string) => ({ speaker, start_ms, text });

describe('indicator scoring', () => {
  it('scores an appointment the agent booked with a day near it, saying who and when', () => {
    const result = scoreCall(
      builtin('Appointment set'),
      [
        say('caller', 0, 'Can you come look at my roof?'),
        say('agent', 4000, "Sure, you're all set for Tuesday at 9 am."),
      ],
      answered,
    );
    expect(result.score).toBe(100);
    expect(result.reasons).toEqual([
      { phrase: "you're all set", speaker: 'agent', start_ms: 4000, weight: 60 },
      { phrase: "you're all set", speaker: 'agent', start_ms: 4000, weight: 40 },
    ]);
  });

  it('does not count a negated phrase, and says it was negated', () => {
    const result = scoreCall(
      builtin('Appointment set'),
      [say('agent', 1000, "Sorry, I haven't, we are not booked that way.")],
      answered,
    );
    expect(result.score).toBe(0);
    expect(result.reasons[0]).toMatchObject({ phrase: 'booked', negated: true, weight: 0 });
  });

  it('scores nothing for a phrase said by the wrong speaker', () => {
    const lead = builtin('Lead');
    const byAgent = scoreCall(lead, [say('agent', 0, 'Would you like a quote?')], {
      ...answered,
      duration: 30,
    });
    const byCaller = scoreCall(lead, [say('caller', 0, 'I would like a quote.')], {
      ...answered,
      duration: 30,
    });
    // the agent's "quote" is not the caller asking: only the call fields count (agent spoke, not a repeat)
    expect(byAgent.score).toBe(25);
    expect(byCaller.score).toBe(65);
    expect(byCaller.reasons).toContainEqual({ phrase: 'quote', speaker: 'caller', start_ms: 0, weight: 50 });
  });

  it('uses call fields: a missed call with a need is a missed opportunity, less so once booked', () => {
    const missed = builtin('Missed opportunity');
    const voicemail = { duration: 25, disposition: 'VOICEMAIL', repeat_call: false };
    expect(
      scoreCall(missed, [say('caller', 0, 'Hi, I need an estimate for my kitchen.')], voicemail),
    ).toEqual({
      score: 90,
      reasons: [
        { phrase: 'estimate', speaker: 'caller', start_ms: 0, weight: 40 },
        { field: 'disposition', value: 'VOICEMAIL', weight: 50 },
      ],
    });
    expect(
      scoreCall(
        missed,
        [say('caller', 0, 'What is the price?'), say('agent', 2000, 'I have booked you for Monday.')],
        answered,
      ).score,
    ).toBe(0);
    expect(
      scoreCall(builtin('Voicemail left'), [say('caller', 0, 'Please call me back.')], voicemail).score,
    ).toBe(100);
  });

  it('finds solicitors only early in the call, and phrases only near their companion words', () => {
    const spam = builtin('Solicitor / spam');
    const early = scoreCall(
      spam,
      [say('caller', 2000, 'This is a courtesy call about your Google listing.')],
      {
        duration: 15,
        disposition: 'ANSWERED',
        repeat_call: false,
      },
    );
    expect(early.score).toBe(100);
    const late = scoreCall(spam, [say('caller', 45_000, 'Is this a courtesy call?')], answered);
    expect(late.score).toBe(15);

    const near: IndicatorDefinition = {
      signals: [
        {
          phrases: ['price'],
          speaker: 'caller',
          weight: 70,
          near: { phrases: ['too high'], within_words: 3 },
        },
      ],
    };
    expect(scoreCall(near, [say('caller', 0, 'The price is too high.')], answered).score).toBe(70);
    expect(
      scoreCall(near, [say('caller', 0, 'The price was fine but the wait was too high.')], answered).score,
    ).toBe(0);
  });

  it('clamps the score to 0-100 and matches whole words in any case', () => {
    const definition: IndicatorDefinition = {
      signals: [
        { phrases: ['refund'], weight: 80 },
        { phrases: ['REFUND NOW'], weight: 80 },
        { phrases: ['thanks'], weight: -500 },
      ],
    };
    expect(scoreCall(definition, [say('caller', 0, 'Refund now!')], answered).score).toBe(100);
    expect(scoreCall(definition, [say('caller', 0, 'Refunds, thanks.')], answered).score).toBe(0);
    expect(scoreCall(definition, [say('caller', 0, 'refundable')], answered).reasons).toEqual([]);
  });
});
