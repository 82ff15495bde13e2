/**
 * The sync from the council's Standard Safeguarding Dataset: one run reads every table CaseClock
 * needs, diffs the read against the ledger of the last one, and keeps each child's case in step
 * (domain/ssd/plan.ts says what each child needs). A case is opened with what the source already
 * records; a new row becomes its event at its own date; a corrected or removed row is noted on the
 * case; the case closes when its last episode closes.
 *
 * A child's rows reach the ledger only once the case holds them, so a run stopped part-way (the
 * database down, the worker killed) is carried on by the next, and a row is recorded once however
 * often it is read: each event is sent with its row's key as the update id, which Temporal answers
 * once, and the ledger then says it is there. What the sync cannot settle (a team or worker CaseClock
 * does not know, a row the case refuses) is reported as values in the run's record, never invented.
 */
import { Context } from '@temporalio/activity';
import { componentLogger } from '../common/log';
import { type Client, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import pLimit from 'p-limit';
import { caseOf, type SsdCaseConfig, type SsdCaseFailure } from '../domain/ssd/case-of';
import { diffReads, ledgerOf, type ReadEntry } from '../domain/ssd/diff';
import { cinVisit, claReview, claVisit, cpReview, cpVisit, entryKeyOf, initialCpConference, readSsd, type RowMapping, type SsdEpisode, type SsdWarning } from '../domain/ssd/events';
import { planChildren, type ChildPlan, type KnownCase, type SourcedEvent } from '../domain/ssd/plan';
import { ledgerForTierColumn, withRiskTiers, type SsdTierValue, type TierCodes } from '../domain/ssd/tier';
import type { PolicySnapshot } from '../domain/policy';
import type { Config } from '../common/config';
import type { CaseContacts } from '../workflows/inputs';
import { SSD_SYNC_USER } from '../workflows/messages';
import { escalationsDueOnArrival, sendHeldSummaries, SummaryItem, type SummaryMail } from '../common/arrival-summary';
import { CaseActionError, caseRunStatus, moveTeam, noteOnCase, openCase, reassign, recordEvent } from '../common/cases';
import { openSsdSource, type SsdChildRows, SsdSourceError, ssdRowsOf, type SsdRowWarning, type SsdSource, type SsdSourceConfig, type SsdSourceRows, type SsdTierColumn } from '../store/ssd-source';
import type { CaseSystemCheck } from './render-message';
import type { SsdSyncStore, SyncedCase, SyncReportItem } from '../store/ssd-sync-store';
import type { Team, TeamDirectory } from '../store/team-directory';
import { contactOf } from '../store/staff-directory';

export { SSD_SYNC_USER };

/** A case opens with at most this many recorded events (OpenCaseInput: two years of a child in care is under a hundred); any more follow as updates. */
const OPENING_EVENTS = 500;

/** Children worked on at once: each is a few Temporal calls. */
export const SSD_SYNC_CONCURRENCY = 16;

/** A member of staff as the sync needs them: found by the case system's staff id, or by console user id for managers. */
export interface StaffMember {
  staffId: string;
  name: string;
  email: string;
  userId?: string;
}

export interface SsdSyncSettings {
  source: SsdSourceConfig;
  cases: Omit<SsdCaseConfig, 'teams'>;
  /** The council's own risk tier column and its codes (docs/ssd.md, "Risk tier"); absent: the tier is CaseClock's alone. */
  tier?: { column: SsdTierColumn; codes: TierCodes };
}

/** The sync's settings from the validated environment; undefined when no source is configured. */
export function ssdSettingsOf(
  config: Pick<Config, 'CASECLOCK_SSD_SOURCE' | 'CASECLOCK_SSD_CASE_PREFIX' | 'CASECLOCK_SSD_REFERENCE' | 'CASECLOCK_SSD_WORKER_ROLES'> & Partial<Pick<Config, 'CASECLOCK_SSD_TIER_COLUMN' | 'CASECLOCK_SSD_TIER_CODES'>>,
): SsdSyncSettings | undefined {
  const source = config.CASECLOCK_SSD_SOURCE;
  if (source === undefined) return undefined;
  const column = config.CASECLOCK_SSD_TIER_COLUMN;
  const codes = config.CASECLOCK_SSD_TIER_CODES;
  const tier = column && codes ? { column, codes } : undefined;
  const tierColumn = tier ? { tierColumn: `${tier.column.table}.${tier.column.column}` } : {};
  return {
    source: source.startsWith('csv:') ? { kind: 'csv', dir: source.slice('csv:'.length), ...tierColumn } : { kind: 'postgres', url: source, ...tierColumn },
    cases: { caseIdPrefix: config.CASECLOCK_SSD_CASE_PREFIX, reference: config.CASECLOCK_SSD_REFERENCE, allocatedWorkerRoles: config.CASECLOCK_SSD_WORKER_ROLES },
    ...(tier ? { tier } : {}),
  };
}

/** A read as entries: every row's, and the tier column's where one is configured (domain/ssd/tier.ts). */
function readingOf(settings: SsdSyncSettings, rows: SsdSourceRows, tiers: readonly SsdTierValue[] | undefined, at: string) {
  const reading = readSsd(ssdRowsOf(rows), { by: SSD_SYNC_USER });
  const tier = settings.tier;
  if (!tier || !tiers) return reading;
  return withRiskTiers(reading, tiers, { table: tier.column.table, column: tier.column.column, dateColumn: tier.column.dateColumn, codes: tier.codes, by: SSD_SYNC_USER, at });
}

export interface SsdSyncDependencies {
  client: Client;
  store: SsdSyncStore;
  teams: Pick<TeamDirectory, 'list'>;
  staff: { list(): Promise<StaffMember[]> };
  settings: SsdSyncSettings;
  policy: PolicySnapshot;
  taskQueue: string;
  concurrency?: number;
  now?: () => Date;
  /** Opens the source (tests pass their own); by default from `settings.source`. */
  openSource?: () => SsdSource;
  /**
   * Told at the end of every run (activities/ssd-alerts.ts: the administrators' emails through the
   * worker's mail transport). It never throws: a run's outcome is the sync's, not the email's.
   */
  /**
   * The escalations already due when a case opens go in one summary per recipient at the end of the
   * run (common/arrival-summary.ts), instead of one email each; absent: each case sends its own.
   */
  arrival?: SummaryMail;
  alerts?: { runEnded(run: { runId: number; startedAt: string; outcome: 'succeeded' | 'failed'; problem?: string }): Promise<void> };
}

/** What one run did: rows read, children worked on, cases opened and closed, events and notes recorded, refusals, children left for the next run. */
export type SsdSyncCounts = {
  rows: number;
  children: number;
  opened: number;
  recorded: number;
  noted: number;
  closed: number;
  alreadyThere: number;
  refused: number;
  notSettled: number;
  /** Summary emails of escalations already due when their cases opened. */
  summaries: number;
  /** Open cases moved to another team or worker, as the case system now allocates them. */
  reallocated: number;
};

export interface SsdSyncResult {
  runId: number;
  at: string;
  counts: SsdSyncCounts;
  /** How many report items the run recorded (the items are in the store). */
  reported: number;
}

/** Reported once per child: the same failure is not repeated for each of its rows. */
const failureItem = (f: SsdCaseFailure): SyncReportItem => {
  switch (f.failure) {
    case 'unknown-team':
    case 'team-not-in-caseclock':
      return { problem: f.failure, personId: f.personId, detail: f.teamId };
    case 'unknown-worker':
      return { problem: f.failure, personId: f.personId, detail: f.professionalId };
    case 'several-allocations':
      return { problem: f.failure, personId: f.personId, detail: f.involvementIds.join(' ') };
    case 'no-team':
    case 'no-worker':
      return { problem: f.failure, personId: f.personId, detail: f.involvementId };
    case 'invalid-case-id':
      return { problem: f.failure, personId: f.personId, detail: f.caseId };
    default:
      return { problem: f.failure, personId: f.personId };
  }
};

const warningItem = (w: SsdWarning): SyncReportItem => ({
  problem: w.problem,
  sourceKey: w.sourceKey,
  ...('column' in w ? { detail: w.column } : 'claId' in w && w.claId !== null ? { detail: w.claId } : {}),
});

const rowWarningItem = (w: SsdRowWarning): SyncReportItem => ({ problem: w.kind, sourceKey: `${w.table}:${w.rowId ?? `#${w.at}`}`, detail: w.columns.join(' ') });

const refusalDetail = (err: CaseActionError): string => (err.problems.length > 0 ? err.problems.map((p) => `${p.field || 'case'}: ${p.message}`).join('; ') : err.message);

/** The update id of one event of a row: the same row read again sends the same id. */
const updateIdOf = (caseId: string, s: SourcedEvent, hash: string): string => `ssd:${caseId}:${entryKeyOf(s.sourceKey, s.event)}:${hash}`;

/** One run of the sync. Throws only when the source or Temporal cannot be used at all; the run is recorded as failed. */
export async function runSsdSync(deps: SsdSyncDependencies, beat: (progress: { done: number; of: number }) => void = () => undefined, signal?: AbortSignal): Promise<SsdSyncResult> {
  const now = (deps.now ?? (() => new Date()))();
  const at = now.toISOString();
  const source = deps.openSource ? deps.openSource() : openSsdSource(deps.settings.source);
  const runId = await deps.store.beginRun(source.kind, at);
  const counts: SsdSyncCounts = { rows: 0, children: 0, opened: 0, recorded: 0, noted: 0, closed: 0, alreadyThere: 0, refused: 0, notSettled: 0, summaries: 0, reallocated: 0 };
  const report: SyncReportItem[] = [];
  try {
    const read = await source.readAll();
    const refreshedAt = await source.sourceFreshness();
    report.push(...read.warnings.map(rowWarningItem));
    // What a child's case could not take stays out of the ledger, so the next read tries it again.
    const run: RunContext = { ...(deps.arrival ? { arrival: { runId: `ssd-${runId}`, mail: deps.arrival } } : {}), ...(signal ? { signal } : {}) };
    await syncRead(deps, run, read.rows, read.tiers, at, counts, report, beat);
    await deps.store.finishRun(runId, { outcome: 'succeeded', counts, report, ...(refreshedAt ? { refreshedAt } : {}) });
    componentLogger('ssd-sync').info({ runId, ...counts, reported: report.length }, 'SSD sync finished');
    await deps.alerts?.runEnded({ runId, startedAt: at, outcome: 'succeeded' });
    return { runId, at, counts, reported: report.length };
  } catch (err) {
    const problem = err instanceof Error ? err.message : String(err);
    // A store that is down cannot take the run's end either: the next run finds it still 'running' and records it as failed.
    await deps.store.finishRun(runId, { outcome: 'failed', counts, report, problem }).catch(() => undefined);
    await deps.alerts?.runEnded({ runId, startedAt: at, outcome: 'failed', problem });
    throw err;
  } finally {
    await source.close();
  }
}

async function syncRead(
  deps: SsdSyncDependencies,
  run: RunContext,
  rows: SsdSourceRows,
  tiers: readonly SsdTierValue[] | undefined,
  at: string,
  counts: SsdSyncCounts,
  report: SyncReportItem[],
  beat: (progress: { done: number; of: number }) => void,
): Promise<void> {
  const reading = readingOf(deps.settings, rows, tiers, at);
  report.push(...reading.warnings.map(warningItem));
  const { ledger: now, duplicates } = ledgerOf(reading.entries);
  for (const key of duplicates) report.push({ problem: 'duplicate-row', sourceKey: key });
  counts.rows = reading.entries.length;
  const { ledger: last, known } = await deps.store.snapshot();
  const diff = diffReads(ledgerForTierColumn(last, deps.settings.tier?.column), now);
  const entriesByPerson = new Map<string, ReadEntry[]>();
  for (const entry of Object.values(now)) {
    if (!entry) continue;
    const list = entriesByPerson.get(entry.personId);
    if (list) list.push(entry);
    else entriesByPerson.set(entry.personId, [entry]);
  }
  const plans = planChildren({ at, episodes: reading.episodes, entriesOf: (p) => entriesByPerson.get(p) ?? [], diff, known });
  counts.children = plans.length;

  const directory = await deps.teams.list();
  const staff = await deps.staff.list();
  const context = childContext(deps, rows, directory, staff, reading.episodes);
  const limit = pLimit(deps.concurrency ?? SSD_SYNC_CONCURRENCY);
  let done = 0;
  // The first failure (the store or Temporal down) stops the run: children not yet begun are left
  // for the next run, so no work goes on after the run has failed.
  const stopped: { failure?: { error: unknown } } = {};
  const guarded = (work: () => Promise<void>) =>
    limit(async () => {
      // Cancelled (its heartbeat timed out and Temporal retries it, or the run was cancelled): stop, so two attempts never work on the same children.
      if (run.signal?.aborted) stopped.failure ??= { error: run.signal.reason ?? new Error('the sync was cancelled') };
      if (stopped.failure) return;
      try {
        await work();
      } catch (error) {
        stopped.failure ??= { error };
      }
    });
  await Promise.all(
    plans.map((plan) =>
      guarded(async () => {
        await syncChild(deps, run, context, plan, at, counts, report, known.get(plan.personId));
        done++;
        beat({ done, of: plans.length });
      }),
    ),
  );
  stopIfFailed(stopped);
  // Every open case follows its child's allocation: a transfer to another team or worker in the case system moves the case.
  const planned = new Set(plans.filter((p) => p.action !== 'update' || p.close !== undefined).map((p) => p.personId));
  const following = [...known].filter(([personId, kase]) => kase.status === 'open' && !planned.has(personId));
  await Promise.all(following.map(([personId, kase]) => guarded(() => followAllocation(deps, context, personId, kase, at, counts, report))));
  stopIfFailed(stopped);
  if (run.arrival) {
    const sent = await sendHeldSummaries(deps.client, run.arrival.mail, run.arrival.runId, new Date(at), 'case-system');
    counts.summaries = sent.filter((s) => s.error === undefined).length;
    for (const s of sent) if (s.error !== undefined) report.push({ problem: 'summary-not-sent', detail: `${s.escalations} escalations held for the next run` });
  }
}

interface ChildContext {
  caseConfig: SsdCaseConfig;
  rowsOfChild: (personId: string) => Parameters<typeof caseOf>[1];
  teamByCode: Map<string, Team>;
  staffById: Map<string, StaffMember>;
  staffByUser: Map<string, StaffMember>;
  episodes: readonly SsdEpisode[];
}

function childContext(deps: SsdSyncDependencies, rows: SsdSourceRows, directory: readonly Team[], staff: readonly StaffMember[], episodes: readonly SsdEpisode[]): ChildContext {
  const teams: Record<string, string> = {};
  for (const t of directory) if (t.sourceId !== undefined) teams[t.sourceId] = t.code;
  const people = new Map(rows.ssd_person.map((p) => [p.pers_person_id, p]));
  const involvements = new Map<string, (typeof rows.ssd_involvements)[number][]>();
  for (const i of rows.ssd_involvements) involvements.set(i.invo_person_id, [...(involvements.get(i.invo_person_id) ?? []), i]);
  return {
    caseConfig: { ...deps.settings.cases, teams },
    rowsOfChild: (personId) => {
      const person = people.get(personId);
      return { ...(person ? { person } : {}), involvements: involvements.get(personId) ?? [], professionals: rows.ssd_professionals, departments: rows.ssd_department };
    },
    teamByCode: new Map(directory.map((t) => [t.code, t])),
    staffById: new Map(staff.map((s) => [s.staffId, s])),
    staffByUser: new Map(staff.flatMap((s) => (s.userId === undefined ? [] : [[s.userId, s] as const]))),
    episodes,
  };
}

/** The case's people: the allocated worker by staff id, the team's manager and head of service by console user id; whoever is missing is reported. */
function contactsOf(context: ChildContext, personId: string, team: Team, staffId: string, report: SyncReportItem[]): CaseContacts {
  const contacts: CaseContacts = {};
  const worker = context.staffById.get(staffId);
  if (worker) contacts['allocated-worker'] = contactOf(worker);
  else report.push({ problem: 'worker-not-in-staff-directory', personId, detail: staffId });
  for (const [role, userId] of [
    ['team-manager', team.manager],
    ['head-of-service', team.head],
  ] as const) {
    const person = context.staffByUser.get(userId) ?? context.staffById.get(userId);
    if (person) contacts[role] = contactOf(person);
    else report.push({ problem: `${role}-not-in-staff-directory`, personId, detail: userId });
  }
  return contacts;
}

/** One run's own: its id in the held-escalations store, with the mail that sends their summaries. */
interface RunContext {
  arrival?: { runId: string; mail: SummaryMail };
  signal?: AbortSignal;
}

async function syncChild(deps: SsdSyncDependencies, run: RunContext, context: ChildContext, plan: ChildPlan, at: string, counts: SsdSyncCounts, report: SyncReportItem[], known: SyncedCase | undefined): Promise<void> {
  const { personId } = plan;
  if (plan.action === 'ledger-only') {
    if (plan.openWhileClosed) report.push({ problem: 'episode-open-case-closed', personId, ...(known ? { detail: known.caseId } : {}) });
    await deps.store.settleChild(personId, plan.rows, plan.removed);
    return;
  }
  if (plan.action === 'open') {
    const found = caseOf(personId, context.rowsOfChild(personId), context.caseConfig, at);
    if (!found.ok) {
      // Not opened and not settled: the next read tries again, once the team or worker is known.
      report.push(...found.failures.map(failureItem));
      counts.notSettled++;
      return;
    }
    // A re-referral is a new case: the episode's start date after the child's case id keeps each case's id its own.
    const caseId = plan.resume?.caseId ?? (plan.reopening ? `${found.case.caseId}-${plan.openedAt.slice(0, 10).replace(/-/g, '')}` : found.case.caseId);
    const kase = { ...found.case, caseId };
    const team = context.teamByCode.get(kase.team);
    if (!team) {
      report.push({ problem: 'team-not-in-caseclock', personId, detail: kase.ssdTeamId });
      counts.notSettled++;
      return;
    }
    const contacts = contactsOf(context, personId, team, kase.worker.staffId, report);
    const opening = plan.events.slice(0, OPENING_EVENTS);
    const later = plan.events.slice(OPENING_EVENTS);
    const laterKeys = new Set(later.map((e) => e.sourceKey));
    // The rows the case opens with reach the ledger first, as `opening`: whatever stops this run, the
    // next one knows the case may hold them, and the check before an escalation never records them twice.
    const openingRows = plan.rows.filter((r) => !laterKeys.has(r.sourceKey));
    const synced = { caseId, team: kase.team, workerStaffId: kase.worker.staffId };
    if (!plan.resume) await deps.store.settleChild(personId, openingRows, plan.removed, { ...synced, status: 'opening' });
    const input = { caseId, details: { reference: kase.reference, team: kase.team, contacts }, openedBy: SSD_SYNC_USER, openedAt: plan.openedAt, recorded: opening.map((e) => e.event) };
    // What was already overdue in the case system goes in one summary per recipient at the end of
    // the run, held in the store first so that a run stopped part-way loses none (as the import does).
    const arrival = run.arrival;
    const due = arrival ? escalationsDueOnArrival({ ...input, recorded: plan.events.map((e) => e.event) }, deps.policy, new Date(at), 'case-system') : [];
    if (arrival && due.length > 0) {
      await arrival.mail.store.hold(
        arrival.runId,
        due.map((d) => ({ messageId: d.messageId, caseId: d.caseId, recipient: d.to.email, payload: SummaryItem.parse(d) })),
      );
    }
    let toRecord = later;
    const options = { taskQueue: deps.taskQueue, teams: { listed: true, codes: [team.code] }, now: new Date(at), source: { system: 'ssd' as const, personId }, alreadyReported: due.map((d) => d.delivery) };
    try {
      try {
        await openCase(deps.client, input, deps.policy, options);
      } catch (err) {
        // One row that does not fit (two missing episodes overlapping) must not keep a child's clocks
        // off: its events are left out, reported, and the case opens with the rest.
        if (!(err instanceof CaseActionError) || err.kind !== 'invalid') throw err;
        const unfit = unfitEvents(err, input.recorded.length);
        if (!unfit) throw err;
        // The whole row goes: half of a row (a return without its start) would say what the source does not.
        const rows = new Set([...unfit].map((i) => opening[i]!.sourceKey));
        for (const sourceKey of rows) report.push({ problem: 'event-refused', personId, sourceKey, detail: refusalDetail(err) });
        counts.refused += rows.size;
        await openCase(deps.client, { ...input, recorded: opening.filter((e) => !rows.has(e.sourceKey)).map((e) => e.event) }, deps.policy, options);
      }
      counts.opened++;
    } catch (err) {
      // Temporal unreachable, or no answer: the case may have started with these held as reported,
      // so they stay held (the summary drops any whose case never opened); it stays `opening` for the next run.
      if (!(err instanceof CaseActionError)) throw err;
      // Not opened by this run: what it held for the case is not owed (one held by an earlier run that did open it stays).
      if (arrival && due.length > 0) await arrival.mail.store.release(arrival.runId, caseId);
      if (err.kind === 'already-exists' && !plan.resume) {
        // Not a case this sync was opening: another way in took the id. Reported; nothing adopted.
        report.push({ problem: 'case-id-taken', personId, detail: caseId });
        counts.notSettled++;
        await deps.store.abandonOpening(personId, [...new Set([...openingRows.map((r) => r.sourceKey), ...plan.removed])], plan.reopening && known ? known : undefined);
        return;
      }
      if (err.kind !== 'already-exists') {
        report.push({ problem: 'case-refused', personId, detail: refusalDetail(err) });
        counts.refused++;
        counts.notSettled++;
        const keys = [...new Set([...(plan.resume ? plan.rows : openingRows).map((r) => r.sourceKey), ...plan.removed])];
        await deps.store.abandonOpening(personId, keys, plan.reopening && known ? known : undefined);
        return;
      }
      // Opened by an earlier run that stopped before it finished: the case holds the rows it opened
      // with (the ledger's); what came since is recorded now.
      counts.alreadyThere++;
      toRecord = plan.resume?.pending ?? [];
    }
    await recordAll(deps, caseId, toRecord, hashesOf(plan.rows), counts, report, personId);
    await deps.store.settleChild(personId, plan.rows, plan.removed, { ...synced, status: 'open' });
    return;
  }
  if (!known) return;
  const caseId = known.caseId;
  const hashes = hashesOf(plan.rows);
  const closedHere = await recordAll(deps, caseId, plan.events, hashes, counts, report, personId);
  for (const note of plan.notes) {
    try {
      await patiently(() => noteOnCase(deps.client, caseId, { summary: note.summary, by: SSD_SYNC_USER }, { updateId: `ssd:${caseId}:note:${note.sourceKey}:${hashes.get(note.sourceKey) ?? 'removed'}` }));
      counts.noted++;
    } catch (err) {
      if (!(err instanceof CaseActionError)) throw err;
      report.push({ problem: 'note-refused', personId, sourceKey: note.sourceKey, detail: refusalDetail(err) });
    }
  }
  let status: KnownCase['status'] = closedHere ? 'closed' : 'open';
  let closedAt: string | undefined = closedHere ? at : undefined;
  const close = plan.close;
  if (close && !closedHere) {
    const closingAt = close.at > at ? at : close.at;
    try {
      await patiently(() => recordEvent(deps.client, caseId, { type: 'case-closed', at: closingAt, by: SSD_SYNC_USER, reason: close.reason }, { updateId: `ssd:${caseId}:closed:${close.at}` }));
      counts.closed++;
      status = 'closed';
      closedAt = closingAt;
    } catch (err) {
      if (!(err instanceof CaseActionError)) throw err;
      // Closed in CaseClock already (by staff), or gone: the workflow's own status says so.
      if (err.kind === 'not-found' || (await caseRunStatus(deps.client, caseId)) !== 'running') {
        status = 'closed';
        closedAt = at;
      } else report.push({ problem: 'close-refused', personId, detail: refusalDetail(err) });
    }
  }
  await deps.store.settleChild(personId, plan.rows, plan.removed, { caseId, status, team: known.team, ...(closedAt ? { closedAt } : {}) });
}

/** The recorded events an opening was refused for, when every problem names one (`recorded.<i>.<field>`); else undefined. */
function unfitEvents(err: CaseActionError, count: number): Set<number> | undefined {
  const found = new Set<number>();
  for (const p of err.problems) {
    const m = /^recorded\.(\d+)\./.exec(p.field);
    if (!m || Number(m[1]) >= count) return undefined;
    found.add(Number(m[1]));
  }
  return found.size > 0 ? found : undefined;
}

/** Rethrows the first failure of a run's children, once they have all stopped. */
function stopIfFailed(stopped: { failure?: { error: unknown } }): void {
  if (stopped.failure) throw stopped.failure.error;
}

/** Moves an open case to the team and worker the case system now allocates its child to, when they changed. */
async function followAllocation(deps: SsdSyncDependencies, context: ChildContext, personId: string, kase: SyncedCase, at: string, counts: SsdSyncCounts, report: SyncReportItem[]): Promise<void> {
  const found = caseOf(personId, context.rowsOfChild(personId), context.caseConfig, at);
  if (!found.ok) {
    // The case keeps its team and worker until the case system says clearly who has it.
    report.push(...found.failures.map(failureItem));
    return;
  }
  const now = found.case;
  if (now.team === kase.team && now.worker.staffId === kase.workerStaffId) return;
  if (now.team === kase.team && kase.workerStaffId === undefined) {
    // A case opened before the sync kept its worker: noted now, nothing to move.
    await deps.store.settleChild(personId, [], [], { ...kase, workerStaffId: now.worker.staffId });
    return;
  }
  const team = context.teamByCode.get(now.team);
  if (!team) return;
  const contacts = contactsOf(context, personId, team, now.worker.staffId, report);
  // Until the staff directory has the new people, the case stays with the old ones (who are still
  // told); moving with some missing would leave the last team's manager on it. Tried again next run.
  if (now.team !== kase.team && (!contacts['allocated-worker'] || !contacts['team-manager'] || !contacts['head-of-service'])) {
    report.push({ problem: 'reallocation-waiting-for-staff', personId, detail: now.team });
    return;
  }
  try {
    if (now.team !== kase.team) {
      await patiently(() =>
        moveTeam(deps.client, kase.caseId, { team: now.team, contacts, by: SSD_SYNC_USER }, { teams: { listed: true, codes: [team.code] }, updateId: `ssd:${kase.caseId}:allocation:${now.involvementId}` }),
      );
    } else {
      const worker = contacts['allocated-worker'];
      if (!worker) return;
      await patiently(() => reassign(deps.client, kase.caseId, { role: 'allocated-worker', contact: worker, by: SSD_SYNC_USER }, { updateId: `ssd:${kase.caseId}:worker:${now.involvementId}` }));
    }
    counts.reallocated++;
  } catch (err) {
    if (!(err instanceof CaseActionError)) throw err;
    report.push({ problem: 'reallocation-refused', personId, detail: refusalDetail(err) });
    return;
  }
  await deps.store.settleChild(personId, [], [], { ...kase, team: now.team, workerStaffId: now.worker.staffId });
}

/**
 * An update the server did not answer in time (a busy server: Temporal gives up waiting, not the
 * update) is sent again, under the same update id, so it is recorded once; a few tries, then the
 * run fails and the next one carries on.
 */
async function patiently<T>(send: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (err) {
      if (!(err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) || attempt >= 4) throw err;
      await new Promise((resolve) => setTimeout(resolve, 1_000 * attempt));
    }
  }
}

const hashesOf = (rows: readonly ReadEntry[]): Map<string, string> => new Map(rows.map((r) => [r.sourceKey, r.hash]));

/** Records each event in date order; a refusal is reported and the rest go on. True when the case turned out to be closed. */
async function recordAll(
  deps: SsdSyncDependencies,
  caseId: string,
  events: readonly SourcedEvent[],
  hashes: ReadonlyMap<string, string>,
  counts: SsdSyncCounts,
  report: SyncReportItem[],
  personId: string,
): Promise<boolean> {
  for (const s of events) {
    try {
      await patiently(() => recordEvent(deps.client, caseId, s.event, { updateId: updateIdOf(caseId, s, hashes.get(s.sourceKey) ?? '') }));
      counts.recorded++;
    } catch (err) {
      if (!(err instanceof CaseActionError)) throw err;
      if (err.kind === 'not-found') {
        report.push({ problem: 'case-not-found', personId, detail: caseId });
        return true;
      }
      report.push({ problem: 'event-refused', personId, sourceKey: s.sourceKey, detail: refusalDetail(err) });
      counts.refused++;
    }
  }
  return false;
}

/** How long the check before an escalation waits for the source: an escalation is never held long. */
export const CASE_SYSTEM_CHECK_MS = 20_000;

/** The obligations whose event the SSD records (visits, reviews, conferences): only these are looked up before an escalation. */
const RECORDED_IN_SOURCE: ReadonlySet<string> = new Set([
  'initial-visit-high',
  'initial-visit-priority',
  'visit-priority',
  'cic-visit-first',
  'cic-visit',
  'cic-visit-weekly',
  'cic-visit-four-weekly',
  'cic-visit-with-parent',
  'icpc',
  'first-review-conference',
  'review-conference',
  'cic-review-first',
  'cic-review-second',
  'cic-review',
]);

/** The child's visits, reviews and conferences as the source holds them now, as ledger entries. */
function childEntries(personId: string, rows: SsdChildRows): ReadEntry[] {
  const opts = { by: SSD_SYNC_USER };
  // readChild found the reviews through the child's own periods of care: each names this child.
  const personOfClaId = new Map(rows.ssd_cla_reviews.flatMap((r) => (r.clar_cla_id === null ? [] : [[r.clar_cla_id, personId] as const])));
  const mappings: RowMapping[] = [
    ...rows.ssd_cin_visits.map((r) => cinVisit(r, opts)),
    ...rows.ssd_cp_visits.map((r) => cpVisit(r, opts)),
    ...rows.ssd_cla_visits.map((r) => claVisit(r, opts)),
    ...rows.ssd_cp_reviews.map((r) => cpReview(r, opts)),
    ...rows.ssd_cla_reviews.map((r) => claReview(r, opts, { personOfClaId })),
    ...rows.ssd_initial_cp_conference.map((r) => initialCpConference(r, opts)),
  ];
  const entries = mappings.flatMap((m) => (m.entry && m.entry.personId === personId ? [m.entry] : []));
  return Object.values(ledgerOf(entries).ledger).filter((e): e is ReadEntry => e !== undefined);
}

/**
 * Before an escalation on a case that follows the case system: reads the child's latest visits,
 * reviews and conferences (bounded in time), records on the case what the sync has not yet (by the
 * same update ids and ledger as the sync, so the next sync finds them there), and says how fresh the
 * source is. Never throws: a source that cannot answer is said in the result and the escalation goes.
 */
export async function checkCaseSystem(deps: SsdSyncDependencies, input: { caseId: string; personId: string; obligationKind?: string }): Promise<CaseSystemCheck> {
  const at = (deps.now ?? (() => new Date()))().toISOString();
  const last = await deps.store.lastSuccess().catch(() => undefined);
  const fresh = { ...(last?.refreshedAt ? { refreshedAt: last.refreshedAt } : {}), ...(last?.finishedAt ? { lastReadAt: last.finishedAt } : {}) };
  if (input.obligationKind === undefined || !RECORDED_IN_SOURCE.has(input.obligationKind)) return { checked: 'not-recorded-there', at, ...fresh };
  let source: SsdSource | undefined;
  try {
    source = deps.openSource ? deps.openSource() : openSsdSource(deps.settings.source);
    const read = await source.readChild(input.personId, { timeoutMs: CASE_SYSTEM_CHECK_MS });
    const known = await deps.store.ledgerOfChild(input.personId);
    // Only rows CaseClock has not read: a correction of a known row is the sync's to note.
    const changed = childEntries(input.personId, read.rows).filter((e) => known[e.sourceKey] === undefined && e.events.every((ev) => ev.at <= at));
    const events = changed
      .flatMap((e) => e.events.filter((ev) => ev.type !== 'case-closed' && ev.at <= at).map((event) => ({ sourceKey: e.sourceKey, event })))
      .sort((a, b) => (a.event.at < b.event.at ? -1 : a.event.at > b.event.at ? 1 : 0));
    const counts: SsdSyncCounts = { rows: changed.length, children: 1, opened: 0, recorded: 0, noted: 0, closed: 0, alreadyThere: 0, refused: 0, notSettled: 0, summaries: 0, reallocated: 0 };
    const report: SyncReportItem[] = [];
    await recordAll(deps, input.caseId, events, hashesOf(changed), counts, report, input.personId);
    await deps.store.settleChild(input.personId, changed, []);
    componentLogger('ssd-sync').info({ caseId: input.caseId, recorded: counts.recorded, refused: counts.refused }, 'case system checked before an escalation');
    return { checked: true, at, ...fresh };
  } catch (err) {
    const reason = err instanceof SsdSourceError && err.code === 'timeout' ? `no answer within ${CASE_SYSTEM_CHECK_MS / 1000} seconds` : 'it could not be read';
    componentLogger('ssd-sync').warn({ caseId: input.caseId, error: err instanceof Error ? err.message : String(err) }, 'case system not checked before an escalation');
    return { checked: false, at, reason, ...fresh };
  } finally {
    await source?.close().catch(() => undefined);
  }
}

export function createSsdSyncActivities(deps: SsdSyncDependencies) {
  return {
    /** The check before an escalation on a case that follows the case system. */
    checkCaseSystem: (input: { caseId: string; personId: string; obligationKind?: string }): Promise<CaseSystemCheck> => checkCaseSystem(deps, input),
    /** One run of the sync, started by the SSD schedule's workflow; its progress is in the heartbeat. */
    async syncFromSsd(): Promise<SsdSyncResult> {
      const activity = Context.current();
      return runSsdSync(deps, (progress) => activity.heartbeat(progress), activity.cancellationSignal);
    },
  };
}

export type SsdSyncActivities = ReturnType<typeof createSsdSyncActivities>;
