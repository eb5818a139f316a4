import { describe, expect, it } from 'vitest';
import { zoneOptions } from '../../web/src/features/reports/zones.js';

/** The report pages' time-zone picker: Mantine's Select throws on a value offered twice. */
describe('zoneOptions', () => {
  it.each(['UTC', 'America/Denver'])('offers each zone once when the group is in %s', (groupZone) => {
    const values = zoneOptions(groupZone).map((option) => option.value);
    expect(new Set(values).size).toBe(values.length);
    expect(values.slice(0, groupZone === 'UTC' ? 1 : 2)).toEqual(
      groupZone === 'UTC' ? ['UTC'] : [groupZone, 'UTC'],
    );
  });
});
