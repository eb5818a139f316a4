import type { Queryable } from '../../db/index.js';

/** Markers ts_headline puts around each hit; control characters never found in a transcript. */
const START = '\u0002';
const STOP = '\u0003';

export interface TranscriptHit {
  call_id: number;
  /** the whole transcript's best fragments, hits marked */
  headline: string;
  /** the utterances that match on their own, in time order, hits marked */
  segments: { speaker: string; start_ms: number; end_ms: number; text: string }[];
}

/**
 * Where `query` matches in the transcripts of `callIds` (one page of search results): the
 * transcript's best fragments and each utterance that matches, with the hits marked by START and
 * STOP. A phrase said across two utterances matches the call but no single utterance.
 */
export async function transcriptHits(
  q: Queryable,
  callIds: readonly number[],
  query: string,
): Promise<Map<number, TranscriptHit>> {
  if (callIds.length === 0) return new Map();
  const { rows } = await q.query<TranscriptHit>(
    `select t.call_id::integer as call_id,
            ts_headline('english', coalesce(t.transcript, ''), w.q,
                        'StartSel=' || $3 || ', StopSel=' || $4 || ', MaxFragments=3, MaxWords=25, MinWords=8, FragmentDelimiter=" … "')
              as headline,
            coalesce((
              select jsonb_agg(jsonb_build_object(
                       'speaker', s.seg->>'speaker',
                       'start_ms', (s.seg->>'start_ms')::integer,
                       'end_ms', (s.seg->>'end_ms')::integer,
                       'text', ts_headline('english', s.seg->>'text', w.q,
                                           'HighlightAll=true, StartSel=' || $3 || ', StopSel=' || $4))
                     order by s.ord)
                from jsonb_array_elements(t.segments) with ordinality as s(seg, ord)
               where to_tsvector('english', s.seg->>'text') @@ w.q), '[]'::jsonb) as segments
       from call_transcript t, (select websearch_to_tsquery('english', $2) as q) w
      where t.call_id = any($1::bigint[])`,
    [callIds, query, START, STOP],
  );
  return new Map(rows.map((row) => [row.call_id, row]));
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * A marked text as the API gives it: `text` plain, `highlights` the [from, to) character ranges
 * of the hits in it, and `html` escaped with each hit in <mark>.
 */
export function highlighted(marked: string): { text: string; highlights: [number, number][]; html: string } {
  let text = '';
  let html = '';
  const highlights: [number, number][] = [];
  let from = -1;
  for (const part of marked.split(new RegExp(`([${START}${STOP}])`))) {
    if (part === START) {
      from = text.length;
      html += '<mark>';
    } else if (part === STOP) {
      if (from >= 0) highlights.push([from, text.length]);
      from = -1;
      html += '</mark>';
    } else {
      text += part;
      html += escapeHtml(part);
    }
  }
  return { text, highlights, html };
}
