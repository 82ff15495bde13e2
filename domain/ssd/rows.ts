/**
 * The rows of the Standard Safeguarding Dataset (SSD) that CaseClock reads, with only the columns
 * its clocks need: ids, person ids, codes, dates, Y/N flags, team and worker ids, and the names of
 * teams (not personal data). Never a person's name, date of birth, address, postcode, NHS number or
 * free text (the SSD's own tables have them; CaseClock knows a child by a reference only).
 *
 * Column names are the SSD's own (ssd-data-model, data/objects/), so these shapes can be reconciled
 * with the tables' DDL. Dates arrive as the database gives a `datetime`: local UK wall-clock time
 * without an offset ('2026-03-29', '2026-03-29 10:15:00.000'); ./dates.ts turns them into instants.
 */
import { z } from 'zod';

/**
 * An SSD row id or person id. It becomes part of source keys, case ids and meeting ids, so it must
 * be a plain code: letters, digits, dot, dash and underscore (as CaseClock's SafeId).
 */
export const SsdId = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(48, 'must be at most 48 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'may contain only letters, digits, dot, dash and underscore');

/** An SSD code (placement type, legal status, reason): short, upper-cased, never free text. */
export const SsdCode = z
  .string()
  .trim()
  .min(1)
  .max(16)
  .regex(/^[A-Za-z0-9_-]+$/, 'must be a code such as U1 or RC8')
  .transform((s) => s.toUpperCase());

/**
 * A professional's role as the case system names it: the SSD's own example for
 * invo_professional_role_id is 'Allocated Case Worker', so a label from the system's short list of
 * roles, not a code. Upper-cased with single spaces, so a configured role matches it however the
 * system writes it. Never free text about a child: the characters of a role's name only.
 */
export const SsdRole = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9 ._&()/-]*$/, 'must be a role such as Allocated Case Worker or ACW')
  .transform((s) => s.replace(/\s+/g, ' ').toUpperCase());

/** A `datetime` as the database writes it, local UK time without an offset. */
export const SsdDateTime = z
  .string()
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,7})?)?)?$/, 'must be a date or date and time such as 2026-03-29 10:15:00');

/** The SSD's 'Y'/'N' nchar flags; anything else ('NA', blank) is unknown, as null. */
export const SsdFlag = z
  .string()
  .nullish()
  .transform((s) => {
    const v = s?.trim().toUpperCase();
    return v === 'Y' ? ('Y' as const) : v === 'N' ? ('N' as const) : null;
  });
export type SsdFlag = 'Y' | 'N' | null;

const id = SsdId;
const optionalId = SsdId.nullish().transform((v) => v ?? null);
const date = SsdDateTime.nullish().transform((v) => v ?? null);
const code = SsdCode.nullish().transform((v) => v ?? null);

export const CinEpisodeRow = z.object({
  cine_referral_id: id,
  cine_person_id: id,
  cine_referral_date: date,
  cine_close_reason: code,
  cine_close_date: date,
  cine_referral_team: optionalId,
  cine_referral_worker_id: optionalId,
});
export type CinEpisodeRow = z.infer<typeof CinEpisodeRow>;

/** ssd_cin_visits, ssd_cp_visits and ssd_cla_visits have the same meaning under three prefixes. */
export const CinVisitRow = z.object({
  cinv_cin_visit_id: id,
  cinv_person_id: id,
  cinv_cin_visit_date: date,
  cinv_cin_visit_seen: SsdFlag,
  cinv_cin_visit_seen_alone: SsdFlag,
});
export type CinVisitRow = z.infer<typeof CinVisitRow>;

export const CpVisitRow = z.object({
  cppv_cp_visit_id: id,
  cppv_person_id: id,
  cppv_cp_plan_id: optionalId,
  cppv_cp_visit_date: date,
  cppv_cp_visit_seen: SsdFlag,
  cppv_cp_visit_seen_alone: SsdFlag,
});
export type CpVisitRow = z.infer<typeof CpVisitRow>;

export const ClaVisitRow = z.object({
  clav_cla_visit_id: id,
  clav_cla_id: optionalId,
  clav_person_id: id,
  clav_cla_visit_date: date,
  clav_cla_visit_seen: SsdFlag,
  clav_cla_visit_seen_alone: SsdFlag,
});
export type ClaVisitRow = z.infer<typeof ClaVisitRow>;

export const CpPlanRow = z.object({
  cppl_cp_plan_id: id,
  cppl_person_id: id,
  cppl_icpc_id: optionalId,
  cppl_cp_plan_start_date: date,
  cppl_cp_plan_end_date: date,
});
export type CpPlanRow = z.infer<typeof CpPlanRow>;

export const CpReviewRow = z.object({
  cppr_cp_review_id: id,
  cppr_person_id: id,
  cppr_cp_plan_id: optionalId,
  /** When the case system planned the review conference: the reconciliation sets it beside CaseClock's deadline. */
  cppr_cp_review_due: date,
  cppr_cp_review_date: date,
  cppr_cp_review_meeting_id: optionalId,
  cppr_cp_review_outcome_continue_cp: SsdFlag,
});
export type CpReviewRow = z.infer<typeof CpReviewRow>;

export const InitialCpConferenceRow = z.object({
  icpc_icpc_id: id,
  icpc_icpc_meeting_id: optionalId,
  icpc_s47_enquiry_id: optionalId,
  icpc_person_id: id,
  icpc_cp_plan_id: optionalId,
  icpc_icpc_date: date,
  icpc_icpc_outcome_cp_flag: SsdFlag,
  icpc_icpc_transfer_in: SsdFlag,
});
export type InitialCpConferenceRow = z.infer<typeof InitialCpConferenceRow>;

export const S47EnquiryRow = z.object({
  s47e_s47_enquiry_id: id,
  s47e_person_id: id,
  s47e_s47_start_date: date,
  s47e_s47_end_date: date,
});
export type S47EnquiryRow = z.infer<typeof S47EnquiryRow>;

export const ClaEpisodeRow = z.object({
  clae_cla_episode_id: id,
  clae_person_id: id,
  clae_cla_id: optionalId,
  clae_cla_episode_start_date: date,
  clae_cla_episode_start_reason: code,
  clae_cla_episode_ceased_date: date,
  clae_cla_episode_ceased_reason: code,
  clae_entered_care_date: date,
});
export type ClaEpisodeRow = z.infer<typeof ClaEpisodeRow>;

export const ClaPlacementRow = z.object({
  clap_cla_placement_id: id,
  clap_cla_id: optionalId,
  clap_person_id: optionalId,
  clap_cla_placement_start_date: date,
  clap_cla_placement_type: code,
  clap_cla_placement_end_date: date,
});
export type ClaPlacementRow = z.infer<typeof ClaPlacementRow>;

export const ClaReviewRow = z.object({
  clar_cla_review_id: id,
  clar_cla_id: optionalId,
  /** When the case system planned the review (the next one while clar_cla_review_date is blank): the reconciliation sets it beside CaseClock's deadline. */
  clar_cla_review_due_date: date,
  clar_cla_review_date: date,
  clar_cla_review_cancelled: SsdFlag,
});
export type ClaReviewRow = z.infer<typeof ClaReviewRow>;

export const LegalStatusRow = z.object({
  lega_legal_status_id: id,
  lega_person_id: id,
  lega_legal_status: code,
  lega_legal_status_start_date: date,
  lega_legal_status_end_date: date,
});
export type LegalStatusRow = z.infer<typeof LegalStatusRow>;

export const MissingRow = z.object({
  miss_table_id: id,
  miss_person_id: id,
  miss_missing_episode_start_date: date,
  miss_missing_episode_end_date: date,
  miss_missing_rhi_offered: SsdFlag,
  miss_missing_rhi_accepted: SsdFlag,
});
export type MissingRow = z.infer<typeof MissingRow>;

/** ssd_person: the person id and, where a council's case reference is its legacy id, that; nothing else. */
export const PersonRow = z.object({
  pers_person_id: id,
  pers_legacy_id: optionalId,
});
export type PersonRow = z.infer<typeof PersonRow>;

export const InvolvementRow = z.object({
  invo_involvements_id: id,
  invo_professional_id: optionalId,
  invo_professional_role_id: SsdRole.nullish().transform((v) => v ?? null),
  invo_professional_team: optionalId,
  invo_involvement_start_date: date,
  invo_involvement_end_date: date,
  invo_person_id: id,
});
export type InvolvementRow = z.infer<typeof InvolvementRow>;

/** ssd_professionals: the row id and the staff identifier; never the worker's name. */
export const ProfessionalRow = z.object({
  prof_professional_id: id,
  prof_staff_id: optionalId,
});
export type ProfessionalRow = z.infer<typeof ProfessionalRow>;

/**
 * A team's or service area's name as the case system shows it (dept_team_name). Read so that the
 * team directory can offer the case system's teams it does not list yet under their own names
 * (docs/teams.md); a team's name is not personal data. Never a reason to leave the row out: the
 * sync needs the row's id, so anything but a line of text is no name, and a long one is cut.
 */
const TeamName = z
  .unknown()
  .optional()
  .transform((v): string | null => {
    if (typeof v !== 'string') return null;
    const name = v.replace(/[\p{Cc}\s]+/gu, ' ').trim();
    return name === '' ? null : name.slice(0, 200);
  });

/** ssd_department: the team id, its name and its parent (the service area above it). */
export const DepartmentRow = z.object({
  dept_team_id: id,
  dept_team_name: TeamName,
  dept_team_parent_id: optionalId,
});
export type DepartmentRow = z.infer<typeof DepartmentRow>;

/** The tables CaseClock maps to events, by their SSD names: the first part of every source key. */
export const SSD_EVENT_TABLES = [
  'ssd_cin_episodes',
  'ssd_cin_visits',
  'ssd_cp_visits',
  'ssd_cla_visits',
  'ssd_cp_plans',
  'ssd_cp_reviews',
  'ssd_initial_cp_conference',
  'ssd_s47_enquiry',
  'ssd_cla_episodes',
  'ssd_cla_placement',
  'ssd_cla_reviews',
  'ssd_legal_status',
  'ssd_missing',
] as const;
export type SsdEventTable = (typeof SSD_EVENT_TABLES)[number];

/** Every row of one read that the mapping uses, table by table (the sync reads them in one pass). */
export interface SsdRows {
  cinEpisodes: CinEpisodeRow[];
  cinVisits: CinVisitRow[];
  cpVisits: CpVisitRow[];
  claVisits: ClaVisitRow[];
  cpPlans: CpPlanRow[];
  cpReviews: CpReviewRow[];
  initialCpConferences: InitialCpConferenceRow[];
  s47Enquiries: S47EnquiryRow[];
  claEpisodes: ClaEpisodeRow[];
  claPlacements: ClaPlacementRow[];
  claReviews: ClaReviewRow[];
  legalStatuses: LegalStatusRow[];
  missing: MissingRow[];
}

export const emptySsdRows = (): SsdRows => ({
  cinEpisodes: [],
  cinVisits: [],
  cpVisits: [],
  claVisits: [],
  cpPlans: [],
  cpReviews: [],
  initialCpConferences: [],
  s47Enquiries: [],
  claEpisodes: [],
  claPlacements: [],
  claReviews: [],
  legalStatuses: [],
  missing: [],
});
