/**
 * Read-only commands: `show <caseId>` (open obligations in local time and how late, then the
 * timeline), `overdue` and `due-soon` across every case (from search attributes: no case is
 * opened to answer), filtered by team and tier.
 */
import type { Command } from 'commander';
import { z } from 'zod';
import { addIsoDuration, toLocalIso } from '../../../domain/durations';
import { PositiveIsoDurationSchema } from '../../../domain/duration-schemas';
import type { Obligation } from '../../../domain/engine';
import { SafeId } from '../../../domain/facts';
import { RiskTier } from '../../../domain/kinds';
import { describeCaseEvent, kindLabel, kindOfObligation, personLabel, roleLabel, tierLabel } from '../../../domain/labels';
import { dueIn, isoDurationInWords, localTime } from '../../../domain/wording';
import { describeMessageKind, type CaseState, type TimelineEntry } from '../../../workflows/messages';
import { type CaseListing, caseState, caseTimeline, listCases, waitingForMail } from '../../../common/cases';
import { output } from '../support';
import { exportCaseRecord, readTimeline } from '../../case-record';
import { CliError } from '../support';
import { commonOptions, parseOptions, withClient, withStore } from './common';
import { idArgument } from './record';

/** An open obligation as shown: its deadline in local time and how late it is now. */
export interface ShownObligation extends Obligation {
  dueLocal: string;
  /** Past its deadline by this many milliseconds now (0 when not yet due). */
  overdueByMs: number;
}

export interface CaseView {
  subject: 'case' | 'incident';
  caseId: string;
  now: string;
  state: CaseState;
  open: ShownObligation[];
  timeline: TimelineEntry[];
}

export function caseView(subject: 'case' | 'incident', state: CaseState, timeline: TimelineEntry[], now: string): CaseView {
  const open = [...state.open].sort((a, b) => a.dueAt.localeCompare(b.dueAt)).map((o) => ({ ...o, dueLocal: toLocalIso(o.dueAt), overdueByMs: Math.max(0, Date.parse(now) - Date.parse(o.dueAt)) }));
  return { subject, caseId: state.caseId, now, state, open, timeline };
}

/** The reason given when the case was last put in its tier (from the timeline), if any. */
function tierReason(v: CaseView): string | undefined {
  for (let i = v.timeline.length - 1; i >= 0; i--) {
    const e = v.timeline[i]?.event;
    if (e?.type === 'tier-set') return e.tier === v.state.tier ? e.reason : undefined;
  }
  return undefined;
}

/**
 * A timeline entry in words: events and messages are described again from their data with the
 * labels of domain/labels.ts (the stored summary uses codes), anything else as it was stored.
 */
export function timelineText(t: TimelineEntry, s: CaseState): string {
  const titles = new Map(s.open.map((o) => [o.id, o.title]));
  const titleOf = (id: string) => titles.get(id);
  if (t.event) return describeCaseEvent(t.event, { localTime, obligationTitle: titleOf });
  const d = t.delivery;
  if (d) {
    const about = d.obligationId ? `: ${titleOf(d.obligationId) ?? kindLabel(d.kind ?? kindOfObligation(d.obligationId) ?? d.obligationId)}` : '';
    const who = personLabel(d.role, s.details.contacts);
    return d.outcome === 'delivered' ? `${describeMessageKind(d)} sent to ${who}${about}` : `${describeMessageKind(d)} to ${who} could not be delivered (${d.reason ?? 'unknown reason'})${about}`;
  }
  // Notes such as "team-manager reassigned" start with a role's code.
  return t.summary.replace(/^([a-z]+(?:-[a-z]+)*) reassigned$/, (_all, role: string) => `${roleLabel(role).replace(/^./, (c) => c.toUpperCase())} reassigned`);
}

export function formatCaseView(v: CaseView): string {
  const s = v.state;
  const reason = tierReason(v);
  const people = Object.entries(s.details.contacts)
    .filter(([, contact]) => contact !== undefined)
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
  for (const t of v.timeline) lines.push(`  ${localTime(t.at)}  ${t.by.padEnd(12)}  ${timelineText(t, s)}`);
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
  const head = ['case', 'team', 'tier', 'overdue', 'next deadline'];
  const body = list.cases.map((c) => [c.caseId, c.team ?? '-', c.tier ? tierLabel(c.tier) : '-', String(c.overdueCount), c.nextDueAt ? `${localTime(c.nextDueAt)} (${dueIn(c.nextDueAt, list.now)})` : '-']);
  return [`${title}: ${list.cases.length}`, '', ...table([head, ...body])].join('\n');
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
      const caseId = idArgument(id);
      const view = await withStore((store) =>
        withClient(async (client) => {
          const state = await caseState(client, caseId);
          const timeline = await readTimeline(store, caseId, 'case', state, () => caseTimeline(client, caseId));
          return caseView('case', state, timeline, new Date().toISOString());
        }),
      );
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
      const cases = await withClient((client) => listCases(client, { team, tier, overdueOnly: true }));
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
      const cases = await withClient((client) => listCases(client, { team, tier }));
      const soon = cases.filter((c) => c.nextDueAt !== undefined && c.nextDueAt <= horizon);
      const list: CaseList = { now, filter: { team, tier, within }, cases: listed(soon) };
      output(o.json === true, list, () => formatCaseList(list, `Cases due within ${isoDurationInWords(within)}`));
    });
}
