/**
 * Redaction of payment and identity numbers spoken in a call, applied to every stored transcript
 * (its text and each utterance) before it is written. The rule (docs/analytics.md):
 *
 * - A *digit run* is a sequence of digit groups ("4111", "4"), spoken digits ("four", "oh",
 *   "zero" ... "nine") and repeated spoken digits ("double four" = 44, "triple seven" = 777)
 *   separated only by spaces, hyphens, dots, commas, slashes and short fillers ("um", "uh", "er",
 *   "erm", "ah", "hmm", "mm"), so "four one one one, um, one one one one" is one run.
 * - Inside a run, the longest stretch of 13 to 19 digits that passes the Luhn check, from the
 *   left, becomes `[redacted card number]`.
 * - 9 digits written 3-2-4 ("123-45-6789", "123 45 6789"), or any 9 digits within 40 characters
 *   after "social security", "SSN" or "social", become `[redacted social security number]`.
 * - 6 to 17 digits within 40 characters after "account", "routing", "bank", "checking",
 *   "savings" or "IBAN" become `[redacted bank number]`.
 * - Anything else (phone numbers, amounts, dates, ZIP codes) is kept.
 *
 * Redaction works on one utterance at a time: a number split over two utterances of one speaker
 * is redacted only in the part that is long enough on its own.
 */

export const REDACTED_CARD = '[redacted card number]';
export const REDACTED_SSN = '[redacted social security number]';
export const REDACTED_BANK = '[redacted bank number]';

const DIGIT_WORDS: Record<string, string> = {
  zero: '0',
  oh: '0',
  one: '1',
  two: '2',
  three: '3',
  four: '4',
  five: '5',
  six: '6',
  seven: '7',
  eight: '8',
  nine: '9',
};

const MULTIPLIERS: Record<string, number> = { double: 2, triple: 3 };
const SPOKEN_DIGIT = `(?:${Object.keys(DIGIT_WORDS).join('|')})`;
/** "double four", "triple 7": a spoken digit said two or three times. */
const REPEATED = `\\b(?:${Object.keys(MULTIPLIERS).join('|')})[\\s-]+(?:${SPOKEN_DIGIT}|\\d)\\b`;
const TOKEN = `(?:${REPEATED}|\\d+|\\b${SPOKEN_DIGIT}\\b)`;
/** What may stand between the digits of one number: punctuation, spaces and short fillers. */
const FILLER = '\\b(?:u+m+|u+h+|e+r+m*|a+h+|h+m+|m{2,})\\b';
const SEPARATOR = `(?:[\\s.,\\-/]|${FILLER})*`;
const RUN = new RegExp(`${TOKEN}(?:${SEPARATOR}${TOKEN})*`, 'gi');
const TOKEN_ONLY = new RegExp(TOKEN, 'gi');
const SSN_CONTEXT = /(social security|social|\bssn\b|\bsocial sec)/i;
const BANK_CONTEXT = /(account|routing|\bbank\b|checking|savings|\biban\b)/i;
const SSN_SHAPE = /^\d{3}[\s-]\d{2}[\s-]\d{4}$/;
const CONTEXT_CHARS = 40;

/** Luhn (mod 10) check of a string of digits. */
export function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return digits.length > 0 && sum % 10 === 0;
}

interface Token {
  start: number;
  end: number;
  digits: string;
}

/** The digits of a spoken token: "four" -> 4, "double oh" -> 00, "triple 7" -> 777. */
function spokenDigits(token: string): string {
  const [first = '', ...rest] = token.split(/[\s-]+/);
  const times = MULTIPLIERS[first];
  if (times === undefined) return DIGIT_WORDS[first] ?? '';
  const digit = rest[rest.length - 1] ?? '';
  return (/^\d$/.test(digit) ? digit : (DIGIT_WORDS[digit] ?? '')).repeat(times);
}

function tokensOf(run: string, offset: number): Token[] {
  const tokens: Token[] = [];
  for (const match of run.matchAll(TOKEN_ONLY)) {
    const text = match[0];
    const digits = /^\d+$/.test(text) ? text : spokenDigits(text.toLowerCase());
    tokens.push({
      start: offset + (match.index ?? 0),
      end: offset + (match.index ?? 0) + text.length,
      digits,
    });
  }
  return tokens;
}

interface Replacement {
  start: number;
  end: number;
  label: string;
}

/** The card numbers inside one run's tokens: the longest Luhn-valid 13-19 digit stretch from the left. */
function cardsIn(tokens: Token[]): { replacements: Replacement[]; rest: Token[][] } {
  const replacements: Replacement[] = [];
  const rest: Token[][] = [];
  let pending: Token[] = [];
  let i = 0;
  while (i < tokens.length) {
    let found = -1;
    let digits = '';
    const candidates: number[] = [];
    for (let j = i; j < tokens.length; j++) {
      digits += (tokens[j] as Token).digits;
      if (digits.length > 19) break;
      if (digits.length >= 13 && passesLuhn(digits)) candidates.push(j);
    }
    if (candidates.length > 0) found = candidates[candidates.length - 1] as number;
    if (found >= 0) {
      if (pending.length > 0) rest.push(pending);
      pending = [];
      replacements.push({
        start: (tokens[i] as Token).start,
        end: (tokens[found] as Token).end,
        label: REDACTED_CARD,
      });
      i = found + 1;
    } else {
      pending.push(tokens[i] as Token);
      i += 1;
    }
  }
  if (pending.length > 0) rest.push(pending);
  return { replacements, rest };
}

/** SSNs and bank numbers in a stretch of tokens that holds no card number. */
function identityNumbersIn(text: string, tokens: Token[]): Replacement[] {
  const first = tokens[0] as Token;
  const last = tokens[tokens.length - 1] as Token;
  const digits = tokens.map((token) => token.digits).join('');
  const span = text.slice(first.start, last.end);
  const before = text.slice(Math.max(0, first.start - CONTEXT_CHARS), first.start);
  if (digits.length === 9 && (SSN_SHAPE.test(span) || SSN_CONTEXT.test(before)))
    return [{ start: first.start, end: last.end, label: REDACTED_SSN }];
  if (digits.length >= 6 && digits.length <= 17 && BANK_CONTEXT.test(before))
    return [{ start: first.start, end: last.end, label: REDACTED_BANK }];
  // a long run may hold several numbers ("routing 0210 0002 1 account 1234 5678"): none here
  return [];
}

/** The text with card, bank and social security numbers replaced by their labels. */
export function redact(text: string): string {
  const replacements: Replacement[] = [];
  for (const match of text.matchAll(RUN)) {
    const tokens = tokensOf(match[0], match.index ?? 0);
    const total = tokens.reduce((sum, token) => sum + token.digits.length, 0);
    if (total < 6) continue;
    const { replacements: cards, rest } = cardsIn(tokens);
    replacements.push(...cards);
    for (const stretch of rest) replacements.push(...identityNumbersIn(text, stretch));
  }
  if (replacements.length === 0) return text;
  replacements.sort((a, b) => a.start - b.start);
  let out = '';
  let at = 0;
  for (const { start, end, label } of replacements) {
    out += text.slice(at, start) + label;
    at = end;
  }
  return out + text.slice(at);
}
