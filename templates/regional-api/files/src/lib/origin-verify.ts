import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The origin-verify secret, as Secrets Manager holds it (one JSON string, AWSCURRENT):
 *
 * - `current`: what CloudFront sends today (the distribution reads this key at deploy time);
 * - `next`: what CloudFront will send after the next rotation, accepted from now on, so no
 *   authorizer can still be working from a copy that does not know it when CloudFront switches;
 * - `previous`: what CloudFront sent before the last rotation, still accepted while the
 *   distribution change reaches every edge location.
 *
 * The stack creates the secret with `current` only; its first rotation (right after the stack is
 * created) adds `next` without touching the distribution. Every later rotation shifts the ring:
 * previous ← current ← next ← a new random value, and points the distribution at the new current.
 */
export interface Keyring {
  current: string;
  next?: string;
  previous?: string;
}

/** The secret's JSON key the distribution's dynamic reference reads. */
export const CURRENT_KEY = 'current';

/** 32 random bytes, base64url: 43 characters that are safe in an HTTP header value. */
export function newSecretValue(): string {
  return randomBytes(32).toString('base64url');
}

/** Checks a secret string is a keyring; a secret edited by hand into something else fails loudly. */
export function parseKeyring(value: unknown): Keyring {
  const parsed = typeof value === 'string' ? safeJson(value) : value;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error('The origin-verify secret is not a JSON object');
  }
  const ring = parsed as Record<string, unknown>;
  const keyring: Keyring = { current: requiredValue(ring, 'current') };
  for (const key of ['next', 'previous'] as const) {
    if (ring[key] !== undefined) keyring[key] = requiredValue(ring, key);
  }
  return keyring;
}

/** The values the authorizer accepts right now. */
export function acceptedValues(keyring: Keyring): string[] {
  return [keyring.previous, keyring.current, keyring.next].filter((value): value is string => value !== undefined);
}

/**
 * Whether `presented` is one of the accepted values. Both sides are hashed to the same length
 * and compared with timingSafeEqual, against every candidate without stopping at a match, so the
 * time taken says nothing about how much of a guess was right, or which value matched.
 */
export function isAccepted(presented: string | undefined, keyring: Keyring): boolean {
  if (presented === undefined || presented === '') return false;
  const digest = sha256(presented);
  let accepted = false;
  for (const value of acceptedValues(keyring)) {
    accepted = timingSafeEqual(digest, sha256(value)) || accepted;
  }
  return accepted;
}

/**
 * The keyring after one rotation step: without `next` (a new secret), only adds one, so the
 * header CloudFront sends does not change; otherwise shifts the ring by one.
 */
export function rotateKeyring(keyring: Keyring, fresh: string = newSecretValue()): Keyring {
  if (keyring.next === undefined) return { ...keyring, next: fresh };
  return { previous: keyring.current, current: keyring.next, next: fresh };
}

/** Reads a required environment variable, failing at cold start rather than on first use. */
export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Environment variable ${name} is not set`);
  return value;
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new Error('The origin-verify secret is not valid JSON');
  }
}

function requiredValue(ring: Record<string, unknown>, key: string): string {
  const value = ring[key];
  // The generated values are 43+ characters; anything short was typed by hand and is guessable.
  if (typeof value !== 'string' || value.length < 32) {
    throw new Error(`The origin-verify secret's "${key}" must be a string of at least 32 characters`);
  }
  return value;
}
