/**
 * Escalations held for an import's summary emails, in the case-record store's database. An
 * imported case that is overdue on arrival is opened with those escalations recorded as reported
 * in the summary, so the case does not send them; this table is what makes that promise hold when
 * the import stops before the summary has gone (interrupted, or the mail server down): every held
 * escalation stays here until its summary is sent, and the next run sends it.
 */
import { z } from 'zod';
import { pooledTransactions } from './case-record-store';

/** One escalation held for a summary: its case's message id, the case, the recipient, and what the summary says of it. */
export interface HeldEscalation {
  messageId: string;
  caseId: string;
  recipient: string;
  /** Plain JSON; the import reads it back through its own schema. */
  payload: unknown;
}

export interface ImportSummaryStore {
  /** Holds these escalations for run `runId` before their case opens; one held already (an earlier run) is kept as it is. */
  hold(runId: string, escalations: readonly HeldEscalation[]): Promise<void>;
  /** Forgets what run `runId` held for a case it did not open (already there, or refused). */
  release(runId: string, caseId: string): Promise<void>;
  /** Every held escalation whose summary has not been sent, from this run or any earlier one, with the run that held it. */
  unsent(): Promise<Array<HeldEscalation & { runId: string }>>;
  /** Forgets escalations held for a case that never opened (an interrupted run, the row since dropped from the file). */
  drop(messageIds: readonly string[]): Promise<void>;
  markSent(messageIds: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

const Row = z.object({ message_id: z.string(), case_id: z.string(), run_id: z.string(), recipient: z.string(), escalation: z.unknown() });

export function openImportSummaryStore(url: string): ImportSummaryStore {
  const { inTransaction, close } = pooledTransactions(url, { poolSize: 2, applicationName: 'caseclock-import', missingTable: 'import_held_escalations' });
  return {
    async hold(runId, escalations) {
      if (escalations.length === 0) return;
      await inTransaction(false, async (c) => {
        for (const e of escalations) {
          await c.query(
            `INSERT INTO import_held_escalations (message_id, case_id, run_id, recipient, escalation) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (message_id) DO NOTHING`,
            [e.messageId, e.caseId, runId, e.recipient, JSON.stringify(e.payload)],
          );
        }
      });
    },
    async release(runId, caseId) {
      await inTransaction(false, (c) => c.query('DELETE FROM import_held_escalations WHERE case_id = $1 AND run_id = $2 AND sent_at IS NULL', [caseId, runId]));
    },
    async unsent() {
      const result = await inTransaction(true, (c) => c.query('SELECT message_id, case_id, run_id, recipient, escalation FROM import_held_escalations WHERE sent_at IS NULL ORDER BY held_at, message_id'));
      return result.rows.map((raw) => {
        const r = Row.parse(raw);
        return { messageId: r.message_id, caseId: r.case_id, runId: r.run_id, recipient: r.recipient, payload: r.escalation };
      });
    },
    async drop(messageIds) {
      if (messageIds.length === 0) return;
      await inTransaction(false, (c) => c.query('DELETE FROM import_held_escalations WHERE message_id = ANY($1) AND sent_at IS NULL', [[...messageIds]]));
    },
    async markSent(messageIds) {
      if (messageIds.length === 0) return;
      await inTransaction(false, (c) => c.query('UPDATE import_held_escalations SET sent_at = now() WHERE message_id = ANY($1)', [[...messageIds]]));
    },
    close,
  };
}
