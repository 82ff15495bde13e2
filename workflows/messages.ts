/**
 * The contract of the case and incident workflows: task queue, workflow ids, and every update and
 * query with its input and result types. Worker, client and console import it; no name is typed twice.
 *
 * Workflow-safe: imported by workflow code, so no Node built-ins here, and no zod: the input
 * schemas are in ./inputs.ts, which workflow code loads only to validate an update.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { CaseCheckpoint, CaseEvaluation, DueMessage, Obligation } from '../domain/engine';
import type { EarlierFacts } from '../domain/settled';
import type { CaseEvent, SentMessage } from '../domain/facts';
import type { RiskTier } from '../domain/kinds';
import type { PolicySnapshot } from '../domain/policy';
import type { PolicyRef } from '../domain/policy-library';
import type { CaseRecordEntryDraft } from '../activities/case-record';
import type { CaseDetails, CaseNoteInput, MoveTeamInput, ReassignInput, UpdateDetailsInput } from './inputs';

export type { CaseContacts, CaseDetails, CaseNoteInput, MoveTeamInput, OpenCaseInput, ReassignInput, ReportIncidentInput, StaffContact, UpdateDetailsInput } from './inputs';

export const TASK_QUEUE = 'caseclock';

/**
 * The `ApplicationFailure` type of every refusal by a case or incident workflow (bad input, or an
 * event that does not fit the case). Its first detail is a `CaseRefusal`, so clients show each
 * problem by its field without parsing the message.
 */
export const CASE_REFUSED_TYPE = 'CaseRefused';

/** One thing wrong with a refused input: the input field at fault (`''`: the input as a whole) and why. */
export interface RefusalProblem {
  field: string;
  message: string;
}

/** The details of a `CASE_REFUSED_TYPE` failure. */
export interface CaseRefusal {
  problems: RefusalProblem[];
}

export const caseWorkflowId = (caseId: string): string => `case:${caseId}`;
export const incidentWorkflowId = (incidentId: string): string => `incident:${incidentId}`;

/** One thing that happened on a case, or one message sent: what the timeline query returns. */
export interface TimelineEntry {
  /** The entry's id in the case-record store (absent on entries of runs that keep no store record). */
  entryId?: string;
  at: string;
  /** Workflow time when it was recorded. */
  recordedAt: string;
  by: string;
  entry: 'event' | 'message' | 'details' | 'policy';
  summary: string;
  event?: CaseEvent;
  delivery?: Delivery;
}

/** The proof of a message sent: the SMTP server's answer, or why it could not be delivered. */
export interface Delivery extends SentMessage {
  type: 'reminder' | 'escalation' | 'notice';
  level: number;
  role: string;
  obligationId?: string;
  kind?: string;
  /** 'delivered': the SMTP server accepted it; 'undeliverable': it never can be (shown in the console). */
  outcome: 'delivered' | 'undeliverable';
  /** Recipient address, or absent when the role has nobody assigned. */
  to?: string;
  smtpResponse?: string;
  reason?: string;
  /**
   * The id its entry was stored under by the send itself (a recorded send, see case.ts), fixed when
   * the send was scheduled; absent, the entry is numbered by its place in the case's list.
   */
  entryId?: string;
}

/** What a delivery record says about a due message, before its outcome is known. */
export function deliveryBase(due: DueMessage): Omit<Delivery, 'outcome' | 'sentAt'> {
  return {
    messageId: due.messageId,
    type: due.type,
    level: due.level,
    role: due.role,
    ...(due.obligationId ? { obligationId: due.obligationId } : {}),
    ...(due.kind ? { kind: due.kind } : {}),
  };
}

/** "Reminder", "Notice" or "Escalation level N": how the timeline and the console name a message. */
export function describeMessageKind(m: { type: Delivery['type']; level: number }): string {
  return m.type === 'reminder' ? 'Reminder' : m.type === 'notice' ? 'Notice' : `Escalation level ${m.level}`;
}

/** How the timeline names a delivery: what was sent to whom, or why it could not go. */
export function describeDelivery(d: Delivery): string {
  const what = describeMessageKind(d);
  return d.outcome === 'delivered' ? `${what} sent to ${d.role}${d.kind ? ` (${d.kind})` : ''}` : `${what} to ${d.role} could not be delivered: ${d.reason ?? 'unknown reason'}`;
}

/**
 * A delivery as the case-record store keeps it, under `entryId`: the one shape, whether the case
 * writes it or the send that delivered it does (the store compares the two by content).
 */
export function deliveryRecordEntry(subject: 'case' | 'incident', caseId: string, entryId: string, delivery: Delivery): CaseRecordEntryDraft {
  return { caseId, subject, entryId, kind: 'message', at: delivery.sentAt, recordedAt: delivery.sentAt, by: 'caseclock', summary: describeDelivery(delivery), data: { delivery } };
}

/** The store id of a message's delivery written by its own send: by the message's id, never its place in a list. */
export function sentMessageEntryId(subject: 'case' | 'incident', caseId: string, messageId: string): string {
  return `${subject}:${caseId}:sent:${messageId}`;
}

/** An event as stored on the case: what happened, plus when it was recorded (workflow time). */
export type RecordedEvent = CaseEvent & { recordedAt?: string };

/** Who the SSD sync records events as, on every case's timeline. */
export const SSD_SYNC_USER = 'ssd-sync';

/** Where a case comes from when CaseClock follows the council's case system: the SSD's person id. */
export interface CaseSource {
  system: 'ssd';
  personId: string;
}

/** Everything a case workflow carries, including across continue-as-new: plain JSON only. */
export interface CaseWorkflowInput {
  /** 'case' (default) or a serious 'incident', which keeps only the incident clocks. */
  subject?: 'case' | 'incident';
  /** For an incident: the case it concerns, where there is one. */
  linkedCaseId?: string;
  /** The case id (for an incident, the incident id). */
  caseId: string;
  details: CaseDetails;
  openedAt: string;
  openedBy: string;
  /** The case system's child this case follows (opened by the SSD sync); absent for cases opened in CaseClock. */
  source?: CaseSource;
  /**
   * Policy versions frozen into the case: the first it started with, then each applied version.
   * A version in the policy library travels as its reference (id, version, content hash); any
   * other as the whole snapshot.
   */
  policies: Array<PolicySnapshot | PolicyRef>;
  events: RecordedEvent[];
  deliveries: Delivery[];
  /** Changes to details and contacts, for the timeline. */
  notes: TimelineEntry[];
  /** How much of this record the case-record store already holds; absent until the case first writes to it. */
  stored?: StoredMarks;
  /**
   * The case's live state up to an instant: events at or before it are settled into it and no
   * longer carried (they are in the case-record store). Absent until the case first settles.
   */
  checkpoint?: CaseCheckpoint;
  /** What the consistency rules still need of the settled events. */
  earlierFacts?: EarlierFacts;
  /** The store numbering of the first entry of each list (entries settled before it are not carried). */
  entryBase?: { events: number; deliveries: number; notes: number };
  /** Obligation outcomes noted and not yet stored. */
  outcomesToStore?: ObligationOutcome[];
  /** Continue-as-new after this many history events (tests set it low). */
  historyLimit?: number;
  /** The code the run was begun with (CASE_CODE in workflows/patches.ts); absent for runs begun before it. */
  code?: number;
}

/**
 * Where the case-record store has caught up to: counts of the case's events, deliveries and notes
 * it holds (each list only ever grows), how many outcome entries were written, and the last
 * outcome written for each obligation (status and deadline), so each change is written once.
 */
export interface StoredMarks {
  events: number;
  deliveries: number;
  notes: number;
  outcomes: number;
  lastOutcome: Record<string, string>;
}

/** An obligation's state when it changed, for the case record and the reports read from it. */
export interface ObligationOutcome {
  at: string;
  recordedAt: string;
  team: string;
  tier: string;
  obligation: Pick<Obligation, 'id' | 'kind' | 'title' | 'triggeredAt' | 'dueAt' | 'status' | 'lateByMs' | 'resolvedAt'>;
}

export interface CaseState {
  subject: 'case' | 'incident';
  linkedCaseId?: string;
  caseId: string;
  details: CaseDetails;
  openedAt: string;
  status: 'open' | 'closed';
  tier: RiskTier | null;
  policyVersion: string;
  open: Obligation[];
  overdueCount: number;
  nextDueAt: string | null;
  nextWakeAt: string | null;
  undeliverable: Delivery[];
  /**
   * Messages whose send has started and not yet ended: usually for a moment, for longer while the
   * mail server is failing and Temporal retries them. Absent from cases running older code.
   */
  sending?: Array<{ messageId: string; type: Delivery['type']; level: number; role: string; sendAt: string }>;
  /**
   * Entries of the case's record the case-record store does not hold yet: usually none, more
   * while the store is down (they wait in the case, nothing is lost). Absent from older runs.
   */
  waitingForStore?: number;
  /**
   * The timeline entries the case-record store does not hold yet, with their store ids: readers
   * show the store's timeline with these added, so a change shows at once. Absent from older runs.
   */
  notYetInRecord?: TimelineEntry[];
  /**
   * Facts the engine could not use (e.g. a date beyond the bank-holiday calendar frozen into the
   * case): shown to staff and logged, never silently dropped.
   */
  warnings: string[];
}

/**
 * The case's summary in the case-record store (store/case-summary.ts), as the workflow writes it: the state query's answer as of the write, without the
 * entries themselves it has not yet written (their count stays), and when it was written.
 */
export type CaseSummary = Omit<CaseState, 'notYetInRecord' | 'waitingForStore' | 'sending' | 'open'> & {
  /** The open obligations, each escalated one with the role (and address) its last escalation went to. */
  open: Array<CaseState['open'][number] & { escalatedTo?: { role: string; to?: string } }>;
  /** Entries of the case's record the store does not hold after this write (0 when caught up). */
  waitingForStore: number;
  sending: NonNullable<CaseState['sending']>;
  /** Workflow time of the write. */
  writtenAt: string;
};

/**
 * What an update answers: where the case stands after the change. Each answer is kept in the
 * case's history, so it is a few hundred bytes, never the whole state; a reader that needs more
 * asks the state query or the case-record store.
 */
export interface CaseAnswer {
  caseId: string;
  status: 'open' | 'closed';
  tier: RiskTier | null;
  openCount: number;
  overdueCount: number;
  nextDueAt: string | null;
  /** Entries the case-record store does not hold yet (absent from runs that keep no record there). */
  waitingForStore?: number;
  warnings: string[];
}

/** Runs started before SMALL_UPDATE_ANSWER_PATCH answer with the whole state; both read as a CaseAnswer. */
export type UpdateAnswer = CaseAnswer | CaseState;

export function answerFrom(answer: UpdateAnswer): CaseAnswer {
  if (!('open' in answer)) return answer;
  return {
    caseId: answer.caseId,
    status: answer.status,
    tier: answer.tier,
    openCount: answer.open.length,
    overdueCount: answer.overdueCount,
    nextDueAt: answer.nextDueAt,
    ...(answer.waitingForStore !== undefined ? { waitingForStore: answer.waitingForStore } : {}),
    warnings: answer.warnings,
  };
}

// --- Updates: each validated (zod + case consistency) before anything reaches history ---------

/** Record anything that happened on the case (visit, KIT call, meeting, report, waiver, hold, ...). */
export const recordEventUpdate = defineUpdate<UpdateAnswer, [CaseEvent]>('recordEvent');

export const updateDetailsUpdate = defineUpdate<UpdateAnswer, [UpdateDetailsInput]>('updateDetails');

export const reassignUpdate = defineUpdate<UpdateAnswer, [ReassignInput]>('reassign');

/** The case moves to another team, with the roles that change with it; every other role stays (the SSD sync follows a transfer). */
export const moveTeamUpdate = defineUpdate<UpdateAnswer, [MoveTeamInput]>('moveTeam');

/** A note on the timeline that changes no clock (the SSD sync notes the case system's corrections and removals). */
export const recordNoteUpdate = defineUpdate<UpdateAnswer, [CaseNoteInput]>('recordNote');

/**
 * The case writes its summary to the store at once, with whatever entries are waiting: for cases
 * begun before summaries, which otherwise write one only at their next change.
 */
export const writeSummaryUpdate = defineUpdate<UpdateAnswer, [{ by: string }]>('writeSummary');

export type ApplyPolicyInput = { snapshot: PolicySnapshot; mode: 'forward' | 'recompute'; by: string };
export const applyPolicyUpdate = defineUpdate<UpdateAnswer, [ApplyPolicyInput]>('applyPolicy');

// --- Queries --------------------------------------------------------------------------------

export const stateQuery = defineQuery<CaseState>('state');
export const obligationsQuery = defineQuery<CaseEvaluation['obligations']>('obligations');
export const timelineQuery = defineQuery<TimelineEntry[]>('timeline');
