import { Badge, Text, UnstyledButton } from '@mantine/core';
import { type KeyboardEvent, useMemo, useRef } from 'react';
import { ACTION_LABELS, optionSummary } from './FlowGraph';
import { type IvrDocument, ROOT, walk } from './tree';
import type { Issue } from './validation';

/**
 * The graph as an indented list, for keyboards and screen readers: every node is a button in
 * order (Up and Down move between them, Enter opens one in the side panel).
 */
export function Outline({
  document,
  issues,
  selected,
  onSelect,
}: {
  document: IvrDocument;
  issues: readonly Issue[];
  selected: string;
  onSelect: (path: string) => void;
}) {
  const nodes = useMemo(() => walk(document), [document]);
  const list = useRef<HTMLUListElement>(null);
  const onKeyDown = (event: KeyboardEvent<HTMLUListElement>) => {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    const buttons = [...(list.current?.querySelectorAll('button') ?? [])];
    const at = buttons.indexOf(window.document.activeElement as HTMLButtonElement);
    const next =
      buttons[Math.min(buttons.length - 1, Math.max(0, at + (event.key === 'ArrowDown' ? 1 : -1)))];
    next?.focus();
    event.preventDefault();
  };
  return (
    <ul
      className="sb-outline"
      ref={list}
      onKeyDown={onKeyDown}
      aria-label="Call flow outline"
      data-testid="outline"
    >
      {nodes.map((node) => {
        const count = issues.filter((issue) => issue.path === node.path).length;
        const label = node.option
          ? `Press ${node.option.key}: ${node.option.destination?.trim() || ACTION_LABELS[node.option.action]}`
          : 'Main menu';
        return (
          <li key={node.path} style={{ paddingLeft: node.depth * 20 }}>
            <UnstyledButton
              className="sb-outline-item"
              data-selected={node.path === selected || undefined}
              aria-current={node.path === selected ? 'true' : undefined}
              onClick={() => onSelect(node.path)}
            >
              <Text size="sm" fw={node.path === ROOT ? 700 : 500} span>
                {label}
              </Text>{' '}
              <Text size="xs" c="dimmed" span>
                {node.option ? optionSummary(node.option) : ''}
              </Text>
              {count > 0 && (
                <Badge color="red" size="xs" ml={6}>
                  {count} to fix
                </Badge>
              )}
            </UnstyledButton>
          </li>
        );
      })}
    </ul>
  );
}
