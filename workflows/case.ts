/**
 * One durable workflow per case, for its whole life. It registers its handlers, then loops:
 * ask the engine what is due, send it, keep the search attributes current, and sleep until the
 * engine's next instant or a new message. Business rules live in domain/; this is the thin loop.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { NotificationActivities } from '../activities/notifications';
import { PERMANENT_REJECTION_TYPE } from '../activities/failure-types';
import { describeProblems } from '../domain/consistency';
import type { DueMessage } from '../domain/engine';
import { CaseEvent } from '../domain/facts';
import { PolicySnapshotSchema } from '../domain/policy';
import { CaseRecord } from './case-record';
import {
  ApplyPolicyInput,
  applyPolicyUpdate,
  type CaseState,
  type CaseWorkflowInput,
  type Delivery,
  obligationsQuery,
  ReassignInput,
  reassignUpdate,
  recordEventUpdate,
  stateQuery,
  timelineQuery,
  UpdateDetailsInput,
  updateDetailsUpdate,
} from './messages';
import {
  NextDueAtAttribute,
  OverdueCountAttribute,
  RiskTierAttribute,
  StatusAttribute,
  TeamAttribute,
} from './search-attributes';
import { acceptedInput, parseOrFail } from './validation';

const { deliverCaseMessage } = proxyActivities<NotificationActivities>({
  startToCloseTimeout: '1 minute',
  // A worker killed mid-send is noticed this soon (the activity heartbeats every few seconds),
  // and the message is retried on another worker with the same Message-ID.
  heartbeatTimeout: '15 seconds',
  // SMTP outages are retried for as long as they last (with backoff); a 5xx refusal is final.
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

/** Continue-as-new well before Temporal's limits; a case lives for years. */
const HISTORY_EVENTS_LIMIT = 5_000;

const nowIso = (): string => new Date().toISOString();

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

  setHandler(stateQuery, () => kase.state(nowIso()));
  setHandler(obligationsQuery, () => kase.evaluate(nowIso()).obligations);
  setHandler(timelineQuery, () => kase.timeline());

  setHandler(
    recordEventUpdate,
    (raw) => {
      const event = acceptedInput(CaseEvent, raw);
      kase.recordEvent(event, nowIso());
      return kase.state(nowIso());
    },
    {
      validator: (raw) => {
        const event = parseOrFail(CaseEvent, raw, 'recordEvent');
        const problems = kase.problemsWith(event, nowIso());
        if (problems.length > 0) throw new Error(`recordEvent refused: ${describeProblems(problems)}`);
      },
    },
  );

  setHandler(
    updateDetailsUpdate,
    (raw) => {
      const { details, by } = acceptedInput(UpdateDetailsInput, raw);
      const now = nowIso();
      kase.recordNote({ at: now, recordedAt: now, by, entry: 'details', summary: 'Case details and contacts updated' }, () => {
        kase.details = details;
      });
      return kase.state(now);
    },
    {
      validator: (raw) => {
        const { details } = parseOrFail(UpdateDetailsInput, raw, 'updateDetails');
        if (details.reference !== kase.details.reference)
          throw new Error('updateDetails refused: details.reference: a case keeps its reference');
        if (kase.closed) throw new Error('updateDetails refused: the case is closed');
      },
    },
  );

  setHandler(
    reassignUpdate,
    (raw) => {
      const { role, contact, by } = acceptedInput(ReassignInput, raw);
      const now = nowIso();
      kase.recordNote({ at: now, recordedAt: now, by, entry: 'details', summary: `${role} reassigned` }, () => {
        kase.details = { ...kase.details, contacts: { ...kase.details.contacts, [role]: contact } };
      });
      return kase.state(now);
    },
    {
      validator: (raw) => {
        parseOrFail(ReassignInput, raw, 'reassign');
        if (kase.closed) throw new Error('reassign refused: the case is closed');
      },
    },
  );

  setHandler(
    applyPolicyUpdate,
    (raw) => {
      const { mode, by } = acceptedInput(ApplyPolicyInput, raw);
      const snapshot = acceptedInput(PolicySnapshotSchema, raw.snapshot);
      const now = nowIso();
      kase.addPolicy(snapshot);
      kase.recordEvent({ type: 'policy-applied', at: now, by, policyVersion: snapshot.version, mode }, now);
      return kase.state(now);
    },
    {
      validator: (raw) => {
        parseOrFail(ApplyPolicyInput, raw, 'applyPolicy');
        parseOrFail(PolicySnapshotSchema, raw.snapshot, 'applyPolicy.snapshot');
        if (kase.closed) throw new Error('applyPolicy refused: the case is closed');
      },
    },
  );

  const historyLimit = input.historyLimit ?? HISTORY_EVENTS_LIMIT;
  const attributesSent: { last?: string } = {};
  const warned = new Set<string>();
  for (;;) {
    const now = nowIso();
    const evaluation = kase.evaluate(now);
    for (const warning of evaluation.warnings) {
      if (warned.has(warning)) continue;
      warned.add(warning);
      log.warn('case needs attention', { caseId: kase.caseId, warning });
    }
    if (evaluation.messagesDue.length > 0) {
      await Promise.all(evaluation.messagesDue.map((due) => deliver(kase, due, now)));
    }
    syncSearchAttributes(kase, now, attributesSent);
    if (kase.closed && kase.evaluate(nowIso()).messagesDue.length === 0) break;

    const info = workflowInfo();
    if (info.continueAsNewSuggested || info.historyLength > historyLimit) {
      // Let running update handlers finish so no accepted update is lost across the boundary.
      await condition(allHandlersFinished);
      await continueAsNew<typeof caseWorkflow>({ ...kase.toInput(), ...(input.historyLimit ? { historyLimit } : {}) });
    }

    kase.changed = false;
    const wakeAt = kase.evaluate(nowIso()).nextWakeAt;
    if (wakeAt === null) await condition(() => kase.changed);
    else await condition(() => kase.changed, Math.max(1, Date.parse(wakeAt) - Date.now()));
  }
  await condition(allHandlersFinished);
  return kase.state(nowIso());
}

/** Sends one due message and records the outcome; a message that can never go is shown, not retried. */
async function deliver(kase: CaseRecord, due: DueMessage, now: string): Promise<void> {
  const { message, to } = kase.messageFor(due, now);
  const base: Omit<Delivery, 'outcome' | 'sentAt'> = {
    messageId: due.messageId,
    type: due.type,
    level: due.level,
    role: due.role,
    ...(due.obligationId ? { obligationId: due.obligationId } : {}),
    ...(due.kind ? { kind: due.kind } : {}),
  };
  if (!to) {
    kase.recordDelivery({ ...base, sentAt: now, outcome: 'undeliverable', reason: `nobody is assigned as ${due.role}` });
    return;
  }
  try {
    const receipt = await deliverCaseMessage({ message, to });
    kase.recordDelivery({ ...base, sentAt: nowIso(), outcome: 'delivered', to: to.email, smtpResponse: receipt.smtpResponse });
  } catch (err) {
    if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.type === PERMANENT_REJECTION_TYPE) {
      log.warn('message undeliverable', { messageId: due.messageId });
      kase.recordDelivery({ ...base, sentAt: nowIso(), outcome: 'undeliverable', to: to.email, reason: err.cause.message });
      return;
    }
    throw err;
  }
}

/** Upserts the case's search attributes when they change (memo holds the last values sent). */
function syncSearchAttributes(kase: CaseRecord, now: string, memo: { last?: string }): void {
  const state = kase.state(now);
  const status = state.status === 'closed' ? 'closed' : state.overdueCount > 0 ? 'overdue' : 'open';
  const key = JSON.stringify([state.tier, kase.details.team, status, state.nextDueAt, state.overdueCount]);
  if (key === memo.last) return;
  memo.last = key;
  upsertSearchAttributes([
    { key: RiskTierAttribute, value: state.tier ?? 'UNRATED' },
    { key: TeamAttribute, value: kase.details.team },
    { key: StatusAttribute, value: status },
    { key: NextDueAtAttribute, value: state.nextDueAt ? new Date(state.nextDueAt) : null },
    { key: OverdueCountAttribute, value: state.overdueCount },
  ]);
}
