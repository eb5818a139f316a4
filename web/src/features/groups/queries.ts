import { queryOptions, useMutation, useQueryClient, useSuspenseQuery } from '@tanstack/react-query';
import { useNavigate, useRouterState } from '@tanstack/react-router';
import { api } from '../../api/client';
import type { Me, ScopeGroup } from '../../api/types';
import { meQuery } from '../session/queries';

/** Every group the user can see, parents first, each with its time zone. */
export const groupsQuery = queryOptions({
  queryKey: ['me', 'groups'],
  queryFn: () => api.get<ScopeGroup[]>('/v2/me/groups'),
  staleTime: 5 * 60_000,
});

export interface CurrentGroup {
  me: Me;
  groups: ScopeGroup[];
  groupId: number;
  group: ScopeGroup | undefined;
  /** the group's IANA zone: every time and date range on the page is read in it */
  timeZone: string;
}

/**
 * The group every page shows (it and the groups below it): the one in the URL (a shared link),
 * else the one remembered for the user.
 */
export function useCurrentGroup(): CurrentGroup {
  const { data: me } = useSuspenseQuery(meQuery);
  const { data: groups } = useSuspenseQuery(groupsQuery);
  // The location's own search, read the same in the header (a layout, whose match does not hold
  // the page's validated search) and in the page: before, the header read a string where the page
  // read a number, matched no group, and showed the first one.
  const search = useRouterState({ select: (state) => state.location.search }) as { group?: unknown };
  const fromUrl = Number(search.group);
  const wanted = Number.isInteger(fromUrl) && fromUrl > 0 ? fromUrl : me.console_group_id;
  const group = groups.find((candidate) => candidate.group_id === wanted) ?? groups[0];
  return {
    me,
    groups,
    groupId: group?.group_id ?? me.group_id,
    group,
    timeZone: group?.time_zone ?? 'UTC',
  };
}

/** Switches the console to another group: remembered for the user, and put in the URL. */
export function useSwitchGroup() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  return useMutation({
    mutationFn: (groupId: number) => api.put<Me>('/v2/me/preferences', { console_group_id: groupId }),
    onSuccess: (me, groupId) => {
      queryClient.setQueryData(meQuery.queryKey, me);
      void navigate({
        to: '.',
        search: (previous: Record<string, unknown>) => ({ ...previous, group: groupId, page: undefined }),
      });
    },
  });
}
