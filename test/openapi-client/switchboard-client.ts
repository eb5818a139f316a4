/**
 * What an integrator writes with a client generated from GET /openapi.json (openapi-typescript
 * types, openapi-fetch calls). test/api/openapi.test.ts generates `switchboard-api.d.ts` next to a
 * copy of this file, type-checks the copy (so every call, parameter and body here must match the
 * document) and runs this file against the real app on a port.
 */
import createClient from 'openapi-fetch';
import type { ClientLogin } from './login.js';
import type { components, operations, paths } from './switchboard-api.js';

type Schemas = components['schemas'];

/** Compiles only when A and B are the same type. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const assertType = <T extends true>(): T | undefined => undefined;

// The operationIds are the methods a generator names: they must exist.
assertType<Equal<keyof operations & 'listCalls', 'listCalls'>>();
assertType<Equal<keyof operations & 'createMultilevelIvrCallFlows', 'createMultilevelIvrCallFlows'>>();
assertType<Equal<keyof operations & 'getAccessToken', 'getAccessToken'>>();

export interface ClientRun {
  groupIds: number[];
  campaignResult: { result: 'success' | 'error'; data: number | string; entry_count: number } | undefined;
  missingCampaign: Schemas['V2Error'];
  invalidPageView: Schemas['Problem'];
  wrongClient: Schemas['OAuthError'];
}

export async function runClient(baseUrl: string, login: ClientLogin): Promise<ClientRun> {
  const client = createClient<paths>({ baseUrl });

  // POST /oauth/token, form-encoded as V2 documents it
  const form = (body: Record<string, string | undefined>) =>
    new URLSearchParams(
      Object.entries(body).filter((entry): entry is [string, string] => entry[1] !== undefined),
    );
  const { client_id, client_secret, username, password } = login;
  const token = await client.POST('/oauth/token', {
    body: { grant_type: 'password', username, password, client_id, client_secret },
    bodySerializer: form,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  if (!token.data) throw new Error(`no token: ${JSON.stringify(token.error)}`);
  const accessToken: string = token.data.access_token;

  const wrong = await client.POST('/oauth/token', {
    body: { grant_type: 'password', username, password, client_id, client_secret: 'wrong' },
    bodySerializer: form,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  if (!wrong.error) throw new Error('a wrong client secret was accepted');
  assertType<Equal<typeof wrong.error, Schemas['OAuthError']>>();

  client.use({
    onRequest({ request }) {
      request.headers.set('authorization', `Bearer ${accessToken}`);
      return request;
    },
  });

  // limit and offset are optional: a list needs no parameters
  const groups = await client.GET('/v2/group/list');
  if (!groups.data) throw new Error(`no groups: ${JSON.stringify(groups.error)}`);

  const created = await client.POST('/v2/campaign', {
    body: [
      {
        campaign_name: 'Generated client',
        campaign_start_date: '2026-01-01T00:00:00.000Z',
        campaign_owner_user_id: login.userId,
        group_id: login.groupId,
      },
    ],
  });
  if (!created.data) throw new Error(`no campaign: ${JSON.stringify(created.error)}`);

  // An error body is typed as the shared components: V2's business or validation error.
  const missing = await client.GET('/v2/campaign', { params: { query: { id: 2_000_000_000 } } });
  if (!missing.error) throw new Error('a campaign that does not exist was found');
  assertType<Equal<typeof missing.error, Schemas['V2Error'] | Schemas['V2ValidationError']>>();
  if (!('result' in missing.error)) throw new Error('expected a business error');

  // Outside /v2, problem+json.
  const pageView = await client.POST('/dni/v1/number', {
    body: { code: 'no-such-code', visitor: 'visitor-0001', page: 'https://www.example.com/' },
  });
  if (!pageView.error) throw new Error('a page view with a wrong code was answered');
  assertType<Equal<typeof pageView.error, Schemas['Problem']>>();

  return {
    groupIds: groups.data.data.map((group) => group.group_id),
    campaignResult: created.data[0],
    missingCampaign: missing.error,
    invalidPageView: pageView.error,
    wrongClient: wrong.error,
  };
}
