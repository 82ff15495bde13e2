/**
 * Safe to retry (docs/api.md#safe-to-retry): every write carries the caller's event id (`eventId`
 * in the body) or an `Idempotency-Key` header; the first request with a key runs and its answer is
 * kept in the store (store/api-idempotency-store.ts), so the same key again is answered the same
 * and records nothing, and the same key with another request is refused. The same key while the
 * first is still running waits for its answer. The key also becomes the Temporal update id, so a
 * request whose console died mid-way and is taken over is recorded once by the case as well.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { ApiIdempotencyStore } from '../../../store/api-idempotency-store';
import type { ApiProblem } from './caller';
import { problem } from './problems';

/** A key: what a caller's system uses as an event's id, bounded and printable. */
export const IdempotencyKey = z
  .string()
  .min(1, 'must not be empty')
  .max(255, 'must be at most 255 characters')
  .regex(/^[\x21-\x7E]+$/, 'must be printable ASCII with no spaces');

export const IDEMPOTENCY_HEADER = 'idempotency-key';

/** The request's key from the body's `eventId` or the header (both: the same), or the problem with them. */
export function idempotencyKeyOf(header: string | string[] | undefined, eventId: unknown): { key: string } | { problem: ApiProblem } {
  if (Array.isArray(header)) return { problem: problem('invalid-input', 'Idempotency-Key: send it once', [{ field: 'Idempotency-Key', message: 'send it once' }]) };
  const given: Array<[string, unknown]> = [];
  if (eventId !== undefined) given.push(['eventId', eventId]);
  if (header !== undefined) given.push(['Idempotency-Key', header]);
  if (given.length === 0)
    return {
      problem: problem('key-required', 'Give the event id as eventId in the body, or an Idempotency-Key header: a retry with it then records once.', [
        { field: 'eventId', message: 'is required (or an Idempotency-Key header)' },
      ]),
    };
  const keys: string[] = [];
  for (const [field, value] of given) {
    const parsed = IdempotencyKey.safeParse(value);
    if (!parsed.success) return { problem: problem('invalid-input', `${field}: ${parsed.error.issues[0]?.message ?? 'is not a key'}`, [{ field, message: parsed.error.issues[0]?.message ?? 'is not a key' }]) };
    keys.push(parsed.data);
  }
  if (keys.length === 2 && keys[0] !== keys[1]) return { problem: problem('invalid-input', 'eventId and the Idempotency-Key header differ', [{ field: 'eventId', message: 'differs from the Idempotency-Key header' }]) };
  return { key: keys[0] ?? '' };
}

/** The same JSON value with every object's keys in order, so two bodies that mean the same hash the same. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** What identifies a request: its method, its path (which case, which action) and its body. */
export function requestHash(method: string, path: string, body: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify([method, path, canonical(body ?? null)]))
    .digest('hex');
}

/** The Temporal update id a key becomes: bounded, and the client's own (two clients' keys never meet). */
export function updateIdOf(clientId: string, key: string): string {
  return `api-${createHash('sha256').update(`${clientId}\u0000${key}`).digest('hex')}`;
}

/** An answer the routes give, kept for retries. */
export interface KeptAnswer {
  status: number;
  body: unknown;
}

export interface OnceOptions {
  /** How long the first request may take before another may take its key over. */
  leaseMs: number;
  /** How long a second request with the same key waits for the first's answer. */
  waitMs: number;
  pollMs?: number;
}

/**
 * Runs `work` once for (client, key): the first time, its answer is kept (a 5xx is not: the key is
 * given up so a retry runs again, and the update id keeps that from recording twice); afterwards,
 * the kept answer with `replayed`. A problem when the key was used with another request, or the
 * first is still running after `waitMs`.
 */
export async function once(
  store: ApiIdempotencyStore,
  who: { clientId: string; key: string; hash: string },
  work: () => Promise<KeptAnswer>,
  options: OnceOptions,
): Promise<(KeptAnswer & { replayed: boolean }) | { problem: ApiProblem; retryAfter?: number }> {
  const until = Date.now() + options.waitMs;
  for (;;) {
    const claim = await store.claim(who.clientId, who.key, who.hash, options.leaseMs);
    if (claim.outcome === 'mismatch') {
      return { problem: problem('key-reused', 'This key was first used with a different request (another case, action or body): nothing was recorded. Use a new key for a new event.') };
    }
    if (claim.outcome === 'answered') return { status: claim.status, body: claim.answer, replayed: true };
    if (claim.outcome === 'running') {
      if (Date.now() >= until) return { problem: problem('still-running', 'The first request with this key has not finished: retry in a moment for its answer. Nothing more was recorded.'), retryAfter: 1 };
      await new Promise((r) => setTimeout(r, options.pollMs ?? 100));
      continue;
    }
    let answer: KeptAnswer;
    try {
      answer = await work();
    } catch (err) {
      await store.release(who.clientId, who.key, who.hash);
      throw err;
    }
    if (answer.status >= 500) await store.release(who.clientId, who.key, who.hash);
    else await store.finish(who.clientId, who.key, who.hash, answer.status, answer.body);
    return { ...answer, replayed: false };
  }
}
