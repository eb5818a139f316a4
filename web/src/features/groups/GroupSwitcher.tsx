import { Group, Select, Text } from '@mantine/core';
import { IconBuildingCommunity } from '@tabler/icons-react';
import { useMemo } from 'react';
import { useCurrentGroup, useSwitchGroup } from './queries';

/** Picks the group every page shows: the user's own group or any group below it. */
export function GroupSwitcher({ width = 280 }: { width?: number | string }) {
  const { groups, groupId } = useCurrentGroup();
  const switchGroup = useSwitchGroup();
  const depthOf = useMemo(() => new Map(groups.map((g) => [String(g.group_id), g.depth])), [groups]);
  const data = useMemo(
    () => groups.map((g) => ({ value: String(g.group_id), label: g.group_name })),
    [groups],
  );

  return (
    <Select
      // a new group from a link (not from this control) must show its name, not the old search text
      key={groupId}
      aria-label="Group"
      data={data}
      value={String(groupId)}
      onChange={(value) => value && Number(value) !== groupId && switchGroup.mutate(Number(value))}
      searchable
      limit={200}
      allowDeselect={false}
      nothingFoundMessage="No group by that name"
      leftSection={<IconBuildingCommunity size={16} aria-hidden />}
      w={width}
      comboboxProps={{ width: 320, position: 'bottom-start' }}
      renderOption={({ option }) => (
        <Group gap={6} wrap="nowrap" pl={(depthOf.get(option.value) ?? 0) * 14}>
          <Text size="sm" c={(depthOf.get(option.value) ?? 0) === 0 ? undefined : 'dark.6'} truncate>
            {option.label}
          </Text>
        </Group>
      )}
      disabled={switchGroup.isPending}
    />
  );
}
