import { Alert, Button, Group, Modal, Progress, Stack, Text } from '@mantine/core';
import { IconDownload } from '@tabler/icons-react';
import { useRef, useState } from 'react';
import { api } from '../../api/client';
import { formatCount } from '../../lib/format';
import type { CallScope } from './queries';

type ExportState =
  | { phase: 'idle' }
  | { phase: 'running'; rows: number; total: number }
  | { phase: 'done'; rows: number }
  | { phase: 'failed'; message: string };

const NEWLINE = 10;

/**
 * Streams the filtered calls as CSV (GET /v2/call/export) and saves the file, with the rows
 * received against the total the server announced first: any number of calls, with progress.
 */
export function ExportButton({ scope, fileName }: { scope: CallScope; fileName: string }) {
  const [state, setState] = useState<ExportState>({ phase: 'idle' });
  const abort = useRef<AbortController | null>(null);

  async function run() {
    const controller = new AbortController();
    abort.current = controller;
    setState({ phase: 'running', rows: 0, total: 0 });
    try {
      const response = await api.stream(
        '/v2/call/export',
        { group_id: scope.groupId, filter: scope.filter, timezone: scope.timeZone },
        controller.signal,
      );
      const total = Number(response.headers.get('x-total-count') ?? 0);
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      const chunks: Uint8Array[] = [];
      let lines = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        for (const byte of value) if (byte === NEWLINE) lines += 1;
        setState({ phase: 'running', rows: Math.max(0, lines - 1), total });
      }
      const url = URL.createObjectURL(new Blob(chunks as BlobPart[], { type: 'text/csv' }));
      const link = document.createElement('a');
      link.href = url;
      link.download = fileName;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      setState({ phase: 'done', rows: Math.max(0, lines - 1) });
    } catch (error) {
      if (controller.signal.aborted) setState({ phase: 'idle' });
      else setState({ phase: 'failed', message: error instanceof Error ? error.message : String(error) });
    }
  }

  const close = () => {
    abort.current?.abort();
    setState({ phase: 'idle' });
  };

  return (
    <>
      <Button
        variant="default"
        leftSection={<IconDownload size={16} aria-hidden />}
        onClick={() => void run()}
      >
        Export CSV
      </Button>
      <Modal
        closeButtonProps={{ 'aria-label': 'Close' }}
        opened={state.phase !== 'idle'}
        onClose={close}
        title="Export calls"
        centered
      >
        <Stack>
          {state.phase === 'running' && (
            <>
              <Text size="sm">
                {state.total > 0
                  ? `${formatCount(state.rows)} of ${formatCount(state.total)} calls`
                  : `${formatCount(state.rows)} calls`}
              </Text>
              <Progress
                value={state.total > 0 ? (state.rows / state.total) * 100 : 0}
                animated
                aria-label="Export progress"
                data-testid="export-progress"
              />
            </>
          )}
          {state.phase === 'done' && (
            <Alert color="teal" title="Export ready" data-testid="export-done">
              {formatCount(state.rows)} calls saved as {fileName}.
            </Alert>
          )}
          {state.phase === 'failed' && (
            <Alert color="red" title="The export failed" role="alert">
              {state.message}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant={state.phase === 'running' ? 'default' : 'filled'} onClick={close}>
              {state.phase === 'running' ? 'Cancel' : 'Close'}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
