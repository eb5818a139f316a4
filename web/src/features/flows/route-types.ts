/** The route types as people call them, by V2's stored `routable_type`. */
export const ROUTE_LABELS: Record<string, string> = {
  SimpleRoute: 'Ring a number',
  IvrRoute2: 'Phone menu (IVR)',
  GeoRoute: 'Nearest location',
  PercentageBasedRoute: 'Split by percentage',
  ScheduleRoute: 'By schedule',
  OutboundRoute: 'Outbound calling',
  VoicemailRoute: 'Voicemail',
};

export const routeLabel = (routableType: string) => ROUTE_LABELS[routableType] ?? routableType;

export const STATUS_COLORS: Record<string, string> = {
  active: 'teal',
  inactive: 'gray',
  suspended: 'orange',
  deleted: 'red',
};
