import {
  Alert,
  Badge,
  Button,
  Card,
  Center,
  Grid,
  Group,
  Loader,
  SegmentedControl,
  Select,
  Stack,
  Tabs,
  Text,
  Title,
} from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { IconAlertTriangle, IconArrowLeft, IconCheck, IconDeviceFloppy } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useNavigate, useParams, useSearch } from '@tanstack/react-router';
import { useEffect, useMemo, useRef, useState } from 'react';
import './builder.css';
import { MAX_MENU_DEPTH } from '../../../../src/modules/callflows/callflows.schemas.js';
import { ApiError } from '../../api/client';
import { AnchorLink } from '../../components/links';
import { BLOCKED_PROPS, WriteGuard } from '../../components/WriteGuard';
import { type FlowDocument, routeKeyOf } from '../flows/document';
import { EntryError, type FlowRecord, flowQuery, historyQuery, useFlowMutations } from '../flows/queries';
import { routeLabel, STATUS_COLORS } from '../flows/route-types';
import { useCurrentGroup } from '../groups/queries';
import { FlowGraph } from './FlowGraph';
import { FlowSettings } from './FlowSettings';
import type { Fields } from './fields';
import { OptionPanel } from './OptionPanel';
import { Outline } from './Outline';
import { ROUTE_KEYS, RouteForm } from './RouteForm';
import { fromMenuView, menuViewOf } from './single-level';
import { type SimulateResult, TryCall } from './TryCall';
import {
  addOption,
  deleteOption,
  type IvrDocument,
  moveOption,
  optionAt,
  parentOf,
  pathOfReason,
  pathOfReference,
  pathOfTrailId,
  ROOT,
} from './tree';
import { Versions } from './Versions';
import { entryIssues, type Issue, ivrIssues } from './validation';

/** The document of a new flow of each route type, on the fields they share. */
function withRoute(document: FlowDocument, routeKey: string): FlowDocument {
  const {
    routable_type: _type,
    ivrs: _ivrs,
    geo_route: _geo,
    schedule_data: _schedule,
    ringto_percentage: _shares,
    outboundData: _outbound,
    default_ringto: _ringto,
    ...common
  } = document;
  switch (routeKey) {
    case 'multilevelivr':
      return { ...common, ivrs: [] };
    case 'ivr':
      return { ...common, routable_type: 'ivr', ivrs: [] };
    case 'geo':
      return { ...common, routable_type: 'geo', geo_route: { route_by: 'Claimed State' } };
    case 'schedule':
      return { ...common, routable_type: 'schedule', schedule_data: { timezone: 'Eastern', schedules: [] } };
    case 'percentage':
      return { ...common, routable_type: 'percentage', ringto_percentage: [] };
    case 'outbound':
      return { ...common, routable_type: 'outbound', outboundData: { pin: '' } };
    default:
      return { ...common, routable_type: routeKey };
  }
}

export function BuilderPage() {
  const { flowId } = useParams({ from: '/app/flows/$flowId' });
  const isNew = flowId === 'new';
  const callFlowId = isNew ? 0 : Number(flowId);
  const flow = useQuery({ ...flowQuery(callFlowId), enabled: !isNew });
  const history = useQuery({ ...historyQuery(callFlowId), enabled: !isNew });
  const { groupId } = useCurrentGroup();
  const search = useSearch({ from: '/app/flows/$flowId' });

  if (!isNew && (flow.error || history.error))
    return (
      <Alert color="red" title="This call flow could not be opened">
        {(flow.error ?? history.error)?.message}
      </Alert>
    );
  if (!isNew && (!flow.data || !history.data))
    return (
      <Center p="xl">
        <Loader aria-label="Loading the call flow" />
      </Center>
    );
  const stored = history.data?.at(-1)?.document;
  const initial: FlowDocument = stored
    ? { ...stored, call_flow_id: callFlowId }
    : {
        call_flow_name: '',
        call_flow_status: 'active',
        group_id: groupId,
        ...(search.campaign ? { campaign_id: search.campaign } : {}),
        channel_id: 35,
        message: '',
        ivrs: [],
      };
  return (
    <Builder key={flowId} initial={initial} record={flow.data} callFlowId={isNew ? undefined : callFlowId} />
  );
}

function Builder({
  initial,
  record,
  callFlowId,
}: {
  initial: FlowDocument;
  record: FlowRecord | undefined;
  callFlowId: number | undefined;
}) {
  const { groups, groupId, me, timeZone } = useCurrentGroup();
  const navigate = useNavigate();
  const { save } = useFlowMutations();
  const [document, setDocument] = useState<FlowDocument>(initial);
  const [baseline, setBaseline] = useState(() => JSON.stringify(initial));
  const [selected, setSelected] = useState(ROOT);
  // a phone's screen is too small to read a graph: the outline first, the graph a tap away
  const isPhone = useMediaQuery('(max-width: 48em)', false, { getInitialValueInEffect: false });
  const [view, setView] = useState<'graph' | 'outline'>(isPhone ? 'outline' : 'graph');
  const [tab, setTab] = useState<string | null>('node');
  const [saveIssue, setSaveIssue] = useState<Issue | undefined>();
  const [saved, setSaved] = useState(false);
  const [call, setCall] = useState<SimulateResult | undefined>();
  const [step, setStep] = useState(0);
  // after an add or a delete the control that was used is gone: the panel's heading takes the focus
  const [headingFocus, setHeadingFocus] = useState(0);
  const panelRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (headingFocus > 0) panelRef.current?.querySelector<HTMLElement>('[data-panel-heading]')?.focus();
  }, [headingFocus]);
  const routeKey = routeKeyOf(document);
  // a single-level IVR is drawn and edited as a one-level menu; its edits map back onto its items
  const isSingleLevel = routeKey === 'ivr';
  const isIvr = routeKey === 'multilevelivr' || isSingleLevel;
  const ivr = useMemo(
    () => (isSingleLevel ? menuViewOf(document) : (document as IvrDocument)),
    [isSingleLevel, document],
  );
  const isDirty = JSON.stringify(document) !== baseline;
  const canEdit = me.can_edit;

  const ruleIssues = useMemo(
    () => (routeKey === 'multilevelivr' ? ivrIssues(ivr) : entryIssues(document)),
    [routeKey, ivr, document],
  );
  const issues = useMemo(
    () => (saveIssue ? [...ruleIssues, saveIssue] : ruleIssues),
    [ruleIssues, saveIssue],
  );

  const callPath = useMemo(
    () =>
      isIvr && call
        ? call.trail.map((id) => pathOfTrailId(ivr, id)).filter((p): p is string => p !== undefined)
        : [],
    [isIvr, call, ivr],
  );
  const shownPath = callPath.slice(0, step + 1);

  const edit = (next: FlowDocument) => {
    setDocument(next);
    setSaveIssue(undefined);
    setSaved(false);
  };
  const editMenu = (next: IvrDocument) => edit(isSingleLevel ? fromMenuView(next, document) : next);
  const select = (path: string) => {
    setSelected(path);
    setTab('node');
  };

  const onSave = () => {
    setSaveIssue(undefined);
    save.mutate(
      { routeKey, document },
      {
        onSuccess: (id) => {
          setBaseline(JSON.stringify(document));
          setSaved(true);
          if (callFlowId === undefined)
            void navigate({
              to: '/flows/$flowId',
              params: { flowId: String(id) },
              search: { group: groupId },
            });
        },
        onError: (error) => {
          if (error instanceof EntryError) {
            const named = pathOfReason(error.reason).path;
            const path = named === ROOT && isIvr ? (pathOfReference(ivr, error.reason) ?? ROOT) : named;
            const at = isIvr && optionAt(ivr, path) ? path : ROOT;
            setSaveIssue({ path: at, message: error.reason.replace(/^ivrs(?:\[\d+\]|\.ivrData)*:\s*/, '') });
            if (isIvr) select(at);
          } else if (error instanceof ApiError) setSaveIssue({ path: ROOT, message: error.message });
        },
      },
    );
  };

  const name = String(document.call_flow_name ?? '') || 'New call flow';
  const panel = (
    <Tabs value={!isIvr && tab === 'node' ? 'settings' : tab} onChange={setTab} keepMounted={false}>
      <Tabs.List grow>
        {isIvr && <Tabs.Tab value="node">Selected</Tabs.Tab>}
        <Tabs.Tab value="settings">Settings</Tabs.Tab>
        <Tabs.Tab value="try">Try a call</Tabs.Tab>
        {callFlowId !== undefined && <Tabs.Tab value="versions">Versions</Tabs.Tab>}
      </Tabs.List>
      <div style={{ paddingTop: 'var(--mantine-spacing-md)' }}>
        {isIvr && (
          <Tabs.Panel value="node">
            <OptionPanel
              document={ivr}
              path={selected}
              issues={issues}
              maxDepth={isSingleLevel ? 1 : MAX_MENU_DEPTH}
              onChange={editMenu}
              onSelect={select}
              onAdd={(menuPath) => {
                const added = addOption(ivr, menuPath);
                editMenu(added.document);
                setSelected(added.path);
                setHeadingFocus((n) => n + 1);
              }}
              onDelete={(path) => {
                editMenu(deleteOption(ivr, path));
                setSelected(parentOf(path));
                setHeadingFocus((n) => n + 1);
              }}
              onMove={(path, by) => {
                const moved = moveOption(ivr, path, by);
                editMenu(moved.document);
                setSelected(moved.path);
              }}
            />
          </Tabs.Panel>
        )}
        <Tabs.Panel value="settings">
          <FlowSettings
            callFlowId={callFlowId}
            document={document}
            issues={issues}
            groups={groups}
            groupId={groupId}
            onChange={(next: Fields) => edit(next)}
          />
        </Tabs.Panel>
        <Tabs.Panel value="try">
          <TryCall
            callFlowId={callFlowId}
            isDirty={isDirty}
            result={call}
            onResult={setCall}
            step={Math.min(step, Math.max(0, callPath.length - 1))}
            onStep={setStep}
            pathLength={callPath.length}
          />
        </Tabs.Panel>
        {callFlowId !== undefined && (
          <Tabs.Panel value="versions">
            <Versions
              callFlowId={callFlowId}
              timeZone={timeZone}
              onRestore={(version) => {
                edit({ ...version.document, call_flow_id: callFlowId });
                setTab(isIvr ? 'node' : 'settings');
                setSelected(ROOT);
              }}
            />
          </Tabs.Panel>
        )}
      </div>
    </Tabs>
  );

  return (
    <Stack gap="md" maw={1800} mx="auto">
      <Group justify="space-between" align="flex-end" wrap="wrap">
        <div>
          <AnchorLink to="/flows" search={{ group: groupId }} size="sm">
            <Group gap={4}>
              <IconArrowLeft size={14} aria-hidden /> Call flows
            </Group>
          </AnchorLink>
          <Group gap="sm" mt={4}>
            <Title order={1} size="h2">
              {name}
            </Title>
            {record && (
              <Badge variant="light" color={STATUS_COLORS[record.call_flow_status] ?? 'gray'}>
                {record.call_flow_status}
              </Badge>
            )}
          </Group>
          <Text size="sm" c="dimmed">
            {record ? `${routeLabel(record.routable_type)} · version ${record.version}` : 'Not saved yet'}
          </Text>
        </div>
        <Group gap="sm">
          {callFlowId === undefined && (
            <Select
              aria-label="Route type"
              data={ROUTE_KEYS}
              value={routeKey}
              allowDeselect={false}
              w={220}
              onChange={(value) => value && edit(withRoute(document, value))}
            />
          )}
          {issues.length > 0 ? (
            <Badge
              color="red"
              variant="light"
              size="lg"
              leftSection={<IconAlertTriangle size={14} aria-hidden />}
              data-testid="issue-count"
            >
              {issues.length} to fix
            </Badge>
          ) : (
            <Badge color="teal" variant="light" size="lg" leftSection={<IconCheck size={14} aria-hidden />}>
              Ready to save
            </Badge>
          )}
          {saved && !isDirty && (
            <Text size="sm" c="teal" role="status">
              Saved
            </Text>
          )}
          <WriteGuard canEdit={canEdit}>
            {(blocked) => (
              <Button
                leftSection={<IconDeviceFloppy size={16} aria-hidden />}
                loading={save.isPending}
                disabled={!blocked && (!isDirty || ruleIssues.length > 0)}
                onClick={blocked ? undefined : onSave}
                {...(blocked ? BLOCKED_PROPS : {})}
              >
                Save
              </Button>
            )}
          </WriteGuard>
        </Group>
      </Group>
      {saveIssue && (
        <Alert color="red" title="The flow was not saved" data-testid="save-error">
          {saveIssue.message}
        </Alert>
      )}
      {isIvr ? (
        <Grid gutter="md">
          <Grid.Col span={{ base: 12, md: 7, xl: 8 }}>
            <Card p={0} className="sb-canvas-card">
              <Group justify="space-between" p="xs" className="sb-canvas-toolbar">
                <SegmentedControl
                  size="xs"
                  aria-label="Show the flow as"
                  value={view}
                  onChange={(value) => setView(value as 'graph' | 'outline')}
                  data={[
                    { value: 'graph', label: 'Graph' },
                    { value: 'outline', label: 'Outline' },
                  ]}
                />
                <Text size="xs" c="dimmed">
                  Click a box (or use the outline) to edit it · dashed arrows are “go back” keys
                </Text>
              </Group>
              <div className="sb-canvas" data-view={view} data-testid="flow-canvas">
                {view === 'graph' ? (
                  <FlowGraph
                    document={ivr}
                    issues={issues}
                    selected={selected}
                    onSelect={select}
                    callPath={shownPath}
                    current={call ? shownPath.at(-1) : undefined}
                  />
                ) : (
                  <Outline document={ivr} issues={issues} selected={selected} onSelect={select} />
                )}
              </div>
            </Card>
          </Grid.Col>
          <Grid.Col span={{ base: 12, md: 5, xl: 4 }}>
            <Card p="md" data-testid="builder-panel" ref={panelRef}>
              {panel}
            </Card>
          </Grid.Col>
        </Grid>
      ) : (
        <Grid gutter="md">
          <Grid.Col span={{ base: 12, md: 6 }}>
            <Card p="md">
              <RouteForm routeKey={routeKey} document={document} issues={issues} onChange={edit} />
              {issues
                .filter((issue) => issue.path === ROOT && !issue.field)
                .map((issue) => (
                  <Alert key={issue.message} color="red" mt="sm" data-testid="flow-issue">
                    {issue.message}
                  </Alert>
                ))}
            </Card>
          </Grid.Col>
          <Grid.Col span={{ base: 12, md: 6 }}>
            <Card p="md" data-testid="builder-panel">
              {panel}
            </Card>
          </Grid.Col>
        </Grid>
      )}
    </Stack>
  );
}
