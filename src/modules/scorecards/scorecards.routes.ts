import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { principalOf } from '../../http/authenticate.js';
import { success, v2ErrorResponses } from '../../http/schemas.js';
import {
  CallScoreBody,
  CallScoresEnvelope,
  CallScoresQuery,
  ScorecardCreate,
  ScorecardDuplicate,
  ScorecardEnvelope,
  ScorecardIdQuery,
  ScorecardListEnvelope,
  ScorecardListQuery,
  ScoredCallEnvelope,
  ScoredCallsReportEnvelope,
  ScoredCallsReportQuery,
} from './scorecards.schemas.js';
import type { ScorecardsService } from './scorecards.service.js';
import type { Section } from './scoring.js';

const tags = ['Scorecard'];

export const scorecardRoutes: FastifyPluginAsyncTypebox<{ scorecards: ScorecardsService }> = async (
  app,
  { scorecards },
) => {
  app.get(
    '/scorecard',
    {
      schema: {
        tags,
        summary: 'List Scorecards',
        operationId: 'listScorecards',
        description: 'Scorecards of your group, the groups above it and below it (archived ones too).',
        querystring: ScorecardListQuery,
        response: { 200: ScorecardListEnvelope, ...v2ErrorResponses },
      },
    },
    async (request) => success(await scorecards.list(principalOf(request), request.query)),
  );

  app.get(
    '/scorecard/report',
    {
      schema: {
        tags,
        summary: 'List Scored Calls Report',
        operationId: 'listScoredCallsReport',
        description:
          'The calls of your subtree scored on the scorecard (newest first, at most 500) with count and average score per agent, call flow or day (`group_by`; per day is the trend).',
        querystring: ScoredCallsReportQuery,
        response: { 200: ScoredCallsReportEnvelope, ...v2ErrorResponses },
      },
    },
    async (request) => success(await scorecards.report(principalOf(request), request.query)),
  );

  app.post(
    '/scorecard/call',
    {
      schema: {
        tags,
        summary: 'Add or Update Call Title',
        operationId: 'scoreCall',
        description:
          "Scores a call of your subtree on a scorecard (again: replaces the answers), with the call's title on that scorecard; criteria linked to an indicator and not answered are pre-filled from the call's indicator score.",
        body: CallScoreBody,
        response: { 200: ScoredCallEnvelope, ...v2ErrorResponses },
      },
      config: { v2BodyName: 'scorecard' },
    },
    async (request) => success(await scorecards.scoreCall(principalOf(request), request.body)),
  );

  app.get(
    '/scorecard/call',
    {
      schema: {
        tags,
        summary: 'List Call Scores',
        operationId: 'listCallScores',
        description:
          'The scorecards a call of your subtree was scored on, newest first, each with its title, answers, the criteria pre-filled from indicator scores and the score.',
        querystring: CallScoresQuery,
        response: { 200: CallScoresEnvelope, ...v2ErrorResponses },
      },
    },
    async (request) => success(await scorecards.scoresOfCall(principalOf(request), request.query.call_id)),
  );

  app.post(
    '/scorecard',
    {
      schema: {
        tags,
        summary: 'Create Scorecard',
        operationId: 'createScorecard',
        description:
          'A scorecard of a group in your scope (yours by default): sections of criteria (yes/no, 1-5 or points) with weights, optionally pre-filled from an indicator.',
        body: ScorecardCreate,
        response: { 200: ScorecardEnvelope, ...v2ErrorResponses },
      },
      config: { v2BodyName: 'scorecard' },
    },
    async (request) =>
      success(
        await scorecards.create(principalOf(request), {
          ...request.body,
          sections: request.body.sections as Section[],
        }),
      ),
  );

  app.post(
    '/scorecard/duplicate',
    {
      schema: {
        tags,
        summary: 'Duplicate Scorecard',
        operationId: 'duplicateScorecard',
        description:
          'A copy of a scorecard you can use, in your own group, named "<name> (copy)" unless named.',
        body: ScorecardDuplicate,
        response: { 200: ScorecardEnvelope, ...v2ErrorResponses },
      },
      config: { v2BodyName: 'scorecard' },
    },
    async (request) => success(await scorecards.duplicate(principalOf(request), request.body)),
  );

  app.get(
    '/scorecard/archive',
    {
      schema: {
        tags,
        summary: 'Archive Scorecard',
        operationId: 'archiveScorecard',
        description:
          "Archives a scorecard of your subtree (a GET, as V2's navigation shows; archiving twice changes nothing); its scored calls stay, no new call can be scored on it.",
        querystring: ScorecardIdQuery,
        response: { 200: ScorecardEnvelope, ...v2ErrorResponses },
      },
    },
    async (request) => success(await scorecards.archive(principalOf(request), request.query.id)),
  );
};
