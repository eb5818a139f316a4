import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext, type TestUser } from '../helpers/app.js';
import { insertCalls } from '../helpers/calls.js';

/** Transcript search: full-text (tsvector + GIN) with phrases, highlights and the call-log filters. */
let ctx: TestContext;
let h: Awaited<ReturnType<TestContext['factory']['hierarchy']>>;
let outsider: TestUser;
const ids: Record<string, number> = {};

type Segment = { speaker: string; start_ms: number; end_ms: number; text: string };

async function transcript(callId: number, segments: Segment[]) {
  await ctx.db.query(
    `insert into call_transcript (call_id, transcript_status, language, transcript, segments, transcript_created)
     values ($1, 'done', 'en', $2, $3, now())`,
    [callId, segments.map((segment) => segment.text).join('\n'), JSON.stringify(segments)],
  );
}

beforeAll(async () => {
  ctx = await createTestContext();
  h = await ctx.factory.hierarchy();
  const otherCompany = await ctx.factory.group(h.agency);
  outsider = await ctx.factory.user(await ctx.factory.group());
  const [quote, pricing, unrelated, location, other, foreign] = (await insertCalls(ctx, [
    { group_id: h.company, started_at: '2026-03-01T10:00:00Z', duration: 120 },
    { group_id: h.company, started_at: '2026-03-02T10:00:00Z', duration: 30, disposition: 'VOICEMAIL' },
    { group_id: h.company, started_at: '2026-03-03T10:00:00Z' },
    { group_id: h.location, started_at: '2026-03-04T10:00:00Z' },
    { group_id: otherCompany, started_at: '2026-03-05T10:00:00Z' },
    { group_id: outsider.group_id, started_at: '2026-03-06T10:00:00Z' },
  ])) as [number, number, number, number, number, number];
  Object.assign(ids, { quote, pricing, unrelated, location, other, foreign });
  await transcript(quote, [
    {
      speaker: 'caller',
      start_ms: 500,
      end_ms: 2000,
      text: 'Hi, I would like a price quote for a new roof.',
    },
    { speaker: 'agent', start_ms: 2500, end_ms: 4000, text: 'Sure <b>& welcome</b>, what is the address?' },
  ]);
  await transcript(pricing, [
    {
      speaker: 'caller',
      start_ms: 0,
      end_ms: 3000,
      text: 'Your pricing is too high, I will quote you later.',
    },
  ]);
  await transcript(unrelated, [
    { speaker: 'caller', start_ms: 0, end_ms: 1000, text: 'Wrong number, sorry.' },
  ]);
  for (const id of [location, other, foreign])
    await transcript(id, [{ speaker: 'caller', start_ms: 0, end_ms: 1000, text: 'I need a price quote.' }]);
});
afterAll(() => ctx.close());

const search = async (token: string, query: string, filter?: string) => {
  const params = new URLSearchParams({ query });
  if (filter) params.set('filter', filter);
  return ctx.request('GET', `/v2/call/transcription/search?${params}`, { token });
};
const idsOf = (body: { data: { call_id: number }[] }) => body.data.map((row) => row.call_id);

describe('GET /v2/call/transcription/search', () => {
  it('finds a phrase only where its words are said together, in the caller group subtree, newest first', async () => {
    const { status, body } = await search(h.companyAdmin.token, '"price quote"');
    expect(status).toBe(200);
    expect(idsOf(body)).toEqual([ids.location, ids.quote]);
    expect(
      (await search(h.agencyAdmin.token, '"price quote"')).body.data.map(
        (r: { call_id: number }) => r.call_id,
      ),
    ).toEqual([ids.other, ids.location, ids.quote]);
    expect(idsOf((await search(outsider.token, '"price quote"')).body)).toEqual([ids.foreign]);
  });

  it('matches word forms, all words without quotes, alternatives with or, and excludes -words', async () => {
    expect(idsOf((await search(h.companyAdmin.token, 'prices')).body)).toEqual([
      ids.location,
      ids.pricing,
      ids.quote,
    ]);
    expect(idsOf((await search(h.companyAdmin.token, 'quote roof')).body)).toEqual([ids.quote]);
    expect(idsOf((await search(h.companyAdmin.token, 'roof or wrong')).body)).toEqual([
      ids.unrelated,
      ids.quote,
    ]);
    expect(idsOf((await search(h.companyAdmin.token, 'quote -roof')).body)).toEqual([
      ids.location,
      ids.pricing,
    ]);
    expect((await search(h.companyAdmin.token, 'the')).body.data).toEqual([]);
  });

  it('highlights the hits in the headline and in each matching utterance, escaped', async () => {
    const { body } = await search(h.companyAdmin.token, 'quote', `call_id=${ids.quote}`);
    const [row] = body.data;
    expect(row.transcription).toMatchObject({ transcript_status: 'done', language: 'en' });
    expect(row.headline).toContain('<mark>quote</mark>');
    expect(row.matches).toEqual([
      {
        speaker: 'caller',
        start_ms: 500,
        end_ms: 2000,
        text: 'Hi, I would like a price quote for a new roof.',
        highlights: [[25, 30]],
        html: 'Hi, I would like a price <mark>quote</mark> for a new roof.',
      },
    ]);
    const escaped = await search(h.companyAdmin.token, 'welcome', `call_id=${ids.quote}`);
    expect(escaped.body.data[0].matches[0].html).toBe(
      'Sure &#60;b&#62;&#38; <mark>welcome</mark>&#60;/b&#62;, what is the address?',
    );
  });

  it('combines the search with the call-log filters', async () => {
    expect(idsOf((await search(h.companyAdmin.token, 'quote', 'duration>=60')).body)).toEqual([
      ids.location,
      ids.quote,
    ]);
    expect(idsOf((await search(h.companyAdmin.token, 'quote', 'disposition=VOICEMAIL')).body)).toEqual([
      ids.pricing,
    ]);
    expect(
      idsOf(
        (await search(h.companyAdmin.token, 'quote', `call_started<=2026-03-02,group_id=${h.company}`)).body,
      ),
    ).toEqual([ids.pricing, ids.quote]);
  });

  it('searches the subtree of group_id (a group of your scope), as the console does for the group it shows', async () => {
    const inLocation = await ctx.request(
      'GET',
      `/v2/call/transcription/search?query=quote&group_id=${h.location}`,
      { token: h.agencyAdmin.token },
    );
    expect(inLocation.status).toBe(200);
    expect(idsOf(inLocation.body)).toEqual([ids.location]);
    const inCompany = await ctx.request(
      'GET',
      `/v2/call/transcription/search?query=quote&group_id=${h.company}`,
      { token: h.agencyAdmin.token },
    );
    expect(idsOf(inCompany.body)).toEqual([ids.location, ids.pricing, ids.quote]);
    // a group above the caller's or outside it is refused, not searched
    for (const group of [h.agency, outsider.group_id]) {
      const refused = await ctx.request(
        'GET',
        `/v2/call/transcription/search?query=quote&group_id=${group}`,
        { token: h.companyAdmin.token },
      );
      expect(refused.status).toBe(400);
      expect(refused.body.err).toBe(`group_id ${group} is not a group you can access`);
    }
  });

  it('answers V2 validation errors for a missing or empty query and a bad filter, changing nothing', async () => {
    const missing = await ctx.request('GET', '/v2/call/transcription/search', {
      token: h.companyAdmin.token,
    });
    expect(missing.status).toBe(400);
    expect(missing.body.message).toBe('Validation errors');
    expect((await search(h.companyAdmin.token, '')).status).toBe(400);
    const badFilter = await search(h.companyAdmin.token, 'quote', 'nonsense=1');
    expect(badFilter.status).toBe(400);
    expect((await search(h.companyAdmin.token, '"unbalanced & | ! ( quote')).status).toBe(200);
  });
});
