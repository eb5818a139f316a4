import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';

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

function sendIndex(reply: FastifyReply) {
  return reply
    .header('cache-control', 'no-cache')
    .header('content-security-policy', CONTENT_SECURITY_POLICY)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'same-origin')
    .sendFile('index.html');
}

/**
 * Serves the console at `/`: the built files (hashed assets cached for a year, each also served
 * gzip- or brotli-compressed when the build wrote those copies) and `index.html` for every other
 * GET that is not an API or carrier path, so a console URL opened directly (or reloaded) works.
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
  app.get('/', { schema: { hide: true } }, async (_request, reply) => sendIndex(reply));
  app.get('/*', { schema: { hide: true } }, async (request, reply) => {
    const path = request.url;
    if (isServerPath(path) || path.startsWith('/assets/')) return reply.callNotFound();
    return sendIndex(reply);
  });
}
