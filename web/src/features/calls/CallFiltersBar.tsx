import {
  ActionIcon,
  Autocomplete,
  Badge,
  Button,
  Drawer,
  Group,
  NumberInput,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconAdjustmentsHorizontal, IconSearch, IconX } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { type FormEvent, useEffect, useMemo, useState } from 'react';
import { type DateRange, DateRangeControl } from '../../components/DateRangeControl';
import { formatPhone, toTenDigits } from '../../lib/format';
import { dispositionLabel } from './Disposition';
import { callFlowsQuery, campaignsQuery, tagsQuery } from './options';
import { type CallFilters, countFilters, DISPOSITIONS, OUTCOMES } from './search';

const DISPOSITION_OPTIONS = DISPOSITIONS.map((value) => ({ value, label: dispositionLabel(value) }));

/** A text filter applied on Enter or when the field is left, so each keystroke is not a request. */
function CommitInput({
  label,
  value,
  onCommit,
  placeholder,
  normalise = (text) => text.trim() || undefined,
  error,
}: {
  label: string;
  value: string | undefined;
  onCommit: (value: string | undefined) => void;
  placeholder?: string;
  normalise?: (text: string) => string | undefined;
  error?: string | undefined;
}) {
  const [text, setText] = useState(value ?? '');
  useEffect(() => setText(value ?? ''), [value]);
  const commit = () => {
    const next = normalise(text);
    if (next !== value) onCommit(next);
  };
  return (
    <TextInput
      label={label}
      value={text}
      placeholder={placeholder}
      onChange={(event) => setText(event.currentTarget.value)}
      onBlur={commit}
      onKeyDown={(event) => event.key === 'Enter' && commit()}
      error={error}
    />
  );
}

export interface FilterChip {
  key: keyof CallFilters;
  label: string;
}

export function CallFiltersBar({
  filters,
  range,
  timeZone,
  groupIds,
  onChange,
}: {
  filters: CallFilters;
  range: DateRange;
  timeZone: string;
  /** the groups of the current subtree: the lists offer only their campaigns and flows */
  groupIds: ReadonlySet<number>;
  onChange: (next: Partial<CallFilters>) => void;
}) {
  const [opened, { open, close }] = useDisclosure(false);
  const campaigns = useQuery(campaignsQuery);
  const flows = useQuery(callFlowsQuery);
  const tags = useQuery(tagsQuery);
  const [callerText, setCallerText] = useState(filters.caller ? formatPhone(filters.caller) : '');
  const [callerError, setCallerError] = useState<string>();
  useEffect(() => setCallerText(filters.caller ? formatPhone(filters.caller) : ''), [filters.caller]);

  const campaignOptions = useMemo(
    () =>
      (campaigns.data ?? [])
        .filter((c) => groupIds.has(c.group_id))
        .map((c) => ({ value: String(c.campaign_id), label: c.campaign_name })),
    [campaigns.data, groupIds],
  );
  const scopedFlows = useMemo(
    () => (flows.data ?? []).filter((f) => groupIds.has(f.group_id)),
    [flows.data, groupIds],
  );
  const flowOptions = scopedFlows.map((f) => ({ value: String(f.call_flow_id), label: f.call_flow_name }));
  const numberOptions = scopedFlows
    .filter((f) => f.dnis)
    .map((f) => ({ value: f.dnis as string, label: `${formatPhone(f.dnis)} · ${f.call_flow_name}` }));
  const tagOptions = [...new Set((tags.data ?? []).filter((t) => t.tag_active).map((t) => t.tag_name))];

  const searchCaller = (event?: FormEvent) => {
    event?.preventDefault();
    const text = callerText.trim();
    if (text === '') {
      setCallerError(undefined);
      onChange({ caller: undefined });
      return;
    }
    const digits = toTenDigits(text);
    if (!digits) {
      setCallerError('Enter a 10-digit phone number');
      return;
    }
    setCallerError(undefined);
    onChange({ caller: digits });
  };

  const more = countFilters({ ...filters, caller: undefined, outcome: undefined, campaign: undefined });

  return (
    <Stack gap="xs">
      <Group gap="sm" align="flex-start" wrap="wrap">
        <DateRangeControl value={range} timeZone={timeZone} onChange={(next) => onChange(next)} />
        <form onSubmit={searchCaller} style={{ flex: '1 1 200px', maxWidth: 260 }}>
          <TextInput
            aria-label="Caller's number"
            placeholder="Caller's number"
            leftSection={<IconSearch size={16} aria-hidden />}
            value={callerText}
            onChange={(event) => setCallerText(event.currentTarget.value)}
            onBlur={() => searchCaller()}
            error={callerError}
          />
        </form>
        <Select
          aria-label="Outcome"
          placeholder="Any outcome"
          data={OUTCOMES.map((o) => ({ value: o.value, label: o.label }))}
          value={filters.outcome ?? null}
          onChange={(value) => onChange({ outcome: value ?? undefined })}
          clearable
          w={170}
        />
        <Select
          aria-label="Campaign"
          placeholder="Any campaign"
          data={campaignOptions}
          value={filters.campaign === undefined ? null : String(filters.campaign)}
          onChange={(value) => onChange({ campaign: value ? Number(value) : undefined })}
          clearable
          searchable
          w={200}
        />
        <Button
          variant="default"
          leftSection={<IconAdjustmentsHorizontal size={16} aria-hidden />}
          onClick={open}
          rightSection={
            more > 0 ? (
              <Badge size="sm" circle>
                {more}
              </Badge>
            ) : null
          }
        >
          More filters
        </Button>
      </Group>

      <Drawer
        closeButtonProps={{ 'aria-label': 'Close' }}
        opened={opened}
        onClose={close}
        title="Filter calls"
        position="right"
        size="md"
      >
        <Stack>
          <Select
            label="Tracking number"
            placeholder="Any number"
            data={numberOptions}
            value={filters.number ?? null}
            onChange={(value) => onChange({ number: value ?? undefined })}
            clearable
            searchable
          />
          <Select
            label="Disposition"
            description="As the carrier reported it"
            placeholder="Any disposition"
            data={DISPOSITION_OPTIONS}
            value={filters.disposition ?? null}
            onChange={(value) => onChange({ disposition: value ?? undefined })}
            clearable
          />
          <Select
            label="Call flow"
            placeholder="Any call flow"
            data={flowOptions}
            value={filters.flow === undefined ? null : String(filters.flow)}
            onChange={(value) => onChange({ flow: value ? Number(value) : undefined })}
            clearable
            searchable
          />
          <SimpleGrid cols={2}>
            <NumberInput
              label="Shortest (seconds)"
              min={0}
              value={filters.minDuration ?? ''}
              onChange={(value) => onChange({ minDuration: typeof value === 'number' ? value : undefined })}
            />
            <NumberInput
              label="Longest (seconds)"
              min={0}
              value={filters.maxDuration ?? ''}
              onChange={(value) => onChange({ maxDuration: typeof value === 'number' ? value : undefined })}
            />
          </SimpleGrid>
          <Autocomplete
            label="Tag"
            placeholder="Any tag"
            data={tagOptions}
            value={filters.tag ?? ''}
            onChange={(value) => onChange({ tag: value.trim() || undefined })}
          />
          <div>
            <Text size="sm" fw={500} mb={4} id="repeat-label">
              Callers
            </Text>
            <SegmentedControl
              aria-labelledby="repeat-label"
              value={filters.repeat ?? 'all'}
              onChange={(value) =>
                onChange({ repeat: value === 'all' ? undefined : (value as 'first' | 'repeat') })
              }
              data={[
                { value: 'all', label: 'All' },
                { value: 'first', label: 'First-time' },
                { value: 'repeat', label: 'Repeat' },
              ]}
              fullWidth
            />
          </div>
          <CommitInput
            label="UTM source"
            placeholder="e.g. google"
            value={filters.source}
            onCommit={(source) => onChange({ source })}
          />
          <CommitInput
            label="Landing page"
            placeholder="https://example.com/offer"
            value={filters.landing}
            onCommit={(landing) => onChange({ landing })}
          />
          <CommitInput
            label="Referrer (site)"
            placeholder="www.google.com"
            value={filters.referrer}
            onCommit={(referrer) => onChange({ referrer })}
          />
          <CommitInput
            label="Keys pressed"
            placeholder="e.g. 2.1"
            value={filters.keys}
            onCommit={(keys) => onChange({ keys })}
          />
          <Group justify="space-between" mt="md">
            <Button
              variant="subtle"
              color="gray"
              onClick={() =>
                onChange({
                  number: undefined,
                  disposition: undefined,
                  flow: undefined,
                  minDuration: undefined,
                  maxDuration: undefined,
                  tag: undefined,
                  repeat: undefined,
                  source: undefined,
                  landing: undefined,
                  referrer: undefined,
                  keys: undefined,
                  channel: undefined,
                })
              }
            >
              Clear these filters
            </Button>
            <Button onClick={close}>Done</Button>
          </Group>
        </Stack>
      </Drawer>
    </Stack>
  );
}

/** The filters in effect, each with a button that removes it. */
export function ActiveFilters({
  chips,
  onRemove,
  onClear,
}: {
  chips: FilterChip[];
  onRemove: (key: keyof CallFilters) => void;
  onClear: () => void;
}) {
  if (chips.length === 0) return null;
  return (
    <Group gap={6} wrap="wrap" aria-label="Filters in effect">
      {chips.map((chip) => (
        <Badge
          key={chip.key}
          variant="light"
          size="lg"
          radius="sm"
          style={{ textTransform: 'none' }}
          rightSection={
            <ActionIcon
              size="xs"
              variant="transparent"
              onClick={() => onRemove(chip.key)}
              aria-label={`Remove filter ${chip.label}`}
            >
              <IconX size={12} />
            </ActionIcon>
          }
        >
          {chip.label}
        </Badge>
      ))}
      <Button variant="subtle" size="compact-sm" color="gray" onClick={onClear}>
        Clear all
      </Button>
    </Group>
  );
}
