/**
 * The keywords a texter controls their consent with (CTIA's list, as carriers apply it): the
 * whole message, in any case, with surrounding white space, is the keyword. "Stop it" or "please
 * stop" is a message, not a keyword (carriers read them the same way).
 */
export const OPT_OUT_KEYWORDS = ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT'] as const;
export const OPT_IN_KEYWORDS = ['START', 'UNSTOP', 'YES'] as const;
export const HELP_KEYWORDS = ['HELP'] as const;

export type KeywordKind = 'opt_out' | 'opt_in' | 'help';

export interface Keyword {
  kind: KeywordKind;
  /** the keyword as listed (upper case) */
  keyword: string;
}

const KINDS = new Map<string, KeywordKind>([
  ...OPT_OUT_KEYWORDS.map((word) => [word, 'opt_out'] as const),
  ...OPT_IN_KEYWORDS.map((word) => [word, 'opt_in'] as const),
  ...HELP_KEYWORDS.map((word) => [word, 'help'] as const),
]);

/** The keyword a text body is, or undefined when it is a message. */
export function keywordOf(body: string): Keyword | undefined {
  // \s covers the Unicode spaces a phone keyboard may add (no-break space, ideographic space ...)
  const trimmed = body.replace(/^\s+|\s+$/gu, '');
  // ASCII letters only: toUpperCase maps some other letters onto them ('ſtart' -> 'START')
  if (!/^[A-Za-z]+$/.test(trimmed)) return undefined;
  const word = trimmed.toUpperCase();
  const kind = KINDS.get(word);
  return kind ? { kind, keyword: word } : undefined;
}
