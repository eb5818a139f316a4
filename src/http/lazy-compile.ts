import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import type { FastifySchemaValidationError } from 'fastify';

/**
 * Fastify compiles every route's request validators and response serializers when the app starts:
 * about 1.5 s of CPU for this API's routes and their documented statuses, paid by every process
 * that builds the app (a server start or restart, each `switchboard` command, each test file) for
 * routes most of them never call. These compile a schema the first time it is used, and once.
 */

interface Validator {
  (data: unknown): boolean;
  errors?: FastifySchemaValidationError[] | null;
}

/**
 * A validator compiled on its first call. Fastify reads `errors` from the function it was given
 * after a `false`, so the compiled function's errors are copied onto the wrapper.
 */
export function lazyValidator(compile: () => Validator): Validator {
  let compiled: Validator | undefined;
  const validate: Validator = (data) => {
    compiled ??= compile();
    const valid = compiled(data);
    validate.errors = compiled.errors;
    return valid;
  };
  return validate;
}

type SerializerFactory = ReturnType<typeof SerializerSelector>;

/** Fastify's own serializer factory (fast-json-stringify), each route's serializer built on first use. */
export const lazySerializers: SerializerFactory = (externalSchemas, options) => {
  const compile = SerializerSelector()(externalSchemas, options);
  return (route) => {
    let serialize: ((document: unknown) => string) | undefined;
    return (document) => {
      serialize ??= compile(route);
      return serialize(document);
    };
  };
};
