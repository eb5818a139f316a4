import { samplePools } from '../src/modules/dni/pool-sampler.js';
import { CLIENT, DEMO_PASSWORD, type DemoServer } from './demo-data.js';

/**
 * A number pool for the screenshots' Numbers page: a flow on six numbers of the inventory with a
 * session DNI setting, a month of usage samples (synthetic, as the demo's other history is:
 * busy in the day, quiet at night, exhausted at a few peaks), and visitors holding numbers now.
 */
const SLOT = 15 * 60_000;
const SIZE = 6;

const VISITORS = [
  { landing: '/emergency-plumber?utm_source=google&utm_medium=cpc', referrer: 'https://www.google.com/' },
  { landing: '/water-heaters', referrer: 'https://www.bing.com/' },
  { landing: '/', referrer: '' },
  { landing: '/roof-repair?utm_source=facebook', referrer: 'https://www.facebook.com/' },
  { landing: '/reviews', referrer: 'https://www.yelp.com/' },
];

export async function populatePool(demo: DemoServer, now: Date): Promise<void> {
  const { access_token: token } = await demo.app.services.auth.passwordGrant({
    username: demo.adminEmail,
    password: DEMO_PASSWORD,
    ...CLIENT,
  });
  const request = async (url: string, body: unknown) => {
    const response = await demo.app.inject({
      method: 'POST',
      url,
      headers: { authorization: `Bearer ${token}` },
      payload: body as object,
    });
    if (response.statusCode !== 200) throw new Error(`POST ${url}: ${response.body}`);
    return response.json();
  };
  const { company } = demo.groups;
  demo.clock.set(now);
  const [campaign] = await request('/v2/campaign', [
    {
      campaign_name: 'Website',
      campaign_start_date: new Date(now.getTime() - 30 * 86_400_000).toISOString(),
      campaign_owner_user_id: 1,
      group_id: company,
    },
  ]);
  const [flow] = await request('/v2/callflow/multilevelivr', [
    {
      call_flow_name: 'Website visitors',
      group_id: company,
      campaign_id: Number(campaign.data),
      channel_id: 7,
      number_pool: {
        pool_name: 'acmeplumbing.example',
        number_quantity: SIZE,
        npa: 949,
        nxx: 555,
        keep_alive_minutes: 30,
      },
      ivrs: [{ key: 1, action: 'simple', destination: 'Sales', target_did: 8015550110 }],
    },
  ]);
  if (flow?.result !== 'success') throw new Error(`the pool flow was refused: ${JSON.stringify(flow)}`);
  const callFlowId = Number(flow.data);
  const setting = await request('/v2/callflow/dni', [
    {
      group_id: company,
      call_flow_id: callFlowId,
      dni_type: 'session',
      dni_element: 'dni_element',
      destination_url: '*.*',
      referrer: '*.*',
      custom_cookie: '',
      TTL: 30,
    },
  ]);
  if (setting.data?.[0]?.result !== 'success')
    throw new Error(`the pool's DNI setting was refused: ${JSON.stringify(setting)}`);
  const { rows } = await demo.db.query<{ pool_id: number; dni_code: string }>(
    `select f.pool_id, g.dni_code from call_flow f join org_group g on g.group_id = f.group_id
      where f.call_flow_id = $1`,
    [callFlowId],
  );
  const { pool_id: poolId, dni_code: code } = rows[0] as { pool_id: number; dni_code: string };

  // a month of samples, every 15 minutes: visitors follow the working day, peaking past the pool
  const last = Math.floor(now.getTime() / SLOT) * SLOT - SLOT;
  const values: unknown[] = [];
  const tuples: string[] = [];
  for (let at = last - 30 * 86_400_000; at <= last; at += SLOT) {
    const hour = new Date(at - 8 * 3_600_000).getUTCHours(); // Pacific time, near enough
    const weekday = new Date(at - 8 * 3_600_000).getUTCDay();
    const day = Math.max(0, Math.sin(((hour - 6) / 14) * Math.PI));
    const wave = (Math.sin(at / 5_400_000) + 1) / 2;
    const visitors = Math.round(day * (weekday === 0 || weekday === 6 ? 4 : 7) * (0.6 + 0.4 * wave));
    const leased = Math.min(SIZE, visitors);
    const sharing = visitors > SIZE ? Math.min(visitors, 2 * (visitors - SIZE)) : 0;
    const started = Math.round(visitors * 0.8);
    const sharedStarted = visitors > SIZE ? Math.min(started, visitors - SIZE) : 0;
    const n = values.length;
    tuples.push(`($${n + 1}, $${n + 2}, ${SIZE}, $${n + 3}, $${n + 4}, $${n + 5}, $${n + 6}, $${n + 7})`);
    values.push(poolId, new Date(at), leased, visitors, sharing, started, sharedStarted);
    if (tuples.length === 500 || at + SLOT > last) {
      await demo.db.query(
        `insert into number_pool_sample
           (pool_id, sampled_at, size, leased, live_visitors, shared_visitors, leases_started, shared_started)
         values ${tuples.join(', ')}`,
        values,
      );
      tuples.length = 0;
      values.length = 0;
    }
  }

  // visitors on the site now, a few minutes apart
  for (const [index, visitor] of VISITORS.entries()) {
    demo.clock.set(new Date(now.getTime() - (VISITORS.length - index) * 4 * 60_000));
    const response = await demo.app.inject({
      method: 'POST',
      url: '/dni/v1/number',
      headers: { 'content-type': 'text/plain;charset=UTF-8', origin: 'https://www.acmeplumbing.example' },
      payload: JSON.stringify({
        code,
        visitor: `demo-visitor-${index + 1}`,
        page: `https://www.acmeplumbing.example${visitor.landing}`,
        landing: `https://www.acmeplumbing.example${visitor.landing}`,
        referrer: visitor.referrer,
      }),
    });
    if (response.statusCode !== 200 || response.json().number === null)
      throw new Error(`a demo visit got no number: ${response.body}`);
  }
  demo.clock.set(now);
  await samplePools(demo.db, { now, sampleMinutes: 15, keepDays: 90 });
}
