import { Alert, Badge, Button, Card, Group, Skeleton, Stack, Text, TextInput, Title } from '@mantine/core';
import { IconChevronLeft, IconChevronRight, IconInfoCircle, IconSearch } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useNavigate, useSearch } from '@tanstack/react-router';
import { type FormEvent, useEffect, useMemo, useState } from 'react';
import { ApiError } from '../../api/client';
import { defaultRange } from '../../components/DateRangeControl';
import { AnchorLink } from '../../components/links';
import { formatDateTime, formatDuration, formatKeyPath, formatPhone, zoneLabel } from '../../lib/format';
import { ActiveFilters, CallFiltersBar, type FilterChip } from '../calls/CallFiltersBar';
import { DispositionBadge, dispositionLabel } from '../calls/Disposition';
import { callFlowsQuery, campaignsQuery } from '../calls/options';
import { type CallFilters, OUTCOMES, toV2Filter } from '../calls/search';
import { useCurrentGroup } from '../groups/queries';
import { callTime, Headline, Highlighted, SPEAKER_COLOR, SPEAKER_LABEL } from './Highlighted';
import './intel.css';
import { SEARCH_PAGE_SIZE, searchQuery } from './queries';
import type { TranscriptSearch } from './search';
import type { SearchHit } from './types';

const EXAMPLES = ['price quote', '"call me back"', 'cancel or refund', 'appointment -reschedule'];
const MATCHES_SHOWN = 3;

function subtreeOf(
  groupId: number,
  groups: { group_id: number; group_parent_id: number | null }[],
): Set<number> {
  const ids = new Set([groupId]);
  for (const group of groups)
    if (group.group_parent_id !== null && ids.has(group.group_parent_id)) ids.add(group.group_id);
  return ids;
}

function Result({
  hit,
  query,
  groupId,
  timeZone,
}: {
  hit: SearchHit;
  query: string;
  groupId: number;
  timeZone: string;
}) {
  const shown = hit.matches.slice(0, MATCHES_SHOWN);
  const link = (ms: number) => ({
    to: '/calls/$callId' as const,
    params: { callId: String(hit.call_id) },
    search: { group: groupId },
    hash: new URLSearchParams({ t: String(ms / 1000), q: query }).toString(),
  });
  return (
    <Card p="md" data-testid="search-result" data-call-id={hit.call_id} className="sb-hit">
      <Group justify="space-between" align="flex-start" wrap="wrap" gap="xs" mb="xs">
        <div>
          <Group gap="xs">
            <AnchorLink {...link(hit.matches[0]?.start_ms ?? 0)} fw={600} className="sb-tabular">
              {hit.caller_name || formatPhone(hit.caller_id)}
            </AnchorLink>
            <DispositionBadge disposition={hit.disposition} />
          </Group>
          <Text size="xs" c="dimmed">
            {formatDateTime(hit.call_started, timeZone)} ·{' '}
            {hit.tracking_number_name ?? formatPhone(hit.tracking_number)} · {formatDuration(hit.duration)} ·{' '}
            {hit.group_name}
          </Text>
        </div>
        <Text size="xs" c="dimmed">
          {hit.matches.length === 0
            ? 'said across lines'
            : hit.matches.length === 1
              ? '1 line matches'
              : `${hit.matches.length} lines match`}
        </Text>
      </Group>
      {shown.length === 0 ? (
        <Text size="sm" c="dimmed">
          … <Headline html={hit.headline} /> …
        </Text>
      ) : (
        <Stack gap={2}>
          {shown.map((match) => (
            <AnchorLink
              key={`${match.start_ms}-${match.speaker}`}
              {...link(match.start_ms)}
              underline="never"
              c="inherit"
              className="sb-utterance"
              px="xs"
              py={4}
              style={{
                borderRadius: 'var(--mantine-radius-sm)',
                display: 'flex',
                gap: 12,
                alignItems: 'baseline',
              }}
              title={`Open the call at ${callTime(match.start_ms)}`}
            >
              <Group gap={6} w={112} wrap="nowrap" style={{ flexShrink: 0 }}>
                <Badge size="sm" variant="light" color={SPEAKER_COLOR[match.speaker] ?? 'gray'} w={64}>
                  {SPEAKER_LABEL[match.speaker] ?? 'Speaker'}
                </Badge>
                <Text size="xs" c="dimmed" className="sb-tabular">
                  {callTime(match.start_ms)}
                </Text>
              </Group>
              <Text size="sm" style={{ flex: 1 }}>
                <Highlighted text={match.text} ranges={match.highlights} />
              </Text>
            </AnchorLink>
          ))}
          {hit.matches.length > MATCHES_SHOWN && (
            <AnchorLink {...link(hit.matches[MATCHES_SHOWN]?.start_ms ?? 0)} size="xs" ml="xs">
              {hit.matches.length - MATCHES_SHOWN} more in this call
            </AnchorLink>
          )}
        </Stack>
      )}
    </Card>
  );
}

/**
 * Transcript search: the calls of the group (and below) where something was said, with the call
 * log's filters; each hit's lines marked, each line a link to the call at that moment.
 */
export function TranscriptSearchPage() {
  const { groupId, group, groups, timeZone } = useCurrentGroup();
  const search = useSearch({ from: '/app/transcripts' });
  const navigate = useNavigate({ from: '/transcripts' });
  const campaigns = useQuery(campaignsQuery);
  const flows = useQuery(callFlowsQuery);
  const [text, setText] = useState(search.q ?? '');
  useEffect(() => setText(search.q ?? ''), [search.q]);

  const fallback = defaultRange(timeZone);
  const range = { from: search.from ?? fallback.from, to: search.to ?? fallback.to };
  const { page = 0, q = '', ...rest } = search;
  const filters: CallFilters = { ...rest, ...range };
  const scope = { groupId, query: q, filter: toV2Filter(filters), timeZone };
  const results = useQuery(searchQuery(scope, page));
  const groupIds = useMemo(() => subtreeOf(groupId, groups), [groupId, groups]);

  const update = (next: Partial<TranscriptSearch>) =>
    navigate({
      search: (previous) => ({
        ...previous,
        ...next,
        group: groupId,
        page: 'page' in next ? next.page : undefined,
      }),
    });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    update({ q: text.trim() || undefined });
  };

  const chips: FilterChip[] = [];
  const campaignName = (id: number) =>
    campaigns.data?.find((c) => c.campaign_id === id)?.campaign_name ?? `#${id}`;
  const flowName = (id: number) => flows.data?.find((f) => f.call_flow_id === id)?.call_flow_name ?? `#${id}`;
  if (filters.caller) chips.push({ key: 'caller', label: `Caller ${formatPhone(filters.caller)}` });
  if (filters.outcome)
    chips.push({
      key: 'outcome',
      label: OUTCOMES.find((o) => o.value === filters.outcome)?.label ?? filters.outcome,
    });
  if (filters.disposition)
    chips.push({ key: 'disposition', label: `Disposition: ${dispositionLabel(filters.disposition)}` });
  if (filters.campaign !== undefined)
    chips.push({ key: 'campaign', label: `Campaign: ${campaignName(filters.campaign)}` });
  if (filters.channel !== undefined) chips.push({ key: 'channel', label: `Channel #${filters.channel}` });
  if (filters.flow !== undefined) chips.push({ key: 'flow', label: `Call flow: ${flowName(filters.flow)}` });
  if (filters.number) chips.push({ key: 'number', label: `Number ${formatPhone(filters.number)}` });
  if (filters.minDuration !== undefined)
    chips.push({ key: 'minDuration', label: `${filters.minDuration} s or longer` });
  if (filters.maxDuration !== undefined)
    chips.push({ key: 'maxDuration', label: `${filters.maxDuration} s or shorter` });
  if (filters.tag) chips.push({ key: 'tag', label: `Tag: ${filters.tag}` });
  if (filters.repeat)
    chips.push({
      key: 'repeat',
      label: filters.repeat === 'first' ? 'First-time callers' : 'Repeat callers',
    });
  if (filters.source) chips.push({ key: 'source', label: `UTM source: ${filters.source}` });
  if (filters.landing) chips.push({ key: 'landing', label: `Landing page: ${filters.landing}` });
  if (filters.referrer) chips.push({ key: 'referrer', label: `Referrer: ${filters.referrer}` });
  if (filters.keys) chips.push({ key: 'keys', label: `Pressed ${formatKeyPath(filters.keys)}` });

  const rows = results.data?.slice(0, SEARCH_PAGE_SIZE) ?? [];
  const hasNext = (results.data?.length ?? 0) > SEARCH_PAGE_SIZE;
  const first = page * SEARCH_PAGE_SIZE + 1;

  return (
    <Stack gap="md" maw={1200} mx="auto">
      <div>
        <Title order={1} size="h2">
          Transcript search
        </Title>
        <Text c="dimmed" size="sm">
          Find calls by what was said · {group?.group_name} and below · times in {zoneLabel(timeZone)}
        </Text>
      </div>
      <form onSubmit={submit} aria-label="Search transcripts">
        <Group gap="xs" align="flex-start" wrap="nowrap">
          <TextInput
            aria-label="Words or a phrase"
            placeholder='Words or "a phrase" — e.g. price quote, "new roof", roof or gutter, -warranty'
            leftSection={<IconSearch size={18} aria-hidden />}
            value={text}
            onChange={(event) => setText(event.currentTarget.value)}
            maxLength={500}
            size="md"
            style={{ flex: 1 }}
            data-autofocus
          />
          <Button type="submit" size="md">
            Search
          </Button>
        </Group>
        <Text size="xs" c="dimmed" mt={4}>
          All the words, in any form (“price” finds “pricing”); “quotes” for a phrase; <b>or</b> between
          alternatives; -word to leave out calls that say it.
        </Text>
      </form>
      <CallFiltersBar
        filters={filters}
        range={range}
        timeZone={timeZone}
        groupIds={groupIds}
        onChange={(next) => update(next)}
      />
      <ActiveFilters
        chips={chips}
        onRemove={(key) => update({ [key]: undefined })}
        onClear={() =>
          navigate({ search: { group: groupId, from: search.from, to: search.to, q: search.q } })
        }
      />

      {q === '' ? (
        <Alert
          variant="light"
          icon={<IconInfoCircle />}
          title="Search what callers and agents said"
          data-testid="search-empty"
        >
          <Text size="sm" mb="sm">
            Every recorded call is transcribed; search them all at once, with the call log&apos;s filters.
            Try:
          </Text>
          <Group gap="xs">
            {EXAMPLES.map((example) => (
              <Button
                key={example}
                size="compact-sm"
                variant="default"
                onClick={() => update({ q: example })}
              >
                {example}
              </Button>
            ))}
          </Group>
        </Alert>
      ) : results.isError ? (
        <Alert color="red" title="The search could not be run" role="alert">
          {results.error instanceof ApiError ? results.error.message : 'Try again in a moment.'}
        </Alert>
      ) : results.isPending ? (
        <Stack gap="sm" aria-label="Searching">
          {['a', 'b', 'c'].map((key) => (
            <Skeleton key={key} h={110} radius="md" />
          ))}
        </Stack>
      ) : rows.length === 0 ? (
        <Alert
          variant="light"
          icon={<IconInfoCircle />}
          title={`No calls where “${q}” was said`}
          data-testid="no-results"
        >
          <Text size="sm">
            {page > 0
              ? 'There are no more results.'
              : chips.length > 0
                ? 'Try a longer date range, other words, or remove a filter.'
                : 'Try a longer date range or other words. Only calls with a finished transcript are searched.'}
          </Text>
        </Alert>
      ) : (
        <Stack gap="sm" aria-busy={results.isFetching}>
          <Text size="sm" c="dimmed" aria-live="polite" data-testid="result-count">
            {hasNext || page > 0
              ? `Calls ${first}–${first + rows.length - 1}, newest first`
              : `${rows.length} ${rows.length === 1 ? 'call' : 'calls'}, newest first`}
          </Text>
          {rows.map((hit) => (
            <Result key={hit.call_id} hit={hit} query={q} groupId={groupId} timeZone={timeZone} />
          ))}
          {(hasNext || page > 0) && (
            <Group justify="center" gap="xs">
              <Button
                variant="default"
                leftSection={<IconChevronLeft size={16} aria-hidden />}
                disabled={page === 0}
                onClick={() => update({ page: page - 1 || undefined })}
              >
                Newer
              </Button>
              <Button
                variant="default"
                rightSection={<IconChevronRight size={16} aria-hidden />}
                disabled={!hasNext}
                onClick={() => update({ page: page + 1 })}
              >
                Older
              </Button>
            </Group>
          )}
        </Stack>
      )}
    </Stack>
  );
}
