import type { FastifyBaseLogger } from 'fastify';
import type { Queryable } from '../../db/index.js';
import type { JobContext, JobQueue } from '../../jobs/queue.js';
import { enqueue } from '../../jobs/queue.js';
import type { CallActionRunner } from '../callactions/callaction-runner.js';
import { ANALYZE_JOB } from '../transcripts/transcription.js';
import { ANALYZED_JOB } from '../webhooks/webhook-delivery.js';
import { BUILTIN_INDICATORS } from './builtins.js';
import {
  type ModelScore,
  type ModelScoringConfig,
  RetryableModelError,
  scoreWithModel,
} from './model-scoring.js';
import { type IndicatorDefinition, type ScoredUtterance, scoreCall } from './scoring.js';

/**
 * The call's analysis (`call.analyze`, enqueued when its transcript is done, failed or skipped):
 * every indicator that applies (the built-in ones and the active indicators of the call's group
 * and the groups above it) scores the call; the scores replace the call's earlier ones, and
 * `call.analyzed` (the webhook fan-out) is enqueued, in one transaction; then the call's
 * `post_process` call actions run, seeing the scores. Run again, it writes the same scores and
 * sends no second event (the fan-out's dedupe key), and the actions' own log keeps them to once.
 */

export interface ApplicableIndicator {
  indicator_id: number;
  indicator_name: string;
  description: string;
  definition: IndicatorDefinition;
}

interface AnalysedCall {
  group_id: number | null;
  duration_seconds: number | null;
  disposition: string;
  is_repeat: boolean;
  transcript_status: string | null;
  segments: ScoredUtterance[] | null;
}

/** The active indicators of group `$1` and the groups above it (a group's own, not the built-ins). */
export const GROUP_INDICATORS_SQL = `select i.indicator_id, i.indicator_name, i.description, i.definition
   from indicator i join org_group g on g.group_id = $1
  where i.group_id = any(g.path) and i.indicator_status = 'active'
  order by i.indicator_id`;

export async function indicatorsFor(q: Queryable, groupId: number | null): Promise<ApplicableIndicator[]> {
  if (groupId === null) return [...BUILTIN_INDICATORS];
  const { rows } = await q.query<ApplicableIndicator>(GROUP_INDICATORS_SQL, [groupId], {
    prepare: 'analysis_group_indicators',
  });
  return [...BUILTIN_INDICATORS, ...rows];
}

/**
 * A call's analysis in one statement: its scores written over the earlier ones (an indicator no
 * longer applying removed) and its analysis row: one prepared statement instead of three planned
 * on every run (docs/performance.md, analysis throughput).
 */
const WRITE_ANALYSIS_SQL = `with scores as (
    insert into call_indicator_score (call_id, indicator_id, indicator_name, score, reasons, scored_at,
                                      model_score, model_quote)
    select $1, s.id, s.name, s.score, s.reasons, $6, s.model_score, s.model_quote
      from unnest($2::integer[], $3::text[], $4::integer[], $5::jsonb[], $7::integer[], $8::text[])
        as s(id, name, score, reasons, model_score, model_quote)
    on conflict (call_id, indicator_id) do update
      set indicator_name = excluded.indicator_name, score = excluded.score, reasons = excluded.reasons,
          scored_at = excluded.scored_at, model_score = excluded.model_score, model_quote = excluded.model_quote
  ), stale as (
    delete from call_indicator_score where call_id = $1 and indicator_id <> all($2::integer[])
  )
  insert into call_analysis (call_id, analyzed_at, transcript_status, model_status, model_error)
  values ($1, $6, $9, $10, $11)
  on conflict (call_id) do update set analyzed_at = excluded.analyzed_at,
                                      transcript_status = excluded.transcript_status,
                                      model_status = excluded.model_status,
                                      model_error = excluded.model_error`;

/** Model-scoring attempts per analysis before the model's turn is marked failed (rule scores stay). */
const MODEL_ATTEMPTS = 3;

export function registerAnalysis({
  jobs,
  callActionRunner,
  logger,
  model,
}: {
  jobs: JobQueue;
  callActionRunner: CallActionRunner;
  logger?: FastifyBaseLogger;
  /** the optional chat model (ANALYSIS_*); rule scores alone without it */
  model?: ModelScoringConfig | undefined;
}) {
  /** The model's scores of a transcribed call: done, failed with why, or not asked (null). */
  async function modelScores(
    callId: number,
    indicators: ApplicableIndicator[],
    utterances: ScoredUtterance[],
    attempt: number,
  ): Promise<{ status: 'done' | 'failed' | null; error: string | null; scores: Map<number, ModelScore> }> {
    if (!model || utterances.length === 0) return { status: null, error: null, scores: new Map() };
    try {
      return { status: 'done', error: null, scores: await scoreWithModel(model, indicators, utterances) };
    } catch (error) {
      // a rate limit, a server error or a timeout is tried again (the job's back-off) a few times
      if (error instanceof RetryableModelError && attempt < MODEL_ATTEMPTS) throw error;
      logger?.warn({ callId, reason: (error as Error).message }, 'model scoring failed; rule scores kept');
      return { status: 'failed', error: (error as Error).message.slice(0, 500), scores: new Map() };
    }
  }

  async function analyse(payload: { callId: number }, ctx: JobContext): Promise<void> {
    const { callId } = payload;
    const { rows } = await ctx.db.query<AnalysedCall>(
      `select c.group_id, c.duration_seconds, c.disposition, c.is_repeat, t.transcript_status, t.segments
         from call c left join call_transcript t on t.call_id = c.call_id
        where c.call_id = $1`,
      [callId],
      { prepare: 'analysis_call' },
    );
    const call = rows[0];
    if (!call) return;
    const utterances = call.transcript_status === 'done' ? (call.segments ?? []) : [];
    const fields = {
      duration: call.duration_seconds,
      disposition: call.disposition,
      repeat_call: call.is_repeat,
    };
    const indicators = await indicatorsFor(ctx.db, call.group_id);
    const scores = indicators.map((indicator) => ({
      indicator,
      ...scoreCall(indicator.definition, utterances, fields),
    }));
    const byModel = await modelScores(callId, indicators, utterances, ctx.attempt);
    const now = ctx.clock.now();
    await ctx.db.transaction(async (tx) => {
      await tx.query(
        WRITE_ANALYSIS_SQL,
        [
          callId,
          scores.map((s) => s.indicator.indicator_id),
          scores.map((s) => s.indicator.indicator_name),
          scores.map((s) => s.score),
          scores.map((s) => JSON.stringify(s.reasons)),
          now,
          scores.map((s) => byModel.scores.get(s.indicator.indicator_id)?.score ?? null),
          scores.map((s) => byModel.scores.get(s.indicator.indicator_id)?.quote ?? null),
          call.transcript_status,
          byModel.status,
          byModel.error,
        ],
        { prepare: 'analysis_write' },
      );
      await enqueue(tx, { kind: ANALYZED_JOB, payload: { callId }, dedupeKey: `${ANALYZED_JOB}:${callId}` });
    });
    const outcomes = await callActionRunner.runCallActions(callId, 'analytics');
    if (outcomes.length > 0) logger?.info({ callId, actions: outcomes.length }, 'post-analysis call actions');
  }

  jobs.register(ANALYZE_JOB, analyse, { maxAttempts: 20 });
}
