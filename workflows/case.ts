/**
 * One durable workflow per case, for its whole life. It registers its handlers, then loops:
 * ask the engine what is due, start each message's send on its own, keep the search attributes
 * current, and sleep until the engine's next instant or any change. Business rules live in
 * domain/; this is the thin loop.
 */
import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  CancellationScope,
  CancelledFailure,
  condition,
  continueAsNew,
  isCancellation,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { RetryState } from '@temporalio/common';
import type { NotificationActivities } from '../activities/notifications';
import type { CaseRecordActivities, RecordedSendInput } from '../activities/case-record';
import type { SsdSyncActivities } from '../activities/ssd-sync';
import type { CaseMessage } from '../activities/render-message';
import { metAfterAllOwed } from '../domain/met-after-all';

type MetAfterAll = NonNullable<CaseMessage['metAfterAll']>;
import { CASE_RECORD_REFUSED_TYPE, PERMANENT_REJECTION_TYPE } from './failure-types';
import type { DueMessage, Obligation } from '../domain/engine';
import type { CaseEvent } from '../domain/facts';
import type { PolicySnapshot } from '../domain/policy';
import { CaseRecord, caseAnswer, caseAttributesAt, caseState, caseSummary, caseSummaryOnceSent, caseTimeline, messageFor, type SendEnding, SETTLE_AFTER_DAYS, settle, type StoreBatch } from './case-record';
import {
  CASE_RECORD_STORE_PATCH,
  INDEPENDENT_SENDS_PATCH,
  LEAN_LOOP_PATCH,
  OPENING_IN_TASK_CODE,
  OPENING_SUMMARY_PATCH,
  RECORDED_SENDS_CODE,
  RECORDED_SENDS_PATCH,
  SETTLED_STATE_PATCH,
  SMALL_UPDATE_ANSWER_PATCH,
  START_ATTRIBUTES_PATCH,
} from './patches';
import { refusal } from './validation';
import {
  type ApplyPolicyInput,
  applyPolicyUpdate,
  type CaseNoteInput,
  type CaseState,
  type MoveTeamInput,
  moveTeamUpdate,
  type CaseWorkflowInput,
  deliveryBase,
  describeMessageKind,
  obligationsQuery,
  type ReassignInput,
  reassignUpdate,
  recordEventUpdate,
  recordNoteUpdate,
  sentMessageEntryId,
  SSD_SYNC_USER,
  stateQuery,
  timelineQuery,
  type UpdateDetailsInput,
  type UpdateAnswer,
  updateDetailsUpdate,
  writeSummaryUpdate,
} from './messages';
import { attributePairs, attributesFrom, CASE_ATTRIBUTE_NAMES, type CaseAttributes } from './search-attributes';

/**
 * The zod half of the update validators, loaded on the first update a workflow validates: zod and
 * the input schemas stay out of every case that is only keeping time (they would cost each cached
 * case over a megabyte). Handlers never need it: a validator accepts only input in normal form.
 */
function checks(): typeof import('./update-checks') {
  return require('./update-checks') as typeof import('./update-checks');
}

const SEND_TIMEOUTS = {
  startToCloseTimeout: '1 minute',
  // A worker killed mid-send is noticed this soon (the activity heartbeats every few seconds),
  // and the message is retried on another worker with the same Message-ID.
  heartbeatTimeout: '15 seconds',
} as const;

/** Sends of cases started before INDEPENDENT_SENDS_PATCH (their recorded commands must not change). */
const { deliverCaseMessage } = proxyActivities<NotificationActivities>({
  ...SEND_TIMEOUTS,
  // SMTP outages are retried for as long as they last (with backoff); a 5xx refusal is final.
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

/**
 * Each message's own send. Retried for as long as an outage lasts, at least once a minute, so a
 * message goes within a minute of mail returning; a 5xx refusal is final. A withdrawn send waits
 * for an attempt under way to end, so a message the mail server accepted is always recorded.
 */
const { deliverCaseMessage: sendOnItsOwn } = proxyActivities<NotificationActivities>({
  ...SEND_TIMEOUTS,
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '1 minute' },
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
});

/**
 * Writes to the case-record store, idempotent by entry id, so a retry never writes twice. Retried
 * for about five minutes; then the case pauses (see STORE_PAUSE_MS) with no activity in flight, so
 * a long store outage never holds back continue-as-new.
 */
const STORE_WRITE = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 9 },
} as const;
const { storeCaseEntries } = proxyActivities<CaseRecordActivities>(STORE_WRITE);

/** A recorded send (RECORDED_SENDS_PATCH): sent, retried and withdrawn as `sendOnItsOwn`; its write never fails it. */
const { deliverAndRecordCaseMessage: sendAndRecord } = proxyActivities<CaseRecordActivities>({
  ...SEND_TIMEOUTS,
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '1 minute' },
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
});

/** The longest entry id the case-record store takes. */
const MAX_ENTRY_ID_LENGTH = 300;

// Not a local activity: a local activity's write is committed before the workflow task that ran it
// is, and a task the server rejects (an update arriving as the case continues as new) or loses (a
// worker restarting) is worked again at a later instant, so the same entry ids would carry other
// times and outcomes, which the append-only store refuses for good. An activity's entries are in
// the history before it runs, so every attempt writes the same. The one exception is the opening,
// below, whose every entry is fixed by the case's input and the instant it was started.

/**
 * The opening's write (OPENING_IN_TASK_CODE), inside the case's first workflow task. One attempt,
 * briefly: a store that does not answer costs the start a few seconds at most, and the loop then
 * writes the same entries by `storeCaseEntries`.
 */
const { storeCaseEntries: storeOpening } = proxyLocalActivities<CaseRecordActivities>({
  startToCloseTimeout: '5 seconds',
  retry: { maximumAttempts: 1 },
});

/** How long a write of the clocks' own entries waits for a message just started to be sent, so its delivery goes in the same write. */
const HOLD_WRITE_FOR_SEND_MS = 60_000;

/**
 * The look at the council's case system before an escalation on a case that follows it. Bounded:
 * a source that does not answer (or a worker with no source configured) costs the escalation at
 * most a minute, and it then goes saying the case system could not be checked.
 */
const { checkCaseSystem } = proxyActivities<SsdSyncActivities>({
  startToCloseTimeout: '40 seconds',
  scheduleToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', maximumAttempts: 2 },
});

/** After a write fails (the store down for minutes, or refusing a batch), the case tries again this much later. */
const STORE_PAUSE_MS = 5 * 60_000;

/** Continue-as-new well before Temporal's limits; a case lives for years. */
const HISTORY_EVENTS_LIMIT = 5_000;

const nowIso = (): string => new Date().toISOString();

/** What an activity's failure says, for the worker's log and the case's notes. */
const whyActivityFailed = (err: unknown): string => (err instanceof ActivityFailure && err.cause ? err.cause.message : String(err));

/**
 * Why a closed case refuses a change. Validators only refuse (a rejected update leaves nothing in
 * history), so refusals may change shape without a patch; handlers never throw.
 */
const CASE_CLOSED = [{ field: '', message: 'the case is closed' }];

/** A case: every clock of one child's case, for the whole life of the case. */
export async function caseWorkflow(input: CaseWorkflowInput): Promise<CaseState> {
  return keepClocks(input);
}

/**
 * A serious incident, linked to a case where there is one: notification to the national panel
 * within 5 working days, then a rapid review. Same loop, its own record and workflow id.
 */
export async function incidentWorkflow(input: CaseWorkflowInput): Promise<CaseState> {
  return keepClocks({ ...input, subject: 'incident' });
}

async function keepClocks(input: CaseWorkflowInput): Promise<CaseState> {
  const kase = new CaseRecord(input);
  // Whether a change applies to this run: a run begun with the code that made it the rule takes it
  // without asking (code 1: every change before RECORDED_SENDS_CODE); an older run asks.
  const applies = (patchId: string, since = 1): boolean => (input.code ?? 0) >= since || patched(patchId);

  setHandler(stateQuery, () => caseState(kase, nowIso()));
  // Runs begun before updates answered small keep answering with the whole state on replay.
  const answer = (now: string): UpdateAnswer => (applies(SMALL_UPDATE_ANSWER_PATCH) ? caseAnswer(kase, now) : caseState(kase, now));
  setHandler(obligationsQuery, () => kase.clocks.evaluate(nowIso()).obligations);
  setHandler(timelineQuery, () => caseTimeline(kase.facts));

  setHandler(
    recordEventUpdate,
    (raw) => {
      const event: CaseEvent = raw;
      const now = nowIso();
      // Temporal remembers update ids within one run only: a row the sync sends again after a
      // continue-as-new is recorded once. Only cases that follow the case system (all begun under this code).
      const again = kase.facts.source !== undefined && event.by === SSD_SYNC_USER && kase.facts.holdsEvent(event);
      if (!again) kase.facts.recordEvent(event, now);
      return answer(now);
    },
    {
      validator: (raw) => {
        const event = checks().checkRecordEvent(raw);
        const problems = kase.problemsWith(event, nowIso());
        if (problems.length > 0) throw refusal('recordEvent', problems);
      },
    },
  );

  setHandler(
    updateDetailsUpdate,
    (raw) => {
      const { details, by }: UpdateDetailsInput = raw;
      const now = nowIso();
      kase.facts.changeDetails(details, { at: now, recordedAt: now, by, entry: 'details', summary: 'Case details and contacts updated' });
      return answer(now);
    },
    {
      validator: (raw) => {
        const { details } = checks().checkUpdateDetails(raw);
        if (details.reference !== kase.facts.details.reference) throw refusal('updateDetails', [{ field: 'details.reference', message: 'a case keeps its reference' }]);
        if (kase.facts.closed) throw refusal('updateDetails', CASE_CLOSED);
      },
    },
  );

  setHandler(
    reassignUpdate,
    (raw) => {
      const { role, contact, by }: ReassignInput = raw;
      const now = nowIso();
      const { details } = kase.facts;
      kase.facts.changeDetails({ ...details, contacts: { ...details.contacts, [role]: contact } }, { at: now, recordedAt: now, by, entry: 'details', summary: `${role} reassigned` });
      return answer(now);
    },
    {
      validator: (raw) => {
        checks().checkReassign(raw);
        if (kase.facts.closed) throw refusal('reassign', CASE_CLOSED);
      },
    },
  );

  // A new handler commands nothing until a client sends its update, so it needs no patch.
  setHandler(
    moveTeamUpdate,
    (raw) => {
      const { team, contacts, by }: MoveTeamInput = raw;
      const now = nowIso();
      const { details } = kase.facts;
      kase.facts.changeDetails({ ...details, team, contacts: { ...details.contacts, ...contacts } }, { at: now, recordedAt: now, by, entry: 'details', summary: `Moved from team ${details.team} to team ${team}` });
      return answer(now);
    },
    {
      validator: (raw) => {
        checks().checkMoveTeam(raw);
        if (kase.facts.closed) throw refusal('moveTeam', CASE_CLOSED);
      },
    },
  );

  // A note changes no clock; it commands nothing, so adding the handler needs no patch.
  setHandler(
    recordNoteUpdate,
    (raw) => {
      const { summary, by }: CaseNoteInput = raw;
      const now = nowIso();
      kase.facts.recordNote({ at: now, recordedAt: now, by, entry: 'details', summary });
      return answer(now);
    },
    {
      validator: (raw) => {
        checks().checkNote(raw);
      },
    },
  );

  // Commands nothing until a client sends it (then the loop writes), so it needs no patch. Cases
  // on the loop from before the store keep no record there, so they refuse it.
  setHandler(
    writeSummaryUpdate,
    () => {
      kase.summaryWanted = true;
      kase.nudge();
      return answer(nowIso());
    },
    {
      validator: (raw) => {
        checks().checkWriteSummary(raw);
        if (!kase.outbox.keepsRecord) throw refusal('writeSummary', [{ field: '', message: 'this case runs code from before the case record store: it writes its record and summary from its next run' }]);
      },
    },
  );

  setHandler(
    applyPolicyUpdate,
    (raw) => {
      const { mode, by }: ApplyPolicyInput = raw;
      const snapshot: PolicySnapshot = raw.snapshot;
      const now = nowIso();
      kase.facts.addPolicy(snapshot);
      kase.facts.recordEvent({ type: 'policy-applied', at: now, by, policyVersion: snapshot.version, mode }, now);
      return answer(now);
    },
    {
      validator: (raw) => {
        checks().checkApplyPolicy(raw);
        if (kase.facts.closed) throw refusal('applyPolicy', CASE_CLOSED);
      },
    },
  );

  const historyLimit = input.historyLimit ?? HISTORY_EVENTS_LIMIT;
  // Cases started before messages were sent on their own keep the loop they were started with
  // until they continue as new, so their histories replay; every new run takes the new loop.
  if (applies(INDEPENDENT_SENDS_PATCH)) {
    // Runs started before the store keep no record there; their next run writes the whole record.
    kase.outbox.keepsRecord = applies(CASE_RECORD_STORE_PATCH);
    // A case opened with nothing to record still writes its summary at once, so every reader sees it.
    if (kase.outbox.keepsRecord && input.stored === undefined && applies(OPENING_SUMMARY_PATCH)) kase.summaryWanted = true;
    await keepClocksSendingIndependently(kase, input, historyLimit, applies);
  } else await keepClocksSendingTogether(kase, input, historyLimit);
  await condition(allHandlersFinished);
  return caseState(kase, nowIso());
}

/**
 * The loop: evaluate the case at the current workflow time, start each due message's send on its
 * own, withdraw sends that are no longer needed, keep the search attributes current, then sleep
 * until the engine's next instant or any change (an update, a send ending). Nothing awaits a send,
 * so a message in retry for hours never holds back another message, an update or the overdue count.
 */
async function keepClocksSendingIndependently(kase: CaseRecord, input: CaseWorkflowInput, historyLimit: number, applies: (patchId: string, since?: number) => boolean): Promise<void> {
  // New runs start from the attributes they were given and upsert only what differs.
  const attributesSent: AttributeMemo = applies(START_ATTRIBUTES_PATCH) ? { sent: attributesFrom(workflowInfo().typedSearchAttributes) } : {};
  const lean = applies(LEAN_LOOP_PATCH);
  const recordedSends = lean && kase.outbox.keepsRecord && applies(RECORDED_SENDS_PATCH, RECORDED_SENDS_CODE);
  const warned = new Set<string>();
  const sends = new Map<string, CancellationScope>();
  const storing: StoreWriting = { lean };
  const recording = recordedSends ? storing : undefined;
  const timer = new WakeTimer(kase);
  if (kase.outbox.keepsRecord && (input.code ?? 0) >= OPENING_IN_TASK_CODE && workflowInfo().continuedFromExecutionRunId === undefined) await writeOpening(kase);
  for (;;) {
    const now = nowIso();
    let evaluation = kase.clocks.evaluate(now);
    warnOnce(kase, evaluation.warnings, warned);
    const toSend = evaluation.messagesDue.filter((due) => !kase.clocks.isSending(due.messageId));
    // Noted before the sends start, so a recorded send carries the outcome that made it due.
    if (recording && toSend.length > 0) kase.outbox.noteOutcomes(evaluation.obligations, now);
    for (const due of toSend) startSend(kase, due, now, sends, undefined, recording);
    // Only cases that follow the case system (none started before this code): their histories are all this code's.
    if (kase.facts.source) {
      for (const owed of metAfterAllOwed(evaluation.obligations, kase.facts.deliveries, (id) => kase.clocks.isSending(id), now)) {
        startSend(kase, owed.due, now, sends, { obligationId: owed.for.id, metAt: { metAt: owed.for.resolvedAt ?? now } });
      }
    }
    withdrawUnneeded(kase, evaluation.obligations, sends);
    // The same evaluation unless a send was recorded at once (nobody assigned to the role).
    evaluation = kase.clocks.evaluate(now);
    kase.outbox.noteOutcomes(evaluation.obligations, now);
    if (kase.outbox.keepsRecord) startStoreWrite(kase, storing, sends.size > 0);
    syncSearchAttributes(kase, now, attributesSent);
    // A closed case ends only once the store holds its whole record.
    const recordStored = !kase.outbox.keepsRecord || (kase.outbox.waiting === 0 && !storing.batch);
    if (kase.facts.closed && evaluation.messagesDue.length === 0 && sends.size === 0 && recordStored) return;

    const info = workflowInfo();
    // Only between sends and writes: an activity in flight would be abandoned by continue-as-new.
    if ((info.continueAsNewSuggested || info.historyLength > historyLimit) && sends.size === 0 && !storing.batch) {
      // Let running update handlers finish so no accepted update is lost across the boundary.
      await condition(allHandlersFinished);
      // The next run carries the case's live state and its recent events only: what is older is
      // settled into the checkpoint (it is all in the case-record store by now, or nothing settles).
      if (kase.outbox.keepsRecord && applies(SETTLED_STATE_PATCH)) {
        const now = nowIso();
        settle(kase, new Date(Date.now() - SETTLE_AFTER_DAYS * 86_400_000).toISOString(), now);
      }
      await continueAsNew<typeof caseWorkflow>({ ...kase.toInput(), ...(input.historyLimit ? { historyLimit } : {}) });
    }

    const seen = kase.revision;
    const wakes = [evaluation.nextWakeAt, storing.pausedUntil, storing.heldUntil].filter((w): w is string => w !== undefined && w !== null);
    const wakeAt = wakes.length === 0 ? null : wakes.reduce((a, b) => (a < b ? a : b));
    if (lean) {
      timer.wakeAt(wakeAt);
      await condition(() => kase.revision !== seen);
    } else if (wakeAt === null) await condition(() => kase.revision !== seen);
    else await condition(() => kase.revision !== seen, Math.max(1, Date.parse(wakeAt) - Date.now()));
  }
}

/**
 * The lean loop's one timer, kept until the instant it waits for changes: a turn of the loop woken
 * by an update, a send ending or a write starts and cancels no timer (a timeout per turn would,
 * each cancellation a failure built with its stack). Firing nudges the case.
 */
class WakeTimer {
  private at: string | null = null;
  private scope?: CancellationScope;

  constructor(private readonly kase: CaseRecord) {}

  wakeAt(at: string | null): void {
    if (at === this.at && (at === null || this.scope !== undefined)) return;
    this.scope?.cancel();
    this.scope = undefined;
    this.at = at;
    if (at === null) return;
    const scope = new CancellationScope();
    this.scope = scope;
    scope
      .run(() => sleep(Math.max(1, Date.parse(at) - Date.now())))
      .then(
        () => {
          if (this.scope !== scope) return;
          this.scope = undefined;
          this.kase.nudge();
        },
        () => undefined, // cancelled: the loop waits for another instant
      );
  }
}

/** A write of the case's summary alone. */
interface SummaryOnly {
  entries: [];
}

/** The write to the case-record store in flight (one at a time, oldest entries first). */
interface StoreWriting {
  /** Writes of the clocks' own entries held while a message is being sent (LEAN_LOOP_PATCH). */
  lean: boolean;
  batch?: StoreBatch | SummaryOnly;
  /** After a failed write: not tried again before this instant. */
  pausedUntil?: string;
  /** Until when a write of the clocks' own entries waits for a send to end (lean runs). */
  heldUntil?: string;
  /** The message id of the recorded send in flight (one at a time: only one carries the entries waiting). */
  withSend?: string;
}

/**
 * Starts writing the oldest entries the store does not hold yet, unless a write is under way, and
 * returns at once: a store that is down delays nothing but the record, and entries wait in the
 * case (carried across continue-as-new) until it has them.
 */
function startStoreWrite(kase: CaseRecord, storing: StoreWriting, sending: boolean): void {
  if (storing.batch) return;
  if (storing.pausedUntil !== undefined) {
    if (nowIso() < storing.pausedUntil) return;
    storing.pausedUntil = undefined;
  }
  // A deadline's escalation and the outcome it follows go in one write once the mail server has
  // it, unless a person's entry or a summary asked for is waiting, or the send takes long.
  if (storing.lean && sending && !kase.summaryWanted && kase.outbox.onlyClockEntriesWaiting && kase.outbox.waiting > 0) {
    storing.heldUntil ??= new Date(Date.now() + HOLD_WRITE_FOR_SEND_MS).toISOString();
    if (nowIso() < storing.heldUntil) return;
  }
  storing.heldUntil = undefined;
  // With no entry waiting, a summary asked for (writeSummary) goes on its own.
  const batch: StoreBatch | SummaryOnly | undefined = kase.outbox.nextBatch() ?? (kase.summaryWanted ? { entries: [] } : undefined);
  if (!batch) return;
  kase.summaryWanted = false;
  storing.batch = batch;
  // The case's summary rides with its entries (readers never ask the workflow); the arguments of a
  // scheduled activity are not compared on replay, so runs begun before summaries replay unchanged.
  const summary = caseSummary(kase, nowIso(), kase.outbox.waiting - batch.entries.length);
  void storeCaseEntries(batch.entries, summary).then(
    () => {
      storing.batch = undefined;
      if ('reaches' in batch) kase.outbox.batchStored(batch);
      else kase.nudge();
    },
    (err: unknown) => {
      storing.batch = undefined;
      const refused = err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.type === CASE_RECORD_REFUSED_TYPE;
      // Kept in the case and tried again later; the engineer on call sees why in the worker's log.
      log.error(refused ? 'case record store refused entries' : 'case record write failed', {
        caseId: kase.facts.caseId,
        error: whyActivityFailed(err),
      });
      storing.pausedUntil = new Date(Date.now() + STORE_PAUSE_MS).toISOString();
      if (!('reaches' in batch)) kase.summaryWanted = true;
      kase.nudge();
    },
  );
}

/**
 * Writes a new case's opening in its first workflow task: its events and deliveries as given, the
 * obligations they start, and its summary, all as they stood when the case was started (the start
 * of its workflow, the first event of its history; not the task's own instant, which a task
 * worked again would move). So every entry is fixed by the history, a task worked again (or an
 * earlier attempt's write landing late) writes the same, and the summary never replaces a later
 * one. Where the write fails, the entries wait in the case and the loop writes them.
 */
async function writeOpening(kase: CaseRecord): Promise<void> {
  const startedAt = workflowInfo().startTime.toISOString();
  kase.outbox.noteOutcomes(kase.clocks.evaluate(startedAt).obligations, startedAt);
  const batch = kase.outbox.nextBatch();
  const summary = caseSummary(kase, startedAt, kase.outbox.waiting - (batch?.entries.length ?? 0));
  // The opening's summary goes with it; one asked for meanwhile (writeSummary) still goes.
  kase.summaryWanted = false;
  try {
    await storeOpening(batch?.entries ?? [], summary);
    if (batch) kase.outbox.batchStored(batch);
  } catch (err) {
    kase.summaryWanted = true;
    log.warn('case opening not written in its first task; the case writes it next', {
      caseId: kase.facts.caseId,
      error: whyActivityFailed(err),
    });
  }
}

/** The loop of cases started before INDEPENDENT_SENDS_PATCH: a wake-up's sends awaited together. */
async function keepClocksSendingTogether(kase: CaseRecord, input: CaseWorkflowInput, historyLimit: number): Promise<void> {
  const attributesSent: { last?: string } = {};
  const warned = new Set<string>();
  for (;;) {
    const now = nowIso();
    const evaluation = kase.clocks.evaluate(now);
    warnOnce(kase, evaluation.warnings, warned);
    if (evaluation.messagesDue.length > 0) {
      await Promise.all(evaluation.messagesDue.map((due) => deliver(kase, due, now)));
    }
    syncSearchAttributes(kase, now, attributesSent);
    if (kase.facts.closed && kase.clocks.evaluate(nowIso()).messagesDue.length === 0) return;

    const info = workflowInfo();
    if (info.continueAsNewSuggested || info.historyLength > historyLimit) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof caseWorkflow>({ ...kase.toInput(), ...(input.historyLimit ? { historyLimit } : {}) });
    }

    const seen = kase.revision;
    const wakeAt = kase.clocks.evaluate(nowIso()).nextWakeAt;
    if (wakeAt === null) await condition(() => kase.revision !== seen);
    else await condition(() => kase.revision !== seen, Math.max(1, Date.parse(wakeAt) - Date.now()));
  }
}

function warnOnce(kase: CaseRecord, warnings: readonly string[], warned: Set<string>): void {
  for (const warning of warnings) {
    if (warned.has(warning)) continue;
    warned.add(warning);
    log.warn('case needs attention', { caseId: kase.facts.caseId, warning });
  }
}

/**
 * Starts one message's send in a cancellation scope of its own and returns at once; the outcome
 * is recorded on the case when the send ends, which wakes the loop.
 */
function startSend(kase: CaseRecord, due: DueMessage, now: string, sends: Map<string, CancellationScope>, metAfterAll?: { obligationId: string; metAt: MetAfterAll }, recording?: StoreWriting): void {
  const written = metAfterAll ? messageFor(kase, { ...due, obligationId: metAfterAll.obligationId }, now) : messageFor(kase, due, now);
  const to = written.to;
  const message: CaseMessage = metAfterAll ? { ...written.message, metAfterAll: metAfterAll.metAt } : written.message;
  const base = deliveryBase(due);
  if (!to) {
    kase.facts.recordDelivery({ ...base, sentAt: now, outcome: 'undeliverable', reason: `nobody is assigned as ${due.role}` });
    return;
  }
  kase.clocks.startSending(due);
  const scope = new CancellationScope();
  sends.set(due.messageId, scope);
  const source = kase.facts.source;
  // A send that looks at the case system first records events meanwhile: it writes nothing itself.
  const plan = recording && !metAfterAll && (source === undefined || due.type !== 'escalation') ? planRecordedSend(kase, due, to.email, now, recording) : undefined;
  if (recording && plan) {
    void scope
      .run(() => sendAndRecord({ message, to, record: plan.record }))
      .then(
        (result): SendEnding & { recorded?: boolean } => ({ delivery: result.delivery, recorded: result.recorded }),
        (err: unknown): SendEnding & { recorded?: boolean } => failedSendEnding(err, due, to.email),
      )
      .then((ending) => {
        // Anything the case recorded while the message was on its way is missing from the summary the send wrote.
        const untouched = kase.revision === plan.revision;
        sends.delete(due.messageId);
        recording.withSend = undefined;
        kase.clocks.finishSending(due.messageId, ending);
        if (!ending.recorded) return;
        if (plan.batch) kase.outbox.batchStored(plan.batch);
        kase.outbox.deliveryStored(kase.facts.deliveries.length - 1);
        if (!untouched) kase.summaryWanted = true;
      });
    return;
  }
  void scope
    .run(async () => {
      if (source === undefined || due.type !== 'escalation') return sendOnItsOwn({ message, to });
      // A case that follows the case system looks there first: what it records now is recorded on
      // the case (by the check's updates), and an obligation met meanwhile withdraws this escalation.
      const caseSystem = await checkedCaseSystem(kase.facts.caseId, source.personId, due);
      const obligation = kase.clocks.evaluate(nowIso()).obligations.find((o) => o.id === due.obligationId);
      if (obligation !== undefined && obligation.status !== 'open') throw new CancelledFailure('met, as the case system records');
      const checked: CaseMessage = { ...message, caseSystem };
      return sendOnItsOwn({ message: checked, to });
    })
    .then(
      (receipt): SendEnding => ({
        delivery: { ...base, sentAt: nowIso(), outcome: 'delivered', to: to.email, smtpResponse: receipt.smtpResponse },
      }),
      (err: unknown): SendEnding => failedSendEnding(err, due, to.email),
    )
    .then((outcome) => {
      sends.delete(due.messageId);
      kase.clocks.finishSending(due.messageId, outcome);
    });
}

/** How a send that did not deliver ended: withdrawn (with a note saying why), or undeliverable for good. */
function failedSendEnding(err: unknown, due: DueMessage, to: string): SendEnding {
  // Withdrawn: cancelled between attempts, or an attempt under way failed after the request.
  if (isCancellation(err) || (err instanceof ActivityFailure && err.retryState === RetryState.CANCEL_REQUESTED)) {
    const at = nowIso();
    const summary = `${describeMessageKind(due)} to ${due.role} withdrawn before the mail server accepted it: no longer needed`;
    return { withdrawn: { at, recordedAt: at, by: 'caseclock', entry: 'message', summary } };
  }
  const permanent = err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.type === PERMANENT_REJECTION_TYPE;
  // Sends retry until they succeed or are refused for good; anything else is shown, never resent in a loop.
  if (!permanent) log.error('message send failed unexpectedly', { messageId: due.messageId, error: String(err) });
  else log.warn('message undeliverable', { messageId: due.messageId });
  const reason = whyActivityFailed(err);
  return { delivery: { ...deliveryBase(due), sentAt: nowIso(), outcome: 'undeliverable', to, reason } };
}

/**
 * A recorded send for `due`, if it can be one: no write under way or waiting for a person's entry
 * (those go at once, on their own), no other recorded send in flight, and a delivery id the store
 * takes. It carries the entries waiting now (most often the outcome that made the message due) and
 * the summary as it will stand once the message has gone; every attempt writes the same.
 */
function planRecordedSend(kase: CaseRecord, due: DueMessage, to: string, now: string, storing: StoreWriting): { record: RecordedSendInput['record']; batch?: StoreBatch; revision: number } | undefined {
  const { facts, outbox } = kase;
  if (storing.batch || storing.withSend || storing.pausedUntil !== undefined || kase.summaryWanted || !outbox.onlyClockEntriesWaiting) return undefined;
  const entryId = sentMessageEntryId(facts.subject, facts.caseId, due.messageId);
  if (entryId.length > MAX_ENTRY_ID_LENGTH || !/^[\x21-\x7E]+$/.test(entryId)) return undefined;
  const batch = outbox.nextBatch();
  const summary = caseSummaryOnceSent(kase, now, outbox.waiting - (batch?.entries.length ?? 0), due, to);
  storing.withSend = due.messageId;
  return {
    record: { subject: facts.subject, caseId: facts.caseId, entries: batch?.entries ?? [], delivery: { ...deliveryBase(due), to, entryId }, summary },
    ...(batch ? { batch } : {}),
    revision: kase.revision,
  };
}

/** The check's answer; an activity that fails or times out is "could not be checked", never a dropped escalation. */
async function checkedCaseSystem(caseId: string, personId: string, due: DueMessage): Promise<NonNullable<CaseMessage['caseSystem']>> {
  try {
    return await checkCaseSystem({ caseId, personId, ...(due.kind ? { obligationKind: due.kind } : {}) });
  } catch (err) {
    if (isCancellation(err)) throw err;
    return { checked: false, at: nowIso(), reason: 'the check did not answer' };
  }
}

/**
 * A reminder or escalation still in retry whose obligation has since been met, waived or
 * superseded is withdrawn: nobody should be told to do what is done. So is an escalation whose
 * level has been acknowledged meanwhile. Notices always go.
 */
function withdrawUnneeded(kase: CaseRecord, obligations: readonly Obligation[], sends: Map<string, CancellationScope>): void {
  if (sends.size === 0) return;
  for (const due of kase.clocks.inFlight()) {
    if (due.obligationId === undefined) continue;
    const obligation = obligations.find((o) => o.id === due.obligationId);
    const resolved = obligation !== undefined && obligation.status !== 'open';
    const acknowledged = due.type === 'escalation' && kase.facts.isAcknowledged(due.obligationId, due.level);
    if (resolved || acknowledged) sends.get(due.messageId)?.cancel();
  }
}

/**
 * Sends one due message and records the outcome; a message that can never go is shown, not
 * retried. Only the loop of cases started before INDEPENDENT_SENDS_PATCH uses it.
 */
async function deliver(kase: CaseRecord, due: DueMessage, now: string): Promise<void> {
  const { message, to } = messageFor(kase, due, now);
  const base = deliveryBase(due);
  if (!to) {
    kase.facts.recordDelivery({ ...base, sentAt: now, outcome: 'undeliverable', reason: `nobody is assigned as ${due.role}` });
    return;
  }
  try {
    const receipt = await deliverCaseMessage({ message, to });
    kase.facts.recordDelivery({ ...base, sentAt: nowIso(), outcome: 'delivered', to: to.email, smtpResponse: receipt.smtpResponse });
  } catch (err) {
    if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.type === PERMANENT_REJECTION_TYPE) {
      log.warn('message undeliverable', { messageId: due.messageId });
      kase.facts.recordDelivery({ ...base, sentAt: nowIso(), outcome: 'undeliverable', to: to.email, reason: err.cause.message });
      return;
    }
    throw err;
  }
}

/** What a run has sent as its search attributes: `sent` (values, for runs that upsert only what changed) or `last` (older runs: all five on any change). */
interface AttributeMemo {
  sent?: Partial<CaseAttributes>;
  last?: string;
}

/** Upserts the case's search attributes when they change. */
function syncSearchAttributes(kase: CaseRecord, now: string, memo: AttributeMemo): void {
  const values = caseAttributesAt(kase, now);
  if (memo.sent) {
    const sent = memo.sent;
    const changed = CASE_ATTRIBUTE_NAMES.filter((k) => sent[k] !== values[k]);
    if (changed.length === 0) return;
    memo.sent = values;
    upsertSearchAttributes(attributePairs(values, changed));
    return;
  }
  const key = JSON.stringify([kase.facts.tier, values.team, values.status, values.nextDueAt, values.overdueCount]);
  if (key === memo.last) return;
  memo.last = key;
  upsertSearchAttributes(attributePairs(values));
}
