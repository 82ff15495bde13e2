/**
 * `caseclock report` does two things, told apart by whether a case id is given:
 * - `report <caseId> --type iro-report|conference-report --meeting ID`: a report was submitted;
 * - `report --from <date> --to <date> [--team] [--tier]`: the visiting KPI of the local visiting protocol (visits
 *   and KIT calls on time, late or missed, and the median lateness), by team, tier and kind,
 *   gathered from every case, open or closed. The counting itself is client/kpi.ts.
 */
import type { Command } from 'commander';
import { ReportSubmitted } from '../../../domain/facts';
import { REPORT_TYPES } from '../../../domain/kinds';
import { kindLabel, tierLabel } from '../../../domain/labels';
import { durationInWords } from '../../../domain/wording';
import { kpiFromStore } from '../../case-record';
import { CliError, output } from '../support';
import { KPI_KINDS, kpiPeriodSchema, type KpiRow } from '../../kpi';
import { commonOptions, type CommonOptions, parseOptions, withStore } from './common';
import { recordFromOptions } from './record';
import { table } from './view';

const KpiOptions = kpiPeriodSchema('--to');

export interface KpiReport {
  period: { from: string; to: string; zone: 'Europe/London' };
  filter: { team?: string; tier?: string };
  generatedAt: string;
  kinds: readonly string[];
  /** Cases with a visit or KIT call due in the period, read from the case record (no case is replayed). */
  casesRead: number;
  rows: KpiRow[];
}

type ReportOptions = CommonOptions & {
  at?: string;
  type?: string;
  meeting?: string;
  from?: string;
  to?: string;
  team?: string;
  tier?: string;
};

function duration(ms: number | null): string {
  return ms === null ? '-' : durationInWords(ms);
}

export function formatKpiReport(r: KpiReport): string {
  const filter = [r.filter.team ? `team ${r.filter.team}` : '', r.filter.tier ? `tier ${tierLabel(r.filter.tier)}` : ''].filter((s) => s).join(', ');
  const lines = [`Visits and keeping-in-touch calls due ${r.period.from} to ${r.period.to} (UK dates)${filter ? `, ${filter}` : ''}`, `${r.casesRead} case${r.casesRead === 1 ? '' : 's'} read`, ''];
  if (r.rows.length === 0) lines.push('Nothing came due in the period.');
  else {
    const head = ['team', 'tier', 'obligation', 'due', 'on time', 'late', 'overdue', 'missed', 'waived', 'pending', 'on time %', 'median late'];
    const body = r.rows.map((row) => [
      row.team,
      tierLabel(row.tier),
      kindLabel(row.kind),
      String(row.due),
      String(row.onTime),
      String(row.late),
      String(row.overdue),
      String(row.missed),
      String(row.waived),
      String(row.pending),
      row.onTimeRate === null ? '-' : `${Math.round(row.onTimeRate * 100)}%`,
      duration(row.medianLateByMs),
    ]);
    lines.push(...table([head, ...body]));
  }
  return lines.join('\n');
}

async function kpiReport(o: ReportOptions): Promise<void> {
  const { from, to, team, tier } = parseOptions(KpiOptions, { from: o.from, to: o.to, team: o.team, tier: o.tier }, { from: '--from', to: '--to', team: '--team', tier: '--tier' });
  const filter = { ...(team ? { team } : {}), ...(tier ? { tier } : {}) };
  const generatedAt = new Date().toISOString();
  const { rows, casesRead } = await withStore((store) => kpiFromStore(store, filter, { from, to }, generatedAt));
  const report: KpiReport = {
    period: { from, to, zone: 'Europe/London' },
    filter,
    generatedAt,
    kinds: KPI_KINDS,
    casesRead,
    rows,
  };
  output(o.json === true, report, () => formatKpiReport(report));
}

export function register(program: Command): void {
  commonOptions(
    program
      .command('report')
      .description('with <caseId>: record a report submitted (--type, --meeting); without: the visiting KPI for --from..--to by team and tier')
      .argument('[caseId]', 'the case a report was submitted on (leave out for the KPI report)')
      .option('--type <type>', `with <caseId>: ${REPORT_TYPES.join('|')} (required)`)
      .option('--meeting <id>', 'with <caseId>: the meeting it is for (required)')
      .option('--at <when>', 'with <caseId>: when it was submitted, UK time, e.g. "30/11/2026 10:30" (default: now)')
      .option('--from <date>', 'KPI: first UK date, YYYY-MM-DD (required)')
      .option('--to <date>', 'KPI: last UK date, YYYY-MM-DD, included (required)')
      .option('--team <team>', 'KPI: only this team')
      .option('--tier <tier>', 'KPI: only this risk tier'),
  ).action(async (caseId: string | undefined, o: ReportOptions) => {
    if (caseId === undefined) {
      if (o.type !== undefined || o.meeting !== undefined) throw new CliError('--type and --meeting record a report: give the <caseId> too');
      return kpiReport(o);
    }
    const stray = (['from', 'to', 'team', 'tier'] as const).find((k) => o[k] !== undefined);
    if (stray) throw new CliError(`--${stray} is for the KPI report, which takes no <caseId>`);
    return recordFromOptions('case', caseId, ReportSubmitted, { type: 'report-submitted', reportType: o.type, meetingId: o.meeting }, o);
  });
}
