import '@xyflow/react/dist/style.css';
import dagre from '@dagrejs/dagre';
import { Badge, Group, Text } from '@mantine/core';
import {
  IconAlertTriangle,
  IconCalendarTime,
  IconListTree,
  IconMapPin,
  IconPhone,
  IconPhoneOff,
  IconRecordMail,
} from '@tabler/icons-react';
import {
  Background,
  Controls,
  type Edge,
  Handle,
  MarkerType,
  type Node,
  type NodeProps,
  Position,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
} from '@xyflow/react';
import { memo, type ReactNode, useEffect, useMemo, useRef } from 'react';
import { formatPhone } from '../../lib/format';
import { goBackKeyOf, type IvrDocument, type IvrOption, parentOf, ROOT, walk } from './tree';
import type { Issue } from './validation';

const NODE_WIDTH = 236;
const NODE_HEIGHT = 78;

export const ACTION_LABELS: Record<IvrOption['action'], string> = {
  simple: 'Ring a number',
  interactiveVoice: 'Sub-menu',
  geo: 'Nearest location',
  schedule: 'By schedule',
  voicemail: 'Voicemail',
  hangup: 'Hang up',
};

const ACTION_ICONS: Record<IvrOption['action'] | 'menu', ReactNode> = {
  menu: <IconListTree size={16} aria-hidden />,
  simple: <IconPhone size={16} aria-hidden />,
  interactiveVoice: <IconListTree size={16} aria-hidden />,
  geo: <IconMapPin size={16} aria-hidden />,
  schedule: <IconCalendarTime size={16} aria-hidden />,
  voicemail: <IconRecordMail size={16} aria-hidden />,
  hangup: <IconPhoneOff size={16} aria-hidden />,
};

/** What a node says under its title: the number it rings, or the words the caller hears. */
export function optionSummary(option: IvrOption): string {
  switch (option.action) {
    case 'simple': {
      const target = formatPhone(String(option.target_did ?? ''));
      const more = option.overflowNumbers?.length ? ` + ${option.overflowNumbers.length} more` : '';
      return target ? `${target}${more}` : 'No number yet';
    }
    case 'interactiveVoice':
      return `${option.ivrData?.length ?? 0} options`;
    case 'geo':
      return option.geoData?.route_by ?? 'Nearest branch';
    case 'schedule':
      return `${option.scheduleRoute?.schedules.length ?? 0} time windows, ${option.scheduleRoute?.timezone ?? ''}`;
    default:
      return option.message?.trim() ? `“${option.message.trim()}”` : '';
  }
}

interface FlowNodeData extends Record<string, unknown> {
  title: string;
  subtitle: string;
  kind: IvrOption['action'] | 'menu';
  issueCount: number;
  isSelected: boolean;
  isOnPath: boolean;
  isCurrent: boolean;
}

const FlowNode = memo(function FlowNode({ data }: NodeProps<Node<FlowNodeData>>) {
  const border = data.issueCount
    ? 'var(--mantine-color-red-6)'
    : data.isCurrent
      ? 'var(--mantine-color-orange-6)'
      : data.isSelected
        ? 'var(--mantine-color-switchboard-6)'
        : data.isOnPath
          ? 'var(--mantine-color-orange-4)'
          : 'var(--mantine-color-gray-3)';
  return (
    <div
      className="sb-flow-node"
      data-kind={data.kind}
      data-on-path={data.isOnPath || undefined}
      data-current={data.isCurrent || undefined}
      data-invalid={data.issueCount > 0 || undefined}
      style={{
        width: NODE_WIDTH,
        minHeight: NODE_HEIGHT,
        border: `${data.isSelected || data.isCurrent || data.issueCount ? 2 : 1}px solid ${border}`,
        background: data.isOnPath ? 'var(--mantine-color-orange-0)' : 'var(--mantine-color-body)',
      }}
    >
      <Handle type="target" position={Position.Top} />
      <Handle type="target" id="back-in" position={Position.Right} />
      <Group gap={6} wrap="nowrap" justify="space-between">
        <Group gap={6} wrap="nowrap" style={{ minWidth: 0 }}>
          <span className="sb-flow-node-icon">{ACTION_ICONS[data.kind]}</span>
          <Text size="sm" fw={600} truncate>
            {data.title}
          </Text>
        </Group>
        {data.issueCount > 0 && (
          <Badge color="red" size="sm" leftSection={<IconAlertTriangle size={12} aria-hidden />}>
            {data.issueCount}
          </Badge>
        )}
      </Group>
      <Text size="xs" c="dimmed" truncate mt={4}>
        {data.subtitle}
      </Text>
      <Handle type="source" position={Position.Bottom} />
      <Handle type="source" id="back-out" position={Position.Right} />
    </div>
  );
});

const nodeTypes = { flow: FlowNode };

const idOf = (path: string) => (path === ROOT ? 'menu' : path);
const pathOfId = (id: string) => (id === 'menu' ? ROOT : id);

/**
 * Positions from dagre: menus above their options, top to bottom. Every box has the same size,
 * so the positions depend on the tree's shape alone (which node hangs under which): go-back
 * edges point up and are left out, which keeps the tree a tree.
 */
function layout(paths: readonly string[]): Map<string, { x: number; y: number }> {
  const graph = new dagre.graphlib.Graph();
  graph.setGraph({ rankdir: 'TB', nodesep: 28, ranksep: 64 });
  graph.setDefaultEdgeLabel(() => ({}));
  for (const path of paths) graph.setNode(idOf(path), { width: NODE_WIDTH, height: NODE_HEIGHT });
  for (const path of paths) if (path !== ROOT) graph.setEdge(idOf(parentOf(path)), idOf(path));
  dagre.layout(graph);
  return new Map(
    paths.map((path) => {
      const { x, y } = graph.node(idOf(path));
      return [idOf(path), { x: x - NODE_WIDTH / 2, y: y - NODE_HEIGHT / 2 }];
    }),
  );
}

/**
 * The same object as last time for a node or edge whose content did not change, so React Flow
 * (which compares them by reference) redraws only what an edit touched.
 */
function useStable<T extends { id: string }>(items: T[]): T[] {
  const previous = useRef(new Map<string, { signature: string; item: T }>());
  const next = new Map<string, { signature: string; item: T }>();
  const stable = items.map((item) => {
    const signature = JSON.stringify(item);
    const before = previous.current.get(item.id);
    const kept = before && before.signature === signature ? before.item : item;
    next.set(item.id, { signature, item: kept });
    return kept;
  });
  previous.current = next;
  return stable;
}

export interface GraphProps {
  document: IvrDocument;
  issues: readonly Issue[];
  selected: string;
  onSelect: (path: string) => void;
  /** nodes a tried call went through, and the one its current step is at */
  callPath: readonly string[];
  current: string | undefined;
}

function Graph({ document, issues, selected, onSelect, callPath, current }: GraphProps) {
  const { fitView } = useReactFlow();
  const tree = useMemo(() => walk(document), [document]);
  // a rename or a new number keeps the tree's shape: the layout is not run again
  const shapeKey = tree.map((node) => node.path).join('|');
  // biome-ignore lint/correctness/useExhaustiveDependencies: the shape key stands for the tree's paths
  const positions = useMemo(() => layout(tree.map((node) => node.path)), [shapeKey]);
  const shape = useMemo(() => {
    const nodes: Node<FlowNodeData>[] = [];
    const edges: Edge[] = [];
    for (const node of tree) {
      const option = node.option;
      nodes.push({
        id: idOf(node.path),
        type: 'flow',
        ariaLabel: option
          ? `Press ${option.key}: ${option.destination?.trim() || ACTION_LABELS[option.action]}`
          : 'Main menu',
        position: positions.get(idOf(node.path)) ?? { x: 0, y: 0 },
        data: {
          title: option ? `${option.destination?.trim() || ACTION_LABELS[option.action]}` : 'Main menu',
          subtitle: option
            ? optionSummary(option)
            : document.message?.trim()
              ? `“${document.message.trim()}”`
              : 'No menu prompt yet',
          kind: option?.action ?? 'menu',
          issueCount: 0,
          isSelected: false,
          isOnPath: false,
          isCurrent: false,
        },
      });
      if (option) {
        const parent = parentOf(node.path);
        edges.push({
          id: `key:${node.path}`,
          source: idOf(parent),
          target: idOf(node.path),
          label: `Press ${option.key}`,
          data: { isBack: false },
        });
        if (option.action === 'interactiveVoice') {
          const back = goBackKeyOf(document, node.path);
          if (back !== undefined)
            edges.push({
              id: `back:${node.path}`,
              source: idOf(node.path),
              target: idOf(parent),
              sourceHandle: 'back-out',
              targetHandle: 'back-in',
              label: `Press ${back}: back`,
              type: 'smoothstep',
              style: { strokeDasharray: '5 4' },
              markerEnd: { type: MarkerType.ArrowClosed },
              data: { isBack: true },
            });
        }
      }
    }
    return { nodes, edges };
  }, [tree, document, positions]);

  const onPath = useMemo(() => new Set(callPath), [callPath]);
  const nodes = useStable(
    shape.nodes.map((node) => {
      const path = pathOfId(node.id);
      return {
        ...node,
        selected: path === selected,
        data: {
          ...node.data,
          issueCount: issues.filter((issue) => issue.path === path).length,
          isSelected: path === selected,
          isOnPath: onPath.has(path),
          isCurrent: path === current,
        },
      };
    }),
  );
  const edges = shape.edges.map((edge) => {
    const isTaken =
      onPath.has(pathOfId(edge.source)) && onPath.has(pathOfId(edge.target)) && !edge.data?.isBack;
    return {
      ...edge,
      animated: isTaken,
      style: {
        ...edge.style,
        stroke: isTaken ? 'var(--mantine-color-orange-6)' : undefined,
        strokeWidth: isTaken ? 2 : 1,
      },
      labelStyle: { fontWeight: 600, fontSize: 12 },
      labelBgPadding: [6, 3] as [number, number],
      labelBgBorderRadius: 4,
    };
  });

  const nodeCount = shape.nodes.length;
  // biome-ignore lint/correctness/useExhaustiveDependencies: refit when nodes come or go, not on every edit
  useEffect(() => {
    const timer = setTimeout(() => void fitView({ padding: 0.15, duration: 200 }), 30);
    return () => clearTimeout(timer);
  }, [nodeCount, fitView]);

  return (
    <ReactFlow
      nodes={nodes}
      edges={edges}
      nodeTypes={nodeTypes}
      onNodeClick={(_event, node) => onSelect(pathOfId(node.id))}
      // Enter or Space on a focused node selects it, as a click does
      onNodesChange={(changes) => {
        const picked = changes.find((change) => change.type === 'select' && change.selected);
        if (picked && picked.type === 'select') onSelect(pathOfId(picked.id));
      }}
      nodesDraggable={false}
      nodesConnectable={false}
      elementsSelectable
      fitView
      minZoom={0.2}
      proOptions={{ hideAttribution: true }}
      aria-label="The call flow as a graph"
    >
      <Background gap={20} size={1} />
      <Controls showInteractive={false} />
    </ReactFlow>
  );
}

/** The IVR drawn as a graph: keys on the edges, go-back keys as dashed edges up to the parent. */
export function FlowGraph(props: GraphProps) {
  return (
    <ReactFlowProvider>
      <Graph {...props} />
    </ReactFlowProvider>
  );
}
