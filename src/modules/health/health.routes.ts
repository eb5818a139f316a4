import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Db } from '../../db/index.js';
import { AppError } from '../../errors.js';
import { problemResponse } from '../../http/schemas.js';

const Status = Type.Object({ status: Type.String() });
const tags = ['Health'];

export const healthRoutes: FastifyPluginAsyncTypebox<{ db: Db }> = async (app, { db }) => {
  app.get(
    '/health',
    {
      schema: {
        tags,
        summary: 'The process is up',
        operationId: 'getHealth',
        security: [],
        response: { 200: Status },
      },
    },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/ready',
    {
      schema: {
        tags,
        summary: 'The database is reachable',
        operationId: 'getReadiness',
        security: [],
        response: { 200: Status, 503: problemResponse('the database is unreachable') },
      },
    },
    async () => {
      try {
        await db.query('select 1');
      } catch (error) {
        throw new AppError('UNAVAILABLE', 'database unreachable', { cause: error });
      }
      return { status: 'ready' };
    },
  );
};
