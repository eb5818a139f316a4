/** What a page view tells about the visit: hosts, traffic type, search words, UTMs, click ids. */

export interface PageViewInput {
  /** the page being viewed */
  page: string;
  /** the page the visit started on (the script keeps it across the visit's pages) */
  landing?: string | undefined;
  /** the referrer of the landing page (document.referrer when the visit started) */
  referrer?: string | undefined;
  /** query parameters of the landing page, as the script read them */
  params?: Record<string, string> | undefined;
}

export interface PageView {
  host: string;
  page: string;
  landing: string;
  referrer: string;
  referrerHost: string;
  referrerType: 'paid' | 'organic';
  searchWords: string | null;
  utm: {
    utm_source: string | null;
    utm_medium: string | null;
    utm_campaign: string | null;
    utm_term: string | null;
    utm_content: string | null;
  };
  gclid: string | null;
  /** every landing-page parameter, for the setting's custom parameters */
  params: Map<string, string>;
}

const MAX_VALUE = 255;
const UTM_NAMES = ['utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content'] as const;
/** Click ids and mediums that mark paid traffic. */
const PAID_CLICK_IDS = ['gclid', 'gbraid', 'wbraid', 'msclkid'];
const PAID_MEDIUM = /^(cpc|ppc|paid|paid[_-]?search|cpm|cpv|sem)$/i;
/** The query parameter search engines put the search words in. */
const SEARCH_WORD_PARAMS = ['q', 'p', 'query', 'text', 'wd', 'k', 'kw', 'terms', 'searchfor'];

function parseUrl(text: string | undefined): URL | undefined {
  if (!text) return undefined;
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}

const clip = (value: string | null | undefined) =>
  value === null || value === undefined || value.trim() === '' ? null : value.trim().slice(0, MAX_VALUE);

/** undefined when the page is not an http(s) URL: there is nothing to match it against. */
export function readPageView(input: PageViewInput): PageView | undefined {
  const page = parseUrl(input.page);
  if (!page) return undefined;
  const landing = parseUrl(input.landing) ?? page;
  const referrer = parseUrl(input.referrer);

  const params = new Map<string, string>();
  for (const [name, value] of landing.searchParams) if (!params.has(name)) params.set(name, value);
  for (const [name, value] of Object.entries(input.params ?? {})) {
    if (typeof value === 'string' && !params.has(name)) params.set(name, value);
  }
  const param = (name: string) => clip(params.get(name));

  const utm = Object.fromEntries(UTM_NAMES.map((name) => [name, param(name)])) as PageView['utm'];
  const isPaid =
    PAID_CLICK_IDS.some((name) => param(name) !== null) || PAID_MEDIUM.test(utm.utm_medium ?? '');
  const searchWords =
    SEARCH_WORD_PARAMS.map((name) => clip(referrer?.searchParams.get(name))).find(
      (words) => words !== null,
    ) ?? null;

  return {
    host: page.hostname.toLowerCase(),
    page: page.href,
    landing: landing.href,
    referrer: referrer?.href ?? '',
    referrerHost: referrer?.hostname.toLowerCase() ?? '',
    referrerType: isPaid ? 'paid' : 'organic',
    searchWords,
    utm,
    gclid: param('gclid'),
    params,
  };
}

/** The setting's custom parameters (comma-separated names) found on the landing page. */
export function customParams(view: PageView, names: string): Record<string, string> {
  const found: Record<string, string> = {};
  for (const name of names.split(',').map((part) => part.trim())) {
    const value = name === '' ? null : clip(view.params.get(name));
    if (value !== null) found[name] = value;
  }
  return found;
}

/** (949) 555-0100, the form a page shows when it has no number of its own to copy. */
export const formatNanp = (number: string) =>
  `(${number.slice(0, 3)}) ${number.slice(3, 6)}-${number.slice(6)}`;
