import { describe, expect, it } from 'vitest';
import { heartbeatSeconds, snippetHtml } from '../../src/modules/dni/dni.service.js';
import { customParams, formatNanp, readPageView } from '../../src/modules/dni/dni.visit.js';

describe('readPageView', () => {
  it('takes hosts in lower case, UTMs and gclid from the landing page, search words from the referrer', () => {
    const view = readPageView({
      page: 'https://WWW.Example.com/contact',
      landing: 'https://www.example.com/?utm_source=bing&utm_medium=CPC&utm_campaign=x&gclid=g1',
      referrer: 'https://search.yahoo.com/search?p=water+heater',
    });
    expect(view).toMatchObject({
      host: 'www.example.com',
      referrerHost: 'search.yahoo.com',
      referrerType: 'paid',
      searchWords: 'water heater',
      utm: { utm_source: 'bing', utm_medium: 'CPC', utm_campaign: 'x', utm_term: null, utm_content: null },
      gclid: 'g1',
    });
  });

  it('is organic without a click id or a paid medium, and has no referrer host for direct traffic', () => {
    expect(readPageView({ page: 'https://a.example/?utm_medium=email' })).toMatchObject({
      referrerType: 'organic',
      referrer: '',
      referrerHost: '',
      searchWords: null,
      landing: 'https://a.example/?utm_medium=email',
    });
  });

  it.each(['nowhere', 'ftp://a.example/', 'javascript:alert(1)', ''])('refuses the page %j', (page) => {
    expect(readPageView({ page })).toBeUndefined();
  });

  it("ignores a referrer that is not an http(s) URL and prefers the landing page's parameters", () => {
    const view = readPageView({
      page: 'https://a.example/?promo=page',
      referrer: 'android-app://com.google',
      params: { promo: 'script', region: 'west' },
    });
    expect(view?.referrerHost).toBe('');
    expect(customParams(view as NonNullable<typeof view>, ' promo , region,missing,')).toEqual({
      promo: 'page',
      region: 'west',
    });
  });
});

describe('helpers', () => {
  it('formats a number as (xxx) xxx-xxxx', () => {
    expect(formatNanp('9495550100')).toBe('(949) 555-0100');
  });

  it('renews a third of the keep-alive, between 15 and 60 seconds', () => {
    expect([1, 2, 15, 30].map(heartbeatSeconds)).toEqual([20, 40, 60, 60]);
    expect(heartbeatSeconds(0)).toBe(15);
  });

  it("keeps V2's snippet with this server's URL and host", () => {
    const html = snippetHtml('https://calls.example.com:8443', 'abc123');
    expect(html).toContain("<script defer src='https://calls.example.com:8443/dni.js?app_id=CT' ></script>");
    expect(html).toContain("getDNIRecord('abc123', 'calls.example.com:8443');");
    expect(html.startsWith('<!-- Convirza Script Begins -->')).toBe(true);
    expect(html.endsWith('<!-- Convirza Script Ends -->')).toBe(true);
  });
});
