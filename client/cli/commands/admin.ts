/**
 * Commands that start or reshape a case: `open`, `reassign`, `apply-policy`, and the serious
 * incident commands (`incident report|notified|reviewed|show`). What they print after a change is
 * the update's own answer, or the case's summary from the store (never a query of the workflow).
 */
import type { Command } from 'commander';
import type { StaffRole } from '../../../domain/kinds';
import { roleLabel } from '../../../domain/labels';
import { ApplyPolicyInput, futureProblems, initialTierProblems, OpenCaseInput, ReassignInput, ReportIncidentInput } from '../../../workflows/inputs';
import { applyPolicy, openCase, reassign, reportIncident } from '../../../common/cases';
import { type SummaryRead, summaryAfter } from '../../../common/case-reads';
import { CONTACT_FORMAT, splitContact } from '../../actions/fields';
import { CliError, output } from '../support';
import { actor, checkTeamOption, commonOptions, type CommonOptions, directoryTeams, instantOption, loadConfig, parseOptions, policySnapshot, quoted, withClient, withSummaries } from './common';
import { declaredCommand } from './events';
import { explainNotFound, idArgument, stateAfter, summary } from './record';
import { formatCaseView, readCaseView } from './view';

/** The contact options of `open` and `incident report`, by role. */
const CONTACT_OPTIONS: ReadonlyArray<{ flag: string; key: string; role: StaffRole; help: string }> = [
  { flag: '--worker', key: 'worker', role: 'allocated-worker', help: 'allocated worker' },
  { flag: '--manager', key: 'manager', role: 'team-manager', help: 'team manager' },
  { flag: '--head', key: 'head', role: 'head-of-service', help: 'head of service' },
  { flag: '--deputy', key: 'deputy', role: 'deputy-lead', help: 'deputy lead for safeguarding and QA' },
  { flag: '--iro', key: 'iro', role: 'iro', help: 'independent chair / IRO' },
];

function withContactOptions(command: Command): Command {
  for (const c of CONTACT_OPTIONS) command.option(`${c.flag} <contact>`, `${c.help}, as "Name <email>"`);
  return command;
}

function contactsFrom(o: Record<string, unknown>): Record<string, { name: string; email: string }> {
  const contacts: Record<string, { name: string; email: string }> = {};
  for (const c of CONTACT_OPTIONS) {
    const value = o[c.key];
    if (typeof value !== 'string') continue;
    const contact = splitContact(value);
    if (!contact) throw new CliError(`${c.flag} ${quoted(value)}: ${CONTACT_FORMAT.replace('e.g. ', 'e.g. "')}"`);
    contacts[c.role] = contact;
  }
  return contacts;
}

/** The fields of the opening rules (initialTierProblems) as options. */
const TIER_OPTIONS: Record<string, string> = { tier: '--tier', reason: '--reason', ratedAt: '--rated-at' };

const CONTACT_NAMES = Object.fromEntries(CONTACT_OPTIONS.map((c) => [`details.contacts.${c.role}`, c.flag]));

type OpenOptions = CommonOptions & {
  reference?: string;
  team?: string;
  tier?: string;
  reason?: string;
  ratedAt?: string;
  policy?: string;
  [contact: string]: unknown;
};

type IncidentOptions = CommonOptions & { team?: string; reference?: string; case?: string; awareAt?: string; policy?: string };

/**
 * What `open` and `incident report` print: the new case's summary from the store, waited for a few
 * seconds (common/case-reads.ts); until it is there, that it is still being written. The case is
 * open either way, so a store that cannot be read just now is said, not an error.
 */
async function openedSummary(subject: 'case' | 'incident', id: string, sentAt: string): Promise<SummaryRead> {
  return withSummaries((summaries) => summaryAfter(summaries, subject, id, { since: sentAt })).catch(() => ({ summary: undefined, landed: false }));
}

function openedLines(subject: 'case' | 'incident', id: string, read: SummaryRead, first: string, tierReason?: string): string {
  if (!read.summary || !read.landed) return `${first}\n  its summary is still being written to the case record: \`caseclock ${subject === 'case' ? 'show' : 'incident show'} ${id}\` in a moment`;
  return [first, summary(read.summary, tierReason)].join('\n');
}

export function register(program: Command): void {
  withContactOptions(
    commonOptions(
      program
        .command('open')
        .description('open a case and start its clocks')
        .argument('<caseId>', 'the new case id')
        .option('--reference <ref>', "the local authority's case reference (required)")
        .option('--team <team>', 'team code, e.g. LOCALITY-NORTH (required)')
        .option('--tier <tier>', 'first risk tier: HIGH_IMMEDIATE|PRIORITY|VULNERABLE (with --reason)')
        .option('--reason <text>', 'why that tier')
        .option('--rated-at <when>', 'when the tier was rated, UK time, e.g. "30/11/2026 10:30", if before now (the clocks start then; default: now)')
        .option('--policy <file>', 'policy file frozen into the case (default: $CASECLOCK_POLICY, else the national baseline)'),
    ),
  ).action(async (id: string, o: OpenOptions) => {
    const caseId = idArgument(id);
    const openedBy = actor(o);
    const ratedAt = o.ratedAt === undefined ? undefined : instantOption(o.ratedAt, '--rated-at');
    // The opening rules every client shares (workflows/inputs.ts), named by option.
    const problem = initialTierProblems({ tier: o.tier, reason: o.reason, ratedAt }, new Date())[0];
    if (problem) {
      const typed = problem.field === 'ratedAt' ? ` ${quoted(String(o.ratedAt))}` : '';
      throw new CliError(`${TIER_OPTIONS[problem.field] ?? problem.field}${typed} ${problem.message}`);
    }
    const input = parseOptions(
      OpenCaseInput,
      {
        caseId,
        details: { reference: o.reference, team: o.team, contacts: contactsFrom(o) },
        openedBy,
        ...(o.tier !== undefined ? { initialTier: { tier: o.tier, reason: o.reason, ...(ratedAt ? { at: ratedAt } : {}) } } : {}),
      },
      {
        caseId: '<caseId>',
        'details.reference': '--reference',
        'details.team': '--team',
        'initialTier.tier': '--tier',
        'initialTier.reason': '--reason',
        openedBy: '--as',
        ...CONTACT_NAMES,
      },
    );
    const snapshot = policySnapshot(o.policy, loadConfig());
    const teams = await directoryTeams();
    checkTeamOption(teams, input.details.team);
    const sentAt = new Date().toISOString();
    await withClient((client) => openCase(client, input, snapshot, { teams }));
    const read = await openedSummary('case', caseId, sentAt);
    const policy = read.summary?.policyVersion ?? snapshot.version;
    output(o.json === true, { caseId, ...(read.summary ? { state: read.summary } : {}), ...(read.landed ? {} : { stillBeingWritten: true }) }, () =>
      openedLines('case', caseId, read, `case ${caseId} opened by ${openedBy} (policy ${policy})`, input.initialTier?.reason),
    );
  });

  commonOptions(
    program
      .command('reassign')
      .description('give one role on the case to someone else (e.g. a new allocated worker)')
      .argument('<caseId>', 'the case id')
      .option('--role <role>', 'allocated-worker|team-manager|group-manager|head-of-service|deputy-lead|iro (required)')
      .option('--name <name>', 'their name (required)')
      .option('--email <email>', 'their email address (required)'),
  ).action(async (id: string, o: CommonOptions & { role?: string; name?: string; email?: string }) => {
    const caseId = idArgument(id);
    const input = parseOptions(ReassignInput, { role: o.role, contact: { name: o.name, email: o.email }, by: actor(o) }, { role: '--role', 'contact.name': '--name', 'contact.email': '--email', by: '--as' });
    const sentAt = new Date().toISOString();
    const answer = await withClient(async (client) => reassign(client, caseId, input).catch(async (err: unknown) => Promise.reject(await explainNotFound(client, caseId, 'case', err))));
    const result = { caseId, answer, ...(await stateAfter(caseId, 'case', sentAt, o.json === true)) };
    output(o.json === true, result, () => [`case ${caseId}: ${roleLabel(input.role)} is now ${input.contact.name}`, summary(result.answer)].join('\n'));
  });

  commonOptions(
    program
      .command('apply-policy')
      .description('apply a new policy version to a case')
      .argument('<caseId>', 'the case id')
      .option('--policy <file>', 'the policy file (required)')
      .option('--mode <mode>', 'forward: open deadlines stay, new ones follow the policy; recompute: open deadlines are recomputed now (required)'),
  ).action(async (id: string, o: CommonOptions & { policy?: string; mode?: string }) => {
    const caseId = idArgument(id);
    const { mode, by } = parseOptions(ApplyPolicyInput, { snapshot: null, mode: o.mode, by: actor(o) }, { mode: '--mode', by: '--as' });
    if (o.policy === undefined) throw new CliError('--policy is required');
    const snapshot = policySnapshot(o.policy, loadConfig());
    const sentAt = new Date().toISOString();
    const answer = await withClient(async (client) => applyPolicy(client, caseId, { snapshot, mode, by }).catch(async (err: unknown) => Promise.reject(await explainNotFound(client, caseId, 'case', err))));
    const result = { caseId, answer, ...(await stateAfter(caseId, 'case', sentAt, o.json === true)) };
    output(o.json === true, result, () => [`case ${caseId}: policy ${snapshot.id} ${snapshot.version} applied (${mode})`, summary(result.answer)].join('\n'));
  });

  const incident = program.command('incident').description('serious incidents: notification to the national panel, then rapid review');
  withContactOptions(
    commonOptions(
      incident
        .command('report')
        .description('the local authority became aware of a serious incident (starts the 5-working-day notification clock)')
        .argument('<incidentId>', 'the new incident id')
        .option('--team <team>', 'team code (required)')
        .option('--reference <ref>', 'reference shown in emails (default: the incident id)')
        .option('--case <caseId>', 'the case it concerns, if any')
        .option('--aware-at <when>', 'when the local authority became aware, UK time, e.g. "30/11/2026 10:30" (default: now)')
        .option('--policy <file>', 'policy file (default: $CASECLOCK_POLICY, else the national baseline)'),
    ),
  ).action(async (id: string, o: IncidentOptions & Record<string, unknown>) => {
    const incidentId = idArgument(id, '<incidentId>');
    const input = parseOptions(
      ReportIncidentInput,
      {
        incidentId,
        ...(o.case !== undefined ? { linkedCaseId: o.case } : {}),
        details: { reference: o.reference ?? incidentId, team: o.team, contacts: contactsFrom(o) },
        reportedBy: actor(o),
        awareAt: instantOption(o.awareAt, '--aware-at'),
      },
      {
        linkedCaseId: '--case',
        'details.reference': '--reference',
        'details.team': '--team',
        reportedBy: '--as',
        ...CONTACT_NAMES,
      },
    );
    // Awareness in the future would start the 5-working-day clock from a moment that has not happened.
    const future = futureProblems('awareAt', input.awareAt, new Date())[0];
    if (future) throw new CliError(`--aware-at ${quoted(String(o.awareAt))} ${future.message}`);
    const snapshot = policySnapshot(o.policy, loadConfig());
    const teams = await directoryTeams();
    checkTeamOption(teams, input.details.team);
    const sentAt = new Date().toISOString();
    await withClient((client) => reportIncident(client, input, snapshot, { teams }));
    const read = await openedSummary('incident', incidentId, sentAt);
    output(o.json === true, { incidentId, ...(read.summary ? { state: read.summary } : {}), ...(read.landed ? {} : { stillBeingWritten: true }) }, () =>
      openedLines('incident', incidentId, read, `incident ${incidentId} reported by ${input.reportedBy}`),
    );
  });

  // Built from the case actions' declarations, as the console's incident forms are.
  declaredCommand(incident, 'incident-notified');
  declaredCommand(incident, 'incident-reviewed');

  commonOptions(incident.command('show').description('open obligations and timeline of an incident').argument('<incidentId>', 'the incident id'), false).action(async (id: string, o: { json?: boolean }) => {
    const view = await readCaseView('incident', idArgument(id, '<incidentId>'));
    output(o.json === true, view, () => formatCaseView(view));
  });
}
