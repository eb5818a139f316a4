import {
  ActionIcon,
  Alert,
  Button,
  Card,
  Group,
  Modal,
  NumberInput,
  SegmentedControl,
  Select,
  Stack,
  Switch,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { type FormEvent, useMemo, useState } from 'react';
import { ACTIONS, type ActionKind } from '../../../../src/modules/callactions/callactions.schemas.js';
import {
  CALL_FIELD_NAMES,
  type Rule,
  ruleReason,
  rulesReason,
} from '../../../../src/modules/callactions/rules.js';
import type { CallAction } from '../../api/types';
import { flowListQuery, subtreeOf } from '../flows/queries';
import { useCurrentGroup } from '../groups/queries';
import { type CallActionFields, indicatorsQuery, useCallActionMutations } from './queries';
import { type FormGroup, type FormRule, newRule, operatorsFor, toGroups, toRules } from './rule-groups';

/** How each action reads to a person, and what its target is. */
export const ACTION_KINDS: Record<ActionKind, { label: string; target: string; placeholder: string }> = {
  email_alert: {
    label: 'Send an e-mail',
    target: 'E-mail addresses, separated by commas',
    placeholder: 'sales@example.com',
  },
  sms_alert: {
    label: 'Send a text',
    target: '10-digit numbers, separated by commas',
    placeholder: '8015550100',
  },
  tag_call: { label: 'Tag the call', target: 'Tag names, separated by commas', placeholder: 'Hot lead' },
  webhook: {
    label: 'Call a webhook',
    target: 'An http(s) URL, or the id of a webhook of this group or one above',
    placeholder: 'https://crm.example.com/calls',
  },
  post_detail: {
    label: "Post the call's details",
    target: 'An http(s) URL that receives the call record',
    placeholder: 'https://example.com/call-detail',
  },
  move_to_group: { label: 'Move the call to a group', target: 'The group', placeholder: '' },
  set_call_value: { label: "Set the call's value", target: 'An amount', placeholder: '150' },
};

/** Call fields as people read them. */
export const FIELD_LABELS: Record<string, string> = {
  duration: 'Duration (seconds)',
  disposition: 'Disposition',
  caller_id: 'Caller number',
  caller_name: 'Caller name',
  caller_city: 'Caller city',
  caller_state: 'Caller state',
  caller_zip: 'Caller ZIP code',
  tracking_number: 'Tracking number',
  channel: 'Channel',
  channel_id: 'Channel id',
  campaign: 'Campaign',
  campaign_id: 'Campaign id',
  call_flow_id: 'Call flow id',
  group_id: 'Group id',
  key_path: 'Keys pressed',
  call_value: 'Call value',
  tags: 'Tags',
  custom_source: 'Custom source',
  repeat_caller: 'Repeat caller',
};

type Scope = { kind: 'group' } | { kind: 'flow'; flowId: number };

/** Creates or edits one call action: where it applies, what it does, and the rules it needs (AND/OR groups). */
export function CallActionForm({
  action,
  onClose,
}: {
  action?: CallAction | undefined;
  onClose: () => void;
}) {
  const { groupId, group, groups } = useCurrentGroup();
  const subtree = useMemo(() => subtreeOf(groups, groupId), [groups, groupId]);
  const flows = useQuery(flowListQuery(false));
  const indicators = useQuery(indicatorsQuery);
  const { create, update } = useCallActionMutations();
  const mutation = action ? update : create;

  const [scope, setScope] = useState<Scope>(
    action?.call_flow_id ? { kind: 'flow', flowId: action.call_flow_id } : { kind: 'group' },
  );
  const [kind, setKind] = useState<ActionKind>((action?.action as ActionKind | undefined) ?? 'email_alert');
  const [target, setTarget] = useState(action?.action_target ?? '');
  const [status, setStatus] = useState<'active' | 'inactive'>(
    action?.action_status === 'inactive' ? 'inactive' : 'active',
  );
  const [postProcess, setPostProcess] = useState(action?.post_process ?? false);
  const [ruleGroups, setRuleGroups] = useState<FormGroup[]>(() => toGroups((action?.rules ?? []) as Rule[]));
  const [submitted, setSubmitted] = useState(false);

  const rules = toRules(ruleGroups);
  const rulesProblem = rulesReason(rules);
  const targetProblem = target.trim() === '' ? 'Say where it goes' : undefined;
  const ruleProblemAt = (g: number, r: number) => {
    const index = ruleGroups.slice(0, g).reduce((n, group) => n + group.length, 0) + r;
    const rule = rules[index];
    return rule ? ruleReason(rule, `Rule ${index + 1}`)?.replace(/^Rule \d+: /, '') : undefined;
  };

  const fieldOptions = [
    {
      group: 'Call',
      items: CALL_FIELD_NAMES.map((name) => ({ value: name, label: FIELD_LABELS[name] ?? name })),
    },
    {
      group: 'Indicator score (after analytics)',
      items: (indicators.data ?? [])
        .filter((i) => i.indicator_status !== 'deleted')
        .map((i) => ({ value: `indicator:${i.indicator_id}`, label: i.indicator_name })),
    },
  ];

  const changeGroups = (next: FormGroup[]) => setRuleGroups(next.filter((g) => g.length > 0));
  const changeRule = (g: number, r: number, patch: Partial<FormRule>) =>
    changeGroups(
      ruleGroups.map((group, gi) =>
        gi !== g
          ? group
          : group.map((rule, ri) => {
              if (ri !== r) return rule;
              const next = { ...rule, ...patch };
              // a field whose type has other operators starts on its first one
              if (patch.field && !operatorsFor(patch.field).includes(next.operator))
                next.operator = operatorsFor(patch.field)[0] ?? '=';
              return next;
            }),
      ),
    );

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (rulesProblem || targetProblem) return;
    const fields: CallActionFields = {
      action: kind,
      action_target: target.trim(),
      post_process: postProcess || rules.some((rule) => rule.indicator_id !== undefined),
      action_status: status,
      rules,
    };
    if (action) update.mutate({ action_id: action.action_id, ...fields }, { onSuccess: onClose });
    else
      create.mutate(
        scope.kind === 'flow' ? { ...fields, call_flow_id: scope.flowId } : { ...fields, group_id: groupId },
        { onSuccess: onClose },
      );
  };

  const flowOptions = (flows.data ?? [])
    .filter((flow) => subtree.has(flow.group_id))
    .map((flow) => ({ value: String(flow.call_flow_id), label: flow.call_flow_name }));
  // an action being edited stays where it is: a group default names its own group (maybe one
  // below the group viewed), a flow's action its flow even when the list no longer has it
  const scopeGroupName = action
    ? (groups.find((g) => g.group_id === action.group_id)?.group_name ?? `group ${action.group_id}`)
    : (group?.group_name ?? 'this group');
  if (action?.call_flow_id && !flowOptions.some((option) => option.value === String(action.call_flow_id)))
    flowOptions.push({ value: String(action.call_flow_id), label: `flow #${action.call_flow_id}` });

  return (
    <Modal
      opened
      onClose={onClose}
      size="xl"
      centered
      closeButtonProps={{ 'aria-label': 'Close' }}
      title={action ? `Edit call action #${action.action_id}` : 'New call action'}
    >
      <form onSubmit={submit} noValidate>
        <Stack>
          {mutation.error && (
            <Alert color="red" role="alert" title="Not saved">
              {mutation.error.message}
            </Alert>
          )}
          <Select
            label="Runs on"
            description={action ? 'An action does not move: make a new one for other calls' : undefined}
            disabled={action !== undefined}
            data={[
              { value: 'group', label: `Every call in ${scopeGroupName} (group default)` },
              ...flowOptions.map((option) => ({ ...option, label: `Calls to ${option.label}` })),
            ]}
            value={scope.kind === 'group' ? 'group' : String(scope.flowId)}
            onChange={(value) =>
              setScope(
                !value || value === 'group' ? { kind: 'group' } : { kind: 'flow', flowId: Number(value) },
              )
            }
            allowDeselect={false}
            searchable
          />
          <Group grow align="flex-start">
            <Select
              label="Do this"
              data={ACTIONS.map((value) => ({ value, label: ACTION_KINDS[value].label }))}
              value={kind}
              onChange={(value) => {
                setKind((value ?? 'email_alert') as ActionKind);
                setTarget('');
              }}
              allowDeselect={false}
            />
            {kind === 'move_to_group' ? (
              <Select
                label={ACTION_KINDS[kind].target}
                data={groups.map((g) => ({ value: String(g.group_id), label: g.group_name }))}
                value={target || null}
                onChange={(value) => setTarget(value ?? '')}
                error={submitted ? targetProblem : undefined}
                searchable
              />
            ) : kind === 'set_call_value' ? (
              <NumberInput
                label={ACTION_KINDS[kind].target}
                value={target === '' ? '' : Number(target)}
                onChange={(value) => setTarget(value === '' ? '' : String(value))}
                min={0}
                decimalScale={2}
                prefix="$"
                error={submitted ? targetProblem : undefined}
              />
            ) : (
              <TextInput
                label={kind === 'email_alert' ? 'To' : kind === 'sms_alert' ? 'Text to' : 'Target'}
                description={ACTION_KINDS[kind].target}
                placeholder={ACTION_KINDS[kind].placeholder}
                value={target}
                onChange={(event) => setTarget(event.currentTarget.value)}
                error={submitted ? targetProblem : undefined}
              />
            )}
          </Group>

          <Card withBorder p="sm">
            <Group justify="space-between" mb="xs">
              <div>
                <Title order={3} size="h5">
                  When
                </Title>
                <Text size="xs" c="dimmed">
                  {ruleGroups.length === 0
                    ? 'No rules: the action runs on every call.'
                    : 'AND binds before OR, inside a group and between groups.'}
                </Text>
              </div>
              <Button
                size="xs"
                variant="light"
                leftSection={<IconPlus size={14} aria-hidden />}
                onClick={() => changeGroups([...ruleGroups, [newRule()]])}
              >
                Add a group
              </Button>
            </Group>
            <Stack gap="xs" data-testid="rule-groups">
              {ruleGroups.map((ruleGroup, g) => (
                <Stack key={ruleGroup[0]?.id} gap={6}>
                  <Card p="xs" bg="gray.0" aria-label={`Rule group ${g + 1}`} role="group">
                    <Stack gap={6}>
                      {ruleGroup.map((rule, r) => (
                        <Stack key={rule.id} gap={4}>
                          <RuleRow
                            rule={rule}
                            number={ruleGroups.slice(0, g).reduce((n, x) => n + x.length, 0) + r + 1}
                            fieldOptions={fieldOptions}
                            problem={submitted ? ruleProblemAt(g, r) : undefined}
                            onChange={(patch) => changeRule(g, r, patch)}
                            onRemove={() =>
                              changeGroups(
                                ruleGroups.map((group, gi) =>
                                  gi === g ? group.filter((_, ri) => ri !== r) : group,
                                ),
                              )
                            }
                          />
                          {r < ruleGroup.length - 1 && (
                            <JoinControl
                              value={rule.join}
                              label={`Join rule ${r + 1} and ${r + 2} of group ${g + 1}`}
                              onChange={(join) => changeRule(g, r, { join })}
                            />
                          )}
                        </Stack>
                      ))}
                      <Button
                        size="xs"
                        variant="subtle"
                        leftSection={<IconPlus size={14} aria-hidden />}
                        onClick={() =>
                          changeGroups(
                            ruleGroups.map((group, gi) => (gi === g ? [...group, newRule()] : group)),
                          )
                        }
                        style={{ alignSelf: 'flex-start' }}
                      >
                        Add a rule to this group
                      </Button>
                    </Stack>
                  </Card>
                  {g < ruleGroups.length - 1 && (
                    <JoinControl
                      value={ruleGroup.at(-1)?.join ?? 'AND'}
                      label={`Join group ${g + 1} and group ${g + 2}`}
                      onChange={(join) => changeRule(g, ruleGroup.length - 1, { join })}
                    />
                  )}
                </Stack>
              ))}
            </Stack>
            {submitted && rulesProblem && (
              <Text c="red" size="sm" mt="xs" role="alert">
                {rulesProblem}
              </Text>
            )}
          </Card>

          <Group>
            <Switch
              label="Active"
              checked={status === 'active'}
              onChange={(event) => setStatus(event.currentTarget.checked ? 'active' : 'inactive')}
            />
            <Switch
              label="Wait for conversation analytics"
              description="Needed for indicator scores; otherwise it runs when the call ends"
              checked={postProcess || rules.some((rule) => rule.indicator_id !== undefined)}
              disabled={rules.some((rule) => rule.indicator_id !== undefined)}
              onChange={(event) => setPostProcess(event.currentTarget.checked)}
            />
          </Group>
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={mutation.isPending}>
              {action ? 'Save' : 'Create action'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function JoinControl({
  value,
  label,
  onChange,
}: {
  value: 'AND' | 'OR';
  label: string;
  onChange: (join: 'AND' | 'OR') => void;
}) {
  return (
    <SegmentedControl
      size="xs"
      aria-label={label}
      value={value}
      onChange={(next) => onChange(next as 'AND' | 'OR')}
      data={['AND', 'OR']}
      style={{ alignSelf: 'center' }}
    />
  );
}

function RuleRow({
  rule,
  number,
  fieldOptions,
  problem,
  onChange,
  onRemove,
}: {
  rule: FormRule;
  number: number;
  fieldOptions: { group: string; items: { value: string; label: string }[] }[];
  problem: string | undefined;
  onChange: (patch: Partial<FormRule>) => void;
  onRemove: () => void;
}) {
  const isBoolean = rule.field === 'repeat_caller';
  return (
    <Group gap="xs" align="flex-start" wrap="nowrap" data-testid="rule">
      <Select
        aria-label={`Rule ${number}: field`}
        data={fieldOptions}
        value={rule.field}
        onChange={(value) => onChange({ field: value ?? 'duration' })}
        allowDeselect={false}
        searchable
        w={210}
      />
      <Select
        aria-label={`Rule ${number}: operator`}
        data={[...operatorsFor(rule.field)]}
        value={rule.operator}
        onChange={(value) => onChange({ operator: (value ?? '=') as FormRule['operator'] })}
        allowDeselect={false}
        w={160}
      />
      {isBoolean ? (
        <Select
          aria-label={`Rule ${number}: value`}
          data={['true', 'false']}
          value={rule.comparator || null}
          onChange={(value) => onChange({ comparator: value ?? '' })}
          error={problem}
          style={{ flex: 1 }}
        />
      ) : (
        <TextInput
          aria-label={`Rule ${number}: value`}
          value={rule.comparator}
          onChange={(event) => onChange({ comparator: event.currentTarget.value })}
          error={problem}
          style={{ flex: 1 }}
        />
      )}
      <ActionIcon variant="subtle" color="red" aria-label={`Remove rule ${number}`} onClick={onRemove} mt={4}>
        <IconTrash size={16} aria-hidden />
      </ActionIcon>
    </Group>
  );
}
