import { FormatRegistry, Kind, type TSchema, TypeRegistry } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { fullFormats } from 'ajv-formats/dist/formats.js';

/**
 * Form checks from the server's own route schemas (TypeBox), so a limit shown while typing is the
 * API's limit and never a copy. TypeBox's checker knows every kind but `Unsafe`, which the server
 * uses for V2's string and integer enums and for nullable fields: those carry a JSON Schema `type`
 * (one or a list) and maybe an `enum`, checked here.
 */
const TYPE_CHECKS: Record<string, (value: unknown) => boolean> = {
  string: (value) => typeof value === 'string',
  integer: (value) => Number.isInteger(value),
  number: (value) => typeof value === 'number' && Number.isFinite(value),
  boolean: (value) => typeof value === 'boolean',
  null: (value) => value === null,
};

if (!TypeRegistry.Has('Unsafe'))
  TypeRegistry.Set('Unsafe', (schema: { type?: string | string[]; enum?: unknown[] }, value) => {
    const types = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
    if (types.length > 0 && !types.some((type) => TYPE_CHECKS[type]?.(value))) return false;
    return schema.enum === undefined || schema.enum.includes(value);
  });

// string formats as the server checks them (ajv-formats' full definitions, src/http/validation.ts)
if (!FormatRegistry.Has('email'))
  FormatRegistry.Set('email', (value) => (fullFormats.email as RegExp).test(value));

/** The first error per top-level field of `value` against `schema`. */
export function fieldErrors<Field extends string>(
  schema: TSchema,
  value: unknown,
): Partial<Record<Field, string>> {
  const errors: Partial<Record<Field, string>> = {};
  for (const error of Value.Errors(schema, value)) {
    const field = error.path.split('/')[1] as Field | undefined;
    if (field && !errors[field])
      errors[field] = error.schema[Kind] === 'Unsafe' ? 'Choose one of the listed values' : error.message;
  }
  return errors;
}
