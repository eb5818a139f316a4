/**
 * Compile-time checks that two types describe the same thing: `Assert<Equal<A, B>>` fails to
 * type-check unless A and B are assignable both ways and have the same keys (so an optional field
 * on one side only is caught, which assignability alone lets through).
 */
export type Equal<A, B> = [A] extends [B]
  ? [B] extends [A]
    ? [keyof A] extends [keyof B]
      ? [keyof B] extends [keyof A]
        ? true
        : false
      : false
    : false
  : false;

export type Assert<T extends true> = T;
