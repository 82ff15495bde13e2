/**
 * What the console (command line and web) does to cases, on @temporalio/client. Every input is
 * validated with zod here, before anything reaches Temporal; the workflow validates again.
 * Reading a case is not here: every page and read command reads the case-record store
 * (common/case-reads.ts). The few queries left (caseState and the like) are for operators'
 * debugging and for tests that look inside a running case, never for a reader.
 */
import { CASE_CODE } from '../workflows/patches';
import { policyRefFor } from '../domain/policy-refs';
import { type Client, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure, TypedSearchAttributes } from '@temporalio/common';
import { z } from 'zod';
import { CaseEvent } from '../domain/facts';
import type { PolicySnapshot } from '../domain/policy';
import {
  answerFrom,
  applyPolicyUpdate,
  CASE_REFUSED_TYPE,
  type RefusalProblem,
  type CaseAnswer,
  type CaseSource,
  type CaseState,
  type CaseWorkflowInput,
  caseWorkflowId,
  type Delivery,
  incidentWorkflowId,
  type ReassignInput,
  moveTeamUpdate,
  reassignUpdate,
  recordEventUpdate,
  recordNoteUpdate,
  stateQuery,
  TASK_QUEUE,
  type TimelineEntry,
  timelineQuery,
  type UpdateDetailsInput,
  updateDetailsUpdate,
} from '../workflows/messages';
import { CaseNoteInput, MoveTeamInput, openingOf, OpenCaseInput, ReportIncidentInput } from '../workflows/inputs';
import { attributePairs } from '../workflows/search-attributes';
import { CaseRecord, caseAttributesAt } from '../workflows/case-record';
import { describeRefusal, zodProblems } from '../workflows/validation';
import type { caseWorkflow, incidentWorkflow } from '../workflows/case';
import { ANY_TEAM, type KnownTeams, teamRefusal } from './teams';

/** Refuses an input whose team the team directory does not list (common/teams.ts); nothing is sent. */
function refuseUnknownTeam(label: string, known: KnownTeams | undefined, team: string): void {
  const problem = teamRefusal(known ?? ANY_TEAM, team);
  if (problem) throw new CaseActionError(`${label} refused: ${describeRefusal([problem])}`, 'invalid', [problem]);
}

/** What kind of refusal a case action met, for interfaces that answer differently (404, 409, a field error). */
export type CaseActionKind =
  /** No such case or incident (or it has closed, and its workflow is gone from view). */
  | 'not-found'
  /** The case or incident already exists (opening it again). */
  | 'already-exists'
  /** Refused by the client before anything was sent: the input does not fit its schema or the opening rules. */
  | 'invalid'
  /** Refused by the case: the input does not fit the case (or it is closed). */
  | 'refused';

/** What a case's refusal carries (CASE_REFUSED_TYPE failure details), checked on arrival: it comes over the wire. */
const CaseRefusalSchema = z.object({
  problems: z.array(z.object({ field: z.string().max(1000), message: z.string().max(4000) })).max(50),
});

/**
 * A refusal meant for the user: bad input, unknown case, or a rule the case enforces. `message` is
 * one readable line; `kind` and `problems` (each naming the input field at fault, `''` for the
 * input as a whole) let an interface show each problem where it belongs without reading the message.
 */
export class CaseActionError extends Error {
  override name = 'CaseActionError';
  constructor(
    message: string,
    readonly kind: CaseActionKind = 'refused',
    readonly problems: readonly RefusalProblem[] = [],
  ) {
    super(message);
  }
}

function parse<T>(schema: { safeParse(raw: unknown): { success: true; data: T } | { success: false; error: import('zod').ZodError } }, raw: unknown, label: string): T {
  const result = schema.safeParse(raw);
  if (!result.success) {
    const problems = zodProblems(result.error);
    throw new CaseActionError(`${label} refused: ${describeRefusal(problems)}`, 'invalid', problems);
  }
  return result.data;
}

/** A failure a case workflow sent back as a refusal: its problems when it is CASE_REFUSED_TYPE with well-formed details. */
export function refusalProblems(failure: unknown): RefusalProblem[] {
  if (!(failure instanceof ApplicationFailure) || failure.type !== CASE_REFUSED_TYPE) return [];
  const details = CaseRefusalSchema.safeParse(failure.details?.[0]);
  return details.success ? details.data.problems : [];
}

/** Unwraps Temporal's errors into a CaseActionError: its kind, its problems by field, and one readable line. */
async function asCaseAction<T>(subject: 'case' | 'incident', id: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new CaseActionError(`no ${subject} ${id}`, 'not-found');
    if (err instanceof WorkflowUpdateFailedError) {
      // A refusal by a worker running code from before refusals were typed has no problems, only its message.
      const cause = err.cause;
      throw new CaseActionError(cause instanceof Error ? cause.message : err.message, 'refused', refusalProblems(cause));
    }
    throw err;
  }
}

export async function openCase(
  client: Client,
  rawInput: unknown,
  policy: PolicySnapshot,
  options: {
    now?: Date;
    historyLimit?: number;
    taskQueue?: string;
    /** Messages already given to their recipients another way (the import's summary of escalations due on arrival): the case does not send them. */
    alreadyReported?: Delivery[];
    /** The team directory's teams (common/teams.ts); every interface passes them. Absent: any team, as an empty directory. */
    teams?: KnownTeams;
    /** The case system's child the case follows: only the SSD sync opens such cases. */
    source?: CaseSource;
  } = {},
): Promise<{ workflowId: string }> {
  const input = parse(OpenCaseInput, rawInput, 'open case');
  refuseUnknownTeam('open case', options.teams, input.details.team);
  // The rules every client checks first, kept here too so no client can start clocks from a moment
  // that has not happened, or with recorded events that contradict each other.
  const opening = openingOf(input, options.now ?? new Date());
  if (opening.problems.length > 0) throw new CaseActionError(`open case refused: ${describeRefusal(opening.problems)}`, 'invalid', opening.problems);
  const workflowInput: CaseWorkflowInput & { historyLimit?: number } = {
    caseId: input.caseId,
    details: input.details,
    openedAt: opening.openedAt,
    openedBy: input.openedBy,
    policies: [policyRefFor(policy) ?? policy],
    events: opening.events,
    deliveries: options.alreadyReported ?? [],
    notes: [],
    code: CASE_CODE,
    ...(options.source ? { source: options.source } : {}),
    ...(options.historyLimit ? { historyLimit: options.historyLimit } : {}),
  };
  const workflowId = caseWorkflowId(input.caseId);
  try {
    await client.workflow.start<typeof caseWorkflow>('caseWorkflow', {
      workflowId,
      taskQueue: options.taskQueue ?? TASK_QUEUE,
      args: [workflowInput],
      workflowIdConflictPolicy: 'FAIL',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      typedSearchAttributes: startAttributes(workflowInput),
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) throw new CaseActionError(`case ${input.caseId} already exists`, 'already-exists', [{ field: 'caseId', message: 'already exists' }]);
    throw err;
  }
  return { workflowId };
}

/**
 * A new case's (or incident's) search attributes as its first workflow task works them out (the
 * same code on the same input), so that task upserts none of them. Deadlines do not move with
 * time, so the moment between this and that task changes at most whether one has just passed.
 */
function startAttributes(input: CaseWorkflowInput): TypedSearchAttributes {
  return new TypedSearchAttributes(attributePairs(caseAttributesAt(new CaseRecord(input), new Date().toISOString())));
}

/** Starts the clocks of a serious incident (notification to the national panel, then rapid review). */
export async function reportIncident(client: Client, rawInput: unknown, policy: PolicySnapshot, options: { taskQueue?: string; teams?: KnownTeams } = {}): Promise<{ workflowId: string }> {
  const input = parse(ReportIncidentInput, rawInput, 'report incident');
  refuseUnknownTeam('report incident', options.teams, input.details.team);
  const workflowId = incidentWorkflowId(input.incidentId);
  try {
    const workflowInput: CaseWorkflowInput = {
      subject: 'incident',
      ...(input.linkedCaseId ? { linkedCaseId: input.linkedCaseId } : {}),
      caseId: input.incidentId,
      details: input.details,
      openedAt: input.awareAt,
      openedBy: input.reportedBy,
      policies: [policyRefFor(policy) ?? policy],
      events: [{ type: 'incident-reported', at: input.awareAt, by: input.reportedBy, incidentId: input.incidentId }],
      deliveries: [],
      notes: [],
      code: CASE_CODE,
    };
    await client.workflow.start<typeof incidentWorkflow>('incidentWorkflow', {
      workflowId,
      taskQueue: options.taskQueue ?? TASK_QUEUE,
      args: [workflowInput],
      workflowIdConflictPolicy: 'FAIL',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      typedSearchAttributes: startAttributes(workflowInput),
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) throw new CaseActionError(`incident ${input.incidentId} already exists`, 'already-exists', [{ field: 'incidentId', message: 'already exists' }]);
    throw err;
  }
  return { workflowId };
}

export async function recordIncidentEvent(client: Client, incidentId: string, rawEvent: unknown, options: { updateId?: string } = {}): Promise<CaseAnswer> {
  const event = parse(CaseEvent, rawEvent, 'record');
  return asCaseAction('incident', incidentId, async () =>
    answerFrom(await client.workflow.getHandle(incidentWorkflowId(incidentId)).executeUpdate(recordEventUpdate, { args: [event], ...(options.updateId ? { updateId: options.updateId } : {}) })),
  );
}

/**
 * Records an event on a case. With `updateId` (the SSD sync's row key), the same id sent again to
 * the same run is recorded once: Temporal answers the first update's result.
 */
export async function recordEvent(client: Client, caseId: string, rawEvent: unknown, options: { updateId?: string } = {}): Promise<CaseAnswer> {
  const event = parse(CaseEvent, rawEvent, 'record');
  return asCaseAction('case', caseId, async () =>
    answerFrom(await client.workflow.getHandle(caseWorkflowId(caseId)).executeUpdate(recordEventUpdate, { args: [event], ...(options.updateId ? { updateId: options.updateId } : {}) })),
  );
}

/** A note on a case's timeline that changes no clock (the case system corrected or removed a row). */
export async function noteOnCase(client: Client, caseId: string, rawNote: unknown, options: { updateId?: string } = {}): Promise<CaseAnswer> {
  const note = parse(CaseNoteInput, rawNote, 'note');
  return asCaseAction('case', caseId, async () =>
    answerFrom(await client.workflow.getHandle(caseWorkflowId(caseId)).executeUpdate(recordNoteUpdate, { args: [note], ...(options.updateId ? { updateId: options.updateId } : {}) })),
  );
}

/** Changes a case's details, among them its team (refused when the team directory does not list it). */
export async function updateDetails(client: Client, caseId: string, input: UpdateDetailsInput, options: { teams?: KnownTeams; updateId?: string } = {}): Promise<CaseAnswer> {
  refuseUnknownTeam('update details', options.teams, input.details.team);
  return asCaseAction('case', caseId, async () =>
    answerFrom(await client.workflow.getHandle(caseWorkflowId(caseId)).executeUpdate(updateDetailsUpdate, { args: [input], ...(options.updateId ? { updateId: options.updateId } : {}) })),
  );
}

/** Moves a case to another team with the roles that change with it (refused when the team directory does not list the team); other roles stay. */
export async function moveTeam(client: Client, caseId: string, rawInput: unknown, options: { teams?: KnownTeams; updateId?: string } = {}): Promise<CaseAnswer> {
  const input = parse(MoveTeamInput, rawInput, 'move team');
  const problem = teamRefusal(options.teams ?? ANY_TEAM, input.team, 'team');
  if (problem) throw new CaseActionError(`move team refused: ${describeRefusal([problem])}`, 'invalid', [problem]);
  return asCaseAction('case', caseId, async () =>
    answerFrom(await client.workflow.getHandle(caseWorkflowId(caseId)).executeUpdate(moveTeamUpdate, { args: [input], ...(options.updateId ? { updateId: options.updateId } : {}) })),
  );
}

export function reassign(client: Client, caseId: string, input: ReassignInput, options: { updateId?: string } = {}): Promise<CaseAnswer> {
  return asCaseAction('case', caseId, async () =>
    answerFrom(await client.workflow.getHandle(caseWorkflowId(caseId)).executeUpdate(reassignUpdate, { args: [input], ...(options.updateId ? { updateId: options.updateId } : {}) })),
  );
}

export function applyPolicy(client: Client, caseId: string, input: { snapshot: PolicySnapshot; mode: 'forward' | 'recompute'; by: string }, options: { updateId?: string } = {}): Promise<CaseAnswer> {
  return asCaseAction('case', caseId, async () =>
    answerFrom(await client.workflow.getHandle(caseWorkflowId(caseId)).executeUpdate(applyPolicyUpdate, { args: [input], ...(options.updateId ? { updateId: options.updateId } : {}) })),
  );
}

// --- Debugging aids: queries that ask the running workflow ------------------------------------
// Each wakes the case (loading it into a worker, replaying it when evicted) and fails when no
// worker runs, so no console page and no read command uses them: they read the store
// (common/case-reads.ts). They remain for an operator looking inside a running case (how it stands
// beside what it has written, docs/operations.md) and for the tests that do the same.

/** The running case's own state (the state query): a debugging aid, never a reader's source. */
export function caseState(client: Client, caseId: string): Promise<CaseState> {
  return asCaseAction('case', caseId, () => client.workflow.getHandle(caseWorkflowId(caseId)).query(stateQuery));
}

/** The running incident's own state (the state query): a debugging aid, never a reader's source. */
export function incidentState(client: Client, incidentId: string): Promise<CaseState> {
  return asCaseAction('incident', incidentId, () => client.workflow.getHandle(incidentWorkflowId(incidentId)).query(stateQuery));
}

/** The running case's own timeline, including what it has not yet written to the store: a debugging aid. */
export function caseTimeline(client: Client, caseId: string): Promise<TimelineEntry[]> {
  return asCaseAction('case', caseId, () => client.workflow.getHandle(caseWorkflowId(caseId)).query(timelineQuery));
}

/** The running incident's own timeline: a debugging aid. */
export function incidentTimeline(client: Client, incidentId: string): Promise<TimelineEntry[]> {
  return asCaseAction('incident', incidentId, () => client.workflow.getHandle(incidentWorkflowId(incidentId)).query(timelineQuery));
}

/**
 * Whether a case (or incident) workflow exists and is still running: tells "no such case" apart
 * from "the case is closed" after an update was refused as not found, or from a case that has not
 * yet written a summary. Temporal's describe() reads the server only: it does not wake the case.
 */
export async function caseRunStatus(client: Client, id: string, subject: 'case' | 'incident' = 'case'): Promise<'running' | 'closed' | 'absent'> {
  try {
    const description = await client.workflow.getHandle(subject === 'case' ? caseWorkflowId(id) : incidentWorkflowId(id)).describe();
    return description.status.name === 'RUNNING' ? 'running' : 'closed';
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return 'absent';
    throw err;
  }
}
