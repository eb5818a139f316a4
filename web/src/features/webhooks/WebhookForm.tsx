import {
  Alert,
  Button,
  Checkbox,
  Code,
  CopyButton,
  Group,
  Modal,
  SegmentedControl,
  Select,
  Stack,
  Switch,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core';
import { IconCheck, IconCopy, IconKey } from '@tabler/icons-react';
import { type FormEvent, useState } from 'react';
import { ApiError } from '../../api/client';
import type { Webhook } from '../../api/types';
import { useWebhookMutations, type WebhookFields } from './queries';
import { webhookFieldErrors } from './validation';

const FIELDS: (keyof WebhookFields)[] = [
  'webhook_Name',
  'webhook_Endpoint',
  'method',
  'format',
  'events',
  'description',
  'webhook_status',
];

const fromWebhook = (webhook: Webhook | undefined): WebhookFields => ({
  webhook_Name: webhook?.webhook_name ?? '',
  webhook_Endpoint: webhook?.target_url ?? 'https://',
  method: (webhook?.method as WebhookFields['method']) ?? 'POST',
  format: (webhook?.format as WebhookFields['format']) ?? 'json',
  events: (webhook?.events as WebhookFields['events']) ?? ['call.started', 'call.completed'],
  description: webhook?.description ?? '',
  webhook_status: (webhook?.webhook_status as WebhookFields['webhook_status']) ?? 'active',
});

/** Create or edit a webhook; after a create, the signing secret is shown once to copy. */
export function WebhookForm({
  groupId,
  webhook,
  opened,
  onClose,
}: {
  groupId: number;
  webhook?: Webhook | undefined;
  opened: boolean;
  onClose: () => void;
}) {
  const { create, update } = useWebhookMutations(groupId);
  const [fields, setFields] = useState<WebhookFields>(() => fromWebhook(webhook));
  const [touched, setTouched] = useState<Set<keyof WebhookFields>>(new Set());
  const [secret, setSecret] = useState<string>();
  const mutation = webhook ? update : create;
  const apiError = mutation.error instanceof ApiError ? mutation.error : undefined;
  const local = webhookFieldErrors(fields, groupId);
  const errorOf = (field: keyof WebhookFields) =>
    (touched.has(field) ? local[field] : undefined) ?? apiError?.errorFor(field);
  const set = <K extends keyof WebhookFields>(field: K, value: WebhookFields[K]) => {
    setFields((previous) => ({ ...previous, [field]: value }));
    setTouched((previous) => new Set(previous).add(field));
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTouched(new Set(FIELDS));
    if (Object.keys(local).length > 0) return;
    if (webhook) update.mutate({ webhookId: webhook.webhook_id, fields }, { onSuccess: onClose });
    else create.mutate(fields, { onSuccess: (created) => setSecret(created.signing_secret) });
  };

  return (
    <Modal
      closeButtonProps={{ 'aria-label': 'Close' }}
      opened={opened}
      onClose={onClose}
      title={secret ? 'Webhook created' : webhook ? `Edit ${webhook.webhook_name}` : 'New webhook'}
      size="lg"
      centered
    >
      {secret ? (
        <Stack>
          <Alert color="yellow" icon={<IconKey />} title="Copy the signing secret now">
            It signs every delivery (<Code>X-Switchboard-Signature</Code>), so your endpoint can check the
            data came from Switchboard. It is stored only on the server and is not shown again.
          </Alert>
          <Group gap="xs" wrap="nowrap">
            <Code block style={{ flex: 1, wordBreak: 'break-all' }} data-testid="signing-secret">
              {secret}
            </Code>
            <CopyButton value={secret}>
              {({ copied, copy }) => (
                <Button
                  onClick={copy}
                  color={copied ? 'teal' : undefined}
                  leftSection={copied ? <IconCheck size={16} /> : <IconCopy size={16} />}
                >
                  {copied ? 'Copied' : 'Copy'}
                </Button>
              )}
            </CopyButton>
          </Group>
          <Group justify="flex-end">
            <Button onClick={onClose}>Done</Button>
          </Group>
        </Stack>
      ) : (
        <form onSubmit={submit} noValidate>
          <Stack>
            {apiError && !apiError.concernsAny(FIELDS) && (
              <Alert color="red" role="alert" title="Not saved">
                {apiError.message}
              </Alert>
            )}
            <TextInput
              label="Name"
              required
              value={fields.webhook_Name}
              onChange={(event) => set('webhook_Name', event.currentTarget.value)}
              error={errorOf('webhook_Name')}
            />
            <TextInput
              label="Endpoint URL"
              description="Where the call data is sent (http or https)"
              required
              value={fields.webhook_Endpoint}
              onChange={(event) => set('webhook_Endpoint', event.currentTarget.value)}
              error={errorOf('webhook_Endpoint')}
            />
            <Group grow align="flex-start">
              <Select
                label="Method"
                data={['POST', 'PUT', 'GET']}
                value={fields.method}
                onChange={(value) => set('method', (value ?? 'POST') as WebhookFields['method'])}
                allowDeselect={false}
                error={errorOf('method')}
              />
              <div>
                <Text size="sm" fw={500} mb={4} id="format-label">
                  Format
                </Text>
                <SegmentedControl
                  aria-labelledby="format-label"
                  fullWidth
                  value={fields.format}
                  onChange={(value) => set('format', value as WebhookFields['format'])}
                  data={[
                    { value: 'json', label: 'JSON' },
                    { value: 'xml', label: 'XML' },
                    { value: 'form', label: 'Form' },
                  ]}
                />
              </div>
            </Group>
            <Checkbox.Group
              label="Send when"
              value={fields.events}
              onChange={(value) => set('events', value as WebhookFields['events'])}
              error={errorOf('events')}
            >
              <Group mt={6}>
                <Checkbox value="call.started" label="A call starts (pre-call)" />
                <Checkbox value="call.completed" label="A call ends (post-call)" />
                <Checkbox value="sms.received" label="A text comes in" />
                <Checkbox value="sms.status" label="A sent text is delivered or fails" />
                <Checkbox value="usage.alert" label="A plan’s usage reaches 80 % or 100 %" />
              </Group>
            </Checkbox.Group>
            <Textarea
              label="Description"
              value={fields.description}
              onChange={(event) => set('description', event.currentTarget.value)}
              autosize
              minRows={2}
              error={errorOf('description')}
            />
            <Switch
              label="Active"
              checked={fields.webhook_status === 'active'}
              onChange={(event) => set('webhook_status', event.currentTarget.checked ? 'active' : 'inactive')}
            />
            <Group justify="flex-end">
              <Button variant="default" onClick={onClose}>
                Cancel
              </Button>
              <Button type="submit" loading={mutation.isPending}>
                {webhook ? 'Save' : 'Create webhook'}
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}
