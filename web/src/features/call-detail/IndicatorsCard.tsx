import { Anchor, Badge, Card, Group, Progress, Stack, Text, Title, Tooltip } from '@mantine/core';
import { callTime, SPEAKER_LABEL } from '../intel/Highlighted';
import type { IndicatorReason, IndicatorScore } from '../intel/types';

const FIELD_LABEL: Record<string, string> = {
  duration: 'Duration',
  disposition: 'Disposition',
  repeat_call: 'Repeat caller',
  agent_spoke: 'The agent spoke',
  caller_spoke: 'The caller spoke',
};

/** 0-100 as a colour: strong (70+), some (40+), little. */
export const scoreColor = (score: number) => (score >= 70 ? 'teal' : score >= 40 ? 'yellow' : 'gray');

const signed = (weight: number) => (weight > 0 ? `+${weight}` : String(weight));

function Reason({ reason, onSeek }: { reason: IndicatorReason; onSeek: ((ms: number) => void) | undefined }) {
  if (reason.phrase !== undefined) {
    const who = SPEAKER_LABEL[reason.speaker ?? 'unknown'] ?? 'Someone';
    const at = reason.start_ms;
    return (
      <Group gap={6} wrap="nowrap" align="baseline" c={reason.negated ? 'dimmed' : undefined}>
        <Text size="xs" fw={600} className="sb-tabular" w={28} ta="right" style={{ flexShrink: 0 }}>
          {reason.negated ? '0' : signed(reason.weight)}
        </Text>
        <Text size="xs" style={{ minWidth: 0 }}>
          {who} said “{reason.phrase}”
          {at !== undefined &&
            (onSeek ? (
              <>
                {' at '}
                <Anchor
                  component="button"
                  type="button"
                  size="xs"
                  onClick={() => onSeek(at)}
                  aria-label={`Play from ${callTime(at)}`}
                  className="sb-tabular"
                >
                  {callTime(at)}
                </Anchor>
              </>
            ) : (
              ` at ${callTime(at)}`
            ))}
          {reason.negated && ' — after a negation, not counted'}
        </Text>
      </Group>
    );
  }
  const label = FIELD_LABEL[reason.field ?? ''] ?? reason.field ?? 'Call data';
  const value =
    typeof reason.value === 'boolean'
      ? reason.value
        ? 'yes'
        : 'no'
      : reason.field === 'duration'
        ? `${reason.value} s`
        : String(reason.value ?? '—');
  return (
    <Group gap={6} wrap="nowrap" align="baseline">
      <Text size="xs" fw={600} className="sb-tabular" w={28} ta="right" style={{ flexShrink: 0 }}>
        {signed(reason.weight)}
      </Text>
      <Text size="xs">
        {label}: {value}
      </Text>
    </Group>
  );
}

/**
 * The call's indicator scores (lead, appointment set, ...), 0-100 each, with why: the phrases said
 * (who and when: a click plays the recording there) and the call data used.
 */
export function IndicatorsCard({
  scores,
  onSeek,
}: {
  scores: readonly IndicatorScore[];
  onSeek: ((ms: number) => void) | undefined;
}) {
  const sorted = [...scores].sort((a, b) => b.score - a.score || a.indicator_id - b.indicator_id);
  return (
    <Card p="md" data-testid="indicators">
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h5">
          Indicators
        </Title>
        {scores.length > 0 && (
          <Text size="xs" c="dimmed">
            0–100, from what was said and the call data
            {scores.some((score) => score.model_score !== null) && '; beside it, the model’s score'}
          </Text>
        )}
      </Group>
      {scores.length === 0 ? (
        <Text size="sm" c="dimmed">
          Not scored yet. A call is scored once it has ended and its recording is transcribed (or found to
          have no transcript).
        </Text>
      ) : (
        <Stack gap="md">
          {sorted.map((indicator) => {
            const counted = indicator.reasons.filter((reason) => reason.weight !== 0 || reason.negated);
            return (
              <Stack
                key={indicator.indicator_id}
                gap={4}
                data-testid="indicator"
                data-indicator-id={indicator.indicator_id}
              >
                <Group gap="xs" wrap="nowrap">
                  <Text size="sm" fw={600} style={{ flex: 1 }}>
                    {indicator.indicator_name}
                  </Text>
                  <Tooltip label={`Scored ${indicator.score} of 100`}>
                    <Badge
                      variant="light"
                      color={scoreColor(indicator.score)}
                      className="sb-tabular"
                      miw={44}
                    >
                      {indicator.score}
                    </Badge>
                  </Tooltip>
                  {indicator.model_score !== null && (
                    <Tooltip label={`The model scored it ${indicator.model_score} of 100`}>
                      <Badge variant="light" color="indigo" className="sb-tabular" data-testid="model-score">
                        Model {indicator.model_score}
                      </Badge>
                    </Tooltip>
                  )}
                </Group>
                <Progress
                  value={indicator.score}
                  color={scoreColor(indicator.score)}
                  size="sm"
                  aria-label={`${indicator.indicator_name}: ${indicator.score} of 100`}
                />
                {indicator.model_quote !== null && (
                  <Text size="xs" c="dimmed" data-testid="model-quote">
                    The model quoted: “{indicator.model_quote}”
                  </Text>
                )}
                {counted.length > 0 && (
                  <Stack gap={2} mt={2}>
                    {counted.map((reason, index) => (
                      // biome-ignore lint/suspicious/noArrayIndexKey: reasons have no id; their order is the server's
                      <Reason key={index} reason={reason} onSeek={onSeek} />
                    ))}
                  </Stack>
                )}
              </Stack>
            );
          })}
        </Stack>
      )}
    </Card>
  );
}
