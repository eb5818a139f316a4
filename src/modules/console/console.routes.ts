import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** The console as `npm run build` writes it (web/dist), from src/ and from dist/ alike. */
export const CONSOLE_DIST_DIR = fileURLToPath(new URL('../../../web/dist/', import.meta.url));

/** Paths that belong to the API and the carrier edge: never the console's, even when unknown. */
const SERVER_PREFIXES = [
  '/v2',
  '/docs',
  '/openapi.json',
  '/telephony',
  '/dni',
  '/oauth',
  '/health',
  '/ready',
  '/bench',
];

const isServerPath = (path: string) =>
  SERVER_PREFIXES.some(
    (prefix) => path === prefix || path.startsWith(`${prefix}/`) || path.startsWith(`${prefix}?`),
  );

/**
 * What the browser may load on a console page: only this server's scripts, styles (the component
 * kit sets inline style attributes), images, audio and connections; no frames, no plugins.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "connect-src 'self'",
  "font-src 'self' data:",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

function sendIndex(reply: FastifyReply, html: Buffer) {
  return reply
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-cache')
    .header('content-security-policy', CONTENT_SECURITY_POLICY)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'same-origin')
    .send(html);
}

export type ConsoleFallback = (request: FastifyRequest, reply: FastifyReply) => FastifyReply | undefined;

/**
 * A console URL opened directly (or reloaded) is an unknown path to the router: the not-found
 * handler asks this first. A browser navigating (GET or HEAD, accepting text/html) to a path that
 * is not the API's, the carrier's or an asset gets `index.html`; everything else (an API client's
 * unknown path, a missing asset) keeps its 404 in the path's error shape. Undefined when the
 * console is not built.
 */
export function createConsoleFallback(distDir = CONSOLE_DIST_DIR): ConsoleFallback | undefined {
  if (!existsSync(`${distDir}index.html`)) return undefined;
  const html = readFileSync(`${distDir}index.html`);
  return (request, reply) => {
    const path = request.url;
    const isNavigation =
      (request.method === 'GET' || request.method === 'HEAD') &&
      (request.headers.accept ?? '').includes('text/html');
    if (!isNavigation || isServerPath(path) || path.startsWith('/assets/')) return undefined;
    return sendIndex(reply, html);
  };
}

/**
 * Serves the console's built files at `/`: hashed assets cached for a year, each also served
 * gzip- or brotli-compressed when the build wrote those copies. Every other console path is the
 * not-found handler's (createConsoleFallback), so the router's own answers (a 414 for an
 * over-long path segment, a 404 for an API client) are untouched.
 */
export async function consoleRoutes(
  app: FastifyInstance,
  { distDir = CONSOLE_DIST_DIR }: { distDir?: string },
) {
  if (!existsSync(`${distDir}index.html`)) {
    app.log.warn({ distDir }, 'the console is not built (npm run build): / serves a notice instead');
    app.get('/', { schema: { hide: true } }, async (_request, reply) =>
      reply
        .type('text/plain; charset=utf-8')
        .send('The Switchboard console is not built. Run `npm run build` (npm start does), then restart.\n'),
    );
    return;
  }
  const html = readFileSync(`${distDir}index.html`);
  await app.register(fastifyStatic, {
    root: distDir,
    prefix: '/',
    wildcard: false,
    index: false,
    preCompressed: true,
    cacheControl: false,
    setHeaders: (reply, path) => {
      const isHashedAsset = path.includes('/assets/');
      reply.header('cache-control', isHashedAsset ? 'public, max-age=31536000, immutable' : 'no-cache');
      reply.header('x-content-type-options', 'nosniff');
    },
  });
  app.get('/', { schema: { hide: true } }, async (_request, reply) => sendIndex(reply, html));
}
