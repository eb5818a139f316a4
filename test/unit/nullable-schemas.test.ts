import { type TSchema, Type } from '@sinclair/typebox';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { NullableInteger, NullableNumber, NullableString } from '../../src/http/schemas.js';
import { createValidatorCompiler } from '../../src/http/validation.js';

const plain = (schema: unknown) => JSON.parse(JSON.stringify(schema));

describe('nullable schema atoms', () => {
  it('are type lists that keep their options', () => {
    expect(plain(NullableString())).toEqual({ type: ['string', 'null'] });
    expect(plain(NullableString({ format: 'date-time', description: 'ends' }))).toEqual({
      type: ['string', 'null'],
      format: 'date-time',
      description: 'ends',
    });
    expect(plain(NullableInteger({ minimum: 0, description: 'seconds' }))).toEqual({
      type: ['integer', 'null'],
      minimum: 0,
      description: 'seconds',
    });
    expect(plain(NullableNumber({ maximum: 90 }))).toEqual({ type: ['number', 'null'], maximum: 90 });
  });

  it('add null to an enum, which would otherwise refuse it', () => {
    const schema = NullableString({ enum: ['on', 'off'] });
    expect(plain(schema)).toEqual({ type: ['string', 'null'], enum: ['on', 'off', null] });
    const validate = createValidatorCompiler()({
      schema: Type.Object({ v: schema }),
      httpPart: 'body',
    }) as (data: unknown) => boolean;
    expect(validate({ v: null })).toBe(true);
    expect(validate({ v: 'on' })).toBe(true);
    expect(validate({ v: 'dim' })).toBe(false);
  });

  it('read a query string as the anyOf with null did, but word a wrong type differently', () => {
    const compile = createValidatorCompiler();
    const read = (schema: TSchema) => (value: string) => {
      const data = { v: value };
      const validate = compile({ schema: Type.Object({ v: schema }), httpPart: 'querystring' }) as ((
        d: unknown,
      ) => boolean) & { errors: { keyword: string }[] };
      return validate(data) ? data.v : validate.errors.map((e) => e.keyword).join();
    };
    const values = ['5', '', 'null', 'x'];
    expect(values.map(read(NullableInteger()))).toEqual([5, null, 'type', 'type']);
    expect(values.map(read(Type.Union([Type.Integer(), Type.Null()])))).toEqual([
      5,
      null,
      'type,type,anyOf',
      'type,type,anyOf',
    ]);
    expect(values.map(read(NullableString()))).toEqual(values);
    expect(values.map(read(Type.Union([Type.String(), Type.Null()])))).toEqual(values);
  });

  it('serialise as the anyOf with null did', async () => {
    const cases = [
      [NullableString(), Type.Union([Type.String(), Type.Null()]), [null, '', 'a', new Date(0)]],
      [NullableInteger(), Type.Union([Type.Integer(), Type.Null()]), [null, 0, -3, 2_147_483_647]],
      [NullableNumber(), Type.Union([Type.Number(), Type.Null()]), [null, 0, 5.5, -1e-7]],
    ] as const;
    const app = Fastify();
    cases.forEach(([list, anyOf, values], i) => {
      for (const [form, schema] of [
        ['list', list],
        ['anyOf', anyOf],
      ] as const) {
        app.get(
          `/${form}/${i}/:n`,
          { schema: { response: { 200: Type.Object({ v: schema }) } } },
          async (request) => ({
            v: values[Number((request.params as { n: string }).n)],
          }),
        );
      }
    });
    for (const [i, [, , values]] of cases.entries()) {
      for (const n of values.keys()) {
        const viaList = await app.inject(`/list/${i}/${n}`);
        const viaAnyOf = await app.inject(`/anyOf/${i}/${n}`);
        expect(viaList.body, viaList.body).toBe(viaAnyOf.body);
        expect(viaList.statusCode).toBe(200);
      }
    }
    await app.close();
  });
});
