/**
 * Reading the case summaries (store/case-summary.ts): one case's, or a list of them, as of an
 * instant. The console, the command line, the digest and the calendar feeds read here; nothing here
 * asks a workflow.
 */
import { z } from 'zod';
import { IsoInstant, SafeId } from '../domain/facts';
import { RiskTier } from '../domain/kinds';
import { pooledTransactions } from './case-record-store';
import { type CaseSummary, summaryAsOf } from './case-summary';

const Instant = IsoInstant;

/** Which summaries a list wants; every field optional. */
export const SummaryFilter = z.strictObject({
  subject: z.enum(['case', 'incident']).default('case'),
  /** Only these teams (a manager's own); absent: every team. */
  teams: z.array(SafeId).max(500).optional(),
  tier: RiskTier.optional(),
  /** Closed cases too (default: open ones only). */
  includeClosed: z.boolean().default(false),
  /** Only cases with an open obligation past its deadline at `now`. */
  overdueOnly: z.boolean().default(false),
  now: Instant,
  // Every case a council holds by default: a list that stopped short would hide the least urgent cases without a word.
  limit: z.number().int().min(1).max(100_000).default(100_000),
});
export type SummaryFilter = z.input<typeof SummaryFilter>;

export interface CaseSummaries {
  /** One case's (or incident's) summary as of `now`; undefined when it has written none. */
  get(subject: 'case' | 'incident', caseId: string, now: string): Promise<CaseSummary | undefined>;
  /**
   * Summaries as of `now`, most overdue first (the earliest deadline first, cases with no deadline
   * last), then by case id. A case on hold past its deadline is listed but not counted overdue.
   */
  list(filter: SummaryFilter): Promise<CaseSummary[]>;
  close(): Promise<void>;
}

/** Opens the summaries at `url` (PostgreSQL or the embedded server) for reading. */
export function openCaseSummaries(url: string, options: { poolSize?: number } = {}): CaseSummaries {
  const { inTransaction, close } = pooledTransactions(url, { ...options, applicationName: 'caseclock-case-summaries', missingTable: 'case_summaries' });
  const parse = (raw: unknown, now: string): CaseSummary => summaryAsOf(raw as CaseSummary, now);
  return {
    async get(subject, caseId, now) {
      const id = SafeId.parse(caseId);
      const at = Instant.parse(now);
      const rows = await inTransaction(true, (client) => client.query<{ summary: unknown }>('SELECT summary FROM case_summaries WHERE subject = $1 AND case_id = $2', [subject, id]));
      return rows.rows[0] ? parse(rows.rows[0].summary, at) : undefined;
    },
    async list(input) {
      const f = SummaryFilter.parse(input);
      const clauses = ['subject = $1'];
      const params: unknown[] = [f.subject];
      const param = (v: unknown) => {
        params.push(v);
        return `$${params.length}`;
      };
      if (!f.includeClosed) clauses.push(`status = 'open'`);
      if (f.teams) clauses.push(`team = ANY(${param(f.teams)}::text[])`);
      if (f.tier) clauses.push(`tier = ${param(f.tier)}`);
      // Overdue: an open obligation not on hold past its deadline; next_due_at is the earliest of those.
      if (f.overdueOnly) clauses.push(`status = 'open' AND next_due_at < ${param(f.now)}::timestamptz`);
      const sql = `SELECT summary FROM case_summaries WHERE ${clauses.join(' AND ')} ORDER BY next_due_at ASC NULLS LAST, case_id LIMIT ${param(f.limit)}`;
      const rows = await inTransaction(true, (client) => client.query<{ summary: unknown }>(sql, params));
      return rows.rows.map((r) => parse(r.summary, f.now));
    },
    close,
  };
}
