/**
 * What the SSD sync keeps between reads, in the case record's database (migration
 * 1765411200000_ssd-sync.sql): the ledger of rows last read, the children it keeps cases for, and
 * one row per sync run. The worker's role reads and writes these; the console's reads them (the
 * source's freshness on the dashboard, the reconciliation page).
 */
import { z } from 'zod';
import type { ReadEntry, ReadLedger } from '../domain/ssd/diff';
import type { KnownCase } from '../domain/ssd/plan';
import type { SourceKey } from '../domain/ssd/events';
import { pooledTransactions } from './case-record-store';

/** What one run counted: rows read, cases opened, events recorded, and so on. */
export type SyncCounts = Record<string, number>;

/** One thing a run could not do or could not settle, for the administrators: values, never sentences to parse. */
export interface SyncReportItem {
  problem: string;
  personId?: string;
  sourceKey?: string;
  /** A team id, staff id, column or refusal, depending on the problem. */
  detail?: string;
}

export interface SyncRun {
  id: number;
  startedAt: string;
  finishedAt?: string;
  outcome: 'running' | 'succeeded' | 'failed';
  sourceKind: string;
  refreshedAt?: string;
  counts: SyncCounts;
  report: SyncReportItem[];
  problem?: string;
}

/** A child's case as the sync keeps it: its id and status, and the team and allocated worker it last gave the case. */
export type SyncedCase = KnownCase & { team: string; workerStaffId?: string };

export interface SsdSyncStore {
  /** Every row of the last read, by source key. */
  ledger(): Promise<ReadLedger>;
  /** One child's rows of the last read, by source key. */
  ledgerOfChild(personId: string): Promise<ReadLedger>;
  /** The children the sync keeps cases for. */
  knownCases(): Promise<Map<string, SyncedCase>>;
  /** The ledger and the children's cases as of one moment (one transaction): what a run plans from. */
  snapshot(): Promise<{ ledger: ReadLedger; known: Map<string, SyncedCase> }>;
  /**
   * A case that could not be opened after its rows were written as `opening`: its rows leave the
   * ledger and the child's case goes back to what it was (`previous`), or is forgotten.
   */
  abandonOpening(personId: string, keys: readonly SourceKey[], previous?: SyncedCase): Promise<void>;
  /**
   * One child's rows as its case now holds them, in one transaction: the rows read (replacing any
   * earlier read of the same key), the child's rows the source no longer has, and its case.
   */
  settleChild(personId: string, rows: readonly ReadEntry[], removed: readonly SourceKey[], kase?: SyncedCase): Promise<void>;
  beginRun(sourceKind: string, startedAt: string): Promise<number>;
  finishRun(id: number, result: { outcome: 'succeeded' | 'failed'; counts: SyncCounts; report: SyncReportItem[]; refreshedAt?: string; problem?: string }): Promise<void>;
  /** The latest runs, newest first. */
  recentRuns(limit?: number): Promise<SyncRun[]>;
  /** The latest run that succeeded: how fresh CaseClock's copy of the source is. */
  lastSuccess(): Promise<SyncRun | undefined>;
  close(): Promise<void>;
}

const RunRow = z.object({
  id: z.union([z.string(), z.number()]).transform(Number),
  started_at: z.date(),
  finished_at: z.date().nullable(),
  outcome: z.enum(['running', 'succeeded', 'failed']),
  source_kind: z.string(),
  refreshed_at: z.date().nullable(),
  counts: z.record(z.string(), z.number()),
  report: z.array(z.object({ problem: z.string(), personId: z.string().optional(), sourceKey: z.string().optional(), detail: z.string().optional() })),
  problem: z.string().nullable(),
});

function runOf(raw: unknown): SyncRun {
  const r = RunRow.parse(raw);
  return {
    id: r.id,
    startedAt: r.started_at.toISOString(),
    ...(r.finished_at ? { finishedAt: r.finished_at.toISOString() } : {}),
    outcome: r.outcome,
    sourceKind: r.source_kind,
    ...(r.refreshed_at ? { refreshedAt: r.refreshed_at.toISOString() } : {}),
    counts: r.counts,
    report: r.report,
    ...(r.problem !== null ? { problem: r.problem } : {}),
  };
}

const RUN_COLUMNS = 'id, started_at, finished_at, outcome, source_kind, refreshed_at, counts, report, problem';

type Queryable = { query: PoolClientLike['query'] };
type PoolClientLike = import('pg').PoolClient;

async function knownOf(c: Queryable): Promise<Map<string, SyncedCase>> {
  const result = await c.query<{ person_id: string; case_id: string; status: SyncedCase['status']; team: string; closed_at: Date | null; worker_staff_id: string | null }>(
    'SELECT person_id, case_id, status, team, closed_at, worker_staff_id FROM ssd_cases',
  );
  return new Map(
    result.rows.map((r) => [
      r.person_id,
      { caseId: r.case_id, status: r.status, team: r.team, ...(r.closed_at ? { closedAt: r.closed_at.toISOString() } : {}), ...(r.worker_staff_id ? { workerStaffId: r.worker_staff_id } : {}) },
    ]),
  );
}

async function writeCase(c: Queryable, personId: string, kase: SyncedCase): Promise<void> {
  await c.query(
    `INSERT INTO ssd_cases (person_id, case_id, status, team, closed_at, worker_staff_id, changed_at) VALUES ($1, $2, $3, $4, $5, $6, now())
     ON CONFLICT (person_id) DO UPDATE SET case_id = EXCLUDED.case_id, status = EXCLUDED.status, team = EXCLUDED.team, closed_at = EXCLUDED.closed_at,
       worker_staff_id = COALESCE(EXCLUDED.worker_staff_id, ssd_cases.worker_staff_id), changed_at = EXCLUDED.changed_at`,
    [personId, kase.caseId, kase.status, kase.team, kase.status === 'closed' ? (kase.closedAt ?? new Date().toISOString()) : null, kase.workerStaffId ?? null],
  );
}

type LedgerRow = { source_key: string; person_id: string; hash: string; entry: Pick<ReadEntry, 'events'> };

function ledgerOfRows(rows: readonly LedgerRow[]): ReadLedger {
  const ledger: Partial<Record<SourceKey, ReadEntry>> = {};
  for (const row of rows) ledger[row.source_key as SourceKey] = { events: row.entry.events, sourceKey: row.source_key as SourceKey, personId: row.person_id, hash: row.hash };
  return ledger;
}

/** A report is for people to read: the first thousand items, and how many more there were. */
export const REPORT_LIMIT = 1_000;

export function openSsdSyncStore(url: string): SsdSyncStore {
  const { inTransaction, close } = pooledTransactions(url, { poolSize: 4, applicationName: 'caseclock-ssd-sync', missingTable: 'ssd_ledger' });
  return {
    async ledger() {
      const result = await inTransaction(true, (c) => c.query<LedgerRow>('SELECT source_key, person_id, hash, entry FROM ssd_ledger'));
      return ledgerOfRows(result.rows);
    },
    async ledgerOfChild(personId) {
      const result = await inTransaction(true, (c) => c.query<LedgerRow>('SELECT source_key, person_id, hash, entry FROM ssd_ledger WHERE person_id = $1', [personId]));
      return ledgerOfRows(result.rows);
    },
    async knownCases() {
      return inTransaction(true, knownOf);
    },
    async snapshot() {
      return inTransaction(true, async (c) => {
        // One snapshot for both reads: a child settled between them would look known with no rows.
        await c.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
        // A council's whole ledger (hundreds of thousands of rows) takes longer than a page's query.
        await c.query("SET LOCAL statement_timeout = '10min'");
        const rows = await c.query<LedgerRow>('SELECT source_key, person_id, hash, entry FROM ssd_ledger');
        return { ledger: ledgerOfRows(rows.rows), known: await knownOf(c) };
      });
    },
    async abandonOpening(personId, keys, previous) {
      await inTransaction(false, async (c) => {
        if (keys.length > 0) await c.query('DELETE FROM ssd_ledger WHERE person_id = $1 AND source_key = ANY($2::text[])', [personId, keys]);
        if (previous) await writeCase(c, personId, previous);
        else await c.query("DELETE FROM ssd_cases WHERE person_id = $1 AND status = 'opening'", [personId]);
      });
    },
    async settleChild(personId, rows, removed, kase) {
      await inTransaction(false, async (c) => {
        if (rows.length > 0) {
          await c.query(
            `INSERT INTO ssd_ledger (source_key, person_id, hash, entry, read_at)
             SELECT r.source_key, r.person_id, r.hash, r.entry, now() FROM jsonb_to_recordset($1::jsonb) AS r(source_key text, person_id text, hash text, entry jsonb)
             ON CONFLICT (source_key) DO UPDATE SET person_id = EXCLUDED.person_id, hash = EXCLUDED.hash, entry = EXCLUDED.entry, read_at = EXCLUDED.read_at`,
            [JSON.stringify(rows.map((r) => ({ source_key: r.sourceKey, person_id: r.personId, hash: r.hash, entry: { events: r.events } })))],
          );
        }
        // Only this child's: a row moved to another child is that child's to write.
        if (removed.length > 0) await c.query('DELETE FROM ssd_ledger WHERE person_id = $1 AND source_key = ANY($2::text[])', [personId, removed]);
        if (kase) await writeCase(c, personId, kase);
      });
    },
    async beginRun(sourceKind, startedAt) {
      const result = await inTransaction(false, async (c) => {
        // A run still 'running' never finished (its worker or this store stopped first): it failed.
        // The schedule never overlaps two runs, so no other run is under way now.
        await c.query(`UPDATE ssd_sync_runs SET outcome = 'failed', finished_at = now(), problem = 'the run did not finish: its worker or the store stopped before it could record its end' WHERE outcome = 'running'`);
        return c.query<{ id: string }>(`INSERT INTO ssd_sync_runs (started_at, outcome, source_kind) VALUES ($1, 'running', $2) RETURNING id`, [startedAt, sourceKind]);
      });
      return Number(result.rows[0]?.id);
    },
    async finishRun(id, r) {
      const report = r.report.length > REPORT_LIMIT ? [...r.report.slice(0, REPORT_LIMIT), { problem: 'more-not-listed', detail: String(r.report.length - REPORT_LIMIT) }] : r.report;
      await inTransaction(false, (c) =>
        c.query(`UPDATE ssd_sync_runs SET finished_at = now(), outcome = $2, counts = $3, report = $4, refreshed_at = $5, problem = $6 WHERE id = $1`, [
          id,
          r.outcome,
          JSON.stringify(r.counts),
          JSON.stringify(report),
          r.refreshedAt ?? null,
          r.problem ?? null,
        ]),
      );
    },
    async recentRuns(limit = 20) {
      const result = await inTransaction(true, (c) => c.query(`SELECT ${RUN_COLUMNS} FROM ssd_sync_runs ORDER BY id DESC LIMIT $1`, [limit]));
      return result.rows.map(runOf);
    },
    async lastSuccess() {
      const result = await inTransaction(true, (c) => c.query(`SELECT ${RUN_COLUMNS} FROM ssd_sync_runs WHERE outcome = 'succeeded' ORDER BY finished_at DESC LIMIT 1`));
      return result.rows[0] === undefined ? undefined : runOf(result.rows[0]);
    },
    close,
  };
}
