import { simulateCall } from '../src/telephony/simulator.js';
import { CARRIER_TOKEN, carrierWebhook, DEMO_PASSWORD, type DemoServer } from './demo-data.js';

const CLIENT = { client_id: 'switchboard', client_secret: 'demo-client-secret' };

/**
 * The People section's demo (after populateDemo): colleagues with each role, a blacklist, custom
 * sources, tags and call actions, then a few calls so the actions have outcomes to show.
 */
export async function populatePeople(demo: DemoServer): Promise<void> {
  const { access_token: token } = await demo.app.services.auth.passwordGrant({
    username: demo.adminEmail,
    password: DEMO_PASSWORD,
    ...CLIENT,
  });
  const request = async (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, body?: unknown) => {
    const response = await demo.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}` },
      ...(body === undefined ? {} : { payload: body as object }),
    });
    if (response.statusCode !== 200) throw new Error(`${method} ${url}: ${response.body}`);
    return response.json();
  };
  const { company, location } = demo.groups;

  const users = [
    ['Maria', 'Lopez', 'maria.lopez@example.com', 'Marketing director', 1, company],
    ['James', 'Chen', 'james.chen@example.com', 'Call center lead', 2, company],
    ['Priya', 'Natarajan', 'priya@example.com', 'Front desk', 2, location],
    ['Tom', 'Becker', 'tom.becker@example.com', 'Agency analyst', 3, company],
    ['Alex', 'Kim', 'alex.kim@example.com', 'Former intern', 3, location],
  ] as const;
  const created = await request(
    'POST',
    '/v2/group/user',
    users.map(([first_name, last_name, user_email, user_title, role_id, group_id]) => ({
      first_name,
      last_name,
      user_email,
      user_title,
      role_id,
      group_id,
      password: 'demo-password-2',
    })),
  );
  const alex = created.data.at(-1).data as number;
  await request('PUT', '/v2/group/user', [{ ct_user_id: alex, user_status: 'inactive' }]);

  for (const number of [7145550666, 3105550999, 8885550123])
    await request('POST', '/v2/blacklistednumber', { number });
  await request('POST', '/v2/customsource', [
    { custom_source_name: 'Google Ads', org_unit_id: company },
    { custom_source_name: 'Yelp', org_unit_id: company },
    { custom_source_name: 'Billboard I-5 north', org_unit_id: company },
    { custom_source_name: 'Walk-in flyer', org_unit_id: location },
  ]);
  await request('POST', '/v2/tag', { tag_name: ['VIP', 'Needs callback', 'Spam'], group_id: company });

  const flows = (await request('GET', '/v2/callflow/list?limit=100')).data as {
    call_flow_id: number;
    call_flow_name: string;
  }[];
  const mainLine = flows.find((flow) => flow.call_flow_name.startsWith('Main line'))?.call_flow_id;
  await request('POST', '/v2/callaction', [
    {
      group_id: company,
      action: 'email_alert',
      action_target: 'sales@example.com, maria.lopez@example.com',
      rules: [
        {
          data_field: 'duration',
          operator: '>=',
          comparator: 60,
          join_type: 'AND',
          rule_order: 1,
          grouping: 1,
        },
        {
          data_field: 'repeat_caller',
          operator: '=',
          comparator: 'false',
          join_type: 'NONE',
          rule_order: 2,
          grouping: 1,
        },
      ],
    },
    {
      call_flow_id: mainLine,
      action: 'tag_call',
      action_target: 'Needs callback',
      rules: [
        {
          data_field: 'disposition',
          operator: '=',
          comparator: 'NO ANSWER',
          join_type: 'OR',
          rule_order: 1,
          grouping: 1,
        },
        {
          data_field: 'disposition',
          operator: '=',
          comparator: 'VOICEMAIL',
          join_type: 'AND',
          rule_order: 2,
          grouping: 2,
        },
        {
          data_field: 'caller_state',
          operator: '=',
          comparator: 'CA',
          join_type: 'NONE',
          rule_order: 3,
          grouping: 2,
        },
      ],
    },
    {
      group_id: company,
      action: 'set_call_value',
      action_target: '150',
      rules: [{ data_field: 'key_path', operator: 'begins with', comparator: '1', join_type: 'NONE' }],
    },
    {
      group_id: company,
      action: 'sms_alert',
      action_target: '9495550188',
      action_status: 'inactive',
      rules: [{ data_field: 'tags', operator: 'contains', comparator: 'VIP', join_type: 'NONE' }],
    },
  ]);

  const transport = async (url: string, params: Record<string, string>, signature: string) =>
    (await carrierWebhook(demo, url, params, signature)).body;
  for (const [from, press, answer] of [
    ['9495550142', ['1'], 'first'],
    ['7145550111', ['2', '1'], 'none'],
    ['5625550177', ['1'], 'first'],
  ] as const) {
    await simulateCall(
      { to: '9495550100', from, press: [...press], answer },
      {
        voiceUrl: `${demo.baseUrl}/telephony/twilio/voice`,
        statusUrl: `${demo.baseUrl}/telephony/twilio/status`,
        authToken: CARRIER_TOKEN,
        transport,
      },
    );
  }
  await demo.app.services.jobs.drain();
}
