import type { ReactNode } from 'react';

/** `text` with the [from, to) ranges the server found marked. */
export function Highlighted({ text, ranges }: { text: string; ranges: readonly (readonly number[])[] }) {
  const parts: ReactNode[] = [];
  let at = 0;
  for (const [from = 0, to = 0] of [...ranges].sort((a, b) => (a[0] ?? 0) - (b[0] ?? 0))) {
    if (from < at || to <= from) continue;
    if (from > at) parts.push(text.slice(at, from));
    parts.push(<mark key={from}>{text.slice(from, to)}</mark>);
    at = to;
  }
  if (at < text.length) parts.push(text.slice(at));
  return <>{parts}</>;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Decodes the entities of the server's escaped HTML (named and numeric). */
function decode(text: string): string {
  return text.replace(/&(#\d+|#x[0-9a-f]+|[a-z]+);/gi, (entity, name: string) => {
    if (name.startsWith('#x') || name.startsWith('#X'))
      return String.fromCodePoint(Number.parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(Number(name.slice(1)));
    return ENTITIES[name.toLowerCase()] ?? entity;
  });
}

/**
 * The server's headline (escaped text, hits in <mark>) as React text and <mark> elements, so
 * nothing of it is parsed as HTML.
 */
export function Headline({ html }: { html: string }) {
  const parts = html.split(/<mark>|<\/mark>/);
  return (
    <>
      {parts.map((part, index) =>
        // odd parts were between <mark> and </mark>
        index % 2 === 1 ? (
          // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one string, in order
          <mark key={index}>{decode(part)}</mark>
        ) : (
          decode(part)
        ),
      )}
    </>
  );
}

export const SPEAKER_LABEL: Record<string, string> = { caller: 'Caller', agent: 'Agent', unknown: 'Speaker' };
/** the waveform's channel colours: the caller blue, the agent teal */
export const SPEAKER_COLOR: Record<string, string> = {
  caller: 'switchboard',
  agent: 'teal',
  unknown: 'gray',
};

/** A time in a call, 0:42, from milliseconds. */
export function callTime(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}
