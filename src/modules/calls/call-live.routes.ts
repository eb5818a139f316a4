import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { principalOf } from '../../http/authenticate.js';
import { v2ErrorResponses } from '../../http/schemas.js';
import type { Principal } from '../auth/principal.js';
import type { LiveCalls } from './call-live.js';
import { ReportQuery } from './call-reports.schemas.js';

/** A comment line this often keeps proxies from closing an idle stream; the caller is checked again each time. */
const HEARTBEAT_MS = 15_000;

export interface LiveCallRoutesOptions {
  live: LiveCalls;
  /** the group whose subtree a request reads (a group of the caller's scope) */
  scopeOf: (principal: Principal, groupId: number | undefined) => Promise<number>;
  /** whether the request's token or session is still good: a stream ends when it is not */
  isStillAllowed: (request: FastifyRequest) => Promise<boolean>;
}

export const liveCallRoutes: FastifyPluginAsyncTypebox<LiveCallRoutesOptions> = async (
  app,
  { live, scopeOf, isStillAllowed },
) => {
  const openStreams = new Set<() => void>();
  let stopping = false;
  // A stream never ends by itself: end them all, and their connections, so the server can stop;
  // a stream still reading its snapshot ends as soon as it has sent it.
  app.addHook('preClose', async () => {
    stopping = true;
    for (const endForStop of openStreams) endForStop();
  });

  app.get(
    '/call/live',
    {
      schema: {
        tags: ['Call'],
        summary: 'Stream Calls In Progress',
        operationId: 'streamLiveCalls',
        description:
          'Server-sent events (our design) for the calls of `group_id` and the groups below it: `snapshot` (the calls in progress, newest first) when the stream opens, then `calls` (the calls that started, moved through the flow, were answered or ended) as they happen, within a second. Each call has `state`: routing, ringing, connected or ended. The stream ends when the token or session does.',
        querystring: Type.Object({ group_id: ReportQuery.properties.group_id }),
        response: {
          200: {
            description: 'an event stream',
            content: { 'text/event-stream': { schema: { type: 'string' } } },
          },
          ...v2ErrorResponses,
        },
      },
    },
    async (request, reply) => {
      const scopeGroupId = await scopeOf(principalOf(request), request.query.group_id);
      const snapshot = await live.inProgress(scopeGroupId);
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
        'x-request-id': request.id,
      });
      // Nothing is written once the stream has ended (a change or heartbeat that was being read
      // when it ended): Node answers a write after end with an 'error' event that would end the process.
      const write = (chunk: string) => {
        if (!raw.writableEnded && !raw.destroyed) raw.write(chunk);
      };
      const send = (event: string, data: unknown) =>
        write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      send('snapshot', snapshot);
      const unsubscribe = live.subscribe({ scopeGroupId, send: (calls) => send('calls', calls) });
      const end = () => raw.end();
      const endForStop = () => {
        raw.end();
        request.raw.socket.destroySoon();
      };
      const heartbeat = setInterval(() => {
        isStillAllowed(request)
          .then((allowed) => {
            if (!allowed) {
              send('end', { reason: 'signed out' });
              end();
            } else write(': ping\n\n');
          })
          .catch(() => end());
      }, HEARTBEAT_MS);
      openStreams.add(endForStop);
      raw.on('close', () => {
        clearInterval(heartbeat);
        unsubscribe();
        openStreams.delete(endForStop);
      });
      if (stopping) endForStop();
    },
  );
};
