/**
 * Read-only commands: `show <caseId>` (open obligations in local time and how late, then the
 * timeline), `overdue` and `due-soon` across every case (each with its most overdue obligation and
 * allocated worker), filtered by team and tier, and `export`. All read the case-record store: the
 * case's summary and its record (common/case-reads.ts); none asks a workflow, so none needs a worker.
 */
import type { Command } from 'commander';
import { z } from 'zod';
import { addIsoDuration, toLocalIso } from '../../../domain/durations';
import { PositiveIsoDurationSchema } from '../../../domain/duration-schemas';
import { SafeId } from '../../../domain/facts';
import { RiskTier, STAFF_ROLES } from '../../../domain/kinds';
import { personLabel, tierLabel } from '../../../domain/labels';
import { dueIn, isoDurationInWords, localTime } from '../../../domain/wording';
import type { TimelineEntry } from '../../../workflows/messages';
import { caseRunStatus } from '../../../common/cases';
import { type CaseListing, type CaseSummary, listCaseSummaries, noSummaryYet, readCase, waitingForMail } from '../../../common/case-reads';
import { output } from '../support';
import { exportCaseRecord, storedRecord } from '../../case-record';
import { timelineText } from '../../timeline-words';
import { obligationNamer } from '../../../domain/obligation-names';
import { CliError } from '../support';
import { commonOptions, parseOptions, withClient, withStore, withSummaries } from './common';
import { idArgument } from './record';

/** An open obligation as shown: its deadline in local time and how late it is now. */
export type ShownObligation = CaseSummary['open'][number] & {
  dueLocal: string;
  /** Past its deadline by this many milliseconds now (0 when not yet due). */
  overdueByMs: number;
};

export interface CaseView {
  subject: 'case' | 'incident';
  caseId: string;
  now: string;
  /** The case's summary in the store, as of `now`. */
  state: CaseSummary;
  open: ShownObligation[];
  timeline: TimelineEntry[];
  /** The title of each obligation the case's record holds an outcome of, for naming closed ones (domain/obligation-names.ts). */
  titles: Array<{ id: string; title: string }>;
}

export function caseView(subject: 'case' | 'incident', state: CaseSummary, timeline: TimelineEntry[], now: string, titles: CaseView['titles'] = []): CaseView {
  const open = [...state.open].sort((a, b) => a.dueAt.localeCompare(b.dueAt)).map((o) => ({ ...o, dueLocal: toLocalIso(o.dueAt), overdueByMs: Math.max(0, Date.parse(now) - Date.parse(o.dueAt)) }));
  return { subject, caseId: state.caseId, now, state, open, timeline, titles };
}

/** The reason given when the case was last put in its tier (from the timeline), if any. */
function tierReason(v: CaseView): string | undefined {
  for (let i = v.timeline.length - 1; i >= 0; i--) {
    const e = v.timeline[i]?.event;
    if (e?.type === 'tier-set') return e.tier === v.state.tier ? e.reason : undefined;
  }
  return undefined;
}

export function formatCaseView(v: CaseView): string {
  const s = v.state;
  const reason = tierReason(v);
  // In the roles' own order: the store keeps the contacts as JSONB, which does not keep their order.
  const roles: readonly string[] = STAFF_ROLES;
  const rank = (role: string) => (roles.includes(role) ? roles.indexOf(role) : roles.length);
  const people = Object.entries(s.details.contacts)
    .filter(([, contact]) => contact !== undefined)
    .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
    .map(([role]) => personLabel(role, s.details.contacts));
  const lines = [
    `${v.subject === 'incident' ? 'Incident' : 'Case'} ${s.caseId} (reference ${s.details.reference}, team ${s.details.team})` + `${s.linkedCaseId ? `, case ${s.linkedCaseId}` : ''}`,
    `  ${s.status}, tier ${tierLabel(s.tier)}${reason ? ` (${reason})` : ''}, policy ${s.policyVersion}, opened ${localTime(s.openedAt)}`,
    ...(people.length > 0 ? [`  people: ${people.join(', ')}`] : []),
    '',
    `Open obligations: ${v.open.length}${s.overdueCount > 0 ? `, ${s.overdueCount} overdue` : ''}`,
  ];
  if (v.open.length === 0) lines.push('  none');
  for (const o of v.open) {
    const when = dueIn(o.dueAt, v.now);
    const flags = [o.onHold ? 'on hold' : '', o.escalationLevel > 0 ? `escalated to level ${o.escalationLevel}` : ''].filter((f) => f !== '').join(', ');
    lines.push(`  ${o.title}`);
    lines.push(`    due ${localTime(o.dueAt)}: ${when}${flags ? ` (${flags})` : ''}`);
    lines.push(`    id ${o.id}`);
  }
  for (const m of waitingForMail(s, v.now)) {
    lines.push(`  … message ${m.messageId} to ${personLabel(m.role, s.details.contacts)} waiting for the mail server since ${localTime(m.sendAt)} (retried at least once a minute)`);
  }
  for (const d of s.undeliverable) lines.push(`  ! message ${d.messageId} to ${personLabel(d.role, s.details.contacts)} could not be delivered: ${d.reason ?? 'unknown reason'}`);
  for (const w of s.warnings) lines.push(`  ! ${w}`);
  lines.push('', 'Timeline');
  if (s.waitingForStore > 0) lines.push(`  … ${s.waitingForStore} ${s.waitingForStore === 1 ? 'entry' : 'entries'} not yet written to the case record (the ${v.subject} keeps them until the store takes them)`);
  const name = obligationNamer({ titled: [...v.titles, ...s.open] });
  for (const t of v.timeline) lines.push(`  ${localTime(t.at)}  ${t.by.padEnd(12)}  ${timelineText(t, s.details.contacts, name)}`);
  return lines.join('\n');
}

const ListFilter = z.object({
  team: SafeId.optional(),
  tier: RiskTier.optional(),
  within: PositiveIsoDurationSchema.default('P7D'),
});
const FILTER_NAMES = { team: '--team', tier: '--tier', within: '--within' };

export interface CaseList {
  now: string;
  filter: { team?: string; tier?: string; within?: string };
  /** Most overdue first (the earliest deadline first), as the store lists them. */
  cases: Array<CaseListing & { nextDueLocal?: string; overdue: boolean }>;
}

function listed(cases: CaseListing[]): CaseList['cases'] {
  return cases.map((c) => ({
    ...c,
    ...(c.nextDueAt ? { nextDueLocal: toLocalIso(c.nextDueAt) } : {}),
    overdue: c.overdueCount > 0,
  }));
}

export function formatCaseList(list: CaseList, title: string): string {
  if (list.cases.length === 0) return `${title}: none`;
  const head = ['case', 'team', 'tier', 'overdue', 'most overdue', 'allocated worker', 'next deadline'];
  const body = list.cases.map((c) => [
    c.caseId,
    c.team,
    c.tier ? tierLabel(c.tier) : '-',
    String(c.overdueCount),
    c.mostOverdue ? `${c.mostOverdue.title} (${dueIn(c.mostOverdue.dueAt, list.now)})` : '-',
    c.worker ?? '-',
    c.nextDueAt ? `${localTime(c.nextDueAt)} (${dueIn(c.nextDueAt, list.now)})` : '-',
  ]);
  return [`${title}: ${list.cases.length}`, '', ...table([head, ...body])].join('\n');
}

/**
 * What `show` and `incident show` print: the summary and the timeline from the store. A case with
 * no summary is told from one that never was by its record (or Temporal's description of it, which
 * does not wake it), and the command says which.
 */
export async function readCaseView(subject: 'case' | 'incident', id: string): Promise<CaseView> {
  const now = new Date().toISOString();
  return withSummaries((summaries) =>
    withStore(async (store) => {
      const read = await readCase({ summaries, records: store, runStatus: () => withClient((client) => caseRunStatus(client, id, subject)) }, subject, id, { now: () => now });
      if (read.found === 'absent') throw new CliError(`no ${subject} ${id}`, 1);
      if (read.found === 'closed') throw new CliError(`${subject} ${id} is closed and has no summary in the case record to show`, 1);
      if (read.found === 'no-summary') throw new CliError(noSummaryYet(subject, id), 75);
      const record = await storedRecord(store, id, subject);
      return caseView(subject, read.summary, record.timeline, now, record.titles);
    }),
  );
}

/** Rows of cells as left-aligned columns two spaces apart. */
export function table(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) =>
    row
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd(),
  );
}

export function register(program: Command): void {
  commonOptions(program.command('show').description('open obligations (local time, how late) and the timeline of a case'), false)
    .argument('<caseId>', 'the case id')
    .action(async (id: string, o: { json?: boolean }) => {
      const view = await readCaseView('case', idArgument(id));
      output(o.json === true, view, () => formatCaseView(view));
    });

  program
    .command('export')
    .description("a case's whole record from the case-record store, as JSON: every event, message (with the SMTP answer), note and obligation outcome")
    .argument('<caseId>', 'the case id (or the incident id, with --incident)')
    .option('--incident', 'the id is a serious incident')
    .action(async (id: string, o: { incident?: boolean }) => {
      const caseId = idArgument(id);
      const subject = o.incident ? 'incident' : 'case';
      const record = await withStore((store) => exportCaseRecord(store, caseId, subject, new Date().toISOString()));
      if (record.entries.length === 0) throw new CliError(`the case record holds nothing for ${subject} ${caseId}`, 66);
      process.stdout.write(`${JSON.stringify(record, null, 2)}\n`);
    });

  commonOptions(program.command('overdue').description('cases with at least one obligation past its deadline'), false)
    .option('--team <team>', 'only this team')
    .option('--tier <tier>', 'only this risk tier: HIGH_IMMEDIATE|PRIORITY|VULNERABLE')
    .action(async (o: { team?: string; tier?: string; json?: boolean }) => {
      const { team, tier } = parseOptions(ListFilter, { team: o.team, tier: o.tier }, FILTER_NAMES);
      const now = new Date().toISOString();
      const cases = await withSummaries((summaries) => listCaseSummaries(summaries, { ...(team ? { team } : {}), ...(tier ? { tier } : {}), overdueOnly: true, now }));
      const list: CaseList = { now, filter: { team, tier }, cases: listed(cases) };
      output(o.json === true, list, () => formatCaseList(list, 'Overdue cases'));
    });

  commonOptions(program.command('due-soon').description('cases with a deadline within --within from now (overdue ones included, marked late)'), false)
    .option('--within <duration>', 'ISO-8601 duration, e.g. PT48H, P7D, P2W', 'P7D')
    .option('--team <team>', 'only this team')
    .option('--tier <tier>', 'only this risk tier: HIGH_IMMEDIATE|PRIORITY|VULNERABLE')
    .action(async (o: { team?: string; tier?: string; within?: string; json?: boolean }) => {
      const { team, tier, within } = parseOptions(ListFilter, { team: o.team, tier: o.tier, within: o.within }, FILTER_NAMES);
      const now = new Date().toISOString();
      const horizon = addIsoDuration(now, within);
      const cases = await withSummaries((summaries) => listCaseSummaries(summaries, { ...(team ? { team } : {}), ...(tier ? { tier } : {}), now }));
      const soon = cases.filter((c) => c.nextDueAt !== undefined && c.nextDueAt <= horizon);
      const list: CaseList = { now, filter: { team, tier, within }, cases: listed(soon) };
      output(o.json === true, list, () => formatCaseList(list, `Cases due within ${isoDurationInWords(within)}`));
    });
}
