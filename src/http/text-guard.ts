import type { FastifyInstance, FastifyRequest } from 'fastify';
import { invalidInput } from '../errors.js';

const NUL = '\u0000';

/**
 * How deep a JSON body may nest (objects and arrays). The deepest document the API takes, a call
 * flow with its sub-menus in a batch, nests about 20 levels; far deeper input is an attack on
 * whatever walks it recursively (a few thousand levels overflow the stack).
 */
export const MAX_JSON_DEPTH = 64;

/** A JSON body nesting deeper than MAX_JSON_DEPTH: a 400 naming the limit. */
export class JsonTooDeepError extends Error {
  override name = 'JsonTooDeepError';
  readonly statusCode = 400;
  readonly limit = MAX_JSON_DEPTH;

  constructor() {
    super(`The JSON body nests more than ${MAX_JSON_DEPTH} levels deep`);
  }
}

/**
 * True when JSON text nests objects and arrays deeper than `limit`, judged on the raw text in
 * one pass (brackets outside strings), so nothing deep is ever parsed or walked. Text that is not
 * JSON is left to the parser to refuse.
 */
export function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (inString) {
      if (char === 0x5c)
        i++; // a backslash escapes the next character
      else if (char === 0x22) inString = false;
    } else if (char === 0x22) {
      inString = true;
    } else if (char === 0x7b || char === 0x5b) {
      depth++;
      if (depth > limit) return true;
    } else if (char === 0x7d || char === 0x5d) {
      depth--;
    }
  }
  return false;
}

/** Parses a JSON body with Fastify's own parser (prototype poisoning refused) once its depth is known to be safe. */
export function boundJsonDepth(app: FastifyInstance) {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (nestsDeeperThan(body as string, MAX_JSON_DEPTH)) return done(new JsonTooDeepError(), undefined);
    parse(request, body as string, done);
  });
}

/** Binary data and streams (an upload) are not text and are not walked. */
const isOpaque = (value: object) =>
  ArrayBuffer.isView(value) || typeof (value as { pipe?: unknown }).pipe === 'function';

/**
 * Where a value holds a NUL character (in a string or an object key), as a path from `path`
 * (`body[0].campaign_name`); undefined when nowhere. Binary data and streams are not walked.
 */
export function findNul(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return value.includes(NUL) ? path : undefined;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = findNul(item, `${path}[${index}]`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object' && !isOpaque(value)) {
    for (const [key, item] of Object.entries(value)) {
      if (key.includes(NUL)) return path;
      const found = findNul(item, `${path}.${key}`);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** The 400 for a NUL character found at `where` (`body[0].campaign_name`, `query.filter` ...). */
export const nulCharacterError = (where: string) =>
  invalidInput(`Invalid text in ${where}: the NUL character (\\u0000) is not allowed`);

/**
 * PostgreSQL stores no NUL character in text or jsonb, so a request carrying one (`\u0000` in
 * JSON, `%00` in a query or form) is refused before any route runs: a 400 that names the field,
 * where the database would have failed the statement (a 500, and for a batched write every item
 * of its batch).
 */
export function refuseNulCharacters(app: FastifyInstance) {
  app.addHook('preValidation', async (request: FastifyRequest) => {
    const where =
      findNul(request.body, 'body') ?? findNul(request.query, 'query') ?? findNul(request.params, 'params');
    if (where !== undefined) throw nulCharacterError(where);
  });
}
