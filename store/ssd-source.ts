/**
 * The council's Standard Safeguarding Dataset (SSD), read for CaseClock: from its reporting
 * database (PostgreSQL) or from a folder of CSV extracts, one file per table named after it.
 *
 * Only the columns the domain's mapping needs are ever read (domain/ssd/rows.ts: ids, codes,
 * dates, flags, team and worker ids, and team names). The SQL names them, one list per table taken
 * from the row schema's keys, so the query and the mapping cannot drift apart; the CSV parser drops
 * every other column of a record as it splits the line, before anything else holds the record. The
 * SSD's tables also hold people's names, dates of birth, addresses and free text; those never enter
 * this process.
 *
 * Tables are read in batches (a server-side cursor; a streamed CSV file), so a council of 10,000
 * children (about 300,000 rows) is never held twice. A row the schema refuses is a typed warning
 * naming the table, the row id (where it is itself a valid id) and the columns at fault, never
 * their content.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse, type CsvError } from 'csv-parse';
import { Pool, types, type PoolClient } from 'pg';
import { z } from 'zod';
import {
  CinEpisodeRow,
  CinVisitRow,
  ClaEpisodeRow,
  ClaPlacementRow,
  ClaReviewRow,
  ClaVisitRow,
  CpPlanRow,
  CpReviewRow,
  CpVisitRow,
  DepartmentRow,
  InitialCpConferenceRow,
  InvolvementRow,
  LegalStatusRow,
  MissingRow,
  PersonRow,
  ProfessionalRow,
  S47EnquiryRow,
  SsdCode,
  SsdId,
  type SsdRows,
} from '../domain/ssd/rows';
import type { SsdTierValue } from '../domain/ssd/tier';
import { redactUrl, storeSessionLimits } from './case-record-store';
import { answerWithin } from '../common/deadline';

// --- The tables --------------------------------------------------------------------------------

interface SourceTable<S extends z.ZodObject> {
  row: S;
  /** The row's key (the SSD's primary key). */
  key: keyof z.output<S> & string;
  /** The column naming the child, for readChild; null where the table names none. */
  person: (keyof z.output<S> & string) | null;
  /** The date readChild orders by, newest first (only the tables readChild reads). */
  date?: keyof z.output<S> & string;
}
const table = <S extends z.ZodObject>(spec: SourceTable<S>): SourceTable<S> => spec;

/** Every SSD table CaseClock reads, by its SSD name, with the domain's row schema for it. */
export const SSD_SOURCE_TABLES = {
  ssd_person: table({ row: PersonRow, key: 'pers_person_id', person: 'pers_person_id' }),
  // With each team's name (dept_team_name, not personal data): the team directory offers the
  // case system's teams it does not list yet under their own names (docs/teams.md).
  ssd_department: table({ row: DepartmentRow, key: 'dept_team_id', person: null }),
  ssd_professionals: table({ row: ProfessionalRow, key: 'prof_professional_id', person: null }),
  ssd_involvements: table({ row: InvolvementRow, key: 'invo_involvements_id', person: 'invo_person_id' }),
  ssd_cin_episodes: table({ row: CinEpisodeRow, key: 'cine_referral_id', person: 'cine_person_id' }),
  ssd_cin_visits: table({ row: CinVisitRow, key: 'cinv_cin_visit_id', person: 'cinv_person_id', date: 'cinv_cin_visit_date' }),
  ssd_s47_enquiry: table({ row: S47EnquiryRow, key: 's47e_s47_enquiry_id', person: 's47e_person_id' }),
  ssd_initial_cp_conference: table({ row: InitialCpConferenceRow, key: 'icpc_icpc_id', person: 'icpc_person_id', date: 'icpc_icpc_date' }),
  ssd_cp_plans: table({ row: CpPlanRow, key: 'cppl_cp_plan_id', person: 'cppl_person_id' }),
  ssd_cp_visits: table({ row: CpVisitRow, key: 'cppv_cp_visit_id', person: 'cppv_person_id', date: 'cppv_cp_visit_date' }),
  ssd_cp_reviews: table({ row: CpReviewRow, key: 'cppr_cp_review_id', person: 'cppr_person_id', date: 'cppr_cp_review_date' }),
  ssd_cla_episodes: table({ row: ClaEpisodeRow, key: 'clae_cla_episode_id', person: 'clae_person_id' }),
  ssd_cla_placement: table({ row: ClaPlacementRow, key: 'clap_cla_placement_id', person: 'clap_person_id' }),
  ssd_legal_status: table({ row: LegalStatusRow, key: 'lega_legal_status_id', person: 'lega_person_id' }),
  ssd_cla_visits: table({ row: ClaVisitRow, key: 'clav_cla_visit_id', person: 'clav_person_id', date: 'clav_cla_visit_date' }),
  // A child-in-care review names the period of care (clar_cla_id), not the child: readChild
  // finds the child's periods of care in ssd_cla_episodes.
  ssd_cla_reviews: table({ row: ClaReviewRow, key: 'clar_cla_review_id', person: null, date: 'clar_cla_review_date' }),
  ssd_missing: table({ row: MissingRow, key: 'miss_table_id', person: 'miss_person_id' }),
} as const;

export type SsdSourceTable = keyof typeof SSD_SOURCE_TABLES;
export const SSD_SOURCE_TABLE_NAMES = Object.keys(SSD_SOURCE_TABLES) as SsdSourceTable[];
export type SsdSourceRow<T extends SsdSourceTable> = z.output<(typeof SSD_SOURCE_TABLES)[T]['row']>;
/** Every table's rows, by SSD table name. */
export type SsdSourceRows = { [T in SsdSourceTable]: SsdSourceRow<T>[] };

/** Names that go into SQL unquoted: lower-case letters, digits and underscore only. */
const SQL_NAME = /^[a-z][a-z0-9_]*$/;

/** The columns read from each table: exactly the keys of the domain's row schema. */
export const SSD_SOURCE_COLUMNS: { readonly [T in SsdSourceTable]: readonly string[] } = (() => {
  const columnsOf = {} as Record<SsdSourceTable, readonly string[]>;
  for (const name of SSD_SOURCE_TABLE_NAMES) {
    const spec: SourceTable<z.ZodObject> = SSD_SOURCE_TABLES[name];
    const columns = Object.keys(spec.row.shape);
    for (const column of [name, ...columns]) if (!SQL_NAME.test(column)) throw new Error(`${name}: ${column} is not a plain SQL name`);
    columnsOf[name] = columns;
  }
  return columnsOf;
})();

/** The tables readChild reads: a child's visits, reviews and conferences. */
export const SSD_CHILD_TABLES = ['ssd_cin_visits', 'ssd_cp_visits', 'ssd_cla_visits', 'ssd_cp_reviews', 'ssd_cla_reviews', 'ssd_initial_cp_conference'] as const;
export type SsdChildTable = (typeof SSD_CHILD_TABLES)[number];
export type SsdChildRows = { [T in SsdChildTable]: SsdSourceRow<T>[] };

// --- The risk tier's column (docs/ssd.md, "Risk tier") --------------------------------------------

/**
 * Columns of the SSD's tables that hold a person's name, date of birth, ethnicity, nationality, UPN,
 * NHS number, address or postcode, or free text (descriptions, the outcome columns' comments):
 * CaseClock never reads them, whatever a setting names. CASECLOCK_SSD_TIER_COLUMN is refused by name
 * when it names one, or a council's own column whose name says it holds the same.
 */
export const SSD_NEVER_READ_COLUMNS: ReadonlySet<string> = new Set([
  'pers_forename',
  'pers_surname',
  'pers_sex',
  'pers_gender',
  'pers_ethnicity',
  'pers_dob',
  'pers_expected_dob',
  'pers_death_date',
  'pers_common_child_id',
  'pers_upn_unknown',
  'pers_nationality',
  'addr_address_json',
  'addr_address_postcode',
  'link_identifier_value',
  'cine_referral_source_desc',
  'cine_referral_outcome_json',
  'clap_cla_placement_postcode',
  'cont_contact_source_desc',
  'cont_contact_outcome_json',
  's47e_s47_outcome_json',
  'icpc_icpc_outcome_json',
  'prof_professional_name',
]);
const PERSONAL_COLUMN_NAME = /(?:^|_)(?:forename|surname|name|dob|birth|address|addr|postcode|nhs|upn|json|desc|description|comments?|notes?|text|narrative)(?:_|$)/;

/**
 * The date a child's row holds from in each table keyed to a child: its own date (a visit, a review)
 * or its start (an episode, a plan, an allocation). ssd_person has none: its tier holds from the
 * start of the child's case.
 */
export const SSD_ROW_DATES: { readonly [T in SsdSourceTable]?: keyof SsdSourceRow<T> & string } = {
  ssd_involvements: 'invo_involvement_start_date',
  ssd_cin_episodes: 'cine_referral_date',
  ssd_cin_visits: 'cinv_cin_visit_date',
  ssd_s47_enquiry: 's47e_s47_start_date',
  ssd_initial_cp_conference: 'icpc_icpc_date',
  ssd_cp_plans: 'cppl_cp_plan_start_date',
  ssd_cp_visits: 'cppv_cp_visit_date',
  ssd_cp_reviews: 'cppr_cp_review_date',
  ssd_cla_episodes: 'clae_cla_episode_start_date',
  ssd_cla_placement: 'clap_cla_placement_start_date',
  ssd_legal_status: 'lega_legal_status_start_date',
  ssd_cla_visits: 'clav_cla_visit_date',
  ssd_missing: 'miss_missing_episode_start_date',
};

/** The column a council keeps its risk tier in: a table the sync reads, keyed to the child. */
export interface SsdTierColumn {
  table: SsdSourceTable;
  column: string;
  /** The row's date column (SSD_ROW_DATES), or null for ssd_person. */
  dateColumn: string | null;
}

/** The tables a tier column may be in: those the sync reads that name the child on each row. */
export const SSD_TIER_TABLES = SSD_SOURCE_TABLE_NAMES.filter((name) => SSD_SOURCE_TABLES[name].person !== null);

/**
 * `<table>.<column>` as the tier's column, or the refusal in words: not that shape, a column that
 * holds personal data or free text (by name), or a table the sync does not read keyed to the child.
 */
export function ssdTierColumnOf(text: string): { column: SsdTierColumn } | { problem: string } {
  const m = /^([a-z][a-z0-9_]*)\.([a-z][a-z0-9_]*)$/.exec(text.trim().toLowerCase());
  if (!m) return { problem: 'must be <table>.<column> in lower case, e.g. ssd_cin_episodes.cine_referral_priority' };
  const [, table = '', column = ''] = m;
  if (SSD_NEVER_READ_COLUMNS.has(column) || PERSONAL_COLUMN_NAME.test(column)) {
    return { problem: `${column} holds personal data or free text (names, dates of birth, addresses, postcodes, NHS numbers, descriptions): CaseClock never reads it` };
  }
  const tier = SSD_TIER_TABLES.find((t) => t === table);
  if (tier === undefined) return { problem: `${table} is not a table the sync reads keyed to the child (one of: ${SSD_TIER_TABLES.join(', ')})` };
  return { column: { table: tier, column, dateColumn: SSD_ROW_DATES[tier] ?? null } };
}

const TierColumnSetting = z.string().transform((text, ctx): SsdTierColumn => {
  const found = ssdTierColumnOf(text);
  if ('column' in found) return found.column;
  ctx.addIssue({ code: 'custom', message: found.problem });
  return z.NEVER;
});

/** The columns read from a table: its row schema's, and the tier's column where it is in this table. */
const columnsRead = (name: SsdSourceTable, tier: SsdTierColumn | undefined): readonly string[] =>
  tier?.table === name && !SSD_SOURCE_COLUMNS[name].includes(tier.column) ? [...SSD_SOURCE_COLUMNS[name], tier.column] : SSD_SOURCE_COLUMNS[name];

/** A row's tier value, from the record the row was parsed from; its code read as any other code. */
function tierValueOf(name: SsdSourceTable, row: Record<string, unknown>, record: Record<string, unknown>, tier: SsdTierColumn, at: number): { value?: SsdTierValue; warning?: SsdRowWarning } {
  const person = SSD_SOURCE_TABLES[name].person;
  const personId = person === null ? null : row[person];
  const rowId = row[SSD_SOURCE_TABLES[name].key] as string;
  if (typeof personId !== 'string') return {};
  const date = tier.dateColumn === null ? null : ((row[tier.dateColumn] as string | null | undefined) ?? null);
  const raw = record[tier.column];
  if (raw === null || raw === undefined || (typeof raw === 'string' && raw.trim() === '')) return { value: { rowId, personId, date, code: null } };
  const code = SsdCode.safeParse(typeof raw === 'number' ? String(raw) : raw);
  if (code.success) return { value: { rowId, personId, date, code: code.data } };
  return {
    warning: { kind: 'unparseable-tier', table: name, rowId, at, columns: [tier.column], message: `${name} row ${rowId}: ${tier.column} is not a code; the row is read without its risk tier` },
  };
}

// --- Warnings and errors -------------------------------------------------------------------------

/**
 * A row the source could not give: refused by its schema, or (in a CSV file) with more or fewer
 * fields than the header, which would shift every value into the wrong column. Names the row's
 * position and the columns at fault, never a value (a shifted row may put a name in an id).
 */
export interface SsdRowWarning {
  /** `unparseable-tier`: the tier's column is no code; the rest of the row is read. */
  kind: 'unparseable-row' | 'malformed-record' | 'unparseable-tier';
  table: SsdSourceTable;
  /** The row's key where it is itself a valid SSD id, else null. */
  rowId: string | null;
  /** The row's position in this read (1 for the first), or its line in a CSV file. */
  at: number;
  columns: string[];
  message: string;
}

export type SsdSourceErrorCode = 'config' | 'missing-file' | 'missing-column' | 'unreadable' | 'timeout' | 'closed';

/** A failure of the source itself (not of one row); its message never holds a row's content. */
export class SsdSourceError extends Error {
  override readonly name = 'SsdSourceError';
  constructor(
    readonly code: SsdSourceErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** One batch of a table's rows, in key order within the batch, with the rows it could not give. */
export interface SsdBatch<T extends SsdSourceTable> {
  table: T;
  rows: SsdSourceRow<T>[];
  warnings: SsdRowWarning[];
  /** The tier's column of these rows, where it is in this table (CASECLOCK_SSD_TIER_COLUMN). */
  tiers?: SsdTierValue[];
}

/** One record into its batch: the row, its tier value (in the tier's table) and what could not be read. */
function intoBatch<T extends SsdSourceTable>(batch: SsdBatch<T>, record: Record<string, unknown>, at: number, tier: SsdTierColumn | undefined): void {
  const parsed = parseRow(batch.table, record, at);
  if (!('row' in parsed)) {
    batch.warnings.push(parsed.warning);
    return;
  }
  batch.rows.push(parsed.row);
  if (tier?.table !== batch.table) return;
  const { value, warning } = tierValueOf(batch.table, parsed.row as Record<string, unknown>, record, tier, at);
  if (value) (batch.tiers ??= []).push(value);
  if (warning) batch.warnings.push(warning);
}

function parseRow<T extends SsdSourceTable>(name: T, record: Record<string, unknown>, at: number): { row: SsdSourceRow<T> } | { warning: SsdRowWarning } {
  const spec: SourceTable<z.ZodObject> = SSD_SOURCE_TABLES[name];
  const parsed = spec.row.safeParse(record);
  if (parsed.success) return { row: parsed.data as SsdSourceRow<T> };
  const id = SsdId.safeParse(record[spec.key]);
  const rowId = id.success ? id.data : null;
  const columns = [...new Set(parsed.error.issues.map((issue) => String(issue.path[0] ?? '')))].filter(Boolean);
  return {
    warning: { kind: 'unparseable-row', table: name, rowId, at, columns, message: `${name} row ${rowId ?? `#${at}`}: ${columns.join(', ')} not valid; the row is left out` },
  };
}

// --- Configuration -------------------------------------------------------------------------------

const BatchSize = z.number().int().min(100).max(50_000).default(5_000);

export const SsdSourceConfig = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('postgres'),
    url: z.string().regex(/^postgres(ql)?:\/\/\S+$/, 'must be a PostgreSQL URL such as postgres://caseclock_ssd@db.council.example/ssd'),
    /** Connections held open to the council's database: it is theirs, so few. */
    poolSize: z.number().int().min(1).max(4).default(2),
    /** Each statement's limit in milliseconds (default: CASECLOCK_STORE_STATEMENT_TIMEOUT_MS). */
    statementTimeoutMs: z.number().int().min(100).max(600_000).optional(),
    batchSize: BatchSize,
    /** The council's own risk tier column, `<table>.<column>` (CASECLOCK_SSD_TIER_COLUMN), read with its table. */
    tierColumn: TierColumnSetting.optional(),
  }),
  z.strictObject({
    kind: z.literal('csv'),
    /** The folder holding one `<table>.csv` per table, headed by its column names. */
    dir: z.string().trim().min(1, 'must name the folder of CSV extracts'),
    batchSize: BatchSize,
    tierColumn: TierColumnSetting.optional(),
  }),
]);
export type SsdSourceConfig = z.input<typeof SsdSourceConfig>;

/** Refusals name the field and the rule, never the value (a URL may carry a password). */
function parseConfig(config: unknown): z.output<typeof SsdSourceConfig> {
  const parsed = SsdSourceConfig.safeParse(config);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const field = issue.path.join('.') || 'config';
    const keys = issue.code === 'unrecognized_keys' ? ` (${issue.keys.join(', ')})` : '';
    return `${field}${keys}: ${issue.message}`;
  });
  throw new SsdSourceError('config', `the SSD source settings are not valid: ${problems.join('; ')}`);
}

// --- The reader ----------------------------------------------------------------------------------

export interface SsdSource {
  readonly kind: 'postgres' | 'csv';
  /** One table's rows in batches, in key order (PostgreSQL) or the file's order (CSV). */
  read<T extends SsdSourceTable>(table: T): AsyncIterable<SsdBatch<T>>;
  /** Every table, whole, with every warning: what the sync maps in one pass; with the tier's column where one is configured. */
  readAll(): Promise<{ rows: SsdSourceRows; warnings: SsdRowWarning[]; tiers?: SsdTierValue[] }>;
  /**
   * One child's visits, reviews and conferences as the source holds them now, newest first;
   * rejects with an SsdSourceError 'timeout' after `timeoutMs`.
   */
  readChild(personId: string, options: { timeoutMs: number }): Promise<{ rows: SsdChildRows; warnings: SsdRowWarning[] }>;
  /**
   * When the source was last refreshed, where the SSD records it. The SSD objects CaseClock reads
   * (tools/ssd/spec/) have no extract or refresh table, so this is undefined for both kinds.
   */
  sourceFreshness(): Promise<string | undefined>;
  close(): Promise<void>;
}

export function openSsdSource(config: SsdSourceConfig): SsdSource {
  const parsed = parseConfig(config);
  const reader = parsed.kind === 'postgres' ? postgresReader(parsed) : csvReader(parsed);
  let closed = false;
  const open = (): void => {
    if (closed) throw new SsdSourceError('closed', 'the SSD source is closed');
  };
  async function* read<T extends SsdSourceTable>(name: T): AsyncGenerator<SsdBatch<T>> {
    open();
    if (!Object.hasOwn(SSD_SOURCE_TABLES, name)) throw new SsdSourceError('config', `${String(name)} is not an SSD table CaseClock reads`);
    yield* reader.read(name);
  }
  return {
    kind: parsed.kind,
    read,
    async readAll() {
      const rows = {} as { [T in SsdSourceTable]: unknown[] };
      const warnings: SsdRowWarning[] = [];
      const tiers: SsdTierValue[] = [];
      for (const name of SSD_SOURCE_TABLE_NAMES) {
        const into: unknown[] = (rows[name] = []);
        for await (const batch of read(name)) {
          for (const row of batch.rows) into.push(row);
          warnings.push(...batch.warnings);
          for (const value of batch.tiers ?? []) tiers.push(value);
        }
      }
      return { rows: rows as SsdSourceRows, warnings, ...(parsed.tierColumn ? { tiers } : {}) };
    },
    async readChild(personId, options) {
      open();
      const person = SsdId.safeParse(personId);
      if (!person.success) throw new SsdSourceError('config', `personId: ${person.error.issues[0]?.message ?? 'not a valid SSD id'}`);
      const timeout = z.number().int().min(1).max(600_000).safeParse(options.timeoutMs);
      if (!timeout.success) throw new SsdSourceError('config', 'timeoutMs: must be a whole number of milliseconds from 1 to 600000');
      const found = await withDeadline(timeout.data, (signal) => reader.readChild(person.data, timeout.data, signal));
      for (const name of SSD_CHILD_TABLES) (found.rows[name] as { [k: string]: unknown }[]).sort(newestFirst(SSD_SOURCE_TABLES[name].date!));
      return found;
    },
    sourceFreshness: () => Promise.resolve(undefined),
    async close() {
      closed = true;
      await reader.close();
    },
  };
}

/** The domain's SsdRows (the event tables) from a whole read. */
export const ssdRowsOf = (rows: SsdSourceRows): SsdRows => ({
  cinEpisodes: rows.ssd_cin_episodes,
  cinVisits: rows.ssd_cin_visits,
  cpVisits: rows.ssd_cp_visits,
  claVisits: rows.ssd_cla_visits,
  cpPlans: rows.ssd_cp_plans,
  cpReviews: rows.ssd_cp_reviews,
  initialCpConferences: rows.ssd_initial_cp_conference,
  s47Enquiries: rows.ssd_s47_enquiry,
  claEpisodes: rows.ssd_cla_episodes,
  claPlacements: rows.ssd_cla_placement,
  claReviews: rows.ssd_cla_reviews,
  legalStatuses: rows.ssd_legal_status,
  missing: rows.ssd_missing,
});

const newestFirst =
  (column: string) =>
  (a: { [k: string]: unknown }, b: { [k: string]: unknown }): number => {
    const x = (a[column] as string | null) ?? '';
    const y = (b[column] as string | null) ?? '';
    return x < y ? 1 : x > y ? -1 : 0;
  };

async function withDeadline<T>(ms: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const running = work(controller.signal);
  // Once the deadline has won, the abandoned read's own failure (aborted, cancelled) is expected.
  running.catch(() => undefined);
  return answerWithin(ms, running, () => {
    controller.abort();
    return new SsdSourceError('timeout', `the SSD source did not answer within ${ms} ms`);
  });
}

interface Reader {
  read<T extends SsdSourceTable>(name: T): AsyncGenerator<SsdBatch<T>>;
  readChild(personId: string, timeoutMs: number, signal: AbortSignal): Promise<{ rows: SsdChildRows; warnings: SsdRowWarning[] }>;
  close(): Promise<void>;
}

const emptyChildRows = (): SsdChildRows => ({
  ssd_cin_visits: [],
  ssd_cp_visits: [],
  ssd_cla_visits: [],
  ssd_cp_reviews: [],
  ssd_cla_reviews: [],
  ssd_initial_cp_conference: [],
});

// --- PostgreSQL ----------------------------------------------------------------------------------

const TIMESTAMP_OID = 1114;

/** The statement that reads a whole table: its columns named (with the tier's, in its table), in key order. */
export const selectAllSql = (name: SsdSourceTable, tier?: SsdTierColumn): string => `SELECT ${columnsRead(name, tier).join(', ')} FROM ${name} ORDER BY ${SSD_SOURCE_TABLES[name].key}`;

/** The statement that reads one child's rows of a table ($1: the person id). */
export function selectChildSql(name: SsdChildTable): string {
  const columns = SSD_SOURCE_COLUMNS[name].join(', ');
  if (name === 'ssd_cla_reviews') {
    return `SELECT ${columns} FROM ssd_cla_reviews WHERE clar_cla_id IN (SELECT clae_cla_id FROM ssd_cla_episodes WHERE clae_person_id = $1)`;
  }
  return `SELECT ${columns} FROM ${name} WHERE ${SSD_SOURCE_TABLES[name].person} = $1`;
}

function postgresReader(config: Extract<z.output<typeof SsdSourceConfig>, { kind: 'postgres' }>): Reader {
  const limits = storeSessionLimits();
  const pool = new Pool({
    connectionString: config.url,
    max: config.poolSize,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 10_000,
    allowExitOnIdle: true,
    application_name: 'caseclock-ssd-source',
    statement_timeout: config.statementTimeoutMs ?? limits.CASECLOCK_STORE_STATEMENT_TIMEOUT_MS,
    // A read left idle between batches for longer than this is ended by the server, so a stalled
    // sync never holds the council's database open.
    idle_in_transaction_session_timeout: limits.CASECLOCK_STORE_IDLE_IN_TRANSACTION_TIMEOUT_MS,
    // ISO dates whatever the council's server is set to (a UK server set to SQL, DMY would write
    // 29/03/2026 10:15:00, which no row schema reads).
    options: '-c DateStyle=ISO,YMD',
    // Timestamps as the database writes them (the council's wall-clock time, no zone), never
    // through a Date in this process's zone: domain/ssd/dates.ts reads them as UK time.
    types: {
      getTypeParser: (oid: number, format?: 'text' | 'binary') => (oid === TIMESTAMP_OID ? (v: string) => v : types.getTypeParser(oid, format ?? 'text')),
    } as typeof types,
  });
  pool.on('error', () => undefined);

  /** A read-only transaction on one snapshot; the connection is dropped if it broke. */
  async function readOnly<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await pool.connect().catch((error: Error) => {
      throw new SsdSourceError('unreadable', `cannot reach the SSD database at ${redactUrl(config.url)}: ${error.message}`);
    });
    let broken: Error | undefined;
    const onError = (error: Error): void => {
      broken = error;
    };
    client.on('error', onError);
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
      throw error;
    } finally {
      client.off('error', onError);
      client.release(broken ?? false);
    }
  }

  return {
    async *read<T extends SsdSourceTable>(name: T): AsyncGenerator<SsdBatch<T>> {
      const client = await pool.connect().catch((error: Error) => {
        throw new SsdSourceError('unreadable', `cannot reach the SSD database at ${redactUrl(config.url)}: ${error.message}`);
      });
      let broken: Error | undefined;
      const onError = (error: Error): void => {
        broken = error;
      };
      client.on('error', onError);
      let done = false;
      try {
        await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
        await client.query(`DECLARE ssd_rows NO SCROLL CURSOR FOR ${selectAllSql(name, config.tierColumn)}`);
        let at = 0;
        for (;;) {
          const result = await client.query<Record<string, unknown>>(`FETCH ${config.batchSize} FROM ssd_rows`);
          if (result.rows.length === 0) break;
          const batch: SsdBatch<T> = { table: name, rows: [], warnings: [] };
          for (const record of result.rows) intoBatch(batch, record, ++at, config.tierColumn);
          yield batch;
        }
        await client.query('COMMIT');
        done = true;
      } finally {
        // Also when the caller stops early: the cursor and its snapshot end with the transaction.
        if (!done) await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
        client.off('error', onError);
        client.release(broken ?? false);
      }
    },
    readChild(personId, timeoutMs) {
      return readOnly(async (client) => {
        // The caller's deadline for each statement, for this transaction only.
        await client.query(`SET LOCAL statement_timeout = ${timeoutMs}`);
        const found = { rows: emptyChildRows(), warnings: [] as SsdRowWarning[] };
        for (const name of SSD_CHILD_TABLES) {
          const result = await client.query<Record<string, unknown>>(selectChildSql(name), [personId]);
          let at = 0;
          for (const record of result.rows) {
            const parsed = parseRow(name, record, ++at);
            if ('row' in parsed) (found.rows[name] as unknown[]).push(parsed.row);
            else found.warnings.push(parsed.warning);
          }
        }
        return found;
      });
    },
    close: () => pool.end(),
  };
}

// --- CSV -----------------------------------------------------------------------------------------

/**
 * A table's records from its CSV file in `dir`, streamed: only the columns the domain reads, each
 * with its line; `malformed` where the record has more or fewer fields than the header.
 */
type CsvItem = { record: Record<string, string>; line: number; malformed: boolean };

/**
 * One extract file's records by the column naming their child (or period of care), kept while the
 * file is unchanged: the check before each escalation reads one child, and scanning every file for
 * each would cost a council's worker seconds per escalation. Records hold only the columns
 * CaseClock reads. A new extract (another modification time or size) is indexed afresh, once: the
 * checks that arrive while it is being read wait for that one reading (a council's evening of
 * escalations after a new extract would otherwise read it once each, and hold each copy).
 */
const childIndexes = new Map<string, { version: string; byKey: Promise<Map<string, CsvItem[]>> }>();

async function childIndex(dir: string, name: SsdSourceTable, keyColumn: string, signal?: AbortSignal): Promise<Map<string, CsvItem[]>> {
  const file = path.join(dir, `${name}.csv`);
  let version: string;
  try {
    const stat = statSync(file);
    version = `${stat.mtimeMs}:${stat.size}`;
  } catch {
    throw new SsdSourceError('missing-file', `${file}: not found (the extract must have one file per SSD table)`);
  }
  let cached = childIndexes.get(file);
  if (cached?.version !== version) {
    // Read without any one caller's deadline (each waits with its own, below); forgotten if it fails.
    const byKey = indexOf(dir, name, keyColumn);
    cached = { version, byKey };
    childIndexes.set(file, cached);
    byKey.catch(() => {
      if (childIndexes.get(file)?.byKey === byKey) childIndexes.delete(file);
    });
  }
  return untilAborted(cached.byKey, signal, file);
}

let indexReads = 0;
/** How many times this process has read an extract file to index it (tests and benchmarks check there is one read per new file). */
export function csvIndexReads(): number {
  return indexReads;
}

async function indexOf(dir: string, name: SsdSourceTable, keyColumn: string): Promise<Map<string, CsvItem[]>> {
  indexReads++;
  const byKey = new Map<string, CsvItem[]>();
  for await (const item of ssdCsvRecords(dir, name)) {
    const key = item.record[keyColumn]?.trim() ?? '';
    if (key === '') continue;
    const list = byKey.get(key);
    if (list) list.push(item);
    else byKey.set(key, [item]);
  }
  return byKey;
}

/** `work`, or a timeout refusal as soon as `signal` aborts (the work goes on for the others waiting on it). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined, file: string): Promise<T> {
  if (!signal) return work;
  const stopped = () => new SsdSourceError('timeout', `${file}: reading stopped at the deadline`);
  if (signal.aborted) return Promise.reject(stopped());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(stopped());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

export async function* ssdCsvRecords(dir: string, name: SsdSourceTable, signal?: AbortSignal, tier?: SsdTierColumn): AsyncGenerator<{ record: Record<string, string>; line: number; malformed: boolean }> {
  const file = path.join(dir, `${name}.csv`);
  if (!existsSync(file)) throw new SsdSourceError('missing-file', `${file}: not found (the extract must have one file per SSD table)`);
  const needed = new Set(columnsRead(name, tier));
  const parser = parse({
    bom: true,
    skip_empty_lines: true,
    relax_column_count: true,
    info: true,
    // The header decides which fields are kept: every column the domain does not read is
    // disabled (false), so the parser never builds it into a record.
    columns: (header: string[]) => {
      const names = header.map((h) => h.trim().toLowerCase());
      const missing = [...needed].filter((c) => !names.includes(c));
      if (missing.length > 0) throw new SsdSourceError('missing-column', `${file}: the header has no ${missing.join(', ')} column${missing.length > 1 ? 's' : ''}`);
      const twice = names.filter((n, i) => needed.has(n) && names.indexOf(n) !== i);
      if (twice.length > 0) throw new SsdSourceError('missing-column', `${file}: the header names ${twice.join(', ')} more than once`);
      return names.map((n) => (needed.has(n) ? n : false));
    },
  });
  const input = createReadStream(file, signal ? { signal } : {});
  input.on('error', (error) => parser.destroy(error));
  input.pipe(parser);
  try {
    for await (const item of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number; error?: CsvError } }>) {
      yield { record: item.record, line: item.info.lines, malformed: item.info.error?.code === 'CSV_RECORD_INCONSISTENT_COLUMNS' };
    }
  } catch (error) {
    if (error instanceof SsdSourceError) throw error;
    if (signal?.aborted) throw new SsdSourceError('timeout', `${file}: reading stopped at the deadline`);
    // csv-parse's own errors carry the offending record: keep only where and what.
    const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : 'unknown';
    const lines = typeof error === 'object' && error !== null && 'lines' in error ? ` at line ${String(error.lines)}` : '';
    throw new SsdSourceError('unreadable', `${file}: not readable as CSV${lines} (${code})`);
  } finally {
    input.destroy();
    parser.destroy();
  }
}

function csvReader(config: Extract<z.output<typeof SsdSourceConfig>, { kind: 'csv' }>): Reader {
  const dir = path.resolve(config.dir);
  if (!existsSync(dir)) throw new SsdSourceError('missing-file', `the SSD extract folder ${dir} does not exist`);

  /** An empty field is no value, as the PostgreSQL writer's NULL. */
  const valuesOf = (record: Record<string, string>): Record<string, string | null> => {
    const row: Record<string, string | null> = {};
    for (const column in record) row[column] = record[column] === '' ? null : (record[column] ?? null);
    return row;
  };

  const malformed = (name: SsdSourceTable, line: number): SsdRowWarning => ({
    kind: 'malformed-record',
    table: name,
    rowId: null,
    at: line,
    columns: [],
    message: `${name}.csv line ${line}: more or fewer fields than the header; the row is left out`,
  });

  function parseRecord<T extends SsdSourceTable>(name: T, item: { record: Record<string, string>; line: number; malformed: boolean }): { row: SsdSourceRow<T> } | { warning: SsdRowWarning } {
    if (item.malformed) return { warning: malformed(name, item.line) };
    return parseRow(name, valuesOf(item.record), item.line);
  }

  return {
    async *read<T extends SsdSourceTable>(name: T): AsyncGenerator<SsdBatch<T>> {
      let batch: SsdBatch<T> = { table: name, rows: [], warnings: [] };
      for await (const item of ssdCsvRecords(dir, name, undefined, config.tierColumn)) {
        if (item.malformed) batch.warnings.push(malformed(name, item.line));
        else intoBatch(batch, valuesOf(item.record), item.line, config.tierColumn);
        if (batch.rows.length >= config.batchSize) {
          yield batch;
          batch = { table: name, rows: [], warnings: [] };
        }
      }
      if (batch.rows.length > 0 || batch.warnings.length > 0) yield batch;
    },
    async readChild(personId, _timeoutMs, signal) {
      const found = { rows: emptyChildRows(), warnings: [] as SsdRowWarning[] };
      // A child-in-care review names the period of care: the child's periods first.
      const periods = await childIndex(dir, 'ssd_cla_episodes', 'clae_person_id', signal);
      const claIds = new Set((periods.get(personId) ?? []).map((item) => item.record.clae_cla_id?.trim() ?? '').filter((id) => id !== ''));
      for (const name of SSD_CHILD_TABLES) {
        const person = SSD_SOURCE_TABLES[name].person;
        const index = await childIndex(dir, name, person ?? 'clar_cla_id', signal);
        const items = person === null ? [...claIds].flatMap((claId) => index.get(claId) ?? []) : (index.get(personId) ?? []);
        for (const item of items) {
          const parsed = parseRecord(name, item);
          if ('row' in parsed) (found.rows[name] as unknown[]).push(parsed.row);
          else found.warnings.push(parsed.warning);
        }
      }
      return found;
    },
    close: () => Promise.resolve(),
  };
}
