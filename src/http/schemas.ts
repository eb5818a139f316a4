import {
  type IntegerOptions,
  type NumberOptions,
  type SchemaOptions,
  type StringOptions,
  type TSchema,
  Type,
} from '@sinclair/typebox';
import { INT4_MAX } from '../db/db.js';
import { type ErrorCode, ErrorCodes } from '../errors.js';

/** Shared schema atoms: the V2 envelope, bulk results, list and id parameters, and the error bodies. */

export const Success = Type.Literal('success');

/** `{result, err, data}` as V2 sends it on success. */
export const Envelope = <T extends TSchema>(data: T) =>
  Type.Object({ result: Success, err: Type.Null(), data });

/** A V2 success reply (the body `Envelope` describes). */
export const success = <T>(data: T) => ({ result: 'success' as const, err: null, data });

/** The business-error body: `err` is usually a string, an array of strings on a few endpoints. */
export const V2Error = Type.Object(
  {
    result: Type.Literal('error'),
    err: Type.Union([Type.String(), Type.Array(Type.String()), Type.Null()]),
    data: Type.Unknown(),
  },
  { $id: 'V2Error', description: 'V2 business error' },
);

const InnerValidationError = Type.Object({
  code: Type.String(),
  message: Type.String(),
  path: Type.Array(Type.String()),
  description: Type.Optional(Type.String()),
});

export const V2ValidationError = Type.Object(
  {
    message: Type.Literal('Validation errors'),
    errors: Type.Array(
      Type.Object({
        code: Type.Literal('INVALID_REQUEST_PARAMETER'),
        errors: Type.Array(InnerValidationError),
        in: Type.String(),
        message: Type.String(),
        name: Type.String(),
        path: Type.Array(Type.String()),
      }),
    ),
  },
  { $id: 'V2ValidationError', description: 'V2 (swagger) validation error' },
);

/** Error responses every authenticated /v2 route may give, for the OpenAPI document. */
export const v2ErrorResponses = {
  400: Type.Union([Type.Ref(V2ValidationError), Type.Ref(V2Error)], { description: 'bad request' }),
  401: Type.Ref(V2Error, { description: 'missing, invalid or expired token' }),
  403: Type.Ref(V2Error, { description: 'not permitted' }),
  404: Type.Ref(V2Error, { description: 'no such record in your groups' }),
};

export const EntryResult = Type.Object({
  result: Type.Union([Type.Literal('success'), Type.Literal('error')]),
  data: Type.Union([Type.Integer(), Type.String()]),
  entry_count: Type.Integer({ minimum: 1 }),
});

/** Ids are PostgreSQL integers; a larger one is a validation error, never a database error. */
export const MAX_ID = INT4_MAX;

export const IdQuery = (description: string) =>
  Type.Object({ id: Type.Integer({ description, minimum: -MAX_ID, maximum: MAX_ID }) });

export const ListQuery = Type.Object({
  limit: Type.Integer({
    minimum: 0,
    maximum: 1000,
    default: 100,
    description: 'Maximum number of records to return',
  }),
  offset: Type.Integer({ minimum: 0, default: 0, description: 'Number of records to skip' }),
  filter: Type.Optional(
    Type.String({
      description:
        'Comma-separated rules <field><op><value>; op is =, !=, >= or <=; the value null is "no value". Percent-decoded once more, as V2 did, so a value encoded twice reads the same',
    }),
  ),
});

/** V2 phone numbers: 10-digit NANP, as a string or an integer. */
export const PhoneNumber = Type.String({ pattern: '^[2-9][0-9]{2}[2-9][0-9]{6}$' });

export const Timestamp = Type.String({ description: 'ISO 8601 timestamp' });

/*
 * `X | null` as a type list (`type: ['string', 'null']`), not an anyOf with null:
 * fast-json-stringify writes a type list after a typeof check but tries each anyOf branch with a
 * validator, which for a page of records is most of the serialising. @fastify/swagger shows both
 * as OpenAPI 3.0 `nullable: true`. In a request Ajv reads values alike but words a wrong type
 * differently ("Expected type integer,null", not ANY_OF_MISSING), so
 * test/api/nullable-fields.test.ts pins the request fields that accept null.
 */
function nullable<T>(type: 'string' | 'integer' | 'number', options: SchemaOptions) {
  // An enum lists every allowed value, so null must be among them.
  const { enum: values } = options;
  const allowed = Array.isArray(values) && !values.includes(null) ? { enum: [...values, null] } : {};
  return Type.Unsafe<T | null>({ type: [type, 'null'], ...options, ...allowed });
}

export const NullableString = (options: StringOptions = {}) => nullable<string>('string', options);
export const NullableInteger = (options: IntegerOptions = {}) => nullable<number>('integer', options);
export const NullableNumber = (options: NumberOptions = {}) => nullable<number>('number', options);

/** A string enum that fails as V2 does (`ENUM_MISMATCH`), not as an anyOf of literals. */
export const StringEnum = <const T extends readonly string[]>(
  values: T,
  options: { description?: string } = {},
) => Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });

/** An integer enum, e.g. role ids. */
export const IntegerEnum = <const T extends readonly number[]>(
  values: T,
  options: { description?: string } = {},
) => Type.Unsafe<T[number]>({ type: 'integer', enum: [...values], ...options });

/** A phone number as V2 clients send it: 10-digit string or integer; services normalise it. */
export const PhoneInput = (description: string) =>
  Type.Unsafe<string | number>({ type: ['string', 'integer'], description });

/** RFC 9457 problem details: the error body of every route outside /v2 and /oauth/token. */
export const Problem = Type.Object(
  {
    type: Type.String({ description: 'always `about:blank`: the status says what went wrong' }),
    title: Type.String({ description: 'the text of the HTTP status' }),
    status: Type.Integer({ description: 'the HTTP status' }),
    detail: Type.String({ description: 'what went wrong, for a person' }),
    code: StringEnum(Object.keys(ErrorCodes) as ErrorCode[], { description: 'stable, for a program' }),
  },
  { $id: 'Problem', description: 'application/problem+json (RFC 9457)' },
);

/** The error body of POST /oauth/token (RFC 6749 section 5.2). */
export const OAuthErrorBody = Type.Object(
  {
    error: StringEnum(
      [
        'invalid_request',
        'invalid_client',
        'invalid_grant',
        'unsupported_grant_type',
        'slow_down',
        'server_error',
      ],
      { description: 'the RFC 6749 error code' },
    ),
    error_description: Type.String(),
  },
  { $id: 'OAuthError', description: 'OAuth 2.0 error (RFC 6749 section 5.2)' },
);

/** Schemas the document shows once, as components, and routes reference with Type.Ref. */
export const SHARED_SCHEMAS = [V2Error, V2ValidationError, Problem, OAuthErrorBody];

/** A response answered with problem+json, for a route outside /v2. */
export const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: Type.Ref(Problem) } },
});
