import {
  Alert,
  Button,
  Group,
  Kbd,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Timeline,
  Title,
  UnstyledButton,
} from '@mantine/core';
import {
  IconBackspace,
  IconEar,
  IconHandFinger,
  IconPhone,
  IconPhoneCheck,
  IconPhoneOff,
  IconPlayerPlay,
  IconPlayerTrackNext,
  IconPlayerTrackPrev,
  IconRecordMail,
  IconVolume3,
} from '@tabler/icons-react';
import { useMutation } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { api } from '../../api/client';
import { formatPhone, toTenDigits } from '../../lib/format';

export interface SimulateResult {
  steps: { kind: string; detail: string }[];
  keyPath: string;
  trail: string[];
  outcome: string;
}

const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'];

const STEP_ICONS: Record<string, ReactNode> = {
  hear: <IconEar size={14} aria-hidden />,
  press: <IconHandFinger size={14} aria-hidden />,
  silence: <IconVolume3 size={14} aria-hidden />,
  ring: <IconPhone size={14} aria-hidden />,
  answered: <IconPhoneCheck size={14} aria-hidden />,
  'no-answer': <IconPhoneOff size={14} aria-hidden />,
  whisper: <IconEar size={14} aria-hidden />,
  voicemail: <IconRecordMail size={14} aria-hidden />,
  hangup: <IconPhoneOff size={14} aria-hidden />,
};

function stepText(step: { kind: string; detail: string }): string {
  switch (step.kind) {
    case 'hear':
      return `Hears “${step.detail}”`;
    case 'press':
      return `Presses ${step.detail}`;
    case 'silence':
      return 'Presses nothing';
    case 'ring':
      return `Rings ${step.detail.replace(/\d{10}/g, (n) => formatPhone(n))}`;
    case 'answered':
      return `Answered by ${formatPhone(step.detail)}`;
    case 'no-answer':
      return 'Nobody answers';
    case 'whisper':
      return `The answering party hears “${step.detail}”`;
    case 'voicemail':
      return `Leaves a voicemail (${step.detail})`;
    default:
      return 'The call ends';
  }
}

const OUTCOMES: Record<string, string> = {
  answered: 'Answered',
  'voicemail-left': 'Voicemail left',
  'no-answer': 'Nobody answered',
  hangup: 'Ended by the flow',
  rejected: 'Blocked',
  'step-limit': 'Still going after 60 steps',
};

/**
 * "Try a call": the saved flow run by the API's dry run (the routing engine itself, no call placed)
 * with the keys pressed on the keypad, a caller, a time and whether anyone answers. The trail the
 * engine reports is handed up so the graph can light the path, one step at a time.
 */
export function TryCall({
  callFlowId,
  isDirty,
  result,
  onResult,
  step,
  onStep,
  pathLength,
}: {
  callFlowId: number | undefined;
  isDirty: boolean;
  result: SimulateResult | undefined;
  onResult: (result: SimulateResult | undefined) => void;
  step: number;
  onStep: (step: number) => void;
  pathLength: number;
}) {
  const [presses, setPresses] = useState<string[]>([]);
  const [from, setFrom] = useState('2125550100');
  const [at, setAt] = useState('');
  const [answer, setAnswer] = useState<'first' | 'none'>('first');
  const run = useMutation({
    mutationFn: () =>
      api.post<SimulateResult>('/v2/callflow/simulate', {
        call_flow_id: callFlowId,
        from: toTenDigits(from) ?? from,
        press: presses,
        answer,
        ...(at ? { at: new Date(at).toISOString() } : {}),
      }),
    onSuccess: (data) => {
      onResult(data);
      onStep(0);
    },
  });

  if (callFlowId === undefined)
    return (
      <Alert color="blue" title="Save the flow first">
        A call can be tried once the flow is saved: the dry run plays the saved flow.
      </Alert>
    );

  return (
    <Stack gap="sm" data-testid="try-call">
      <Title order={2} size="h4">
        Try a call
      </Title>
      {isDirty && (
        <Alert color="yellow" p="xs">
          You have unsaved changes: the call plays the flow as last saved.
        </Alert>
      )}
      <Group grow gap="xs" align="flex-start">
        <TextInput label="Caller" value={from} onChange={(e) => setFrom(e.currentTarget.value)} />
        <TextInput
          label="Time of the call"
          type="datetime-local"
          description="Now when left empty"
          value={at}
          onChange={(e) => setAt(e.currentTarget.value)}
        />
      </Group>
      <div>
        <Text size="sm" fw={500} mb={4}>
          When a number rings
        </Text>
        <SegmentedControl
          fullWidth
          aria-label="When a number rings"
          value={answer}
          onChange={(value) => setAnswer(value as 'first' | 'none')}
          data={[
            { value: 'first', label: 'Someone answers' },
            { value: 'none', label: 'Nobody answers' },
          ]}
        />
      </div>
      <div>
        <Text size="sm" fw={500} mb={4}>
          Keys, one per menu
        </Text>
        <Group gap={6} mih={30} data-testid="presses">
          {presses.length === 0 ? (
            <Text size="sm" c="dimmed">
              Press keys below, in the order the caller would
            </Text>
          ) : (
            presses.map((key, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: the order of presses is their identity
              <Kbd key={i}>{key || 'nothing'}</Kbd>
            ))
          )}
        </Group>
      </div>
      <SimpleGrid cols={3} spacing={6} maw={260} role="group" aria-label="Keypad">
        {KEYS.map((key) => (
          <UnstyledButton
            key={key}
            className="sb-keypad-key"
            aria-label={`Press ${key}`}
            onClick={() => setPresses([...presses, key])}
          >
            {key}
          </UnstyledButton>
        ))}
      </SimpleGrid>
      <Group gap="xs">
        <Button size="xs" variant="default" onClick={() => setPresses([...presses, ''])}>
          Press nothing
        </Button>
        <Button
          size="xs"
          variant="default"
          leftSection={<IconBackspace size={14} aria-hidden />}
          disabled={presses.length === 0}
          onClick={() => setPresses(presses.slice(0, -1))}
        >
          Undo
        </Button>
        <Button
          size="xs"
          variant="subtle"
          onClick={() => {
            setPresses([]);
            onResult(undefined);
          }}
        >
          Clear
        </Button>
      </Group>
      <Button
        leftSection={<IconPlayerPlay size={16} aria-hidden />}
        loading={run.isPending}
        onClick={() => run.mutate()}
      >
        Call
      </Button>
      {run.error && <Alert color="red">{run.error.message}</Alert>}
      {result && (
        <Stack gap="xs" data-testid="call-result">
          <Group justify="space-between">
            <Text fw={600} data-testid="call-outcome">
              {OUTCOMES[result.outcome] ?? result.outcome}
            </Text>
            {pathLength > 1 && (
              <Group gap={4}>
                <Button
                  size="compact-xs"
                  variant="default"
                  aria-label="Previous step"
                  disabled={step === 0}
                  onClick={() => onStep(step - 1)}
                >
                  <IconPlayerTrackPrev size={14} aria-hidden />
                </Button>
                <Text size="xs" c="dimmed">
                  Menu step {step + 1} of {pathLength}
                </Text>
                <Button
                  size="compact-xs"
                  variant="default"
                  aria-label="Next step"
                  disabled={step >= pathLength - 1}
                  onClick={() => onStep(step + 1)}
                >
                  <IconPlayerTrackNext size={14} aria-hidden />
                </Button>
              </Group>
            )}
          </Group>
          <Text size="xs" c="dimmed">
            What the caller hears and does:
          </Text>
          <Timeline bulletSize={22} lineWidth={2}>
            {result.steps.map((s, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: steps are in call order
              <Timeline.Item key={i} bullet={STEP_ICONS[s.kind]} data-kind={s.kind}>
                <Text size="sm">{stepText(s)}</Text>
              </Timeline.Item>
            ))}
          </Timeline>
        </Stack>
      )}
    </Stack>
  );
}
