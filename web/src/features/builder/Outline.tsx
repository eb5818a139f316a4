import { Badge, Text, UnstyledButton } from '@mantine/core';
import { type KeyboardEvent, useEffect, useMemo, useRef, useState } from 'react';
import { ACTION_LABELS, optionSummary } from './FlowGraph';
import { type IvrDocument, parentOf, ROOT, walk } from './tree';
import type { Issue } from './validation';

/**
 * The graph as an indented list, for keyboards and screen readers. The list is one tab stop (a
 * roving tabindex, as in a toolbar): Up and Down move between nodes, Home and End to the first and
 * last, Left to the node's menu, and Enter or Space opens the node in the side panel, which comes
 * next in the tab order.
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
  // the node that takes the tab stop: the one last moved to, else the selected one
  const [active, setActive] = useState<string | undefined>();
  // a node selected elsewhere (the graph, the side panel) takes the tab stop
  // biome-ignore lint/correctness/useExhaustiveDependencies: reset when the selection changes
  useEffect(() => setActive(undefined), [selected]);
  const paths = nodes.map((node) => node.path);
  const tabStop = active !== undefined && paths.includes(active) ? active : selected;

  const focusPath = (path: string) => {
    setActive(path);
    list.current?.querySelector<HTMLButtonElement>(`button[data-path="${CSS.escape(path)}"]`)?.focus();
  };
  const onKeyDown = (event: KeyboardEvent<HTMLUListElement>) => {
    const at = Math.max(0, paths.indexOf(tabStop));
    const target = {
      ArrowDown: paths[Math.min(paths.length - 1, at + 1)],
      ArrowUp: paths[Math.max(0, at - 1)],
      Home: paths[0],
      End: paths.at(-1),
      ArrowLeft: tabStop === ROOT ? undefined : parentOf(tabStop),
    }[event.key];
    if (target === undefined) return;
    event.preventDefault();
    focusPath(target);
  };
  return (
    <ul
      className="sb-outline"
      ref={list}
      onKeyDown={onKeyDown}
      aria-label="Call flow outline (arrow keys move, Enter opens a node in the side panel)"
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
              data-path={node.path}
              tabIndex={node.path === tabStop ? 0 : -1}
              data-selected={node.path === selected || undefined}
              aria-current={node.path === selected ? 'true' : undefined}
              onFocus={() => setActive(node.path)}
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
