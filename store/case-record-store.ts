/**
 * The case-record store: an append-only record of everything that happened on a case (events,
 * messages sent with the SMTP server's answer, notes, policy changes, obligation outcomes), kept
 * in PostgreSQL outside Temporal so that it outlives Temporal's history retention.
 *
 * One SQL dialect, two engines (docs/decisions/0001-case-record-store.md):
 *   - PostgreSQL in production (a DATABASE_URL);
 *   - PGlite (PostgreSQL compiled to WebAssembly) behind its socket server as the embedded
 *     default for `npm start` and tests (`startEmbeddedStore`, `store/serve.ts`).
 * Every process reaches either one over the PostgreSQL protocol with a `pg` Pool.
 *
 * The embedded server runs ONE PostgreSQL session for all its connections and multiplexes their
 * protocol messages through one queue; while a transaction is open it serves only the connection
 * that opened it. So every statement here with parameters runs inside an explicit transaction
 * (BEGIN/COMMIT sent as simple queries): then no other connection's messages can interleave with
 * its Parse/Bind/Execute, whatever the socket does with them. Nothing here changes session state
 * (no SET beyond SET LOCAL, which ends with its transaction; no named prepared statements), since on
 * the embedded server every client shares it.
 */
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RunnerOption } from 'node-pg-migrate';
import { Pool, type PoolClient } from 'pg';
import { z } from 'zod';
import { canonicalJson } from '../domain/canonical-json';
import { IsoInstant, SafeId, UserId } from '../domain/facts';
import { type CaseSummary, CaseSummarySchema, writeCaseSummary } from './case-summary';

// --- The entry ---------------------------------------------------------------------------------

/** Largest `data` accepted for one entry, as JSON text (an SMTP answer or an event is far less). */
export const MAX_ENTRY_DATA_BYTES = 256 * 1024;
/** Largest batch `append` takes at once (one transaction, one statement). */
export const MAX_APPEND_BATCH = 1000;

// C0 and C1 controls and bidi overrides; NUL is refused by PostgreSQL text and jsonb anyway.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;

/** The entry's own stable id, e.g. `case:<caseId>:event:<n>` or a message id: printable, bounded. */
const EntryId = z
  .string()
  .min(1, 'must not be empty')
  .max(300, 'must be at most 300 characters')
  .regex(/^[\x21-\x7E]+$/, 'may contain only printable ASCII characters without spaces');

const Summary = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(4000, 'must be at most 4000 characters')
  .refine((s) => !CONTROL_CHARACTERS.test(s), 'must not contain control characters');

/** Where in a JSON value a string holds a NUL character (PostgreSQL's jsonb cannot store one). */
function nulPath(value: unknown, at: string): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? at : undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = nulPath(value[i], `${at}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key.includes('\u0000')) return `${at} (a key)`;
      const found = nulPath(inner, `${at}.${key}`);
      if (found) return found;
    }
  }
  return undefined;
}

/** Whatever the entry carries besides its summary: a JSON object (the event, the delivery, ...). */
const EntryData = z.record(z.string(), z.json()).superRefine((data, ctx) => {
  const where = nulPath(data, 'data');
  if (where) ctx.addIssue({ code: 'custom', message: `must not contain a NUL character (at ${where})` });
  else if (Buffer.byteLength(JSON.stringify(data)) > MAX_ENTRY_DATA_BYTES) {
    ctx.addIssue({ code: 'custom', message: `must be at most ${MAX_ENTRY_DATA_BYTES} bytes as JSON` });
  }
});

export const CaseRecordSubject = z.enum(['case', 'incident']);
export const CaseRecordKind = z.enum(['event', 'message', 'note', 'policy', 'outcome']);

/** One entry of a case record, as appended and as read back (instants normalised to UTC, ms). */
export const CaseRecordEntry = z.strictObject({
  entryId: EntryId,
  /** The case id, or the incident id when subject is 'incident'. */
  caseId: SafeId,
  subject: CaseRecordSubject,
  kind: CaseRecordKind,
  /** When it happened. */
  at: IsoInstant,
  /** When it was recorded (workflow time). */
  recordedAt: IsoInstant,
  /** Staff user id, or the service's own id for what it did itself. */
  by: UserId,
  summary: Summary,
  data: EntryData,
});
export type CaseRecordEntry = z.infer<typeof CaseRecordEntry>;
/** What `append` accepts: instants may carry any offset; they are stored in UTC. */
export type CaseRecordEntryInput = z.input<typeof CaseRecordEntry>;

const CaseRecordBatch = z.array(CaseRecordEntry).max(MAX_APPEND_BATCH, `must hold at most ${MAX_APPEND_BATCH} entries`);

// --- Errors ------------------------------------------------------------------------------------

/** An entry (or an argument) refused before anything reached the database; names the field. */
export class CaseRecordInvalid extends Error {
  override readonly name = 'CaseRecordInvalid';
  constructor(
    message: string,
    /** Each problem as `path: message`, e.g. `entries[2].caseId: must not be empty`. */
    readonly problems: string[],
  ) {
    super(message);
  }
}

/** An entry whose id is already stored (or twice in one batch) with different content. */
export class CaseRecordConflict extends Error {
  override readonly name = 'CaseRecordConflict';
  constructor(
    readonly entryId: string,
    /** The fields that differ, in the entry's terms (caseId, summary, data, ...). */
    readonly fields: string[],
    where: 'stored' | 'batch',
  ) {
    super(
      where === 'stored'
        ? `case record entry ${entryId} is already stored with a different ${fields.join(', ')}: nothing of this batch was written`
        : `case record entry ${entryId} appears twice in this batch with a different ${fields.join(', ')}: nothing of this batch was written`,
    );
  }
}

function pathOf(issuePath: ReadonlyArray<PropertyKey>, root: string): string {
  let out = root;
  for (const key of issuePath) out += typeof key === 'number' ? `[${key}]` : out ? `.${String(key)}` : String(key);
  return out;
}

/** The entry id of the item at `index` of a list given, when it has a readable one. */
function entryIdAt(value: unknown, index: PropertyKey | undefined): string | undefined {
  if (!Array.isArray(value) || typeof index !== 'number') return undefined;
  const item: unknown = value[index];
  if (item === null || typeof item !== 'object' || !('entryId' in item)) return undefined;
  const id = item.entryId;
  return typeof id === 'string' && id.length > 0 && id.length <= 300 ? JSON.stringify(id) : undefined;
}

function invalid(error: z.ZodError, root: string, what: string, value: unknown): CaseRecordInvalid {
  const problems = error.issues.map((issue) => {
    // An unknown key is named by the issue, not by its path.
    const keys = issue.code === 'unrecognized_keys' ? ` (${issue.keys.join(', ')})` : '';
    const id = entryIdAt(value, issue.path[0]);
    return `${pathOf(issue.path, root) || root}${keys}: ${issue.message}${id ? ` (entry ${id})` : ''}`;
  });
  return new CaseRecordInvalid(`${what}: ${problems.join('; ')}`, problems);
}

function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, root: string, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw invalid(parsed.error, root, what, value);
  return parsed.data;
}

// --- Rows --------------------------------------------------------------------------------------

const COLUMNS = ['entry_id', 'case_id', 'subject', 'kind', 'at', 'recorded_at', 'by_user', 'summary', 'data'] as const;
/** The entry's field for each column, for naming differences. */
const FIELD_OF: Record<(typeof COLUMNS)[number], keyof CaseRecordEntry> = {
  entry_id: 'entryId',
  case_id: 'caseId',
  subject: 'subject',
  kind: 'kind',
  at: 'at',
  recorded_at: 'recordedAt',
  by_user: 'by',
  summary: 'summary',
  data: 'data',
};
/** The column list of `jsonb_to_recordset(...) AS x(...)`. */
const RECORDSET = `x(entry_id text, case_id text, subject text, kind text, at timestamptz, recorded_at timestamptz,
  by_user text, summary text, data jsonb)`;

type Row = Record<(typeof COLUMNS)[number], unknown>;

function toRow(entry: CaseRecordEntry): Row {
  return {
    entry_id: entry.entryId,
    case_id: entry.caseId,
    subject: entry.subject,
    kind: entry.kind,
    at: entry.at,
    recorded_at: entry.recordedAt,
    by_user: entry.by,
    summary: entry.summary,
    data: entry.data,
  };
}

/** A row as `pg` returns it (timestamptz as Date, jsonb parsed). */
const StoredRow = z.object({
  entry_id: z.string(),
  case_id: z.string(),
  subject: CaseRecordSubject,
  kind: CaseRecordKind,
  at: z.date(),
  recorded_at: z.date(),
  by_user: z.string(),
  summary: z.string(),
  data: z.record(z.string(), z.unknown()),
});

function fromRow(row: unknown): CaseRecordEntry {
  const r = StoredRow.parse(row);
  return {
    entryId: r.entry_id,
    caseId: r.case_id,
    subject: r.subject,
    kind: r.kind,
    at: r.at.toISOString(),
    recordedAt: r.recorded_at.toISOString(),
    by: r.by_user,
    summary: r.summary,
    data: r.data as CaseRecordEntry['data'],
  };
}

function differingFields(a: CaseRecordEntry, b: CaseRecordEntry): Array<keyof CaseRecordEntry> {
  return (Object.values(FIELD_OF) as Array<keyof CaseRecordEntry>).filter((field) => canonicalJson(a[field]) !== canonicalJson(b[field]));
}

// --- Connecting --------------------------------------------------------------------------------

const StoreUrl = z.string().regex(/^postgres(ql)?:\/\/[^\s]+$/, 'must be a PostgreSQL URL such as postgres://user@127.0.0.1:5432/caseclock');

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/[^:/@]*):[^@/]*@/, '$1:***@');
}

const TRANSIENT = new Set(['40001', '40P01']); // serialization_failure, deadlock_detected

function pgCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

export interface CaseRecordStore {
  /**
   * Appends entries, idempotently by entryId, in one transaction: an entry already stored with
   * the same content counts as alreadyThere; one stored with different content throws
   * CaseRecordConflict and nothing of the batch is written. Invalid entries throw
   * CaseRecordInvalid naming the entry and field, before anything reaches the database. With a
   * summary (store/case-summary.ts), the case's summary is replaced in the same transaction.
   */
  append(entries: readonly CaseRecordEntryInput[], summary?: CaseSummary): Promise<{ stored: number; alreadyThere: number }>;
  /** The whole record of one case (or incident), ordered by at, then recordedAt, then entryId. */
  caseRecord(caseId: string): Promise<CaseRecordEntry[]>;
  /** One entry by its id, if it is stored (a retried send asks whether an earlier attempt wrote its delivery). */
  entry(entryId: string): Promise<CaseRecordEntry | undefined>;
  /**
   * The latest outcome of every obligation of the given kinds, across all cases and incidents,
   * optionally of one team or tier (as they were when the outcome was noted), and only those
   * whose deadline falls in `dueBetween` (instants, both included), for the reports.
   */
  obligationOutcomes(filter: OutcomeFilter): Promise<StoredOutcome[]>;
  /** Closes the pool's connections. Idempotent. */
  close(): Promise<void>;
}

export const OutcomeFilter = z.strictObject({
  kinds: z.array(z.string().min(1).max(64)).min(1, 'must name at least one obligation kind'),
  team: SafeId.optional(),
  tier: z
    .string()
    .regex(/^[A-Z_]{1,32}$/, 'must be a risk tier such as HIGH_IMMEDIATE')
    .optional(),
  dueBetween: z.tuple([IsoInstant, IsoInstant]),
});
export type OutcomeFilter = z.input<typeof OutcomeFilter>;

/** One obligation as last noted in the case record. */
export interface StoredOutcome {
  caseId: string;
  team: string;
  tier: string;
  obligation: { id: string; kind: string; dueAt: string; status: 'open' | 'met' | 'waived' | 'superseded'; lateByMs?: number; resolvedAt?: string };
}

/** One outcome row as the report query gives it: text columns only (no JSON to parse per row). */
const StoredOutcomeRow = z.object({
  case_id: z.string(),
  team: z.string(),
  tier: z.string(),
  id: z.string(),
  kind: z.string(),
  due_at: z.string(),
  status: z.enum(['open', 'met', 'waived', 'superseded']),
  late_by_ms: z.string().regex(/^\d+$/).nullable(),
  resolved_at: z.string().nullable(),
});

export interface CaseRecordStoreOptions {
  /** Connections in this process's pool (default 4). */
  poolSize?: number;
}

const milliseconds = (fallback: number, min: number, max: number) =>
  z.coerce
    .number({ error: 'must be a number of milliseconds' })
    .int('must be a whole number of milliseconds')
    .min(min, `must be between ${min} and ${max}`)
    .max(max, `must be between ${min} and ${max}`)
    .default(fallback);

/**
 * What every connection of CaseClock's pools asks of a PostgreSQL server, so that no client can
 * hold the console up: a statement of ours gives up after CASECLOCK_STORE_STATEMENT_TIMEOUT_MS
 * (5 s; the KPI report's query gets CASECLOCK_STORE_REPORT_TIMEOUT_MS, 2 minutes), and a session
 * of ours left idle inside a transaction is ended by the server after
 * CASECLOCK_STORE_IDLE_IN_TRANSACTION_TIMEOUT_MS (10 s), releasing its locks. Sent as startup
 * parameters: the embedded store (PGlite) ignores them, and serves one session at a time anyway.
 */
export const StoreSessionLimits = z.object({
  CASECLOCK_STORE_STATEMENT_TIMEOUT_MS: milliseconds(5_000, 100, 600_000),
  CASECLOCK_STORE_IDLE_IN_TRANSACTION_TIMEOUT_MS: milliseconds(10_000, 1_000, 3_600_000),
  CASECLOCK_STORE_REPORT_TIMEOUT_MS: milliseconds(120_000, 1_000, 3_600_000),
});
export type StoreSessionLimits = z.output<typeof StoreSessionLimits>;

/** The limits from the environment (empty means the default); a bad value throws naming the variable. */
export function storeSessionLimits(env: NodeJS.ProcessEnv = process.env): StoreSessionLimits {
  const given = Object.fromEntries(Object.keys(StoreSessionLimits.shape).flatMap((k) => (env[k] ? [[k, env[k]]] : [])));
  const parsed = StoreSessionLimits.safeParse(given);
  if (!parsed.success) throw invalid(parsed.error, '', 'the case record store settings are not valid', given);
  return parsed.data;
}

/** Largest pool any one CaseClock process opens to the store (PostgreSQL's max_connections is shared). */
export const MAX_POOL_SIZE = 20;

/**
 * A pool to the store's database and the one way this codebase runs statements on it: inside an
 * explicit transaction (see the note at the top of this file), retried on serialization failures.
 */
export function pooledTransactions(url: string, options: { poolSize?: number; applicationName: string; missingTable: string; limits?: Partial<StoreSessionLimits> }) {
  parseOrThrow(StoreUrl, url, 'url', 'cannot open the case record store');
  const poolSize = options.poolSize ?? 4;
  if (!Number.isInteger(poolSize) || poolSize < 1 || poolSize > MAX_POOL_SIZE) {
    throw new CaseRecordInvalid(`poolSize: must be 1 to ${MAX_POOL_SIZE}`, [`poolSize: must be 1 to ${MAX_POOL_SIZE}`]);
  }
  const limits = { ...storeSessionLimits(), ...options.limits };
  const pool = new Pool({
    connectionString: url,
    max: poolSize,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 10_000,
    allowExitOnIdle: true,
    application_name: options.applicationName,
    statement_timeout: limits.CASECLOCK_STORE_STATEMENT_TIMEOUT_MS,
    idle_in_transaction_session_timeout: limits.CASECLOCK_STORE_IDLE_IN_TRANSACTION_TIMEOUT_MS,
  });
  // An idle connection that breaks (the server stopped) must not crash the process; the next
  // query gets a fresh connection or a clear error.
  pool.on('error', () => undefined);
  let closed: Promise<void> | undefined;

  async function inTransaction<T>(readOnly: boolean, work: (client: PoolClient) => Promise<T>): Promise<T> {
    if (closed) throw new Error('the case record store is closed');
    for (let attempt = 1; ; attempt++) {
      const client = await pool.connect();
      let broken: Error | undefined;
      // A connection that breaks mid-transaction (the server stopped or died) emits 'error' on
      // the client as well as failing the query: without a listener that would crash the process.
      const onError = (error: Error): void => {
        broken = error;
      };
      client.on('error', onError);
      try {
        await client.query(readOnly ? 'BEGIN READ ONLY' : 'BEGIN');
        const result = await work(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
        if (TRANSIENT.has(pgCode(error) ?? '') && attempt < 5) continue;
        if (pgCode(error) === '42P01') {
          throw new Error(`the case record store at ${redactUrl(url)} has no ${options.missingTable} table: run migrateCaseRecordStore first`, {
            cause: error,
          });
        }
        throw error;
      } finally {
        client.off('error', onError);
        client.release(broken);
      }
    }
  }
  return {
    inTransaction,
    limits,
    close(): Promise<void> {
      closed ??= pool.end();
      return closed;
    },
  };
}

/** Opens the store at `url` (PostgreSQL or the embedded server). Migrate it first. */
export function openCaseRecordStore(url: string, options: CaseRecordStoreOptions = {}): CaseRecordStore {
  const { inTransaction, close, limits } = pooledTransactions(url, { ...options, applicationName: 'caseclock-case-record', missingTable: 'case_record_entries' });

  return {
    async append(input, summaryInput) {
      const entries = parseOrThrow(CaseRecordBatch, input, 'entries', 'case record entries refused, nothing was written');
      const summary = summaryInput === undefined ? undefined : parseOrThrow(CaseSummarySchema, summaryInput, 'summary', 'case summary refused, nothing was written');
      // The same id twice in one batch: once if identical, refused if not.
      const byId = new Map<string, CaseRecordEntry>();
      for (const entry of entries) {
        const seen = byId.get(entry.entryId);
        if (!seen) byId.set(entry.entryId, entry);
        else {
          const fields = differingFields(seen, entry);
          if (fields.length > 0) throw new CaseRecordConflict(entry.entryId, fields, 'batch');
        }
      }
      if (entries.length === 0) {
        if (summary) await inTransaction(false, (client) => writeCaseSummary(client, summary));
        return { stored: 0, alreadyThere: 0 };
      }
      // Sorted by id so that concurrent batches take their row locks in one order (no deadlock).
      const rows = [...byId.values()].map(toRow).sort((a, b) => (String(a.entry_id) < String(b.entry_id) ? -1 : 1));
      const stored = await inTransaction(false, async (client) => {
        const inserted = await client.query<{ entry_id: string }>(
          `INSERT INTO case_record_entries (${COLUMNS.join(', ')})
           SELECT ${COLUMNS.join(', ')} FROM jsonb_to_recordset($1::jsonb) AS ${RECORDSET}
           ON CONFLICT (entry_id) DO NOTHING
           RETURNING entry_id`,
          [JSON.stringify(rows)],
        );
        if (inserted.rowCount === rows.length) {
          if (summary) await writeCaseSummary(client, summary);
          return rows.length;
        }
        // Some were already there: each must be there with the same content (compared by the
        // database, so jsonb key order and instant notation do not count as differences).
        const insertedIds = new Set(inserted.rows.map((r) => r.entry_id));
        const others = rows.filter((row) => !insertedIds.has(String(row.entry_id)));
        const differences = await client.query<{ entry_id: string; columns: string[] }>(
          `SELECT x.entry_id, array_remove(ARRAY[${COLUMNS.filter((c) => c !== 'entry_id')
            .map((c) => `CASE WHEN e.${c} IS DISTINCT FROM x.${c} THEN '${c}' END`)
            .join(', ')}], NULL) AS columns
           FROM jsonb_to_recordset($1::jsonb) AS ${RECORDSET}
           JOIN case_record_entries e ON e.entry_id = x.entry_id`,
          [JSON.stringify(others)],
        );
        const conflicts = new Map(differences.rows.filter((r) => r.columns.length > 0).map((r) => [r.entry_id, r.columns]));
        // Name the first conflicting entry in the caller's order.
        const first = entries.find((entry) => conflicts.has(entry.entryId));
        if (first) {
          const columns = conflicts.get(first.entryId) ?? [];
          throw new CaseRecordConflict(
            first.entryId,
            columns.map((c) => FIELD_OF[c as (typeof COLUMNS)[number]] ?? c),
            'stored',
          );
        }
        if (differences.rowCount !== others.length) {
          // Not inserted, yet not there: cannot happen with ON CONFLICT (entry_id) alone.
          throw new Error(`case record: ${others.length - (differences.rowCount ?? 0)} entries neither stored nor found`);
        }
        if (summary) await writeCaseSummary(client, summary);
        return inserted.rowCount ?? 0;
      });
      return { stored, alreadyThere: entries.length - stored };
    },

    async entry(entryId) {
      parseOrThrow(EntryId, entryId, 'entryId', 'cannot read the case record entry');
      return inTransaction(true, async (client) => {
        const result = await client.query(`SELECT ${COLUMNS.join(', ')} FROM case_record_entries WHERE entry_id = $1`, [entryId]);
        return result.rows[0] === undefined ? undefined : fromRow(result.rows[0]);
      });
    },

    async caseRecord(caseId) {
      parseOrThrow(SafeId, caseId, 'caseId', 'cannot read the case record');
      return inTransaction(true, async (client) => {
        const result = await client.query(
          `SELECT ${COLUMNS.join(', ')} FROM case_record_entries
           WHERE case_id = $1
           ORDER BY at, recorded_at, entry_id COLLATE "C"`,
          [caseId],
        );
        return result.rows.map(fromRow);
      });
    },

    async obligationOutcomes(input) {
      const filter = parseOrThrow(OutcomeFilter, input, 'filter', 'cannot read obligation outcomes');
      return inTransaction(true, async (client) => {
        // A year's report over every team reads a great many outcomes: longer than a console
        // statement may take, for this transaction only (SET LOCAL ends with it, on PGlite too).
        await client.query(`SET LOCAL statement_timeout = ${limits.CASECLOCK_STORE_REPORT_TIMEOUT_MS}`);
        // The latest outcome of each obligation first, then the filters: an obligation whose
        // deadline or team moved is counted where it is now, once.
        const result = await client.query(
          `WITH candidates AS (
             SELECT DISTINCT case_id, subject, obligation_id
             FROM case_record_entries
             WHERE kind = 'outcome' AND obligation_kind = ANY($1::text[]) AND due_at BETWEEN $2 AND $3
           )
           SELECT case_id, data->>'team' AS team, data->>'tier' AS tier, obligation_id AS id, obligation_kind AS kind, due_at,
                  data->'obligation'->>'status' AS status, data->'obligation'->>'lateByMs' AS late_by_ms,
                  data->'obligation'->>'resolvedAt' AS resolved_at
           FROM (
             SELECT DISTINCT ON (e.case_id, e.subject, e.obligation_id) e.case_id, e.data, e.due_at, e.obligation_id, e.obligation_kind
             FROM candidates c
             JOIN case_record_entries e
               ON e.kind = 'outcome' AND e.case_id = c.case_id AND e.subject = c.subject AND e.obligation_id = c.obligation_id
             ORDER BY e.case_id, e.subject, e.obligation_id, e.outcome_seq DESC
           ) latest
           WHERE due_at BETWEEN $2 AND $3
             AND ($4::text IS NULL OR data->>'team' = $4) AND ($5::text IS NULL OR data->>'tier' = $5)`,
          [filter.kinds, filter.dueBetween[0], filter.dueBetween[1], filter.team ?? null, filter.tier ?? null],
        );
        return result.rows.map((row): StoredOutcome => {
          const r = StoredOutcomeRow.parse(row);
          const obligation: StoredOutcome['obligation'] = { id: r.id, kind: r.kind, dueAt: r.due_at, status: r.status };
          if (r.late_by_ms !== null) obligation.lateByMs = Number(r.late_by_ms);
          if (r.resolved_at !== null) obligation.resolvedAt = r.resolved_at;
          return { caseId: r.case_id, team: r.team, tier: r.tier, obligation };
        });
      });
    },

    close,
  };
}

// --- Migrations --------------------------------------------------------------------------------

export const MIGRATIONS_DIR = path.join(__dirname, 'migrations');
/** node-pg-migrate's bookkeeping table for this store. */
export const MIGRATIONS_TABLE = 'case_record_store_migrations';

// 42P07 duplicate_table, 42710 duplicate_object, 23505 unique_violation: what a migrator that
// lost a race on the embedded server sees (see migrateCaseRecordStore).
const LOST_RACE = /already exists|duplicate key value/;

/**
 * Runs the pending migrations of store/migrations/ with node-pg-migrate, all in one transaction;
 * resolves to the names of those applied ([] when there were none). Idempotent.
 *
 * Two processes at once: on PostgreSQL, node-pg-migrate's advisory lock (waited for, not failed
 * on) lets one migrate while the other waits and then finds nothing to do. On the embedded
 * server every connection shares one session, so the advisory lock excludes nobody; there a
 * transaction excludes everyone else instead, and the loser of a race fails on "already exists"
 * with its transaction rolled back, so it tries again and finds nothing to do.
 */
export async function migrateCaseRecordStore(url: string, options: { log?: (line: string) => void } = {}): Promise<string[]> {
  parseOrThrow(StoreUrl, url, 'url', 'cannot migrate the case record store');
  // Nothing to do asks for no privilege: a worker or console connecting as its own role (which
  // may not change the schema, store/roles.sql) starts quietly once the owner has migrated.
  if ((await pendingCaseRecordMigrations(url).catch(() => undefined))?.length === 0) return [];
  const { runner } = await import('node-pg-migrate');
  const log = options.log ?? (() => undefined);
  const runnerOptions: RunnerOption = {
    databaseUrl: url,
    dir: MIGRATIONS_DIR,
    migrationsTable: MIGRATIONS_TABLE,
    direction: 'up',
    singleTransaction: true,
    checkOrder: true,
    advisoryLockMode: 'wait',
    logger: { info: log, warn: log, error: log },
  };
  for (let attempt = 1; ; attempt++) {
    try {
      const applied = await runner(runnerOptions);
      return applied.map((m) => m.name);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (attempt < 5 && LOST_RACE.test(message)) {
        log(`migration raced another process (${message.split('\n')[0]}); trying again`);
        await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
        continue;
      }
      throw new Error(`could not migrate the case record store at ${redactUrl(url)}: ${message}`, { cause: error });
    }
  }
}

/** The migrations in store/migrations/ not yet applied to the store at `url` (all of them on an empty database). */
export async function pendingCaseRecordMigrations(url: string): Promise<string[]> {
  parseOrThrow(StoreUrl, url, 'url', "cannot read the case record store's migrations");
  const known = readdirSync(MIGRATIONS_DIR)
    .filter((file) => file.endsWith('.sql'))
    .map((file) => file.slice(0, -'.sql'.length))
    .sort();
  const pool = new Pool({ connectionString: url, max: 1, application_name: 'caseclock-migrations-check' });
  try {
    // Simple queries (no parameters): on the embedded server nothing can interleave with them.
    const table = await pool.query<{ exists: boolean }>(`SELECT to_regclass('${MIGRATIONS_TABLE}') IS NOT NULL AS exists`);
    if (!table.rows[0]?.exists) return known;
    const applied = new Set((await pool.query<{ name: string }>(`SELECT name FROM ${MIGRATIONS_TABLE}`)).rows.map((row) => row.name));
    return known.filter((name) => !applied.has(name));
  } finally {
    await pool.end();
  }
}

// --- The embedded store ------------------------------------------------------------------------

/**
 * The embedded server has no authentication at all: whoever reaches it is its superuser. So by
 * default it listens on a Unix socket in a folder only this user may enter (0700): no other local
 * account can connect. TCP on loopback is for tools only, asked for by giving a `port`.
 */
const EmbeddedStoreOptions = z
  .strictObject({
    dataDir: z.string().min(1, 'must not be empty'),
    /** The folder of the Unix socket (made 0700); `<dataDir>.socket` by default. Not with `port`. */
    socketDir: z.string().min(1, 'must not be empty').optional(),
    /** TCP on loopback instead of the socket, for tools (0: any free port): any local account can connect. */
    port: z.number().int('must be a whole number').min(0, 'must be 0 to 65535').max(65535, 'must be 0 to 65535').optional(),
    host: z
      .string()
      .regex(/^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost)$/, 'must be a loopback address (127.0.0.1): the embedded store has no authentication')
      .optional(),
    /** Connections served at once (default 100); more are refused. */
    maxConnections: z.number().int().min(1).max(1000).default(100),
  })
  .superRefine((o, ctx) => {
    if (o.port !== undefined && o.socketDir !== undefined) ctx.addIssue({ code: 'custom', path: ['socketDir'], message: 'not with port: a socket or TCP, not both' });
    if (o.port === undefined && o.host !== undefined) ctx.addIssue({ code: 'custom', path: ['host'], message: 'only with port (TCP)' });
  });
export type EmbeddedStoreOptions = z.input<typeof EmbeddedStoreOptions>;

export interface EmbeddedStore {
  /**
   * For openCaseRecordStore and migrateCaseRecordStore: postgres://postgres@<socket folder, encoded>/postgres,
   * or postgres://postgres@host:port/postgres on TCP.
   */
  url: string;
  /** The socket's folder (0700), or undefined on TCP. */
  socketDir: string | undefined;
  /** The TCP port, or undefined on the socket. */
  port: number | undefined;
  /** Closes every connection (rolling back an open transaction), then the database. Idempotent. */
  stop(): Promise<void>;
}

/** The socket file's name in its folder: what libpq and node-postgres look for (port 5432 unless the URL says). */
export const EMBEDDED_SOCKET_FILE = '.s.PGSQL.5432';
/** sun_path holds 108 bytes on Linux, with its NUL. */
const MAX_SOCKET_PATH = 107;

/** The socket folder of a data dir unless told otherwise: beside it, as its lock file is. */
export function defaultSocketDir(dataDir: string): string {
  return `${path.resolve(dataDir).replace(/[/\\]+$/, '')}.socket`;
}

/** The URL of the embedded store listening in `socketDir` (absolute; percent-encoded as the host). */
export function embeddedStoreUrl(socketDir: string): string {
  return `postgres://postgres@${encodeURIComponent(path.resolve(socketDir))}/postgres`;
}

/**
 * `dir` and everything in it readable by this user only: folders 0700, files without group or
 * other access. PGlite writes most of its files 0666 whatever the umask; the 0700 folders keep
 * them private while it runs, and this pass at start and stop makes the files themselves so.
 */
export function makePrivate(dir: string): void {
  const uid = process.getuid?.();
  const visit = (at: string): void => {
    const stat = lstatSync(at);
    if (stat.isSymbolicLink() || (uid !== undefined && uid !== 0 && stat.uid !== uid)) return;
    if (stat.isDirectory()) {
      if ((stat.mode & 0o777) !== 0o700) chmodSync(at, 0o700);
      for (const name of readdirSync(at)) visit(path.join(at, name));
    } else if (stat.isFile() && (stat.mode & 0o077) !== 0) {
      chmodSync(at, stat.mode & 0o700);
    }
  };
  visit(dir);
}

/** Makes the socket folder (0700, ours, not a link) and clears a socket left by a store that died. */
function prepareSocketDir(socketDir: string): string {
  const socketPath = path.join(socketDir, EMBEDDED_SOCKET_FILE);
  if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH) {
    throw new CaseRecordInvalid(`socketDir: ${socketDir} is too long for a Unix socket (${socketPath} must be at most ${MAX_SOCKET_PATH} bytes); choose a shorter folder`, ['socketDir: too long for a Unix socket']);
  }
  mkdirSync(socketDir, { recursive: true, mode: 0o700 });
  const stat = lstatSync(socketDir);
  const uid = process.getuid?.();
  if (!stat.isDirectory() || (uid !== undefined && stat.uid !== uid)) {
    throw new CaseRecordInvalid(`socketDir: ${socketDir} must be a folder of this user's, not a link`, ['socketDir: not a folder of this user']);
  }
  chmodSync(socketDir, 0o700);
  // We hold the data dir's lock: a socket file there is from a store of this data dir that died.
  if (existsSync(socketPath)) rmSync(socketPath, { force: true });
  return socketPath;
}

/** The lock file beside a data dir: PGlite itself would let two processes open one dir. */
function lockPath(dataDir: string): string {
  return `${dataDir.replace(/[/\\]+$/, '')}.lock`;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function takeLock(dataDir: string): () => void {
  const file = lockPath(dataDir);
  const mine = String(process.pid);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, `${mine}\n`, { flag: 'wx', mode: 0o600 });
      return () => {
        try {
          if (readFileSync(file, 'utf8').trim() === mine) rmSync(file, { force: true });
        } catch {
          // already gone
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder)) {
        throw new CaseRecordInvalid(`dataDir: ${dataDir} is in use by process ${holder} (lock file ${file}); stop that store first, or remove the lock file if no store is running`, [
          `dataDir: in use by process ${holder}`,
        ]);
      }
      if (holder === process.pid) {
        throw new CaseRecordInvalid(`dataDir: ${dataDir} is already served by this process`, ['dataDir: already served by this process']);
      }
      rmSync(file, { force: true }); // left by a store that died
    }
  }
  throw new Error(`could not take the lock file ${file}`);
}

/**
 * Starts PGlite persisted in `dataDir` (created when missing, made private) behind pglite-socket's
 * PostgreSQL protocol server on a Unix socket in `socketDir` (0700), or, given a `port`, on
 * host:port (port 0: any free port). Does not migrate: see store/serve.ts.
 */
export async function startEmbeddedStore(options: EmbeddedStoreOptions): Promise<EmbeddedStore> {
  const parsed = parseOrThrow(EmbeddedStoreOptions, options, 'options', 'cannot start the embedded case record store');
  const { port, maxConnections } = parsed;
  const host = parsed.host ?? '127.0.0.1';
  const dataDir = path.resolve(parsed.dataDir);
  const socketDir = port === undefined ? path.resolve(parsed.socketDir ?? defaultSocketDir(dataDir)) : undefined;
  mkdirSync(path.dirname(dataDir), { recursive: true });
  const releaseLock = takeLock(dataDir);
  const [{ PGlite }, { PGLiteSocketServer }] = await Promise.all([import('@electric-sql/pglite'), import('@electric-sql/pglite-socket')]);
  let db: InstanceType<typeof PGlite> | undefined;
  try {
    if (!existsSync(dataDir)) mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    makePrivate(dataDir);
    const socketPath = socketDir === undefined ? undefined : prepareSocketDir(socketDir);
    db = await PGlite.create({ dataDir });
    makePrivate(dataDir); // what opening it wrote (pg_internal.init) under the process's umask
    const server = socketPath ? new PGLiteSocketServer({ db, path: socketPath, maxConnections }) : new PGLiteSocketServer({ db, port: port ?? 0, host, maxConnections });
    await server.start();
    const actualPort = socketPath ? undefined : Number(server.getServerConn().split(':').pop());
    const openDb = db;
    let stopped: Promise<void> | undefined;
    return {
      url: socketDir ? embeddedStoreUrl(socketDir) : `postgres://postgres@${host}:${actualPort}/postgres`,
      socketDir,
      port: actualPort,
      stop() {
        stopped ??= (async () => {
          try {
            await server.stop();
            await openDb.close();
            makePrivate(dataDir);
          } finally {
            if (socketPath) rmSync(socketPath, { force: true });
            releaseLock();
          }
        })();
        return stopped;
      },
    };
  } catch (error) {
    await db?.close().catch(() => undefined);
    releaseLock();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' && port !== undefined) throw new Error(`port: ${host}:${port} is already in use`, { cause: error });
    throw error;
  }
}
