import {
  ActionIcon,
  Autocomplete,
  Badge,
  Button,
  Card,
  Group,
  NumberInput,
  Stack,
  Text,
  Textarea,
  Title,
} from '@mantine/core';
import { IconX } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { ApiError } from '../../api/client';
import type { CallRecord } from '../../api/types';
import { BLOCKED_PROPS, READ_ONLY_REASON, WriteGuard } from '../../components/WriteGuard';
import { formatDateTime } from '../../lib/format';
import { tagsQuery } from '../calls/options';
import { useCallMutations } from './queries';

const errorText = (error: unknown) => (error instanceof ApiError ? error.message : undefined);

export function TagsCard({ call, canEdit }: { call: CallRecord; canEdit: boolean }) {
  const { addTag, removeTag } = useCallMutations(call.call_id);
  const tags = useQuery({ ...tagsQuery, enabled: canEdit });
  const [name, setName] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const tag = name.trim();
    if (tag) addTag.mutate(tag, { onSuccess: () => setName('') });
  };
  const known = [...new Set((tags.data ?? []).filter((t) => t.tag_active).map((t) => t.tag_name))].filter(
    (tag) => !call.tags.some((t) => t.tag_name.toLowerCase() === tag.toLowerCase()),
  );
  return (
    <Card p="md">
      <Title order={2} size="h5" mb="xs">
        Tags
      </Title>
      <Group gap={6} mb="sm" data-testid="call-tags">
        {call.tags.length === 0 && (
          <Text size="sm" c="dimmed">
            No tags yet.
          </Text>
        )}
        {call.tags.map((tag) => (
          <Badge
            key={tag.tag_id}
            size="lg"
            variant="light"
            radius="sm"
            style={{ textTransform: 'none' }}
            rightSection={
              canEdit ? (
                <ActionIcon
                  size="xs"
                  variant="transparent"
                  aria-label={`Remove tag ${tag.tag_name}`}
                  onClick={() => removeTag.mutate(tag.tag_id)}
                >
                  <IconX size={12} />
                </ActionIcon>
              ) : null
            }
          >
            {tag.tag_name}
          </Badge>
        ))}
      </Group>
      {canEdit ? (
        <form onSubmit={submit}>
          <Group gap="xs" align="flex-start" wrap="nowrap">
            <Autocomplete
              aria-label="Add a tag"
              placeholder="Add a tag, e.g. lead"
              data={known}
              value={name}
              onChange={setName}
              style={{ flex: 1 }}
              error={errorText(addTag.error)}
              maxLength={255}
            />
            <Button type="submit" variant="light" loading={addTag.isPending}>
              Add
            </Button>
          </Group>
        </form>
      ) : (
        <Text size="xs" c="dimmed">
          {READ_ONLY_REASON}
        </Text>
      )}
    </Card>
  );
}

export function CommentsCard({ call, canEdit }: { call: CallRecord; canEdit: boolean; timeZone: string }) {
  const { addComment } = useCallMutations(call.call_id);
  const [text, setText] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (text.trim()) addComment.mutate(text.trim(), { onSuccess: () => setText('') });
  };
  return (
    <Card p="md">
      <Title order={2} size="h5" mb="xs">
        Comments
      </Title>
      <Stack gap="xs" mb="sm">
        {call.comments.length === 0 && (
          <Text size="sm" c="dimmed">
            No comments yet.
          </Text>
        )}
        {call.comments.map((comment) => (
          <div key={comment.comment_id}>
            <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
              {comment.comment}
            </Text>
            <Text size="xs" c="dimmed">
              {new Date(comment.comment_created).toLocaleString('en-US', {
                dateStyle: 'medium',
                timeStyle: 'short',
              })}
            </Text>
          </div>
        ))}
      </Stack>
      <form onSubmit={submit}>
        <Stack gap="xs">
          <Textarea
            aria-label="Add a comment"
            placeholder={canEdit ? 'Add a comment for your team' : READ_ONLY_REASON}
            value={text}
            onChange={(event) => setText(event.currentTarget.value)}
            autosize
            minRows={2}
            maxLength={4000}
            disabled={!canEdit}
            error={errorText(addComment.error)}
          />
          <Group justify="flex-end">
            <WriteGuard canEdit={canEdit}>
              {(disabled) => (
                <Button
                  type="submit"
                  variant="light"
                  disabled={text.trim() === ''}
                  {...(disabled ? BLOCKED_PROPS : {})}
                  loading={addComment.isPending}
                >
                  Add comment
                </Button>
              )}
            </WriteGuard>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}

export function ValueCard({ call, canEdit }: { call: CallRecord; canEdit: boolean }) {
  const { setValue } = useCallMutations(call.call_id);
  const [value, setLocal] = useState<number | string>(call.call_value ?? '');
  const changed = (value === '' ? null : Number(value)) !== call.call_value;
  return (
    <Card p="md">
      <Title order={2} size="h5" mb="xs">
        Call value
      </Title>
      <Group gap="xs" align="flex-start" wrap="nowrap">
        <NumberInput
          aria-label="Call value in dollars"
          prefix="$"
          min={0}
          decimalScale={2}
          thousandSeparator=","
          value={value}
          onChange={setLocal}
          disabled={!canEdit}
          style={{ flex: 1 }}
          error={errorText(setValue.error)}
        />
        <WriteGuard canEdit={canEdit}>
          {(disabled) => (
            <Button
              variant="light"
              disabled={!changed}
              {...(disabled ? BLOCKED_PROPS : {})}
              loading={setValue.isPending}
              onClick={disabled ? undefined : () => setValue.mutate(value === '' ? null : Number(value))}
            >
              Save
            </Button>
          )}
        </WriteGuard>
      </Group>
    </Card>
  );
}

export function VisitCard({ call, timeZone }: { call: CallRecord; timeZone: string }) {
  const visit = call.attribution;
  const rows: [string, string | null | undefined][] = visit
    ? [
        ['Landing page', visit.landing_page],
        ['Referrer', visit.referrer],
        ['Search words', visit.search_words],
        ['UTM source', visit.utm_source],
        ['UTM medium', visit.utm_medium],
        ['UTM campaign', visit.utm_campaign],
        ['UTM term', visit.utm_term],
        ['UTM content', visit.utm_content],
        ['gclid', visit.gclid],
        ['Matched', `${visit.confidence} · ${formatDateTime(visit.attributed_at, timeZone)}`],
      ]
    : [];
  return (
    <Card p="md">
      <Title order={2} size="h5" mb="xs">
        Website visit
      </Title>
      {visit ? (
        <Stack gap={6} data-testid="dni-visit">
          {rows
            .filter(([, value]) => value)
            .map(([label, value]) => (
              <div key={label}>
                <Text size="xs" c="dimmed">
                  {label}
                </Text>
                <Text size="sm" style={{ wordBreak: 'break-all' }}>
                  {value}
                </Text>
              </div>
            ))}
        </Stack>
      ) : (
        <Text size="sm" c="dimmed">
          Not from a tracked website visit. Calls to a number pool with dynamic number insertion show the
          visitor&apos;s landing page, referrer and UTMs here.
        </Text>
      )}
    </Card>
  );
}
