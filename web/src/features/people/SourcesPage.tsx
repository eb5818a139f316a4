import {
  ActionIcon,
  Alert,
  Badge,
  Button,
  Card,
  Group,
  Loader,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Title,
  Tooltip,
} from '@mantine/core';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import type { UseMutationResult } from '@tanstack/react-query';
import { useQuery } from '@tanstack/react-query';
import { type FormEvent, type ReactNode, useMemo, useState } from 'react';
import { BLOCKED_PROPS, WriteGuard } from '../../components/WriteGuard';
import { subtreeOf } from '../flows/queries';
import { useCurrentGroup } from '../groups/queries';
import { customSourcesQuery, tagsQuery, useSourceMutations } from './queries';

interface Item {
  id: number;
  name: string;
  groupId: number;
}

/** Custom sources (the labels a flow's slots carry to its calls) and tags (labels on calls). */
export function SourcesPage() {
  const { groupId, group, groups, me } = useCurrentGroup();
  const subtree = useMemo(() => subtreeOf(groups, groupId), [groups, groupId]);
  const sources = useQuery(customSourcesQuery(groupId));
  const tags = useQuery(tagsQuery);
  const { createSource, deleteSource, createTags, deleteTag } = useSourceMutations();

  return (
    <Stack gap="md" maw={1400} mx="auto">
      <div>
        <Title order={1} size="h2">
          Custom sources and tags
        </Title>
        <Text c="dimmed" size="sm">
          The labels {group?.group_name} puts on its calls: custom sources through call flows, tags by hand or
          by call actions
        </Text>
      </div>
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
        <LabelCard
          title="Custom sources"
          testId="custom-sources"
          help="Give a call flow up to five of these (on the flow's settings); each call it takes carries them, and reports can be broken down by them. Sources of the groups above are inherited."
          empty="No custom sources yet. Add the names you report on, such as a campaign partner or an ad network."
          placeholder="Google Ads"
          addLabel="Add source"
          canEdit={me.can_edit}
          isPending={sources.isPending}
          error={sources.error?.message}
          items={(sources.data ?? []).map((s) => ({
            id: s.custom_source_id,
            name: s.custom_source_name,
            groupId: s.org_unit_id,
          }))}
          ownGroup={groupId}
          subtree={subtree}
          groupName={(id) => groups.find((g) => g.group_id === id)?.group_name ?? 'a group above'}
          create={createSource}
          onCreate={(name) => createSource.mutateAsync({ custom_source_name: name, org_unit_id: groupId })}
          remove={deleteSource}
        />
        <LabelCard
          title="Tags"
          testId="tags"
          help="Tags mark calls (Hot lead, Booked, Spam). Add them here to use them in call actions and filters; a tag removed stays on the calls that have it."
          empty="No tags yet. Tags also appear when someone tags a call."
          placeholder="Hot lead"
          addLabel="Add tag"
          canEdit={me.can_edit}
          isPending={tags.isPending}
          error={tags.error?.message}
          items={(tags.data ?? [])
            .filter((t) => subtree.has(t.org_unit_id))
            .map((t) => ({ id: t.tag_id, name: t.tag_name, groupId: t.org_unit_id }))}
          ownGroup={groupId}
          subtree={subtree}
          groupName={(id) => groups.find((g) => g.group_id === id)?.group_name ?? `group ${id}`}
          create={createTags}
          onCreate={(name) => createTags.mutateAsync({ tag_name: [name], group_id: groupId })}
          remove={deleteTag}
        />
      </SimpleGrid>
    </Stack>
  );
}

function LabelCard({
  title,
  testId,
  help,
  empty,
  placeholder,
  addLabel,
  canEdit,
  isPending,
  error,
  items,
  ownGroup,
  subtree,
  groupName,
  create,
  onCreate,
  remove,
}: {
  title: string;
  testId: string;
  help: ReactNode;
  empty: string;
  placeholder: string;
  addLabel: string;
  canEdit: boolean;
  isPending: boolean;
  error: string | undefined;
  items: Item[];
  ownGroup: number;
  subtree: Set<number>;
  groupName: (id: number) => string;
  // biome-ignore lint/suspicious/noExplicitAny: either mutation; only its state is read here
  create: UseMutationResult<any, Error, any>;
  onCreate: (name: string) => Promise<unknown>;
  // biome-ignore lint/suspicious/noExplicitAny: either mutation; only its state is read here
  remove: UseMutationResult<any, Error, number>;
}) {
  const [name, setName] = useState('');
  const [localError, setLocalError] = useState<string>();
  const sorted = [...items].sort((a, b) => a.name.localeCompare(b.name));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const trimmed = name.trim();
    if (trimmed === '') return setLocalError('Type a name');
    if (trimmed.length > 255) return setLocalError('At most 255 characters');
    setLocalError(undefined);
    create.reset();
    onCreate(trimmed).then(
      () => setName(''),
      () => undefined,
    );
  };

  return (
    <Card p="md">
      <Stack gap="sm">
        <div>
          <Title order={2} size="h4">
            {title}
          </Title>
          <Text size="sm" c="dimmed">
            {help}
          </Text>
        </div>
        <form onSubmit={submit} noValidate>
          <Group align="flex-start" gap="xs" wrap="nowrap">
            <TextInput
              style={{ flex: 1 }}
              aria-label={`New ${title.toLowerCase().replace(/s$/, '')} name`}
              placeholder={placeholder}
              value={name}
              onChange={(event) => setName(event.currentTarget.value)}
              error={localError ?? create.error?.message}
            />
            <WriteGuard canEdit={canEdit}>
              {(blocked) => (
                <Button
                  type={blocked ? 'button' : 'submit'}
                  leftSection={<IconPlus size={16} aria-hidden />}
                  loading={create.isPending}
                  {...(blocked ? BLOCKED_PROPS : {})}
                >
                  {addLabel}
                </Button>
              )}
            </WriteGuard>
          </Group>
        </form>
        {remove.error && (
          <Alert color="red" role="alert" title="Not removed">
            {remove.error.message}
          </Alert>
        )}
        {isPending && <Loader size="sm" aria-label={`Loading ${title.toLowerCase()}`} />}
        {error && (
          <Alert color="red" role="alert" title={`${title} could not be loaded`}>
            {error}
          </Alert>
        )}
        {!isPending && !error && sorted.length === 0 && (
          <Text size="sm" c="dimmed">
            {empty}
          </Text>
        )}
        <Stack gap={4} data-testid={testId}>
          {sorted.map((item) => {
            const inherited = !subtree.has(item.groupId);
            return (
              <Group
                key={item.id}
                justify="space-between"
                wrap="nowrap"
                px="sm"
                py={6}
                style={{ borderRadius: 8, background: 'var(--mantine-color-gray-0)' }}
                data-name={item.name}
              >
                <Group gap="xs" wrap="nowrap" style={{ minWidth: 0 }}>
                  <Text size="sm" fw={600} truncate>
                    {item.name}
                  </Text>
                  {item.groupId !== ownGroup && (
                    <Badge size="xs" variant="light" color={inherited ? 'gray' : 'blue'}>
                      {inherited ? 'inherited' : `in ${groupName(item.groupId)}`}
                    </Badge>
                  )}
                </Group>
                {!inherited && (
                  <WriteGuard canEdit={canEdit}>
                    {(blocked) => (
                      <Tooltip label="Remove" disabled={blocked}>
                        <ActionIcon
                          variant="subtle"
                          color="red"
                          aria-label={`Remove ${item.name}`}
                          loading={remove.isPending && remove.variables === item.id}
                          onClick={blocked ? undefined : () => remove.mutate(item.id)}
                          {...(blocked ? BLOCKED_PROPS : {})}
                        >
                          <IconTrash size={16} aria-hidden />
                        </ActionIcon>
                      </Tooltip>
                    )}
                  </WriteGuard>
                )}
              </Group>
            );
          })}
        </Stack>
      </Stack>
    </Card>
  );
}
