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
  'complaint-stage-1',
  'complaint-stage-2',
] as const;
export const ObligationKind = z.enum(OBLIGATION_KINDS);
export type ObligationKind = z.infer<typeof ObligationKind>;

/** Seed 004 §1b: the team manager rates each case against these criteria. */
export const RISK_TIERS = ['HIGH_IMMEDIATE', 'PRIORITY', 'VULNERABLE'] as const;
export const RiskTier = z.enum(RISK_TIERS);
export type RiskTier = z.infer<typeof RiskTier>;

/** Who receives which message (the staff roles of the policy files). */
export const STAFF_ROLES = [
  'allocated-worker',
  'team-manager',
  'group-manager',
  'head-of-service',
  'deputy-lead',
  'iro',
] as const;
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

export { LEGAL_ZONE } from './time-zone';
