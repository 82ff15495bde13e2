/**
 * The SSD tables in and out of the two forms a council hands them over in: a PostgreSQL database
 * (the DDL of tools/ssd/ssd-tables.sql) and a folder of CSV files, one per table, named after it,
 * with the column names as the header, as councils' SQL Server and Oracle tools export them.
 * Readers parse every row with its table's zod schema, so what comes back is what the sync will see.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { Client, types } from 'pg';
import { SSD_COLUMNS, SSD_PRIMARY_KEYS, SSD_ROW_SCHEMAS, type SsdTableName } from './schemas';
import { DDL_FILE, loadSsdSpec, sqlType } from './spec';
import { SSD_TABLE_NAMES, type SsdTables } from './council';

type Row = Record<string, unknown>;

/** Each table's columns with their PostgreSQL types, in the spec's order. */
const SQL_TYPES: ReadonlyMap<string, ReadonlyMap<string, string>> = new Map(loadSsdSpec().map((t) => [t.name, new Map(t.columns.map((c) => [c.name, sqlType(c)]))]));
const sqlTypeOf = (table: SsdTableName, column: string): string => SQL_TYPES.get(table)?.get(column) ?? 'text';
const isNumeric = (type: string): boolean => type === 'double precision' || type === 'integer';

const byKey = (table: SsdTableName) => (a: Row, b: Row) => {
  const key = SSD_PRIMARY_KEYS[table];
  return String(a[key]) < String(b[key]) ? -1 : String(a[key]) > String(b[key]) ? 1 : 0;
};

/** The tables with each one's rows in key order, as the readers give them back. */
export function inKeyOrder(tables: SsdTables): SsdTables {
  const sorted = {} as Record<SsdTableName, Row[]>;
  for (const table of SSD_TABLE_NAMES) sorted[table] = [...(tables[table] as Row[])].sort(byKey(table));
  return sorted as unknown as SsdTables;
}

// --- CSV -----------------------------------------------------------------------------------------

/** RFC 4180: quoted where a comma, quote or line break would split the field; null is an empty field. */
function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

export async function writeSsdCsv(tables: SsdTables, dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  for (const table of SSD_TABLE_NAMES) {
    const columns = SSD_COLUMNS[table];
    const lines = [columns.join(',')];
    for (const row of tables[table] as Row[]) lines.push(columns.map((c) => csvField(row[c])).join(','));
    await writeFile(path.join(dir, `${table}.csv`), `${lines.join('\r\n')}\r\n`);
  }
}

/** Every table's CSV file in `dir`, parsed and checked, rows in key order. */
export function readSsdCsv(dir: string): SsdTables {
  const tables = {} as Record<SsdTableName, Row[]>;
  for (const table of SSD_TABLE_NAMES) {
    const records = parse(readFileSync(path.join(dir, `${table}.csv`)), { columns: true, bom: true }) as Record<string, string>[];
    const schema = SSD_ROW_SCHEMAS[table];
    tables[table] = records
      .map((record) => {
        const row: Row = {};
        for (const [column, text] of Object.entries(record)) {
          row[column] = text === '' ? null : isNumeric(sqlTypeOf(table, column)) ? Number(text) : text;
        }
        return schema.parse(row) as Row;
      })
      .sort(byKey(table));
  }
  return tables as unknown as SsdTables;
}

// --- PostgreSQL ----------------------------------------------------------------------------------

/** Rows per INSERT: each column goes as one array parameter, so a batch is a handful of parameters. */
const BATCH = 5_000;

/**
 * Writes the tables into the database at `url` in one transaction, creating them from the DDL
 * where they are absent; refuses tables that already hold rows, as a second council would mix
 * with the first.
 */
export async function writeSsdPostgres(tables: SsdTables, url: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('BEGIN');
    const present = await client.query<{ exists: boolean }>("SELECT to_regclass('ssd_person') IS NOT NULL AS exists");
    if (!present.rows[0]?.exists) await client.query(readFileSync(DDL_FILE, 'utf8'));
    for (const table of SSD_TABLE_NAMES) {
      const held = await client.query<{ any: boolean }>(`SELECT EXISTS (SELECT 1 FROM ${table}) AS any`);
      if (held.rows[0]?.any) throw new Error(`${table} already holds rows: write a council into empty tables`);
      const columns = SSD_COLUMNS[table];
      const unnest = columns.map((c, i) => `$${i + 1}::${sqlTypeOf(table, c)}[]`).join(', ');
      const sql = `INSERT INTO ${table} (${columns.join(', ')}) SELECT * FROM unnest(${unnest})`;
      const rows = tables[table] as Row[];
      for (let from = 0; from < rows.length; from += BATCH) {
        const batch = rows.slice(from, from + BATCH);
        await client.query(
          sql,
          columns.map((c) => batch.map((row) => row[c] ?? null)),
        );
      }
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}

const TIMESTAMP_OID = 1114;

/** Every SSD table in the database at `url`, parsed and checked, rows in key order. */
export async function readSsdPostgres(url: string): Promise<SsdTables> {
  // Timestamps as PostgreSQL writes them (the council's wall-clock time), never through a Date in
  // this process's zone.
  const client = new Client({
    connectionString: url,
    types: { getTypeParser: (oid: number, format?: 'text' | 'binary') => (oid === TIMESTAMP_OID ? (v: string) => v : types.getTypeParser(oid, format ?? 'text')) } as typeof types,
  });
  await client.connect();
  try {
    const tables = {} as Record<SsdTableName, Row[]>;
    for (const table of SSD_TABLE_NAMES) {
      const result = await client.query<Row>(`SELECT ${SSD_COLUMNS[table].join(', ')} FROM ${table}`);
      const schema = SSD_ROW_SCHEMAS[table];
      tables[table] = result.rows.map((row) => schema.parse(row) as Row).sort(byKey(table));
    }
    return tables as unknown as SsdTables;
  } finally {
    await client.end();
  }
}
