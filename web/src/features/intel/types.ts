/**
 * The call-intelligence shapes the console reads, from the server's route schemas (type-only
 * imports, as api/types.ts does).
 */
import type { Static, TSchema } from '@sinclair/typebox';
import type { IndicatorScore as IndicatorScoreSchema } from '../../../../src/modules/calls/call-record.js';
import type {
  CallTranscriptionDetailListEnvelope,
  TranscriptSearchListEnvelope,
} from '../../../../src/modules/calls/calls.schemas.js';
import type { TrendsEnvelope } from '../../../../src/modules/indicators/indicators.schemas.js';
import type {
  CallScoresEnvelope,
  Scorecard as ScorecardSchema,
  ScoredCallEnvelope,
} from '../../../../src/modules/scorecards/scorecards.schemas.js';

type DataOf<T extends TSchema> = Static<T> extends { data: infer D } ? D : never;

export type TranscribedCall = DataOf<typeof CallTranscriptionDetailListEnvelope>[number];
export type TranscriptDetail = NonNullable<TranscribedCall['transcription']>;
export type Utterance = TranscriptDetail['segments'][number];
export type SearchHit = DataOf<typeof TranscriptSearchListEnvelope>[number];
export type SearchMatch = SearchHit['matches'][number];
export type IndicatorScore = Static<typeof IndicatorScoreSchema>;
export type IndicatorReason = IndicatorScore['reasons'][number];
export type Scorecard = Static<typeof ScorecardSchema>;
export type Criterion = Scorecard['sections'][number]['criteria'][number];
export type CallScore = DataOf<typeof CallScoresEnvelope>[number];
export type ScoredCall = DataOf<typeof ScoredCallEnvelope>;
export type Answer = boolean | number;
export type IndicatorTrends = DataOf<typeof TrendsEnvelope>;
export type IndicatorTrend = IndicatorTrends['indicators'][number];
