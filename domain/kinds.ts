/**
 * The vocabulary of CaseClock: obligation kinds, risk tiers, staff roles and meeting types.
 * These identifiers are the same everywhere: console, emails, policy files, search attributes.
 */
import { z } from 'zod';

export const OBLIGATION_KINDS = [
  'initial-visit-high',
  'initial-visit-priority',
  'visit-priority',
  'kit-call',
  'core-group',
  'first-core-group',
  'icpc',
  'first-review-conference',
  'review-conference',
  'conference-pre-meeting',
  'iro-report',
  'serious-incident-notification',
  'rapid-review',
  'return-interview',
  'referral-decision',
  'assessment',
  'cic-review-first',
  'cic-review-second',
  'cic-review',
  'cic-visit-first',
  'cic-visit',
  'cic-visit-weekly',
  'cic-visit-four-weekly',
  'cic-visit-with-parent',
  'complaint-stage-1',
  'complaint-stage-2',
  'complaint-stage-3-panel',
  'complaint-stage-3-report',
  'complaint-stage-3-response',
] as const;
export const ObligationKind = z.enum(OBLIGATION_KINDS);
export type ObligationKind = z.infer<typeof ObligationKind>;

/** Seed 004 §1b: the team manager rates each case against these criteria. */
export const RISK_TIERS = ['HIGH_IMMEDIATE', 'PRIORITY', 'VULNERABLE'] as const;
export const RiskTier = z.enum(RISK_TIERS);
export type RiskTier = z.infer<typeof RiskTier>;

/** Who receives which message (the staff roles of the policy files). */
export const STAFF_ROLES = ['allocated-worker', 'team-manager', 'group-manager', 'head-of-service', 'deputy-lead', 'iro'] as const;
export const StaffRole = z.enum(STAFF_ROLES);
export type StaffRole = z.infer<typeof StaffRole>;

export const MEETING_TYPES = ['core-group', 'icpc', 'review-conference', 'cic-review'] as const;
export const MeetingType = z.enum(MEETING_TYPES);
export type MeetingType = z.infer<typeof MeetingType>;

export const CONTACT_TYPES = ['visit', 'kit-call', 'other'] as const;
export const ContactType = z.enum(CONTACT_TYPES);
export type ContactType = z.infer<typeof ContactType>;

export const REPORT_TYPES = ['iro-report', 'conference-report'] as const;
export const ReportType = z.enum(REPORT_TYPES);
export type ReportType = z.infer<typeof ReportType>;

/**
 * The arrangement a looked-after child is placed in, as regulation 28 of the Care Planning,
 * Placement and Case Review (England) Regulations 2010 distinguishes them for visits:
 * - `general`: any placement not listed below: six-weekly in its first year, then six-weekly (28(2));
 * - `until-18`: a placement intended to last until the child is 18: three-monthly after its first year (28(2)(c)(i));
 * - `with-parent-before-assessment`: placed with a parent before the assessment is complete (regulation 19; 28(3));
 * - `connected-person-temporary`: with a connected person temporarily approved (regulation 24; 28(4));
 * - `with-parent`: living with a parent: under an interim care order (28(4)) or a care order (28(5)).
 */
export const PLACEMENT_TYPES = ['general', 'until-18', 'with-parent-before-assessment', 'connected-person-temporary', 'with-parent'] as const;
export const PlacementType = z.enum(PLACEMENT_TYPES);
export type PlacementType = z.infer<typeof PlacementType>;

/** The child's legal status during a placement (as the looked-after return records it). */
export const LEGAL_STATUSES = ['interim-care-order', 'care-order', 'placement-order', 'accommodated', 'other'] as const;
export const LegalStatus = z.enum(LEGAL_STATUSES);
export type LegalStatus = z.infer<typeof LegalStatus>;

/** Complaint stages (Representations Regulations 2006): 3 is the review panel. */
export const COMPLAINT_STAGES = [1, 2, 3] as const;

export { LEGAL_ZONE } from './time-zone';
