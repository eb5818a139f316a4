import { Ajv } from 'ajv';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { lazySerializers, lazyValidator } from '../../src/http/lazy-compile.js';

describe('lazyValidator', () => {
  it('compiles on the first call, once, and carries the errors fastify reads', () => {
    let compiled = 0;
    const ajv = new Ajv({ allErrors: true });
    const validate = lazyValidator(() => {
      compiled++;
      return ajv.compile({ type: 'object', required: ['a'] });
    });
    expect(compiled).toBe(0);
    expect(validate({})).toBe(false);
    expect(validate.errors?.[0]).toMatchObject({ keyword: 'required', params: { missingProperty: 'a' } });
    expect(validate({ a: 1 })).toBe(true);
    expect(validate.errors).toBeNull();
    expect(compiled).toBe(1);
  });
});

describe('lazySerializers', () => {
  it("serializes by the route's schema and the shared schemas it refers to", async () => {
    const app = Fastify({ schemaController: { compilersFactory: { buildSerializer: lazySerializers } } });
    app.addSchema({ $id: 'Thing', type: 'object', properties: { id: { type: 'integer' } } });
    app.get('/', { schema: { response: { 200: { $ref: 'Thing#' } } } }, async () => ({
      id: 7,
      secret: 'not in the schema',
    }));
    const response = await app.inject('/');
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('{"id":7}');
    await app.close();
  });
});
