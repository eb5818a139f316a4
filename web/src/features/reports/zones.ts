/** The zones offered: the group's zone and UTC first (once each, also when the group's zone is UTC), then the browser's list. */
export function zoneOptions(groupZone: string) {
  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return [...new Set([groupZone, 'UTC', ...zones])].map((zone) => ({
    value: zone,
    label: zone.replace(/_/g, ' '),
  }));
}
