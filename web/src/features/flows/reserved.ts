import { queryOptions } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { ReservedNumber } from '../../api/types';

/** Numbers reserved for the user's groups and not yet on a flow: what a new flow can track with. */
export const reservedNumbersQuery = queryOptions({
  queryKey: ['numbers', 'reserved'],
  queryFn: async () => {
    const data = await api.get<ReservedNumber[] | string>('/v2/number/reserved', { limit: 1000 });
    return Array.isArray(data) ? data : [];
  },
});
