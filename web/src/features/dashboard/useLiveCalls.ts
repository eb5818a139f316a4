import { useEffect, useState } from 'react';
import type { LiveCall } from '../../api/types';

/** How long an ended call stays on the panel, so a supervisor sees how it ended. */
const ENDED_VISIBLE_MS = 15_000;

export interface LiveState {
  calls: LiveCall[];
  connected: boolean;
}

/**
 * The calls in progress of a group's subtree, pushed by the server (GET /v2/call/live, server-sent
 * events): a snapshot when the stream opens, then each change as it happens. The browser reconnects
 * by itself when the stream drops.
 */
export function useLiveCalls(groupId: number): LiveState {
  const [calls, setCalls] = useState<Map<number, LiveCall>>(new Map());
  const [connected, setConnected] = useState(false);

  useEffect(() => {
    const source = new EventSource(`/v2/call/live?group_id=${groupId}`);
    const timers = new Set<ReturnType<typeof setTimeout>>();
    source.addEventListener('open', () => setConnected(true));
    source.addEventListener('error', () => setConnected(false));
    source.addEventListener('snapshot', (event) => {
      const snapshot = JSON.parse((event as MessageEvent<string>).data) as LiveCall[];
      setCalls(new Map(snapshot.map((call) => [call.call_id, call])));
    });
    source.addEventListener('calls', (event) => {
      const changed = JSON.parse((event as MessageEvent<string>).data) as LiveCall[];
      setCalls((previous) => {
        const next = new Map(previous);
        for (const call of changed) {
          next.set(call.call_id, call);
          if (call.state === 'ended') {
            const timer = setTimeout(() => {
              timers.delete(timer);
              setCalls((current) => {
                const trimmed = new Map(current);
                trimmed.delete(call.call_id);
                return trimmed;
              });
            }, ENDED_VISIBLE_MS);
            timers.add(timer);
          }
        }
        return next;
      });
    });
    source.addEventListener('end', () => {
      source.close();
      setConnected(false);
    });
    return () => {
      source.close();
      for (const timer of timers) clearTimeout(timer);
    };
  }, [groupId]);

  const sorted = [...calls.values()].sort((a, b) => b.call_started.localeCompare(a.call_started));
  return { calls: sorted, connected };
}
