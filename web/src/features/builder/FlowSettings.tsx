import { Alert, Divider, Select, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { Channel, ScopeGroup } from '../../api/types';
import { formatPhone } from '../../lib/format';
import { campaignsQuery } from '../calls/options';
import { reservedNumbersQuery } from '../flows/reserved';
import { webhooksQuery } from '../webhooks/queries';
import { DniSettings } from './DniSettings';
import {
  ChoiceField,
  type Fields,
  IntegerField,
  PhoneField,
  SwitchField,
  TextField,
  withField,
} from './fields';
import { ROOT } from './tree';
import { fieldIssue, type Issue } from './validation';

const channelsQuery = queryOptions({
  queryKey: ['channels'],
  queryFn: async () => {
    const data = await api.get<Channel[] | string>('/v2/misc/channel', { limit: 1000 });
    return Array.isArray(data) ? data : [];
  },
  staleTime: 60 * 60_000,
});

/**
 * The settings every flow has (POST /v2/callflow's and the multi-level IVR's common fields):
 * name, campaign, tracking number, repeat callers, notifications, voicemail, spam and webhook.
 */
export function FlowSettings({
  document,
  issues,
  groups,
  groupId,
  callFlowId,
  onChange,
}: {
  callFlowId?: number | undefined;
  document: Fields;
  issues: readonly Issue[];
  groups: readonly ScopeGroup[];
  groupId: number;
  onChange: (next: Fields) => void;
}) {
  const campaigns = useQuery(campaignsQuery);
  const channels = useQuery(channelsQuery);
  const reserved = useQuery(reservedNumbersQuery);
  const webhooks = useQuery(webhooksQuery(groupId));
  const errorFor = (field: string) => fieldIssue(issues, ROOT, field);
  const flowWide = issues.filter((issue) => issue.path === ROOT && !issue.field && issue.message);
  const number = document.number as { phone_number?: string | number; phone_number_id?: number } | undefined;
  const current = number?.phone_number ? String(number.phone_number) : undefined;
  const numberChoices = [
    ...(current ? [{ value: current, label: `${formatPhone(current)} (this flow's)` }] : []),
    ...(reserved.data ?? [])
      .filter((n) => String(n.number) !== current)
      .map((n) => ({
        value: String(n.number),
        label: `${formatPhone(String(n.number))} · ${n.rate_center}, ${n.state}`,
      })),
  ];
  const pool = document.number_pool as Fields | undefined;

  return (
    <Stack gap="sm">
      <Title order={2} size="h4">
        Flow settings
      </Title>
      {flowWide
        .filter((issue) => !issue.message.startsWith('ivrs'))
        .map((issue) => (
          <Alert key={issue.message} color="red" data-testid="flow-issue">
            {issue.message}
          </Alert>
        ))}
      <TextField
        object={document}
        field="call_flow_name"
        label="Name"
        error={errorFor('call_flow_name')}
        onChange={onChange}
      />
      <SimpleGrid cols={2} spacing="xs">
        <Select
          label="Group"
          data={groups.map((g) => ({ value: String(g.group_id), label: g.group_name }))}
          value={document.group_id ? String(document.group_id) : null}
          error={errorFor('group_id')}
          allowDeselect={false}
          searchable
          onChange={(value) => onChange(withField(document, 'group_id', value ? Number(value) : undefined))}
        />
        <Select
          label="Campaign"
          data={(campaigns.data ?? []).map((c) => ({ value: String(c.campaign_id), label: c.campaign_name }))}
          value={document.campaign_id ? String(document.campaign_id) : null}
          error={errorFor('campaign_id')}
          allowDeselect={false}
          searchable
          onChange={(value) =>
            onChange(withField(document, 'campaign_id', value ? Number(value) : undefined))
          }
        />
      </SimpleGrid>
      <SimpleGrid cols={2} spacing="xs">
        <Select
          label="Ad source"
          data={(channels.data ?? []).map((c) => ({ value: String(c.channel_id), label: c.channel }))}
          value={document.channel_id ? String(document.channel_id) : null}
          error={errorFor('channel_id')}
          searchable
          allowDeselect={false}
          onChange={(value) => onChange(withField(document, 'channel_id', value ? Number(value) : undefined))}
        />
        <ChoiceField
          object={document}
          field="call_flow_status"
          label="Status"
          data={[
            { value: 'active', label: 'Active' },
            { value: 'inactive', label: 'Inactive' },
            { value: 'suspended', label: 'Suspended' },
          ]}
          onChange={onChange}
        />
      </SimpleGrid>
      {pool ? (
        <>
          <Text size="sm">
            Tracking with a number pool for website visitors: {String(pool.pool_name ?? '')},{' '}
            {String(pool.number_quantity ?? '')} numbers.
          </Text>
          <Divider label="Website (DNI)" labelPosition="left" />
          {callFlowId ? (
            <DniSettings callFlowId={callFlowId} groupId={Number(document.group_id)} />
          ) : (
            <Text size="sm" c="dimmed">
              Save the flow first, then choose where on your website its numbers show.
            </Text>
          )}
        </>
      ) : (
        <Select
          label="Tracking number"
          description="A number reserved for your groups (Numbers page)"
          placeholder={numberChoices.length ? 'Choose a number' : 'Reserve a number first'}
          data={numberChoices}
          value={current ?? null}
          error={errorFor('number')}
          searchable
          allowDeselect={false}
          onChange={(value) =>
            onChange(
              withField(
                document,
                'number',
                value === current ? number : value ? { phone_number: value } : undefined,
              ),
            )
          }
        />
      )}
      <Divider label="Callers" labelPosition="left" />
      <SimpleGrid cols={2} spacing="xs">
        <IntegerField
          object={document}
          field="repeat_interval"
          label="Repeat caller within (hours)"
          min={0}
          error={errorFor('repeat_interval')}
          onChange={onChange}
        />
        <IntegerField
          object={document}
          field="call_value"
          label="Call value ($)"
          min={0}
          error={errorFor('call_value')}
          onChange={onChange}
        />
        <IntegerField
          object={document}
          field="ring_delay"
          label="Ring the first number (s)"
          description="0 = 18 s"
          min={0}
          max={120}
          error={errorFor('ring_delay')}
          onChange={onChange}
        />
        <PhoneField
          object={document}
          field="referral_number"
          label="When menus give up, send to"
          description="Else a polite goodbye"
          error={errorFor('referral_number')}
          onChange={onChange}
        />
      </SimpleGrid>
      <SwitchField
        object={document}
        field="screen_calls"
        label="Screen every call (the answering party presses 1)"
        onChange={onChange}
      />
      <SwitchField
        object={document}
        field="dnis_as_cid"
        label="Show the tracking number to whoever answers"
        onChange={onChange}
      />
      <Divider label="Voicemail and notifications" labelPosition="left" />
      <SimpleGrid cols={2} spacing="xs">
        <IntegerField
          object={document}
          field="voicemail_rings"
          label="Rings before voicemail"
          min={1}
          max={20}
          error={errorFor('voicemail_rings')}
          onChange={onChange}
        />
        <TextField
          object={document}
          field="email_to_notify"
          label="E-mail after each call"
          description="Comma-separated"
          error={errorFor('email_to_notify')}
          onChange={onChange}
        />
      </SimpleGrid>
      <TextField
        object={document}
        field="voicemail_greeting"
        label="Voicemail greeting"
        multiline
        error={errorFor('voicemail_greeting')}
        onChange={onChange}
      />
      <Divider label="Spam and webhooks" labelPosition="left" />
      <SwitchField
        object={document}
        field="spam_filter_enabled"
        label="Block likely spam calls"
        onChange={onChange}
      />
      {document.spam_filter_enabled === true && (
        <IntegerField
          object={document}
          field="spam_threshold"
          label="Spam score that blocks a call"
          description="0 = the default"
          min={0}
          max={100}
          error={errorFor('spam_threshold')}
          onChange={onChange}
        />
      )}
      <SwitchField
        object={document}
        field="webhook_enabled"
        label="Send calls of this flow to a webhook"
        onChange={onChange}
      />
      {document.webhook_enabled === true && (
        <Select
          label="Webhook"
          data={(webhooks.data ?? []).map((w) => ({ value: String(w.webhook_id), label: w.webhook_name }))}
          value={document.webhook_id ? String(document.webhook_id) : null}
          error={errorFor('webhook_id')}
          onChange={(value) => onChange(withField(document, 'webhook_id', value ? Number(value) : undefined))}
        />
      )}
    </Stack>
  );
}
