/**
 * What the deadline engine answers: plain JSON only (it crosses the Temporal wire and is shown in
 * the console and in reports).
 */
import type { CaseFacts } from '../facts';
import type { ObligationKind, StaffRole } from '../kinds';
import type { Basis, PolicySnapshot } from '../policy';

export type ObligationStatus = 'open' | 'met' | 'waived' | 'superseded';

/** One occurrence of an obligation on a case. */
export interface Obligation {
  /** Stable: the same facts always give the same id, e.g. `kit-call@2026-03-02T10:00:00.000Z`. */
  id: string;
  kind: ObligationKind;
  title: string;
  basis: Basis;
  triggeredAt: string;
  dueAt: string;
  status: ObligationStatus;
  /** A hold is in force on it now: no reminders or escalations until it ends. */
  onHold: boolean;
  resolvedAt?: string;
  /** Met after its deadline by this many milliseconds. */
  lateByMs?: number;
  meetingId?: string;
  complaintId?: string;
  incidentId?: string;
  /** Version of the policy snapshot its deadline was computed under. */
  policyVersion: string;
  /** Highest escalation level reached so far (0: none). */
  escalationLevel: number;
}

export type MessageType = 'reminder' | 'escalation' | 'notice';

/** A message the case should send now. */
export interface DueMessage {
  /** Stable; never asked for again once it is in facts.sent. */
  messageId: string;
  obligationId?: string;
  kind?: ObligationKind;
  type: MessageType;
  /** Escalation level (0 for reminders and notices). */
  level: number;
  /** Which repeat of that escalation level (0: the first). */
  repeat: number;
  role: StaffRole;
  sendAt: string;
  dueAt?: string;
  meetingId?: string;
  /** For notices: what happened ('meeting-postponed' or 'meeting-cancelled'). */
  notice?: 'meeting-postponed' | 'meeting-cancelled';
}

export interface CaseEvaluation {
  /** Every occurrence, including met, waived and superseded ones, by deadline. */
  obligations: Obligation[];
  /** The open ones (on hold included). */
  open: Obligation[];
  /** Messages whose time has come (sendAt <= now) and that are not in facts.sent. */
  messagesDue: DueMessage[];
  /** Strictly after now: the earliest future reminder, deadline or escalation; null when nothing is pending. */
  nextWakeAt: string | null;
  /** Open, not on hold, and past their deadline. */
  overdueCount: number;
  /** The earliest deadline among open obligations not on hold (in the past when overdue), or null. */
  nextDueAt: string | null;
  /** Facts the engine could not use (e.g. a policy version it was not given); never thrown. */
  warnings: string[];
}

export interface EvaluateCaseInput {
  facts: CaseFacts;
  /** The first is the snapshot the case started with; later ones are named by `policy-applied`. */
  policies: readonly PolicySnapshot[];
  /** The current instant (workflow time). */
  now: string;
}
