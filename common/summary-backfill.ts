/**
 * The upgrade to case summaries: cases and incidents begun before CaseClock kept a summary in the
 * store write their first one only at their next change, which may be weeks away, and until then
 * the console shows them as not yet summarised. `caseclock summaries backfill` asks each running
 * one that has no summary to write it now (the `writeSummary` update), a few at a time. An
 * operator's one-off step after upgrading, not a read: it wakes each case it asks, once.
 */
import type { Client } from '@temporalio/client';
import pLimit from 'p-limit';
import type { CaseSummaries } from '../store/case-summaries';
import { caseWorkflowId, incidentWorkflowId, TASK_QUEUE, writeSummaryUpdate } from '../workflows/messages';

/** How long one case is given to accept the request (a case whose worker is down fails, and the rest go on). */
const ASK_TIMEOUT_MS = 30_000;

export interface BackfillCounts {
  /** Running cases and incidents Temporal lists. */
  running: number;
  /** Of those, with a summary in the store already. */
  summarised: number;
  /** Asked to write one now (or, in a dry run, that would be). */
  asked: number;
  /** Refused or failed, each with why (a case on code from before the store, a case that closed meanwhile, ...). */
  failed: Array<{ id: string; subject: 'case' | 'incident'; reason: string }>;
}

/** The running cases and incidents without a summary, from Temporal's visibility and the store (nothing woken). */
export async function unsummarised(client: Client, summaries: CaseSummaries, now: string, taskQueue: string = TASK_QUEUE): Promise<{ running: number; missing: Array<{ id: string; subject: 'case' | 'incident' }> }> {
  const have = new Set<string>();
  for (const subject of ['case', 'incident'] as const) {
    for (const s of await summaries.list({ subject, includeClosed: true, now, limit: 100_000 })) have.add(`${subject}:${s.caseId}`);
  }
  const missing: Array<{ id: string; subject: 'case' | 'incident' }> = [];
  let running = 0;
  const query = `WorkflowType IN ('caseWorkflow', 'incidentWorkflow') AND ExecutionStatus = 'Running' AND TaskQueue = '${taskQueue.replace(/['\\]/g, '')}'`;
  for await (const wf of client.workflow.list({ query })) {
    running++;
    const subject = wf.type === 'incidentWorkflow' ? 'incident' : 'case';
    const id = wf.workflowId.replace(/^(case|incident):/, '');
    if (!have.has(`${subject}:${id}`)) missing.push({ id, subject });
  }
  return { running, missing };
}

/** Asks every running case and incident without a summary to write one; `dryRun` only counts them. */
export async function backfillSummaries(
  client: Client,
  summaries: CaseSummaries,
  options: { by: string; concurrency?: number; dryRun?: boolean; now?: string; taskQueue?: string; progress?: (done: number, of: number) => void },
): Promise<BackfillCounts> {
  const { running, missing } = await unsummarised(client, summaries, options.now ?? new Date().toISOString(), options.taskQueue);
  const counts: BackfillCounts = { running, summarised: running - missing.length, asked: 0, failed: [] };
  if (options.dryRun) return { ...counts, asked: missing.length };
  const limit = pLimit(options.concurrency ?? 8);
  let done = 0;
  await Promise.all(
    missing.map(({ id, subject }) =>
      limit(async () => {
        const workflowId = subject === 'case' ? caseWorkflowId(id) : incidentWorkflowId(id);
        try {
          await client.withDeadline(Date.now() + ASK_TIMEOUT_MS, () => client.workflow.getHandle(workflowId).executeUpdate(writeSummaryUpdate, { args: [{ by: options.by }] }));
          counts.asked++;
        } catch (err) {
          counts.failed.push({ id, subject, reason: err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err) });
        }
        options.progress?.(++done, missing.length);
      }),
    ),
  );
  return counts;
}
