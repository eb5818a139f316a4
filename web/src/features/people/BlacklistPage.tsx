import {
  Alert,
  Badge,
  Button,
  Card,
  Checkbox,
  FileButton,
  Grid,
  Group,
  List,
  Loader,
  Progress,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { IconBan, IconFileImport, IconTrash } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { type FormEvent, useMemo, useState } from 'react';
import { ApiError } from '../../api/client';
import { AnchorLink } from '../../components/links';
import { BLOCKED_PROPS, WriteGuard } from '../../components/WriteGuard';
import { formatDateTime, formatPhone, toTenDigits } from '../../lib/format';
import { subtreeOf } from '../flows/queries';
import { useCurrentGroup } from '../groups/queries';
import { blacklistQuery, useBlacklistMutations } from './queries';

/** The numbers in a CSV or text file: any cell that reads as a NANP number; the rest is reported. */
export function numbersInText(text: string): { numbers: number[]; rejected: string[] } {
  const numbers = new Set<number>();
  const rejected: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const cells = line.split(/[,;\t]/).map((cell) => cell.trim().replace(/^"|"$/g, ''));
    if (cells.every((cell) => cell === '')) continue;
    const found = cells.map((cell) => toTenDigits(cell)).filter((n): n is string => n !== undefined);
    if (found.length === 0) rejected.push(line.trim());
    for (const n of found) numbers.add(Number(n));
  }
  return { numbers: [...numbers], rejected };
}

/** Callers the group refuses: add, import a list, lift, and see the calls they were refused on. */
export function BlacklistPage() {
  const { groupId, group, groups, me, timeZone } = useCurrentGroup();
  const subtree = useMemo(() => subtreeOf(groups, groupId), [groups, groupId]);
  const list = useQuery(blacklistQuery);
  const { add, remove } = useBlacklistMutations();
  const [number, setNumber] = useState('');
  const [numberError, setNumberError] = useState<string>();
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const canEdit = me.can_edit;
  const groupName = (id: number) => groups.find((g) => g.group_id === id)?.group_name ?? `group ${id}`;
  // an entry above the current group blocks here too (it covers every group below it)
  const above = useMemo(() => {
    const ids = new Set<number>();
    for (let id = groups.find((g) => g.group_id === groupId)?.group_parent_id; id != null; ) {
      ids.add(id);
      id = groups.find((g) => g.group_id === id)?.group_parent_id;
    }
    return ids;
  }, [groups, groupId]);
  const rows = (list.data ?? []).filter((row) => subtree.has(row.ou_id) || above.has(row.ou_id));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const digits = toTenDigits(number);
    if (!digits) {
      setNumberError('Type a 10-digit US or Canadian number');
      return;
    }
    setNumberError(undefined);
    add.mutate(Number(digits), { onSuccess: () => setNumber('') });
  };
  const addError = add.error instanceof ApiError ? add.error.message : undefined;
  const toggle = (n: number) =>
    setSelected((previous) => {
      const next = new Set(previous);
      if (next.has(n)) next.delete(n);
      else next.add(n);
      return next;
    });

  return (
    <Stack gap="md" maw={1400} mx="auto">
      <div>
        <Title order={1} size="h2">
          Blacklist
        </Title>
        <Text c="dimmed" size="sm">
          Callers refused before any routing in {group?.group_name} and every group below it, including groups
          added later
        </Text>
      </div>
      <Grid gutter="md">
        <Grid.Col span={{ base: 12, lg: 8 }}>
          <Card p={0}>
            <Group justify="space-between" p="md" pb="xs" wrap="wrap">
              <Title order={2} size="h4">
                Blocked numbers
              </Title>
              <Group gap="xs">
                <AnchorLink to="/calls" search={{ group: groupId, outcome: 'blocked' }} size="sm">
                  Calls refused as blocked
                </AnchorLink>
                {selected.size > 0 && (
                  <WriteGuard canEdit={canEdit}>
                    {(blocked) => (
                      <Button
                        size="xs"
                        color="red"
                        variant="light"
                        leftSection={<IconTrash size={14} aria-hidden />}
                        loading={remove.isPending}
                        onClick={
                          blocked
                            ? undefined
                            : () => remove.mutate([...selected], { onSuccess: () => setSelected(new Set()) })
                        }
                        {...(blocked ? BLOCKED_PROPS : {})}
                      >
                        Lift {selected.size} selected
                      </Button>
                    )}
                  </WriteGuard>
                )}
              </Group>
            </Group>
            {remove.error && (
              <Alert color="red" role="alert" mx="md" mb="sm" title="Not lifted">
                {remove.error.message}
              </Alert>
            )}
            {list.isPending && <Loader m="md" aria-label="Loading the blacklist" />}
            {list.isError && (
              <Alert color="red" role="alert" m="md" title="The blacklist could not be loaded">
                {list.error.message}
              </Alert>
            )}
            {list.data && rows.length === 0 && (
              <Text p="md" pt={0} c="dimmed" size="sm">
                No number is blocked here. Add one on the right, or import a list.
              </Text>
            )}
            {rows.length > 0 && (
              <Table.ScrollContainer minWidth={560}>
                <Table verticalSpacing="xs" data-testid="blacklist">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th w={40}>
                        <Checkbox
                          aria-label="Select every number"
                          checked={selected.size === rows.length}
                          indeterminate={selected.size > 0 && selected.size < rows.length}
                          onChange={() =>
                            setSelected(
                              selected.size === rows.length ? new Set() : new Set(rows.map((r) => r.number)),
                            )
                          }
                        />
                      </Table.Th>
                      <Table.Th>Number</Table.Th>
                      <Table.Th>Blocked in</Table.Th>
                      <Table.Th>Added</Table.Th>
                      <Table.Th />
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {rows.map((row) => {
                      const digits = String(row.number);
                      return (
                        <Table.Tr key={`${row.ou_id}-${row.number}`} data-number={digits}>
                          <Table.Td>
                            <Checkbox
                              aria-label={`Select ${formatPhone(digits)}`}
                              checked={selected.has(row.number)}
                              onChange={() => toggle(row.number)}
                            />
                          </Table.Td>
                          <Table.Td className="sb-tabular">
                            <Text size="sm" fw={600}>
                              {formatPhone(digits)}
                            </Text>
                          </Table.Td>
                          <Table.Td>
                            <Text size="sm">{groupName(row.ou_id)}</Text>
                            {above.has(row.ou_id) && (
                              <Badge size="xs" variant="light" color="gray">
                                from a group above
                              </Badge>
                            )}
                          </Table.Td>
                          <Table.Td>
                            <Text size="sm">{formatDateTime(row.created_at, timeZone)}</Text>
                          </Table.Td>
                          <Table.Td ta="right">
                            <Group gap={4} justify="flex-end" wrap="nowrap">
                              <AnchorLink
                                to="/calls"
                                search={{ group: groupId, outcome: 'blocked', caller: digits }}
                                size="xs"
                              >
                                Refused calls
                              </AnchorLink>
                              <WriteGuard canEdit={canEdit}>
                                {(blocked) => (
                                  <Button
                                    size="xs"
                                    variant="subtle"
                                    color="red"
                                    aria-label={`Lift the block on ${formatPhone(digits)}`}
                                    onClick={blocked ? undefined : () => remove.mutate([row.number])}
                                    {...(blocked ? BLOCKED_PROPS : {})}
                                  >
                                    Lift
                                  </Button>
                                )}
                              </WriteGuard>
                            </Group>
                          </Table.Td>
                        </Table.Tr>
                      );
                    })}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            )}
          </Card>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 4 }}>
          <Stack gap="md">
            <Card p="md">
              <form onSubmit={submit} noValidate>
                <Stack gap="sm">
                  <Title order={2} size="h4">
                    Block a number
                  </Title>
                  <TextInput
                    label="Phone number"
                    placeholder="(212) 555-0199"
                    value={number}
                    onChange={(event) => setNumber(event.currentTarget.value)}
                    error={numberError ?? addError}
                    inputMode="tel"
                  />
                  <WriteGuard canEdit={canEdit}>
                    {(blocked) => (
                      <Button
                        type={blocked ? 'button' : 'submit'}
                        leftSection={<IconBan size={16} aria-hidden />}
                        loading={add.isPending}
                        {...(blocked ? BLOCKED_PROPS : {})}
                      >
                        Block
                      </Button>
                    )}
                  </WriteGuard>
                  <Text size="xs" c="dimmed">
                    From the next call on, this caller hears nothing and is refused; the call is logged as
                    blocked.
                  </Text>
                </Stack>
              </form>
            </Card>
            <ImportCard canEdit={canEdit} />
          </Stack>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}

interface ImportResult {
  number: number;
  error?: string;
}

/**
 * A CSV or text file of numbers, one per line or per cell. The API adds one number per request
 * (POST /v2/blacklistednumber), so the import sends them one after another and says which failed.
 */
function ImportCard({ canEdit }: { canEdit: boolean }) {
  const { add, refresh } = useBlacklistMutations();
  const [parsed, setParsed] = useState<{ name: string; numbers: number[]; rejected: string[] }>();
  const [results, setResults] = useState<ImportResult[]>([]);
  const [running, setRunning] = useState(false);

  const read = async (file: File | null) => {
    if (!file) return;
    setResults([]);
    setParsed({ name: file.name, ...numbersInText(await file.text()) });
  };

  const run = async () => {
    if (!parsed) return;
    setRunning(true);
    const done: ImportResult[] = [];
    for (const number of parsed.numbers) {
      try {
        await add.mutateAsync(number);
        done.push({ number });
      } catch (error) {
        done.push({ number, error: error instanceof Error ? error.message : String(error) });
      }
      setResults([...done]);
    }
    setRunning(false);
    await refresh();
  };

  const failed = results.filter((r) => r.error);
  return (
    <Card p="md">
      <Stack gap="sm">
        <Title order={2} size="h4">
          Import a list
        </Title>
        <Text size="sm" c="dimmed">
          A CSV or text file: every cell that reads as a 10-digit number is blocked.
        </Text>
        <WriteGuard canEdit={canEdit}>
          {(blocked) => (
            <FileButton onChange={blocked ? () => undefined : read} accept=".csv,text/csv,text/plain">
              {(props) => (
                <Button
                  variant="light"
                  leftSection={<IconFileImport size={16} aria-hidden />}
                  {...(blocked ? BLOCKED_PROPS : props)}
                >
                  Choose a file
                </Button>
              )}
            </FileButton>
          )}
        </WriteGuard>
        {parsed && (
          <Stack gap={6} data-testid="import-preview">
            <Text size="sm">
              <b>{parsed.name}</b>: {parsed.numbers.length} number{parsed.numbers.length === 1 ? '' : 's'} to
              block
              {parsed.rejected.length > 0 && `, ${parsed.rejected.length} line(s) without a number`}
            </Text>
            {parsed.rejected.length > 0 && (
              <List size="xs" c="dimmed">
                {parsed.rejected.slice(0, 5).map((line) => (
                  <List.Item key={line}>{line || '(empty)'}</List.Item>
                ))}
              </List>
            )}
            {results.length > 0 && (
              <Progress
                value={(results.length / Math.max(1, parsed.numbers.length)) * 100}
                aria-label="Import progress"
              />
            )}
            {!running && results.length === parsed.numbers.length && results.length > 0 ? (
              <Alert color={failed.length ? 'yellow' : 'teal'} role="status" title="Import finished">
                {results.length - failed.length} blocked
                {failed.length > 0 && `, ${failed.length} refused:`}
                {failed.slice(0, 5).map((r) => (
                  <Text key={r.number} size="xs">
                    {formatPhone(String(r.number))}: {r.error}
                  </Text>
                ))}
              </Alert>
            ) : (
              <Button onClick={run} loading={running} disabled={parsed.numbers.length === 0}>
                Block {parsed.numbers.length} number{parsed.numbers.length === 1 ? '' : 's'}
              </Button>
            )}
          </Stack>
        )}
        <Text size="xs" c="dimmed">
          Lifting a number unblocks it here and in the groups below.
        </Text>
      </Stack>
    </Card>
  );
}
