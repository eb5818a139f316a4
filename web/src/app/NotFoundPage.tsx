import { Button, Center, Stack, Text, Title } from '@mantine/core';
import { Link } from '@tanstack/react-router';

export function NotFoundPage() {
  return (
    <Center mih="60vh" p="md">
      <Stack align="center" gap="xs">
        <Title order={1} size="h2">
          Page not found
        </Title>
        <Text c="dimmed">There is no page at this address.</Text>
        <Button component={Link} to="/" mt="sm">
          Go to the dashboard
        </Button>
      </Stack>
    </Center>
  );
}
