/**
 * The test run's case-record store (started by global-setup.ts), and the activities a case
 * worker runs in tests: email to a test mailbox, the record to the run's store, both real.
 */
import { inject } from 'vitest';
import { openCaseRecordStore, type CaseRecordStore } from '../../store/case-record-store';
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
