import {
  Alert,
  Anchor,
  Box,
  Button,
  Center,
  Paper,
  PasswordInput,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { IconAlertCircle, IconPhoneCall } from '@tabler/icons-react';
import { useNavigate, useSearch } from '@tanstack/react-router';
import { type FormEvent, useState } from 'react';
import { ApiError } from '../../api/client';
import { useSignIn } from './queries';

export function SignInPage() {
  const navigate = useNavigate();
  const { redirect } = useSearch({ from: '/sign-in' });
  const signIn = useSignIn();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const error = signIn.error instanceof ApiError ? signIn.error : undefined;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    signIn.mutate(
      { user_email: email.trim(), password },
      { onSuccess: () => navigate({ to: redirect?.startsWith('/') ? redirect : '/' }) },
    );
  };

  return (
    <Center mih="100vh" p="md" bg="gray.0">
      <Box w="100%" maw={420}>
        <Stack align="center" gap={6} mb="lg">
          <Center w={48} h={48} bg="switchboard.7" style={{ borderRadius: 12 }} aria-hidden>
            <IconPhoneCall color="white" size={28} />
          </Center>
          <Title order={1} size="h2">
            Switchboard
          </Title>
          <Text c="dimmed" size="sm">
            Sign in to see your calls, recordings and campaigns
          </Text>
        </Stack>
        <Paper p="xl" shadow="sm">
          <form onSubmit={submit} noValidate aria-label="Sign in">
            <Stack>
              {error && (
                <Alert color="red" icon={<IconAlertCircle />} title="Could not sign in" role="alert">
                  {error.status === 429 ? 'Too many attempts. Wait a minute and try again.' : error.message}
                </Alert>
              )}
              <TextInput
                label="E-mail"
                type="email"
                autoComplete="username"
                required
                autoFocus
                value={email}
                onChange={(event) => setEmail(event.currentTarget.value)}
                error={error?.errorFor('user_email')}
              />
              <PasswordInput
                label="Password"
                autoComplete="current-password"
                required
                value={password}
                onChange={(event) => setPassword(event.currentTarget.value)}
                error={error?.errorFor('password')}
              />
              <Button type="submit" loading={signIn.isPending} fullWidth size="md">
                Sign in
              </Button>
            </Stack>
          </form>
        </Paper>
        <Text c="dimmed" size="xs" ta="center" mt="md">
          First start? The server printed the demo admin&apos;s e-mail and password. Integrations use{' '}
          <Anchor href="/docs" size="xs" underline="always">
            the API
          </Anchor>{' '}
          with OAuth tokens instead.
        </Text>
      </Box>
    </Center>
  );
}
