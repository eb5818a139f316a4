import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import argon2 from 'argon2';

/** A random UUID v4: V2 clients expect tokens in this shape. */
export const newToken = (): string => randomUUID();

/** SHA-256 hex. Enough for 122-bit random tokens; passwords and secrets use argon2id instead. */
export const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex');

/** A password or secret that is printed once and meant to be copied. */
export const generateSecret = (bytes = 18): string => randomBytes(bytes).toString('base64url');

export const hashPassword = (password: string): Promise<string> =>
  argon2.hash(password, { type: argon2.argon2id });

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

/** A constant argon2id hash to verify against when a user does not exist, so timing tells nothing. */
let dummyHash: Promise<string> | undefined;
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword(generateSecret());
  return dummyHash;
}

export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
