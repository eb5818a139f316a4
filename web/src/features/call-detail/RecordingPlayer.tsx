import { ActionIcon, Alert, Group, Select, Stack, Text, Tooltip } from '@mantine/core';
import {
  IconDownload,
  IconPlayerPauseFilled,
  IconPlayerPlayFilled,
  IconRewindBackward10,
  IconRewindForward10,
} from '@tabler/icons-react';
import { useEffect, useRef, useState } from 'react';
import WaveSurfer from 'wavesurfer.js';
import { formatDuration } from '../../lib/format';

const SPEEDS = ['0.75', '1', '1.25', '1.5', '2'];
const CHANNEL_COLORS = [
  { waveColor: '#8fb0ea', progressColor: '#1151c5' },
  { waveColor: '#94d3c1', progressColor: '#0c8a6a' },
];

/** What the transcript beside the player does with it: seek to a time (and play). */
export interface PlayerControl {
  seek: (seconds: number, play?: boolean) => void;
}

/**
 * A recording with its waveform (wavesurfer.js): both channels, caller and agent, when the
 * recording has two; play, skip 10 s either way, speed, download. The audio plays through a real
 * <audio> element on the page.
 */
export function RecordingPlayer({
  src,
  title,
  onTime,
  control,
  startAt,
}: {
  src: string;
  title: string;
  /** the playing position, as it moves (the transcript highlights the utterance being said) */
  onTime?: ((seconds: number) => void) | undefined;
  /** filled with the player's seek, for the transcript's lines */
  control?: React.MutableRefObject<PlayerControl | null> | undefined;
  /** seconds to start at (a search hit's link) */
  startAt?: number | undefined;
}) {
  const container = useRef<HTMLDivElement>(null);
  const audio = useRef<HTMLAudioElement>(null);
  const surfer = useRef<WaveSurfer | null>(null);
  const [playing, setPlaying] = useState(false);
  const [time, setTime] = useState(0);
  const [duration, setDuration] = useState(0);
  const [channels, setChannels] = useState(1);
  const [speed, setSpeed] = useState('1');
  const [failed, setFailed] = useState(false);
  const onTimeRef = useRef(onTime);
  onTimeRef.current = onTime;
  const startAtRef = useRef(startAt);

  useEffect(() => {
    if (!container.current || !audio.current) return;
    const ws = WaveSurfer.create({
      container: container.current,
      media: audio.current,
      url: src,
      height: 56,
      normalize: true,
      barWidth: 2,
      barGap: 1,
      barRadius: 2,
      cursorColor: '#003d9d',
      splitChannels: CHANNEL_COLORS.map((colors) => ({ ...colors, overlay: false })),
      ...CHANNEL_COLORS[0],
    });
    surfer.current = ws;
    ws.on('ready', (seconds) => {
      setDuration(seconds);
      setChannels(ws.getDecodedData()?.numberOfChannels ?? 1);
      if (startAtRef.current !== undefined) ws.setTime(Math.min(startAtRef.current, seconds));
    });
    ws.on('timeupdate', (seconds) => {
      setTime(seconds);
      onTimeRef.current?.(seconds);
    });
    ws.on('play', () => setPlaying(true));
    ws.on('pause', () => setPlaying(false));
    ws.on('finish', () => setPlaying(false));
    ws.on('error', () => setFailed(true));
    if (control)
      control.current = {
        seek: (seconds, play = true) => {
          ws.setTime(seconds);
          if (play) void ws.play();
        },
      };
    return () => {
      ws.destroy();
      surfer.current = null;
      if (control) control.current = null;
    };
  }, [src, control]);

  if (failed)
    return (
      <Alert color="gray" variant="light" title={`${title} not available`}>
        The audio could not be loaded. A carrier recording is copied shortly after the call ends; try again in
        a minute.
      </Alert>
    );

  return (
    <Stack gap="xs" data-testid="recording-player">
      <Group gap="xs" align="stretch" wrap="nowrap">
        {channels === 2 && (
          <Stack gap={0} justify="space-around" w={52} aria-hidden>
            <Text size="xs" c="switchboard.8" fw={600}>
              Caller
            </Text>
            <Text size="xs" c="teal.9" fw={600}>
              Agent
            </Text>
          </Stack>
        )}
        <div
          ref={container}
          style={{ flex: 1, minWidth: 0, cursor: 'pointer' }}
          role="img"
          aria-label={`${title} waveform${channels === 2 ? ': caller and agent channels' : ''}`}
        />
      </Group>
      {/* biome-ignore lint/a11y/useMediaCaption: call recordings have no captions; transcripts arrive with call intelligence */}
      <audio ref={audio} preload="metadata" data-testid="recording-audio" />
      <Group justify="space-between" wrap="wrap" gap="xs">
        <Group gap={6}>
          <Tooltip label="Back 10 seconds">
            <ActionIcon
              variant="default"
              size="lg"
              onClick={() => surfer.current?.skip(-10)}
              aria-label="Back 10 seconds"
            >
              <IconRewindBackward10 size={18} />
            </ActionIcon>
          </Tooltip>
          <ActionIcon
            size={40}
            radius="xl"
            onClick={() => void surfer.current?.playPause()}
            aria-label={playing ? `Pause ${title.toLowerCase()}` : `Play ${title.toLowerCase()}`}
            data-testid="play"
          >
            {playing ? <IconPlayerPauseFilled size={20} /> : <IconPlayerPlayFilled size={20} />}
          </ActionIcon>
          <Tooltip label="Forward 10 seconds">
            <ActionIcon
              variant="default"
              size="lg"
              onClick={() => surfer.current?.skip(10)}
              aria-label="Forward 10 seconds"
            >
              <IconRewindForward10 size={18} />
            </ActionIcon>
          </Tooltip>
          <Text size="sm" className="sb-tabular" ml={6} aria-live="off">
            {formatDuration(time)} / {formatDuration(duration)}
          </Text>
        </Group>
        <Group gap={6}>
          <Select
            aria-label="Playback speed"
            data={SPEEDS.map((value) => ({ value, label: `${value}×` }))}
            value={speed}
            onChange={(value) => {
              const next = value ?? '1';
              setSpeed(next);
              surfer.current?.setPlaybackRate(Number(next), true);
            }}
            w={90}
            size="xs"
            allowDeselect={false}
          />
          <Tooltip label="Download">
            <ActionIcon
              component="a"
              href={src}
              download
              variant="default"
              size="lg"
              aria-label={`Download ${title.toLowerCase()}`}
            >
              <IconDownload size={18} />
            </ActionIcon>
          </Tooltip>
        </Group>
      </Group>
    </Stack>
  );
}
