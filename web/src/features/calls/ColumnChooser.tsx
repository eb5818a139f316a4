import { Button, Checkbox, Menu, Stack } from '@mantine/core';
import { IconColumns } from '@tabler/icons-react';
import { CALL_COLUMNS } from './columns';

/** Which columns the call log shows; the choice goes into the URL with the filters. */
export function ColumnChooser({
  visible,
  onChange,
}: {
  visible: string[];
  onChange: (columns: string[]) => void;
}) {
  return (
    <Menu closeOnItemClick={false} position="bottom-end" width={220}>
      <Menu.Target>
        <Button variant="default" leftSection={<IconColumns size={16} aria-hidden />}>
          Columns
        </Button>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>Show columns</Menu.Label>
        <Stack gap={6} p="xs">
          {CALL_COLUMNS.map((column) => (
            <Checkbox
              key={column.id}
              label={column.label}
              checked={visible.includes(column.id)}
              disabled={visible.length === 1 && visible.includes(column.id)}
              onChange={(event) =>
                onChange(
                  event.currentTarget.checked
                    ? CALL_COLUMNS.map((c) => c.id).filter((id) => id === column.id || visible.includes(id))
                    : visible.filter((id) => id !== column.id),
                )
              }
            />
          ))}
        </Stack>
      </Menu.Dropdown>
    </Menu>
  );
}
