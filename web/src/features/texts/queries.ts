import { keepPreviousData, queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import type {
  Broadcast,
  Contact,
  ContactList,
  Conversation,
  Estimate,
  ImportResult,
  Message,
  TextSettings,
} from './types';

/** V2 lists answer an empty result as a message ("No data found"), not as []. */
const asList = <T>(data: T[] | string): T[] => (Array.isArray(data) ? data : []);

/**
 * How often an open page looks for new texts and status changes. The server pushes calls (SSE)
 * but not texts yet; a poll every few seconds keeps the inbox current at little cost.
 */
const INBOX_POLL_MS = 5_000;
const THREAD_POLL_MS = 3_000;
const BROADCAST_POLL_MS = 3_000;

export const textKeys = {
  all: ['texts'] as const,
  conversations: (filter: string, groupId?: number) => ['texts', 'conversations', filter, groupId] as const,
  messages: (conversationId: number) => ['texts', 'messages', conversationId] as const,
  broadcasts: ['texts', 'broadcasts'] as const,
  lists: ['texts', 'lists'] as const,
};

/**
 * The conversations of a group and the groups below it (the server keeps to the subtree), the
 * latest first; `filter` is V2's list filter.
 */
export const conversationsQuery = (filter: string, groupId?: number) =>
  queryOptions({
    queryKey: textKeys.conversations(filter, groupId),
    queryFn: async () =>
      asList(
        await api.get<Conversation[] | string>('/v2/sms/conversation/list', {
          limit: 500,
          ...(groupId !== undefined ? { group_id: groupId } : {}),
          ...(filter ? { filter } : {}),
        }),
      ),
    placeholderData: keepPreviousData,
    refetchInterval: INBOX_POLL_MS,
  });

export const conversationQuery = (conversationId: number) =>
  queryOptions({
    queryKey: ['texts', 'conversation', conversationId],
    queryFn: () => api.get<Conversation>('/v2/sms/conversation', { id: conversationId }),
    refetchInterval: INBOX_POLL_MS,
  });

/** A conversation's messages, oldest first (the API answers newest first). */
export const messagesQuery = (conversationId: number) =>
  queryOptions({
    queryKey: textKeys.messages(conversationId),
    queryFn: async () =>
      asList(
        await api.get<Message[] | string>('/v2/sms/conversation/message', { id: conversationId, limit: 500 }),
      ).reverse(),
    refetchInterval: THREAD_POLL_MS,
  });

export const settingsQuery = (groupId: number) =>
  queryOptions({
    queryKey: ['texts', 'settings', groupId],
    queryFn: () => api.get<TextSettings>('/v2/sms/settings', { id: groupId }),
    staleTime: 60_000,
  });

export const broadcastsQuery = queryOptions({
  queryKey: textKeys.broadcasts,
  queryFn: async () => asList(await api.get<Broadcast[] | string>('/v2/smsbroadcast/list', { limit: 200 })),
  // a running broadcast's counts move while the page is open
  refetchInterval: (query) =>
    query.state.data?.some((b) => b.status === 'scheduled' && (b.pending > 0 || b.queued > b.sent + b.failed))
      ? BROADCAST_POLL_MS
      : false,
});

export const listsQuery = queryOptions({
  queryKey: textKeys.lists,
  queryFn: async () =>
    asList(await api.get<ContactList[] | string>('/v2/smsbroadcast/contactlist/list', { limit: 1000 })),
});

export const contactsQuery = (listId: number) =>
  queryOptions({
    queryKey: ['texts', 'contacts', listId],
    queryFn: async () =>
      asList(
        await api.get<Contact[] | string>('/v2/smsbroadcast/contact/list', {
          filter: `list_id=${listId}`,
          limit: 200,
        }),
      ),
  });

export const estimateQuery = (input: { group_id: number; template: string; list_ids: number[] }) =>
  queryOptions({
    queryKey: ['texts', 'estimate', input],
    queryFn: () => api.post<Estimate>('/v2/smsbroadcast/estimate', input),
    enabled: input.template.trim() !== '' && input.list_ids.length > 0,
    placeholderData: keepPreviousData,
    staleTime: 30_000,
  });

export interface NewBroadcast {
  group_id: number;
  broadcast_name: string;
  template: string;
  list_ids: number[];
  sender_numbers?: string[];
  pool_id?: number;
  send_at?: string;
}

export function useTextMutations() {
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: textKeys.all });
  return {
    send: useMutation({
      mutationFn: (input: {
        tracking_number: string;
        to_number: string;
        message: string;
        idempotency_key: string;
      }) => api.post<Message>('/v2/sms/send', input),
      onSuccess: refresh,
    }),
    markRead: useMutation({
      mutationFn: (conversationId: number) =>
        api.put<Conversation>('/v2/sms/conversation/read', { conversation_id: conversationId }),
      onSuccess: refresh,
    }),
    createBroadcast: useMutation({
      mutationFn: (input: NewBroadcast) => api.post<Broadcast>('/v2/smsbroadcast', input),
      onSuccess: refresh,
    }),
    actOnBroadcast: useMutation({
      mutationFn: (input: { broadcast_id: number; action: 'pause' | 'resume' | 'cancel' }) =>
        api.put<Broadcast>('/v2/smsbroadcast/status', input),
      onSuccess: refresh,
    }),
    createList: useMutation({
      mutationFn: (input: { group_id: number; list_name: string }) =>
        api.post<ContactList>('/v2/smsbroadcast/contactlist', input),
      onSuccess: refresh,
    }),
    importContacts: useMutation({
      mutationFn: (input: { list_id: number; csv: string }) =>
        api.post<ImportResult>('/v2/smsbroadcast/contactlist/import', input),
      onSuccess: refresh,
    }),
    deleteList: useMutation({
      mutationFn: (listId: number) =>
        api.delete<ContactList>('/v2/smsbroadcast/contactlist', { list_id: listId }),
      onSuccess: refresh,
    }),
  };
}
