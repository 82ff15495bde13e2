/**
 * A case worker's activities against a given case-record store, and an embedded store for plain
 * scripts (benchmarks, recording histories), which run outside vitest and its test-run store:
 * in the script's process, or in a process of its own as `npm start` runs it (store/serve.ts).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createCaseRecordActivities } from '../../activities/case-record';
import { migrateCaseRecordStore, openCaseRecordStore, startEmbeddedStore, type CaseRecordStore } from '../../store/case-record-store';
import type { Mailbox } from './mailbox';

/** Every activity a case worker runs: email to the mailbox, the record to `store`. */
export function caseActivitiesWith(mailbox: Mailbox, store: CaseRecordStore, mail: Parameters<Mailbox['activities']>[0] = {}) {
  const sending = mailbox.activities(mail);
  return { ...sending, ...createCaseRecordActivities({ store, deliver: sending.deliverCaseMessage }) };
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

/**
 * The embedded store in a process of its own (store/serve.ts, on its private socket), as `npm start`
 * runs it: a benchmark's worker process then pays for its own work only, not the database's.
 */
export async function startStoreProcess(): Promise<{ url: string; store: CaseRecordStore; stop: () => Promise<void> }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'caseclock-store-process-'));
  const script = path.resolve(__dirname, '../../store/serve.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', script, '--data-dir', path.join(dir, 'store')], { cwd: path.resolve(__dirname, '../..'), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const listening = /^store listening on (\S+)$/m.exec(stdout);
      if (listening) resolve(listening[1]!);
    });
    void exited.then((code) => reject(new Error(`store/serve.ts exited (${code}) before it was ready: ${stderr.trim()}`)));
  });
  const store = openCaseRecordStore(url);
  return {
    url,
    store,
    stop: async () => {
      await store.close();
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
