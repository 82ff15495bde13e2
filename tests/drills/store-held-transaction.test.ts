/**
 * A client that holds a transaction open on the case-record store, on another connection, while
 * staff use the console. On PostgreSQL (the `postgres` project: the record in the cluster's
 * PostgreSQL) it must not freeze the console: with the holder idle inside a transaction that has
 * locked every session row and the case's record rows (SELECT ... FOR UPDATE), a sign-in and the
 * case's page each answer within a second; the server ends the holder once it has sat idle for the
 * database's idle_in_transaction_session_timeout (set by a migration); and CaseClock's own
 * connections carry a statement_timeout and their own idle timeout.
 *
 * On the embedded store (the `dev` project) the same hold does freeze the console until released:
 * PGlite serves one session at a time. That limit is asserted, not hidden; the embedded store's
 * Unix socket (a 0700 folder) means only CaseClock's own processes can connect to hold it.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { Client as PgClient } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openCase } from '../../common/cases';
import { hashPassword, writeUsersFile } from '../../client/identity/auth';
import { loadDefaultSnapshot } from '../../domain/policy-loader';
import { pooledTransactions } from '../../store/case-record-store';
import { caseWorkflowId } from '../../workflows/messages';
import { caseActivities, storeUrl } from '../support/case-record';
import { ConsoleSession, startTestConsole, type TestConsole } from '../support/console';
import { startMailbox, type Mailbox } from '../support/mailbox';
import { bundleCaseWorkflows, connectDevServer, endTestWorkflows, type DevServerConnections, uniqueName } from '../support/temporal-env';

const PASSWORD = 'tess keeps her team on time';
const run = Math.random().toString(36).slice(2, 6).toUpperCase();
const TEAM = `HOLD-${run}`;
const onPostgres = inject('temporalKind') === 'postgres';

let dev: DevServerConnections;
let client: Client;
let mailbox: Mailbox;
let worker: Worker;
let workerRun: Promise<void>;
let server: TestConsole;
const caseId = uniqueName('HOLD');

/** Signs in (the form, then the post) and opens the case's page, timing each; throws on a wrong answer. */
async function signInAndOpenCase(): Promise<{ signInMs: number; pageMs: number }> {
  const s = new ConsoleSession(server.url);
  let t = performance.now();
  await s.request('/login');
  const answer = await s.request('/login', { user: 'tess', password: PASSWORD, next: '/' });
  const signInMs = performance.now() - t;
  expect(answer.status, answer.body.slice(0, 300)).toBe(303);
  t = performance.now();
  const page = await s.request(`/cases/${caseId}`);
  const pageMs = performance.now() - t;
  expect(page.status, page.body.slice(0, 300)).toBe(200);
  expect(page.body).toContain(`WCF-${run}`);
  return { signInMs, pageMs };
}

/** Another client: a connection of its own, inside a transaction that locks every session row and the case's record, then idle. */
async function holdTransaction(): Promise<PgClient> {
  const holder = new PgClient({ connectionString: storeUrl(), application_name: 'a-tool-left-open' });
  holder.on('error', () => undefined); // the server may end it
  await holder.connect();
  await holder.query('BEGIN');
  await holder.query('SELECT sid FROM console_sessions FOR UPDATE');
  await holder.query('SELECT entry_id FROM case_record_entries WHERE case_id = $1 FOR UPDATE', [caseId]);
  return holder;
}

beforeAll(async () => {
  const bundle = bundleCaseWorkflows();
  [dev, mailbox] = await Promise.all([connectDevServer(), startMailbox()]);
  client = dev.client;
  const taskQueue = uniqueName('held-transaction');
  worker = await Worker.create({ connection: dev.nativeConnection, taskQueue, workflowBundle: await bundle, activities: caseActivities(mailbox) });
  workerRun = worker.run();
  const usersFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'caseclock-held-')), 'users.json');
  writeUsersFile(usersFile, { users: [{ id: 'tess', name: 'Tess Manager', role: 'manager', team: TEAM, passwordHash: await hashPassword(PASSWORD) }] });
  server = await startTestConsole({ client, usersFile, taskQueue, answerTimeoutMs: 15_000 });
  await openCase(client, { caseId, details: { reference: `WCF-${run}`, team: TEAM, contacts: {} }, openedBy: 'tess' }, loadDefaultSnapshot(), { taskQueue });
  // The case has written its record, and someone has signed in (rows for the holder to lock).
  await signInAndOpenCase();
}, 180_000);

afterAll(async () => {
  await server?.close();
  await endTestWorkflows(client, [caseWorkflowId(caseId)], { worker, run: workerRun });
  await dev?.close();
  await mailbox?.close();
});

describe.runIf(onPostgres)('a transaction held open on the store, on PostgreSQL', () => {
  it('does not freeze the console: sign-in and the case page each answer within a second while another connection holds it', async () => {
    const holder = await holdTransaction();
    try {
      for (let i = 0; i < 3; i++) {
        const { signInMs, pageMs } = await signInAndOpenCase();
        expect(signInMs, 'sign-in').toBeLessThan(1_000);
        expect(pageMs, 'case page').toBeLessThan(1_000);
      }
    } finally {
      await holder.end().catch(() => undefined);
    }
  });

  it('the server ends any session idle inside a transaction after 10 s (the database default), and CaseClock asks for 5 s statements', async () => {
    const holder = await holdTransaction();
    const ended = new Promise<string>((resolve) => holder.once('error', (error: Error) => resolve(error.message)));
    const { rows } = await holder.query<{ idle: string }>("SELECT current_setting('idle_in_transaction_session_timeout') AS idle").catch(() => ({ rows: [] as Array<{ idle: string }> }));
    expect(rows[0]?.idle).toBe('10s');
    const started = Date.now();
    expect(await ended).toMatch(/idle-in-transaction timeout/);
    expect(Date.now() - started).toBeLessThan(20_000);
    await holder.end().catch(() => undefined);

    const own = pooledTransactions(storeUrl(), { poolSize: 1, applicationName: 'caseclock-test', missingTable: 'console_sessions' });
    try {
      const shown = await own.inTransaction(true, async (c) => ({
        statement: (await c.query<{ statement_timeout: string }>('SHOW statement_timeout')).rows[0]?.statement_timeout,
        idle: (await c.query<{ idle_in_transaction_session_timeout: string }>('SHOW idle_in_transaction_session_timeout')).rows[0]?.idle_in_transaction_session_timeout,
      }));
      expect(shown).toEqual({ statement: '5s', idle: '10s' });
    } finally {
      await own.close();
    }
  }, 60_000);
  it("a table lock held by a client that turned its idle timeout off: the console's statements give up after 5 s each and it answers with an error, never hangs; released, sign-in answers at once", async () => {
    // Only the table's owner (or a superuser) may take this lock: the test's connection is the superuser.
    const holder = new PgClient({ connectionString: storeUrl(), application_name: 'a-tool-left-open' });
    holder.on('error', () => undefined);
    await holder.connect();
    await holder.query('SET idle_in_transaction_session_timeout = 0');
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE console_sessions IN ACCESS EXCLUSIVE MODE');
    try {
      // The sign-in form keeps a session (for its CSRF token), and its error handling tries again
      // (three statements here): each waits for the lock until the statement timeout, then gives up.
      const started = performance.now();
      const form = await new ConsoleSession(server.url).request('/login');
      const took = performance.now() - started;
      expect(form.status).toBeGreaterThanOrEqual(500);
      expect(took).toBeGreaterThan(4_000);
      expect(took).toBeLessThan(20_000);
      await holder.query('ROLLBACK');
      const { signInMs } = await signInAndOpenCase();
      expect(signInMs).toBeLessThan(1_000);
    } finally {
      await holder.end().catch(() => undefined);
    }
  }, 60_000);
});

describe.runIf(!onPostgres)('a transaction held open on the embedded store (PGlite serves one session at a time)', () => {
  it('holds the console until it ends: the documented limit of the embedded store', async () => {
    const holder = await holdTransaction();
    let answered = false;
    const attempt = signInAndOpenCase().then(() => (answered = true));
    try {
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(answered).toBe(false);
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
    }
    await attempt;
    expect(answered).toBe(true);
  });
});
