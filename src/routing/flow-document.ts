/**
 * The call-flow document the engine runs: a flow's stored JSON, as V2 spells it. The engine owns
 * this shape; the HTTP schemas in modules/callflows are checked against it at compile time.
 */

export const IVR_ACTIONS = ['simple', 'interactiveVoice', 'geo', 'schedule', 'voicemail', 'hangup'] as const;

export const ROUTE_BY = [
  'Claimed State',
  'Claimed Zip',
  'Area Code Proximity',
  'Zip Code Proximity',
] as const;

export const SCHEDULE_DAY_IDS = [
  'AllDays',
  'Weekdays',
  'Weekends',
  'Monday',
  'Tuesday',
  'Wednesday',
  'Thursday',
  'Friday',
  'Saturday',
  'Sunday',
] as const;

/** A phone number as V2 accepts it: 10 digits as a string or an integer (0 or '' = none). */
export type PhoneNumberInput = string | number;

export type Disclaimer = 'before' | 'after' | 'never';

export interface OverflowNumber {
  overflowNumber: PhoneNumberInput;
  /** 1 ring = 6 seconds */
  rings: number;
}

export interface GeoData {
  route_by: (typeof ROUTE_BY)[number];
  /** miles, for the proximity modes */
  proximity_limit?: number;
  location_id?: number;
  target_did?: PhoneNumberInput;
}

export interface Schedule {
  schedule_days: { id: (typeof SCHEDULE_DAY_IDS)[number] }[];
  schedule_start_time: string;
  schedule_end_time: string;
  ring_to: PhoneNumberInput;
  isSimultaneous?: boolean;
  overflowNumbers?: OverflowNumber[];
  voicemail_enabled?: boolean;
}

export interface ScheduleRoute {
  timezone: string;
  default_ringto?: PhoneNumberInput;
  voicemail_enabled?: boolean;
  schedules: Schedule[];
}

export interface IvrOption {
  key: number;
  action: (typeof IVR_ACTIONS)[number];
  destination?: string;
  message?: string;
  ivrData?: IvrOption[];
  /** `allow_manual_entry` comes only with a GeoRoute's `geo_route` */
  geoData?: GeoData & { allow_manual_entry?: boolean };
  scheduleRoute?: ScheduleRoute;
  target_did?: PhoneNumberInput;
  isSimultaneous?: boolean;
  overflowNumbers?: OverflowNumber[];
  record_enabled?: boolean;
  play_disclaimer?: Disclaimer;
  whisper_enabled?: boolean;
  whisper_message?: string;
  screen_calls?: boolean;
  voicemail_enabled?: boolean;
  go_back_key?: number;
}

/** A multi-level IVR flow: `message` is the top menu prompt and `ivrs` its options. */
export interface MultilevelIvrFlow {
  call_flow_id?: number;
  call_flow_name: string;
  call_flow_status?: 'active' | 'inactive' | 'suspended';
  repeat_interval?: number;
  call_value?: number;
  channel_id: number;
  message?: string;
  group_id: number;
  campaign_id: number;
  email_to_notify?: string;
  voicemail_rings?: number;
  ring_delay?: number;
  screen_calls?: boolean;
  dnis_as_cid?: boolean;
  voicemail_greeting?: string;
  /** texts to the number are forwarded and answered as `sms_feature` says */
  sms_enabled?: boolean;
  sms_feature?: { forward_to?: PhoneNumberInput; auto_reply?: string };
  webhook_enabled?: boolean;
  webhook_id?: number;
  spam_threshold?: number;
  spam_filter_enabled?: boolean;
  referral_number?: PhoneNumberInput;
  number?: { phone_number_id?: number; phone_number?: PhoneNumberInput };
  number_pool?: {
    pool_id?: number;
    pool_name?: string;
    keep_alive_minutes?: number;
    number_quantity?: number;
    npa?: number | string;
    nxx?: number | string;
  };
  ivrs: IvrOption[];
}
