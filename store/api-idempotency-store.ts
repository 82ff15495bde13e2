/**
 * The integration API's idempotency keys, in the case-record store's database (table
 * api_idempotency_keys): the first request with a client's key claims it, and its answer is kept,
 * so a retry is answered the same and records nothing, whichever console replica it reaches and
 * after a restart. The console's role keeps the table (store/roles.sql). docs/api.md#safe-to-retry.
 */
import { z } from 'zod';
import { pooledTransactions } from './case-record-store';

/** What claiming a key found. */
export type IdempotencyClaim =
  /** The key is this request's now: run it, then `finish` (or `release` when it must be tried afresh). */
  | { outcome: 'claimed' }
  /** The same request was answered before: this is its answer. */
  | { outcome: 'answered'; status: number; answer: unknown }
  /** The key was first used with a different request. */
  | { outcome: 'mismatch' }
  /** The same request is running now (another replica, or a retry sent too soon) and its lease has not run out. */
  | { outcome: 'running' };

export interface ApiIdempotencyStore {
  /**
   * Claims (client, key) for the request whose SHA-256 is `requestHash`, for `leaseMs`: how long
   * the request may take before another may take the key over (its process having died).
   */
  claim(clientId: string, key: string, requestHash: string, leaseMs: number): Promise<IdempotencyClaim>;
  /** Keeps the claimed request's answer, for every retry. */
  finish(clientId: string, key: string, requestHash: string, status: number, answer: unknown): Promise<void>;
  /** Gives the key up unanswered (the request failed in a way worth trying again). */
  release(clientId: string, key: string, requestHash: string): Promise<void>;
  close(): Promise<void>;
}

/** How long a key is kept: a retry later than this is a new request. */
export const IDEMPOTENCY_RETENTION_DAYS = 30;

/** A client id and a key as the API takes them (checked again here: the store is a boundary too). */
const Part = z.string().min(1).max(255);
const Hash = z.string().regex(/^[0-9a-f]{64}$/);
const Row = z.object({ request_hash: z.string(), state: z.enum(['running', 'done']), status: z.number().int().nullable(), answer: z.unknown() });

export function openApiIdempotencyStore(url: string): ApiIdempotencyStore {
  const { inTransaction, close } = pooledTransactions(url, { poolSize: 4, applicationName: 'caseclock-api', missingTable: 'api_idempotency_keys' });
  const ids = (clientId: string, key: string, requestHash: string) => [Part.parse(clientId), Part.parse(key), Hash.parse(requestHash)];

  async function claim(clientId: string, key: string, requestHash: string, leaseMs: number): Promise<IdempotencyClaim> {
    for (;;) {
      const [c, k, h] = ids(clientId, key, requestHash);
      const lease = z.number().int().min(1_000).max(3_600_000).parse(leaseMs);
      // One statement: of two requests with the same key at once, on one replica or two, exactly one
      // inserts (or takes over a row whose lease ran out); the other finds the row and waits.
      const claimed = await inTransaction(false, (t) =>
        t.query(
          `INSERT INTO api_idempotency_keys AS k (client_id, idem_key, request_hash, state, lease_until)
           VALUES ($1, $2, $3, 'running', now() + $4 * interval '1 millisecond')
           ON CONFLICT (client_id, idem_key) DO UPDATE SET lease_until = EXCLUDED.lease_until
             WHERE k.state = 'running' AND k.lease_until < now() AND k.request_hash = EXCLUDED.request_hash
           RETURNING 1`,
          [c, k, h, lease],
        ),
      );
      if ((claimed.rowCount ?? 0) > 0) {
        // Keys older than the retention go a few at a time with the claims, skipping rows another holds.
        if (Math.random() < 0.01) {
          await inTransaction(false, (t) =>
            t.query(
              `DELETE FROM api_idempotency_keys WHERE (client_id, idem_key) IN (
                 SELECT client_id, idem_key FROM api_idempotency_keys WHERE created_at < now() - $1 * interval '1 day' LIMIT 500 FOR UPDATE SKIP LOCKED)`,
              [IDEMPOTENCY_RETENTION_DAYS],
            ),
          ).catch(() => undefined);
        }
        return { outcome: 'claimed' };
      }
      const found = await inTransaction(true, (t) => t.query('SELECT request_hash, state, status, answer FROM api_idempotency_keys WHERE client_id = $1 AND idem_key = $2', [c, k]));
      const raw = found.rows[0];
      // Released between the two statements: claim it again.
      if (raw === undefined) continue;
      const row = Row.parse(raw);
      if (row.request_hash !== h) return { outcome: 'mismatch' };
      if (row.state === 'done' && row.status !== null) return { outcome: 'answered', status: row.status, answer: row.answer };
      return { outcome: 'running' };
    }
  }

  return {
    claim,
    async finish(clientId, key, requestHash, status, answer) {
      const [c, k, h] = ids(clientId, key, requestHash);
      await inTransaction(false, (t) =>
        t.query(
          `UPDATE api_idempotency_keys SET state = 'done', status = $4, answer = $5, completed_at = now()
           WHERE client_id = $1 AND idem_key = $2 AND request_hash = $3 AND state = 'running'`,
          [c, k, h, z.number().int().min(100).max(599).parse(status), JSON.stringify(answer ?? null)],
        ),
      );
    },
    async release(clientId, key, requestHash) {
      const [c, k, h] = ids(clientId, key, requestHash);
      await inTransaction(false, (t) => t.query(`DELETE FROM api_idempotency_keys WHERE client_id = $1 AND idem_key = $2 AND request_hash = $3 AND state = 'running'`, [c, k, h]));
    },
    close,
  };
}
