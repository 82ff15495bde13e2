/**
 * The SSD tables on a real Debian PostgreSQL 15 (a throwaway cluster, tests/store/postgres-cluster.ts;
 * skipped, saying so, only where /usr/lib/postgresql/15/bin/postgres is absent): the DDL loads with
 * every column and type, the personal columns among them; the PostgreSQL and CSV writers give back
 * the same rows; and how long a council of 10,000 children takes to generate and to write, printed.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCouncil, rowCount, SSD_TABLE_NAMES, type Council } from '../../tools/ssd/council';
import { inKeyOrder, readSsdCsv, readSsdPostgres, writeSsdCsv, writeSsdPostgres } from '../../tools/ssd/io';
import { PERSONAL_COLUMNS } from '../../tools/ssd/personal';
import { SSD_COLUMNS, SSD_PRIMARY_KEYS, type SsdTableName } from '../../tools/ssd/schemas';
import { DDL_FILE, loadSsdSpec, sqlType } from '../../tools/ssd/spec';
import { postgresAvailable, startPostgresCluster, withClient, type PostgresCluster } from '../store/postgres-cluster';

const available = postgresAvailable();
if (!available) process.stdout.write('tests/ssd/postgres.test.ts skipped: Debian PostgreSQL 15 is not installed (/usr/lib/postgresql/15/bin)\n');

/** information_schema's name for each of our column types. */
const INFORMATION_SCHEMA_TYPE: Record<string, string> = {
  text: 'text',
  timestamp: 'timestamp without time zone',
  'char(1)': 'character',
  'double precision': 'double precision',
  integer: 'integer',
};

describe.skipIf(!available)('the SSD tables on PostgreSQL 15', () => {
  let cluster: PostgresCluster;
  const dirs: string[] = [];
  const tempDir = (): string => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'caseclock-ssd-'));
    dirs.push(dir);
    return dir;
  };
  beforeAll(async () => {
    cluster = await startPostgresCluster();
  });
  afterAll(async () => {
    await cluster?.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('the DDL loads, with every column of the spec, its type and primary key, the personal columns among them', async () => {
    const url = await cluster.createDatabase('ssd_ddl');
    await withClient(url, async (client) => {
      await client.query(readFileSync(DDL_FILE, 'utf8'));
      const columns = await client.query<{ table_name: string; column_name: string; data_type: string; character_maximum_length: number | null }>(
        "SELECT table_name, column_name, data_type, character_maximum_length FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position",
      );
      for (const table of loadSsdSpec()) {
        const found = columns.rows.filter((c) => c.table_name === table.name);
        expect(found.map((c) => c.column_name)).toEqual(table.columns.map((c) => c.name));
        for (const c of table.columns) {
          const row = found.find((f) => f.column_name === c.name)!;
          expect(row.data_type, `${table.name}.${c.name}`).toBe(INFORMATION_SCHEMA_TYPE[sqlType(c)]);
          if (sqlType(c) === 'char(1)') expect(row.character_maximum_length).toBe(1);
        }
      }
      for (const [table, personal] of Object.entries(PERSONAL_COLUMNS)) {
        for (const column of personal)
          expect(
            columns.rows.some((c) => c.table_name === table && c.column_name === column),
            `${table}.${column}`,
          ).toBe(true);
      }
      const keys = await client.query<{ table_name: string; column_name: string }>(
        `SELECT tc.table_name, kcu.column_name FROM information_schema.table_constraints tc
           JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = tc.constraint_name AND kcu.table_name = tc.table_name
          WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_schema = 'public'`,
      );
      expect(Object.fromEntries(keys.rows.map((k) => [k.table_name, k.column_name]))).toEqual(SSD_PRIMARY_KEYS);
      // A flag longer than one character is refused, as a council's nchar(1) would.
      await expect(client.query("INSERT INTO ssd_cin_visits (cinv_cin_visit_id, cinv_cin_visit_seen) VALUES ('x', 'YES')")).rejects.toThrow(/too long/);
    });
  });

  describe('a council of 300 children', () => {
    let council: Council;
    beforeAll(() => {
      council = generateCouncil({ seed: 'round-trip', children: 300 });
    });

    it('written to PostgreSQL and read back is the same rows', async () => {
      const url = await cluster.createDatabase('ssd_round_trip');
      await writeSsdPostgres(council.tables, url);
      expect(await readSsdPostgres(url)).toEqual(inKeyOrder(council.tables));
      // A second council into the same tables is refused, not mixed in.
      await expect(writeSsdPostgres(council.tables, url)).rejects.toThrow(/already holds rows/);
    });

    it('written as CSV, one file per table headed by its columns, and read back is the same rows', async () => {
      const dir = tempDir();
      await writeSsdCsv(council.tables, dir);
      expect(readdirSync(dir).sort()).toEqual(SSD_TABLE_NAMES.map((t) => `${t}.csv`).sort());
      for (const table of SSD_TABLE_NAMES) {
        const header = readFileSync(path.join(dir, `${table}.csv`), 'utf8').split('\r\n')[0];
        expect(header).toBe(SSD_COLUMNS[table as SsdTableName].join(','));
      }
      expect(readSsdCsv(dir)).toEqual(inKeyOrder(council.tables));
    });
  });

  it('measures a council of 10,000 children: generating it, writing it to PostgreSQL and to CSV', async () => {
    const started = performance.now();
    const council = generateCouncil({ seed: 'measure', children: 10_000 });
    const generated = performance.now();
    const url = await cluster.createDatabase('ssd_measure');
    await writeSsdPostgres(council.tables, url);
    const written = performance.now();
    await writeSsdCsv(council.tables, tempDir());
    const csv = performance.now();
    const rows = rowCount(council.tables);
    const counted = await withClient(url, async (client) => {
      let n = 0;
      for (const table of SSD_TABLE_NAMES) n += Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n);
      return n;
    });
    expect(counted).toBe(rows);
    process.stdout.write(
      `SSD council of 10,000 children (${rows} rows, ${council.firstDay} to ${council.lastDay}): generated in ${Math.round(generated - started)} ms, ` +
        `written to PostgreSQL in ${Math.round(written - generated)} ms, to CSV in ${Math.round(csv - written)} ms\n`,
    );
  });
});
