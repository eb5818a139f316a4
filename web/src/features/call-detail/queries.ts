import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { CallActionLog, CallRecord, WebhookDelivery } from '../../api/types';
import { callKeys } from '../calls/queries';

export const deliveriesOfCallQuery = (callId: number) =>
  queryOptions({
    queryKey: [...callKeys.detail(callId), 'deliveries'],
    queryFn: () => api.get<WebhookDelivery[]>('/v2/webhook/delivery', { call_id: callId, limit: 100 }),
  });

export const actionLogQuery = (callId: number) =>
  queryOptions({
    queryKey: [...callKeys.detail(callId), 'actions'],
    queryFn: () => api.get<CallActionLog>('/v2/callaction/log', { id: callId }),
  });

/**
 * The writes of the call page. Each refreshes the call (and the lists it shows in) from the
 * server's answer, so what the page shows is what was stored.
 */
export function useCallMutations(callId: number) {
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: callKeys.all });
  const setTags = (tags: CallRecord['tags']) =>
    queryClient.setQueryData<CallRecord>(callKeys.detail(callId), (call) =>
      call ? { ...call, tags } : call,
    );
  return {
    addTag: useMutation({
      mutationFn: (name: string) =>
        api.post<CallRecord['tags']>('/v2/call/tag', { call_id: callId, tag_name: [name] }),
      onSuccess: (tags) => {
        setTags(tags);
        void refresh();
      },
    }),
    removeTag: useMutation({
      mutationFn: (tagId: number) =>
        api.delete<CallRecord['tags']>('/v2/call/tag', { call_id: callId, tag_id: [tagId] }),
      onSuccess: (tags) => {
        setTags(tags);
        void refresh();
      },
    }),
    addComment: useMutation({
      mutationFn: (comment: string) =>
        api.post<string>('/v2/call/comment', [{ call_id: callId, comment: [comment] }]),
      onSuccess: () => refresh(),
    }),
    setValue: useMutation({
      mutationFn: (value: number | null) =>
        api.put<CallRecord>('/v2/call/value', { call_id: callId, call_value: value }),
      onSuccess: (call) => {
        queryClient.setQueryData(callKeys.detail(callId), call);
        void refresh();
      },
    }),
    move: useMutation({
      mutationFn: (groupId: number) =>
        api.post<number[]>('/v2/call/move', { call_id: [callId], group_id: groupId }),
      onSuccess: () => refresh(),
    }),
    archive: useMutation({
      mutationFn: (archived: boolean) =>
        api.post<number[]>('/v2/call/archive', { call_id: [callId], archived }),
      onSuccess: () => refresh(),
    }),
    redeliver: useMutation({
      mutationFn: (deliveryId: number) =>
        api.post<unknown>('/v2/webhook/redeliver', { delivery_id: deliveryId }),
      onSuccess: () => queryClient.invalidateQueries({ queryKey: deliveriesOfCallQuery(callId).queryKey }),
    }),
  };
}
