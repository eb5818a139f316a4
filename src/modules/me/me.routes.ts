import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { principalOf } from '../../http/authenticate.js';
import { success, v2ErrorResponses } from '../../http/schemas.js';
import { csrfTokenOf } from '../session/session.service.js';
import { MeEnvelope, PreferencesBody, ScopeGroupListEnvelope } from './me.schemas.js';
import type { MeService } from './me.service.js';

const tags = ['Session'];

export const meRoutes: FastifyPluginAsyncTypebox<{ me: MeService }> = async (app, { me }) => {
  const csrfOf = (sessionToken: string | undefined) =>
    sessionToken === undefined ? null : csrfTokenOf(sessionToken);

  app.get(
    '/me',
    {
      schema: {
        tags,
        summary: 'Get Current User',
        operationId: 'getCurrentUser',
        description:
          'Who the token or console session belongs to, what they may do, and the group the console shows (our design).',
        response: { 200: MeEnvelope, ...v2ErrorResponses },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return success(await me.me(principalOf(request), csrfOf(request.sessionToken)));
    },
  );

  app.get(
    '/me/groups',
    {
      schema: {
        tags,
        summary: 'List My Groups',
        operationId: 'listMyGroups',
        description:
          "Every group you can see (your group and all below it), parents first, with each group's depth and time zone: what the console's group switcher lists (our design).",
        response: { 200: ScopeGroupListEnvelope, ...v2ErrorResponses },
      },
    },
    async (request) => success(await me.groups(principalOf(request))),
  );

  app.put(
    '/me/preferences',
    {
      schema: {
        tags,
        summary: 'Update My Preferences',
        operationId: 'updateMyPreferences',
        description:
          'Remembers the group the console shows for you (our design). ReadOnly users may change it: it changes no shared data.',
        body: PreferencesBody,
        response: { 200: MeEnvelope, ...v2ErrorResponses },
      },
      config: { v2BodyName: 'preferences', isReadOnly: true },
    },
    async (request) => {
      const principal = principalOf(request);
      await me.saveConsoleGroup(principal, request.body.console_group_id);
      return success(await me.me(principal, csrfOf(request.sessionToken)));
    },
  );
};
