/**
 * What the deadline engine answers: plain JSON only (it crosses the Temporal wire and is shown in
 * the console and in reports).
 */
import type { CaseFacts } from '../facts';
import type { LegalStatus, MeetingType, ObligationKind, PlacementType, RiskTier, StaffRole } from '../kinds';
import type { SuspendedClock } from './suspensions';
import type { Draft } from './ledger';
import type { ConferenceChange } from './meeting-preparation';
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

/**
 * A case's live state at an instant, as the engine needs it to go on from there: each family of
 * clocks' own state (the tier, whether a plan is active, the meetings still to come, how many
 * reviews are behind the child, ...), the occurrences still open, the holds that can still move a
 * deadline, the policy applications and the acknowledgements of open obligations. Evaluating
 * the events after `at` on top of it gives what evaluating every event would for everything open
 * after `at` (tests/domain/checkpoint.property.test.ts). Plain JSON, small, and no bigger with age.
 */
export interface CaseCheckpoint {
  /** Every event at or before this instant is folded in. */
  at: string;
  families: {
    tier: { tier?: RiskTier };
    childProtection: { planActive: boolean; icpcFromS47?: boolean; suspended?: SuspendedClock[] };
    preparation: { meetings: Array<{ meetingId: string; type: MeetingType; at: string; met: ObligationKind[] }> };
    lookedAfter: {
      lookedAfter: boolean;
      reviewsDone: number;
      placementStart?: string;
      placementType?: PlacementType;
      legalStatus?: LegalStatus;
      lastVisitAt?: string;
      suspended?: SuspendedClock[];
    };
  };
  /** Occurrences open at `at`, with the family that keeps them. */
  open: Array<{ family: FamilyName; draft: Draft }>;
  /** Ids given by the facts (a complaint, an incident, a meeting) already used: never opened twice. */
  namedIds: string[];
  /** Conference changes whose notices had not all gone at `at`. */
  changes: ConferenceChange[];
  /** Holds still in force at `at`, or that paused an open occurrence. */
  holds: Array<{ holdId: string; kind?: ObligationKind; start: string; end?: string }>;
  /** Every policy applied after the first, in order. */
  applications: Array<{ at: string; policyVersion: string; mode: 'forward' | 'recompute' }>;
  /** Escalation levels acknowledged, for open occurrences. */
  acknowledged: Record<string, number[]>;
}

export type FamilyName = 'tier' | 'childProtection' | 'preparation' | 'seriousIncident' | 'missing' | 'referral' | 'lookedAfter' | 'complaints';

export interface EvaluateCaseInput {
  /** Where to go on from: the facts then hold only events after `checkpoint.at`. */
  checkpoint?: CaseCheckpoint;
  facts: CaseFacts;
  /** The first is the snapshot the case started with; later ones are named by `policy-applied`. */
  policies: readonly PolicySnapshot[];
  /** The current instant (workflow time). */
  now: string;
}
