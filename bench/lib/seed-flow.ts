/**
 * The seed's example body (../shared/seed/create-call-flows-with-multilevel-ivr.txt): a
 * three-level IVR whose options use every action the seed shows (simple with hunt, sub-menus,
 * geo, schedule, voicemail, hangup), its placeholders replaced with valid references.
 */
export function seedFlow(refs: { groupId: number; campaignId: number; locationId: number; number: string }) {
  return {
    call_flow_id: 0,
    call_flow_name: 'Main line IVR',
    call_flow_status: 'active',
    repeat_interval: 72,
    call_value: 25,
    channel_id: 7,
    message: 'Thanks for calling. For sales press 1, for service press 2.',
    group_id: refs.groupId,
    campaign_id: refs.campaignId,
    email_to_notify: 'user@example.com',
    voicemail_rings: 3,
    voicemail_greeting: 'Please leave a message.',
    webhook_enabled: false,
    webhook_id: 0,
    // the lowest threshold a flow may set: a caller with attestation B passes until its third call in an hour
    spam_threshold: 21,
    spam_filter_enabled: true,
    referral_number: 8015550199,
    number: { phone_number_id: 0, phone_number: Number(refs.number) },
    ivrs: [
      {
        key: 1,
        action: 'simple',
        destination: 'Sales',
        message: 'Connecting you to sales.',
        target_did: 8015550110,
        isSimultaneous: true,
        overflowNumbers: [
          { overflowNumber: 8015550111, rings: 2 },
          { overflowNumber: 8015550112, rings: 3 },
        ],
        record_enabled: true,
        play_disclaimer: 'before',
        whisper_enabled: true,
        whisper_message: 'Sales call from the website',
        voicemail_enabled: true,
      },
      {
        key: 2,
        action: 'interactiveVoice',
        destination: 'Service menu',
        message: 'For repairs press 1, for the nearest branch press 2, for hours press 3.',
        ivrData: [
          {
            key: 1,
            action: 'interactiveVoice',
            destination: 'Repairs',
            message: 'For urgent repairs press 1.',
            go_back_key: 9,
            ivrData: [
              {
                key: 1,
                action: 'simple',
                destination: 'Urgent',
                message: 'Connecting.',
                target_did: 8015550120,
                isSimultaneous: false,
                overflowNumbers: [{ overflowNumber: 8015550121, rings: 1 }],
                record_enabled: false,
                play_disclaimer: 'never',
                whisper_enabled: false,
                whisper_message: '',
                voicemail_enabled: false,
                go_back_key: 9,
              },
            ],
          },
          {
            key: 2,
            action: 'geo',
            destination: 'Nearest branch',
            message: 'Finding your nearest branch.',
            geoData: {
              route_by: 'Zip Code Proximity',
              proximity_limit: 25,
              location_id: refs.locationId,
              target_did: 8015550130,
            },
            go_back_key: 9,
          },
          {
            key: 3,
            action: 'schedule',
            destination: 'Hours',
            message: 'One moment.',
            scheduleRoute: {
              timezone: 'Atlantic',
              default_ringto: 8015550100,
              voicemail_enabled: false,
              schedules: [
                {
                  schedule_days: [{ id: 'Weekdays' }],
                  schedule_start_time: '08:00',
                  schedule_end_time: '17:30',
                  ring_to: 8015550101,
                  overflowNumbers: [{ overflowNumber: 8015550102, rings: 2 }],
                  isSimultaneous: false,
                  voicemail_enabled: true,
                },
              ],
            },
            go_back_key: 9,
          },
        ],
      },
      { key: 3, action: 'voicemail', destination: 'Voicemail', message: 'Leave a message after the tone.' },
      { key: 0, action: 'hangup', destination: 'Goodbye', message: 'Goodbye.' },
    ],
  };
}

/** The numbers /bench/fixtures/numbers creates for an area code, in order. */
export const fixtureNumber = (npa: string, i: number) =>
  `${npa}${200 + Math.floor(i / 10_000)}${String(i % 10_000).padStart(4, '0')}`;
