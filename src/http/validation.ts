import type { ErrorObject } from 'ajv';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchema } from 'fastify';
import { lazyValidator } from './lazy-compile.js';

/**
 * Request validation, and its errors in the body Convirza's V2 service sends (swagger-tools over
 * z-schema): `{"message":"Validation errors","errors":[{code:"INVALID_REQUEST_PARAMETER",...}]}`.
 * The wording below is z-schema's, letter for letter; routes only declare TypeBox schemas.
 */

const baseOptions = { allErrors: true, verbose: true, strict: false, useDefaults: true } as const;

function createAjv(coerceTypes: boolean): Ajv {
  const ajv = new Ajv({ ...baseOptions, coerceTypes });
  addFormats.default(ajv);
  return ajv;
}

/**
 * Query strings and params arrive as text and are coerced; JSON bodies are taken as typed. Each
 * schema is compiled when its route is first called (lazy-compile.ts).
 */
export function createValidatorCompiler() {
  const coercing = createAjv(true);
  const strict = createAjv(false);
  return ({ schema, httpPart }: { schema: object; httpPart?: string }) =>
    lazyValidator(() => (httpPart === 'body' ? strict : coercing).compile(schema));
}

export interface V2InnerError {
  code: string;
  message: string;
  path: string[];
  description?: string;
}

export interface V2ParameterError {
  code: 'INVALID_REQUEST_PARAMETER';
  errors: V2InnerError[];
  in: string;
  message: string;
  name: string;
  path: string[];
}

export interface V2ValidationBody {
  message: 'Validation errors';
  errors: V2ParameterError[];
}

/** z-schema's name for a JSON value's type. */
function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

const show = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));

function innerError(error: ErrorObject): V2InnerError {
  const params = error.params as Record<string, unknown>;
  const path = error.instancePath
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
  const [code, message] = ((): [string, string] => {
    switch (error.keyword) {
      case 'required':
        return ['OBJECT_MISSING_REQUIRED_PROPERTY', `Missing required property: ${params.missingProperty}`];
      case 'type':
        return ['INVALID_TYPE', `Expected type ${params.type} but found type ${typeName(error.data)}`];
      case 'enum':
      case 'const':
        return ['ENUM_MISMATCH', `No enum match for: ${show(error.data)}`];
      case 'minLength':
        return [
          'MIN_LENGTH',
          `String is too short (${String(error.data).length} chars), minimum ${params.limit}`,
        ];
      case 'maxLength':
        return [
          'MAX_LENGTH',
          `String is too long (${String(error.data).length} chars), maximum ${params.limit}`,
        ];
      case 'pattern':
        return ['PATTERN', `String does not match pattern ${params.pattern}: ${show(error.data)}`];
      case 'format':
        return [
          'INVALID_FORMAT',
          `Object didn't pass validation for format ${params.format}: ${show(error.data)}`,
        ];
      case 'minimum':
        return params.comparison === '>'
          ? [
              'MINIMUM_EXCLUSIVE',
              `Value ${show(error.data)} is equal or less than exclusive minimum ${params.limit}`,
            ]
          : ['MINIMUM', `Value ${show(error.data)} is less than minimum ${params.limit}`];
      case 'exclusiveMinimum':
        return [
          'MINIMUM_EXCLUSIVE',
          `Value ${show(error.data)} is equal or less than exclusive minimum ${params.limit}`,
        ];
      case 'maximum':
        return params.comparison === '<'
          ? [
              'MAXIMUM_EXCLUSIVE',
              `Value ${show(error.data)} is equal or greater than exclusive maximum ${params.limit}`,
            ]
          : ['MAXIMUM', `Value ${show(error.data)} is greater than maximum ${params.limit}`];
      case 'exclusiveMaximum':
        return [
          'MAXIMUM_EXCLUSIVE',
          `Value ${show(error.data)} is equal or greater than exclusive maximum ${params.limit}`,
        ];
      case 'multipleOf':
        return ['MULTIPLE_OF', `Value ${show(error.data)} is not a multiple of ${params.multipleOf}`];
      case 'minItems':
        return [
          'ARRAY_LENGTH_SHORT',
          `Array is too short (${(error.data as unknown[]).length}), minimum ${params.limit}`,
        ];
      case 'maxItems':
        return [
          'ARRAY_LENGTH_LONG',
          `Array is too long (${(error.data as unknown[]).length}), maximum ${params.limit}`,
        ];
      case 'uniqueItems':
        return ['ARRAY_UNIQUE', `Array items are not unique (indexes ${params.j} and ${params.i})`];
      case 'additionalProperties':
        return [
          'OBJECT_ADDITIONAL_PROPERTIES',
          `Additional properties not allowed: ${params.additionalProperty}`,
        ];
      case 'maxDepth':
        return ['MAX_DEPTH', `Value nests more than ${params.limit} levels deep`];
      case 'anyOf':
        return ['ANY_OF_MISSING', "Data does not match any schemas from 'anyOf'"];
      case 'oneOf':
        return ['ONE_OF_MISSING', "Data does not match any schemas from 'oneOf'"];
      default:
        return ['INVALID_REQUEST', error.message ?? 'Value failed JSON Schema validation'];
    }
  })();
  const schemaDescription = (error.parentSchema as { description?: unknown } | undefined)?.description;
  const description =
    error.keyword === 'required'
      ? undefined
      : typeof schemaDescription === 'string'
        ? schemaDescription
        : undefined;
  return description === undefined ? { code, message, path } : { code, message, path, description };
}

/** Drops the per-branch noise Ajv reports under a failed anyOf/oneOf; the combinator error stays. */
function withoutBranchNoise(errors: ErrorObject[]): ErrorObject[] {
  const combinators = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf');
  return errors.filter(
    (e) => !combinators.some((c) => c !== e && e.schemaPath.startsWith(`${c.schemaPath}/`)),
  );
}

export interface RouteShape {
  /** the route's path as V2's swagger names it, relative to /v2 */
  specPath: string;
  method: string;
  schema: FastifySchema | undefined;
  bodyName: string;
}

const MAX_REPORTED_ERRORS = 100;

function parameterNames(schema: unknown): string[] {
  const properties = (schema as { properties?: Record<string, unknown> } | undefined)?.properties;
  return properties ? Object.keys(properties) : [];
}

export function toV2ValidationBody(
  rawErrors: ErrorObject[],
  context: string,
  route: RouteShape,
): V2ValidationBody {
  const errors = withoutBranchNoise(rawErrors).slice(0, MAX_REPORTED_ERRORS);
  const location = context === 'querystring' ? 'query' : context === 'params' ? 'path' : context;
  const queryNames = parameterNames(route.schema?.querystring);
  const paramPath = (index: number) => ['paths', route.specPath, route.method, 'parameters', String(index)];

  if (context === 'body') {
    return {
      message: 'Validation errors',
      errors: [
        {
          code: 'INVALID_REQUEST_PARAMETER',
          errors: errors.map(innerError),
          in: 'body',
          message: `Invalid parameter (${route.bodyName}): Value failed JSON Schema validation`,
          name: route.bodyName,
          path: paramPath(queryNames.length),
        },
      ],
    };
  }

  // One outer entry per parameter, in the order the errors name them.
  const names =
    context === 'querystring'
      ? queryNames
      : parameterNames((route.schema as Record<string, unknown>)?.[context]);
  const byName = new Map<string, ErrorObject[]>();
  for (const error of errors) {
    const name =
      error.keyword === 'required'
        ? String((error.params as { missingProperty: string }).missingProperty)
        : (error.instancePath.split('/')[1] ?? '');
    byName.set(name, [...(byName.get(name) ?? []), error]);
  }
  return {
    message: 'Validation errors',
    errors: [...byName.entries()].map(([name, parameterErrors]) => {
      const index = Math.max(0, names.indexOf(name));
      const [first] = parameterErrors;
      if (parameterErrors.length === 1 && first?.keyword === 'required') {
        const message = 'Value is required but was not provided';
        return {
          code: 'INVALID_REQUEST_PARAMETER',
          errors: [{ code: 'REQUIRED', message, path: paramPath(index) }],
          in: location,
          message: `Invalid parameter (${name}): ${message}`,
          name,
          path: paramPath(index),
        };
      }
      const inner = parameterErrors.map((error) => ({ ...innerError(error), path: [] }));
      if (inner.length === 1 && inner[0]?.code === 'INVALID_TYPE') {
        return {
          code: 'INVALID_REQUEST_PARAMETER',
          errors: inner,
          in: location,
          message: `Invalid parameter (${name}): ${inner[0].message}`,
          name,
          path: [],
        };
      }
      return {
        code: 'INVALID_REQUEST_PARAMETER',
        errors: inner,
        in: location,
        message: `Invalid parameter (${name}): Value failed JSON Schema validation`,
        name,
        path: paramPath(index),
      };
    }),
  };
}
