/**
 * The team directory (store/team-directory.ts) on the embedded store and on a real Debian
 * PostgreSQL 15 cluster (skipped, saying so, when /usr/lib/postgresql/15/bin/postgres is absent),
 * with store/roles.sql's grants: the console role keeps the directory; the worker role, whose sync from the council's SSD
 * finds a team's manager and head of service in it, reads it and cannot change it.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateCaseRecordStore, startEmbeddedStore, type EmbeddedStore } from '../../store/case-record-store';
import { openTeamDirectory, TeamDirectoryInvalid, type TeamDirectory, type TeamInput } from '../../store/team-directory';
import { POSTGRES_BIN, postgresAvailable, startPostgresCluster, withClient, type PostgresCluster } from './postgres-cluster';

const ROOT = path.resolve(__dirname, '../..');

const north: TeamInput = {
  code: 'LOCALITY-NORTH',
  name: 'Locality North',
  serviceArea: 'Family Support North',
  manager: 'tess',
  head: 'hal',
  sourceId: 'DEPT-101',
  changedBy: 'admin',
};

async function rowCount(url: string): Promise<number> {
  return withClient(url, async (c) => (await c.query<{ n: number }>('SELECT count(*)::int AS n FROM team_directory')).rows[0]?.n ?? -1);
}

function directoryContract(url: () => string): void {
  let teams: TeamDirectory;
  beforeAll(() => {
    teams = openTeamDirectory(url());
  });
  afterAll(async () => {
    await teams?.close();
  });

  it('adds a team, reads it back, replaces it and removes it', async () => {
    expect(await teams.list()).toEqual([]);
    const added = await teams.upsert(north);
    expect(added).toMatchObject({ code: 'LOCALITY-NORTH', name: 'Locality North', serviceArea: 'Family Support North', manager: 'tess', head: 'hal', sourceId: 'DEPT-101', changedBy: 'admin' });
    expect(Date.parse(added.changedAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(await teams.get('LOCALITY-NORTH')).toEqual(added);
    const { sourceId: _dropped, ...withoutSource } = north;
    const changed = await teams.upsert({ ...withoutSource, name: '  Locality North (East)  ', head: 'hana', changedBy: 'admin2' });
    expect(changed).toMatchObject({ name: 'Locality North (East)', head: 'hana', changedBy: 'admin2' });
    expect(changed.sourceId).toBeUndefined();
    await teams.upsert({ ...north, code: 'ASSESSMENT-1', sourceId: 'DEPT-7' });
    expect((await teams.list()).map((t) => t.code)).toEqual(['ASSESSMENT-1', 'LOCALITY-NORTH']);
    expect(await teams.remove('ASSESSMENT-1')).toBe(true);
    expect(await teams.remove('ASSESSMENT-1')).toBe(false);
    expect(await teams.get('ASSESSMENT-1')).toBeUndefined();
    expect(await teams.remove('LOCALITY-NORTH')).toBe(true);
    expect(await teams.list()).toEqual([]);
  });

  it('refuses bad input naming the field, and writes nothing', async () => {
    await teams.upsert(north);
    const before = await teams.list();
    const bad: Array<[Record<string, unknown>, string]> = [
      [{ code: '' }, 'code'],
      [{ code: 'NORTH TEAM' }, 'code'],
      [{ code: 'X'.repeat(65) }, 'code'],
      [{ name: '   ' }, 'name'],
      [{ serviceArea: 'x'.repeat(201) }, 'serviceArea'],
      [{ manager: 'tess manager' }, 'manager'],
      [{ head: undefined }, 'head'],
      [{ sourceId: '' }, 'sourceId'],
      [{ changedBy: '' }, 'changedBy'],
      [{ colour: 'blue' }, 'team'],
    ];
    for (const [change, field] of bad) {
      const attempt = teams.upsert({ ...north, code: 'LOCALITY-SOUTH', sourceId: 'DEPT-202', ...change } as TeamInput);
      const error = await attempt.catch((e: unknown) => e);
      expect(error, JSON.stringify(change)).toBeInstanceOf(TeamDirectoryInvalid);
      expect((error as TeamDirectoryInvalid).field, JSON.stringify(change)).toBe(field);
      expect((error as Error).message.startsWith(`${field}: `)).toBe(true);
    }
    // A source id another team has.
    const taken = await teams.upsert({ ...north, code: 'LOCALITY-SOUTH' }).catch((e: unknown) => e);
    expect(taken).toBeInstanceOf(TeamDirectoryInvalid);
    expect((taken as TeamDirectoryInvalid).field).toBe('sourceId');
    expect((taken as Error).message).toContain('DEPT-101');
    await expect(teams.get('not a code')).rejects.toBeInstanceOf(TeamDirectoryInvalid);
    await expect(teams.remove('')).rejects.toBeInstanceOf(TeamDirectoryInvalid);
    expect(await teams.list()).toEqual(before);
    expect(await rowCount(url())).toBe(1);
    // Control: the same count notices a write.
    await teams.upsert({ ...north, code: 'LOCALITY-SOUTH', sourceId: 'DEPT-202' });
    expect(await rowCount(url())).toBe(2);
    await teams.remove('LOCALITY-SOUTH');
    await teams.remove('LOCALITY-NORTH');
  });
}

describe('team directory on the embedded store', () => {
  let dir: string;
  let store: EmbeddedStore;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'caseclock-test-teams-'));
    store = await startEmbeddedStore({ dataDir: path.join(dir, 'data') });
    await migrateCaseRecordStore(store.url);
  });
  afterAll(async () => {
    await store?.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  directoryContract(() => store.url);
});

const POSTGRES_TITLE = 'team directory on Debian PostgreSQL 15';
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
    const consoleTeams = openTeamDirectory(as('caseclock_console'));
    try {
      await consoleTeams.upsert({ ...north, code: 'ROLE-TEAM', sourceId: 'DEPT-ROLE' });
      expect(await consoleTeams.get('ROLE-TEAM')).toMatchObject({ manager: 'tess' });
    } finally {
      await consoleTeams.close();
    }
    const workerTeams = openTeamDirectory(as('caseclock_worker'));
    try {
      expect((await workerTeams.list()).map((t) => t.code)).toEqual(['ROLE-TEAM']);
      await expect(workerTeams.upsert({ ...north, code: 'FORGED' })).rejects.toMatchObject({ code: '42501' });
      await expect(workerTeams.remove('ROLE-TEAM')).rejects.toMatchObject({ code: '42501' });
    } finally {
      await workerTeams.close();
    }
    expect(await rowCount(url)).toBe(1);
    const consoleAgain = openTeamDirectory(as('caseclock_console'));
    try {
      expect(await consoleAgain.remove('ROLE-TEAM')).toBe(true);
    } finally {
      await consoleAgain.close();
    }
  });
});
