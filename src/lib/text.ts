/**
 * Text from outside (a webhook receiver's answer, a mail or SMS provider's error) as PostgreSQL
 * can store it: at most `max` characters, each NUL character (which text and jsonb refuse) as
 * U+FFFD, so a stray byte in someone else's answer cannot fail the write that records it.
 */
export function storableText(text: string, max: number): string {
  return text.slice(0, max).replaceAll('\u0000', '\uFFFD');
}
