import { Badge, Card, Group, Indicator, ScrollArea, Stack, Text, ThemeIcon, Title } from '@mantine/core';
import { IconPhoneCall } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import type { LiveCall } from '../../api/types';
import { CardLink } from '../../components/links';
import { formatDuration, formatKeyPath, formatPhone } from '../../lib/format';
import { useLiveCalls } from './useLiveCalls';

const STATES: Record<LiveCall['state'], { label: string; color: string }> = {
  routing: { label: 'In menu', color: 'violet' },
  ringing: { label: 'Ringing', color: 'orange' },
  connected: { label: 'Connected', color: 'teal' },
  ended: { label: 'Ended', color: 'gray' },
};

/** Seconds since `iso`, ticking once a second. */
function useElapsed(iso: string, until: string | null): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (until) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [until]);
  return ((until ? new Date(until).getTime() : now) - new Date(iso).getTime()) / 1000;
}

function LiveRow({ call, groupId }: { call: LiveCall; groupId: number }) {
  const elapsed = useElapsed(call.call_started, call.call_ended);
  const state = STATES[call.state];
  const detail =
    call.state === 'ringing' || call.state === 'connected'
      ? `${call.state === 'ringing' ? 'Ringing' : 'Talking to'} ${formatPhone(call.ringing)}`
      : call.state === 'ended'
        ? call.disposition.toLowerCase().replace(/^\w/, (c) => c.toUpperCase())
        : call.key_path
          ? `Pressed ${formatKeyPath(call.key_path, ', ')}`
          : 'Hearing the menu';
  return (
    <CardLink
      p="sm"
      to="/calls/$callId"
      params={{ callId: String(call.call_id) }}
      search={{ group: groupId }}
      data-testid="live-call"
      data-state={call.state}
      style={{ opacity: call.state === 'ended' ? 0.6 : 1 }}
    >
      <Group justify="space-between" wrap="nowrap" gap="xs">
        <Stack gap={2} style={{ minWidth: 0 }}>
          <Text fw={600} size="sm" className="sb-tabular">
            {formatPhone(call.caller_id)}
            {call.caller_city ? (
              <Text span c="dimmed" size="xs" fw={400}>
                {' '}
                · {call.caller_city}, {call.caller_state}
              </Text>
            ) : null}
          </Text>
          <Text size="xs" c="dimmed" truncate>
            {call.call_flow_name ? `${call.call_flow_name} · ` : ''}
            {formatPhone(call.tracking_number)}
          </Text>
          <Text size="xs">{detail}</Text>
        </Stack>
        <Stack gap={4} align="flex-end">
          <Badge color={state.color} variant="light">
            {state.label}
          </Badge>
          <Text size="xs" c="dimmed" className="sb-tabular">
            {formatDuration(elapsed)}
          </Text>
        </Stack>
      </Group>
    </CardLink>
  );
}

/** Calls in progress, as they ring and end, pushed from the server. */
export function LivePanel({ groupId }: { groupId: number }) {
  const { calls, connected } = useLiveCalls(groupId);
  const inProgress = calls.filter((call) => call.state !== 'ended').length;
  return (
    <Card p="md" h="100%" aria-labelledby="live-title">
      <Group justify="space-between" mb="sm">
        <Group gap={8}>
          <Indicator
            color={connected ? 'teal' : 'gray'}
            processing={connected}
            size={10}
            position="middle-start"
            offset={-2}
          >
            <span />
          </Indicator>
          <Title order={2} size="h4" id="live-title" ml={6}>
            Live calls
          </Title>
        </Group>
        <Text size="sm" c="dimmed" aria-live="polite" data-testid="live-count">
          {connected ? `${inProgress} in progress` : 'Connecting…'}
        </Text>
      </Group>
      {calls.length === 0 ? (
        <Stack align="center" gap={6} py="xl">
          <ThemeIcon variant="light" size={44} radius="xl" color="gray">
            <IconPhoneCall size={22} aria-hidden />
          </ThemeIcon>
          <Text size="sm" c="dimmed" ta="center">
            No calls right now. Calls appear here the moment they ring.
          </Text>
        </Stack>
      ) : (
        <ScrollArea.Autosize mah={420} type="auto" scrollbars="y">
          <Stack gap="xs">
            {calls.map((call) => (
              <LiveRow key={call.call_id} call={call} groupId={groupId} />
            ))}
          </Stack>
        </ScrollArea.Autosize>
      )}
    </Card>
  );
}
