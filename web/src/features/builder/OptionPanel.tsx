import { Alert, Button, Divider, Group, Select, Stack, Text, Title } from '@mantine/core';
import { IconArrowDown, IconArrowUp, IconPlus, IconTrash } from '@tabler/icons-react';
import { IVR_ACTIONS } from '../../../../src/routing/flow-document.js';
import { formatKeyPath } from '../../lib/format';
import { ACTION_LABELS } from './FlowGraph';
import { ChoiceField, type Fields, HuntFields, PhoneField, SwitchField, TextField } from './fields';
import { GeoFields, ScheduleFields } from './route-fields';
import {
  depthOf,
  goBackKeyOf,
  type IvrDocument,
  type IvrOption,
  indicesOf,
  menuOptions,
  optionAt,
  parentOf,
  ROOT,
  setGoBackKey,
  updateOption,
  walk,
} from './tree';
import { fieldIssue, type Issue, issuesAt } from './validation';

const DIGITS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '0'];

interface PanelProps {
  document: IvrDocument;
  path: string;
  issues: readonly Issue[];
  onChange: (document: IvrDocument) => void;
  onSelect: (path: string) => void;
  onAdd: (menuPath: string) => void;
  onDelete: (path: string) => void;
  onMove: (path: string, by: -1 | 1) => void;
  /** the deepest menu level an option may open a sub-menu from (1: a single-level IVR has none) */
  maxDepth: number;
}

function IssueList({ issues }: { issues: readonly Issue[] }) {
  const general = issues.filter((issue) => !issue.field);
  if (general.length === 0) return null;
  return (
    <Alert color="red" title="Fix this before saving" data-testid="node-issues">
      <Stack gap={4}>
        {general.map((issue) => (
          <Text key={issue.message} size="sm">
            {issue.message}
          </Text>
        ))}
      </Stack>
    </Alert>
  );
}

/** The menu's own settings: its options (to add more) and, below the top, the key back up. */
function MenuSection({ document, path, onChange, onAdd, onSelect }: PanelProps) {
  const options = menuOptions(document, path);
  const back = goBackKeyOf(document, path);
  return (
    <Stack gap="xs">
      <Text size="sm" fw={600}>
        Options of this menu
      </Text>
      {options.length === 0 && (
        <Text size="sm" c="dimmed">
          No options yet: add the first one.
        </Text>
      )}
      {options.map((option, i) => (
        <Button
          // biome-ignore lint/suspicious/noArrayIndexKey: an option's place in the menu is its identity
          key={i}
          variant="default"
          justify="flex-start"
          size="xs"
          onClick={() => onSelect(path === ROOT ? `ivrs[${i}]` : `${path}.ivrData[${i}]`)}
        >
          Press {option.key}: {option.destination?.trim() || ACTION_LABELS[option.action]}
        </Button>
      ))}
      <Button
        size="xs"
        variant="light"
        leftSection={<IconPlus size={14} aria-hidden />}
        disabled={options.length >= 10}
        onClick={() => onAdd(path)}
      >
        Add an option
      </Button>
      {path !== ROOT && (
        <Select
          label="Key to go back to the previous menu"
          placeholder="None"
          clearable
          data={DIGITS.filter((d) => !options.some((o) => String(o.key) === d))}
          value={back === undefined ? null : String(back)}
          onChange={(value) =>
            onChange(setGoBackKey(document, path, value === null ? undefined : Number(value)))
          }
        />
      )}
    </Stack>
  );
}

/** The side panel of the selected node: every field of an option, checked as it is typed. */
export function OptionPanel(props: PanelProps) {
  const { document, path, issues, onChange, onDelete, onMove } = props;
  const here = issuesAt(issues, path);
  if (path === ROOT) {
    return (
      <Stack gap="sm">
        <Title order={2} size="h4" tabIndex={-1} className="sb-panel-heading" data-panel-heading>
          Main menu
        </Title>
        <IssueList issues={here.filter((i) => i.field === undefined || i.field === 'ivrs')} />
        <TextField
          object={document}
          field="message"
          label="What the caller hears first"
          description="The menu prompt: text read aloud, or an audio reference id"
          multiline
          error={fieldIssue(issues, ROOT, 'message')}
          onChange={(next) => onChange(next as IvrDocument)}
        />
        <MenuSection {...props} />
      </Stack>
    );
  }
  const option = optionAt(document, path);
  if (!option) return <Text c="dimmed">This option no longer exists.</Text>;
  const set = (next: Fields) => onChange(updateOption(document, path, () => next as unknown as IvrOption));
  const errorFor = (field: string) => fieldIssue(issues, path, field);
  const siblings = menuOptions(document, parentOf(path));
  const index = indicesOf(path).at(-1) ?? 0;
  const depth = depthOf(path);
  const keys = walk(document).find((node) => node.path === path)?.keys ?? [];
  const object = option as unknown as Fields;
  const actions = IVR_ACTIONS.filter((action) => action !== 'interactiveVoice' || depth < props.maxDepth);

  return (
    <Stack gap="sm">
      <Group justify="space-between" wrap="nowrap">
        <div>
          <Title order={2} size="h4" tabIndex={-1} className="sb-panel-heading" data-panel-heading>
            {option.destination?.trim() || ACTION_LABELS[option.action]}
          </Title>
          <Text size="xs" c="dimmed" data-testid="reached-by">
            Callers reach it by pressing {formatKeyPath(keys.join('>'))}
          </Text>
        </div>
        <Group gap={4} wrap="nowrap">
          <Button.Group>
            <Button
              size="xs"
              variant="default"
              aria-label="Move up"
              disabled={index === 0}
              onClick={() => onMove(path, -1)}
            >
              <IconArrowUp size={14} aria-hidden />
            </Button>
            <Button
              size="xs"
              variant="default"
              aria-label="Move down"
              disabled={index === siblings.length - 1}
              onClick={() => onMove(path, 1)}
            >
              <IconArrowDown size={14} aria-hidden />
            </Button>
          </Button.Group>
          <Button
            size="xs"
            color="red"
            variant="light"
            leftSection={<IconTrash size={14} aria-hidden />}
            aria-label={`Delete option ${option.key}`}
            onClick={() => onDelete(path)}
          >
            Delete
          </Button>
        </Group>
      </Group>
      <IssueList issues={here} />
      <Group grow gap="xs" align="flex-start">
        <Select
          label="Key"
          data={DIGITS}
          allowDeselect={false}
          value={String(option.key)}
          error={errorFor('key')}
          onChange={(value) => set({ ...object, key: Number(value) })}
        />
        <ChoiceField
          object={object}
          field="action"
          label="What it does"
          data={actions.map((value) => ({ value, label: ACTION_LABELS[value] }))}
          error={errorFor('action')}
          onChange={set}
        />
      </Group>
      <TextField
        object={object}
        field="destination"
        label="Name in reports"
        description="e.g. Sales, Service, Billing"
        error={errorFor('destination')}
        onChange={set}
      />
      <TextField
        object={object}
        field="message"
        label={option.action === 'interactiveVoice' ? 'Menu prompt' : 'What the caller hears'}
        multiline
        error={errorFor('message')}
        onChange={set}
      />
      {option.action === 'interactiveVoice' && <MenuSection {...props} />}
      {option.action === 'simple' && (
        <>
          <PhoneField
            object={object}
            field="target_did"
            label="Ring"
            error={errorFor('target_did')}
            onChange={set}
          />
          <HuntFields object={object} onChange={set} errorFor={errorFor} />
        </>
      )}
      {option.action === 'geo' && (
        <GeoFields
          object={(option.geoData ?? { route_by: 'Claimed State' }) as Fields}
          onChange={(geo) => set({ ...object, geoData: geo })}
          errorFor={(field) => errorFor(`geoData.${field}`)}
        />
      )}
      {option.action === 'schedule' && (
        <ScheduleFields
          object={(option.scheduleRoute ?? { timezone: 'Eastern', schedules: [] }) as unknown as Fields}
          onChange={(route) => set({ ...object, scheduleRoute: route })}
          errorFor={(field) => errorFor(`scheduleRoute.${field}`)}
        />
      )}
      {(option.action === 'simple' || option.action === 'geo' || option.action === 'schedule') && (
        <>
          <Divider label="On the call" labelPosition="left" />
          <SwitchField object={object} field="record_enabled" label="Record the call" onChange={set} />
          <ChoiceField
            object={object}
            field="play_disclaimer"
            label="Recording notice"
            clearable
            data={[
              { value: 'before', label: 'Before the message' },
              { value: 'after', label: 'After the message' },
              { value: 'never', label: 'Never' },
            ]}
            onChange={set}
          />
          <SwitchField
            object={object}
            field="whisper_enabled"
            label="Whisper to whoever answers"
            onChange={set}
          />
          {option.whisper_enabled && (
            <TextField
              object={object}
              field="whisper_message"
              label="Whisper"
              description="Played to the answering party only"
              error={errorFor('whisper_message')}
              onChange={set}
            />
          )}
          <SwitchField
            object={object}
            field="screen_calls"
            label="Screen: the answering party presses 1 to take the call"
            onChange={set}
          />
          <SwitchField
            object={object}
            field="voicemail_enabled"
            label="Voicemail when nobody answers"
            onChange={set}
          />
        </>
      )}
    </Stack>
  );
}
