import type { Db } from '../../db/index.js';
import { invalidInput, notFound } from '../../errors.js';
import type { Clock } from '../../lib/clock.js';
import { toNanp10 } from '../../lib/phone.js';
import { type DryRunResult, dryRun } from '../../routing/dry-run.js';
import type { FlowCache } from '../../telephony/flow-cache.js';
import type { Principal } from '../auth/principal.js';
import { lookupNpa, lookupZip } from '../misc/geo.js';
import { inScope } from '../shared/sql.js';

export interface SimulateRequest {
  call_flow_id: number;
  from?: string | number | undefined;
  press?: string[] | undefined;
  at?: string | undefined;
  answer?: string | undefined;
  from_state?: string | undefined;
  from_zip?: string | undefined;
}

export function createSimulateService({ db, clock, flows }: { db: Db; clock: Clock; flows: FlowCache }) {
  return {
    /** What a call to the flow would do with these inputs; creates no call. */
    async simulate(principal: Principal, request: SimulateRequest): Promise<DryRunResult> {
      const { rowCount } = await db.query(
        `select 1 from call_flow where call_flow_id = $2 and ${inScope('group_id', '$1')}`,
        [principal.groupId, request.call_flow_id],
      );
      if (rowCount === 0) throw notFound();
      const flow = await flows.current(request.call_flow_id);
      if (!flow)
        throw invalidInput(`call_flow_id ${request.call_flow_id} has no route the simulator can run yet`);
      const now = request.at ? new Date(request.at) : clock.now();
      if (Number.isNaN(now.getTime())) throw invalidInput(`at ${request.at} is not a date-time`);
      const from = request.from === undefined ? '2125550100' : toNanp10(request.from);
      if (!from) throw invalidInput(`from ${request.from} is not a valid 10-digit phone number`);
      const place = (request.from_zip && lookupZip(request.from_zip)) || lookupNpa(from.slice(0, 3));
      return dryRun(flow.program, {
        context: {
          now,
          from,
          fromState: request.from_state ?? place?.state,
          fromZip: request.from_zip,
          callerPoint: place ? { latitude: place.latitude, longitude: place.longitude } : undefined,
          placeOfZip: lookupZip,
        },
        press: request.press ?? [],
        answer: request.answer ?? 'first',
      });
    },
  };
}

export type SimulateService = ReturnType<typeof createSimulateService>;
