/** The zones offered: the browser's list, the group's zone and UTC first. */
export function zoneOptions(groupZone: string) {
  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return [groupZone, 'UTC', ...zones.filter((zone) => zone !== groupZone && zone !== 'UTC')].map((zone) => ({
    value: zone,
    label: zone.replace(/_/g, ' '),
  }));
}
