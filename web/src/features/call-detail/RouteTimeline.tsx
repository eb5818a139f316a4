import { Text, Timeline } from '@mantine/core';
import {
  IconAlertTriangle,
  IconBan,
  IconClock,
  IconHandFinger,
  IconList,
  IconMailbox,
  IconPhone,
  IconPhoneCheck,
  IconPhoneIncoming,
  IconPhoneOff,
  IconRoute,
} from '@tabler/icons-react';
import type { ReactNode } from 'react';
import type { CallRecord } from '../../api/types';
import { formatDateTime, formatDuration, formatPhone } from '../../lib/format';

interface Step {
  icon: ReactNode;
  title: string;
  detail?: string | undefined;
  color?: string;
}

const numbers = (list: string) => list.split('+').map(formatPhone).join(' and ');

/** One entry of the routing trail (as the runtime records it) in words. */
function stepOf(entry: string, next: string | undefined, call: CallRecord): Step | undefined {
  if (entry === 'm') return { icon: <IconList size={14} />, title: 'Heard the menu' };
  if (/^m(\.\d)+$/.test(entry)) {
    const key = entry.split('.').at(-1);
    return { icon: <IconHandFinger size={14} />, title: `Pressed ${key}` };
  }
  if (entry.startsWith('ring:')) {
    const list = entry.slice(5);
    const simultaneous = list.includes('+');
    const outcome =
      next === 'answered'
        ? 'answered'
        : next === 'no-answer' || next?.startsWith('ring:') || next === 'voicemail'
          ? 'no answer'
          : undefined;
    return {
      icon: <IconPhone size={14} />,
      title: `Rang ${numbers(list)}${simultaneous ? ' at once' : ''}`,
      detail: outcome,
    };
  }
  switch (entry) {
    case 'answered':
      return {
        icon: <IconPhoneCheck size={14} />,
        title: `Answered${call.ring_to ? ` by ${formatPhone(call.ring_to)}` : ''}`,
        color: 'teal',
      };
    case 'no-answer':
      return { icon: <IconPhoneOff size={14} />, title: 'Nobody answered', color: 'orange' };
    case 'voicemail':
      return { icon: <IconMailbox size={14} />, title: 'Went to voicemail', color: 'blue' };
    case 'voicemail-left':
      return { icon: <IconMailbox size={14} />, title: 'Left a voicemail', color: 'blue' };
    case 'caller-hung-up':
      return { icon: <IconPhoneOff size={14} />, title: 'The caller hung up', color: 'yellow' };
    case 'blacklisted':
      return { icon: <IconBan size={14} />, title: 'Blocked: the caller is on the blacklist', color: 'red' };
    case 'no-live-flow':
      return {
        icon: <IconAlertTriangle size={14} />,
        title: 'No active call flow on this number',
        color: 'red',
      };
    case 'pin-ok':
      return { icon: <IconHandFinger size={14} />, title: 'Entered the right PIN' };
    case 'hangup':
      return { icon: <IconPhoneOff size={14} />, title: 'The flow hung up' };
  }
  if (entry.startsWith('spam:'))
    return {
      icon: <IconBan size={14} />,
      title: `Blocked as spam (score ${entry.slice(5).split('>=')[0]})`,
      color: 'red',
    };
  if (entry.endsWith(':open')) return { icon: <IconClock size={14} />, title: 'Schedule: open' };
  if (entry.endsWith(':closed')) return { icon: <IconClock size={14} />, title: 'Schedule: closed' };
  if (entry.includes(':'))
    return { icon: <IconRoute size={14} />, title: `Routed by ${entry.split(':').slice(1).join(': ')}` };
  return { icon: <IconRoute size={14} />, title: entry };
}

/** The call's way through its flow, from the first ring to the hang-up. */
export function RouteTimeline({ call, timeZone }: { call: CallRecord; timeZone: string }) {
  const trail = call.route_trail.filter((entry) => entry !== 'answered' || call.call_answered);
  const steps: Step[] = [
    {
      icon: <IconPhoneIncoming size={14} />,
      title: `Call from ${formatPhone(call.caller_id)} to ${formatPhone(call.tracking_number)}`,
      detail: formatDateTime(call.call_started, timeZone),
    },
    ...trail.flatMap((entry, index) => stepOf(entry, trail[index + 1], call) ?? []),
  ];
  if (call.call_ended)
    steps.push({
      icon: <IconPhoneOff size={14} />,
      title: 'Call ended',
      detail: `${formatDateTime(call.call_ended, timeZone)} · ${formatDuration(call.duration)} in all`,
      color: 'gray',
    });
  // a step's place is part of its identity: the same step (a ring) can come twice
  const keyed = steps.map((step, position) => ({ ...step, key: `${position}:${step.title}` }));
  return (
    <Timeline active={steps.length - 1} bulletSize={24} lineWidth={2} data-testid="route-timeline">
      {keyed.map((step) => (
        <Timeline.Item key={step.key} bullet={step.icon} title={step.title} color={step.color}>
          {step.detail && (
            <Text size="xs" c="dimmed">
              {step.detail}
            </Text>
          )}
        </Timeline.Item>
      ))}
    </Timeline>
  );
}
