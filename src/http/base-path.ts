/**
 * PUBLIC_BASE_URL may name a path (`https://host/sb`) when a proxy serves Switchboard below it.
 * Requests are taken with that prefix (a proxy that passes paths through) and without it (a proxy
 * that strips it); either way routes see the path without it, and the carrier signature is
 * checked over PUBLIC_BASE_URL + that path, which is the URL the carrier called.
 */

/** The path of PUBLIC_BASE_URL without a trailing slash; '' when it has none. */
export function basePathOf(publicBaseUrl: string): string {
  try {
    return new URL(publicBaseUrl).pathname.replace(/\/+$/, '');
  } catch {
    return '';
  }
}

/** `url` (path and query) without the base path it starts with, if it does. */
export function withoutBasePath(url: string, basePath: string): string {
  if (basePath === '' || !url.startsWith(basePath)) return url;
  const rest = url.slice(basePath.length);
  if (rest === '' || rest.startsWith('?')) return `/${rest}`;
  return rest.startsWith('/') ? rest : url; // `/sbx` is not below `/sb`
}
