/**
 * The Covid-19 visiting KPI (the local visiting protocol of 2020: "Data reports will be available ... to monitor this
 * work"): for a period, by team, tier and obligation kind, how many visits and keeping-in-touch
 * calls were on time, late or missed, and the median lateness. Pure: no Temporal, no clock.
 *
 * Which obligations count: those of the visit and KIT kinds whose deadline falls in the period
 * (Europe/London dates, both ends included). Each is, at `now`:
 * - on time: met at or before its deadline;
 * - late: met after its deadline (its `lateByMs` feeds the median lateness);
 * - missed: its deadline passed and it was never met: still open, or superseded (tier change,
 *   case closed) after the deadline had already passed;
 * - waived: waived by a manager, with a reason (shown, not counted as on time, late or missed);
 * - pending: still open and not yet due.
 * An occurrence superseded before its deadline never came due and is not counted.
 */
import { localDateOf } from '../domain/durations';
import type { Obligation } from '../domain/engine';
import { RiskTier, type ObligationKind } from '../domain/kinds';
import { IsoDateSchema } from '../domain/calendar-schemas';
import { EARLIEST_INSTANT, LATEST_INSTANT, SafeId } from '../domain/facts';
import { z } from 'zod';

/** The obligation kinds of the visiting programme: visits and KIT calls. */
/**
 * A date the KPI can be asked about (UK date, YYYY-MM-DD): the years CaseClock accepts instants
 * for, so a typo such as 9999 is refused before Temporal is asked. Shared by the command line and
 * the console.
 */
const KpiDate = IsoDateSchema.refine((d) => d >= EARLIEST_INSTANT.slice(0, 10) && d < LATEST_INSTANT.slice(0, 10), {
  error: `must be between ${EARLIEST_INSTANT.slice(0, 4)} and ${Number(LATEST_INSTANT.slice(0, 4)) - 1}`,
});

/**
 * The KPI's question: a period of UK dates, optionally one team or tier. `endName` is how the
 * asker knows the end date (`--to` on the command line, "the end date" in the console).
 */
export function kpiPeriodSchema(endName: string) {
  return z.object({ from: KpiDate, to: KpiDate, team: SafeId.optional(), tier: RiskTier.optional() }).check((ctx) => {
    if (ctx.value.from > ctx.value.to) ctx.issues.push({ code: 'custom', input: ctx.value.from, path: ['from'], message: `is after ${endName} ${ctx.value.to}` });
  });
}

export const KPI_KINDS = ['initial-visit-high', 'initial-visit-priority', 'visit-priority', 'kit-call'] as const satisfies readonly ObligationKind[];
export type KpiKind = (typeof KPI_KINDS)[number];

export interface KpiCase {
  team: string;
  /** The case's risk tier (as listed), or 'UNRATED'. */
  tier: string;
  /** Every occurrence on the case: the `obligations` query (met, waived and superseded included). */
  obligations: ReadonlyArray<Pick<Obligation, 'kind' | 'dueAt' | 'status' | 'lateByMs' | 'resolvedAt'>>;
}

export interface KpiPeriod {
  /** First local date, YYYY-MM-DD. */
  from: string;
  /** Last local date, YYYY-MM-DD (included). */
  to: string;
}

export interface KpiRow {
  team: string;
  tier: string;
  kind: KpiKind;
  /** on time + late + missed: the occurrences that came due in the period. */
  due: number;
  onTime: number;
  late: number;
  /** Past its deadline and superseded or closed unmet: the chance has gone. */
  missed: number;
  /** Past its deadline, still open: late already, and still possible to do. */
  overdue: number;
  waived: number;
  pending: number;
  /** Median of `lateByMs` over the late ones; null when none was late. */
  medianLateByMs: number | null;
  /** On time as a share of on time + late + missed (0 to 1); null when none came due. */
  onTimeRate: number | null;
}

export type KpiOutcome = 'onTime' | 'late' | 'missed' | 'overdue' | 'waived' | 'pending' | 'notCounted';

/** What one occurrence counts as, at `now`. */
export function classify(o: KpiCase['obligations'][number], now: string): KpiOutcome {
  switch (o.status) {
    case 'met':
      return (o.lateByMs ?? 0) > 0 ? 'late' : 'onTime';
    case 'waived':
      return 'waived';
    case 'superseded':
      return o.resolvedAt !== undefined && Date.parse(o.resolvedAt) > Date.parse(o.dueAt) ? 'missed' : 'notCounted';
    case 'open':
      return Date.parse(o.dueAt) < Date.parse(now) ? 'overdue' : 'pending';
  }
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const upper = sorted[mid] ?? 0;
  return sorted.length % 2 === 1 ? upper : ((sorted[mid - 1] ?? upper) + upper) / 2;
}

const isKpiKind = (kind: string): kind is KpiKind => (KPI_KINDS as readonly string[]).includes(kind);

/** The KPI rows for a period, sorted by team, tier and kind; only groups with something in the period. */
export function computeKpi(cases: readonly KpiCase[], period: KpiPeriod, now: string): KpiRow[] {
  const groups = new Map<string, KpiRow & { lateness: number[] }>();
  for (const kase of cases) {
    for (const o of kase.obligations) {
      if (!isKpiKind(o.kind)) continue;
      const date = localDateOf(o.dueAt);
      if (date < period.from || date > period.to) continue;
      const outcome = classify(o, now);
      if (outcome === 'notCounted') continue;
      const key = JSON.stringify([kase.team, kase.tier, o.kind]);
      let row = groups.get(key);
      if (!row) {
        row = {
          team: kase.team,
          tier: kase.tier,
          kind: o.kind,
          due: 0,
          onTime: 0,
          late: 0,
          missed: 0,
          overdue: 0,
          waived: 0,
          pending: 0,
          medianLateByMs: null,
          onTimeRate: null,
          lateness: [],
        };
        groups.set(key, row);
      }
      row[outcome] += 1;
      if (outcome === 'late') row.lateness.push(o.lateByMs ?? 0);
    }
  }
  const kindOrder = (k: KpiKind) => KPI_KINDS.indexOf(k);
  return [...groups.values()]
    .map(({ lateness, ...row }): KpiRow => {
      const due = row.onTime + row.late + row.missed + row.overdue;
      return { ...row, due, medianLateByMs: median(lateness), onTimeRate: due === 0 ? null : row.onTime / due };
    })
    .sort((a, b) => a.team.localeCompare(b.team) || a.tier.localeCompare(b.tier) || kindOrder(a.kind) - kindOrder(b.kind));
}
