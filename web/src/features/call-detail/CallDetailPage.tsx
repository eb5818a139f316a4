import {
  Alert,
  Anchor,
  Button,
  Card,
  Grid,
  Group,
  Modal,
  Select,
  SimpleGrid,
  Skeleton,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconArchive, IconArrowLeft, IconArrowsExchange, IconRestore } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useParams, useRouter, useRouterState } from '@tanstack/react-router';
import { useCallback, useRef, useState } from 'react';
import { ApiError } from '../../api/client';
import type { CallRecord } from '../../api/types';
import { BLOCKED_PROPS, WriteGuard } from '../../components/WriteGuard';
import {
  formatDateTime,
  formatDuration,
  formatKeyPath,
  formatMoney,
  formatPhone,
  formatPlace,
  zoneLabel,
} from '../../lib/format';
import { DispositionBadge } from '../calls/Disposition';
import { callQuery } from '../calls/queries';
import { useCurrentGroup } from '../groups/queries';
import { AfterTheCall } from './AfterTheCall';
import { CommentsCard, TagsCard, ValueCard, VisitCard } from './EditCards';
import { IndicatorsCard } from './IndicatorsCard';
import { useCallMutations } from './queries';
import { type PlayerControl, RecordingPlayer } from './RecordingPlayer';
import { RouteTimeline } from './RouteTimeline';
import { ScorecardCard } from './ScorecardCard';
import { Transcript } from './Transcript';

function Fact({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="sm" fw={500} className="sb-tabular">
        {children || '—'}
      </Text>
    </div>
  );
}

function MoveDialog({ call, opened, onClose }: { call: CallRecord; opened: boolean; onClose: () => void }) {
  const { groups } = useCurrentGroup();
  const { move } = useCallMutations(call.call_id);
  const [target, setTarget] = useState<string | null>(null);
  return (
    <Modal
      closeButtonProps={{ 'aria-label': 'Close' }}
      opened={opened}
      onClose={onClose}
      title="Move the call to another group"
      centered
    >
      <Stack>
        <Select
          label="Group"
          data={groups
            .filter((g) => g.group_id !== call.group_id)
            .map((g) => ({ value: String(g.group_id), label: `${'· '.repeat(g.depth)}${g.group_name}` }))}
          value={target}
          onChange={setTarget}
          searchable
          error={move.error instanceof ApiError ? move.error.message : undefined}
        />
        <Text size="xs" c="dimmed">
          The call then counts in that group&apos;s reports. It keeps its recording, tags and comments.
        </Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button
            disabled={!target}
            loading={move.isPending}
            onClick={() => target && move.mutate(Number(target), { onSuccess: onClose })}
          >
            Move
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

export function CallDetailPage() {
  const { callId } = useParams({ from: '/app/calls/$callId' });
  const id = Number(callId);
  const { me, timeZone, groupId } = useCurrentGroup();
  const router = useRouter();
  const call = useQuery({ ...callQuery(id), enabled: Number.isInteger(id) });
  const { archive } = useCallMutations(id);
  const [moving, { open: openMove, close: closeMove }] = useDisclosure(false);
  const canEdit = me.can_edit;
  // a transcript search's link: #t=<seconds>&q=<what was searched>
  const hash = new URLSearchParams(useRouterState({ select: (state) => state.location.hash }));
  const startAt = Number(hash.get('t'));
  const control = useRef<PlayerControl | null>(null);
  const [timeMs, setTimeMs] = useState(0);
  const onTime = useCallback((seconds: number) => setTimeMs(seconds * 1000), []);
  const seek = useCallback((ms: number) => control.current?.seek(ms / 1000), []);

  if (call.isError)
    return (
      <Alert color="red" title="This call could not be opened" role="alert" maw={700} mx="auto">
        {call.error instanceof ApiError && call.error.status === 404
          ? 'There is no call with this id in your groups.'
          : call.error.message}
      </Alert>
    );
  if (call.isPending)
    return (
      <Stack maw={1400} mx="auto">
        <Skeleton h={40} w={300} />
        <Skeleton h={160} />
        <Skeleton h={300} />
      </Stack>
    );

  const c = call.data;
  const hasAudio = me.access_audio && Boolean(c.recording_url || c.voicemail_url);
  const playerProps = {
    onTime,
    control,
    startAt: Number.isFinite(startAt) && startAt > 0 ? startAt : undefined,
  };
  const recordingSrc = `/v2/call/recording?id=${c.call_id}`;
  const talk =
    c.call_answered && c.call_ended
      ? (new Date(c.call_ended).getTime() - new Date(c.call_answered).getTime()) / 1000
      : null;

  return (
    <Stack gap="md" maw={1400} mx="auto">
      <Anchor
        component="button"
        type="button"
        size="sm"
        onClick={() =>
          window.history.length > 1
            ? router.history.back()
            : router.navigate({ to: '/calls', search: { group: groupId } })
        }
      >
        <Group gap={4}>
          <IconArrowLeft size={14} aria-hidden /> Back to calls
        </Group>
      </Anchor>
      <Group justify="space-between" align="flex-start" wrap="wrap" gap="sm">
        <div>
          <Group gap="sm">
            <Title order={1} size="h2" className="sb-tabular">
              {formatPhone(c.caller_id)}
            </Title>
            <DispositionBadge disposition={c.disposition} />
          </Group>
          <Text c="dimmed" size="sm">
            {formatDateTime(c.call_started, timeZone)} {zoneLabel(timeZone, new Date(c.call_started))} · to{' '}
            {c.tracking_number_name ?? formatPhone(c.tracking_number)} · {c.group_name}
          </Text>
        </div>
        <Group gap="xs">
          <WriteGuard canEdit={canEdit}>
            {(disabled) => (
              <Button
                variant="default"
                leftSection={<IconArrowsExchange size={16} aria-hidden />}
                onClick={disabled ? undefined : openMove}
                {...(disabled ? BLOCKED_PROPS : {})}
              >
                Move
              </Button>
            )}
          </WriteGuard>
          <WriteGuard canEdit={canEdit}>
            {(disabled) => (
              <Button
                variant="default"
                color={c.call_archived ? undefined : 'red'}
                leftSection={
                  c.call_archived ? (
                    <IconRestore size={16} aria-hidden />
                  ) : (
                    <IconArchive size={16} aria-hidden />
                  )
                }
                onClick={disabled ? undefined : () => archive.mutate(!c.call_archived)}
                loading={archive.isPending}
                {...(disabled ? BLOCKED_PROPS : {})}
              >
                {c.call_archived ? 'Restore' : 'Archive'}
              </Button>
            )}
          </WriteGuard>
        </Group>
      </Group>
      {c.call_archived && (
        <Alert color="gray" variant="light" title="Archived">
          This call is archived: it is left out of the call log and the reports. Restore it to count it again.
        </Alert>
      )}
      <MoveDialog call={c} opened={moving} onClose={closeMove} />

      <Grid gutter="md">
        <Grid.Col span={{ base: 12, lg: 8 }}>
          <Stack gap="md">
            <Card p="md">
              <Title order={2} size="h4" mb="sm">
                {c.recording_url || c.voicemail_url ? 'Recording and transcript' : 'Recording'}
              </Title>
              {!me.access_audio ? (
                <Text size="sm" c="dimmed">
                  Your account has no access to recordings. An admin can allow it under your permissions.
                </Text>
              ) : c.recording_url ? (
                <RecordingPlayer src={recordingSrc} title="Call recording" {...playerProps} />
              ) : c.voicemail_url ? null : (
                <Text size="sm" c="dimmed">
                  This call was not recorded. Turn on recording in its call flow to hear calls like it.
                </Text>
              )}
              {me.access_audio && c.voicemail_url && (
                <Stack gap="xs" mt={c.recording_url ? 'md' : 0}>
                  <Text fw={600} size="sm">
                    Voicemail
                  </Text>
                  <RecordingPlayer
                    src={`${recordingSrc}&voicemail=true`}
                    title="Voicemail"
                    {...(c.recording_url ? {} : playerProps)}
                  />
                </Stack>
              )}
              {(c.recording_url || c.voicemail_url) && (
                <Stack gap="xs" mt="md">
                  <Text fw={600} size="sm">
                    Transcript
                  </Text>
                  <Transcript
                    callId={c.call_id}
                    timeMs={timeMs}
                    onSeek={hasAudio ? seek : undefined}
                    initialQuery={hash.get('q') ?? ''}
                  />
                </Stack>
              )}
            </Card>
            <Card p="md">
              <Title order={2} size="h4" mb="md">
                How the call was routed
              </Title>
              <RouteTimeline call={c} timeZone={timeZone} />
            </Card>
            <ScorecardCard call={c} canEdit={canEdit} timeZone={timeZone} />
            <AfterTheCall callId={c.call_id} groupId={groupId} canEdit={canEdit} timeZone={timeZone} />
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 4 }}>
          <Stack gap="md">
            <Card p="md">
              <Title order={2} size="h5" mb="sm">
                Details
              </Title>
              <SimpleGrid cols={2} spacing="sm" verticalSpacing="sm">
                <Fact label="Caller">{c.caller_name || formatPhone(c.caller_id)}</Fact>
                <Fact label="Location">{formatPlace(c.caller_city, c.caller_state) ?? 'Not known'}</Fact>
                <Fact label="Caller type">{c.repeat_call ? 'Repeat caller' : 'First-time caller'}</Fact>
                <Fact label="Tracking number">{formatPhone(c.tracking_number)}</Fact>
                <Fact label="Call flow">{c.tracking_number_name}</Fact>
                <Fact label="Campaign">{c.campaign_name}</Fact>
                <Fact label="Channel">{c.channel}</Fact>
                <Fact label="Duration">{formatDuration(c.duration)}</Fact>
                <Fact label="Talk time">{talk === null ? '—' : formatDuration(talk)}</Fact>
                <Fact label="Answered by">{formatPhone(c.ring_to)}</Fact>
                <Fact label="Keys pressed">{formatKeyPath(c.key_path)}</Fact>
                <Fact label="Value">{formatMoney(c.call_value)}</Fact>
                <Fact label="Call ID">{String(c.call_id)}</Fact>
              </SimpleGrid>
            </Card>
            <IndicatorsCard scores={c.indicator_scores} onSeek={hasAudio ? seek : undefined} />
            <TagsCard call={c} canEdit={canEdit} />
            <ValueCard key={`value-${c.call_value}`} call={c} canEdit={canEdit} />
            <CommentsCard call={c} canEdit={canEdit} timeZone={timeZone} />
            <VisitCard call={c} timeZone={timeZone} />
          </Stack>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}
