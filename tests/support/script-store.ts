/**
 * A case worker's activities against a given case-record store, and an embedded store for plain
 * scripts (benchmarks, recording histories), which run outside vitest and its test-run store.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createCaseRecordActivities } from '../../activities/case-record';
import { migrateCaseRecordStore, openCaseRecordStore, startEmbeddedStore, type CaseRecordStore } from '../../store/case-record-store';
import type { Mailbox } from './mailbox';

/** Every activity a case worker runs: email to the mailbox, the record to `store`. */
export function caseActivitiesWith(mailbox: Mailbox, store: CaseRecordStore, mail: Parameters<Mailbox['activities']>[0] = {}) {
  return { ...mailbox.activities(mail), ...createCaseRecordActivities({ store }) };
}

/** An embedded store of a script's own, in a temporary folder removed by `stop`. */
export async function startScriptStore(): Promise<{ url: string; store: CaseRecordStore; stop: () => Promise<void> }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'caseclock-script-store-'));
  const server = await startEmbeddedStore({ dataDir: path.join(dir, 'store') });
  await migrateCaseRecordStore(server.url);
  const store = openCaseRecordStore(server.url);
  return {
    url: server.url,
    store,
    stop: async () => {
      await store.close();
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
