/**
 * The case summary: one row per case (and per incident) in the case-record store, replaced each
 * time the case writes its record, in the same transaction as the entries (store/case-record-store.ts
 * `append`). It is where the case stands as of that write: status, team, tier, the people (staff
 * names and emails; never the child's), each open obligation with its deadline and the escalation
 * level it has reached and whom that went to, the messages waiting for the mail server, the next
 * deadline, and how many entries the case still holds that the store does not. Every reader (the
 * console, the command line, the digest, calendar feeds, the import's check) reads it here, so a
 * read never wakes a workflow and answers with no worker running. Its history is the append-only
 * record beside it.
 *
 * What changes with time alone (an obligation passing its deadline) is worked out when it is read
 * (`summaryAsOf`), not written: nothing is written when a deadline passes without a message.
 */
import type { PoolClient } from 'pg';
import { z } from 'zod';
import { IsoInstant, SafeId } from '../domain/facts';
import { RiskTier } from '../domain/kinds';
import type { CaseSummary } from '../workflows/messages';

/** Largest summary accepted, as JSON text: a case's open obligations and contacts are far less. */
export const MAX_SUMMARY_BYTES = 256 * 1024;

export type { CaseSummary };

const Role = z.string().min(1).max(64);
const Instant = IsoInstant;

/** What is checked at the store's door: the fields the rows are indexed by, strictly; the rest as bounded JSON. */
export const CaseSummarySchema = z
  .looseObject({
    subject: z.enum(['case', 'incident']),
    caseId: SafeId,
    linkedCaseId: SafeId.optional(),
    details: z.looseObject({ reference: SafeId, team: SafeId, contacts: z.record(Role, z.looseObject({ name: z.string().min(1).max(200), email: z.string().min(3).max(320) })) }),
    openedAt: Instant,
    status: z.enum(['open', 'closed']),
    tier: RiskTier.nullable(),
    policyVersion: z.string().min(1).max(200),
    open: z.array(
      z.looseObject({
        id: z.string().min(1).max(300),
        kind: z.string().min(1).max(64),
        title: z.string().min(1).max(300),
        dueAt: Instant,
        onHold: z.boolean(),
        escalationLevel: z.number().int().min(0).max(10),
        escalatedTo: z.strictObject({ role: Role, to: z.string().min(3).max(320).optional() }).optional(),
      }),
    ),
    overdueCount: z.number().int().min(0),
    nextDueAt: Instant.nullable(),
    nextWakeAt: Instant.nullable(),
    undeliverable: z.array(z.json()),
    sending: z.array(z.looseObject({ messageId: z.string().min(1).max(300), type: z.string(), level: z.number().int(), role: Role, sendAt: Instant })),
    waitingForStore: z.number().int().min(0),
    warnings: z.array(z.string().max(4000)),
    writtenAt: Instant,
  })
  .superRefine((summary, ctx) => {
    if (Buffer.byteLength(JSON.stringify(summary)) > MAX_SUMMARY_BYTES) ctx.addIssue({ code: 'custom', message: `must be at most ${MAX_SUMMARY_BYTES} bytes as JSON` });
  });

/**
 * Writes the summary inside the caller's transaction (the one that appends the entries), unless a
 * later one is already there: a write retried after a newer one landed never puts the case back.
 */
export async function writeCaseSummary(client: PoolClient, summary: z.output<typeof CaseSummarySchema>): Promise<void> {
  await client.query(
    `INSERT INTO case_summaries (subject, case_id, team, tier, status, next_due_at, worker, summary, written_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9)
     ON CONFLICT (subject, case_id) DO UPDATE SET
       team = EXCLUDED.team, tier = EXCLUDED.tier, status = EXCLUDED.status, next_due_at = EXCLUDED.next_due_at,
       worker = EXCLUDED.worker, summary = EXCLUDED.summary, written_at = EXCLUDED.written_at
     WHERE case_summaries.written_at <= EXCLUDED.written_at`,
    [summary.subject, summary.caseId, summary.details.team, summary.tier, summary.status, summary.nextDueAt, summary.details.contacts['allocated-worker']?.name ?? null, JSON.stringify(summary), summary.writtenAt],
  );
}

/**
 * The summary as of `now`: which open obligations are past their deadline is worked out from their
 * deadlines (an occurrence on hold is never overdue), as the engine does.
 */
export function summaryAsOf(summary: CaseSummary, now: string): CaseSummary {
  if (summary.status === 'closed') return { ...summary, overdueCount: 0 };
  const overdueCount = summary.open.filter((o) => !o.onHold && o.dueAt < now).length;
  return { ...summary, overdueCount };
}
