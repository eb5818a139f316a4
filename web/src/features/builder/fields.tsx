import {
  ActionIcon,
  Button,
  Group,
  NumberInput,
  Select,
  Stack,
  Switch,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core';
import { IconPlus, IconTrash } from '@tabler/icons-react';

/**
 * Form fields over a plain object of the flow document: a field left empty is removed from the
 * object (never sent as ""), so a document's untouched fields stay exactly as they came.
 */
export type Fields = Record<string, unknown>;

export function withField<T extends Fields>(object: T, key: string, value: unknown): T {
  const { [key]: _old, ...rest } = object;
  return (value === undefined ? rest : { ...rest, [key]: value }) as T;
}

interface FieldProps {
  object: Fields;
  field: string;
  label: string;
  description?: string | undefined;
  error?: string | undefined;
  onChange: (next: Fields) => void;
  disabled?: boolean | undefined;
}

export function TextField({
  object,
  field,
  label,
  description,
  error,
  onChange,
  disabled,
  multiline,
}: FieldProps & { multiline?: boolean }) {
  const value = object[field] === undefined || object[field] === null ? '' : String(object[field]);
  const change = (text: string) => onChange(withField(object, field, text === '' ? undefined : text));
  const common = { label, description, error, disabled, value };
  return multiline ? (
    <Textarea {...common} autosize minRows={2} maxRows={6} onChange={(e) => change(e.currentTarget.value)} />
  ) : (
    <TextInput {...common} onChange={(e) => change(e.currentTarget.value)} />
  );
}

/** A phone number: kept as typed (the API takes 10 digits as a string or a number). */
export function PhoneField(props: FieldProps) {
  return <TextField {...props} description={props.description ?? '10 digits, e.g. 8015550120'} />;
}

export function IntegerField({
  object,
  field,
  label,
  description,
  error,
  onChange,
  disabled,
  min,
  max,
}: FieldProps & { min?: number; max?: number }) {
  const value = object[field];
  return (
    <NumberInput
      label={label}
      description={description}
      error={error}
      disabled={disabled}
      min={min}
      max={max}
      allowDecimal={false}
      value={typeof value === 'number' ? value : ''}
      onChange={(next) => onChange(withField(object, field, next === '' ? undefined : Number(next)))}
    />
  );
}

export function SwitchField({ object, field, label, description, onChange, disabled }: FieldProps) {
  return (
    <Switch
      label={label}
      description={description}
      disabled={disabled}
      checked={object[field] === true}
      onChange={(e) => onChange(withField(object, field, e.currentTarget.checked))}
    />
  );
}

export function ChoiceField({
  object,
  field,
  label,
  description,
  error,
  onChange,
  disabled,
  data,
  clearable,
}: FieldProps & { data: { value: string; label: string }[]; clearable?: boolean }) {
  const value = object[field];
  return (
    <Select
      label={label}
      description={description}
      error={error}
      disabled={disabled}
      data={data}
      clearable={clearable}
      allowDeselect={false}
      value={value === undefined || value === null ? null : String(value)}
      onChange={(next) => onChange(withField(object, field, next ?? undefined))}
    />
  );
}

interface Overflow {
  overflowNumber: string | number;
  rings: number;
}

/** The hunt: numbers tried after the first one (in order, or all at once), each for some rings. */
export function HuntFields({
  object,
  onChange,
  errorFor,
  disabled,
}: {
  object: Fields;
  onChange: (next: Fields) => void;
  errorFor: (field: string) => string | undefined;
  disabled?: boolean | undefined;
}) {
  const list = (object.overflowNumbers as Overflow[] | undefined) ?? [];
  const setList = (next: Overflow[]) =>
    onChange(withField(object, 'overflowNumbers', next.length ? next : undefined));
  return (
    <Stack gap={6}>
      <Text size="sm" fw={500}>
        Then try these numbers
      </Text>
      {list.length === 0 && (
        <Text size="xs" c="dimmed">
          No overflow numbers: when nobody answers, the call goes to voicemail or ends.
        </Text>
      )}
      {list.map((entry, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: the list's order is its identity
        <Group key={i} gap={6} align="flex-start" wrap="nowrap">
          <TextInput
            aria-label={`Overflow number ${i + 1}`}
            placeholder="8015550120"
            disabled={disabled}
            style={{ flex: 1 }}
            value={String(entry.overflowNumber ?? '')}
            error={
              errorFor(`overflowNumbers.${i}.overflowNumber`) ??
              errorFor(`overflowNumbers[${i}].overflowNumber`)
            }
            onChange={(e) =>
              setList(list.map((o, j) => (j === i ? { ...o, overflowNumber: e.currentTarget.value } : o)))
            }
          />
          <NumberInput
            aria-label={`Rings for overflow number ${i + 1}`}
            w={96}
            min={1}
            max={20}
            suffix=" rings"
            disabled={disabled}
            value={entry.rings}
            error={errorFor(`overflowNumbers.${i}.rings`)}
            onChange={(value) => setList(list.map((o, j) => (j === i ? { ...o, rings: Number(value) } : o)))}
          />
          <ActionIcon
            variant="subtle"
            color="gray"
            mt={4}
            disabled={disabled}
            aria-label={`Remove overflow number ${i + 1}`}
            onClick={() => setList(list.filter((_, j) => j !== i))}
          >
            <IconTrash size={16} aria-hidden />
          </ActionIcon>
        </Group>
      ))}
      <Group gap="sm">
        <Button
          size="xs"
          variant="light"
          leftSection={<IconPlus size={14} aria-hidden />}
          disabled={disabled || list.length >= 9}
          onClick={() => setList([...list, { overflowNumber: '', rings: 3 }])}
        >
          Add a number
        </Button>
        <SwitchField
          object={object}
          field="isSimultaneous"
          label="Ring them all at once"
          onChange={onChange}
          disabled={disabled}
        />
      </Group>
    </Stack>
  );
}
