/**
 * Recording one event on a case or an incident, shared by the event commands: validate everything
 * before connecting (the fact schemas of domain/facts.ts, never retyped), send it as one update,
 * print what the case now looks like (the update's own answer; with --json also the case's summary
 * from the store once the change has reached it). A refusal by the case changes nothing and prints one line.
 */
import type { Client } from '@temporalio/client';
import type { z } from 'zod';
import { type CaseEvent, SafeId } from '../../../domain/facts';
import { describeCaseEvent, tierLabel } from '../../../domain/labels';
import { dueIn, localTime } from '../../../domain/wording';
import { answerFrom, type CaseAnswer } from '../../../workflows/messages';
import { describeRefusal } from '../../../workflows/validation';
import { CaseActionError, caseRunStatus, recordEvent, recordIncidentEvent } from '../../../common/cases';
import { type CaseSummary, summaryAfter } from '../../../common/case-reads';
import { CliError, output } from '../support';
import { actor, type CommonOptions, instantOption, parseOptions, withClient, withSummaries } from './common';
import { obligationNamer } from '../../../domain/obligation-names';

/** How each event field is called on the command line, for error messages. */
export const OPTION_NAMES: Record<string, string> = {
  at: '--at',
  by: '--as',
  tier: '<tier>',
  reason: '--reason',
  meetingId: '--meeting',
  meetingType: '--type',
  scheduledFor: '--date',
  newDate: '--date',
  outcome: '--outcome',
  reportType: '--type',
  complaintId: '--id',
  stage: '--stage',
  placementId: '--id',
  holdId: '--id',
  kind: '--kind',
  obligationId: '<obligationId>',
  level: '--level',
  incidentId: '<incidentId>',
  childSeenAlone: '--seen-alone',
};

export interface RecordResult {
  subject: 'case' | 'incident';
  caseId: string;
  event: CaseEvent;
  /** The case's answer to the update: where it stands now. */
  answer: CaseAnswer;
  /** The case's summary from the store once the change reached it (JSON output only); see `stillBeingWritten`. */
  state?: CaseSummary;
  /** The change had not reached the store's summary within a few seconds: `state`, if any, is from before it. */
  stillBeingWritten?: true;
}

/** Validates a case (or incident) id given as an argument. */
export function idArgument(value: string, name = '<caseId>'): string {
  return parseOptions(SafeId, value, { '': name });
}

/**
 * Builds the event from `fields` plus `--at` and `--as`, validates it with `schema`, records it.
 * `subject` says whether `id` is a case or an incident.
 */
export async function recordFromOptions<S extends z.ZodType<CaseEvent>>(
  subject: 'case' | 'incident',
  id: string,
  schema: S,
  fields: Record<string, unknown>,
  options: CommonOptions & { at?: string },
  /** The command's own names for event fields, where its declaration gives them (client/actions/case-actions.ts). */
  names: Readonly<Record<string, string>> = {},
): Promise<void> {
  const caseId = idArgument(id, subject === 'case' ? '<caseId>' : '<incidentId>');
  const by = actor(options);
  const at = instantOption(options.at);
  const optionNames = { ...OPTION_NAMES, ...names };
  const event = parseOptions(schema, { ...fields, at, by }, optionNames) as CaseEvent;
  // An acknowledgement or a waiver names its obligation as the case does (domain/obligation-names.ts): read before the change, while it is still open.
  const titled = 'obligationId' in event ? await openObligations(subject, caseId) : [];
  const sentAt = new Date().toISOString();
  const recorded = await withClient(async (client) => {
    try {
      return await (subject === 'case' ? recordEvent(client, caseId, event) : recordIncidentEvent(client, caseId, event));
    } catch (err) {
      throw await explainNotFound(client, caseId, subject, asOptionNames(err, optionNames));
    }
  });
  const result: RecordResult = { subject, caseId, event, answer: recorded, ...(await stateAfter(caseId, subject, sentAt, options.json === true)) };
  output(options.json === true, result, () => describeRecorded(result, obligationNamer({ titled })));
}

/**
 * The case refuses an event naming the event's fields (`meetingId`, `at`): on the command line,
 * name the options that were typed (`--meeting`, `--at`). A problem with the event as a whole
 * (`type`) is the command itself, so it loses its field name.
 */
function asOptionNames(err: unknown, names: Readonly<Record<string, string>>): unknown {
  if (!(err instanceof CaseActionError) || err.kind !== 'refused' || err.problems.length === 0) return err;
  const named = err.problems.map((p) => ({ field: p.field === 'type' ? '' : (names[p.field] ?? p.field), message: p.message }));
  return new CaseActionError(`recordEvent refused: ${describeRefusal(named)}`, err.kind, err.problems);
}

/**
 * A closed case's workflow has completed, so Temporal answers "not found": tell a closed case
 * from one that never existed, and call an incident an incident.
 */
export async function explainNotFound(client: Client, id: string, subject: 'case' | 'incident', err: unknown): Promise<unknown> {
  if (!(err instanceof CaseActionError) || err.kind !== 'not-found') return err;
  if ((await caseRunStatus(client, id, subject)) === 'closed') return new CliError(`${subject} ${id} is closed: nothing more can be changed`, 1);
  return new CliError(`no ${subject} ${id}`, 1);
}

/**
 * The whole case after a change, for JSON output: the update's own answer is kept small (it is
 * stored in the case's history), so the case's summary is read from the store, waiting a few
 * seconds for one written since the change was sent (`sentAt`; common/case-reads.ts). The change
 * is recorded either way, so a store that cannot be read just now is not an error.
 */
export async function stateAfter(id: string, subject: 'case' | 'incident', sentAt: string, json: boolean): Promise<{ state?: CaseSummary; stillBeingWritten?: true }> {
  if (!json) return {}; // the text output prints the answer only
  const read = await withSummaries((summaries) => summaryAfter(summaries, subject, id, { since: sentAt })).catch(() => undefined);
  if (!read) return {};
  return { ...(read.summary ? { state: read.summary } : {}), ...(read.landed ? {} : { stillBeingWritten: true as const }) };
}

/** The case's open obligations from its summary in the store; none when it cannot be read (the change is still sent). */
async function openObligations(subject: 'case' | 'incident', id: string): Promise<Array<{ id: string; title: string }>> {
  const summary = await withSummaries((summaries) => summaries.get(subject, id, new Date().toISOString())).catch(() => undefined);
  return summary?.open ?? [];
}

export function describeRecorded(r: RecordResult, name: (obligationId: string) => string = obligationNamer({})): string {
  return [
    `${r.subject} ${r.caseId}: ${describeCaseEvent(r.event, { localTime, obligationTitle: name })}${r.event.type === 'tier-set' ? ` (${r.event.reason})` : ''}, at ${localTime(r.event.at)}, recorded by ${r.event.by}`,
    summary(r.answer),
  ].join('\n');
}

/** One line on where the case stands now (`tierReason`: why it is in its tier, when known). */
export function summary(where: CaseAnswer | CaseSummary, tierReason?: string, at: string = new Date().toISOString()): string {
  const now = answerFrom(where);
  const open = now.openCount;
  const parts = [
    `${now.status === 'closed' ? 'closed' : 'open'}`,
    `tier ${tierLabel(now.tier)}${now.tier && tierReason ? ` (${tierReason})` : ''}`,
    `${open} open obligation${open === 1 ? '' : 's'}`,
    `${now.overdueCount} overdue`,
  ];
  if (now.nextDueAt) parts.push(`next due ${localTime(now.nextDueAt)} (${dueIn(now.nextDueAt, at)})`);
  return `  ${parts.join(', ')}`;
}
