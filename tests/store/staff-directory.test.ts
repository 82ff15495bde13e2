/**
 * The staff directory (store/staff-directory.ts) on the embedded store and on a real Debian
 * PostgreSQL 15 cluster (skipped, saying so, when /usr/lib/postgresql/15/bin/postgres is absent),
 * with store/roles.sql's grants: the console role keeps the directory; the worker role, whose sync
 * from the council's SSD looks workers up in it, reads it and cannot change it.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateCaseRecordStore, startEmbeddedStore, type EmbeddedStore } from '../../store/case-record-store';
import { contactOf, openStaffDirectory, StaffDirectoryInvalid, type StaffDirectory, type StaffInput } from '../../store/staff-directory';
import { StaffContact } from '../../workflows/inputs';
import { POSTGRES_BIN, postgresAvailable, startPostgresCluster, withClient, type PostgresCluster } from './postgres-cluster';

const ROOT = path.resolve(__dirname, '../..');

const sam: StaffInput = {
  staffId: 'PROF-1001',
  name: 'Sam Worker',
  email: 'sam.worker@council.example',
  userId: 'sam',
  changedBy: 'admin',
};

async function rowCount(url: string): Promise<number> {
  return withClient(url, async (c) => (await c.query<{ n: number }>('SELECT count(*)::int AS n FROM staff_directory')).rows[0]?.n ?? -1);
}

function directoryContract(url: () => string): void {
  let staff: StaffDirectory;
  beforeAll(() => {
    staff = openStaffDirectory(url());
  });
  afterAll(async () => {
    await staff?.close();
  });

  it('adds a member of staff, reads them back, replaces them and removes them', async () => {
    expect(await staff.list()).toEqual([]);
    const added = await staff.set(sam);
    expect(added).toMatchObject({ staffId: 'PROF-1001', name: 'Sam Worker', email: 'sam.worker@council.example', userId: 'sam', changedBy: 'admin' });
    expect(Date.parse(added.changedAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(await staff.find('PROF-1001')).toEqual(added);
    // The staff id as a CSV extract may carry it, with spaces around.
    expect(await staff.find(' PROF-1001 ')).toEqual(added);
    const { userId: _dropped, ...withoutUser } = sam;
    const changed = await staff.set({ ...withoutUser, staffId: ' PROF-1001', name: '  Sam Worker-Jones  ', changedBy: 'admin2' });
    expect(changed).toMatchObject({ staffId: 'PROF-1001', name: 'Sam Worker-Jones', changedBy: 'admin2' });
    expect(changed.userId).toBeUndefined();
    await staff.set({ ...sam, staffId: '0042', name: 'Ash Worker', email: 'ash@council.example', userId: 'ash' });
    expect((await staff.list()).map((s) => s.staffId)).toEqual(['0042', 'PROF-1001']);
    expect(await staff.remove('0042', 'admin')).toBe(true);
    expect(await staff.remove('0042', 'admin')).toBe(false);
    expect(await staff.find('0042')).toBeUndefined();
    expect(await staff.remove('PROF-1001', 'admin')).toBe(true);
    expect(await staff.list()).toEqual([]);
  });

  it('refuses bad input naming the field, and writes nothing', async () => {
    await staff.set(sam);
    const before = await staff.list();
    const bad: Array<[Record<string, unknown>, string]> = [
      [{ staffId: '' }, 'staffId'],
      [{ staffId: '   ' }, 'staffId'],
      [{ staffId: 'PROF 1002' }, 'staffId'],
      [{ staffId: 'X'.repeat(65) }, 'staffId'],
      [{ name: '   ' }, 'name'],
      [{ name: 'x'.repeat(201) }, 'name'],
      [{ email: 'not an email' }, 'email'],
      [{ email: `${'a'.repeat(250)}@x.uk` }, 'email'],
      [{ email: undefined }, 'email'],
      [{ userId: 'sam worker' }, 'userId'],
      [{ changedBy: '' }, 'changedBy'],
      [{ team: 'LOCALITY-NORTH' }, 'staff'],
    ];
    for (const [change, field] of bad) {
      const attempt = staff.set({ ...sam, staffId: 'PROF-1002', userId: 'kit', ...change } as StaffInput);
      const error = await attempt.catch((e: unknown) => e);
      expect(error, JSON.stringify(change)).toBeInstanceOf(StaffDirectoryInvalid);
      expect((error as StaffDirectoryInvalid).field, JSON.stringify(change)).toBe(field);
      expect((error as Error).message.startsWith(`${field}: `)).toBe(true);
    }
    // A user id another member of staff has.
    const taken = await staff.set({ ...sam, staffId: 'PROF-1002' }).catch((e: unknown) => e);
    expect(taken).toBeInstanceOf(StaffDirectoryInvalid);
    expect((taken as StaffDirectoryInvalid).field).toBe('userId');
    expect((taken as Error).message).toBe('userId: sam is already the user id of another member of staff');
    await expect(staff.find('not an id')).rejects.toMatchObject({ field: 'staffId' });
    await expect(staff.remove('', 'admin')).rejects.toMatchObject({ field: 'staffId' });
    await expect(staff.remove('PROF-1001', 'an admin')).rejects.toMatchObject({ field: 'by' });
    expect(await staff.list()).toEqual(before);
    expect(await rowCount(url())).toBe(1);
    // Control: the same count notices a write.
    await staff.set({ ...sam, staffId: 'PROF-1002', userId: 'kit' });
    expect(await rowCount(url())).toBe(2);
    await staff.remove('PROF-1002', 'admin');
    await staff.remove('PROF-1001', 'admin');
  });
}

describe('contactOf', () => {
  it("gives a case's contact: the name and email only, valid as a StaffContact", () => {
    const contact = contactOf({ staffId: 'PROF-1001', name: 'Sam Worker', email: 'sam.worker@council.example', userId: 'sam', changedBy: 'admin', changedAt: '2026-12-07T09:00:00.000Z' });
    expect(contact).toEqual({ name: 'Sam Worker', email: 'sam.worker@council.example' });
    expect(StaffContact.strict().parse(contact)).toEqual(contact);
  });
});

describe('staff directory on the embedded store', () => {
  let dir: string;
  let store: EmbeddedStore;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'caseclock-test-staff-'));
    store = await startEmbeddedStore({ dataDir: path.join(dir, 'data') });
    await migrateCaseRecordStore(store.url);
  });
  afterAll(async () => {
    await store?.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  directoryContract(() => store.url);
});

const POSTGRES_TITLE = 'staff directory on Debian PostgreSQL 15';
if (!postgresAvailable()) {
  process.stdout.write(`SKIPPED "${POSTGRES_TITLE}": ${POSTGRES_BIN}/postgres is absent (apt-get install postgresql-15 to run these tests)\n`);
}

describe.skipIf(!postgresAvailable())(POSTGRES_TITLE, () => {
  let cluster: PostgresCluster;
  let url: string;
  const as = (role: string): string => url.replace('postgres://postgres@', `postgres://${role}@`);
  beforeAll(async () => {
    cluster = await startPostgresCluster();
    url = await cluster.createDatabase('caseclock');
    await migrateCaseRecordStore(url);
    await new Promise<void>((resolve, reject) =>
      spawn(path.join(POSTGRES_BIN, 'psql'), [url, '-v', 'ON_ERROR_STOP=1', '-q', '-f', path.join(ROOT, 'store/roles.sql')], { stdio: 'ignore' }).once('exit', (code) =>
        code === 0 ? resolve() : reject(new Error(`psql store/roles.sql exited ${code}`)),
      ),
    );
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  directoryContract(() => url);

  it('the console role keeps the directory; the worker role reads it and cannot change it', async () => {
    const consoleStaff = openStaffDirectory(as('caseclock_console'));
    try {
      await consoleStaff.set({ ...sam, staffId: 'ROLE-STAFF' });
      expect(await consoleStaff.find('ROLE-STAFF')).toMatchObject({ email: 'sam.worker@council.example' });
    } finally {
      await consoleStaff.close();
    }
    const workerStaff = openStaffDirectory(as('caseclock_worker'));
    try {
      expect((await workerStaff.list()).map((s) => s.staffId)).toEqual(['ROLE-STAFF']);
      expect(await workerStaff.find('ROLE-STAFF')).toMatchObject({ name: 'Sam Worker' });
      await expect(workerStaff.set({ ...sam, staffId: 'FORGED', userId: 'forged' })).rejects.toMatchObject({ code: '42501' });
      await expect(workerStaff.set({ ...sam, staffId: 'ROLE-STAFF', email: 'redirected@elsewhere.example' })).rejects.toMatchObject({ code: '42501' });
      await expect(workerStaff.remove('ROLE-STAFF', 'admin')).rejects.toMatchObject({ code: '42501' });
    } finally {
      await workerStaff.close();
    }
    expect(await rowCount(url)).toBe(1);
    expect(await withClient(url, async (c) => (await c.query('SELECT email FROM staff_directory')).rows)).toEqual([{ email: 'sam.worker@council.example' }]);
    const consoleAgain = openStaffDirectory(as('caseclock_console'));
    try {
      expect(await consoleAgain.remove('ROLE-STAFF', 'admin')).toBe(true);
    } finally {
      await consoleAgain.close();
    }
  });
});
