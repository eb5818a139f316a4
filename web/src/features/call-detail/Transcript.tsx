import {
  Alert,
  Badge,
  Group,
  Loader,
  ScrollArea,
  Skeleton,
  Stack,
  Text,
  TextInput,
  UnstyledButton,
} from '@mantine/core';
import { IconSearch, IconX } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState } from 'react';
import '../intel/intel.css';
import { callTime, Highlighted, SPEAKER_COLOR, SPEAKER_LABEL } from '../intel/Highlighted';
import { callHitsQuery, transcriptQuery } from '../intel/queries';
import type { SearchMatch, Utterance } from '../intel/types';

/** The utterance being said at `ms`: the last one started by then (none before the first). */
export function currentIndex(segments: readonly Utterance[], ms: number): number {
  let current = -1;
  for (const [index, segment] of segments.entries()) {
    if (segment.start_ms <= ms) current = index;
    else break;
  }
  return current;
}

function TranscriptStatus({ status, reason }: { status: string; reason: string | null }) {
  if (status === 'pending')
    return (
      <Group gap="xs" data-testid="transcript-status" data-status="pending">
        <Loader size="xs" aria-hidden />
        <Text size="sm" c="dimmed">
          Transcribing: the transcript appears here when the provider answers.
          {reason ? ` ${reason}` : ''}
        </Text>
      </Group>
    );
  if (status === 'failed')
    return (
      <Alert
        color="red"
        variant="light"
        title="Transcription failed"
        data-testid="transcript-status"
        data-status="failed"
      >
        {reason ?? 'The provider did not transcribe this recording.'}
      </Alert>
    );
  return (
    <Alert
      color="gray"
      variant="light"
      title="Not transcribed"
      data-testid="transcript-status"
      data-status="skipped"
    >
      {reason ?? 'This recording was not transcribed.'}
    </Alert>
  );
}

/**
 * The call's transcript beside its player: each utterance says who spoke and when; a click (or
 * Enter) plays the recording from there; the one being said is highlighted while it plays; a
 * search marks the utterances where the words are said.
 */
export function Transcript({
  callId,
  timeMs,
  onSeek,
  initialQuery = '',
}: {
  callId: number;
  /** the player's position */
  timeMs: number;
  onSeek: ((ms: number) => void) | undefined;
  initialQuery?: string | undefined;
}) {
  const transcript = useQuery(transcriptQuery(callId));
  const [text, setText] = useState(initialQuery);
  const [query, setQuery] = useState(initialQuery);
  const hits = useQuery(callHitsQuery(callId, query));
  const viewport = useRef<HTMLDivElement>(null);
  const segments = transcript.data?.segments ?? [];
  const current = currentIndex(segments, timeMs);

  const hitsByUtterance = useMemo(() => {
    const map = new Map<string, SearchMatch>();
    for (const match of hits.data ?? []) map.set(`${match.start_ms}:${match.speaker}`, match);
    return map;
  }, [hits.data]);

  // the line being said stays in view inside the transcript's own scroll area
  useEffect(() => {
    const box = viewport.current;
    const line = box?.querySelector<HTMLElement>(`[data-index="${current}"]`);
    if (!box || !line) return;
    if (
      line.offsetTop < box.scrollTop ||
      line.offsetTop + line.offsetHeight > box.scrollTop + box.clientHeight
    )
      box.scrollTo({ top: Math.max(0, line.offsetTop - box.clientHeight / 3) });
  }, [current]);

  if (transcript.isPending)
    return (
      <Stack gap="xs" aria-label="Loading the transcript">
        <Skeleton h={18} w="60%" />
        <Skeleton h={18} w="80%" />
        <Skeleton h={18} w="50%" />
      </Stack>
    );
  if (transcript.isError)
    return (
      <Alert color="red" variant="light" title="The transcript could not be loaded" role="alert">
        {transcript.error.message}
      </Alert>
    );
  const t = transcript.data;
  if (!t)
    return (
      <Text size="sm" c="dimmed" data-testid="transcript-status" data-status="none">
        No transcript yet: the recording is transcribed once the call has ended and its recording is copied.
      </Text>
    );
  if (t.transcript_status !== 'done')
    return <TranscriptStatus status={t.transcript_status} reason={t.status_reason} />;
  if (segments.length === 0)
    return (
      <Text size="sm" c="dimmed" data-testid="transcript-status" data-status="done">
        Transcribed: {t.status_reason ?? 'no speech was recognised'}.
      </Text>
    );

  const matching = query ? (hits.data?.length ?? 0) : 0;
  return (
    <Stack gap="xs" data-testid="transcript" data-status="done">
      <form
        onSubmit={(event) => {
          event.preventDefault();
          setQuery(text.trim());
        }}
      >
        <Group gap="xs" align="center" wrap="nowrap">
          <TextInput
            aria-label="Find in the transcript"
            placeholder="Find words or a phrase in this call"
            leftSection={<IconSearch size={16} aria-hidden />}
            value={text}
            onChange={(event) => setText(event.currentTarget.value)}
            style={{ flex: 1 }}
            size="sm"
            rightSection={
              text ? (
                <UnstyledButton
                  aria-label="Clear the search"
                  onClick={() => {
                    setText('');
                    setQuery('');
                  }}
                  style={{ display: 'flex' }}
                >
                  <IconX size={14} />
                </UnstyledButton>
              ) : null
            }
          />
          {query && (
            <Text
              size="sm"
              c="dimmed"
              aria-live="polite"
              data-testid="transcript-hit-count"
              style={{ whiteSpace: 'nowrap' }}
            >
              {hits.isFetching ? 'Searching…' : matching === 1 ? '1 line matches' : `${matching} lines match`}
            </Text>
          )}
        </Group>
      </form>
      <ScrollArea.Autosize mah={420} viewportRef={viewport} type="auto" offsetScrollbars>
        <Stack
          gap={2}
          component="ol"
          m={0}
          p={0}
          style={{ listStyle: 'none', position: 'relative' }}
          aria-label="Transcript"
        >
          {segments.map((segment, index) => {
            const hit = hitsByUtterance.get(`${segment.start_ms}:${segment.speaker}`);
            const isCurrent = index === current && timeMs > 0;
            const color = SPEAKER_COLOR[segment.speaker] ?? 'gray';
            return (
              // biome-ignore lint/suspicious/noArrayIndexKey: two lines may start together; the list never reorders
              <li key={`${segment.start_ms}-${segment.speaker}-${index}`} data-index={index}>
                <UnstyledButton
                  onClick={onSeek ? () => onSeek(segment.start_ms) : undefined}
                  disabled={!onSeek}
                  aria-current={isCurrent ? 'true' : undefined}
                  title={onSeek ? `Play from ${callTime(segment.start_ms)}` : undefined}
                  data-testid="utterance"
                  data-start-ms={segment.start_ms}
                  data-hit={hit ? 'true' : undefined}
                  className="sb-utterance"
                  w="100%"
                  px="xs"
                  py={6}
                  style={{
                    borderRadius: 'var(--mantine-radius-sm)',
                    display: 'flex',
                    gap: 12,
                    alignItems: 'baseline',
                    background: isCurrent ? `var(--mantine-color-${color}-0)` : undefined,
                    boxShadow: isCurrent ? `inset 3px 0 0 var(--mantine-color-${color}-6)` : undefined,
                  }}
                >
                  <Group gap={6} w={112} wrap="nowrap" style={{ flexShrink: 0 }}>
                    <Badge size="sm" variant="light" color={color} w={64}>
                      {SPEAKER_LABEL[segment.speaker] ?? 'Speaker'}
                    </Badge>
                    <Text size="xs" c="dimmed" className="sb-tabular">
                      {callTime(segment.start_ms)}
                    </Text>
                  </Group>
                  <Text size="sm" style={{ flex: 1 }}>
                    {hit ? <Highlighted text={hit.text} ranges={hit.highlights} /> : segment.text}
                  </Text>
                </UnstyledButton>
              </li>
            );
          })}
        </Stack>
      </ScrollArea.Autosize>
      {t.language && (
        <Text size="xs" c="dimmed">
          Language: {t.language} · card, bank and social security numbers are redacted.
        </Text>
      )}
    </Stack>
  );
}
