/**
 * What the reconciliation of the case system with CaseClock reads from the case record's database
 * (domain/ssd/reconcile.ts compares it): the children the sync keeps cases for, the visits, reviews
 * and conferences people recorded on those cases, the ledger's events of those children, and the
 * sync's last complete run. Reads only; the console's role may (store/roles.sql).
 */
import { z } from 'zod';
import type { LedgerEvent, RecordedByPerson, SyncedChild } from '../domain/ssd/reconcile';
import { pooledTransactions } from './case-record-store';

export interface ReconciliationStore {
  /** The children the sync keeps cases for (ssd_cases). */
  syncedChildren(): Promise<SyncedChild[]>;
  /** The visits and meetings recorded on the sync's cases by anyone but `syncUser`, from the case record. */
  recordedByPeople(syncUser: string): Promise<RecordedByPerson[]>;
  /** The contacts and meetings the ledger holds for these children (the source's rows last read). */
  ledgerEvents(personIds: readonly string[]): Promise<LedgerEvent[]>;
  close(): Promise<void>;
}

// A case the sync is opening (or a stopped run was) is open for the reconciliation.
const ChildRow = z.object({ person_id: z.string(), case_id: z.string(), status: z.enum(['opening', 'open', 'closed']).transform((s) => (s === 'opening' ? 'open' : s)), team: z.string() });
const EventRow = z.object({ case_id: z.string(), by_user: z.string(), at: z.date(), type: z.string(), contact_type: z.string().nullable(), meeting_type: z.string().nullable() });
const LedgerRow = z.object({ person_id: z.string(), at: z.string(), type: z.string(), contact_type: z.string().nullable(), meeting_type: z.string().nullable() });

const kinds = (r: { contact_type: string | null; meeting_type: string | null }) => ({
  ...(r.contact_type === null ? {} : { contactType: r.contact_type }),
  ...(r.meeting_type === null ? {} : { meetingType: r.meeting_type }),
});

export function openReconciliationStore(url: string): ReconciliationStore {
  const { inTransaction, close } = pooledTransactions(url, { poolSize: 2, applicationName: 'caseclock-reconciliation', missingTable: 'ssd_cases' });
  return {
    async syncedChildren() {
      const result = await inTransaction(true, (c) => c.query('SELECT person_id, case_id, status, team FROM ssd_cases ORDER BY person_id'));
      return result.rows.map((raw) => {
        const r = ChildRow.parse(raw);
        return { personId: r.person_id, caseId: r.case_id, status: r.status, team: r.team };
      });
    },
    async recordedByPeople(syncUser) {
      // Through ssd_cases to the case record's index on (case_id, at): only the sync's cases are read.
      const result = await inTransaction(true, (c) =>
        c.query(
          `SELECT e.case_id, e.by_user, e.at, e.data->'event'->>'type' AS type,
                  e.data->'event'->>'contactType' AS contact_type, e.data->'event'->>'meetingType' AS meeting_type
           FROM ssd_cases s JOIN case_record_entries e ON e.case_id = s.case_id
           WHERE e.subject = 'case' AND e.kind = 'event' AND e.by_user <> $1 AND e.data->'event'->>'type' IN ('contact', 'meeting-held')
           ORDER BY e.case_id, e.at`,
          [syncUser],
        ),
      );
      return result.rows.map((raw) => {
        const r = EventRow.parse(raw);
        return { caseId: r.case_id, by: r.by_user, at: r.at.toISOString(), type: r.type, ...kinds(r) };
      });
    },
    async ledgerEvents(personIds) {
      if (personIds.length === 0) return [];
      const result = await inTransaction(true, (c) =>
        c.query(
          `SELECT l.person_id, ev->>'at' AS at, ev->>'type' AS type, ev->>'contactType' AS contact_type, ev->>'meetingType' AS meeting_type
           FROM ssd_ledger l CROSS JOIN LATERAL jsonb_array_elements(l.entry->'events') AS ev
           WHERE l.person_id = ANY($1::text[]) AND ev->>'type' IN ('contact', 'meeting-held')`,
          [personIds],
        ),
      );
      return result.rows.map((raw) => {
        const r = LedgerRow.parse(raw);
        return { personId: r.person_id, at: r.at, type: r.type, ...kinds(r) };
      });
    },
    close,
  };
}
