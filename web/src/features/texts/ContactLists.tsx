import {
  Alert,
  Button,
  Card,
  Center,
  FileButton,
  Group,
  Loader,
  Modal,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { IconAlertTriangle, IconFileUpload, IconPlus, IconUpload } from '@tabler/icons-react';
import { type FormEvent, useState } from 'react';
import { BLOCKED_PROPS, WriteGuard } from '../../components/WriteGuard';
import { formatCount } from '../../lib/format';
import { useCurrentGroup } from '../groups/queries';
import { useTextMutations } from './queries';
import type { ContactList, ImportResult } from './types';

const EXAMPLE =
  'phone_number,first_name,last_name,time_zone,store\n2125550101,Ana,Lopez,America/New_York,Main St';

function ImportDialog({ list, onClose }: { list: ContactList; onClose: () => void }) {
  const { importContacts } = useTextMutations();
  const [csv, setCsv] = useState('');
  const [result, setResult] = useState<ImportResult | null>(null);
  const readFile = async (file: File | null) => {
    if (file) setCsv(await file.text());
  };
  return (
    <Modal opened onClose={onClose} title={`Import contacts into ${list.list_name}`} size="lg">
      <Stack gap="sm">
        <Text size="sm" c="dimmed">
          A CSV with a header line: <code>phone_number</code> (or phone, number, mobile), and if you have them{' '}
          <code>first_name</code>, <code>last_name</code>, <code>time_zone</code>; other columns become merge
          fields. A number already on the list is updated, not added twice.
        </Text>
        <Textarea
          label="CSV"
          placeholder={EXAMPLE}
          autosize
          minRows={5}
          maxRows={12}
          value={csv}
          onChange={(event) => setCsv(event.currentTarget.value)}
          styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 13 } }}
        />
        <Group justify="space-between">
          <FileButton onChange={readFile} accept=".csv,text/csv,text/plain">
            {(props) => (
              <Button variant="default" leftSection={<IconFileUpload size={16} aria-hidden />} {...props}>
                Choose a file
              </Button>
            )}
          </FileButton>
          <Button
            leftSection={<IconUpload size={16} aria-hidden />}
            disabled={!csv.trim()}
            loading={importContacts.isPending}
            onClick={() =>
              importContacts.mutate(
                { list_id: list.list_id, csv },
                { onSuccess: (answer) => setResult(answer) },
              )
            }
          >
            Import
          </Button>
        </Group>
        {importContacts.error && (
          <Alert color="red" icon={<IconAlertTriangle aria-hidden />} title="Not imported">
            {importContacts.error.message}
          </Alert>
        )}
        {result && (
          <Alert
            color={result.errors.length > 0 ? 'yellow' : 'teal'}
            title={`${formatCount(result.imported)} contacts imported`}
            data-testid="import-result"
          >
            <Text size="sm">
              {formatCount(result.added)} new, {formatCount(result.imported - result.added)} updated,{' '}
              {formatCount(result.merged)} duplicate lines merged
              {result.errors.length > 0 ? `, ${result.errors.length} lines skipped:` : '.'}
            </Text>
            {result.errors.length > 0 && (
              <Table mt="xs" withRowBorders={false} verticalSpacing={2}>
                <Table.Tbody>
                  {result.errors.slice(0, 50).map((error) => (
                    <Table.Tr key={error.line}>
                      <Table.Td w={80} className="sb-tabular">
                        line {error.line}
                      </Table.Td>
                      <Table.Td>{error.error}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            )}
          </Alert>
        )}
      </Stack>
    </Modal>
  );
}

/** The contact lists of the group and below: create one, import a CSV into one. */
export function ContactLists({
  lists,
  isLoading,
  error,
}: {
  lists: ContactList[];
  isLoading: boolean;
  error: Error | null;
}) {
  const { groupId, me } = useCurrentGroup();
  const { createList } = useTextMutations();
  const [name, setName] = useState('');
  const [importing, setImporting] = useState<ContactList | null>(null);
  const create = (event: FormEvent) => {
    event.preventDefault();
    if (!name.trim()) return;
    createList.mutate(
      { group_id: groupId, list_name: name.trim() },
      {
        onSuccess: (list) => {
          setName('');
          setImporting(list);
        },
      },
    );
  };
  return (
    <Card>
      <Title order={2} size="h4" mb="xs">
        Contact lists
      </Title>
      {isLoading ? (
        <Center p="md">
          <Loader size="sm" aria-label="Loading contact lists" />
        </Center>
      ) : error ? (
        <Alert color="red">{error.message}</Alert>
      ) : lists.length === 0 ? (
        <Text size="sm" c="dimmed">
          No list yet. Name one below, then import its contacts from a CSV file.
        </Text>
      ) : (
        <Table verticalSpacing="xs" data-testid="contact-lists">
          <Table.Tbody>
            {lists.map((list) => (
              <Table.Tr key={list.list_id}>
                <Table.Td>
                  <Text size="sm" fw={600}>
                    {list.list_name}
                  </Text>
                  <Text size="xs" c="dimmed">
                    {formatCount(list.contact_count)} contact{list.contact_count === 1 ? '' : 's'}
                  </Text>
                </Table.Td>
                <Table.Td ta="right">
                  <WriteGuard canEdit={me.can_edit}>
                    {(blocked) => (
                      <Button
                        size="xs"
                        variant="light"
                        onClick={blocked ? undefined : () => setImporting(list)}
                        aria-label={`Import CSV into ${list.list_name}`}
                        {...(blocked ? BLOCKED_PROPS : {})}
                      >
                        Import CSV
                      </Button>
                    )}
                  </WriteGuard>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {me.can_edit && (
        <form onSubmit={create}>
          <Group mt="sm" gap="xs" align="flex-start" wrap="nowrap">
            <TextInput
              aria-label="New list name"
              placeholder="New list name"
              value={name}
              onChange={(event) => setName(event.currentTarget.value)}
              error={createList.error?.message}
              style={{ flex: 1 }}
            />
            <Button type="submit" variant="default" leftSection={<IconPlus size={16} aria-hidden />}>
              Add list
            </Button>
          </Group>
        </form>
      )}
      {importing && <ImportDialog list={importing} onClose={() => setImporting(null)} />}
    </Card>
  );
}
