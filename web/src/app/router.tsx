import { Center, Loader } from '@mantine/core';
import type { QueryClient } from '@tanstack/react-query';
import {
  createRootRouteWithContext,
  createRoute,
  createRouter,
  lazyRouteComponent,
  Outlet,
  redirect,
} from '@tanstack/react-router';
import { ApiError } from '../api/client';
import { type CallSearch, parseCallSearch } from '../features/calls/search';
import type { FlowsSearch } from '../features/flows/FlowsPage';
import { flowQuery, historyQuery } from '../features/flows/queries';
import { groupsQuery } from '../features/groups/queries';
import { parseTranscriptSearch, type TranscriptSearch } from '../features/intel/search';
import { parseReportsSearch, parseSchedulesSearch, parseUsageSearch } from '../features/reports/search';
import { meQuery } from '../features/session/queries';
import { SignInPage } from '../features/session/SignInPage';
import type { TextsSearch } from '../features/texts/TextsPage';
import { AppLayout } from './AppLayout';
import { ErrorPage } from './ErrorPage';
import { NotFoundPage } from './NotFoundPage';
import { queryClient } from './query-client';

const rootRoute = createRootRouteWithContext<{ queryClient: QueryClient }>()({
  component: Outlet,
  notFoundComponent: NotFoundPage,
});

const signInRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/sign-in',
  validateSearch: (raw: Record<string, unknown>): { redirect?: string } =>
    typeof raw.redirect === 'string' ? { redirect: raw.redirect } : {},
  component: SignInPage,
});

/** Every page but sign-in: needs a session; the user and their groups are loaded first. */
const appRoute = createRoute({
  getParentRoute: () => rootRoute,
  id: 'app',
  beforeLoad: async ({ context, location }) => {
    try {
      await Promise.all([
        context.queryClient.ensureQueryData(meQuery),
        context.queryClient.ensureQueryData(groupsQuery),
      ]);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401)
        throw redirect({ to: '/sign-in', search: { redirect: location.href } });
      throw error;
    }
  },
  component: AppLayout,
});

export interface DashboardSearch {
  group?: number | undefined;
  from?: string | undefined;
  to?: string | undefined;
  interval?: 'hour' | 'day' | 'week' | undefined;
}

const dashboardRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/',
  validateSearch: (raw: Record<string, unknown>): DashboardSearch => {
    const { group, from, to } = parseCallSearch(raw);
    const interval =
      raw.interval === 'hour' || raw.interval === 'day' || raw.interval === 'week' ? raw.interval : undefined;
    return Object.fromEntries(
      Object.entries({ group, from, to, interval }).filter(([, value]) => value !== undefined),
    ) as DashboardSearch;
  },
  component: lazyRouteComponent(() => import('../features/dashboard/DashboardPage'), 'DashboardPage'),
});

const callsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/calls',
  validateSearch: (raw: Record<string, unknown>): CallSearch => parseCallSearch(raw),
  component: lazyRouteComponent(() => import('../features/calls/CallLogPage'), 'CallLogPage'),
});

const callRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/calls/$callId',
  validateSearch: (raw: Record<string, unknown>): { group?: number } => {
    const { group } = parseCallSearch(raw);
    return group === undefined ? {} : { group };
  },
  component: lazyRouteComponent(() => import('../features/call-detail/CallDetailPage'), 'CallDetailPage'),
});

const webhooksRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/webhooks',
  validateSearch: (raw: Record<string, unknown>): { group?: number; webhook?: number } => {
    const { group } = parseCallSearch(raw);
    const webhook = Number(raw.webhook);
    return {
      ...(group === undefined ? {} : { group }),
      ...(Number.isInteger(webhook) && webhook > 0 ? { webhook } : {}),
    };
  },
  component: lazyRouteComponent(() => import('../features/webhooks/WebhooksPage'), 'WebhooksPage'),
});

const positiveInteger = (value: unknown) => {
  const number = Number(value);
  return Number.isInteger(number) && number > 0 ? number : undefined;
};

const flowsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/flows',
  validateSearch: (raw: Record<string, unknown>): FlowsSearch => {
    const { group } = parseCallSearch(raw);
    const search: FlowsSearch = { group, campaign: positiveInteger(raw.campaign) };
    if (raw.show === 'deleted') search.show = 'deleted';
    return Object.fromEntries(
      Object.entries(search).filter(([, value]) => value !== undefined),
    ) as FlowsSearch;
  },
  component: lazyRouteComponent(() => import('../features/flows/FlowsPage'), 'FlowsPage'),
});

export interface BuilderSearch {
  group?: number | undefined;
  campaign?: number | undefined;
}

/** The builder is its own chunk (the graph canvas and the shared flow rules load only here). */
const builderRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/flows/$flowId',
  validateSearch: (raw: Record<string, unknown>): BuilderSearch => {
    const { group } = parseCallSearch(raw);
    const search: BuilderSearch = { group, campaign: positiveInteger(raw.campaign) };
    return Object.fromEntries(
      Object.entries(search).filter(([, value]) => value !== undefined),
    ) as BuilderSearch;
  },
  // the flow and its history are fetched with the page's code, not after it has drawn: at once
  // on a click, or already while the pointer rests on the link (preload on intent); a flow that
  // cannot be read is the page's to say (BuilderPage asks again and shows why)
  loader: async ({ context, params }) => {
    const id = Number(params.flowId);
    if (params.flowId === 'new' || !Number.isInteger(id)) return;
    await Promise.all([
      context.queryClient.prefetchQuery(flowQuery(id)),
      context.queryClient.prefetchQuery(historyQuery(id)),
    ]);
  },
  component: lazyRouteComponent(() => import('../features/builder/BuilderPage'), 'BuilderPage'),
});

const numbersRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/numbers',
  validateSearch: (raw: Record<string, unknown>): { group?: number } => {
    const { group } = parseCallSearch(raw);
    return group === undefined ? {} : { group };
  },
  component: lazyRouteComponent(() => import('../features/numbers/NumbersPage'), 'NumbersPage'),
});

const reportsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/reports',
  validateSearch: parseReportsSearch,
  component: lazyRouteComponent(() => import('../features/reports/ReportsPage'), 'ReportsPage'),
});

const schedulesRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/reports/scheduled',
  validateSearch: parseSchedulesSearch,
  component: lazyRouteComponent(() => import('../features/reports/SchedulesPage'), 'SchedulesPage'),
});

const usageRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/usage',
  validateSearch: parseUsageSearch,
  component: lazyRouteComponent(() => import('../features/reports/UsagePage'), 'UsagePage'),
});

const textsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/texts',
  validateSearch: (raw: Record<string, unknown>): TextsSearch => {
    const { group } = parseCallSearch(raw);
    const number = typeof raw.number === 'string' && /^\d{10}$/.test(raw.number) ? raw.number : undefined;
    const search: TextsSearch = {
      group,
      c: positiveInteger(raw.c),
      show: raw.show === 'unread' ? 'unread' : undefined,
      number,
    };
    return Object.fromEntries(
      Object.entries(search).filter(([, value]) => value !== undefined),
    ) as TextsSearch;
  },
  component: lazyRouteComponent(() => import('../features/texts/TextsPage'), 'TextsPage'),
});

const broadcastsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/broadcasts',
  validateSearch: (raw: Record<string, unknown>): { group?: number } => {
    const { group } = parseCallSearch(raw);
    return group === undefined ? {} : { group };
  },
  component: lazyRouteComponent(() => import('../features/texts/BroadcastsPage'), 'BroadcastsPage'),
});

const transcriptsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/transcripts',
  validateSearch: (raw: Record<string, unknown>): TranscriptSearch => parseTranscriptSearch(raw),
  component: lazyRouteComponent(
    () => import('../features/intel/TranscriptSearchPage'),
    'TranscriptSearchPage',
  ),
});

/** The People section (web/src/features/people): each page shows the group in the URL, else the remembered one. */
const groupOnly = (raw: Record<string, unknown>): { group?: number } => {
  const { group } = parseCallSearch(raw);
  return group === undefined ? {} : { group };
};

const usersRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/users',
  validateSearch: groupOnly,
  component: lazyRouteComponent(() => import('../features/people/UsersPage'), 'UsersPage'),
});

const blacklistRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/blacklist',
  validateSearch: groupOnly,
  component: lazyRouteComponent(() => import('../features/people/BlacklistPage'), 'BlacklistPage'),
});

const sourcesRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/sources',
  validateSearch: groupOnly,
  component: lazyRouteComponent(() => import('../features/people/SourcesPage'), 'SourcesPage'),
});

const callActionsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/call-actions',
  validateSearch: groupOnly,
  component: lazyRouteComponent(() => import('../features/people/CallActionsPage'), 'CallActionsPage'),
});

const routeTree = rootRoute.addChildren([
  signInRoute,
  appRoute.addChildren([
    dashboardRoute,
    callsRoute,
    callRoute,
    webhooksRoute,
    flowsRoute,
    builderRoute,
    numbersRoute,
    reportsRoute,
    schedulesRoute,
    usageRoute,
    textsRoute,
    broadcastsRoute,
    transcriptsRoute,
    usersRoute,
    blacklistRoute,
    sourcesRoute,
    callActionsRoute,
  ]),
]);

/**
 * Search parameters as plain `key=value` pairs (not TanStack's JSON-in-URL default), so a shared
 * call-log URL reads like one: `/calls?outcome=answered&caller=2125550101`. Each route's
 * validateSearch turns the strings into typed values.
 */
const parseSearch = (search: string): Record<string, unknown> =>
  Object.fromEntries(new URLSearchParams(search.startsWith('?') ? search.slice(1) : search));

function stringifySearch(values: Record<string, unknown>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values))
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}

export const router = createRouter({
  routeTree,
  parseSearch,
  stringifySearch,
  context: { queryClient },
  defaultPreload: 'intent',
  defaultErrorComponent: ErrorPage,
  defaultPendingComponent: () => (
    <Center p="xl">
      <Loader aria-label="Loading" />
    </Center>
  ),
  scrollRestoration: true,
});

declare module '@tanstack/react-router' {
  interface Register {
    router: typeof router;
  }
}
