/**
 * The case-record activity: appends a case's new timeline entries to the case-record store
 * (store/case-record-store.ts), outside Temporal. Idempotent by each entry's own id, so a retried
 * attempt (or a worker that died after the commit) never writes an entry twice. The case's summary,
 * where it stands as of these entries, is replaced in the same transaction (cases begun before
 * summaries send none).
 */
import { ApplicationFailure, log } from '@temporalio/activity';
import { CaseRecordConflict, CaseRecordInvalid, type CaseRecordEntryInput, type CaseRecordStore } from '../store/case-record-store';
import type { CaseSummary } from '../store/case-summary';
import { CASE_RECORD_REFUSED_TYPE } from '../workflows/failure-types';

export interface CaseRecordDeps {
  store: Pick<CaseRecordStore, 'append'>;
}

/**
 * An entry as the workflow builds it: plain JSON in `data` (typed loosely here; the store checks
 * every entry with its schema before anything is written).
 */
export type CaseRecordEntryDraft = Omit<CaseRecordEntryInput, 'data'> & { data: Record<string, unknown> };

export interface StoreEntriesResult {
  /** Entries written now. */
  stored: number;
  /** Entries an earlier attempt had already written, left as they were. */
  alreadyThere: number;
}

export function createCaseRecordActivities(deps: CaseRecordDeps) {
  return {
    async storeCaseEntries(entries: CaseRecordEntryDraft[], summary?: CaseSummary): Promise<StoreEntriesResult> {
      try {
        const result = await deps.store.append(entries as CaseRecordEntryInput[], summary);
        log.info('case record entries stored', { caseId: entries[0]?.caseId, ...result });
        return result;
      } catch (err) {
        // Refused for good: the workflow keeps the entries and shows the problem; a retry of the
        // same batch would be refused again. Anything else (store down) is retried.
        if (err instanceof CaseRecordInvalid || err instanceof CaseRecordConflict) {
          throw ApplicationFailure.nonRetryable(err.message, CASE_RECORD_REFUSED_TYPE);
        }
        throw err;
      }
    },
  };
}

export type CaseRecordActivities = ReturnType<typeof createCaseRecordActivities>;
