/**
 * The SSD source (store/ssd-source.ts) on a synthetic council written to a real Debian PostgreSQL 15
 * (tests/store/postgres-cluster.ts; skipped, saying so, where it is absent) and to a folder of CSV
 * files: every table reads back as the generator's rows projected to the domain's columns, the same
 * from both; nothing personal (no canary, no date of birth) is ever read; the SQL names its columns;
 * a CSV without a needed column is refused naming it; a bad row is a warning without its content;
 * readChild gives one child's rows within its deadline; a configured risk tier column is read with
 * its table only, as a code. Rows per second from both, printed, for a council of 10,000 children.
 */
import { copyFileSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  csvIndexReads,
  openSsdSource,
  selectAllSql,
  selectChildSql,
  ssdCsvRecords,
  SSD_CHILD_TABLES,
  SSD_SOURCE_COLUMNS,
  SSD_SOURCE_TABLE_NAMES,
  SSD_SOURCE_TABLES,
  SsdSourceError,
  type SsdChildRows,
  type SsdSource,
  type SsdSourceRows,
  type SsdSourceTable,
} from '../../store/ssd-source';
import { generateCouncil, rowCount, type Council } from '../../tools/ssd/council';
import { writeSsdCsv, writeSsdPostgres } from '../../tools/ssd/io';
import { isCanaryText, PERSONAL_COLUMNS } from '../../tools/ssd/personal';
import { SSD_COLUMNS } from '../../tools/ssd/schemas';
import { postgresAvailable, startPostgresCluster, type PostgresCluster } from '../store/postgres-cluster';

const available = postgresAvailable();
if (!available) process.stdout.write('tests/ssd/source.test.ts skipped: Debian PostgreSQL 15 is not installed (/usr/lib/postgresql/15/bin)\n');

type Row = Record<string, unknown>;

const keyOf = (table: SsdSourceTable) => (row: Row) => String(row[SSD_SOURCE_TABLES[table].key]);
const byKey = (table: SsdSourceTable) => (a: Row, b: Row) => (keyOf(table)(a) < keyOf(table)(b) ? -1 : keyOf(table)(a) > keyOf(table)(b) ? 1 : 0);
const sorted = (table: SsdSourceTable, rows: readonly Row[]): Row[] => [...rows].sort(byKey(table));

/** The generator's rows of a table, cut to the domain's columns and parsed by the domain's schema. */
function projected(council: Council, table: SsdSourceTable): Row[] {
  const schema = SSD_SOURCE_TABLES[table].row;
  const rows = (council.tables[table] as Row[]).map((row) => schema.parse(Object.fromEntries(SSD_SOURCE_COLUMNS[table].map((c) => [c, row[c]]))) as Row);
  return sorted(table, rows);
}

async function readAllSorted(source: SsdSource): Promise<{ rows: Record<SsdSourceTable, Row[]>; warnings: unknown[] }> {
  const { rows, warnings } = await source.readAll();
  const out = {} as Record<SsdSourceTable, Row[]>;
  for (const table of SSD_SOURCE_TABLE_NAMES) out[table] = sorted(table, rows[table] as Row[]);
  return { rows: out, warnings };
}

/** Every value a personal column holds in the council: canaries and dates of birth. */
function personalValues(council: Council): string[] {
  const values: string[] = [];
  for (const [table, columns] of Object.entries(PERSONAL_COLUMNS)) {
    for (const row of council.tables[table as keyof typeof PERSONAL_COLUMNS] as Row[]) {
      for (const column of columns) if (typeof row[column] === 'string') values.push(row[column]);
    }
  }
  return values;
}

/**
 * The dates of birth that are no other value the domain reads (a newborn's referral can fall on its
 * birthday; that date is the referral's, not a leak): what must never appear in anything read.
 */
function datesOfBirth(council: Council): string[] {
  const read = new Set<string>();
  for (const table of SSD_SOURCE_TABLE_NAMES) {
    for (const row of council.tables[table] as Row[]) for (const c of SSD_SOURCE_COLUMNS[table]) if (typeof row[c] === 'string') read.add(row[c]);
  }
  return council.tables.ssd_person.flatMap((p) => (p.pers_dob && !read.has(p.pers_dob) ? [p.pers_dob] : []));
}

function expectNothingPersonal(json: string, council: Council): void {
  expect(json).not.toContain('CANARY');
  const found = personalValues(council).filter((v) => isCanaryText(v) && json.includes(v));
  expect(found).toEqual([]);
  const births = datesOfBirth(council);
  expect(births.length).toBeGreaterThan(council.tables.ssd_person.length / 2);
  expect(births.filter((dob) => json.includes(dob))).toEqual([]);
}

describe.skipIf(!available)('the SSD source, from PostgreSQL and from CSV', () => {
  let cluster: PostgresCluster;
  let council: Council;
  let url: string;
  let csvDir: string;
  const dirs: string[] = [];
  const opened: SsdSource[] = [];
  const tempDir = (): string => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'caseclock-ssd-source-'));
    dirs.push(dir);
    return dir;
  };
  const open = (config: Parameters<typeof openSsdSource>[0]): SsdSource => {
    const source = openSsdSource(config);
    opened.push(source);
    return source;
  };

  beforeAll(async () => {
    cluster = await startPostgresCluster();
    council = generateCouncil({ seed: 'source', children: 300 });
    url = await cluster.createDatabase('ssd_source');
    await writeSsdPostgres(council.tables, url);
    csvDir = tempDir();
    await writeSsdCsv(council.tables, csvDir);
  }, 120_000);
  afterEach(() => {
    vi.restoreAllMocks();
  });
  afterAll(async () => {
    for (const source of opened) await source.close();
    await cluster?.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('reads only the domain columns, each a column of its SSD table, none of them personal', () => {
    for (const table of SSD_SOURCE_TABLE_NAMES) {
      expect(SSD_SOURCE_COLUMNS[table].length).toBeGreaterThan(1);
      for (const column of SSD_SOURCE_COLUMNS[table]) expect(SSD_COLUMNS[table], `${table}.${column}`).toContain(column);
      const personal: readonly string[] = (PERSONAL_COLUMNS as Partial<Record<string, readonly string[]>>)[table] ?? [];
      expect(SSD_SOURCE_COLUMNS[table].filter((c) => personal.includes(c))).toEqual([]);
    }
  });

  it('every table from PostgreSQL and from CSV is the generator rows projected to the domain columns, the same from both, nothing personal', async () => {
    const fromPostgres = await readAllSorted(open({ kind: 'postgres', url }));
    const fromCsv = await readAllSorted(open({ kind: 'csv', dir: csvDir }));
    expect(fromPostgres.warnings).toEqual([]);
    expect(fromCsv.warnings).toEqual([]);
    for (const table of SSD_SOURCE_TABLE_NAMES) {
      const expected = projected(council, table);
      expect(expected.length, table).toBeGreaterThan(0);
      expect(fromPostgres.rows[table], `${table} from PostgreSQL`).toEqual(expected);
      expect(fromCsv.rows[table], `${table} from CSV`).toEqual(expected);
      for (const row of fromCsv.rows[table]) expect(Object.keys(row).sort()).toEqual([...SSD_SOURCE_COLUMNS[table]].sort());
    }
    expectNothingPersonal(JSON.stringify(fromPostgres), council);
    expectNothingPersonal(JSON.stringify(fromCsv), council);
  });

  it('control: the same check finds the canaries and dates of birth in the whole tables', () => {
    const whole = JSON.stringify(council.tables);
    expect(whole).toContain('CANARY');
    expect(datesOfBirth(council).some((dob) => whole.includes(dob))).toBe(true);
  });

  it('sends SQL that names its columns, never *, in a read-only transaction', async () => {
    // A spy calls through to pg's own query: every statement the source sends, as sent.
    const spy = vi.spyOn(Client.prototype, 'query');
    const source = open({ kind: 'postgres', url });
    await source.readAll();
    const child = council.tables.ssd_cla_episodes[0]!.clae_person_id!;
    await source.readChild(child, { timeoutMs: 10_000 });
    const sent = spy.mock.calls.map(([query]) => (typeof query === 'string' ? query : ((query as { text?: string }).text ?? '')));
    expect(sent.length).toBeGreaterThan(SSD_SOURCE_TABLE_NAMES.length);
    for (const text of sent) expect(text).not.toContain('*');
    const selects = sent.filter((t) => /\bSELECT\b/i.test(t));
    for (const table of SSD_SOURCE_TABLE_NAMES) expect(selects.some((t) => t.includes(selectAllSql(table)))).toBe(true);
    for (const table of SSD_CHILD_TABLES) expect(selects).toContain(selectChildSql(table));
    for (const text of selects) expect(text).toMatch(/^(DECLARE ssd_rows NO SCROLL CURSOR FOR )?SELECT [a-z0-9_]+(, [a-z0-9_]+)+ FROM /);
    const personal = Object.values(PERSONAL_COLUMNS).flat();
    for (const text of sent) for (const column of personal) expect(text).not.toContain(column);
    expect(sent.filter((t) => t.startsWith('BEGIN'))).toEqual(Array(sent.filter((t) => t.startsWith('BEGIN')).length).fill('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY'));
  });

  it('the CSV parser keeps only the domain columns of each record: the personal ones never reach a record', async () => {
    for (const table of ['ssd_person', 'ssd_s47_enquiry', 'ssd_initial_cp_conference', 'ssd_cla_placement'] as const) {
      const records: Row[] = [];
      for await (const item of ssdCsvRecords(csvDir, table)) records.push(item.record);
      expect(records).toHaveLength(council.tables[table].length);
      for (const record of records) expect(Object.keys(record).sort()).toEqual([...SSD_SOURCE_COLUMNS[table]].sort());
      expect(JSON.stringify(records)).not.toContain('CANARY');
    }
    // A file CSV cannot split (an unclosed quote) is refused by line and reason, without its text.
    const dir = tempDir();
    writeFileSync(path.join(dir, 'ssd_person.csv'), 'pers_person_id,pers_legacy_id,pers_forename\r\nP1,CR1,"CANARY-FORENAME-1\r\n');
    const failure = await (async () => {
      for await (const item of ssdCsvRecords(dir, 'ssd_person')) void item;
    })().catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'unreadable', message: expect.stringMatching(/ssd_person\.csv: not readable as CSV at line \d+ \(CSV_/) });
    expect((failure as Error).message).not.toContain('CANARY');
  });

  it('refuses a CSV file whose header lacks a needed column, naming the file and the column', async () => {
    const dir = tempDir();
    for (const file of readdirSync(csvDir)) copyFileSync(path.join(csvDir, file), path.join(dir, file));
    const file = path.join(dir, 'ssd_cin_visits.csv');
    const lines = readFileSync(file, 'utf8').split('\r\n');
    const drop = lines[0]!.split(',').indexOf('cinv_cin_visit_seen');
    expect(drop).toBeGreaterThan(0);
    writeFileSync(
      file,
      lines
        .map((line) =>
          line
            .split(',')
            .filter((_, i) => i !== drop)
            .join(','),
        )
        .join('\r\n'),
    );
    const source = open({ kind: 'csv', dir });
    const failure = await (async () => {
      for await (const batch of source.read('ssd_cin_visits')) void batch;
    })().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SsdSourceError);
    expect((failure as SsdSourceError).code).toBe('missing-column');
    expect((failure as Error).message).toContain('ssd_cin_visits.csv');
    expect((failure as Error).message).toContain('cinv_cin_visit_seen');
    expect((failure as Error).message).not.toContain('cinv_cin_visit_seen_alone');
    // A missing file is named as well.
    rmSync(path.join(dir, 'ssd_missing.csv'));
    const absent = await (async () => {
      for await (const batch of source.read('ssd_missing')) void batch;
    })().catch((error: unknown) => error);
    expect(absent).toMatchObject({ code: 'missing-file', message: expect.stringMatching(/ssd_missing\.csv: not found/) });
  });

  it('a row it cannot read is a warning naming the table, the row and the column, never the value', async () => {
    const dir = tempDir();
    for (const file of readdirSync(csvDir)) copyFileSync(path.join(csvDir, file), path.join(dir, file));
    const file = path.join(dir, 'ssd_cin_visits.csv');
    const lines = readFileSync(file, 'utf8').split('\r\n');
    const header = lines[0]!.split(',');
    const dateAt = header.indexOf('cinv_cin_visit_date');
    const [first, second] = [lines[1]!.split(','), lines[2]!.split(',')];
    first[dateAt] = 'CANARY-NOT-A-DATE';
    second.push('CANARY-SHIFTED');
    writeFileSync(file, [lines[0], first.join(','), second.join(','), ...lines.slice(3)].join('\r\n'));
    const batches = [];
    for await (const batch of open({ kind: 'csv', dir }).read('ssd_cin_visits')) batches.push(batch);
    const warnings = batches.flatMap((b) => b.warnings);
    expect(warnings).toEqual([
      expect.objectContaining({ kind: 'unparseable-row', table: 'ssd_cin_visits', rowId: first[0], at: 2, columns: ['cinv_cin_visit_date'] }),
      expect.objectContaining({ kind: 'malformed-record', table: 'ssd_cin_visits', rowId: null, at: 3 }),
    ]);
    expect(batches.flatMap((b) => b.rows)).toHaveLength(council.tables.ssd_cin_visits.length - 2);
    expect(JSON.stringify(warnings)).not.toContain('CANARY');

    // From PostgreSQL: a person id that is a name, not an id.
    const db = await cluster.createDatabase('ssd_source_bad_row');
    await writeSsdPostgres(council.tables, db);
    const visit = council.tables.ssd_cp_visits[0]!.cppv_cp_visit_id;
    const client = new Client({ connectionString: db });
    await client.connect();
    await client.query("UPDATE ssd_cp_visits SET cppv_person_id = 'CANARY Jane Doe' WHERE cppv_cp_visit_id = $1", [visit]);
    await client.end();
    const fromPostgres = await open({ kind: 'postgres', url: db }).readAll();
    expect(fromPostgres.warnings).toEqual([expect.objectContaining({ kind: 'unparseable-row', table: 'ssd_cp_visits', rowId: visit, columns: ['cppv_person_id'] })]);
    expect(fromPostgres.rows.ssd_cp_visits.map((r) => r.cppv_cp_visit_id)).not.toContain(visit);
    expect(JSON.stringify(fromPostgres)).not.toContain('CANARY');
  });

  it('a new extract is read once for the checks that arrive together, each still within its own deadline', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'caseclock-ssd-index-'));
    try {
      await writeSsdCsv(council.tables, dir);
      const onPlan = council.tables.ssd_cp_reviews[0]!.cppr_person_id!;
      const before = csvIndexReads();
      const reads = await Promise.all(Array.from({ length: 12 }, () => open({ kind: 'csv', dir }).readChild(onPlan, { timeoutMs: 10_000 })));
      for (const r of reads) expect(r).toEqual(reads[0]);
      expect(Object.values(reads[0]!.rows).flat().length).toBeGreaterThan(0);
      // Each file it reads once (the child tables, and the periods of care their reviews name), not once per check.
      const perExtract = csvIndexReads() - before;
      expect(perExtract).toBeGreaterThanOrEqual(SSD_CHILD_TABLES.length);
      expect(perExtract).toBeLessThanOrEqual(SSD_CHILD_TABLES.length + 1);
      // Read again: nothing new to read.
      await open({ kind: 'csv', dir }).readChild(onPlan, { timeoutMs: 10_000 });
      expect(csvIndexReads() - before).toBe(perExtract);
      // A check with no time left is refused at once, whatever else is reading.
      writeFileSync(path.join(dir, 'ssd_cp_visits.csv'), readFileSync(path.join(dir, 'ssd_cp_visits.csv'), 'utf8') + '\n');
      await expect(open({ kind: 'csv', dir }).readChild(onPlan, { timeoutMs: 1 })).rejects.toThrow(/did not answer within/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("readChild gives that child's visits, reviews and conferences only, newest first, the same from both", async () => {
    // A child in care with reviews, and one with a protection plan: between them every child table.
    const inCare = council.tables.ssd_cla_episodes.find((e) => council.tables.ssd_cla_reviews.some((r) => r.clar_cla_id === e.clae_cla_id))!.clae_person_id!;
    const onPlan = council.tables.ssd_cp_reviews[0]!.cppr_person_id!;
    for (const personId of [inCare, onPlan]) {
      const claIds = new Set(council.tables.ssd_cla_episodes.filter((e) => e.clae_person_id === personId).map((e) => e.clae_cla_id));
      const expected = {} as Record<string, Row[]>;
      for (const table of SSD_CHILD_TABLES) {
        const person = SSD_SOURCE_TABLES[table].person;
        expected[table] = projected(council, table).filter((row) => (person === null ? claIds.has(row.clar_cla_id as string) : row[person] === personId));
      }
      const total = Object.values(expected).reduce((n, rows) => n + rows.length, 0);
      expect(total).toBeGreaterThan(0);
      const bySort = (rows: SsdChildRows): Record<string, Row[]> => Object.fromEntries(SSD_CHILD_TABLES.map((t) => [t, sorted(t, rows[t] as Row[])]));
      const fromPostgres = await open({ kind: 'postgres', url }).readChild(personId, { timeoutMs: 10_000 });
      const fromCsv = await open({ kind: 'csv', dir: csvDir }).readChild(personId, { timeoutMs: 10_000 });
      expect(bySort(fromPostgres.rows)).toEqual(expected);
      expect(bySort(fromCsv.rows)).toEqual(expected);
      expect(fromCsv.rows).toEqual(fromPostgres.rows);
      for (const table of SSD_CHILD_TABLES) {
        const dates = (fromPostgres.rows[table] as Row[]).map((r) => r[SSD_SOURCE_TABLES[table].date!] as string | null);
        const newestFirst = [
          ...dates
            .filter((d) => d !== null)
            .sort()
            .reverse(),
          ...dates.filter((d) => d === null),
        ];
        expect(dates).toEqual(newestFirst);
      }
    }
    expect(await open({ kind: 'csv', dir: csvDir }).readChild('NO-SUCH-CHILD', { timeoutMs: 10_000 })).toEqual({
      rows: Object.fromEntries(SSD_CHILD_TABLES.map((t) => [t, []])),
      warnings: [],
    });
  });

  it('reads a configured tier column as a code with its row, named in the SQL and the CSV header, only in its table', async () => {
    const tierColumn = 'ssd_cin_episodes.cine_referral_priority';
    const episodes = council.tables.ssd_cin_episodes;
    const codeOf = (i: number): string | null => (i === 0 ? 'CANARY free text, with a comma' : i % 3 === 0 ? null : i % 3 === 1 ? 'h' : 'P');
    const db = await cluster.createDatabase('ssd_source_tier');
    await writeSsdPostgres(council.tables, db);
    const admin = new Client({ connectionString: db });
    await admin.connect();
    try {
      await admin.query('ALTER TABLE ssd_cin_episodes ADD COLUMN cine_referral_priority text');
      for (const [i, e] of episodes.entries()) await admin.query('UPDATE ssd_cin_episodes SET cine_referral_priority = $1 WHERE cine_referral_id = $2', [codeOf(i), e.cine_referral_id]);
    } finally {
      await admin.end();
    }
    const dir = tempDir();
    for (const file of readdirSync(csvDir)) copyFileSync(path.join(csvDir, file), path.join(dir, file));
    // The extract holds the columns CaseClock reads and the council's own; a code with a comma is quoted as CSV has it.
    const columns = [...SSD_SOURCE_COLUMNS.ssd_cin_episodes, 'cine_referral_priority'];
    const field = (v: unknown) => (v === null || v === undefined ? '' : /[",]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
    writeFileSync(
      path.join(dir, 'ssd_cin_episodes.csv'),
      [columns.join(','), ...episodes.map((e, i) => [...SSD_SOURCE_COLUMNS.ssd_cin_episodes.map((c) => field((e as Row)[c])), field(codeOf(i))].join(','))].join('\r\n') + '\r\n',
    );
    const spy = vi.spyOn(Client.prototype, 'query');
    const fromPostgres = await open({ kind: 'postgres', url: db, tierColumn }).readAll();
    const sent = spy.mock.calls.map(([query]) => (typeof query === 'string' ? query : ((query as { text?: string }).text ?? '')));
    expect(sent.filter((t) => t.includes('cine_referral_priority'))).toEqual([
      `DECLARE ssd_rows NO SCROLL CURSOR FOR ${selectAllSql('ssd_cin_episodes', { table: 'ssd_cin_episodes', column: 'cine_referral_priority', dateColumn: 'cine_referral_date' })}`,
    ]);
    const fromCsv = await open({ kind: 'csv', dir, tierColumn }).readAll();
    const first = episodes[0]!;
    const expected = episodes
      .flatMap((e, i) => (i === 0 ? [] : [{ rowId: e.cine_referral_id, personId: e.cine_person_id, date: e.cine_referral_date, code: codeOf(i)?.toUpperCase() ?? null }]))
      .sort((a, b) => (a.rowId < b.rowId ? -1 : 1));
    for (const read of [fromPostgres, fromCsv]) {
      expect([...(read.tiers ?? [])].sort((a, b) => (a.rowId < b.rowId ? -1 : 1))).toEqual(expected);
      // A value that is no code costs the row its tier only, named without its content.
      expect(read.warnings).toEqual([expect.objectContaining({ kind: 'unparseable-tier', table: 'ssd_cin_episodes', rowId: first.cine_referral_id, columns: ['cine_referral_priority'] })]);
      expect(JSON.stringify(read.warnings)).not.toContain('CANARY');
      expect(sorted('ssd_cin_episodes', read.rows.ssd_cin_episodes as Row[])).toEqual(projected(council, 'ssd_cin_episodes'));
    }
    // Without the setting the column is not read at all, and a personal column is refused by name.
    expect((await open({ kind: 'csv', dir }).readAll()).tiers).toBeUndefined();
    expect(() => openSsdSource({ kind: 'csv', dir, tierColumn: 'ssd_person.pers_dob' })).toThrow(/tierColumn: pers_dob holds personal data/);
  });

  it('readChild gives up at the caller’s deadline: a table locked on PostgreSQL, a folder too slow to read', async () => {
    const personId = council.tables.ssd_cp_visits[0]!.cppv_person_id!;
    const locker = new Client({ connectionString: url });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE ssd_cp_visits IN ACCESS EXCLUSIVE MODE');
      const started = performance.now();
      await expect(open({ kind: 'postgres', url }).readChild(personId, { timeoutMs: 500 })).rejects.toMatchObject({ code: 'timeout' });
      expect(performance.now() - started).toBeLessThan(5_000);
    } finally {
      await locker.query('ROLLBACK');
      await locker.end();
    }
    // A folder not read before (the one above is indexed by now, and answers at once).
    const unread = tempDir();
    cpSync(csvDir, unread, { recursive: true });
    await expect(open({ kind: 'csv', dir: unread }).readChild(personId, { timeoutMs: 1 })).rejects.toMatchObject({ code: 'timeout' });
    await expect(open({ kind: 'csv', dir: csvDir }).readChild('a name', { timeoutMs: 1_000 })).rejects.toThrow(/personId/);
  });

  it('refuses settings naming the field, never echoing a password; no refresh time is recorded by the SSD', async () => {
    expect(() => openSsdSource({ kind: 'postgres', url: 'mysql://ssd:secret-word@db/ssd' })).toThrow(/^the SSD source settings are not valid: url: /);
    expect(() => openSsdSource({ kind: 'postgres', url: 'mysql://ssd:secret-word@db/ssd' })).not.toThrow(/secret-word/);
    expect(() => openSsdSource({ kind: 'csv', dir: '' })).toThrow(/dir: /);
    expect(() => openSsdSource({ kind: 'csv', dir: path.join(csvDir, 'absent') })).toThrow(/does not exist/);
    expect(() => openSsdSource({ kind: 'postgres', url, poolSize: 40 })).toThrow(/poolSize: /);
    expect(() => openSsdSource({ kind: 'sqlserver', url } as never)).toThrow(/kind: /);
    expect(await open({ kind: 'postgres', url }).sourceFreshness()).toBeUndefined();
    expect(await open({ kind: 'csv', dir: csvDir }).sourceFreshness()).toBeUndefined();
  });

  it('measures reading a council of 10,000 children from PostgreSQL and from CSV', async () => {
    const big = generateCouncil({ seed: 'source-measure', children: 10_000 });
    const db = await cluster.createDatabase('ssd_source_measure');
    await writeSsdPostgres(big.tables, db);
    const dir = tempDir();
    await writeSsdCsv(big.tables, dir);
    const rows = rowCount(big.tables);
    const domainRows = SSD_SOURCE_TABLE_NAMES.reduce((n, t) => n + big.tables[t].length, 0);
    const count = (read: SsdSourceRows): number => SSD_SOURCE_TABLE_NAMES.reduce((n, t) => n + read[t].length, 0);

    const heapBefore = process.memoryUsage().heapUsed;
    let started = performance.now();
    const fromPostgres = await open({ kind: 'postgres', url: db }).readAll();
    const postgresMs = performance.now() - started;
    started = performance.now();
    const fromCsv = await open({ kind: 'csv', dir }).readAll();
    const csvMs = performance.now() - started;
    const heapAfter = process.memoryUsage().heapUsed;
    expect(count(fromPostgres.rows)).toBe(domainRows);
    expect(count(fromCsv.rows)).toBe(domainRows);
    const perSecond = (ms: number): number => Math.round((domainRows / ms) * 1000);
    process.stdout.write(
      `SSD source, council of 10,000 children (${rows} rows in all, ${domainRows} in the ${SSD_SOURCE_TABLE_NAMES.length} tables read): ` +
        `PostgreSQL ${Math.round(postgresMs)} ms (${perSecond(postgresMs)} rows/s), CSV ${Math.round(csvMs)} ms (${perSecond(csvMs)} rows/s); ` +
        `both reads held at once about ${Math.round((heapAfter - heapBefore) / 1e6)} MB of heap\n`,
    );
  }, 180_000);
});
