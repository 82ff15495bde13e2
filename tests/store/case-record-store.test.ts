/**
 * The case-record store (store/case-record-store.ts) against real engines: the embedded store
 * (PGlite behind pglite-socket, started here) and a real Debian PostgreSQL 15 cluster (created
 * here in a temp dir; skipped, saying so, only when /usr/lib/postgresql/15/bin/postgres is absent).
 * The same contract runs on both; what only the embedded store has is tested after it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CaseRecordConflict,
  CaseRecordInvalid,
  MAX_APPEND_BATCH,
  MIGRATIONS_TABLE,
  migrateCaseRecordStore,
  openCaseRecordStore,
  EMBEDDED_SOCKET_FILE,
  embeddedStoreUrl,
  MAX_POOL_SIZE,
  pooledTransactions,
  storeSessionLimits,
  startEmbeddedStore,
  type CaseRecordEntry,
  type CaseRecordEntryInput,
  type CaseRecordStore,
  type EmbeddedStore,
} from '../../store/case-record-store';
import { openConsoleStore } from '../../store/console-store';
import { freePort } from '../../tools/dev-server';
import { POSTGRES_BIN, postgresAvailable, startPostgresCluster, withClient, type PostgresCluster } from './postgres-cluster';

const ROOT = path.resolve(__dirname, '../..');
const CHILD = path.join(__dirname, 'store-child.ts');
const MIGRATIONS = [
  '1764547200000_case-record-entries',
  '1764633600000_obligation-outcomes-index',
  '1764720000000_console-sessions-and-views',
  '1764806400000_calendar-feeds',
  '1764892800000_import-summaries',
  '1764979200000_sso-access',
  '1765065600000_sso-identities',
  '1765152000000_idle-transaction-timeout',
  '1765238400000_team-directory',
  '1765411200000_ssd-sync',
  '1765497600000_staff-directory',
  '1765584000000_ssd-sync-alerts',
  '1765670400000_ssd-case-closed-at',
  '1765756800000_ssd-case-worker',
  '1765843200000_case-summaries',
  '1765929600000_api-idempotency-keys',
];

// --- Helpers -------------------------------------------------------------------------------------

const uniqueCase = (prefix: string): string => `${prefix}-${randomUUID().slice(0, 8)}`;

let serial = 0;
function entry(caseId: string, overrides: Partial<CaseRecordEntryInput> = {}): CaseRecordEntryInput {
  serial += 1;
  return {
    entryId: `event:${caseId}:${serial}`,
    caseId,
    subject: 'case',
    kind: 'event',
    at: '2026-03-28T20:30:00.000Z',
    recordedAt: '2026-03-28T20:31:00.000Z',
    by: 'admin1',
    summary: `Visit recorded (${serial})`,
    data: { type: 'visit', seenAlone: true, serial, notes: ['seen at home', null] },
    ...overrides,
  };
}

/** What the store gives back for an entry appended as `input` (instants in UTC with ms). */
function normalised(input: CaseRecordEntryInput): CaseRecordEntry {
  return { ...input, at: new Date(input.at).toISOString(), recordedAt: new Date(input.recordedAt).toISOString() } as CaseRecordEntry;
}

async function countRows(url: string, caseId: string): Promise<number> {
  return withClient(url, async (c) => {
    const r = await c.query<{ n: number }>('SELECT count(*)::int AS n FROM case_record_entries WHERE case_id = $1', [caseId]);
    return r.rows[0]?.n ?? -1;
  });
}

/** Everything the migration defines, to compare before and after. */
async function schemaSnapshot(url: string): Promise<unknown> {
  return withClient(url, async (c) => {
    const r = await c.query(`SELECT json_build_object(
      'columns', (SELECT json_agg(json_build_object('name', column_name, 'type', data_type, 'nullable', is_nullable, 'default', column_default)
                                  ORDER BY ordinal_position)
                  FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'case_record_entries'),
      'indexes', (SELECT json_agg(indexdef ORDER BY indexname) FROM pg_indexes WHERE tablename = 'case_record_entries'),
      'constraints', (SELECT json_agg(conname || ' ' || pg_get_constraintdef(oid) ORDER BY conname)
                      FROM pg_constraint WHERE conrelid = 'case_record_entries'::regclass),
      'triggers', (SELECT json_agg(tgname || ' ' || pg_get_triggerdef(oid) ORDER BY tgname)
                   FROM pg_trigger WHERE tgrelid = 'case_record_entries'::regclass AND NOT tgisinternal),
      'function', (SELECT md5(prosrc) FROM pg_proc WHERE proname = 'case_record_entries_refuse_change'),
      'migrations', (SELECT json_agg(name ORDER BY id) FROM ${MIGRATIONS_TABLE})
    ) AS snapshot`);
    return r.rows[0]?.snapshot;
  });
}

interface Child {
  process: ChildProcess;
  ready: Promise<void>;
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/** A tsx script in a process of its own (as `npx tsx` runs it, without npx in between). */
function spawnTsx(script: string, args: string[]): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (/^(ready|store listening on .*)$/m.test(stdout)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`${path.basename(script)} exited (${code}) before it was ready: ${stderr}`)));
  });
  ready.catch(() => undefined);
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
  return { process: child, ready, done };
}

/** Every file or folder under `dir` that its group or other accounts could read, write or enter. */
function modesOpenToOthers(dir: string): string[] {
  const open: string[] = [];
  const visit = (at: string): void => {
    const stat = lstatSync(at);
    if ((stat.isDirectory() || stat.isFile()) && (stat.mode & 0o077) !== 0) open.push(`${path.relative(dir, at) || '.'} ${(stat.mode & 0o777).toString(8)}`);
    if (stat.isDirectory()) for (const name of readdirSync(at)) visit(path.join(at, name));
  };
  visit(dir);
  return open;
}

/** The inodes of the TCP sockets this process listens on (Linux /proc). */
function ownTcpListeners(): string[] {
  const listening = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(table)) continue;
    for (const line of readFileSync(table, 'utf8').trim().split('\n').slice(1)) {
      const columns = line.trim().split(/\s+/);
      if (columns[3] === '0A' && columns[9]) listening.add(columns[9]); // 0A: LISTEN
    }
  }
  return readdirSync('/proc/self/fd').flatMap((fd) => {
    try {
      const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`))?.[1];
      return inode && listening.has(inode) ? [inode] : [];
    } catch {
      return []; // closed meanwhile
    }
  });
}

/** Connects to a Unix socket as `user` (runuser; root only) and says how it went: "connected" or the error code. */
async function connectAs(user: string | undefined, socketPath: string): Promise<string> {
  const script = `require('net').connect(process.argv[1]).on('connect', function () { console.log('connected'); this.end(); }).on('error', (e) => console.log(e.code))`;
  const [command, args] = user ? ['runuser', ['-u', user, '--', process.execPath, '-e', script, socketPath]] : [process.execPath, ['-e', script, socketPath]];
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  await new Promise((resolve) => child.once('exit', resolve));
  return out.trim();
}

async function testStoreAppend(url: string, entries: CaseRecordEntryInput[]): Promise<void> {
  const store = openCaseRecordStore(url);
  try {
    await store.append(entries);
  } finally {
    await store.close();
  }
}

function lastJsonLine(stdout: string): Record<string, unknown> {
  const line = stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as Record<string, unknown>;
}

// --- The contract, on either engine --------------------------------------------------------------

interface Engine {
  /** A migrated database used by most tests (each test uses its own case ids). */
  url(): string;
  /** A new, empty, unmigrated database. */
  freshDatabase(): Promise<string>;
}

function storeContract(engine: Engine): void {
  let store: CaseRecordStore;
  let migratedSnapshot: unknown;

  beforeAll(async () => {
    store = openCaseRecordStore(engine.url());
    migratedSnapshot = await schemaSnapshot(engine.url());
  });
  afterAll(async () => {
    await store?.close();
  });

  it('runs the migrations once: a second run changes nothing', async () => {
    const url = await engine.freshDatabase();
    expect(await migrateCaseRecordStore(url)).toEqual(MIGRATIONS);
    const first = await schemaSnapshot(url);
    expect(await migrateCaseRecordStore(url)).toEqual([]);
    expect(await schemaSnapshot(url)).toEqual(first);
    expect(first).toEqual(migratedSnapshot);
    expect((first as { migrations: string[] }).migrations).toEqual(MIGRATIONS);
  });

  it('two processes migrating a new database at once apply each migration once', async () => {
    const url = await engine.freshDatabase();
    const children = [spawnTsx(CHILD, ['migrate', url]), spawnTsx(CHILD, ['migrate', url])];
    await Promise.all(children.map((c) => c.ready));
    for (const c of children) c.process.stdin?.write('go\n');
    const results = await Promise.all(children.map((c) => c.done));
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const applied = results.map((r) => lastJsonLine(r.stdout).applied as string[]);
    expect(applied.flat()).toEqual(MIGRATIONS); // one of them applied it, the other found it done
    expect(await schemaSnapshot(url)).toEqual(migratedSnapshot);
  });

  it('stores an entry once however often it is appended', async () => {
    const caseId = uniqueCase('TWICE');
    const entries = [entry(caseId), entry(caseId, { kind: 'message', at: '2026-03-28T21:30:00+01:00' }), entry(caseId, { kind: 'note' })];
    expect(await store.append(entries)).toEqual({ stored: 3, alreadyThere: 0 });
    const storedAt = await withClient(engine.url(), (c) => c.query('SELECT entry_id, stored_at FROM case_record_entries WHERE case_id = $1 ORDER BY entry_id', [caseId]));
    expect(await store.append(entries)).toEqual({ stored: 0, alreadyThere: 3 });
    // The same instant written another way is the same content.
    const sameInUtc = { ...entries[1]!, at: '2026-03-28T20:30:00Z' };
    const fourth = entry(caseId);
    expect(await store.append([sameInUtc, fourth])).toEqual({ stored: 1, alreadyThere: 1 });
    expect(await countRows(engine.url(), caseId)).toBe(4);
    const storedAtAfter = await withClient(engine.url(), (c) => c.query('SELECT entry_id, stored_at FROM case_record_entries WHERE case_id = $1 AND entry_id <> $2 ORDER BY entry_id', [caseId, fourth.entryId]));
    expect(storedAtAfter.rows).toEqual(storedAt.rows);
    expect(await store.caseRecord(caseId)).toEqual([...entries, fourth].map(normalised));
    expect(await store.append([])).toEqual({ stored: 0, alreadyThere: 0 });
  });

  it('reads a case record ordered by at, then recordedAt, then entryId (bytewise), and only that case', async () => {
    const caseId = uniqueCase('ORDER');
    const later = entry(caseId, { entryId: `${caseId}-later`, at: '2026-04-01T09:00:00Z' });
    const recordedLater = entry(caseId, { entryId: `${caseId}-a`, recordedAt: '2026-03-29T08:00:00Z' });
    const lowerCase = entry(caseId, { entryId: `${caseId}-b` });
    const upperCase = entry(caseId, { entryId: `${caseId}-B` }); // 'B' < 'b' bytewise, not in en_US
    const earliest = entry(caseId, { entryId: `${caseId}-z`, at: '2026-03-01T00:00:00Z' });
    await store.append([later, recordedLater, lowerCase]);
    await store.append([upperCase, earliest, entry(uniqueCase('OTHER'))]);
    const ids = (await store.caseRecord(caseId)).map((e) => e.entryId);
    expect(ids).toEqual([earliest, upperCase, lowerCase, recordedLater, later].map((e) => e.entryId));
    expect(await store.caseRecord(uniqueCase('NOBODY'))).toEqual([]);
  });

  it('counts the same data with its keys in another order as already there', async () => {
    const caseId = uniqueCase('KEYS');
    const first = entry(caseId, { data: { a: 1, b: { c: [1, 2], d: 'x' } } });
    await store.append([first]);
    expect(await store.append([{ ...first, data: { b: { d: 'x', c: [1, 2] }, a: 1 } }])).toEqual({ stored: 0, alreadyThere: 1 });
  });

  it('refuses an entry stored with different content, naming it and the fields, and writes nothing of the batch', async () => {
    const caseId = uniqueCase('CONFLICT');
    const kept = entry(caseId);
    await store.append([kept]);
    const variants: Array<[Partial<CaseRecordEntryInput>, string[]]> = [
      [{ summary: 'Visit recorded, altered' }, ['summary']],
      [{ data: { type: 'visit', seenAlone: false } }, ['data']],
      [{ at: '2026-03-28T20:30:00.001Z' }, ['at']],
      [{ by: 'someone-else', kind: 'note' }, ['kind', 'by']],
      [{ caseId: uniqueCase('ELSEWHERE') }, ['caseId']],
    ];
    for (const [change, fields] of variants) {
      const before = entry(caseId);
      const after = entry(caseId);
      const attempt = store.append([before, { ...kept, ...change }, after]);
      await expect(attempt).rejects.toBeInstanceOf(CaseRecordConflict);
      const error = (await attempt.catch((e: unknown) => e)) as CaseRecordConflict;
      expect(error.entryId).toBe(kept.entryId);
      expect(error.fields).toEqual(fields);
      expect(error.message).toContain(kept.entryId);
      for (const field of fields) expect(error.message).toContain(field);
      expect(error.message).toContain('nothing of this batch was written');
    }
    expect(await store.caseRecord(caseId)).toEqual([normalised(kept)]);
  });

  it('takes the same id twice in one batch once if identical and refuses it if not', async () => {
    const caseId = uniqueCase('DUP');
    const one = entry(caseId);
    expect(await store.append([one, { ...one }])).toEqual({ stored: 1, alreadyThere: 1 });
    const other = entry(caseId);
    const attempt = store.append([other, entry(caseId), { ...other, summary: 'Something else' }]);
    await expect(attempt).rejects.toThrow(new RegExp(`${other.entryId} appears twice in this batch with a different summary`));
    expect(await countRows(engine.url(), caseId)).toBe(1);
  });

  it('the database itself refuses UPDATE, DELETE and TRUNCATE, naming the entry', async () => {
    const caseId = uniqueCase('FROZEN');
    const kept = entry(caseId);
    await store.append([kept]);
    await withClient(engine.url(), async (c) => {
      await expect(c.query('UPDATE case_record_entries SET summary = $1 WHERE entry_id = $2', ['changed', kept.entryId])).rejects.toThrow(`case_record_entries is append-only: UPDATE of entry ${kept.entryId} refused`);
      await expect(c.query('DELETE FROM case_record_entries WHERE entry_id = $1', [kept.entryId])).rejects.toThrow(`case_record_entries is append-only: DELETE of entry ${kept.entryId} refused`);
      await expect(
        c.query(
          `INSERT INTO case_record_entries (entry_id, case_id, subject, kind, at, recorded_at, by_user, summary, data)
           VALUES ($1, $2, 'case', 'note', now(), now(), 'admin1', 'sneaky', '{}')
           ON CONFLICT (entry_id) DO UPDATE SET summary = EXCLUDED.summary`,
          [kept.entryId, caseId],
        ),
      ).rejects.toThrow(`UPDATE of entry ${kept.entryId} refused`);
      await expect(c.query('TRUNCATE case_record_entries')).rejects.toThrow('case_record_entries is append-only: TRUNCATE refused');
      const refused = await c.query('DELETE FROM case_record_entries').catch((e: { code?: string }) => e);
      expect(refused).toMatchObject({ code: '23001' }); // restrict_violation
      await expect(
        c.query(
          `INSERT INTO case_record_entries (entry_id, case_id, subject, kind, at, recorded_at, by_user, summary, data)
           VALUES ($1, $2, 'child', 'note', now(), now(), 'admin1', 'x', '{}')`,
          [`${caseId}-raw`, caseId],
        ),
      ).rejects.toThrow('case_record_entries_subject_check');
    });
    expect(await store.caseRecord(caseId)).toEqual([normalised(kept)]);
  });

  describe('refuses bad input naming the entry and field, writing nothing', () => {
    const caseId = uniqueCase('BAD');
    const cases: Array<[string, Partial<Record<keyof CaseRecordEntryInput, unknown>> | ((e: CaseRecordEntryInput) => unknown), string]> = [
      ['an empty entryId', { entryId: '' }, 'entries[1].entryId: must not be empty'],
      ['an entryId with a space', { entryId: 'event one' }, 'entries[1].entryId: may contain only printable ASCII'],
      ['a caseId with a slash', { caseId: 'WCF/1' }, 'entries[1].caseId: may contain only letters, digits'],
      ['an unknown subject', { subject: 'child' }, 'entries[1].subject:'],
      ['an unknown kind', { kind: 'email' }, 'entries[1].kind:'],
      ['an at that is no instant', { at: 'yesterday' }, 'entries[1].at: must be an ISO-8601 instant'],
      ['an at without offset', { at: '2026-03-28T20:30:00' }, 'entries[1].at: must be an ISO-8601 instant'],
      ['a recordedAt in year 20025', { recordedAt: '20025-01-01T00:00:00Z' }, 'entries[1].recordedAt:'],
      ['an empty by', { by: '' }, 'entries[1].by: must not be empty'],
      ['a blank summary', { summary: '   ' }, 'entries[1].summary: must not be empty'],
      ['a summary with a control character', { summary: 'bell\u0007' }, 'entries[1].summary: must not contain control characters'],
      ['a summary of 4001 characters', { summary: 'x'.repeat(4001) }, 'entries[1].summary: must be at most 4000 characters'],
      ['data that is an array', { data: [1, 2] }, 'entries[1].data:'],
      ['data holding a NUL', { data: { smtp: { response: 'a\u0000b' } } }, 'entries[1].data: must not contain a NUL character (at data.smtp.response)'],
      ['data holding NaN', { data: { n: Number.NaN } }, 'entries[1].data.n:'],
      ['data over 256 KiB', { data: { blob: 'x'.repeat(256 * 1024) } }, 'entries[1].data: must be at most 262144 bytes'],
      ['a missing summary', (e) => ({ ...e, summary: undefined }), 'entries[1].summary:'],
      ['an unknown field', (e) => ({ ...e, colour: 'red' }), 'entries[1] (colour):'],
      ['an entry that is a string', () => 'event', 'entries[1]:'],
    ];
    for (const [what, change, expected] of cases) {
      it(`${what}`, async () => {
        const good = entry(caseId);
        const bad = typeof change === 'function' ? change(entry(caseId)) : { ...entry(caseId), ...change };
        const attempt = store.append([good, bad as CaseRecordEntryInput]);
        await expect(attempt).rejects.toBeInstanceOf(CaseRecordInvalid);
        await expect(attempt).rejects.toThrow(expected);
        expect(await countRows(engine.url(), caseId)).toBe(0);
      });
    }

    it('names the entry id too when the entry has one', async () => {
      const bad = entry(caseId, { caseId: 'WCF/1' });
      await expect(store.append([bad])).rejects.toThrow(`entries[0].caseId: may contain only letters, digits, dot, dash and underscore (entry ${JSON.stringify(bad.entryId)})`);
    });

    it('entries that are not a list, or too many', async () => {
      await expect(store.append('entries' as unknown as CaseRecordEntryInput[])).rejects.toThrow('entries: ');
      const many = Array.from({ length: MAX_APPEND_BATCH + 1 }, () => entry(caseId));
      await expect(store.append(many)).rejects.toThrow(`entries: must hold at most ${MAX_APPEND_BATCH} entries`);
      expect(await countRows(engine.url(), caseId)).toBe(0);
    });

    it('a bad caseId to read, or a URL that is not PostgreSQL', async () => {
      await expect(store.caseRecord('WCF 1')).rejects.toThrow('caseId: may contain only letters, digits');
      expect(() => openCaseRecordStore('mysql://localhost/caseclock')).toThrow('url: must be a PostgreSQL URL');
      await expect(migrateCaseRecordStore('')).rejects.toThrow('url: must be a PostgreSQL URL');
    });
  });

  it('two processes appending the same entries at once store each entry once', async () => {
    const caseId = uniqueCase('TWO');
    const entries = Array.from({ length: 60 }, (_, i) => entry(caseId, { at: new Date(Date.UTC(2026, 2, 1, 0, i)).toISOString() }));
    const dir = mkdtempSync(path.join(os.tmpdir(), 'caseclock-test-store-entries-'));
    try {
      const file = path.join(dir, 'entries.json');
      writeFileSync(file, JSON.stringify(entries));
      const children = [spawnTsx(CHILD, ['append', engine.url(), file, 'forward', '7']), spawnTsx(CHILD, ['append', engine.url(), file, 'reverse', '5'])];
      await Promise.all(children.map((c) => c.ready));
      for (const c of children) c.process.stdin?.write('go\n');
      const results = await Promise.all(children.map((c) => c.done));
      for (const r of results) expect(r.code, r.stderr).toBe(0);
      const counts = results.map((r) => lastJsonLine(r.stdout) as { stored: number; alreadyThere: number });
      expect(counts.reduce((n, c) => n + c.stored, 0)).toBe(60);
      expect(counts.reduce((n, c) => n + c.alreadyThere, 0)).toBe(60);
      expect(await store.caseRecord(caseId)).toEqual(entries.map(normalised));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('many concurrent appends of large entries and reads through one pool all come out whole', async () => {
    const caseId = uniqueCase('LOAD');
    // ~100 KB each: a batch's message to the server spans many TCP segments.
    const batches = Array.from({ length: 12 }, (_, b) => Array.from({ length: 3 }, (_, i) => entry(caseId, { data: { batch: b, i, smtp: `250 OK ${'x'.repeat(100_000)} ${b}-${i}` } })));
    const many = openCaseRecordStore(engine.url(), { poolSize: 6 });
    try {
      const results = await Promise.all([...batches.map((batch) => many.append(batch)), ...batches.map(() => many.caseRecord(caseId).then(() => ({ stored: 0, alreadyThere: 0 })))]);
      expect(results.reduce((n, r) => n + r.stored, 0)).toBe(36);
      const read = await many.caseRecord(caseId);
      expect(read).toHaveLength(36);
      const byId = new Map(read.map((e) => [e.entryId, e]));
      for (const e of batches.flat()) expect(byId.get(e.entryId)).toEqual(normalised(e));
    } finally {
      await many.close();
    }
  });
}

// --- The embedded store ----------------------------------------------------------------------------

describe('case-record store on the embedded store (PGlite behind pglite-socket)', () => {
  const dirs: string[] = [];
  const stores: EmbeddedStore[] = [];
  let main: EmbeddedStore;
  const tempDir = (): string => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'caseclock-test-store-'));
    dirs.push(dir);
    return dir;
  };
  const start = async (dataDir: string): Promise<EmbeddedStore> => {
    const store = await startEmbeddedStore({ dataDir });
    stores.push(store);
    return store;
  };

  beforeAll(async () => {
    main = await start(path.join(tempDir(), 'data'));
    await migrateCaseRecordStore(main.url);
  });
  afterAll(async () => {
    for (const store of stores) await store.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  storeContract({
    url: () => main.url,
    freshDatabase: async () => (await start(path.join(tempDir(), 'data'))).url,
  });

  it('serves several client connections at once (one shared session, transactions serialised)', async () => {
    const clients = Array.from({ length: 5 }, () => new Client({ connectionString: main.url }));
    await Promise.all(clients.map((c) => c.connect()));
    try {
      const answers = await Promise.all(clients.map((c, i) => c.query<{ n: number; pid: number }>('SELECT $1::int AS n, pg_backend_pid() AS pid', [i])));
      expect(answers.map((a) => a.rows[0]?.n)).toEqual([0, 1, 2, 3, 4]);
      // One PostgreSQL backend behind every connection: why node-pg-migrate's advisory lock
      // excludes nobody here (see migrateCaseRecordStore).
      expect(new Set(answers.map((a) => a.rows[0]?.pid)).size).toBe(1);
      // A transaction holds every other connection off until it ends.
      const [a, b] = clients as [Client, Client];
      await a.query('BEGIN');
      await a.query('CREATE TEMP TABLE IF NOT EXISTS probe (n int)');
      let bAnswered = false;
      const bQuery = b.query('SELECT 1').then(() => (bAnswered = true));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(bAnswered).toBe(false);
      await a.query('ROLLBACK');
      await bQuery;
      expect(bAnswered).toBe(true);
    } finally {
      await Promise.all(clients.map((c) => c.end()));
    }
  });

  it('keeps every entry across a restart on the same data dir', async () => {
    const dataDir = path.join(tempDir(), 'data');
    const first = await start(dataDir);
    await migrateCaseRecordStore(first.url);
    const caseId = uniqueCase('RESTART');
    const entries = [entry(caseId), entry(caseId, { kind: 'outcome', data: { obligationId: 'visit-24h@2026-03-28T20:30:00.000Z', outcome: 'met' } })];
    const before = openCaseRecordStore(first.url);
    await before.append(entries);
    await before.close();
    await first.stop();

    const second = await start(dataDir);
    expect(await migrateCaseRecordStore(second.url)).toEqual([]);
    const after = openCaseRecordStore(second.url);
    try {
      expect(await after.caseRecord(caseId)).toEqual(entries.map(normalised));
      expect(await after.append(entries)).toEqual({ stored: 0, alreadyThere: 2 });
    } finally {
      await after.close();
    }
  });

  it('a store that stops under its clients gives them errors, not a crash, and serves them again once back', async () => {
    const dataDir = path.join(tempDir(), 'data');
    const first = await start(dataDir);
    await migrateCaseRecordStore(first.url);
    const client = openCaseRecordStore(first.url);
    try {
      const caseId = uniqueCase('AWAY');
      expect(await client.append([entry(caseId)])).toEqual({ stored: 1, alreadyThere: 0 });
      // Stopped while a large append is in flight: that append lands whole or fails whole.
      const big = Array.from({ length: 200 }, () => entry(caseId, { data: { smtp: 'x'.repeat(2000) } }));
      const inFlight = client.append(big).then(
        () => 'stored',
        (error: Error) => error.message,
      );
      await first.stop();
      const outcome = await inFlight;
      if (outcome !== 'stored') expect(outcome).toMatch(/Connection terminated|ECONNRESET|ECONNREFUSED|EPIPE|closed/);
      await expect(client.append([entry(caseId)])).rejects.toThrow(/ENOENT|ECONNREFUSED/); // its socket is gone

      const back = await start(dataDir); // the same data dir: the same socket
      expect(back.url).toBe(first.url);
      expect(await client.append([entry(caseId)])).toEqual({ stored: 1, alreadyThere: 0 });
      const kept = await client.caseRecord(caseId);
      expect(kept).toHaveLength(outcome === 'stored' ? 202 : 2);
    } finally {
      await client.close();
    }
  });

  it('serves a data dir from one store at a time, and takes over the lock of a store that died', async () => {
    const dataDir = path.join(tempDir(), 'data');
    const running = await start(dataDir);
    await expect(startEmbeddedStore({ dataDir })).rejects.toThrow(`dataDir: ${dataDir} is already served by this process`);
    await running.stop();
    // A lock file left by a process that no longer exists.
    writeFileSync(`${dataDir}.lock`, '999999999\n');
    const again = await start(dataDir);
    await again.stop();
    expect(existsSync(`${dataDir}.lock`)).toBe(false);
  });

  it('on TCP (tools only, asked for by a port): refuses to listen beyond loopback, a bad port, or a port in use, naming it', async () => {
    const tcp = await startEmbeddedStore({ dataDir: path.join(tempDir(), 'data'), port: 0 });
    stores.push(tcp);
    expect(tcp.url).toBe(`postgres://postgres@127.0.0.1:${tcp.port}/postgres`);
    expect(tcp.socketDir).toBeUndefined();
    await withClient(tcp.url, async (c) => expect((await c.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]));
    const dataDir = path.join(tempDir(), 'data');
    await expect(startEmbeddedStore({ dataDir, port: 0, host: '0.0.0.0' })).rejects.toThrow('options.host: must be a loopback address');
    await expect(startEmbeddedStore({ dataDir, port: 70000 })).rejects.toThrow('options.port: must be 0 to 65535');
    await expect(startEmbeddedStore({ dataDir, port: 0, socketDir: `${dataDir}.socket` })).rejects.toThrow('options.socketDir: not with port');
    await expect(startEmbeddedStore({ dataDir, host: '127.0.0.1' })).rejects.toThrow('options.host: only with port');
    await expect(startEmbeddedStore({ dataDir, port: tcp.port })).rejects.toThrow(`port: 127.0.0.1:${tcp.port} is already in use`);
    await expect(startEmbeddedStore({ dataDir, socketDir: path.join(tempDir(), 'x'.repeat(120)) })).rejects.toThrow(/^socketDir: .* is too long for a Unix socket/);
    expect(existsSync(`${dataDir}.lock`)).toBe(false);
  });

  it('listens on a socket in a folder only this user may enter (0700), opens no TCP port, and leaves its files 0600', async () => {
    const dataDir = path.join(tempDir(), 'data');
    const before = new Set(ownTcpListeners());
    const store = await start(dataDir);
    expect(ownTcpListeners().filter((inode) => !before.has(inode))).toEqual([]);
    expect(store.port).toBeUndefined();
    expect(store.socketDir).toBe(`${dataDir}.socket`);
    expect(statSync(`${dataDir}.socket`).mode & 0o777).toBe(0o700);
    expect(lstatSync(path.join(`${dataDir}.socket`, EMBEDDED_SOCKET_FILE)).isSocket()).toBe(true);
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    await migrateCaseRecordStore(store.url);
    // The other way to write the same URL: the socket's folder as a host parameter (pg needs the user).
    const byParameter = `postgresql://postgres@/postgres?host=${encodeURIComponent(`${dataDir}.socket`)}`;
    expect(await migrateCaseRecordStore(byParameter)).toEqual([]);
    await withClient(byParameter, async (c) => expect((await c.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]));
    await store.stop();
    expect(modesOpenToOthers(dataDir)).toEqual([]);
    expect(modesOpenToOthers(`${dataDir}.socket`)).toEqual([]);

    // A data dir an older version left readable is made private when the store starts.
    chmodSync(dataDir, 0o755);
    chmodSync(path.join(dataDir, 'PG_VERSION'), 0o644);
    chmodSync(path.join(dataDir, 'base'), 0o755);
    chmodSync(`${dataDir}.socket`, 0o755);
    const again = await start(dataDir);
    expect(modesOpenToOthers(dataDir)).toEqual([]);
    expect(statSync(`${dataDir}.socket`).mode & 0o777).toBe(0o700);
    await again.stop();
  });

  const root = process.getuid?.() === 0;
  it.skipIf(!root)(`another local account (nobody, through runuser) cannot connect to its socket${root ? '' : ' (skipped: needs root to act as another account)'}`, async () => {
    const dir = tempDir();
    chmodSync(dir, 0o755); // so that only the socket's own folder stands in the way
    const store = await start(path.join(dir, 'data'));
    const socketPath = path.join(String(store.socketDir), EMBEDDED_SOCKET_FILE);
    expect(await connectAs(undefined, socketPath)).toBe('connected');
    expect(await connectAs('nobody', socketPath)).toBe('EACCES');
    await store.stop();
  });

  it('store/serve.ts migrates, prints where it listens (its socket), and stops cleanly on SIGTERM', async () => {
    const dataDir = path.join(tempDir(), 'data');
    const serve = spawnTsx(path.join(ROOT, 'store/serve.ts'), ['--data-dir', dataDir]);
    try {
      await serve.ready;
    } catch (error) {
      serve.process.kill('SIGKILL');
      throw error;
    }
    const url = `postgres://postgres@${encodeURIComponent(`${dataDir}.socket`)}/postgres`;
    expect(embeddedStoreUrl(`${dataDir}.socket`)).toBe(url);
    const client = openCaseRecordStore(url);
    const caseId = uniqueCase('SERVE');
    const one = entry(caseId);
    expect(await client.append([one])).toEqual({ stored: 1, alreadyThere: 0 });
    expect(await client.caseRecord(caseId)).toEqual([normalised(one)]);
    expect(await migrateCaseRecordStore(url)).toEqual([]);
    await client.close();
    serve.process.kill('SIGTERM');
    const { code, stdout, stderr } = await serve.done;
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toBe(`store listening on ${url}\n`);
    expect(existsSync(`${dataDir}.lock`)).toBe(false);
    expect(existsSync(path.join(`${dataDir}.socket`, EMBEDDED_SOCKET_FILE))).toBe(false);
    // Everything it left is this user's only.
    expect(modesOpenToOthers(dataDir)).toEqual([]);

    // TCP only when asked, and it says what that means.
    const port = await freePort();
    const tcp = spawnTsx(path.join(ROOT, 'store/serve.ts'), ['--data-dir', dataDir, '--port', String(port)]);
    try {
      await tcp.ready;
    } catch (error) {
      tcp.process.kill('SIGKILL');
      throw error;
    }
    tcp.process.kill('SIGTERM');
    const tcpDone = await tcp.done;
    expect(tcpDone.code).toBe(0);
    expect(tcpDone.stdout).toBe(`store listening on postgres://postgres@127.0.0.1:${port}/postgres\n`);
    expect(tcpDone.stderr).toMatch(/^store: warning: listening on TCP .* any account on this machine can connect as superuser\n$/);

    const bad = spawnTsx(path.join(ROOT, 'store/serve.ts'), ['--data-dir', dataDir, '--port', 'abc']);
    const refused = await bad.done;
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toContain('--port');
  });
});

// --- Debian PostgreSQL 15 ----------------------------------------------------------------------------

const POSTGRES_TITLE = 'case-record store on Debian PostgreSQL 15';
if (!postgresAvailable()) {
  process.stdout.write(`SKIPPED "${POSTGRES_TITLE}": ${POSTGRES_BIN}/postgres is absent (apt-get install postgresql-15 to run these tests)\n`);
}

describe.skipIf(!postgresAvailable())(postgresAvailable() ? POSTGRES_TITLE : `${POSTGRES_TITLE} (skipped: ${POSTGRES_BIN}/postgres is absent)`, () => {
  let cluster: PostgresCluster;
  let url: string;
  let databases = 0;

  beforeAll(async () => {
    cluster = await startPostgresCluster();
    url = await cluster.createDatabase('caseclock');
    expect(await migrateCaseRecordStore(url)).toEqual(MIGRATIONS);
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  storeContract({
    url: () => url,
    freshDatabase: () => cluster.createDatabase(`fresh_${++databases}`),
  });

  describe('least privilege (store/roles.sql): a worker role and a console role, neither owner nor superuser', () => {
    const as = (role: string): string => url.replace('postgres://postgres@', `postgres://${role}@`);
    /** The SQLSTATE a statement fails with as `role`, or 'ok'. */
    const outcome = (role: string, sql: string): Promise<string> =>
      withClient(as(role), (c) =>
        c.query(sql).then(
          () => 'ok',
          (error: { code?: string }) => error.code ?? 'error',
        ),
      );

    beforeAll(async () => {
      const psql = path.join(POSTGRES_BIN, 'psql');
      // Twice: the script is idempotent.
      for (let i = 0; i < 2; i++) {
        await new Promise<void>((resolve, reject) =>
          spawn(psql, [url, '-v', 'ON_ERROR_STOP=1', '-q', '-f', path.join(ROOT, 'store/roles.sql')], { stdio: 'ignore' }).once('exit', (code) =>
            code === 0 ? resolve() : reject(new Error(`psql store/roles.sql exited ${code}`)),
          ),
        );
      }
    });

    it('the worker appends and reads its record and reads the directories, and cannot UPDATE, DELETE, TRUNCATE, ALTER, disable the trigger, change a directory or touch the console', async () => {
      const caseId = uniqueCase('WORKER-ROLE');
      const worker = openCaseRecordStore(as('caseclock_worker'));
      try {
        const one = entry(caseId);
        expect(await worker.append([one])).toEqual({ stored: 1, alreadyThere: 0 });
        expect(await worker.append([one])).toEqual({ stored: 0, alreadyThere: 1 });
        expect(await worker.caseRecord(caseId)).toEqual([normalised(one)]);
      } finally {
        await worker.close();
      }
      const denied = '42501'; // insufficient_privilege
      const w = (sql: string) => outcome('caseclock_worker', sql);
      expect(await w(`UPDATE case_record_entries SET summary = 'rewritten' WHERE case_id = '${caseId}'`)).toBe(denied);
      expect(await w(`DELETE FROM case_record_entries WHERE case_id = '${caseId}'`)).toBe(denied);
      expect(await w('TRUNCATE case_record_entries')).toBe(denied);
      expect(await w('ALTER TABLE case_record_entries DISABLE TRIGGER case_record_entries_append_only')).toBe(denied);
      expect(await w('ALTER TABLE case_record_entries DISABLE TRIGGER ALL')).toBe(denied);
      expect(await w('DROP TRIGGER case_record_entries_append_only ON case_record_entries')).toBe(denied);
      expect(await w('ALTER TABLE case_record_entries ADD COLUMN x int')).toBe(denied);
      expect(await w('DROP TABLE case_record_entries')).toBe(denied);
      expect(await w("SET session_replication_role = 'replica'")).toBe(denied); // would skip triggers
      expect(await w('CREATE TABLE mine (x int)')).toBe(denied);
      expect(await w('SELECT * FROM console_sessions')).toBe(denied);
      // The directories the SSD sync looks teams and workers up in: read, never changed.
      expect(await w('SELECT * FROM team_directory')).toBe('ok');
      expect(await w('SELECT * FROM staff_directory')).toBe('ok');
      expect(await w("INSERT INTO staff_directory (staff_id, name, email, changed_by) VALUES ('FORGED', 'F', 'f@x.example', 'w')")).toBe(denied);
      expect(await w("UPDATE staff_directory SET email = 'redirected@elsewhere.example'")).toBe(denied);
      expect(await w('DELETE FROM team_directory')).toBe(denied);
      // The SSD sync's alerts: what it sent, and who single sign-on made an administrator (user id, role and last sign-in only).
      expect(await w('SELECT kind, run_id, since FROM ssd_sync_alerts')).toBe('ok');
      expect(await w('DELETE FROM ssd_sync_alerts')).toBe(denied);
      // The escalations due when the sync opens a case, held until their summary goes (as the import holds its own).
      expect(await w('SELECT message_id FROM import_held_escalations')).toBe('ok');
      expect(await w('SELECT user_id, role, signed_in_at FROM console_sso_access')).toBe('ok');
      expect(await w('SELECT name, issuer, subject FROM console_sso_access')).toBe(denied);
      expect(await w("UPDATE console_sso_access SET role = 'administrator'")).toBe(denied);
      expect(await w("INSERT INTO console_sessions (sid, data, expires_at) VALUES ('forged-administrator-1', '{}', now() + interval '1 day')")).toBe(denied);
      expect(await w('BEGIN; LOCK TABLE console_sessions IN ACCESS EXCLUSIVE MODE; ROLLBACK')).toBe(denied);
      expect(await w('BEGIN; LOCK TABLE case_record_entries IN ACCESS EXCLUSIVE MODE; ROLLBACK')).toBe(denied); // could hold every append
      // The entry is still there, unchanged.
      expect(await withClient(url, async (c) => (await c.query('SELECT summary FROM case_record_entries WHERE case_id = $1', [caseId])).rows)).toHaveLength(1);
    });

    it('the console reads the record and keeps its own tables, and cannot change the record', async () => {
      const caseId = uniqueCase('CONSOLE-ROLE');
      await testStoreAppend(url, [entry(caseId)]);
      const consoleUrl = as('caseclock_console');
      const record = openCaseRecordStore(consoleUrl);
      const consoleStore = openConsoleStore(consoleUrl);
      try {
        expect(await record.caseRecord(caseId)).toHaveLength(1);
        await expect(record.append([entry(caseId)])).rejects.toMatchObject({ code: '42501' });
        const sid = `role-test-${randomUUID().replace(/-/g, '')}`;
        await consoleStore.setSession(sid, 'tess', { user: 'tess' }, new Date(Date.now() + 60_000));
        expect(await consoleStore.getSession(sid)).toEqual({ user: 'tess' });
        await consoleStore.recordView({ viewer: 'tess', role: 'manager', subject: 'case', caseId, what: 'page' });
        expect(await consoleStore.views({ caseId })).toHaveLength(1);
        expect(await consoleStore.signInFailed('tess', '127.0.0.9')).toEqual({ locked: false });
        await consoleStore.signInSucceeded('tess', '127.0.0.9');
        await consoleStore.destroySession(sid);
      } finally {
        await record.close();
        await consoleStore.close();
      }
      const c = (sql: string) => outcome('caseclock_console', sql);
      expect(await c(`UPDATE case_record_entries SET summary = 'x' WHERE case_id = '${caseId}'`)).toBe('42501');
      expect(await c(`DELETE FROM case_record_entries WHERE case_id = '${caseId}'`)).toBe('42501');
      expect(await c('TRUNCATE case_record_entries')).toBe('42501');
      expect(await c('ALTER TABLE case_record_entries DISABLE TRIGGER ALL')).toBe('42501');
      expect(await c('ALTER TABLE console_sessions ADD COLUMN x int')).toBe('42501');
      // Neither role is a superuser, may create roles or databases, or owns anything.
      const roles = await withClient(
        url,
        async (client) => (await client.query(`SELECT rolname, rolsuper, rolcreaterole, rolcreatedb, rolbypassrls FROM pg_roles WHERE rolname LIKE 'caseclock_%' ORDER BY rolname`)).rows,
      );
      expect(roles).toEqual([
        { rolname: 'caseclock_console', rolsuper: false, rolcreaterole: false, rolcreatedb: false, rolbypassrls: false },
        { rolname: 'caseclock_worker', rolsuper: false, rolcreaterole: false, rolcreatedb: false, rolbypassrls: false },
      ]);
      const owned = await withClient(url, async (client) => (await client.query(`SELECT count(*)::int AS n FROM pg_class WHERE relowner IN (SELECT oid FROM pg_roles WHERE rolname LIKE 'caseclock_%')`)).rows[0]);
      expect(owned).toEqual({ n: 0 });
    });
  });
});

// --- Session limits --------------------------------------------------------------------------------

describe('the limits every pool asks of PostgreSQL', () => {
  it('5 s statements and 10 s idle in a transaction unless set, each setting checked and named', () => {
    expect(storeSessionLimits({})).toEqual({
      CASECLOCK_STORE_STATEMENT_TIMEOUT_MS: 5_000,
      CASECLOCK_STORE_IDLE_IN_TRANSACTION_TIMEOUT_MS: 10_000,
      CASECLOCK_STORE_REPORT_TIMEOUT_MS: 120_000,
    });
    expect(storeSessionLimits({ CASECLOCK_STORE_STATEMENT_TIMEOUT_MS: '2500', CASECLOCK_STORE_IDLE_IN_TRANSACTION_TIMEOUT_MS: '' })).toMatchObject({
      CASECLOCK_STORE_STATEMENT_TIMEOUT_MS: 2_500,
      CASECLOCK_STORE_IDLE_IN_TRANSACTION_TIMEOUT_MS: 10_000,
    });
    expect(() => storeSessionLimits({ CASECLOCK_STORE_STATEMENT_TIMEOUT_MS: 'soon' })).toThrow(/CASECLOCK_STORE_STATEMENT_TIMEOUT_MS: must be a number of milliseconds/);
    expect(() => storeSessionLimits({ CASECLOCK_STORE_IDLE_IN_TRANSACTION_TIMEOUT_MS: '0' })).toThrow(/CASECLOCK_STORE_IDLE_IN_TRANSACTION_TIMEOUT_MS: must be between 1000 and 3600000/);
  });

  it('a pool is bounded: 1 to MAX_POOL_SIZE connections', () => {
    const url = 'postgres://postgres@127.0.0.1:1/postgres';
    for (const poolSize of [0, MAX_POOL_SIZE + 1, 2.5]) {
      expect(() => pooledTransactions(url, { poolSize, applicationName: 't', missingTable: 'x' })).toThrow(`poolSize: must be 1 to ${MAX_POOL_SIZE}`);
    }
  });
});
