import type { IndicatorDefinition } from './scoring.js';

/**
 * The built-in indicators every group has (docs/analytics.md lists them). Their ids are fixed
 * (1-7) so call actions can test them (`indicator_id`); a group's own indicators are numbered
 * from 1001 (migration 0041).
 */
export interface BuiltinIndicator {
  indicator_id: number;
  indicator_name: string;
  description: string;
  definition: IndicatorDefinition;
}

const INTENT = [
  'quote',
  'estimate',
  'how much',
  'price',
  'pricing',
  'cost',
  'interested in',
  'looking for',
  'do you offer',
  'do you have',
  'are you open',
  'availability',
  'appointment',
  'schedule',
];
const BOOKED = [
  'scheduled',
  'booked',
  'you are all set',
  "you're all set",
  'see you on',
  'see you tomorrow',
  'appointment for',
  'appointment is',
  'set you up for',
  'confirm your appointment',
  'confirmed for',
];
const WHEN = [
  'monday',
  'tuesday',
  'wednesday',
  'thursday',
  'friday',
  'saturday',
  'sunday',
  'tomorrow',
  'today',
  'am',
  'pm',
  "o'clock",
  'morning',
  'afternoon',
  'evening',
];
const MISSED_DISPOSITIONS = ['NO ANSWER', 'BUSY', 'VOICEMAIL', 'ABANDONED', 'FAILED', 'CALLER HANGUP'];

export const BUILTIN_INDICATORS: readonly BuiltinIndicator[] = [
  {
    indicator_id: 1,
    indicator_name: 'Lead',
    description:
      'A new prospect asking about a product or service: the caller asks for a quote, price or appointment; a real conversation (60 s or more) that is not a repeat call.',
    definition: {
      signals: [
        { phrases: INTENT, speaker: 'caller', weight: 50 },
        { field: 'duration', operator: '>=', value: 60, weight: 25 },
        { field: 'agent_spoke', operator: '=', value: true, weight: 10 },
        { field: 'repeat_call', operator: '=', value: false, weight: 15 },
      ],
    },
  },
  {
    indicator_id: 2,
    indicator_name: 'Appointment set',
    description:
      'The agent books a time: "scheduled", "booked", "see you on", "set you up for" (not negated), more so with a day or time near it.',
    definition: {
      signals: [
        { phrases: BOOKED, speaker: 'any', weight: 60 },
        { phrases: BOOKED, speaker: 'any', weight: 40, near: { phrases: WHEN, within_words: 8 } },
      ],
    },
  },
  {
    indicator_id: 3,
    indicator_name: 'Sale / conversion',
    description:
      'The caller buys: "I\'ll take it", "place an order", "sign me up", "go ahead"; a payment (a card number, redacted, or "payment") on the call.',
    definition: {
      signals: [
        {
          phrases: [
            "i'll take it",
            'i will take it',
            'place an order',
            'place the order',
            'sign me up',
            "let's do it",
            'go ahead with',
            'i want to buy',
            "i'd like to buy",
            'purchase',
          ],
          speaker: 'caller',
          weight: 60,
        },
        {
          phrases: [
            '[redacted card number]',
            'credit card',
            'payment',
            'card number',
            'receipt',
            'order number',
          ],
          speaker: 'any',
          weight: 40,
        },
      ],
    },
  },
  {
    indicator_id: 4,
    indicator_name: 'Missed opportunity',
    description:
      'A caller with a need who was not served: asked for a quote, price or appointment, and the call was not answered or went to voicemail, or the agent turned them away; less so when an appointment was booked.',
    definition: {
      signals: [
        { phrases: INTENT, speaker: 'caller', weight: 40 },
        { field: 'disposition', operator: 'in', value: MISSED_DISPOSITIONS, weight: 50 },
        {
          phrases: [
            "we're closed",
            'we are closed',
            'call back later',
            'call back tomorrow',
            "we don't do",
            'we do not do',
            'nobody is available',
            'no one is available',
            'fully booked',
          ],
          speaker: 'agent',
          weight: 40,
        },
        { phrases: BOOKED, speaker: 'any', weight: -60 },
      ],
    },
  },
  {
    indicator_id: 5,
    indicator_name: 'Complaint',
    description: 'The caller is unhappy: complaint, refund, cancel, manager, disappointed, terrible, worst.',
    definition: {
      signals: [
        {
          phrases: [
            'complaint',
            'complain',
            'refund',
            'unhappy',
            'disappointed',
            'terrible',
            'worst',
            'unacceptable',
          ],
          speaker: 'caller',
          weight: 60,
        },
        {
          phrases: ['speak to a manager', 'talk to a manager', 'your manager', 'supervisor', 'cancel my'],
          speaker: 'caller',
          weight: 40,
        },
      ],
    },
  },
  {
    indicator_id: 6,
    indicator_name: 'Solicitor / spam',
    description:
      'A sales or robo call to the business: "courtesy call", "google listing", "press one", "extended warranty", "we are calling from", in the first 30 s; a short call.',
    definition: {
      signals: [
        {
          phrases: [
            'courtesy call',
            'google listing',
            'business listing',
            'press one',
            'press 1',
            'extended warranty',
            'vehicle warranty',
            'we are calling from',
            "we're calling from",
            'not a sales call',
            'search engine',
            'merchant services',
          ],
          speaker: 'caller',
          weight: 70,
          within_first_seconds: 30,
        },
        { field: 'duration', operator: '<=', value: 20, weight: 15 },
        { field: 'agent_spoke', operator: '=', value: false, weight: 15 },
      ],
    },
  },
  {
    indicator_id: 7,
    indicator_name: 'Voicemail left',
    description:
      'The caller left a message: the call went to voicemail and the caller spoke ("call me back", "leave a message", "give me a call").',
    definition: {
      signals: [
        { field: 'disposition', operator: '=', value: 'VOICEMAIL', weight: 50 },
        { field: 'caller_spoke', operator: '=', value: true, weight: 20 },
        {
          phrases: [
            'call me back',
            'give me a call',
            'my number is',
            'reach me at',
            'leaving a message',
            'this message',
          ],
          speaker: 'caller',
          weight: 30,
        },
      ],
    },
  },
];
