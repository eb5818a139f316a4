import type { CallFilters } from '../calls/search';
import { parseCallSearch } from '../calls/search';

/** The transcript search page's URL: what was searched, the call-log filters, the page. */
export interface TranscriptSearch extends CallFilters {
  q?: string | undefined;
  page?: number | undefined;
}

export function parseTranscriptSearch(raw: Record<string, unknown>): TranscriptSearch {
  const { cols: _cols, ...filters } = parseCallSearch(raw);
  const q = typeof raw.q === 'string' && raw.q.trim() !== '' ? raw.q.trim().slice(0, 500) : undefined;
  return q === undefined ? filters : { ...filters, q };
}
