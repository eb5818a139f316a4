import {
  Alert,
  Anchor,
  Badge,
  Box,
  Button,
  Card,
  Center,
  Group,
  Loader,
  Stack,
  Text,
  Textarea,
  Tooltip,
} from '@mantine/core';
import {
  IconAlertTriangle,
  IconCheck,
  IconChecks,
  IconClock,
  IconHandStop,
  IconPhoto,
  IconSend,
} from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { type KeyboardEvent, useEffect, useRef, useState } from 'react';
import { segmentsOf } from '../../../../src/modules/smsbroadcast/sms-text.js';
import { BLOCKED_PROPS, WriteGuard } from '../../components/WriteGuard';
import { formatDateTime, formatPhone } from '../../lib/format';
import { useCurrentGroup } from '../groups/queries';
import { conversationQuery, messagesQuery, useTextMutations } from './queries';
import type { Message } from './types';

const PURPOSE_LABEL: Record<Message['purpose'], string | undefined> = {
  message: undefined,
  auto_reply: 'Auto-reply',
  forward: 'Forwarded',
  keyword_reply: 'Keyword answer',
  broadcast: 'Broadcast',
};

/** An outbound text's carrier status, as a tick and a word. */
export function StatusTick({ message }: { message: Message }) {
  const { status, error_code, error_message } = message;
  if (status === 'failed' || status === 'undelivered') {
    const code = error_code === null ? '' : ` (error ${error_code})`;
    return (
      <Tooltip label={error_message ?? 'The carrier could not deliver this text'} multiline w={260}>
        <Group gap={3} wrap="nowrap" c="red.9" tabIndex={0} data-status={status}>
          <IconAlertTriangle size={14} aria-hidden />
          <Text size="xs" fw={600}>
            {status === 'failed' ? 'Failed' : 'Not delivered'}
            {code}
          </Text>
        </Group>
      </Tooltip>
    );
  }
  const [icon, label] =
    status === 'delivered'
      ? [<IconChecks key="i" size={14} aria-hidden />, 'Delivered']
      : status === 'sent'
        ? [<IconCheck key="i" size={14} aria-hidden />, 'Sent']
        : status === 'queued'
          ? [<IconCheck key="i" size={14} aria-hidden />, 'Queued']
          : [<IconClock key="i" size={14} aria-hidden />, 'Sending'];
  return (
    <Group gap={3} wrap="nowrap" c={status === 'delivered' ? 'teal.9' : 'dimmed'} data-status={status}>
      {icon}
      <Text size="xs">{label}</Text>
    </Group>
  );
}

function Bubble({ message, timeZone }: { message: Message; timeZone: string }) {
  const isOutbound = message.direction === 'outbound';
  const purpose = PURPOSE_LABEL[message.purpose];
  return (
    <Stack
      gap={2}
      align={isOutbound ? 'flex-end' : 'flex-start'}
      data-message={message.message_id}
      data-direction={message.direction}
    >
      <Box
        px="sm"
        py={8}
        maw="78%"
        style={{
          borderRadius: 14,
          borderBottomRightRadius: isOutbound ? 4 : 14,
          borderBottomLeftRadius: isOutbound ? 14 : 4,
          background: isOutbound ? 'var(--mantine-color-switchboard-7)' : 'var(--mantine-color-gray-1)',
          color: isOutbound ? 'white' : undefined,
          whiteSpace: 'pre-wrap',
          overflowWrap: 'anywhere',
        }}
      >
        {purpose && (
          <Text size="xs" fw={600} opacity={0.85} mb={2}>
            {purpose}
          </Text>
        )}
        {message.body && <Text size="sm">{message.body}</Text>}
        {message.media_urls.map((url, index) => (
          <Anchor
            key={url}
            href={url}
            target="_blank"
            rel="noreferrer"
            size="sm"
            c={isOutbound ? 'white' : undefined}
            underline="always"
            style={{ display: 'flex', alignItems: 'center', gap: 4 }}
          >
            <IconPhoto size={14} aria-hidden /> Picture {index + 1}
          </Anchor>
        ))}
      </Box>
      <Group gap={8} wrap="nowrap">
        <Text size="xs" c="dimmed">
          {formatDateTime(message.created_at, timeZone)}
        </Text>
        {isOutbound && <StatusTick message={message} />}
      </Group>
    </Stack>
  );
}

/** One conversation: its texts, oldest first, a reply box, and opened means read. */
export function Thread({ conversationId, timeZone }: { conversationId: number; timeZone: string }) {
  const { me } = useCurrentGroup();
  const conversation = useQuery(conversationQuery(conversationId));
  const messages = useQuery(messagesQuery(conversationId));
  const { send, markRead } = useTextMutations();
  const [draft, setDraft] = useState('');
  // one key per text typed: a retry of the same send (a lost answer) is not sent twice
  const [sendKey, setSendKey] = useState(() => crypto.randomUUID());
  const bottom = useRef<HTMLDivElement>(null);
  const unread = conversation.data?.unread_count ?? 0;
  const markReadNow = markRead.mutate;

  // Opening a conversation (or a new text arriving while it is open) reads it.
  useEffect(() => {
    if (unread > 0 && me.can_edit) markReadNow(conversationId);
  }, [unread, conversationId, markReadNow, me.can_edit]);

  const count = messages.data?.length ?? 0;
  useEffect(() => {
    if (count > 0) bottom.current?.scrollIntoView({ block: 'nearest' });
  }, [count]);

  if (conversation.isLoading)
    return (
      <Card>
        <Center mih={320}>
          <Loader aria-label="Loading the conversation" />
        </Center>
      </Card>
    );
  if (conversation.error || !conversation.data)
    return (
      <Alert
        color="red"
        icon={<IconAlertTriangle aria-hidden />}
        title="This conversation could not be loaded"
      >
        {conversation.error?.message ?? 'No conversation found'}
      </Alert>
    );
  const c = conversation.data;
  const { segments, encoding } = segmentsOf(draft);
  const submit = () => {
    if (!draft.trim() || send.isPending) return;
    send.mutate(
      {
        tracking_number: c.tracking_number,
        to_number: c.contact_number,
        message: draft,
        idempotency_key: sendKey,
      },
      {
        onSuccess: () => {
          setDraft('');
          setSendKey(crypto.randomUUID());
        },
      },
    );
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      submit();
    }
  };

  return (
    <Card p={0} data-testid="thread">
      <Group
        justify="space-between"
        p="md"
        wrap="wrap"
        style={{ borderBottom: '1px solid var(--mantine-color-gray-2)' }}
      >
        <div>
          <Text fw={700} size="lg" className="sb-tabular" component="h2" m={0}>
            {formatPhone(c.contact_number)}
          </Text>
          <Text size="sm" c="dimmed">
            Texting your number {formatPhone(c.tracking_number)} · {c.message_count} text
            {c.message_count === 1 ? '' : 's'} since {formatDateTime(c.created_at, timeZone)}
          </Text>
        </div>
        {c.opted_out && (
          <Badge color="red" variant="light" size="lg" leftSection={<IconHandStop size={14} aria-hidden />}>
            Opted out
          </Badge>
        )}
      </Group>
      <Stack gap="sm" p="md" mah={560} style={{ overflowY: 'auto' }} aria-label="Texts" role="log">
        {messages.isLoading && (
          <Center p="lg">
            <Loader size="sm" aria-label="Loading texts" />
          </Center>
        )}
        {messages.error && <Alert color="red">{messages.error.message}</Alert>}
        {messages.data?.map((message) => (
          <Bubble key={message.message_id} message={message} timeZone={timeZone} />
        ))}
        <div ref={bottom} />
      </Stack>
      <Box p="md" style={{ borderTop: '1px solid var(--mantine-color-gray-2)' }}>
        {c.opted_out ? (
          <Alert
            color="red"
            icon={<IconHandStop aria-hidden />}
            title="This person opted out"
            data-testid="opted-out"
          >
            They replied STOP to a number of this group, so nothing can be sent to them, by you or by a
            broadcast. If they text START, you can reply again.
          </Alert>
        ) : (
          <Stack gap={6}>
            {send.error && (
              <Alert
                color="red"
                icon={<IconAlertTriangle aria-hidden />}
                title="Not sent"
                data-testid="send-error"
              >
                {send.error.message}
              </Alert>
            )}
            <Textarea
              aria-label="Reply"
              placeholder={`Text ${formatPhone(c.contact_number)} from ${formatPhone(c.tracking_number)}`}
              autosize
              minRows={2}
              maxRows={6}
              maxLength={1600}
              value={draft}
              onChange={(event) => setDraft(event.currentTarget.value)}
              onKeyDown={onKeyDown}
              disabled={!me.can_edit}
            />
            <Group justify="space-between" wrap="nowrap">
              <Text size="xs" c="dimmed" className="sb-tabular">
                {draft.length} characters · {segments} segment{segments === 1 ? '' : 's'} ({encoding}) ·
                Ctrl+Enter sends
              </Text>
              <WriteGuard canEdit={me.can_edit}>
                {(blocked) => (
                  <Button
                    leftSection={<IconSend size={16} aria-hidden />}
                    onClick={blocked ? undefined : submit}
                    loading={send.isPending}
                    disabled={!blocked && !draft.trim()}
                    {...(blocked ? BLOCKED_PROPS : {})}
                  >
                    Send
                  </Button>
                )}
              </WriteGuard>
            </Group>
          </Stack>
        )}
      </Box>
    </Card>
  );
}
