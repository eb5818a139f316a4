import { lookupZip, zipsOfState } from '../misc/geo.js';

/** Where times are shown when neither a group nor any group above it has an address. */
export const DEFAULT_GROUP_TIME_ZONE = 'UTC';

export interface GroupPlace {
  group_id: number;
  group_parent_id: number | null;
  zip: string | null;
  state: string | null;
}

const stateZones = new Map<string, string | undefined>();

/** The zone of a state: the zone of its first ZIP code (a state's main zone for most states). */
function zoneOfState(state: string): string | undefined {
  const key = state.toUpperCase();
  if (!stateZones.has(key)) {
    const zip = zipsOfState(key)[0];
    stateZones.set(key, zip === undefined ? undefined : lookupZip(zip)?.timezone);
  }
  return stateZones.get(key);
}

/**
 * Each group's time zone (the console shows times in it, and reports bucket days by it): from
 * its ZIP code, else its state, else its parent's, else UTC. `groups` lists parents before their
 * children; a parent outside the list counts as having no zone.
 */
export function groupTimeZones(groups: readonly GroupPlace[]): Map<number, string> {
  const zones = new Map<number, string>();
  for (const group of groups) {
    const own =
      (group.zip ? lookupZip(group.zip.slice(0, 5))?.timezone : undefined) ??
      (group.state ? zoneOfState(group.state) : undefined);
    const inherited = group.group_parent_id === null ? undefined : zones.get(group.group_parent_id);
    zones.set(group.group_id, own ?? inherited ?? DEFAULT_GROUP_TIME_ZONE);
  }
  return zones;
}
