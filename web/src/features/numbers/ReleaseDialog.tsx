import { Alert, Button, Group, Loader, Modal, Stack, TextInput } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { formatPhone } from '../../lib/format';
import { releasePreview, useRelease } from './queries';

/**
 * Releasing a number cannot be undone when it was bought from the carrier: the dialog shows what
 * the API says releasing would do, and asks for the number typed out before it sends `confirm`.
 */
export function ReleaseDialog({ number, onClose }: { number: string; onClose: () => void }) {
  const preview = useQuery({
    queryKey: ['numbers', 'release-preview', number],
    queryFn: () => releasePreview(number),
    staleTime: 0,
    gcTime: 0,
  });
  const release = useRelease();
  const [typed, setTyped] = useState('');
  const matches = typed.replace(/\D/g, '').replace(/^1(?=\d{10}$)/, '') === number;
  return (
    <Modal
      opened
      onClose={onClose}
      centered
      title={`Release ${formatPhone(number)}?`}
      closeButtonProps={{ 'aria-label': 'Close' }}
    >
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (matches) release.mutate(number, { onSuccess: onClose });
        }}
      >
        <Stack>
          {preview.isPending ? (
            <Loader size="sm" aria-label="Asking what releasing would do" />
          ) : (
            <Alert color="yellow" title="What happens" data-testid="release-preview">
              {preview.data}
            </Alert>
          )}
          <TextInput
            label={`Type ${formatPhone(number)} to confirm`}
            value={typed}
            onChange={(event) => setTyped(event.currentTarget.value)}
            inputMode="tel"
            autoComplete="off"
            data-autofocus
          />
          {release.error && (
            <Alert color="red" role="alert" title="Not released">
              {release.error.message}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Keep it
            </Button>
            <Button type="submit" color="red" disabled={!matches} loading={release.isPending}>
              Release {formatPhone(number)}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
