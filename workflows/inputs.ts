/**
 * The input schemas of the case and incident workflows' updates and of opening a case: what the
 * console and the command line check before sending, and what the workflows' update validators
 * check again on arrival. Kept apart from ./messages.ts so workflow code loads zod only when it
 * validates an update (docs/decisions/0003-shared-workflow-modules.md).
 */
import { z } from 'zod';
import { isInTheFuture, problemsWithEvent, type Problem } from '../domain/consistency';
import { CaseEvent, FreeText, IsoInstant, SafeId, UserId } from '../domain/facts';
import { RiskTier, StaffRole } from '../domain/kinds';

/** A staff member to notify. Staff details only: never the child's. */
export const StaffContact = z.object({
  name: FreeText(200),
  // Length first: the email pattern is super-linear on long input, so it only ever sees 254 characters.
  email: z
    .string()
    .max(254, 'must be at most 254 characters')
    .pipe(z.email({ error: 'must be an email address' })),
});
export type StaffContact = z.infer<typeof StaffContact>;

/** Who is on the case, by role (allocated worker, team manager, head of service, deputy lead, IRO or chair). */
export const CaseContacts = z.partialRecord(StaffRole, StaffContact);
export type CaseContacts = z.infer<typeof CaseContacts>;

/** The case as the service sees it: a reference and a team, never the child's name or address. */
export const CaseDetails = z.object({
  /** The local authority's case reference, shown in emails and the console. */
  reference: SafeId,
  /** Team code, e.g. LOCALITY-NORTH: used for filtering and search attributes. */
  team: SafeId,
  contacts: CaseContacts,
});
export type CaseDetails = z.infer<typeof CaseDetails>;

/** Input to open a case: the first risk tier is optional (referrals may not be rated yet). */
export const OpenCaseInput = z.object({
  caseId: SafeId,
  details: CaseDetails,
  openedBy: UserId,
  initialTier: z.object({ tier: RiskTier, reason: FreeText(), at: IsoInstant.optional() }).optional(),
  /**
   * When the case was opened in the council's own system, for a case brought in from it (in the
   * past; absent: now). The clocks run from the dates recorded there, not from the import.
   */
  openedAt: IsoInstant.optional(),
  /** What had already happened on a case brought in from another system, each at its own date. */
  recorded: z.array(CaseEvent).max(500).optional(),
});
export type OpenCaseInput = z.infer<typeof OpenCaseInput>;

/**
 * How a case opens: when it counts as opened (the earliest of `openedAt`, the tier's rating and the
 * recorded events, else `now`), its first events in date order (the first tier, then what was
 * recorded), and what is wrong with them by input field (`openedAt`, `initialTier.at`,
 * `recorded.N.<field>`): nothing in the future, and each event must make sense after the ones
 * before it, by the rules every recorded event meets (domain/consistency.ts).
 */
export function openingOf(input: OpenCaseInput, now: Date): { openedAt: string; events: CaseEvent[]; problems: Problem[] } {
  const nowIso = now.toISOString();
  const problems: Problem[] = [...futureProblems('initialTier.at', input.initialTier?.at, now), ...futureProblems('openedAt', input.openedAt, now)];
  const tierAt = input.initialTier?.at ?? input.openedAt ?? nowIso;
  const recorded = (input.recorded ?? []).map((event, index) => ({ event, index }));
  let openedAt = input.openedAt ?? nowIso;
  for (const at of [tierAt, ...recorded.map((r) => r.event.at)]) if (at < openedAt) openedAt = at;
  const tierSet: CaseEvent[] = input.initialTier ? [{ type: 'tier-set', at: tierAt, by: input.openedBy, tier: input.initialTier.tier, reason: input.initialTier.reason }] : [];
  // In date order (stable): a placement after the child became looked after, and so on.
  const ordered = [...recorded].sort((a, b) => (a.event.at < b.event.at ? -1 : a.event.at > b.event.at ? 1 : a.index - b.index));
  const events: CaseEvent[] = [...tierSet];
  for (const { event, index } of ordered) {
    for (const p of problemsWithEvent({ subject: 'case', openedAt, events, open: [] }, event, nowIso)) {
      problems.push({ field: `recorded.${index}.${p.field}`, message: p.message });
    }
    events.push(event);
  }
  return { openedAt, events, problems };
}

// --- The rules for opening a case beyond the schema's shape, one place for every client ----------

/**
 * The first tier as every form and command collects it, one value each: a tier, why, and when it
 * was rated (each absent when not given; as typed, still to be validated by OpenCaseInput).
 */
export interface InitialTierChoice {
  tier?: string | undefined;
  reason?: string | undefined;
  ratedAt?: string | undefined;
}

/**
 * What is wrong with the first tier as chosen, by field (`tier`, `reason`, `ratedAt`): a tier
 * needs a reason, a reason or a rating time needs a tier, and a rating cannot be in the future
 * (it would start the clocks from a moment that has not happened).
 */
export function initialTierProblems(choice: InitialTierChoice, now: Date): Problem[] {
  const problems: Problem[] = [];
  // Blank is given: the schema then says what is wrong with it (a form's blank field arrives absent).
  const given = (v: string | undefined) => v !== undefined;
  if (!given(choice.tier)) {
    if (given(choice.reason)) problems.push({ field: 'tier', message: 'is required when a reason is given' });
    else if (given(choice.ratedAt)) problems.push({ field: 'tier', message: 'is required when a rating time is given' });
    return problems;
  }
  if (!given(choice.reason)) problems.push({ field: 'reason', message: 'is required with a tier' });
  problems.push(...futureProblems('ratedAt', choice.ratedAt, now));
  return problems;
}

/** `field` refused when the instant it holds is in the future (beyond the grace every client allows). */
export function futureProblems(field: string, instant: string | undefined, now: Date): Problem[] {
  // Only a valid instant: the schema names anything else wrong with it (e.g. year 9999).
  return instant !== undefined && IsoInstant.safeParse(instant).success && isInTheFuture(instant, now) ? [{ field, message: 'is in the future' }] : [];
}

/** Input to report a serious incident: when the local authority became aware of it. */
export const ReportIncidentInput = z.object({
  incidentId: SafeId,
  linkedCaseId: SafeId.optional(),
  details: CaseDetails,
  reportedBy: UserId,
  awareAt: IsoInstant,
});
export type ReportIncidentInput = z.infer<typeof ReportIncidentInput>;

export const UpdateDetailsInput = z.object({ details: CaseDetails, by: UserId });
export type UpdateDetailsInput = z.infer<typeof UpdateDetailsInput>;
/** Reassign one role (e.g. a new allocated worker) without retyping the whole case. */
export const ReassignInput = z.object({ role: StaffRole, contact: StaffContact, by: UserId });
export type ReassignInput = z.infer<typeof ReassignInput>;
/** Move the case to another team, with the roles that change with it (the team manager, the head of service, perhaps the worker); other roles stay. */
export const MoveTeamInput = z.object({ team: SafeId, contacts: CaseContacts, by: UserId });
export type MoveTeamInput = z.infer<typeof MoveTeamInput>;
/** A note on the case's timeline that changes no clock: e.g. a row the council's case system corrected or removed. */
export const CaseNoteInput = z.object({ summary: FreeText(500), by: UserId });
export type CaseNoteInput = z.infer<typeof CaseNoteInput>;
/** Asks a case to write its summary to the store now (the upgrade's backfill: `caseclock summaries backfill`). */
export const WriteSummaryInput = z.strictObject({ by: UserId });
export type WriteSummaryInput = z.infer<typeof WriteSummaryInput>;
export const ApplyPolicyInput = z.object({
  /** Validated again by the workflow's validator (PolicySnapshotSchema). */
  snapshot: z.unknown(),
  mode: z.enum(['forward', 'recompute']),
  by: UserId,
});
