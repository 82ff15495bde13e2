/**
 * What the daily digest and the calendar feeds read: the open cases' summaries from the store
 * (store/case-summaries.ts), one list, and which running cases have written none yet (begun before
 * the store kept summaries), from Temporal's visibility. Neither asks a case workflow anything, so
 * both answer with no worker running and wake no case.
 */
import type { Client } from '@temporalio/client';
import type { CaseSummaries } from '../store/case-summaries';
import type { CaseSummary } from '../store/case-summary';
import { TeamAttribute } from '../workflows/search-attributes';

/** A running case with no summary in the store yet; its team as visibility has it. */
export interface UnsummarisedCase {
  caseId: string;
  team?: string;
}

export interface SummarisedCases {
  /** Open cases, as of `now`, most overdue first. */
  cases: CaseSummary[];
  /** Running cases whose summary is not there yet: left out, and said so. */
  unsummarised: UnsummarisedCase[];
  /** Why visibility could not be asked which cases have no summary (Temporal unreachable): the cases are the store's all the same. */
  unchecked?: string;
}

/** Largest list read at once: a council's open cases are about 10,000. */
const MOST_CASES = 100_000;

const quote = (s: string) => `'${s.replace(/['\\]/g, '')}'`;

/** The sentence a reader shows for cases left out because they have no summary yet. */
export function unsummarisedNote(count: number): string {
  return `${count} case${count === 1 ? ' has' : 's have'} not written a summary yet, so ${count === 1 ? 'it is' : 'they are'} not included: run caseclock summaries backfill`;
}

/**
 * The open cases' summaries (of `teams`, or all) and the running cases (of those teams, on
 * `taskQueue` when given) with none yet. A running case Temporal lists whose summary is not among
 * the open ones is read on its own: closed since (left out), or written since the list (included).
 */
export async function summarisedCases(
  client: Client,
  summaries: Pick<CaseSummaries, 'list' | 'get'>,
  filter: { now: string; teams?: readonly string[]; taskQueue?: string; /** How long visibility may take (default 10 s). */ visibilityTimeoutMs?: number },
): Promise<SummarisedCases> {
  const cases = await summaries.list({ subject: 'case', now: filter.now, limit: MOST_CASES, ...(filter.teams ? { teams: [...filter.teams] } : {}) });
  const have = new Set(cases.map((c) => c.caseId));
  const clauses = [`WorkflowType = 'caseWorkflow'`, `ExecutionStatus = 'Running'`];
  if (filter.taskQueue !== undefined) clauses.push(`TaskQueue = ${quote(filter.taskQueue)}`);
  if (filter.teams) clauses.push(`${TeamAttribute.name} IN (${filter.teams.map(quote).join(', ')})`);
  const unsummarised: UnsummarisedCase[] = [];
  const listRunning = async () => {
    for await (const wf of client.workflow.list({ query: clauses.join(' AND ') })) {
      const caseId = wf.workflowId.replace(/^case:/, '');
      const team = wf.typedSearchAttributes.get(TeamAttribute);
      if (!have.has(caseId)) unsummarised.push({ caseId, ...(team === undefined ? {} : { team }) });
    }
  };
  if (filter.teams?.length !== 0) {
    try {
      await client.withAbortSignal(AbortSignal.timeout(filter.visibilityTimeoutMs ?? 10_000), listRunning);
    } catch (err) {
      // The store answered: what it holds is shown, and the gap said to be unknown rather than none.
      return { cases, unsummarised: [], unchecked: err instanceof Error ? err.message : String(err) };
    }
  }
  // Not among the open ones listed: closed since (left out), or written since the list (included).
  const missing: UnsummarisedCase[] = [];
  for (const u of unsummarised) {
    const summary = await summaries.get('case', u.caseId, filter.now);
    if (summary === undefined) missing.push(u);
    else if (summary.status === 'open' && (!filter.teams || filter.teams.includes(summary.details.team))) cases.push(summary);
  }
  unsummarised.splice(0, unsummarised.length, ...missing);
  unsummarised.sort((a, b) => a.caseId.localeCompare(b.caseId));
  return { cases, unsummarised };
}
