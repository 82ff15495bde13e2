/**
 * Case facts: the append-only record of what happened on a case. The deadline engine is a pure
 * function of these facts, the case's policy snapshot and the current instant, so the case
 * workflow only has to keep this record and ask the engine what is due.
 *
 * Everything here is plain JSON (ISO strings, arrays, objects) because it crosses the Temporal
 * wire and is replayed from history.
 */
import { z } from 'zod';
import { ContactType, LegalStatus, MeetingType, ObligationKind, PlacementType, ReportType, RiskTier, type StaffRole } from './kinds';

/** Earliest and latest instants CaseClock accepts: refuses typos such as year 20025. */
export const EARLIEST_INSTANT = '2000-01-01T00:00:00.000Z';
export const LATEST_INSTANT = '2100-01-01T00:00:00.000Z';

/**
 * An instant with an explicit offset (Z or ±hh:mm), normalised to UTC with milliseconds.
 * Refuses local times without offset: they are ambiguous across the clock change.
 */
export const IsoInstant = z
  .string()
  .max(40)
  .pipe(z.iso.datetime({ offset: true, error: 'must be an ISO-8601 instant with an offset, e.g. 2026-03-28T20:30:00Z' }))
  .transform((s) => new Date(s).toISOString())
  .refine((s) => s >= EARLIEST_INSTANT && s < LATEST_INSTANT, {
    error: `must be between ${EARLIEST_INSTANT.slice(0, 4)} and ${LATEST_INSTANT.slice(0, 4)}`,
  });
export type IsoInstant = string;

/** Plain text typed by staff: bounded, no control characters (newlines and tabs allowed). */
export const FreeText = (max = 2000) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    // C0 and C1 controls (U+009B is an 8-bit terminal escape) and bidi overrides that can disguise text.
    .refine(
      // eslint-disable-next-line no-control-regex
      (s) => !/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/.test(s),
      'must not contain control characters',
    );

/** Identifiers that end up in workflow ids, URLs and message ids: no path or query syntax. */
export const SafeId = z
  .string()
  .min(1, 'must not be empty')
  .max(64, 'must be at most 64 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'may contain only letters, digits, dot, dash and underscore');

/** An obligation id as the engine makes them: `kind@trigger-instant` and similar, nothing else. */
export const ObligationId = z
  .string()
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters')
  .regex(/^[a-z0-9-]+@[A-Za-z0-9._:@+-]+$/, 'must be an obligation id such as kit-call@2026-03-20T10:00:00.000Z');

/** Staff user id of whoever made a change (every change records who made it). */
export const UserId = SafeId;

const base = {
  /** When it happened in the world (not when it was typed in). */
  at: IsoInstant,
  /** Who recorded it. */
  by: UserId,
};

export const TierSet = z.object({ type: z.literal('tier-set'), ...base, tier: RiskTier, reason: FreeText() });
export const ContactRecorded = z.object({
  type: z.literal('contact'),
  ...base,
  contactType: ContactType,
  /** Whether the child was seen alone (visits). */
  childSeenAlone: z.boolean().optional(),
});
export const MeetingScheduled = z.object({
  type: z.literal('meeting-scheduled'),
  ...base,
  meetingId: SafeId,
  meetingType: MeetingType,
  scheduledFor: IsoInstant,
});
export const MeetingPostponed = z.object({
  type: z.literal('meeting-postponed'),
  ...base,
  meetingId: SafeId,
  newDate: IsoInstant,
  reason: FreeText(),
});
export const MeetingCancelled = z.object({
  type: z.literal('meeting-cancelled'),
  ...base,
  meetingId: SafeId,
  reason: FreeText(),
});
/** A meeting took place. `startsPlan` marks an ICPC that made a child protection plan. */
export const MeetingHeld = z.object({
  type: z.literal('meeting-held'),
  ...base,
  meetingId: SafeId.optional(),
  meetingType: MeetingType,
  outcome: z.enum(['cp-plan', 'no-plan', 'plan-ended']).optional(),
  /**
   * For a child in care review: which review of the looked-after episode it was (1 the first), when
   * known, e.g. from an import of a child looked after for years. Without it, reviews are counted.
   */
  reviewNumber: z
    .number({ error: 'must be a whole number from 1 to 200' })
    .int('must be a whole number from 1 to 200')
    .min(1, 'must be a whole number from 1 to 200')
    .max(200, 'must be a whole number from 1 to 200')
    .optional(),
});
export const PreMeetingHeld = z.object({ type: z.literal('pre-meeting-held'), ...base, meetingId: SafeId });
export const ReportSubmitted = z.object({
  type: z.literal('report-submitted'),
  ...base,
  reportType: ReportType,
  meetingId: SafeId,
});
/**
 * A strategy discussion. `s47Started`: whether a section 47 enquiry was started at it (the initial
 * conference is counted from the one that started it); unsaid, it counts as starting one.
 */
export const StrategyDiscussion = z.object({ type: z.literal('strategy-discussion'), ...base, s47Started: z.boolean({ error: 'must be true or false' }).optional() });
export const ReferralReceived = z.object({ type: z.literal('referral-received'), ...base });
export const ReferralDecided = z.object({ type: z.literal('referral-decided'), ...base });
export const AssessmentCompleted = z.object({ type: z.literal('assessment-completed'), ...base });
export const MissingEpisodeStarted = z.object({ type: z.literal('missing-started'), ...base });
export const ChildReturned = z.object({ type: z.literal('child-returned'), ...base });
export const ReturnInterviewHeld = z.object({ type: z.literal('return-interview-held'), ...base });
const ComplaintStage = z.union([z.literal(1), z.literal(2), z.literal(3)], { error: 'must be 1, 2 or 3' });
/** A complaint received at a stage; at stage 3, the complainant's request for a review panel. */
export const ComplaintReceived = z.object({
  type: z.literal('complaint-received'),
  ...base,
  complaintId: SafeId,
  stage: ComplaintStage,
});
/** The authority's response at a stage; at stage 3, its response to the panel's recommendations. */
export const ComplaintResponded = z.object({
  type: z.literal('complaint-responded'),
  ...base,
  complaintId: SafeId,
  stage: ComplaintStage,
});
/** A stage 3 review panel met (regulation 19(4): within 30 working days of the request). */
export const ComplaintPanelHeld = z.object({ type: z.literal('complaint-panel-held'), ...base, complaintId: SafeId });
/** The review panel's report and recommendations were sent (regulation 20: within 5 working days of the panel). */
export const ComplaintPanelReported = z.object({ type: z.literal('complaint-panel-reported'), ...base, complaintId: SafeId });
/** Stage 1 may be extended from 10 to 20 working days (Representations Regs 2006). */
export const ComplaintExtended = z.object({
  type: z.literal('complaint-extended'),
  ...base,
  complaintId: SafeId,
  stage: z.union([z.literal(1), z.literal(2)]),
  reason: FreeText(),
});
export const LookedAfterStarted = z.object({ type: z.literal('looked-after-started'), ...base });
/**
 * A placement started (or, as the looked-after return records it, a new legal status began in
 * it). Its type and the child's legal status set the visiting rhythm of regulation 28; without a
 * type it is a general placement.
 */
export const PlacementStarted = z.object({
  type: z.literal('placement-started'),
  ...base,
  placementId: SafeId,
  placementType: PlacementType.optional(),
  legalStatus: LegalStatus.optional(),
});
export const LookedAfterEnded = z.object({ type: z.literal('looked-after-ended'), ...base });
/** The local authority became aware of a serious incident (starts the 5-working-day clock). */
export const IncidentReported = z.object({ type: z.literal('incident-reported'), ...base, incidentId: SafeId });
/** The national panel was notified. */
export const IncidentNotified = z.object({ type: z.literal('incident-notified'), ...base, incidentId: SafeId });
export const RapidReviewCompleted = z.object({
  type: z.literal('rapid-review-completed'),
  ...base,
  incidentId: SafeId,
});
export const ObligationWaived = z.object({
  type: z.literal('obligation-waived'),
  ...base,
  obligationId: ObligationId,
  reason: FreeText(),
});
/** A hold pauses the clock of one kind (or every clock when kind is absent). */
export const HoldStarted = z.object({
  type: z.literal('hold-started'),
  ...base,
  holdId: SafeId,
  kind: ObligationKind.optional(),
  reason: FreeText(),
});
export const HoldEnded = z.object({ type: z.literal('hold-ended'), ...base, holdId: SafeId });
export const EscalationAcknowledged = z.object({
  type: z.literal('escalation-acknowledged'),
  ...base,
  obligationId: ObligationId,
  level: z.number().int().min(1).max(9),
});
/**
 * A new policy version applied to the case. 'forward': open obligations keep their deadlines,
 * new occurrences follow the new policy. 'recompute': open deadlines are recomputed now.
 */
export const PolicyApplied = z.object({
  type: z.literal('policy-applied'),
  ...base,
  policyVersion: z.string().min(1).max(100),
  mode: z.enum(['forward', 'recompute']),
});
export const CaseClosed = z.object({ type: z.literal('case-closed'), ...base, reason: FreeText() });

export const CaseEvent = z.discriminatedUnion('type', [
  TierSet,
  ContactRecorded,
  MeetingScheduled,
  MeetingPostponed,
  MeetingCancelled,
  MeetingHeld,
  PreMeetingHeld,
  ReportSubmitted,
  StrategyDiscussion,
  ReferralReceived,
  ReferralDecided,
  AssessmentCompleted,
  MissingEpisodeStarted,
  ChildReturned,
  ReturnInterviewHeld,
  ComplaintReceived,
  ComplaintResponded,
  ComplaintExtended,
  ComplaintPanelHeld,
  ComplaintPanelReported,
  LookedAfterStarted,
  PlacementStarted,
  LookedAfterEnded,
  IncidentReported,
  IncidentNotified,
  RapidReviewCompleted,
  ObligationWaived,
  HoldStarted,
  HoldEnded,
  EscalationAcknowledged,
  PolicyApplied,
  CaseClosed,
]);
export type CaseEvent = z.infer<typeof CaseEvent>;
export type CaseEventType = CaseEvent['type'];
export type EventOf<T extends CaseEventType> = Extract<CaseEvent, { type: T }>;

/** A message already sent (reminder or escalation), so the engine never asks for it twice. */
export const SentMessage = z.object({
  messageId: z.string(),
  sentAt: IsoInstant,
});
export type SentMessage = z.infer<typeof SentMessage>;

/** Everything the engine needs to know about one case. */
export interface CaseFacts {
  caseId: string;
  openedAt: IsoInstant;
  /** In the order they were recorded; the engine sorts by `at` where order matters. */
  events: CaseEvent[];
  /** Message ids already delivered (or given up on), oldest first. */
  sent: SentMessage[];
}

export type StaffContacts = Partial<Record<StaffRole, { name: string; email: string }>>;
