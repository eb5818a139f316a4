import type { ScoredUtterance } from './scoring.js';

/**
 * Optional model scoring (docs/analytics.md): the call's transcript and its indicators sent to an
 * OpenAI-compatible `POST {ANALYSIS_URL}/chat/completions`, which answers each indicator as JSON
 * `{indicator_id, score 0-100, quote}`. The answer is stored beside the rule scores, never instead
 * of them. The key goes only in the Authorization header and is never logged.
 */

export interface ModelScoringConfig {
  url: string;
  apiKey: string | undefined;
  model: string;
  timeoutMs: number;
}

export interface ModelScore {
  score: number;
  /** what was said that shows it, as the model quoted it; null when it quoted nothing */
  quote: string | null;
}

/** A failure worth trying again (rate limit, server error, timeout, network). */
export class RetryableModelError extends Error {}

export const DEFAULT_ANALYSIS_MODEL = 'gpt-4o-mini';
const MAX_QUOTE = 500;
const MAX_TRANSCRIPT_CHARS = 60_000;

const clock = (ms: number) => {
  const seconds = Math.floor(ms / 1000);
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
};

/** The chat-completions request body: instructions, indicators and the speaker-labelled transcript. */
export function modelRequest(
  model: string,
  indicators: { indicator_id: number; indicator_name: string; description: string }[],
  utterances: ScoredUtterance[],
) {
  const transcript = utterances
    .map((u) => `[${clock(u.start_ms)}] ${u.speaker === 'agent' ? 'Agent' : 'Caller'}: ${u.text}`)
    .join('\n')
    .slice(0, MAX_TRANSCRIPT_CHARS);
  return {
    model,
    temperature: 0,
    response_format: { type: 'json_object' },
    messages: [
      {
        role: 'system',
        content:
          'You grade phone calls to a business. For each indicator, give a score from 0 (clearly not) to 100 (clearly yes) ' +
          'and quote the words of the transcript that show it (an empty string when nothing does). Answer only JSON: ' +
          '{"indicators": [{"indicator_id": <number>, "score": <0-100>, "quote": "<exact words from the transcript>"}]}',
      },
      {
        role: 'user',
        content: `Indicators:\n${indicators
          .map((i) => `- ${i.indicator_id}: ${i.indicator_name}${i.description ? ` (${i.description})` : ''}`)
          .join('\n')}\n\nTranscript:\n${transcript}`,
      },
    ],
  };
}

/** The model's answer read strictly: known indicator ids, whole scores 0-100, quotes as strings. */
export function readModelAnswer(body: unknown, indicatorIds: Set<number>): Map<number, ModelScore> {
  const content = (body as { choices?: { message?: { content?: unknown } }[] })?.choices?.[0]?.message
    ?.content;
  if (typeof content !== 'string') throw new Error('the answer has no choices[0].message.content');
  let parsed: unknown;
  try {
    parsed = JSON.parse(content.replace(/^```(?:json)?\s*|\s*```$/g, ''));
  } catch {
    throw new Error('the answer is not JSON');
  }
  const list = (parsed as { indicators?: unknown })?.indicators;
  if (!Array.isArray(list)) throw new Error('the answer has no "indicators" list');
  const scores = new Map<number, ModelScore>();
  for (const entry of list) {
    const { indicator_id: id, score, quote } = (entry ?? {}) as Record<string, unknown>;
    if (typeof id !== 'number' || !indicatorIds.has(id)) continue;
    if (typeof score !== 'number' || !Number.isFinite(score)) continue;
    scores.set(id, {
      score: Math.max(0, Math.min(100, Math.round(score))),
      quote: typeof quote === 'string' && quote.trim() !== '' ? quote.trim().slice(0, MAX_QUOTE) : null,
    });
  }
  return scores;
}

/** Asks the model; throws RetryableModelError for what may pass, Error for what will not. */
export async function scoreWithModel(
  config: ModelScoringConfig,
  indicators: { indicator_id: number; indicator_name: string; description: string }[],
  utterances: ScoredUtterance[],
): Promise<Map<number, ModelScore>> {
  let response: Response;
  try {
    response = await fetch(`${config.url.replace(/\/+$/, '')}/chat/completions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(config.apiKey ? { authorization: `Bearer ${config.apiKey}` } : {}),
      },
      body: JSON.stringify(modelRequest(config.model, indicators, utterances)),
      signal: AbortSignal.timeout(config.timeoutMs),
    });
  } catch (error) {
    throw new RetryableModelError(
      (error as Error).name === 'TimeoutError'
        ? `no answer within ${config.timeoutMs} ms`
        : `could not reach the model: ${(error as Error).message}`,
    );
  }
  if (response.status === 429 || response.status >= 500) {
    await response.body?.cancel();
    throw new RetryableModelError(`the model answered ${response.status}`);
  }
  if (!response.ok) {
    // a provider may echo the key it was sent: it is never stored or logged
    const text = (await response.text())
      .split(config.apiKey || '\u0000')
      .join('***')
      .slice(0, 200);
    throw new Error(`the model answered ${response.status}: ${text}`);
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    throw new Error('the answer is not JSON');
  }
  return readModelAnswer(body, new Set(indicators.map((i) => i.indicator_id)));
}
