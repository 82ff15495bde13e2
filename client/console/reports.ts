/**
 * The data behind the overdue dashboard and the KPI page: the overdue cases grouped by team and
 * tier (from the case summaries in the store), and the visiting KPI of client/kpi.ts from the case-record store.
 * The same counting as `caseclock overdue` and `caseclock report --from --to`.
 */
import type { CaseRecordStore } from '../../store/case-record-store';
import { DateTime } from 'luxon';
import type { z } from 'zod';
import { LEGAL_ZONE } from '../../domain/kinds';
import { tierLabel } from '../../domain/labels';
import { kpiFromStore } from '../case-record';
import type { CaseListing } from '../../common/case-reads';
import { kpiPeriodSchema, type KpiRow } from '../kpi';

export const TIER_ORDER = ['HIGH_IMMEDIATE', 'PRIORITY', 'VULNERABLE', 'UNRATED'] as const;

export interface OverdueByTeam {
  team: string;
  byTier: Record<string, number>;
  cases: number;
  obligations: number;
}

/** Overdue cases per team, split by tier; teams with the most overdue cases first. */
export function groupOverdue(overdue: readonly CaseListing[]): OverdueByTeam[] {
  const teams = new Map<string, OverdueByTeam>();
  for (const c of overdue) {
    const team = c.team;
    const tier = c.tier && c.tier !== '' ? c.tier : 'UNRATED';
    const row = teams.get(team) ?? { team, byTier: {}, cases: 0, obligations: 0 };
    row.byTier[tier] = (row.byTier[tier] ?? 0) + 1;
    row.cases += 1;
    row.obligations += c.overdueCount;
    teams.set(team, row);
  }
  return [...teams.values()].sort((a, b) => b.cases - a.cases || b.obligations - a.obligations || a.team.localeCompare(b.team));
}

/** The KPI page's query: a period of UK dates, optionally one team or tier. */
export const KpiQuery = kpiPeriodSchema('the end date');
export type KpiQuery = z.infer<typeof KpiQuery>;

/** The last four weeks, to today (UK dates). */
export function defaultPeriod(now: Date): { from: string; to: string } {
  const today = DateTime.fromJSDate(now).setZone(LEGAL_ZONE);
  return { from: today.minus({ days: 27 }).toISODate() ?? '', to: today.toISODate() ?? '' };
}

export interface KpiResult {
  rows: KpiRow[];
  casesRead: number;
  generatedAt: string;
}

/** The KPI from the obligation outcomes in the case-record store: one query, no case replayed. */
export async function gatherKpi(store: CaseRecordStore, query: KpiQuery, now: Date): Promise<KpiResult> {
  const generatedAt = now.toISOString();
  const filter = { ...(query.team ? { team: query.team } : {}), ...(query.tier ? { tier: query.tier } : {}) };
  const { rows, casesRead } = await kpiFromStore(store, filter, { from: query.from, to: query.to }, generatedAt);
  return { rows, casesRead, generatedAt };
}

/** KPI rows summed per team and tier (over the visit and KIT kinds), for the chart. */
export function kpiByTeamAndTier(rows: readonly KpiRow[]): Array<{ label: string; onTime: number; late: number; overdue: number; missed: number; due: number }> {
  const groups = new Map<string, { label: string; onTime: number; late: number; overdue: number; missed: number; due: number }>();
  for (const r of rows) {
    const label = `${r.team} · ${tierLabel(r.tier)}`;
    const g = groups.get(label) ?? { label, onTime: 0, late: 0, overdue: 0, missed: 0, due: 0 };
    g.onTime += r.onTime;
    g.late += r.late;
    g.overdue += r.overdue;
    g.missed += r.missed;
    g.due += r.due;
    groups.set(label, g);
  }
  return [...groups.values()].filter((g) => g.due > 0);
}

/** A CSV cell: quoted when needed, and never read as a formula by a spreadsheet. */
function cell(value: string | number | null): string {
  let s = value === null ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function kpiCsv(rows: readonly KpiRow[], query: KpiQuery): string {
  const head = ['period_from', 'period_to', 'team', 'tier', 'kind', 'due', 'on_time', 'late', 'overdue', 'missed', 'waived', 'pending', 'on_time_rate', 'median_late_hours'];
  const lines = rows.map((r) =>
    [
      query.from,
      query.to,
      r.team,
      r.tier,
      r.kind,
      r.due,
      r.onTime,
      r.late,
      r.overdue,
      r.missed,
      r.waived,
      r.pending,
      r.onTimeRate === null ? null : r.onTimeRate.toFixed(3),
      r.medianLateByMs === null ? null : (r.medianLateByMs / 3_600_000).toFixed(1),
    ]
      .map(cell)
      .join(','),
  );
  return `${[head.join(','), ...lines].join('\r\n')}\r\n`;
}
