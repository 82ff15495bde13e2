/**
 * The SSD tables and the synthetic council, in process: the generated DDL and row schemas follow
 * the spec's copy, and the council is deterministic, referentially sound, has a canary in every
 * personal column, and its day's changes turn one night's extract into the next.
 * (The DDL on PostgreSQL and the writers: tests/ssd/postgres.test.ts.)
 */
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { dateOf, dayChanges, dayOf, extractOn, generateCouncil, rowCount, SSD_TABLE_NAMES, type Council, type SsdTables } from '../../tools/ssd/council';
import { generated } from '../../tools/ssd/generate';
import { isCanaryText, PERSONAL_COLUMNS } from '../../tools/ssd/personal';
import { SSD_COLUMNS, SSD_PRIMARY_KEYS, SSD_ROW_SCHEMAS, type SsdTableName } from '../../tools/ssd/schemas';
import { loadSsdSpec } from '../../tools/ssd/spec';

type Row = Record<string, unknown>;
const rowsOf = (tables: SsdTables, table: SsdTableName): Row[] => tables[table] as Row[];

/**
 * References the spec does not name but the rows carry (a visit's plan, a placement's child): the
 * sync will follow them too, so they must resolve as well.
 */
const IMPLIED_REFERENCES: [string, string, string][] = [
  ['ssd_cp_visits', 'cppv_cp_plan_id', 'ssd_cp_plans.cppl_cp_plan_id'],
  ['ssd_cla_visits', 'clav_cla_id', 'ssd_cla_episodes.clae_cla_id'],
  ['ssd_cla_placement', 'clap_person_id', 'ssd_person.pers_person_id'],
  ['ssd_cla_episodes', 'clae_referral_id', 'ssd_cin_episodes.cine_referral_id'],
  ['ssd_cp_plans', 'cppl_referral_id', 'ssd_cin_episodes.cine_referral_id'],
  ['ssd_initial_cp_conference', 'icpc_cp_plan_id', 'ssd_cp_plans.cppl_cp_plan_id'],
  ['ssd_involvements', 'invo_person_id', 'ssd_person.pers_person_id'],
  ['ssd_involvements', 'invo_referral_id', 'ssd_cin_episodes.cine_referral_id'],
  ['ssd_cin_visits', 'cinv_person_id', 'ssd_person.pers_person_id'],
];

/** Every reference that does not resolve, as "table.column = value". */
function danglingReferences(tables: SsdTables): string[] {
  const references: [string, string, string][] = [...IMPLIED_REFERENCES];
  for (const table of loadSsdSpec()) {
    for (const c of table.columns) if (c.references) references.push([table.name, c.name, `${c.references.table}.${c.references.column}`]);
  }
  const dangling: string[] = [];
  for (const [table, column, target] of references) {
    const [toTable, toColumn] = target.split('.') as [SsdTableName, string];
    const known = new Set(rowsOf(tables, toTable).map((r) => r[toColumn]));
    for (const row of rowsOf(tables, table as SsdTableName)) {
      const value = row[column];
      if (value !== null && !known.has(value)) dangling.push(`${table}.${column} = ${String(value)} (-> ${target})`);
    }
  }
  return dangling;
}

const digest = (tables: SsdTables): string => createHash('sha256').update(JSON.stringify(tables)).digest('hex');

describe('the SSD tables', () => {
  it('ssd-tables.sql and schemas.ts are what tools/ssd/generate.ts writes from the spec copy', async () => {
    for (const { file, content } of await generated()) expect(readFileSync(file, 'utf8'), file).toBe(content);
  });

  it('every object in the spec copy is a table, with its columns in the spec order', () => {
    const spec = loadSsdSpec();
    expect(spec.map((t) => t.name).sort()).toEqual([...SSD_TABLE_NAMES].sort());
    for (const table of spec) {
      expect([...SSD_COLUMNS[table.name as SsdTableName]]).toEqual(table.columns.map((c) => c.name));
      expect(SSD_PRIMARY_KEYS[table.name as SsdTableName]).toBe(table.primaryKey);
    }
  });

  it("the personal columns are the spec's own", () => {
    for (const [table, columns] of Object.entries(PERSONAL_COLUMNS)) {
      for (const column of columns) expect(SSD_COLUMNS[table as SsdTableName], `${table}.${column}`).toContain(column);
    }
  });
});

describe('a synthetic council', () => {
  let council: Council;
  beforeAll(() => {
    council = generateCouncil({ seed: 'quick', children: 1_500 });
  });

  it('is the same council, row for row, from the same seed, and another from another seed', () => {
    const again = generateCouncil({ seed: 'quick', children: 1_500 });
    expect(digest(again.tables)).toBe(digest(council.tables));
    expect(dayChanges(again, '2026-05-12')).toEqual(dayChanges(council, '2026-05-12'));
    expect(digest(generateCouncil({ seed: 'other', children: 1_500 }).tables)).not.toBe(digest(council.tables));
  });

  it('has every table, every row valid by its schema, and unique keys', () => {
    for (const table of SSD_TABLE_NAMES) {
      const rows = rowsOf(council.tables, table);
      expect(rows.length, table).toBeGreaterThan(0);
      for (const row of rows) SSD_ROW_SCHEMAS[table].parse(row);
      const keys = rows.map((r) => r[SSD_PRIMARY_KEYS[table]]);
      expect(new Set(keys).size, table).toBe(keys.length);
    }
    expect(council.tables.ssd_person).toHaveLength(1_500);
  });

  it('is referentially sound: every reference resolves, on the last night and in the middle of the period', () => {
    expect(danglingReferences(council.tables)).toEqual([]);
    expect(danglingReferences(extractOn(council, '2025-06-30'))).toEqual([]);
  });

  it('the check finds a dangling reference (control)', () => {
    const broken = { ...council.tables, ssd_cp_plans: council.tables.ssd_cp_plans.slice(1) };
    expect(danglingReferences(broken).length).toBeGreaterThan(0);
  });

  it('has a canary in every personal column of every row', () => {
    for (const [table, columns] of Object.entries(PERSONAL_COLUMNS)) {
      const rows = rowsOf(council.tables, table as SsdTableName);
      for (const column of columns) {
        for (const row of rows) {
          const value = row[column];
          if (column === 'pers_dob') expect(value, `${table}.${column}`).toMatch(/^\d{4}-\d{2}-\d{2} /);
          else expect(typeof value === 'string' && isCanaryText(value), `${table}.${column} = ${String(value)}`).toBe(true);
        }
      }
    }
    // One canary per child, never shared: a leak names the child it came from.
    const nhs = council.tables.ssd_person.map((p) => p.pers_common_child_id);
    expect(new Set(nhs).size).toBe(nhs.length);
  });

  it('keeps the rhythms: CP visits about fortnightly, looked-after reviews first at about 20 working days', () => {
    const gaps: number[] = [];
    const byPlan = new Map<string, number[]>();
    for (const v of council.tables.ssd_cp_visits) {
      const days = byPlan.get(v.cppv_cp_plan_id!) ?? [];
      days.push(dayOf(v.cppv_cp_visit_date!.slice(0, 10)));
      byPlan.set(v.cppv_cp_plan_id!, days);
    }
    for (const days of byPlan.values()) {
      days.sort((a, b) => a - b);
      for (let i = 1; i < days.length; i += 1) gaps.push(days[i]! - days[i - 1]!);
    }
    gaps.sort((a, b) => a - b);
    const median = gaps[Math.floor(gaps.length / 2)]!;
    expect(median).toBeGreaterThanOrEqual(10);
    expect(median).toBeLessThanOrEqual(16);
    // Some visits late, so a fortnightly clock would fire.
    expect(gaps.filter((g) => g > 17).length).toBeGreaterThan(0);
    const firstReviews = new Map<string, number>();
    for (const r of council.tables.ssd_cla_reviews) {
      const due = dayOf(r.clar_cla_review_due_date!.slice(0, 10));
      const claId = r.clar_cla_id!;
      firstReviews.set(claId, Math.min(firstReviews.get(claId) ?? Infinity, due));
    }
    const entered = new Map(council.tables.ssd_cla_episodes.map((e) => [e.clae_cla_id!, dayOf(e.clae_entered_care_date!.slice(0, 10))]));
    for (const [claId, due] of firstReviews) expect(due - entered.get(claId)!).toBe(28); // 20 working days from a weekday
  });

  it("a day's changes turn the night before's extract into that night's, with corrections and deletions", () => {
    const week = ['2026-06-22', '2026-06-23', '2026-06-24', '2026-06-25', '2026-06-26', '2026-06-29', '2026-06-30'];
    let corrected = 0;
    let deleted = 0;
    for (const date of week) {
      const before = extractOn(council, dateOf(dayOf(date) - 1));
      const changes = dayChanges(council, date);
      const applied = {} as Record<SsdTableName, Row[]>;
      for (const table of SSD_TABLE_NAMES) {
        const key = SSD_PRIMARY_KEYS[table];
        const rows = new Map(rowsOf(before, table).map((r) => [r[key], r]));
        for (const gone of changes.deletions[table]) {
          expect(rows.has(gone), `${table} ${gone} deleted but never there`).toBe(true);
          rows.delete(gone);
        }
        for (const row of rowsOf(changes.upserts, table)) rows.set(row[key], row);
        applied[table] = [...rows.values()];
      }
      const after = extractOn(council, date);
      for (const table of SSD_TABLE_NAMES) {
        const key = SSD_PRIMARY_KEYS[table];
        const sort = (rows: Row[]) => [...rows].sort((a, b) => String(a[key]).localeCompare(String(b[key])));
        expect(sort(applied[table]), `${date} ${table}`).toEqual(sort(rowsOf(after, table)));
      }
      // A correction changes a visit's date and nothing else.
      for (const { table, key } of changes.corrections) {
        const pk = SSD_PRIMARY_KEYS[table];
        const was = rowsOf(before, table).find((r) => r[pk] === key)!;
        const now = rowsOf(after, table).find((r) => r[pk] === key)!;
        const differing = Object.keys(now).filter((c) => now[c] !== was[c]);
        expect(differing).toHaveLength(1);
        expect(differing[0]).toMatch(/_visit_date$/);
      }
      corrected += changes.counts.corrected;
      deleted += changes.counts.deleted;
      expect(rowCount(changes.upserts)).toBe(changes.counts.new + changes.counts.changed + changes.counts.corrected);
    }
    expect(corrected).toBeGreaterThan(0);
    expect(deleted).toBeGreaterThan(0);
  });

  it("a day's changes are about 0.15 rows per open case (about 1,500 for 10,000 open cases)", () => {
    const open = council.tables.ssd_cin_episodes.filter((e) => e.cine_close_date === null).length;
    const days = ['2026-06-15', '2026-06-16', '2026-06-17', '2026-06-18', '2026-06-19'];
    const perDay = days.map((d) => rowCount(dayChanges(council, d).upserts)).reduce((a, b) => a + b, 0) / days.length;
    expect(perDay / open).toBeGreaterThan(0.08);
    expect(perDay / open).toBeLessThan(0.3);
  });
});
