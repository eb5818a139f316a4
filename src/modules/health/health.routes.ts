import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Db } from '../../db/index.js';
import { AppError } from '../../errors.js';

const Status = Type.Object({ status: Type.String() });

export const healthRoutes: FastifyPluginAsyncTypebox<{ db: Db }> = async (app, { db }) => {
  app.get(
    '/health',
    { schema: { tags: ['Health'], summary: 'The process is up', response: { 200: Status } } },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/ready',
    {
      schema: {
        tags: ['Health'],
        summary: 'The database is reachable',
        response: { 200: Status, 503: Type.Object({}, { additionalProperties: true }) },
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
