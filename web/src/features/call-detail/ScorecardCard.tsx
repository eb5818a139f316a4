import {
  Alert,
  Badge,
  Button,
  Card,
  Divider,
  Group,
  NumberInput,
  SegmentedControl,
  Select,
  Skeleton,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { ApiError } from '../../api/client';
import type { CallRecord } from '../../api/types';
import { BLOCKED_PROPS, WriteGuard } from '../../components/WriteGuard';
import { formatDateTime } from '../../lib/format';
import { callScoresQuery, scorecardsQuery, useScoreCall } from '../intel/queries';
import type { Answer, CallScore, Criterion, IndicatorScore, Scorecard } from '../intel/types';
import { scoreColor } from './IndicatorsCard';

const SCALE = ['1', '2', '3', '4', '5'];

/**
 * The score the server will give (the same arithmetic, docs/analytics.md): each answer a fraction
 * (yes 1, no 0; scale (v-1)/4; points v/max), weighted, over the criteria answered or pre-filled
 * from an indicator; shown while the form is filled in.
 */
export function previewScore(
  scorecard: Scorecard,
  answers: Readonly<Record<string, Answer>>,
  indicators: Readonly<Record<number, number>>,
): number | null {
  let weighted = 0;
  let weights = 0;
  for (const criterion of scorecard.sections.flatMap((section) => section.criteria)) {
    const answer = answers[criterion.key];
    let value: number | undefined;
    if (answer !== undefined)
      value =
        criterion.type === 'yes_no'
          ? answer === true
            ? 1
            : 0
          : criterion.type === 'scale'
            ? ((answer as number) - 1) / 4
            : (answer as number) / (criterion.max_points ?? 1);
    else if (criterion.indicator_id !== undefined && indicators[criterion.indicator_id] !== undefined)
      value = (indicators[criterion.indicator_id] as number) / 100;
    if (value === undefined) continue;
    weighted += value * criterion.weight;
    weights += criterion.weight;
  }
  return weights === 0 ? null : Math.round((weighted / weights) * 10_000) / 100;
}

function CriterionInput({
  criterion,
  value,
  prefill,
  disabled,
  onChange,
}: {
  criterion: Criterion;
  value: Answer | undefined;
  prefill: IndicatorScore | undefined;
  disabled: boolean;
  onChange: (value: Answer | undefined) => void;
}) {
  const hint =
    value === undefined && prefill ? (
      <Text size="xs" c="dimmed">
        Pre-filled from {prefill.indicator_name} ({prefill.score}) unless answered
      </Text>
    ) : null;
  const label = (
    <Group gap={6} wrap="nowrap">
      <Text size="sm" fw={500} id={`criterion-${criterion.key}`}>
        {criterion.label}
      </Text>
      {criterion.weight !== 1 && (
        <Text size="xs" c="dimmed">
          ×{criterion.weight}
        </Text>
      )}
    </Group>
  );
  if (criterion.type === 'points')
    return (
      <Stack gap={4}>
        <Group justify="space-between" wrap="wrap" gap="xs">
          {label}
          <NumberInput
            aria-labelledby={`criterion-${criterion.key}`}
            value={typeof value === 'number' ? value : ''}
            onChange={(next) => onChange(next === '' ? undefined : Number(next))}
            min={0}
            max={criterion.max_points ?? 0}
            clampBehavior="strict"
            allowDecimal
            w={130}
            size="xs"
            disabled={disabled}
            rightSection={
              <Text size="xs" c="dimmed" pr={6}>
                / {criterion.max_points}
              </Text>
            }
            rightSectionWidth={44}
          />
        </Group>
        {hint}
      </Stack>
    );
  const data =
    criterion.type === 'yes_no'
      ? [
          { value: 'yes', label: 'Yes' },
          { value: 'no', label: 'No' },
        ]
      : SCALE.map((v) => ({ value: v, label: v }));
  const selected =
    value === undefined ? '' : criterion.type === 'yes_no' ? (value === true ? 'yes' : 'no') : String(value);
  return (
    <Stack gap={4}>
      <Group justify="space-between" wrap="wrap" gap="xs">
        {label}
        <SegmentedControl
          aria-labelledby={`criterion-${criterion.key}`}
          size="xs"
          disabled={disabled}
          data={[...data, { value: '', label: '–' }]}
          value={selected}
          onChange={(next) =>
            onChange(next === '' ? undefined : criterion.type === 'yes_no' ? next === 'yes' : Number(next))
          }
        />
      </Group>
      {hint}
    </Stack>
  );
}

function ScorecardForm({
  call,
  scorecard,
  existing,
  canEdit,
  timeZone,
}: {
  call: CallRecord;
  scorecard: Scorecard;
  existing: CallScore | undefined;
  canEdit: boolean;
  timeZone: string;
}) {
  const [answers, setAnswers] = useState<Record<string, Answer>>(existing?.answers ?? {});
  const [title, setTitle] = useState(existing?.call_title ?? '');
  const save = useScoreCall(call.call_id);
  const indicators = useMemo(
    () => Object.fromEntries(call.indicator_scores.map((s) => [s.indicator_id, s.score])),
    [call.indicator_scores],
  );
  const byIndicator = new Map(call.indicator_scores.map((s) => [s.indicator_id, s]));
  const preview = previewScore(scorecard, answers, indicators);
  const dirty =
    JSON.stringify(answers) !== JSON.stringify(existing?.answers ?? {}) ||
    title !== (existing?.call_title ?? '');

  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        if (canEdit) save.mutate({ scorecard_id: scorecard.scorecard_id, call_title: title, answers });
      }}
    >
      <Stack gap="sm">
        <TextInput
          label="Call title"
          placeholder="e.g. Roof quote, booked for Tuesday"
          value={title}
          maxLength={255}
          onChange={(event) => setTitle(event.currentTarget.value)}
          disabled={!canEdit}
        />
        {scorecard.sections.map((section) => (
          <Stack key={section.section_name} gap="xs" role="group" aria-label={section.section_name}>
            <Divider
              label={
                <Text size="xs" fw={700} tt="uppercase" c="dimmed">
                  {section.section_name}
                </Text>
              }
              labelPosition="left"
            />
            {section.criteria.map((criterion) => (
              <CriterionInput
                key={criterion.key}
                criterion={criterion}
                value={answers[criterion.key]}
                prefill={
                  criterion.indicator_id === undefined ? undefined : byIndicator.get(criterion.indicator_id)
                }
                disabled={!canEdit}
                onChange={(value) =>
                  setAnswers((previous) => {
                    const { [criterion.key]: _dropped, ...rest } = previous;
                    return value === undefined ? rest : { ...rest, [criterion.key]: value };
                  })
                }
              />
            ))}
          </Stack>
        ))}
        {save.isError && (
          <Alert color="red" variant="light" role="alert" title="The score was not saved">
            {save.error instanceof ApiError ? save.error.message : 'Try again.'}
          </Alert>
        )}
        <Group justify="space-between" align="center">
          <Group gap="xs" aria-live="polite">
            <Text size="sm" c="dimmed">
              Score
            </Text>
            <Badge
              size="lg"
              variant="light"
              color={preview === null ? 'gray' : scoreColor(preview)}
              className="sb-tabular"
              data-testid="scorecard-score"
            >
              {preview === null ? '—' : preview}
            </Badge>
            {existing && !dirty && (
              <Text size="xs" c="dimmed">
                saved {formatDateTime(existing.scored_at, timeZone)}
              </Text>
            )}
          </Group>
          <WriteGuard canEdit={canEdit}>
            {(blocked) => (
              <Button
                type={blocked ? 'button' : 'submit'}
                loading={save.isPending}
                disabled={!blocked && !dirty && existing !== undefined}
                {...(blocked ? BLOCKED_PROPS : {})}
              >
                {existing ? 'Save changes' : 'Save score'}
              </Button>
            )}
          </WriteGuard>
        </Group>
      </Stack>
    </form>
  );
}

/**
 * Grading the call: a supervisor picks a scorecard, answers its criteria (those linked to an
 * indicator are pre-filled from the call's score when left open) and saves; the call's earlier
 * scorings are listed and open in the form.
 */
export function ScorecardCard({
  call,
  canEdit,
  timeZone,
}: {
  call: CallRecord;
  canEdit: boolean;
  timeZone: string;
}) {
  const scorecards = useQuery(scorecardsQuery);
  const scores = useQuery(callScoresQuery(call.call_id));
  const [chosen, setChosen] = useState<string | null>(null);

  // the scorecard last used on this call, else the first
  useEffect(() => {
    if (chosen !== null || !scorecards.data || !scores.data) return;
    const first = scores.data.find((s) => scorecards.data.some((c) => c.scorecard_id === s.scorecard_id));
    const id = first?.scorecard_id ?? scorecards.data[0]?.scorecard_id;
    if (id !== undefined) setChosen(String(id));
  }, [chosen, scorecards.data, scores.data]);

  const scorecard = scorecards.data?.find((s) => String(s.scorecard_id) === chosen);
  const existing = scores.data?.find((s) => String(s.scorecard_id) === chosen);

  return (
    <Card p="md" data-testid="scorecard">
      <Title order={2} size="h4" mb="sm">
        Scorecard
      </Title>
      {scorecards.isError || scores.isError ? (
        <Alert color="red" variant="light" role="alert" title="The scorecards could not be loaded">
          {(scorecards.error ?? scores.error)?.message}
        </Alert>
      ) : scorecards.isPending || scores.isPending ? (
        <Stack gap="xs">
          <Skeleton h={36} />
          <Skeleton h={28} />
          <Skeleton h={28} />
        </Stack>
      ) : scorecards.data.length === 0 ? (
        <Text size="sm" c="dimmed">
          No scorecards yet. An admin creates them through the API (Create Scorecard,{' '}
          <code>POST /v2/scorecard</code>): sections of yes/no, 1–5 and points criteria with weights.
        </Text>
      ) : (
        <Stack gap="sm">
          <Select
            label="Grade this call on"
            data={scorecards.data.map((s) => {
              const done = scores.data.find((score) => score.scorecard_id === s.scorecard_id);
              return {
                value: String(s.scorecard_id),
                label: done ? `${s.scorecard_name} · scored ${done.score}` : s.scorecard_name,
              };
            })}
            value={chosen}
            onChange={setChosen}
            allowDeselect={false}
          />
          {scorecard && (
            <ScorecardForm
              key={`${scorecard.scorecard_id}-${existing?.scored_at ?? 'new'}`}
              call={call}
              scorecard={scorecard}
              existing={existing}
              canEdit={canEdit}
              timeZone={timeZone}
            />
          )}
        </Stack>
      )}
    </Card>
  );
}
