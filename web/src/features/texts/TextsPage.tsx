import {
  Alert,
  Badge,
  Card,
  Center,
  Grid,
  Group,
  Loader,
  SegmentedControl,
  Select,
  Stack,
  Text,
  TextInput,
  Title,
  UnstyledButton,
} from '@mantine/core';
import { IconInfoCircle, IconMessages, IconSearch } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useNavigate, useSearch } from '@tanstack/react-router';
import { useMemo, useState } from 'react';
import { formatDateTime, formatPhone } from '../../lib/format';
import { flowListQuery, subtreeOf } from '../flows/queries';
import { useCurrentGroup } from '../groups/queries';
import { conversationsQuery } from './queries';
import { Thread } from './Thread';
import type { Conversation } from './types';

export interface TextsSearch {
  group?: number | undefined;
  /** the open conversation */
  c?: number | undefined;
  show?: 'unread' | undefined;
  number?: string | undefined;
}

/** Digits of a search, so "(212) 555" finds 2125550101. */
const digitsOf = (value: string) => value.replace(/\D/g, '');

/**
 * The texts inbox: conversations of the group and the groups below it, the latest first, with
 * their unread counts; the open conversation's thread beside them (below them on a phone).
 */
export function TextsPage() {
  const { groupId, group, groups, timeZone } = useCurrentGroup();
  const search = useSearch({ from: '/app/texts' }) as TextsSearch;
  const navigate = useNavigate({ from: '/texts' });
  const [query, setQuery] = useState('');
  const subtree = useMemo(() => subtreeOf(groups, groupId), [groups, groupId]);
  const filter = [
    search.show === 'unread' ? 'unread_count>=1' : '',
    search.number ? `tracking_number=${search.number}` : '',
  ]
    .filter(Boolean)
    .join(',');
  const conversations = useQuery(conversationsQuery(filter, groupId));
  const flows = useQuery(flowListQuery(false));
  const trackingNumbers = (flows.data ?? [])
    .filter((flow) => flow.dnis && subtree.has(flow.group_id))
    .map((flow) => ({
      value: flow.dnis as string,
      label: `${formatPhone(flow.dnis)} · ${flow.call_flow_name}`,
    }));

  const visible = (conversations.data ?? []).filter((conversation) => {
    const text = query.trim().toLowerCase();
    if (!text) return true;
    const digits = digitsOf(text);
    return (
      (digits.length >= 3 && conversation.contact_number.includes(digits)) ||
      conversation.last_body.toLowerCase().includes(text)
    );
  });
  const unread = visible.reduce((sum, conversation) => sum + conversation.unread_count, 0);
  const open = (conversationId: number) =>
    navigate({ search: (previous: TextsSearch) => ({ ...previous, c: conversationId }) });

  return (
    <Stack gap="md" maw={1400} mx="auto">
      <div>
        <Title order={1} size="h2">
          Texts
        </Title>
        <Text c="dimmed" size="sm">
          Texts to and from the tracking numbers of {group?.group_name} and the groups below it
          {unread > 0 ? ` · ${unread} unread` : ''}
        </Text>
      </div>
      <Grid gutter="md">
        <Grid.Col span={{ base: 12, md: 5, lg: 4 }}>
          <Card p={0}>
            <Stack gap="xs" p="sm">
              <SegmentedControl
                aria-label="Which conversations"
                value={search.show ?? 'all'}
                onChange={(value) =>
                  navigate({
                    search: (previous: TextsSearch) => ({
                      ...previous,
                      show: value === 'unread' ? 'unread' : undefined,
                    }),
                  })
                }
                data={[
                  { value: 'all', label: 'All' },
                  { value: 'unread', label: 'Unread' },
                ]}
              />
              <Group gap="xs" grow wrap="nowrap">
                <TextInput
                  aria-label="Search conversations"
                  placeholder="Number or text"
                  leftSection={<IconSearch size={16} aria-hidden />}
                  value={query}
                  onChange={(event) => setQuery(event.currentTarget.value)}
                />
                <Select
                  aria-label="Tracking number"
                  placeholder="Any tracking number"
                  data={trackingNumbers}
                  value={search.number ?? null}
                  clearable
                  searchable
                  onChange={(value) =>
                    navigate({
                      search: (previous: TextsSearch) => ({ ...previous, number: value ?? undefined }),
                    })
                  }
                />
              </Group>
            </Stack>
            <ConversationList
              conversations={visible}
              isLoading={conversations.isLoading}
              error={conversations.error}
              selected={search.c}
              timeZone={timeZone}
              onOpen={open}
              isFiltered={Boolean(filter || query.trim())}
            />
          </Card>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 7, lg: 8 }}>
          {search.c ? (
            <Thread key={search.c} conversationId={search.c} timeZone={timeZone} />
          ) : (
            <Card>
              <Center mih={320}>
                <Stack align="center" gap={6}>
                  <IconMessages size={36} color="var(--mantine-color-gray-5)" aria-hidden />
                  <Text fw={600}>Choose a conversation</Text>
                  <Text c="dimmed" size="sm" ta="center" maw={360}>
                    Texts people send to your tracking numbers appear here. Open one to read it and reply.
                  </Text>
                </Stack>
              </Center>
            </Card>
          )}
        </Grid.Col>
      </Grid>
    </Stack>
  );
}

function ConversationList({
  conversations,
  isLoading,
  error,
  selected,
  timeZone,
  onOpen,
  isFiltered,
}: {
  conversations: Conversation[];
  isLoading: boolean;
  error: Error | null;
  selected: number | undefined;
  timeZone: string;
  onOpen: (conversationId: number) => void;
  isFiltered: boolean;
}) {
  if (isLoading)
    return (
      <Center p="xl">
        <Loader aria-label="Loading conversations" />
      </Center>
    );
  if (error)
    return (
      <Alert
        m="sm"
        color="red"
        icon={<IconInfoCircle aria-hidden />}
        title="The conversations could not be loaded"
      >
        {error.message}
      </Alert>
    );
  if (conversations.length === 0)
    return (
      <Text c="dimmed" size="sm" p="md" ta="center">
        {isFiltered ? 'No conversation matches these filters.' : 'No texts yet.'}
      </Text>
    );
  return (
    <nav aria-label="Conversations">
      <Stack gap={0} data-testid="conversations" role="list">
        {conversations.map((conversation) => {
          const isSelected = conversation.conversation_id === selected;
          const isUnread = conversation.unread_count > 0;
          return (
            <UnstyledButton
              key={conversation.conversation_id}
              role="listitem"
              onClick={() => onOpen(conversation.conversation_id)}
              aria-current={isSelected ? 'true' : undefined}
              data-conversation={conversation.conversation_id}
              px="sm"
              py={10}
              style={{
                borderTop: '1px solid var(--mantine-color-gray-2)',
                background: isSelected ? 'var(--mantine-color-switchboard-0)' : undefined,
                borderLeft: `3px solid ${isSelected ? 'var(--mantine-color-switchboard-6)' : 'transparent'}`,
              }}
            >
              <Group justify="space-between" wrap="nowrap" gap="xs">
                <Text fw={isUnread ? 700 : 500} size="sm" className="sb-tabular">
                  {formatPhone(conversation.contact_number)}
                </Text>
                <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
                  {formatDateTime(conversation.last_message_at, timeZone)}
                </Text>
              </Group>
              <Group justify="space-between" wrap="nowrap" gap="xs" mt={2}>
                <Text size="sm" c={isUnread ? undefined : 'dimmed'} lineClamp={1} style={{ flex: 1 }}>
                  {conversation.last_direction === 'outbound' ? 'You: ' : ''}
                  {conversation.last_body || '(picture)'}
                </Text>
                {isUnread && (
                  <Badge size="sm" circle aria-label={`${conversation.unread_count} unread`}>
                    {conversation.unread_count}
                  </Badge>
                )}
              </Group>
              <Group gap={6} mt={4}>
                <Text size="xs" c="dimmed" className="sb-tabular">
                  to {formatPhone(conversation.tracking_number)}
                </Text>
                {conversation.opted_out && (
                  <Badge size="xs" color="red" variant="light">
                    Opted out
                  </Badge>
                )}
              </Group>
            </UnstyledButton>
          );
        })}
      </Stack>
    </nav>
  );
}
