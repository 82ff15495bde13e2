/**
 * The test run's case-record store (started by global-setup.ts), and the activities a case
 * worker runs in tests: email to a test mailbox, the record to the run's store, both real.
 */
import { inject } from 'vitest';
import { storedTimeline } from '../../client/case-record';
import { openCaseRecordStore, type CaseRecordStore } from '../../store/case-record-store';
import type { CaseState, TimelineEntry } from '../../workflows/messages';
import type { Mailbox } from './mailbox';
import { caseActivitiesWith } from './script-store';

let shared: CaseRecordStore | undefined;

/** The URL of the run's store. */
export function storeUrl(): string {
  return inject('storeUrl');
}

/** The URL the run's worker processes connect with: as caseclock_worker on PostgreSQL (store/roles.sql). */
export function storeWorkerUrl(): string {
  return inject('storeWorkerUrl');
}

/** This test file's connection pool to the run's store. */
export function testStore(): CaseRecordStore {
  shared ??= openCaseRecordStore(storeUrl());
  return shared;
}

/** Every activity a case worker runs, against the mailbox and the run's store. */
export function caseActivities(mailbox: Mailbox, mail: Parameters<Mailbox['activities']>[0] = {}) {
  return caseActivitiesWith(mailbox, testStore(), mail);
}

/**
 * A case's whole timeline for a test that looks inside it: the store's record plus what the case
 * has not yet written there (from its state, read first, so no entry falls between the two reads).
 * A case that keeps no record in the store answers from its own timeline. Readers never do this:
 * they show the store's record alone (common/case-reads.ts).
 */
export async function readTimeline(store: CaseRecordStore, id: string, subject: 'case' | 'incident', state: Pick<CaseState, 'notYetInRecord'>, fromWorkflow: () => Promise<TimelineEntry[]>): Promise<TimelineEntry[]> {
  if (state.notYetInRecord === undefined) return fromWorkflow();
  const stored = await storedTimeline(store, id, subject);
  const have = new Set(stored.map((e) => e.entryId));
  const entries = [...stored, ...state.notYetInRecord.filter((e) => !have.has(e.entryId))];
  return entries.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
}
