/**
 * A restore drill on the production shape (the `postgres` project: Temporal and the case record
 * both on PostgreSQL): cases run by a real worker write their record; the record's database is
 * dumped exactly as docs/operations.md says (`pg_dump --format=custom --exclude-table-data=console_sessions`),
 * restored into an empty database with `pg_restore`, and every case's export from the restored
 * database is identical to the one from the original, still append-only. On
 * the dev project the record is the embedded store, which Debian's pg_dump cannot read (the
 * operations page says to copy its folder instead), so the drill runs on the postgres project only.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Worker } from '@temporalio/worker';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { exportCaseRecord } from '../../client/case-record';
import { caseState, recordEvent } from '../../common/cases';
import { openCaseRecordStore } from '../../store/case-record-store';
import { storeUrl, testStore } from '../support/case-record';
import { openHighRiskCase, waitUntil } from '../support/drill';
import { startMailbox, type Mailbox } from '../support/mailbox';
import { caseActivitiesWith } from '../support/script-store';
import { LEVEL_1_ONLY, secondsPolicy } from '../support/seconds-policy';
import { bundleCaseWorkflows, connectDevServer, type DevServerConnections, uniqueName } from '../support/temporal-env';

const run = promisify(execFile);

/** Debian's client tools of the cluster's PostgreSQL (or on PATH). */
function pgTool(name: 'pg_dump' | 'pg_restore'): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  for (const v of versions) {
    const candidate = path.join(root, v, 'bin', name);
    if (existsSync(candidate)) return candidate;
  }
  return name;
}

let mailbox: Mailbox | undefined;
let dev: DevServerConnections | undefined;
let dir: string | undefined;
const restoredDb = `caseclock_restore_${Math.random().toString(36).slice(2, 8)}`;

afterAll(async () => {
  await dev?.close();
  await mailbox?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(inject('temporalKind') !== 'postgres')('restoring the case record from a back-up', () => {
  it('dump, restore into an empty database: every case exports the same', async () => {
    mailbox = await startMailbox();
    dev = await connectDevServer();
    const { client, nativeConnection } = dev;
    const store = testStore();
    const taskQueue = uniqueName('restore');
    const worker = await Worker.create({ connection: nativeConnection, taskQueue, workflowBundle: await bundleCaseWorkflows(), activities: caseActivitiesWith(mailbox, store) });
    const cases: string[] = [];
    await worker.runUntil(async () => {
      const policy = secondsPolicy({ 'initial-visit-high': 'PT4S' }, LEVEL_1_ONLY);
      for (let i = 0; i < 3; i++) cases.push(await openHighRiskCase(client, policy, { taskQueue, prefix: 'RESTORE' }));
      // One visited in time, two escalated: events, messages with their SMTP answers, outcomes.
      await recordEvent(client, cases[0]!, { type: 'contact', contactType: 'visit', at: new Date().toISOString(), by: 'sw1' });
      await mailbox!.waitFor((all) => cases.slice(1).every((c) => all.some((m) => m.caseReference === c && m.caseMessageId.includes('/escalation/L1/'))), 60_000);
      for (const caseId of cases) {
        await waitUntil(`${caseId} has written its record`, async () => (await caseState(client, caseId)).waitingForStore === 0, 60_000);
      }
    });

    const now = new Date().toISOString();
    const before = await Promise.all(cases.map((c) => exportCaseRecord(store, c, 'case', now)));
    for (const record of before) expect(record.entries.length).toBeGreaterThan(2);

    dir = mkdtempSync(path.join(os.tmpdir(), 'caseclock-restore-'));
    const dump = path.join(dir, 'caseclock-record.dump');
    await run(pgTool('pg_dump'), ['--format=custom', '--exclude-table-data=console_sessions', `--file=${dump}`, storeUrl()]);

    const url = new URL(storeUrl());
    const admin = new pg.Client({ connectionString: Object.assign(new URL(url), { pathname: '/postgres' }).toString() });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(restoredDb)}`);
    } finally {
      await admin.end();
    }
    const restoredUrl = Object.assign(new URL(url), { pathname: `/${restoredDb}` }).toString();
    await run(pgTool('pg_restore'), [`--dbname=${restoredUrl}`, dump]);

    const restored = openCaseRecordStore(restoredUrl);
    try {
      const after = await Promise.all(cases.map((c) => exportCaseRecord(restored, c, 'case', now)));
      expect(after).toEqual(before);
      // Still append-only after the restore: the trigger came back with the table.
      const direct = new pg.Client({ connectionString: restoredUrl });
      await direct.connect();
      try {
        await expect(direct.query('DELETE FROM case_record_entries')).rejects.toThrow();
      } finally {
        await direct.end();
      }
    } finally {
      await restored.close();
    }
  });
});
