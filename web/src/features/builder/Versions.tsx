import {
  Badge,
  Button,
  Group,
  Modal,
  ScrollArea,
  Select,
  SimpleGrid,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import { IconRestore } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { diffLines } from 'diff';
import { useMemo, useState } from 'react';
import { formatDateTime } from '../../lib/format';
import { type FlowVersion, historyQuery } from '../flows/queries';

interface Row {
  left: string | undefined;
  right: string | undefined;
  kind: 'same' | 'removed' | 'added' | 'changed';
}

/** Two documents side by side, line by line (jsdiff), removed lines left and added lines right. */
function sideBySide(before: unknown, after: unknown): Row[] {
  const rows: Row[] = [];
  const parts = diffLines(`${JSON.stringify(before, null, 2)}\n`, `${JSON.stringify(after, null, 2)}\n`);
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    if (!part) continue;
    const lines = part.value.replace(/\n$/, '').split('\n');
    const next = parts[i + 1];
    if (part.removed && next?.added) {
      const added = next.value.replace(/\n$/, '').split('\n');
      for (let j = 0; j < Math.max(lines.length, added.length); j++)
        rows.push({ left: lines[j], right: added[j], kind: 'changed' });
      i++;
    } else if (part.removed)
      for (const line of lines) rows.push({ left: line, right: undefined, kind: 'removed' });
    else if (part.added) for (const line of lines) rows.push({ left: undefined, right: line, kind: 'added' });
    else for (const line of lines) rows.push({ left: line, right: line, kind: 'same' });
  }
  return rows;
}

const BACKGROUND = {
  removed: 'var(--mantine-color-red-0)',
  added: 'var(--mantine-color-teal-0)',
  changed: 'var(--mantine-color-yellow-0)',
};

function DiffColumn({ rows, side }: { rows: Row[]; side: 'left' | 'right' }) {
  return (
    <pre className="sb-diff" data-testid={`diff-${side}`}>
      {rows.map((row, i) => {
        const text = row[side];
        const isMarked = row.kind !== 'same' && text !== undefined;
        return (
          <div
            // biome-ignore lint/suspicious/noArrayIndexKey: diff rows are in document order
            key={i}
            style={{ background: isMarked ? BACKGROUND[row.kind as keyof typeof BACKGROUND] : undefined }}
          >
            {text ?? ' '}
          </div>
        );
      })}
    </pre>
  );
}

/** The flow's saved versions: compare any two side by side, restore an old one. */
export function Versions({
  callFlowId,
  timeZone,
  onRestore,
}: {
  callFlowId: number;
  timeZone: string;
  onRestore: (version: FlowVersion) => void;
}) {
  const history = useQuery(historyQuery(callFlowId));
  const versions = [...(history.data ?? [])].reverse();
  const latest = versions[0];
  const [leftVersion, setLeft] = useState<number | null>(null);
  const [rightVersion, setRight] = useState<number | null>(null);
  const [comparing, setComparing] = useState(false);
  const left = versions.find((v) => v.version === leftVersion) ?? versions[1] ?? latest;
  const right = versions.find((v) => v.version === rightVersion) ?? latest;
  const rows = useMemo(() => (left && right ? sideBySide(left.document, right.document) : []), [left, right]);
  const changes = rows.filter((row) => row.kind !== 'same').length;
  const options = versions.map((v) => ({
    value: String(v.version),
    label: `Version ${v.version} · ${formatDateTime(v.saved_at, timeZone)}`,
  }));

  return (
    <Stack gap="sm" data-testid="versions">
      <Title order={2} size="h4">
        Versions
      </Title>
      <Stack gap={4}>
        {versions.map((version) => (
          <Group key={version.version} justify="space-between" wrap="nowrap" data-version={version.version}>
            <div>
              <Text size="sm" fw={600}>
                Version {version.version}{' '}
                {version === latest && (
                  <Badge size="xs" variant="light">
                    current
                  </Badge>
                )}
              </Text>
              <Text size="xs" c="dimmed">
                {formatDateTime(version.saved_at, timeZone)}
              </Text>
            </div>
            {version !== latest && (
              <Button
                size="compact-xs"
                variant="light"
                leftSection={<IconRestore size={12} aria-hidden />}
                onClick={() => onRestore(version)}
                aria-label={`Restore version ${version.version}`}
              >
                Restore
              </Button>
            )}
          </Group>
        ))}
      </Stack>
      {versions.length > 1 && (
        <Button variant="default" size="xs" onClick={() => setComparing(true)}>
          Compare versions side by side
        </Button>
      )}
      <Modal opened={comparing} onClose={() => setComparing(false)} title="Compare versions" size="90%">
        {left && right && (
          <Stack gap="xs">
            <SimpleGrid cols={2} spacing="xs">
              <Select
                aria-label="Older version"
                data={options}
                value={String(left.version)}
                onChange={(v) => setLeft(Number(v))}
                allowDeselect={false}
              />
              <Select
                aria-label="Newer version"
                data={options}
                value={String(right.version)}
                onChange={(v) => setRight(Number(v))}
                allowDeselect={false}
              />
            </SimpleGrid>
            <Text size="xs" c="dimmed">
              {changes === 0 ? 'The two versions are the same.' : `${changes} lines differ.`}
            </Text>
            <ScrollArea.Autosize mah="70vh">
              <SimpleGrid cols={2} spacing={4}>
                <DiffColumn rows={rows} side="left" />
                <DiffColumn rows={rows} side="right" />
              </SimpleGrid>
            </ScrollArea.Autosize>
          </Stack>
        )}
      </Modal>
    </Stack>
  );
}
