/**
 * The words staff read for CaseClock's codes: risk tiers, roles, obligation kinds, meeting,
 * report and contact types, and events. One module, so the command line, the console and the
 * emails call things by the same names. Pure; codes stay as they are in data, JSON and policies.
 * Every kind, tier and role of domain/kinds.ts has a label (the Record types make sure of it).
 */
import type { CaseEvent } from './facts';
// Types only: this module loads no zod, so workflow code could use it too.
import type { ContactType, LegalStatus, MeetingType, ObligationKind, PlacementType, ReportType, RiskTier, StaffRole } from './kinds';

/** Seed 004 §1b's names for the tiers. */
export const TIER_LABELS: Readonly<Record<RiskTier, string>> = {
  HIGH_IMMEDIATE: 'High and immediate',
  PRIORITY: 'Priority',
  VULNERABLE: 'Vulnerable',
};

export const ROLE_LABELS: Readonly<Record<StaffRole, string>> = {
  'allocated-worker': 'allocated worker',
  'team-manager': 'team manager',
  'group-manager': 'group manager',
  'head-of-service': 'head of service',
  'deputy-lead': 'deputy lead for safeguarding and quality assurance',
  iro: 'independent reviewing officer',
};

/**
 * Short names of the obligation kinds, for where only the kind is known (report tables, holds).
 * An obligation on a case has its policy's own title, which wins wherever it is at hand.
 */
export const OBLIGATION_KIND_LABELS: Readonly<Record<ObligationKind, string>> = {
  'initial-visit-high': 'Initial visit (high and immediate risk)',
  'initial-visit-priority': 'Initial planned visit (priority)',
  'visit-priority': 'Fortnightly visit (priority)',
  'kit-call': 'Keeping-in-touch call',
  'core-group': 'Core group meeting',
  'first-core-group': 'First core group meeting',
  icpc: 'Initial child protection conference',
  'first-review-conference': 'First review child protection conference',
  'review-conference': 'Review child protection conference',
  'conference-pre-meeting': 'Chair and social worker pre-meeting',
  'iro-report': 'Report to the independent reviewing officer',
  'serious-incident-notification': 'Serious incident notification to the national panel',
  'rapid-review': 'Rapid review',
  'return-interview': 'Return interview',
  'referral-decision': 'Decision on a referral',
  assessment: 'Child and family assessment',
  'cic-review-first': 'First child in care review',
  'cic-review-second': 'Second child in care review',
  'cic-review': 'Child in care review',
  'cic-visit-first': 'First statutory visit in a placement',
  'cic-visit': 'Statutory visit to a looked-after child',
  'cic-visit-weekly': 'Weekly statutory visit until the first review',
  'cic-visit-four-weekly': 'Four-weekly statutory visit',
  'cic-visit-with-parent': 'Six-weekly statutory visit (living with a parent)',
  'complaint-stage-1': 'Response to a stage 1 complaint',
  'complaint-stage-2': 'Response to a stage 2 complaint',
  'complaint-stage-3-panel': 'Stage 3 review panel meeting',
  'complaint-stage-3-report': "Stage 3 review panel's report",
  'complaint-stage-3-response': "Response to the stage 3 panel's recommendations",
};

/**
 * What to do next about an obligation of each kind, in words: the thing to do in the world, then
 * what to record (the console's action of that name, client/actions/case-actions.ts). Shown beside
 * an overdue obligation on the case list and the dashboard.
 */
export const OBLIGATION_NEXT_STEPS: Readonly<Record<ObligationKind, string>> = {
  'initial-visit-high': 'Visit the child, then record the visit',
  'initial-visit-priority': 'Visit the child, then record the visit',
  'visit-priority': 'Visit the child, then record the visit',
  'kit-call': 'Call the child or family, then record the keeping-in-touch call',
  'core-group': 'Hold the core group, then record that it took place',
  'first-core-group': 'Hold the first core group, then record that it took place',
  icpc: 'Hold the initial conference, then record that it took place',
  'first-review-conference': 'Hold the review conference, then record that it took place',
  'review-conference': 'Hold the review conference, then record that it took place',
  'conference-pre-meeting': 'Meet the chair before the conference, then record the pre-meeting',
  'iro-report': 'Send the report to the reviewing officer, then record it',
  'serious-incident-notification': 'Notify the national panel, then record it',
  'rapid-review': 'Complete the rapid review, then record it',
  'return-interview': 'Offer the return interview, then record it',
  'referral-decision': 'Decide on the referral, then record the decision',
  assessment: 'Complete the assessment, then record it',
  'cic-review-first': 'Hold the first review, then record that it took place',
  'cic-review-second': 'Hold the second review, then record that it took place',
  'cic-review': 'Hold the review, then record that it took place',
  'cic-visit-first': 'Visit the child in the placement, then record the visit',
  'cic-visit': 'Visit the child in the placement, then record the visit',
  'cic-visit-weekly': 'Visit the child in the placement, then record the visit',
  'cic-visit-four-weekly': 'Visit the child in the placement, then record the visit',
  'cic-visit-with-parent': 'Visit the child at home, then record the visit',
  'complaint-stage-1': 'Answer the complaint, then record the response',
  'complaint-stage-2': 'Answer the complaint, then record the response',
  'complaint-stage-3-panel': 'Hold the review panel, then record that it met',
  'complaint-stage-3-report': "Send the panel's report, then record it",
  'complaint-stage-3-response': "Answer the panel's recommendations, then record the response",
};

export const PLACEMENT_TYPE_LABELS: Readonly<Record<PlacementType, string>> = {
  general: 'placement (general)',
  'until-18': 'placement intended to last until the child is 18',
  'with-parent-before-assessment': 'placed with a parent before assessment (regulation 19)',
  'connected-person-temporary': 'connected person, temporarily approved (regulation 24)',
  'with-parent': 'living with a parent',
};

export const LEGAL_STATUS_LABELS: Readonly<Record<LegalStatus, string>> = {
  'interim-care-order': 'interim care order',
  'care-order': 'care order',
  'placement-order': 'placement order',
  accommodated: 'accommodated (section 20)',
  other: 'other legal status',
};

export const MEETING_TYPE_LABELS: Readonly<Record<MeetingType, string>> = {
  'core-group': 'core group meeting',
  icpc: 'initial child protection conference',
  'review-conference': 'review child protection conference',
  'cic-review': 'child in care review',
};

export const REPORT_TYPE_LABELS: Readonly<Record<ReportType, string>> = {
  'iro-report': 'report to the independent reviewing officer',
  'conference-report': 'conference report shared with parents',
};

export const CONTACT_TYPE_LABELS: Readonly<Record<ContactType, string>> = {
  visit: 'visit',
  'kit-call': 'keeping-in-touch call',
  other: 'other contact',
};

export const MEETING_OUTCOME_LABELS: Readonly<Record<'cp-plan' | 'no-plan' | 'plan-ended', string>> = {
  'cp-plan': 'child protection plan made',
  'no-plan': 'no plan',
  'plan-ended': 'plan ended',
};

/** A code the table does not know (an older or newer case) is shown as it is, never hidden. */
function lookup<K extends string>(table: Readonly<Record<K, string>>, code: string): string {
  return Object.prototype.hasOwnProperty.call(table, code) ? table[code as K] : code;
}

export const tierLabel = (tier: string | null | undefined): string => (tier ? lookup(TIER_LABELS, tier) : 'not rated');
export const roleLabel = (role: string): string => lookup(ROLE_LABELS, role);
export const kindLabel = (kind: string): string => lookup(OBLIGATION_KIND_LABELS, kind);
export const meetingTypeLabel = (type: string): string => lookup(MEETING_TYPE_LABELS, type);
export const reportTypeLabel = (type: string): string => lookup(REPORT_TYPE_LABELS, type);
export const contactTypeLabel = (type: string): string => lookup(CONTACT_TYPE_LABELS, type);
export const placementTypeLabel = (type: string): string => lookup(PLACEMENT_TYPE_LABELS, type);
export const legalStatusLabel = (status: string): string => lookup(LEGAL_STATUS_LABELS, status);

export const nextStep = (kind: string): string | undefined => (Object.prototype.hasOwnProperty.call(OBLIGATION_NEXT_STEPS, kind) ? OBLIGATION_NEXT_STEPS[kind as ObligationKind] : undefined);

/**
 * The ids a case import gives what it records for a row (client/import/rows.ts): a placement, a
 * complaint and a conference the previous system knew by no id CaseClock could use. Timelines
 * leave them out rather than show them as if staff had typed them.
 */
export const IMPORTED_IDS: ReadonlySet<string> = new Set(['IMPORTED', 'CONF-IMPORTED']);
const idShown = (id: string | undefined): string => (id === undefined || IMPORTED_IDS.has(id) ? '' : ` ${id}`);

/** The kind an obligation id starts with (`kit-call@2026-...`), when it is a known one. */
export function kindOfObligation(obligationId: string): ObligationKind | undefined {
  const kind = obligationId.split('@')[0] ?? '';
  return Object.prototype.hasOwnProperty.call(OBLIGATION_KIND_LABELS, kind) ? (kind as ObligationKind) : undefined;
}

/** "Tess Manager (team manager)" when the case names someone in the role, else "the team manager". */
export function personLabel(role: string, contacts: Partial<Record<string, { name: string }>> = {}): string {
  const name = contacts[role]?.name;
  return name ? `${name} (${roleLabel(role)})` : `the ${roleLabel(role)}`;
}

/**
 * An event in words, for timelines. `obligationTitle` names an obligation from its id (the
 * case's own title); without it, the kind's label is used. `localTime` writes instants.
 * Free text typed about the child (reasons) is left out: callers show it where it belongs.
 */
export function describeCaseEvent(e: CaseEvent, opts: { localTime: (instant: string) => string; obligationTitle?: (obligationId: string) => string | undefined }): string {
  const obligation = (id: string) => opts.obligationTitle?.(id) ?? kindLabel(kindOfObligation(id) ?? id);
  const meeting = (type: string) => meetingTypeLabel(type).replace(/^./, (c) => c.toUpperCase());
  switch (e.type) {
    case 'tier-set':
      return `Risk tier set to ${tierLabel(e.tier)}`;
    case 'contact':
      return e.contactType === 'visit'
        ? `Visit${e.childSeenAlone === undefined ? '' : e.childSeenAlone ? ' (child seen alone)' : ' (child not seen alone)'}`
        : contactTypeLabel(e.contactType).replace(/^./, (c) => c.toUpperCase());
    case 'meeting-scheduled':
      return `${meeting(e.meetingType)}${idShown(e.meetingId)} scheduled for ${opts.localTime(e.scheduledFor)}`;
    case 'meeting-postponed':
      return `Meeting ${e.meetingId} postponed to ${opts.localTime(e.newDate)}`;
    case 'meeting-cancelled':
      return `Meeting ${e.meetingId} cancelled`;
    case 'pre-meeting-held':
      return `Pre-meeting${e.meetingId === undefined || IMPORTED_IDS.has(e.meetingId) ? '' : ` for ${e.meetingId}`} held`;
    case 'report-submitted':
      return `${reportTypeLabel(e.reportType).replace(/^./, (c) => c.toUpperCase())} for ${e.meetingId} submitted`;
    case 'complaint-received':
      return e.stage === 3 ? `Review panel requested for complaint ${e.complaintId} (stage 3)` : `Stage ${e.stage} complaint${idShown(e.complaintId)} received`;
    case 'complaint-responded':
      return e.stage === 3 ? `Response to the review panel's recommendations on complaint ${e.complaintId} sent` : `Stage ${e.stage} complaint ${e.complaintId} answered`;
    case 'complaint-panel-held':
      return `Review panel on complaint ${e.complaintId} met`;
    case 'complaint-panel-reported':
      return `Review panel's report on complaint ${e.complaintId} sent`;
    case 'complaint-extended':
      return `Stage ${e.stage} complaint ${e.complaintId}: time to respond extended`;
    case 'placement-started': {
      const what = [e.placementType === undefined ? undefined : placementTypeLabel(e.placementType), e.legalStatus === undefined ? undefined : legalStatusLabel(e.legalStatus)].filter((x) => x !== undefined);
      return `Placement${idShown(e.placementId)} started${what.length > 0 ? ` (${what.join(', ')})` : ''}`;
    }
    case 'strategy-discussion':
      return e.s47Started === undefined ? 'Strategy discussion' : e.s47Started ? 'Strategy discussion (section 47 enquiry started)' : 'Strategy discussion (no section 47 enquiry started)';
    case 'meeting-held':
      return `${meeting(e.meetingType)}${idShown(e.meetingId)} held${e.outcome ? ` (${lookup(MEETING_OUTCOME_LABELS, e.outcome)})` : ''}${e.reviewNumber === undefined ? '' : ` (review ${e.reviewNumber} of the episode)`}`;
    case 'obligation-waived':
      return `${obligation(e.obligationId)} waived`;
    case 'escalation-acknowledged':
      return `Escalation level ${e.level} of ${obligation(e.obligationId)} acknowledged`;
    case 'hold-started':
      return `${e.kind ? `Clock for ${kindLabel(e.kind).replace(/^./, (c) => c.toLowerCase())}` : 'Every clock'} put on hold (${e.holdId})`;
    case 'hold-ended':
      return `Hold ${e.holdId} ended`;
    case 'policy-applied':
      return `Policy ${e.policyVersion} applied (${e.mode === 'forward' ? 'open deadlines kept' : 'open deadlines recomputed'})`;
    case 'case-closed':
      return 'Case closed';
    default:
      return eventTypeInWords(e.type);
  }
}

/** An event type as words ("child-returned" → "Child returned"), for events with no sentence of their own. */
export function eventTypeInWords(type: string): string {
  return type.replace(/-/g, ' ').replace(/^./, (c) => c.toUpperCase());
}

const asWritten = (text: string): string => text;

/**
 * An event in the case record's own words: the `summary` the store keeps beside the event. Terser
 * than describeCaseEvent (codes as they are, instants in UTC, no free text), and never reworded:
 * the store keeps one copy of an entry by its id and refuses the same id with other words, so a
 * case writing a batch again after a deploy would stall (store/case-record-store.ts). Where the
 * two wordings agree, the sentence is describeCaseEvent's; tests/domain/wording.test.ts pins both.
 */
export function recordSummaryOfEvent(e: CaseEvent): string {
  switch (e.type) {
    case 'tier-set':
      return `Risk tier set to ${e.tier}`;
    case 'meeting-scheduled':
      return `${e.meetingType} ${e.meetingId} scheduled for ${e.scheduledFor}`;
    case 'meeting-held':
      return `${e.meetingType}${e.meetingId ? ` ${e.meetingId}` : ''} held${e.outcome ? ` (${e.outcome})` : ''}`;
    case 'obligation-waived':
      return `Obligation ${e.obligationId} waived`;
    case 'hold-started':
      return `Clock ${e.kind ?? '(all)'} put on hold (${e.holdId})`;
    case 'policy-applied':
      return `Policy ${e.policyVersion} applied (${e.mode})`;
    case 'contact':
    case 'meeting-postponed':
    case 'meeting-cancelled':
    case 'escalation-acknowledged':
    case 'hold-ended':
    case 'case-closed':
      return describeCaseEvent(e, { localTime: asWritten, obligationTitle: asWritten });
    default:
      // Events added after the record's wording was fixed are summarised by their type alone.
      return eventTypeInWords(e.type);
  }
}
