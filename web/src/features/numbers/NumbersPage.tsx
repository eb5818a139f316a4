import {
  Alert,
  Badge,
  Button,
  Card,
  Code,
  CopyButton,
  Grid,
  Group,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { IconCheck, IconCopy, IconSearch } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { type FormEvent, useMemo, useState } from 'react';
import { NumberSearchQuery } from '../../../../src/modules/numbers/numbers.schemas.js';
import { AnchorLink } from '../../components/links';
import { BLOCKED_PROPS, WriteGuard } from '../../components/WriteGuard';
import { formatPhone } from '../../lib/format';
import { fieldErrors } from '../../lib/schema-check';
import { flowListQuery, subtreeOf } from '../flows/queries';
import { reservedNumbersQuery } from '../flows/reserved';
import { useCurrentGroup } from '../groups/queries';
import { PoolCard } from './PoolCard';
import { availableQuery, type NumberSearch, snippetQuery, useReserve } from './queries';
import { ReleaseDialog } from './ReleaseDialog';

/** Tracking numbers: the group's, which flow uses each, new ones to reserve, pools and the website snippet. */
export function NumbersPage() {
  const { groupId, group, groups, me } = useCurrentGroup();
  const subtree = useMemo(() => subtreeOf(groups, groupId), [groups, groupId]);
  const flows = useQuery(flowListQuery(false));
  const reserved = useQuery(reservedNumbersQuery);
  const mine = (flows.data ?? []).filter((flow) => subtree.has(flow.group_id));
  const pools = mine.filter((flow) => flow.pool_id !== null);
  const inUse = mine.filter((flow) => flow.dnis);
  const free = (reserved.data ?? []).filter((n) => subtree.has(n.group_id));
  const [releasing, setReleasing] = useState<string>();

  return (
    <Stack gap="md" maw={1400} mx="auto">
      <div>
        <Title order={1} size="h2">
          Numbers
        </Title>
        <Text c="dimmed" size="sm">
          Tracking numbers and number pools of {group?.group_name} and the groups below it
        </Text>
      </div>
      <Grid gutter="md">
        <Grid.Col span={{ base: 12, lg: 7 }}>
          <Card p={0}>
            <Title order={2} size="h4" p="md" pb={0}>
              Your tracking numbers
            </Title>
            <Table.ScrollContainer minWidth={520}>
              <Table verticalSpacing="sm" data-testid="my-numbers">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Number</Table.Th>
                    <Table.Th>Used by</Table.Th>
                    <Table.Th>Where</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {inUse.map((flow) => (
                    <Table.Tr key={`flow-${flow.call_flow_id}`} data-number={flow.dnis}>
                      <Table.Td className="sb-tabular">{formatPhone(flow.dnis)}</Table.Td>
                      <Table.Td>
                        <AnchorLink
                          to="/flows/$flowId"
                          params={{ flowId: String(flow.call_flow_id) }}
                          search={{ group: groupId }}
                        >
                          {flow.call_flow_name}
                        </AnchorLink>
                      </Table.Td>
                      <Table.Td>{groups.find((g) => g.group_id === flow.group_id)?.group_name}</Table.Td>
                    </Table.Tr>
                  ))}
                  {free.map((n) => (
                    <Table.Tr key={`reserved-${n.phone_number_id}`} data-number={String(n.number)}>
                      <Table.Td className="sb-tabular">{formatPhone(String(n.number))}</Table.Td>
                      <Table.Td>
                        <Group gap="xs" wrap="nowrap">
                          <Badge variant="light" color="gray">
                            Reserved, on no flow yet
                          </Badge>
                          <WriteGuard canEdit={me.can_edit}>
                            {(blocked) => (
                              <Button
                                size="compact-xs"
                                variant="light"
                                color="red"
                                aria-label={`Release ${formatPhone(String(n.number))}`}
                                onClick={blocked ? undefined : () => setReleasing(String(n.number))}
                                {...(blocked ? BLOCKED_PROPS : {})}
                              >
                                Release
                              </Button>
                            )}
                          </WriteGuard>
                        </Group>
                      </Table.Td>
                      <Table.Td>
                        {n.rate_center}, {n.state}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            {inUse.length + free.length === 0 && (
              <Text p="md" c="dimmed" size="sm">
                No numbers yet: find one on the right and reserve it, then give it a call flow.
              </Text>
            )}
          </Card>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 5 }}>
          <FindNumbers canEdit={me.can_edit} />
        </Grid.Col>
      </Grid>
      {pools.length > 0 && (
        <Stack gap="sm">
          <Title order={2} size="h4">
            Number pools for website visitors
          </Title>
          <SimpleGrid cols={{ base: 1, md: 2 }}>
            {pools.map((flow) => (
              <PoolCard key={flow.pool_id} flow={flow} />
            ))}
          </SimpleGrid>
        </Stack>
      )}
      <Snippet groupId={groupId} />
      {releasing && <ReleaseDialog number={releasing} onClose={() => setReleasing(undefined)} />}
    </Stack>
  );
}

function FindNumbers({ canEdit }: { canEdit: boolean }) {
  const [form, setForm] = useState<NumberSearch>({});
  const [search, setSearch] = useState<NumberSearch | null>(null);
  const results = useQuery({ ...availableQuery(search ?? {}), enabled: search !== null });
  const reserve = useReserve();
  // the limits of GET /v2/number/search, from its own schema
  const errors = fieldErrors<'npa' | 'nxx' | 'pattern'>(NumberSearchQuery, form);
  const set = (field: keyof NumberSearch) => (value: string) =>
    setForm({ ...form, [field]: value || undefined });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!errors.npa && !errors.nxx && !errors.pattern) setSearch(form);
  };
  return (
    <Card p="md">
      <Title order={2} size="h4" mb="sm">
        Find a number
      </Title>
      <form onSubmit={submit}>
        <Group gap="xs" align="flex-start" grow>
          <TextInput
            label="Area code"
            placeholder="801"
            value={form.npa ?? ''}
            error={form.npa && errors.npa ? 'Three digits, 2-9 first' : undefined}
            onChange={(e) => set('npa')(e.currentTarget.value)}
          />
          <TextInput
            label="Exchange"
            placeholder="555"
            value={form.nxx ?? ''}
            error={form.nxx && errors.nxx ? 'Three digits, 2-9 first' : undefined}
            onChange={(e) => set('nxx')(e.currentTarget.value)}
          />
          <TextInput
            label="Digits"
            description="* = any digits"
            placeholder="*1234"
            value={form.pattern ?? ''}
            error={form.pattern && errors.pattern ? 'Digits and * only' : undefined}
            onChange={(e) => set('pattern')(e.currentTarget.value)}
          />
        </Group>
        <Button
          type="submit"
          mt="sm"
          leftSection={<IconSearch size={16} aria-hidden />}
          loading={results.isFetching}
        >
          Search
        </Button>
      </form>
      {results.error && (
        <Alert color="red" mt="sm">
          {results.error.message}
        </Alert>
      )}
      {reserve.error && (
        <Alert color="red" mt="sm">
          {reserve.error.message}
        </Alert>
      )}
      {results.data && results.data.length === 0 && (
        <Text size="sm" c="dimmed" mt="sm">
          No free number matches. Try another area code or fewer digits.
        </Text>
      )}
      {results.data && results.data.length > 0 && (
        <Table mt="sm" verticalSpacing={6} data-testid="search-results">
          <Table.Tbody>
            {results.data.map((n) => (
              <Table.Tr key={n.phone_number_id}>
                <Table.Td className="sb-tabular">{formatPhone(String(n.number))}</Table.Td>
                <Table.Td>
                  <Text size="xs" c="dimmed">
                    {n.rate_center}, {n.state}
                  </Text>
                </Table.Td>
                <Table.Td ta="right">
                  <WriteGuard canEdit={canEdit}>
                    {(blocked) => (
                      <Button
                        size="compact-sm"
                        variant="light"
                        aria-label={`Reserve ${formatPhone(String(n.number))}`}
                        loading={reserve.isPending && reserve.variables === n.number}
                        onClick={blocked ? undefined : () => reserve.mutate(n.number)}
                        {...(blocked ? BLOCKED_PROPS : {})}
                      >
                        Reserve
                      </Button>
                    )}
                  </WriteGuard>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Card>
  );
}

function Snippet({ groupId }: { groupId: number }) {
  const snippet = useQuery(snippetQuery(groupId));
  return (
    <Card p="md">
      <Group justify="space-between" mb="xs">
        <Title order={2} size="h4">
          Show your tracking numbers on your website
        </Title>
        {snippet.data && (
          <CopyButton value={snippet.data}>
            {({ copied, copy }) => (
              <Button
                size="xs"
                variant={copied ? 'filled' : 'light'}
                color={copied ? 'teal' : undefined}
                leftSection={
                  copied ? <IconCheck size={14} aria-hidden /> : <IconCopy size={14} aria-hidden />
                }
                onClick={copy}
              >
                {copied ? 'Copied' : 'Copy the snippet'}
              </Button>
            )}
          </CopyButton>
        )}
      </Group>
      <Text size="sm" mb="xs">
        Paste this into every page of the site, just before <Code>&lt;/body&gt;</Code>. Each visitor then sees
        a number of the pool in place of your main number, so a call is matched to the visit (landing page,
        ad, search words) that made it.
      </Text>
      <Code block data-testid="dni-snippet" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>
        {snippet.data ?? '…'}
      </Code>
    </Card>
  );
}
