/**
 * Indicator scoring: pure, no I/O. An indicator is a list of signals, each adding its weight
 * (negative weights subtract) when it holds; the score is the sum clamped to 0-100, and the
 * reasons say which signals held: the phrase, who said it and when, or the call field.
 *
 * A phrase signal holds when one of its phrases is said (whole words, any case, punctuation
 * ignored) by the given speaker (`caller`, `agent` or `any`), not negated (none of "not", "no",
 * "never", "don't" ... in the three words before it), within the first `within_first_seconds` of
 * the call when given, and with one of `near.phrases` within `near.within_words` words in the
 * same utterance when given. A field signal compares a call field with a value.
 */

export type SpeakerFilter = 'caller' | 'agent' | 'any';

export interface PhraseSignal {
  phrases: string[];
  speaker?: SpeakerFilter | undefined;
  weight: number;
  within_first_seconds?: number | undefined;
  near?: { phrases: string[]; within_words: number } | undefined;
}

export type FieldName = 'duration' | 'disposition' | 'repeat_call' | 'agent_spoke' | 'caller_spoke';

export interface FieldSignal {
  field: FieldName;
  operator: '=' | '!=' | '>=' | '<=' | 'in';
  value: string | number | boolean | (string | number)[];
  weight: number;
}

export type Signal = PhraseSignal | FieldSignal;

export interface IndicatorDefinition {
  signals: Signal[];
}

export interface ScoredUtterance {
  speaker: string;
  start_ms: number;
  text: string;
}

export interface CallFields {
  duration: number | null;
  disposition: string | null;
  repeat_call: boolean;
}

export type Reason =
  | { phrase: string; speaker: string; start_ms: number; weight: number; negated?: true }
  | { field: FieldName; value: string | number | boolean | null; weight: number };

export interface Score {
  score: number;
  reasons: Reason[];
}

const NEGATORS = new Set([
  'not',
  'no',
  'never',
  "don't",
  'dont',
  "didn't",
  'didnt',
  "won't",
  'wont',
  "can't",
  'cant',
  'cannot',
  "isn't",
  "wasn't",
  "aren't",
  "doesn't",
  "wouldn't",
  'without',
]);
const NEGATION_WINDOW_WORDS = 3;

/** Lower-case words, apostrophes kept ("don't"), everything else a separator. */
export const wordsOf = (text: string): string[] =>
  text
    .toLowerCase()
    .replace(/[’‘]/g, "'")
    .split(/[^a-z0-9'[\]]+/)
    .map((word) => word.replace(/^'+|'+$/g, ''))
    .filter((word) => word !== '');

/** Where `phrase` (as words) starts in `words`: every index. */
function occurrences(words: readonly string[], phrase: readonly string[]): number[] {
  const found: number[] = [];
  if (phrase.length === 0) return found;
  for (let i = 0; i + phrase.length <= words.length; i++)
    if (phrase.every((word, j) => words[i + j] === word)) found.push(i);
  return found;
}

const isNegated = (words: readonly string[], at: number) =>
  words.slice(Math.max(0, at - NEGATION_WINDOW_WORDS), at).some((word) => NEGATORS.has(word));

function isNear(words: readonly string[], at: number, length: number, near: PhraseSignal['near']): boolean {
  if (!near) return true;
  const from = Math.max(0, at - near.within_words);
  const to = Math.min(words.length, at + length + near.within_words);
  const window = words.slice(from, to);
  return near.phrases.some((phrase) => occurrences(window, wordsOf(phrase)).length > 0);
}

interface PreparedUtterance extends ScoredUtterance {
  words: string[];
}

function phraseSignal(signal: PhraseSignal, utterances: readonly PreparedUtterance[]): Reason[] {
  const speaker = signal.speaker ?? 'any';
  const negated: Reason[] = [];
  for (const utterance of utterances) {
    if (speaker !== 'any' && utterance.speaker !== speaker) continue;
    if (signal.within_first_seconds !== undefined && utterance.start_ms > signal.within_first_seconds * 1000)
      continue;
    for (const phrase of signal.phrases) {
      const phraseWords = wordsOf(phrase);
      for (const at of occurrences(utterance.words, phraseWords)) {
        if (!isNear(utterance.words, at, phraseWords.length, signal.near)) continue;
        const reason = { phrase, speaker: utterance.speaker, start_ms: utterance.start_ms };
        if (isNegated(utterance.words, at)) {
          if (negated.length === 0) negated.push({ ...reason, weight: 0, negated: true });
          continue;
        }
        // the first occurrence that holds is the evidence
        return [{ ...reason, weight: signal.weight }];
      }
    }
  }
  return negated;
}

function fieldValue(field: FieldName, call: CallFields, utterances: readonly PreparedUtterance[]) {
  switch (field) {
    case 'duration':
      return call.duration;
    case 'disposition':
      return call.disposition;
    case 'repeat_call':
      return call.repeat_call;
    case 'agent_spoke':
      return utterances.some((utterance) => utterance.speaker === 'agent');
    default:
      return utterances.some((utterance) => utterance.speaker === 'caller');
  }
}

function fieldHolds(signal: FieldSignal, value: string | number | boolean | null): boolean {
  if (value === null) return false;
  const wanted = signal.value;
  switch (signal.operator) {
    case '=':
      return typeof value === 'string'
        ? value.toUpperCase() === String(wanted).toUpperCase()
        : value === wanted;
    case '!=':
      return typeof value === 'string'
        ? value.toUpperCase() !== String(wanted).toUpperCase()
        : value !== wanted;
    case '>=':
      return typeof value === 'number' && value >= Number(wanted);
    case '<=':
      return typeof value === 'number' && value <= Number(wanted);
    default:
      return (
        Array.isArray(wanted) &&
        wanted.some((item) => String(item).toUpperCase() === String(value).toUpperCase())
      );
  }
}

/** The indicator's score (0-100) for the call and the reasons for it. */
export function scoreCall(
  definition: IndicatorDefinition,
  utterances: readonly ScoredUtterance[],
  call: CallFields,
): Score {
  const prepared = utterances.map((utterance) => ({ ...utterance, words: wordsOf(utterance.text) }));
  const reasons: Reason[] = [];
  let total = 0;
  for (const signal of definition.signals) {
    if ('field' in signal) {
      const value = fieldValue(signal.field, call, prepared);
      if (fieldHolds(signal, value)) {
        total += signal.weight;
        reasons.push({ field: signal.field, value, weight: signal.weight });
      }
    } else {
      const found = phraseSignal(signal, prepared);
      for (const reason of found) total += reason.weight;
      reasons.push(...found);
    }
  }
  return { score: Math.max(0, Math.min(100, Math.round(total))), reasons };
}
