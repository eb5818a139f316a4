import { Alert, Button, Center, Stack, Text } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import type { ErrorComponentProps } from '@tanstack/react-router';

/** What a page shows when it breaks: the reason, and a way on. */
export function ErrorPage({ error, reset }: ErrorComponentProps) {
  return (
    <Center p="xl">
      <Stack maw={560} w="100%">
        <Alert color="red" icon={<IconAlertTriangle />} title="This page could not be shown" role="alert">
          <Text size="sm">{error instanceof Error ? error.message : String(error)}</Text>
        </Alert>
        <Button variant="light" onClick={reset} w="fit-content">
          Try again
        </Button>
      </Stack>
    </Center>
  );
}
