import { keepPreviousData, queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { Webhook, WebhookCreated, WebhookDelivery } from '../../api/types';

export const webhooksQuery = (groupId: number) =>
  queryOptions({
    queryKey: ['webhooks', groupId],
    queryFn: () => api.get<Webhook[]>('/v2/webhook', { ouId: groupId, include_below: true, limit: 1000 }),
  });

export const deliveriesQuery = (webhookId: number, limit: number) =>
  queryOptions({
    queryKey: ['webhooks', 'deliveries', webhookId, limit],
    queryFn: () => api.get<WebhookDelivery[]>('/v2/webhook/delivery', { webhook_id: webhookId, limit }),
    placeholderData: keepPreviousData,
    // a delivery just sent or redelivered finishes within seconds: look again while one is pending
    refetchInterval: (query) => (query.state.data?.some((d) => d.status === 'pending') ? 1500 : false),
  });

export interface WebhookFields {
  webhook_Name: string;
  webhook_Endpoint: string;
  method: 'POST' | 'PUT' | 'GET';
  format: 'json' | 'xml' | 'form';
  events: ('call.started' | 'call.completed' | 'sms.received' | 'sms.status' | 'usage.alert')[];
  description: string;
  webhook_status: 'active' | 'inactive';
}

export function useWebhookMutations(groupId: number) {
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['webhooks'] });
  return {
    create: useMutation({
      mutationFn: (fields: WebhookFields) =>
        api.post<WebhookCreated>('/v2/webhook', { org_unit_id: groupId, ...fields }),
      onSuccess: refresh,
    }),
    update: useMutation({
      mutationFn: ({ webhookId, fields }: { webhookId: number; fields: WebhookFields }) =>
        api.put<{ affectedRows: number }>('/v2/webhook', { webhook_id: webhookId, ...fields }),
      onSuccess: refresh,
    }),
    sendTest: useMutation({
      mutationFn: (webhookId: number) =>
        api.post<{ delivery_id: number }>('/v2/webhook/test', { webhook_id: webhookId }),
      onSuccess: refresh,
    }),
    redeliver: useMutation({
      mutationFn: (deliveryId: number) =>
        api.post<unknown>('/v2/webhook/redeliver', { delivery_id: deliveryId }),
      onSuccess: refresh,
    }),
  };
}
