/**
 * Helpers for the deadline-engine tests: a case built from events, and event constructors in the
 * social-care vocabulary. Every instant in the tests is written by hand.
 */
import { evaluateCase, type CaseEvaluation, type DueMessage } from '../../domain/engine';
import type { CaseEvent } from '../../domain/facts';
import type { LegalStatus, MeetingType, ObligationKind, PlacementType, RiskTier } from '../../domain/kinds';
import { FROZEN_POLICIES } from '../../domain/policies/frozen';
import type { Overlay, PolicySnapshot } from '../../domain/policy';
import { loadDefaultSnapshot, loadShippedPolicy } from '../../domain/policy-loader';
import { snapshotPolicy } from '../../domain/policy';
import { WorkingDayCalendar } from '../../domain/calendar';

export const CASE_ID = 'CASE-1';

function frozenSnapshot(id: string, version: string): PolicySnapshot {
  const entry = FROZEN_POLICIES.find((p) => p.id === id && p.version === version);
  if (!entry) throw new Error(`no frozen ${id}@${version}`);
  return entry.snapshot;
}
export const NATIONAL: PolicySnapshot = loadDefaultSnapshot();
/** The national version before conventions 2, as cases opened on it keep counting. */
export const NATIONAL_2026_1: PolicySnapshot = frozenSnapshot('national', '2026.1');
export const WORCESTERSHIRE_2020_06: PolicySnapshot = frozenSnapshot('worcestershire-phase2', '2020.06');
const worcestershire = loadShippedPolicy('worcestershire-phase2');
export const WORCESTERSHIRE: PolicySnapshot = snapshotPolicy(worcestershire, WorkingDayCalendar.englandAndWales());

/** The national baseline with one overlay added, as a council's own protocol with an end date would be. */
export function withOverlay(version: string, overlay: Partial<Overlay> & Pick<Overlay, 'rules'>, base: PolicySnapshot = NATIONAL): PolicySnapshot {
  const copy = JSON.parse(JSON.stringify(base)) as PolicySnapshot;
  copy.version = version;
  copy.overlays = [
    ...copy.overlays,
    {
      id: 'phase2',
      name: 'Phase 2 protocol',
      basis: { type: 'local-protocol', reference: 'Phase 2 protocol, section 3a: review conferences replaced by eight-weekly core groups' },
      startDate: '2026-06-01',
      endDate: '2026-08-31',
      ...overlay,
    },
  ];
  return copy;
}

/** A later national version with a weekly KIT call, for policy-applied tests. */
export function nationalWith(version: string, change: (baseline: PolicySnapshot['baseline']) => void): PolicySnapshot {
  const copy = JSON.parse(JSON.stringify(NATIONAL)) as PolicySnapshot;
  copy.version = version;
  change(copy.baseline);
  return copy;
}

const by = 'worker-1';
export const tierSet = (at: string, tier: RiskTier): CaseEvent => ({ type: 'tier-set', at, by, tier, reason: 'rated by the team manager' });
export const visit = (at: string): CaseEvent => ({ type: 'contact', at, by, contactType: 'visit' });
export const kitCall = (at: string): CaseEvent => ({ type: 'contact', at, by, contactType: 'kit-call' });
export const otherContact = (at: string): CaseEvent => ({ type: 'contact', at, by, contactType: 'other' });
export const strategyDiscussion = (at: string): CaseEvent => ({ type: 'strategy-discussion', at, by });
export const meetingHeld = (at: string, meetingType: MeetingType, outcome?: 'cp-plan' | 'no-plan' | 'plan-ended', meetingId?: string): CaseEvent => ({
  type: 'meeting-held',
  at,
  by,
  meetingType,
  ...(outcome ? { outcome } : {}),
  ...(meetingId ? { meetingId } : {}),
});
export const meetingScheduled = (at: string, meetingId: string, meetingType: MeetingType, scheduledFor: string): CaseEvent => ({
  type: 'meeting-scheduled',
  at,
  by,
  meetingId,
  meetingType,
  scheduledFor,
});
export const meetingPostponed = (at: string, meetingId: string, newDate: string): CaseEvent => ({
  type: 'meeting-postponed',
  at,
  by,
  meetingId,
  newDate,
  reason: 'not quorate',
});
export const meetingCancelled = (at: string, meetingId: string): CaseEvent => ({ type: 'meeting-cancelled', at, by, meetingId, reason: 'threshold no longer met' });
export const preMeetingHeld = (at: string, meetingId: string): CaseEvent => ({ type: 'pre-meeting-held', at, by, meetingId });
export const iroReportSubmitted = (at: string, meetingId: string): CaseEvent => ({ type: 'report-submitted', at, by, reportType: 'iro-report', meetingId });
export const incidentReported = (at: string, incidentId: string): CaseEvent => ({ type: 'incident-reported', at, by, incidentId });
export const incidentNotified = (at: string, incidentId: string): CaseEvent => ({ type: 'incident-notified', at, by, incidentId });
export const rapidReviewCompleted = (at: string, incidentId: string): CaseEvent => ({ type: 'rapid-review-completed', at, by, incidentId });
export const childReturned = (at: string): CaseEvent => ({ type: 'child-returned', at, by });
export const returnInterviewHeld = (at: string): CaseEvent => ({ type: 'return-interview-held', at, by });
export const referralReceived = (at: string): CaseEvent => ({ type: 'referral-received', at, by });
export const referralDecided = (at: string): CaseEvent => ({ type: 'referral-decided', at, by });
export const assessmentCompleted = (at: string): CaseEvent => ({ type: 'assessment-completed', at, by });
export const lookedAfterStarted = (at: string): CaseEvent => ({ type: 'looked-after-started', at, by });
export const lookedAfterEnded = (at: string): CaseEvent => ({ type: 'looked-after-ended', at, by });
export const placementStarted = (at: string, placementId = 'placement-1', kind: { placementType?: PlacementType; legalStatus?: LegalStatus } = {}): CaseEvent => ({
  type: 'placement-started',
  at,
  by,
  placementId,
  ...kind,
});
export const complaintReceived = (at: string, complaintId: string, stage: 1 | 2 | 3): CaseEvent => ({ type: 'complaint-received', at, by, complaintId, stage });
export const complaintResponded = (at: string, complaintId: string, stage: 1 | 2 | 3): CaseEvent => ({ type: 'complaint-responded', at, by, complaintId, stage });
export const complaintPanelHeld = (at: string, complaintId: string): CaseEvent => ({ type: 'complaint-panel-held', at, by, complaintId });
export const complaintPanelReported = (at: string, complaintId: string): CaseEvent => ({ type: 'complaint-panel-reported', at, by, complaintId });
export const strategyDiscussionS47 = (at: string, s47Started: boolean): CaseEvent => ({ type: 'strategy-discussion', at, by, s47Started });
export const cicReviewHeld = (at: string, reviewNumber?: number): CaseEvent => ({ type: 'meeting-held', at, by, meetingType: 'cic-review', ...(reviewNumber === undefined ? {} : { reviewNumber }) });
export const complaintExtended = (at: string, complaintId: string, stage: 1 | 2): CaseEvent => ({
  type: 'complaint-extended',
  at,
  by,
  complaintId,
  stage,
  reason: 'complex complaint',
});
export const waived = (at: string, obligationId: string): CaseEvent => ({ type: 'obligation-waived', at, by: 'manager-1', obligationId, reason: 'agreed by the team manager' });
export const holdStarted = (at: string, holdId: string, kind?: ObligationKind): CaseEvent => ({
  type: 'hold-started',
  at,
  by,
  holdId,
  ...(kind ? { kind } : {}),
  reason: 'child in hospital',
});
export const holdEnded = (at: string, holdId: string): CaseEvent => ({ type: 'hold-ended', at, by, holdId });
export const acknowledged = (at: string, obligationId: string, level: number): CaseEvent => ({
  type: 'escalation-acknowledged',
  at,
  by: 'head-1',
  obligationId,
  level,
});
export const policyApplied = (at: string, policyVersion: string, mode: 'forward' | 'recompute'): CaseEvent => ({
  type: 'policy-applied',
  at,
  by: 'admin-1',
  policyVersion,
  mode,
});
export const caseClosed = (at: string): CaseEvent => ({ type: 'case-closed', at, by, reason: 'no further action' });

export interface EvaluateOptions {
  sent?: string[];
  policies?: PolicySnapshot[];
  openedAt?: string;
}

export function evaluate(events: CaseEvent[], now: string, options: EvaluateOptions = {}): CaseEvaluation {
  return evaluateCase({
    facts: {
      caseId: CASE_ID,
      openedAt: options.openedAt ?? '2015-01-01T00:00:00.000Z',
      events,
      sent: (options.sent ?? []).map((messageId) => ({ messageId, sentAt: now })),
    },
    policies: options.policies ?? [NATIONAL],
    now,
  });
}

export function obligation(evaluation: CaseEvaluation, id: string) {
  const found = evaluation.obligations.find((o) => o.id === id);
  if (!found) throw new Error(`no obligation ${id}; have ${evaluation.obligations.map((o) => o.id).join(', ')}`);
  return found;
}

export function messagesFor(evaluation: CaseEvaluation, obligationId: string): DueMessage[] {
  return evaluation.messagesDue.filter((m) => m.obligationId === obligationId);
}

export const escalationId = (obligationId: string, level: number, repeat: number) => `${CASE_ID}/${obligationId}/escalation/L${level}/${repeat}`;
export const reminderId = (obligationId: string, offset: string) => `${CASE_ID}/${obligationId}/reminder/${offset}`;

/** One millisecond after an instant. */
export const justAfter = (instant: string) => new Date(Date.parse(instant) + 1).toISOString();
/** One millisecond before an instant. */
export const justBefore = (instant: string) => new Date(Date.parse(instant) - 1).toISOString();
