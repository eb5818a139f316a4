import type { FastifyInstance, FastifyRequest } from 'fastify';
import { invalidInput } from '../errors.js';

const NUL = '\u0000';

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
