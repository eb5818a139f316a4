import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { principalOf } from '../../http/authenticate.js';
import { IdQuery, ListQuery, success, v2ErrorResponses } from '../../http/schemas.js';
import {
  CampaignDelete,
  CampaignEntries,
  CampaignEnvelope,
  CampaignListEnvelope,
  CampaignRoutesListEnvelope,
  CampaignUserEntries,
  CampaignUsersListEnvelope,
  DeletedCampaignsEnvelope,
  EntryResults,
} from './campaigns.schemas.js';
import type { CampaignsService } from './campaigns.service.js';

const tags = ['Campaign'];

export const campaignRoutes: FastifyPluginAsyncTypebox<{ campaigns: CampaignsService }> = async (
  app,
  { campaigns },
) => {
  app.get(
    '/campaign',
    {
      schema: {
        tags,
        summary: 'Get Campaign by ID',
        operationId: 'getCampaign',
        querystring: IdQuery('The id of the campaign'),
        response: { 200: CampaignEnvelope, ...v2ErrorResponses },
      },
    },
    async (request) => success(await campaigns.get(principalOf(request), request.query.id)),
  );

  app.post(
    '/campaign',
    {
      schema: {
        tags,
        summary: 'Create Campaign',
        operationId: 'createCampaign',
        description:
          'Creates campaigns (or updates them when `campaign_id` is given). The reply is a bare array with one `{result, data, entry_count}` per entry; `data` is the campaign_id or the reason the entry failed.',
        body: CampaignEntries,
        response: { 200: EntryResults, ...v2ErrorResponses },
      },
      config: { v2BodyName: 'campaign' },
    },
    async (request) => campaigns.save(principalOf(request), request.body),
  );

  app.delete(
    '/campaign',
    {
      schema: {
        tags,
        summary: 'Delete Campaign',
        operationId: 'deleteCampaign',
        description:
          'Soft delete: the campaigns get status `deleted` and leave the lists unless a filter names `campaign_status`. All or nothing.',
        body: CampaignDelete,
        response: { 200: DeletedCampaignsEnvelope, ...v2ErrorResponses },
      },
      config: { v2BodyName: 'campaign' },
    },
    async (request) => success(await campaigns.remove(principalOf(request), request.body.campaign_id)),
  );

  app.get(
    '/campaign/list',
    {
      schema: {
        tags,
        summary: 'List Campaigns',
        operationId: 'listCampaigns',
        description:
          "Campaigns of the caller's group and every group below it; deleted ones only on request.",
        querystring: ListQuery,
        response: { 200: CampaignListEnvelope, ...v2ErrorResponses },
      },
    },
    async (request) => success(await campaigns.list(principalOf(request), request.query)),
  );

  app.get(
    '/campaign/user',
    {
      schema: {
        tags,
        summary: 'List Campaigns With Users',
        operationId: 'listCampaignsWithUsers',
        querystring: ListQuery,
        response: { 200: CampaignUsersListEnvelope, ...v2ErrorResponses },
      },
    },
    async (request) => success(await campaigns.listWithUsers(principalOf(request), request.query)),
  );

  app.post(
    '/campaign/user',
    {
      schema: {
        tags,
        summary: 'Add Users To Campaign',
        operationId: 'addUsersToCampaign',
        description:
          'Attaches users to campaigns; one `{result, data, entry_count}` per entry in a bare array (`data` = campaign_id).',
        body: CampaignUserEntries,
        response: { 200: EntryResults, ...v2ErrorResponses },
      },
      config: { v2BodyName: 'campaignUser' },
    },
    async (request) => campaigns.addUsers(principalOf(request), request.body),
  );

  app.get(
    '/campaign/callflow',
    {
      schema: {
        tags,
        summary: 'List Campaigns With Call Flows',
        operationId: 'listCampaignsWithCallFlows',
        querystring: ListQuery,
        response: { 200: CampaignRoutesListEnvelope, ...v2ErrorResponses },
      },
    },
    async (request) => success(await campaigns.listWithRoutes(principalOf(request), request.query)),
  );
};
