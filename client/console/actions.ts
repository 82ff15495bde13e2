/**
 * Every change the web console can make, one definition each: the form it shows, who may use it,
 * and how the submitted form becomes the input of a client function (client/cases.ts), validated
 * with the same zod schemas as the command line (domain/facts.ts, workflows/messages.ts). Bad input
 * comes back as one message per form field and nothing is sent.
 */
import { readdirSync } from 'node:fs';
import type { Client } from '@temporalio/client';
import { DateTime } from 'luxon';
import type { z } from 'zod';
import { WorkingDayCalendar } from '../../domain/calendar';
import {
  AssessmentCompleted,
  CaseEvent,
  CaseClosed,
  ContactRecorded,
  EscalationAcknowledged,
  HoldEnded,
  HoldStarted,
  IncidentNotified,
  IsoInstant,
  MeetingCancelled,
  MeetingHeld,
  MeetingPostponed,
  MeetingScheduled,
  ObligationWaived,
  PlacementStarted,
  PreMeetingHeld,
  RapidReviewCompleted,
  ReportSubmitted,
  StrategyDiscussion,
  TierSet,
} from '../../domain/facts';
import { LEGAL_ZONE, MEETING_TYPES, OBLIGATION_KINDS, REPORT_TYPES, RISK_TIERS, STAFF_ROLES, type StaffRole } from '../../domain/kinds';
import { snapshotPolicy, type PolicySnapshot } from '../../domain/policy';
import { loadDefaultPolicy, loadPolicyFile, loadShippedPolicy, PolicyError, SHIPPED_POLICY_DIR } from '../../domain/policy-loader';
import { ApplyPolicyInput, OpenCaseInput, ReassignInput, ReportIncidentInput } from '../../workflows/inputs';
import type { CaseAnswer, CaseState, TimelineEntry } from '../../workflows/messages';
import { applyPolicy, reassign, recordEvent, recordIncidentEvent } from '../cases';
import type { Permission } from './auth';
import type { FieldSpec } from './html';

export type Form = Record<string, string>;
/** Field name → what is wrong with it. */
export type FieldErrors = Record<string, string>;

export type Outcome<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors };

// --- shared helpers -----------------------------------------------------------------------------

const LOCAL_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/;

/**
 * A date and time typed in UK local time (`datetime-local`, e.g. 2026-03-28T10:00) as a UTC
 * instant; an instant with an offset is passed through for the schema to check. Refuses a local
 * time that does not exist (the hour skipped when the clocks go forward).
 */
export function localToInstant(value: string): { instant: string } | { error: string } {
  const v = value.trim();
  if (!LOCAL_DATETIME.test(v)) return { instant: v };
  const local = DateTime.fromISO(v, { zone: LEGAL_ZONE });
  if (!local.isValid) return { error: `"${v}" is not a real date and time` };
  if (local.toFormat("yyyy-MM-dd'T'HH:mm") !== v.slice(0, 16)) {
    return { error: `${v.replace('T', ' ')} does not exist in UK time (the clocks go forward that night)` };
  }
  return { instant: local.toUTC().toISO() ?? v };
}

/**
 * Grace for a typed time against the server's clock: the form has minute precision, so the
 * current minute typed a few seconds early is not "in the future".
 */
const FUTURE_GRACE_MS = 60_000;

/** A typed UK time as an instant that has already happened (`field` is refused otherwise). */
function pastInstant(value: string, now: Date, errors: FieldErrors, field: string): string | undefined {
  const converted = localToInstant(value);
  if ('error' in converted) {
    errors[field] = converted.error;
    return undefined;
  }
  // Checked only when it is a valid instant: the schema names anything else wrong with it (e.g. year 9999).
  const instant = IsoInstant.safeParse(converted.instant);
  if (instant.success && Date.parse(instant.data) > now.getTime() + FUTURE_GRACE_MS) {
    errors[field] = 'is in the future';
    return undefined;
  }
  return converted.instant;
}

/** An instant as a `datetime-local` value in UK time, to fill a form again. */
export function instantToLocal(instant: string): string {
  return DateTime.fromISO(instant, { zone: 'utc' }).setZone(LEGAL_ZONE).toFormat("yyyy-MM-dd'T'HH:mm");
}

/** One zod issue in words for a person: "is required", "must be one of: ...", or zod's message. */
function issueText(issue: z.core.$ZodIssue, given: unknown): string {
  if ((given === undefined || given === '') && (issue.code === 'invalid_type' || issue.code === 'invalid_union' || issue.code === 'invalid_value')) {
    return 'is required';
  }
  if (issue.code === 'invalid_value') return `must be one of: ${issue.values.map(String).join(', ')}`;
  if (issue.code === 'invalid_union') return 'is not one of the allowed values';
  return issue.message;
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let v = raw;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

/**
 * Validates `raw` with `schema`; each issue goes to the form field its path names (through
 * `fieldFor`, longest path first), or to `_form` when no field matches.
 */
export function validate<S extends z.ZodType>(schema: S, raw: unknown, fieldFor: Record<string, string> = {}, fields: readonly string[] = []): Outcome<z.output<S>> {
  const result = schema.safeParse(raw);
  if (result.success) return { ok: true, value: result.data };
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) {
    let name: string | undefined;
    for (let n = issue.path.length; n > 0 && name === undefined; n--) {
      const key = issue.path.slice(0, n).map(String).join('.');
      name = fieldFor[key] ?? (fields.includes(key) ? key : undefined);
    }
    const text = issueText(issue, valueAt(raw, issue.path));
    const target = name ?? '_form';
    const message = target === '_form' && issue.path.length > 0 ? `${issue.path.join('.')}: ${text}` : text;
    errors[target] ??= message;
  }
  return { ok: false, errors };
}

const optional = (v: string | undefined): string | undefined => (v === undefined || v.trim() === '' ? undefined : v.trim());

/** `"Sam Worker <sam@council.example>"` → a contact; undefined when blank. */
export function parseContact(value: string | undefined): { name: string; email: string } | { error: string } | undefined {
  const v = optional(value);
  if (v === undefined) return undefined;
  const m = /^(.+?)\s*<\s*([^<>\s]+)\s*>$/.exec(v);
  if (!m?.[1] || !m[2]) return { error: 'write "Name <email>", e.g. Sam Worker <sam@council.example>' };
  return { name: m[1], email: m[2] };
}

// --- policies -------------------------------------------------------------------------------

/** The policy files shipped in domain/policies, by id. */
export function shippedPolicyIds(): string[] {
  return readdirSync(SHIPPED_POLICY_DIR)
    .filter((f) => /^[a-z0-9][a-z0-9-]*\.json$/.test(f))
    .map((f) => f.replace(/\.json$/, ''))
    .sort();
}

/** A policy frozen with the bank holidays, from a shipped id, or the configured default ('default'). */
export function policySnapshotFor(choice: string, configuredPolicy: string | undefined): PolicySnapshot {
  const policy =
    choice === 'default' ? (configuredPolicy === undefined ? loadDefaultPolicy() : loadPolicyFile(configuredPolicy)) : loadShippedPolicy(choice);
  return snapshotPolicy(policy, WorkingDayCalendar.englandAndWales(policy.extraBankHolidays));
}

function policyOptions(withDefault: boolean): Array<{ value: string; label: string }> {
  return [...(withDefault ? [{ value: 'default', label: 'Configured default' }] : []), ...shippedPolicyIds().map((id) => ({ value: id, label: `${id}.json` }))];
}

// --- case actions ---------------------------------------------------------------------------

/** What an action form can suggest from the case as it stands. */
export interface CaseContext {
  state: CaseState;
  timeline: TimelineEntry[];
}

export type Submission =
  | { type: 'event'; event: CaseEvent }
  | { type: 'reassign'; input: z.output<typeof ReassignInput> }
  | { type: 'policy'; snapshot: PolicySnapshot; mode: 'forward' | 'recompute' };

export interface CaseAction {
  slug: string;
  title: string;
  group: 'Contacts' | 'Meetings and reports' | 'Episodes' | 'Clocks' | 'Case';
  permission: Permission;
  /** Shown only on an incident's page (the incident commands), or only on a case's. */
  subject: 'case' | 'incident';
  fields(ctx: CaseContext | undefined): FieldSpec[];
  /** The form (already trimmed) → what to send; `by` is the signed-in user, `now` the default `at`. */
  parse(form: Form, by: string, now: Date, options: { subjectId: string }): Outcome<Submission>;
}

const AT: FieldSpec = { name: 'at', label: 'When (UK time)', type: 'datetime', help: 'Leave empty for now.' };
const REASON: FieldSpec = { name: 'reason', label: 'Reason', type: 'textarea', required: true };

function scheduledMeetings(ctx: CaseContext | undefined): string[] {
  const ids = new Set<string>();
  for (const t of ctx?.timeline ?? []) if (t.event?.type === 'meeting-scheduled') ids.add(t.event.meetingId);
  for (const t of ctx?.timeline ?? []) if (t.event?.type === 'meeting-cancelled' || (t.event?.type === 'meeting-held' && t.event.meetingId)) ids.delete(t.event.meetingId ?? '');
  return [...ids];
}

function activeHolds(ctx: CaseContext | undefined): string[] {
  const ids = new Set<string>();
  for (const t of ctx?.timeline ?? []) {
    if (t.event?.type === 'hold-started') ids.add(t.event.holdId);
    if (t.event?.type === 'hold-ended') ids.delete(t.event.holdId);
  }
  return [...ids];
}

function complaints(ctx: CaseContext | undefined): string[] {
  const ids = new Set<string>();
  for (const t of ctx?.timeline ?? []) if (t.event?.type === 'complaint-received') ids.add(t.event.complaintId);
  return [...ids];
}

/** Builds the event from the form's own fields plus `at` and `by`, converting datetime fields from UK time. */
function eventAction(spec: {
  slug: string;
  title: string;
  group: CaseAction['group'];
  schema: z.ZodType;
  fields: FieldSpec[] | ((ctx: CaseContext | undefined) => FieldSpec[]);
  fixed: Record<string, unknown>;
  permission?: Permission;
  subject?: 'case' | 'incident';
  /** Form value → event value for special fields (e.g. a yes/no select → boolean). */
  convert?: (form: Form) => Record<string, unknown>;
}): CaseAction {
  const fieldsOf = (ctx: CaseContext | undefined) => (typeof spec.fields === 'function' ? spec.fields(ctx) : spec.fields);
  return {
    slug: spec.slug,
    title: spec.title,
    group: spec.group,
    permission: spec.permission ?? 'steer',
    subject: spec.subject ?? 'case',
    fields: (ctx) => [...fieldsOf(ctx), AT],
    parse(form, by, now, options) {
      const fields = [...fieldsOf(undefined), AT];
      const errors: FieldErrors = {};
      const raw: Record<string, unknown> = { ...spec.fixed, by, ...(spec.subject === 'incident' ? { incidentId: options.subjectId } : {}) };
      for (const f of fields) {
        const v = optional(form[f.name]);
        if (v === undefined) {
          if (f.required) errors[f.name] = 'is required';
          continue;
        }
        const allowed = f.type === 'select' ? (f.options ?? []).map((o) => (typeof o === 'string' ? o : o.value)) : undefined;
        if (allowed && allowed.length > 0 && !allowed.includes(v)) {
          errors[f.name] = `must be one of: ${allowed.join(', ')}`;
          continue;
        }
        if (f.type === 'datetime') {
          const converted = localToInstant(v);
          if ('error' in converted) errors[f.name] = converted.error;
          else raw[f.name] = converted.instant;
        } else {
          raw[f.name] = v;
        }
      }
      raw['at'] ??= now.toISOString();
      Object.assign(raw, spec.convert?.(form) ?? {});
      if (Object.keys(errors).length > 0) return { ok: false, errors };
      const parsed = validate(spec.schema, raw, { by: '_form', type: 'what' }, fields.map((f) => f.name));
      return parsed.ok ? { ok: true, value: { type: 'event', event: parsed.value as CaseEvent } } : parsed;
    },
  };
}

const stageConvert = (form: Form) => (optional(form['stage']) === undefined ? {} : { stage: /^[12]$/.test(form['stage'] ?? '') ? Number(form['stage']) : form['stage'] });

export const CASE_ACTIONS: readonly CaseAction[] = [
  eventAction({
    slug: 'visit',
    title: 'Record a visit',
    group: 'Contacts',
    schema: ContactRecorded,
    fixed: { type: 'contact', contactType: 'visit' },
    fields: [{ name: 'childSeenAlone', label: 'Child seen alone?', type: 'select', options: [{ value: 'yes', label: 'Yes' }, { value: 'no', label: 'No' }] }],
    convert: (form) => {
      const v = optional(form['childSeenAlone']);
      return v === undefined ? {} : { childSeenAlone: v === 'yes' ? true : v === 'no' ? false : v };
    },
  }),
  eventAction({ slug: 'kit-call', title: 'Record a keeping-in-touch call', group: 'Contacts', schema: ContactRecorded, fixed: { type: 'contact', contactType: 'kit-call' }, fields: [] }),
  eventAction({
    slug: 'contact',
    title: 'Record contact by another professional',
    group: 'Contacts',
    schema: ContactRecorded,
    fixed: { type: 'contact', contactType: 'other' },
    fields: [],
  }),
  eventAction({
    slug: 'tier',
    title: 'Change the risk tier',
    group: 'Case',
    schema: TierSet,
    fixed: { type: 'tier-set' },
    fields: [{ name: 'tier', label: 'Risk tier', type: 'select', options: RISK_TIERS, required: true }, REASON],
  }),
  eventAction({
    slug: 'meeting-schedule',
    title: 'Schedule a meeting',
    group: 'Meetings and reports',
    schema: MeetingScheduled,
    fixed: { type: 'meeting-scheduled' },
    fields: [
      { name: 'meetingId', label: 'Meeting id', type: 'text', required: true, placeholder: 'CG-2026-04' },
      { name: 'meetingType', label: 'Meeting type', type: 'select', options: MEETING_TYPES, required: true },
      { name: 'scheduledFor', label: 'Date and time (UK)', type: 'datetime', required: true },
    ],
  }),
  eventAction({
    slug: 'meeting-postpone',
    title: 'Postpone a meeting',
    group: 'Meetings and reports',
    schema: MeetingPostponed,
    fixed: { type: 'meeting-postponed' },
    fields: (ctx) => [
      { name: 'meetingId', label: 'Meeting id', type: 'text', required: true, suggestions: scheduledMeetings(ctx) },
      { name: 'newDate', label: 'New date and time (UK)', type: 'datetime', required: true },
      REASON,
    ],
  }),
  eventAction({
    slug: 'meeting-cancel',
    title: 'Cancel a meeting',
    group: 'Meetings and reports',
    schema: MeetingCancelled,
    fixed: { type: 'meeting-cancelled' },
    fields: (ctx) => [{ name: 'meetingId', label: 'Meeting id', type: 'text', required: true, suggestions: scheduledMeetings(ctx) }, REASON],
  }),
  eventAction({
    slug: 'meeting-held',
    title: 'Record that a meeting took place',
    group: 'Meetings and reports',
    schema: MeetingHeld,
    fixed: { type: 'meeting-held' },
    fields: (ctx) => [
      { name: 'meetingId', label: 'Meeting id', type: 'text', suggestions: scheduledMeetings(ctx), help: 'If it was scheduled.' },
      { name: 'meetingType', label: 'Meeting type', type: 'select', options: MEETING_TYPES, required: true },
      { name: 'outcome', label: 'Outcome', type: 'select', options: ['cp-plan', 'no-plan', 'plan-ended'] },
    ],
  }),
  eventAction({
    slug: 'pre-meeting',
    title: 'Record the chair and social worker pre-meeting',
    group: 'Meetings and reports',
    schema: PreMeetingHeld,
    fixed: { type: 'pre-meeting-held' },
    fields: (ctx) => [{ name: 'meetingId', label: "Conference's meeting id", type: 'text', required: true, suggestions: scheduledMeetings(ctx) }],
  }),
  eventAction({
    slug: 'report',
    title: 'Record a report submitted',
    group: 'Meetings and reports',
    schema: ReportSubmitted,
    fixed: { type: 'report-submitted' },
    fields: (ctx) => [
      { name: 'reportType', label: 'Report', type: 'select', options: REPORT_TYPES, required: true },
      { name: 'meetingId', label: 'For meeting', type: 'text', required: true, suggestions: scheduledMeetings(ctx) },
    ],
  }),
  eventAction({
    slug: 'missing',
    title: 'Missing episode',
    group: 'Episodes',
    schema: CaseEvent,
    fixed: {},
    fields: [
      {
        name: 'what',
        label: 'What happened',
        type: 'select',
        required: true,
        options: [
          { value: 'missing-started', label: 'The child went missing' },
          { value: 'child-returned', label: 'The child returned (starts the 72-hour return interview clock)' },
          { value: 'return-interview-held', label: 'The return interview was held' },
        ],
      },
    ],
    convert: (form) => ({ type: optional(form['what']) ?? '', what: undefined }),
  }),
  eventAction({
    slug: 'complaint',
    title: 'Complaint',
    group: 'Episodes',
    schema: CaseEvent,
    fixed: {},
    fields: (ctx) => [
      {
        name: 'what',
        label: 'What happened',
        type: 'select',
        required: true,
        options: [
          { value: 'complaint-received', label: 'Received' },
          { value: 'complaint-extended', label: 'Extended (stage 1, 10 to 20 working days)' },
          { value: 'complaint-responded', label: 'Responded' },
        ],
      },
      { name: 'complaintId', label: 'Complaint id', type: 'text', required: true, suggestions: complaints(ctx) },
      { name: 'stage', label: 'Stage', type: 'select', options: ['1', '2'], required: true },
      { name: 'reason', label: 'Why it was extended', type: 'textarea', help: 'Extensions only.' },
    ],
    convert: (form) => ({ type: optional(form['what']) ?? '', what: undefined, ...stageConvert(form) }),
  }),
  eventAction({
    slug: 'referral',
    title: 'Referral',
    group: 'Episodes',
    schema: CaseEvent,
    fixed: {},
    fields: [{ name: 'what', label: 'What happened', type: 'select', required: true, options: [{ value: 'referral-received', label: 'Referral received' }, { value: 'referral-decided', label: 'Decision made on the referral' }] }],
    convert: (form) => ({ type: optional(form['what']) ?? '', what: undefined }),
  }),
  eventAction({ slug: 'assessment', title: 'Child and family assessment completed', group: 'Episodes', schema: AssessmentCompleted, fixed: { type: 'assessment-completed' }, fields: [] }),
  eventAction({ slug: 'strategy', title: 'Strategy discussion held', group: 'Episodes', schema: StrategyDiscussion, fixed: { type: 'strategy-discussion' }, fields: [] }),
  eventAction({
    slug: 'looked-after',
    title: 'Looked after',
    group: 'Episodes',
    schema: CaseEvent,
    fixed: {},
    fields: [{ name: 'what', label: 'What happened', type: 'select', required: true, options: [{ value: 'looked-after-started', label: 'The child became looked after' }, { value: 'looked-after-ended', label: 'The child stopped being looked after' }] }],
    convert: (form) => ({ type: optional(form['what']) ?? '', what: undefined }),
  }),
  eventAction({
    slug: 'placement',
    title: 'Placement started',
    group: 'Episodes',
    schema: PlacementStarted,
    fixed: { type: 'placement-started' },
    fields: [{ name: 'placementId', label: 'Placement id', type: 'text', required: true }],
  }),
  eventAction({
    slug: 'waive',
    title: 'Waive an obligation',
    group: 'Clocks',
    schema: ObligationWaived,
    fixed: { type: 'obligation-waived' },
    fields: (ctx) => [
      {
        name: 'obligationId',
        label: 'Obligation',
        type: 'select',
        required: true,
        options: (ctx?.state.open ?? []).map((o) => ({ value: o.id, label: `${o.title} (${o.id})` })),
      },
      REASON,
    ],
  }),
  eventAction({
    slug: 'hold',
    title: 'Put a clock on hold',
    group: 'Clocks',
    schema: HoldStarted,
    fixed: { type: 'hold-started' },
    fields: [
      { name: 'holdId', label: 'Hold id', type: 'text', required: true, help: 'A name to resume it by later.' },
      { name: 'kind', label: 'Clock', type: 'select', options: OBLIGATION_KINDS, help: 'Leave empty to hold every clock of the case.' },
      REASON,
    ],
  }),
  eventAction({
    slug: 'resume',
    title: 'End a hold',
    group: 'Clocks',
    schema: HoldEnded,
    fixed: { type: 'hold-ended' },
    fields: (ctx) => [{ name: 'holdId', label: 'Hold id', type: 'text', required: true, suggestions: activeHolds(ctx) }],
  }),
  eventAction({
    slug: 'ack',
    title: 'Acknowledge an escalation',
    group: 'Clocks',
    permission: 'acknowledge',
    schema: EscalationAcknowledged,
    fixed: { type: 'escalation-acknowledged' },
    fields: [
      { name: 'obligationId', label: 'Obligation', type: 'hidden', required: true },
      { name: 'level', label: 'Escalation level', type: 'hidden', required: true },
    ],
    convert: (form) => ({ level: /^\d$/.test(form['level'] ?? '') ? Number(form['level']) : form['level'] }),
  }),
  {
    slug: 'reassign',
    title: 'Reassign a role',
    group: 'Case',
    permission: 'steer',
    subject: 'case',
    fields: () => [
      { name: 'role', label: 'Role', type: 'select', options: STAFF_ROLES, required: true },
      { name: 'name', label: 'Their name', type: 'text', required: true },
      { name: 'email', label: 'Their email', type: 'email', required: true },
    ],
    parse(form, by) {
      const parsed = validate(
        ReassignInput,
        { role: optional(form['role']), contact: { name: optional(form['name']), email: optional(form['email']) }, by },
        { role: 'role', 'contact.name': 'name', 'contact.email': 'email', by: '_form' },
      );
      return parsed.ok ? { ok: true, value: { type: 'reassign', input: parsed.value } } : parsed;
    },
  },
  {
    slug: 'apply-policy',
    title: 'Apply a policy',
    group: 'Case',
    permission: 'administer',
    subject: 'case',
    fields: () => [
      { name: 'policy', label: 'Policy file', type: 'select', options: policyOptions(false), required: true },
      {
        name: 'mode',
        label: 'Mode',
        type: 'select',
        required: true,
        options: [
          { value: 'forward', label: 'forward: open deadlines stay, new ones follow the policy' },
          { value: 'recompute', label: 'recompute: open deadlines are recomputed now' },
        ],
      },
    ],
    parse(form, by) {
      const parsed = validate(ApplyPolicyInput, { snapshot: null, mode: optional(form['mode']), by }, { mode: 'mode', by: '_form' });
      if (!parsed.ok) return parsed;
      const choice = optional(form['policy']);
      if (choice === undefined || !shippedPolicyIds().includes(choice)) return { ok: false, errors: { policy: `must be one of: ${shippedPolicyIds().join(', ')}` } };
      try {
        return { ok: true, value: { type: 'policy', snapshot: policySnapshotFor(choice, undefined), mode: parsed.value.mode } };
      } catch (err) {
        if (err instanceof PolicyError) return { ok: false, errors: { policy: err.message } };
        throw err;
      }
    },
  },
  eventAction({ slug: 'close', title: 'Close the case', group: 'Case', schema: CaseClosed, fixed: { type: 'case-closed' }, fields: [REASON] }),
  eventAction({
    slug: 'incident-notified',
    title: 'The national panel was notified',
    group: 'Episodes',
    subject: 'incident',
    schema: IncidentNotified,
    fixed: { type: 'incident-notified' },
    fields: [],
  }),
  eventAction({
    slug: 'incident-reviewed',
    title: 'The rapid review was completed',
    group: 'Episodes',
    subject: 'incident',
    schema: RapidReviewCompleted,
    fixed: { type: 'rapid-review-completed' },
    fields: [],
  }),
];

export const actionBySlug = (slug: string): CaseAction | undefined => CASE_ACTIONS.find((a) => a.slug === slug);

/** Sends a validated submission with the client functions the command line uses. */
export function submit(client: Client, subject: 'case' | 'incident', id: string, submission: Submission, by: string): Promise<CaseAnswer> {
  if (submission.type === 'event') {
    return subject === 'incident' ? recordIncidentEvent(client, id, submission.event) : recordEvent(client, id, submission.event);
  }
  if (submission.type === 'reassign') return reassign(client, id, submission.input);
  return applyPolicy(client, id, { snapshot: submission.snapshot, mode: submission.mode, by });
}

// --- opening a case, reporting an incident --------------------------------------------------

const CONTACT_FIELDS: ReadonlyArray<{ role: StaffRole; name: string; label: string }> = [
  { role: 'allocated-worker', name: 'worker', label: 'Allocated worker' },
  { role: 'team-manager', name: 'manager', label: 'Team manager' },
  { role: 'head-of-service', name: 'head', label: 'Head of service' },
  { role: 'deputy-lead', name: 'deputy', label: 'Deputy lead for safeguarding and QA' },
  { role: 'iro', name: 'iro', label: 'Independent chair / IRO' },
];

const contactSpecs = (): FieldSpec[] =>
  CONTACT_FIELDS.map((c) => ({ name: c.name, label: c.label, type: 'text', placeholder: 'Name <email@council.example>' }));

function contactsFrom(form: Form, errors: FieldErrors): Record<string, { name: string; email: string }> {
  const contacts: Record<string, { name: string; email: string }> = {};
  for (const c of CONTACT_FIELDS) {
    const parsed = parseContact(form[c.name]);
    if (parsed === undefined) continue;
    if ('error' in parsed) errors[c.name] = parsed.error;
    else contacts[c.role] = parsed;
  }
  return contacts;
}

const CONTACT_PATHS = Object.fromEntries(CONTACT_FIELDS.map((c) => [`details.contacts.${c.role}`, c.name]));

export function openCaseFields(defaultTeam?: string): FieldSpec[] {
  return [
    { name: 'caseId', label: 'Case id', type: 'text', required: true, placeholder: 'WCF-2026-0001' },
    { name: 'reference', label: 'Case reference (shown in emails)', type: 'text', required: true, help: 'Never the child\'s name.' },
    { name: 'team', label: 'Team', type: 'text', required: true, placeholder: defaultTeam ?? 'LOCALITY-NORTH' },
    { name: 'tier', label: 'First risk tier', type: 'select', options: RISK_TIERS },
    { name: 'reason', label: 'Why that tier', type: 'textarea', help: 'Required with a tier.' },
    { name: 'ratedAt', label: 'Rated at (UK time)', type: 'datetime', help: 'If before now: the clocks start then.' },
    ...contactSpecs(),
    { name: 'policy', label: 'Policy', type: 'select', options: policyOptions(true), required: true },
  ];
}

export interface OpenCaseSubmission {
  input: z.output<typeof OpenCaseInput>;
  policy: PolicySnapshot;
}

export function parseOpenCase(form: Form, by: string, options: { configuredPolicy?: string; now?: Date }): Outcome<OpenCaseSubmission> {
  const errors: FieldErrors = {};
  const contacts = contactsFrom(form, errors);
  const tier = optional(form['tier']);
  const ratedRaw = optional(form['ratedAt']);
  // A rating "at" a future time would start the clocks from a moment that has not happened (as `caseclock open --rated-at`).
  const ratedAt = ratedRaw === undefined ? undefined : pastInstant(ratedRaw, options.now ?? new Date(), errors, 'ratedAt');
  if (tier === undefined && optional(form['reason']) !== undefined) errors['tier'] = 'is required when a reason is given';
  if (tier !== undefined && optional(form['reason']) === undefined) errors['reason'] = 'is required with a tier';
  const raw = {
    caseId: optional(form['caseId']),
    details: { reference: optional(form['reference']), team: optional(form['team']), contacts },
    openedBy: by,
    ...(tier !== undefined ? { initialTier: { tier, reason: optional(form['reason']) ?? '', ...(ratedAt ? { at: ratedAt } : {}) } } : {}),
  };
  const parsed = validate(OpenCaseInput, raw, {
    caseId: 'caseId',
    'details.reference': 'reference',
    'details.team': 'team',
    'initialTier.tier': 'tier',
    'initialTier.reason': 'reason',
    'initialTier.at': 'ratedAt',
    openedBy: '_form',
    ...CONTACT_PATHS,
  });
  const policy = choosePolicy(form, options, errors);
  if (!parsed.ok) Object.assign(errors, { ...parsed.errors, ...errors });
  if (Object.keys(errors).length > 0 || !parsed.ok || !policy) return { ok: false, errors };
  return { ok: true, value: { input: parsed.value, policy } };
}

function choosePolicy(form: Form, options: { configuredPolicy?: string }, errors: FieldErrors): PolicySnapshot | undefined {
  const choice = optional(form['policy']) ?? 'default';
  if (choice !== 'default' && !shippedPolicyIds().includes(choice)) {
    errors['policy'] = `must be one of: default, ${shippedPolicyIds().join(', ')}`;
    return undefined;
  }
  try {
    return policySnapshotFor(choice, options.configuredPolicy);
  } catch (err) {
    if (err instanceof PolicyError) {
      errors['policy'] = err.message;
      return undefined;
    }
    throw err;
  }
}

export function incidentFields(): FieldSpec[] {
  return [
    { name: 'incidentId', label: 'Incident id', type: 'text', required: true, placeholder: 'SI-2026-001' },
    { name: 'team', label: 'Team', type: 'text', required: true },
    { name: 'reference', label: 'Reference (shown in emails)', type: 'text', help: 'Default: the incident id.' },
    { name: 'linkedCaseId', label: 'Case it concerns', type: 'text' },
    { name: 'awareAt', label: 'Became aware at (UK time)', type: 'datetime', help: 'Leave empty for now.' },
    ...contactSpecs(),
    { name: 'policy', label: 'Policy', type: 'select', options: policyOptions(true), required: true },
  ];
}

export interface IncidentSubmission {
  input: z.output<typeof ReportIncidentInput>;
  policy: PolicySnapshot;
}

export function parseIncident(form: Form, by: string, now: Date, options: { configuredPolicy?: string }): Outcome<IncidentSubmission> {
  const errors: FieldErrors = {};
  const contacts = contactsFrom(form, errors);
  const awareRaw = optional(form['awareAt']);
  // Becoming aware in the future would start the 5-working-day clock from a moment that has not happened.
  const awareAt = awareRaw === undefined ? now.toISOString() : pastInstant(awareRaw, now, errors, 'awareAt');
  const incidentId = optional(form['incidentId']);
  const linked = optional(form['linkedCaseId']);
  const parsed = validate(
    ReportIncidentInput,
    {
      incidentId,
      ...(linked ? { linkedCaseId: linked } : {}),
      details: { reference: optional(form['reference']) ?? incidentId, team: optional(form['team']), contacts },
      reportedBy: by,
      awareAt,
    },
    { incidentId: 'incidentId', linkedCaseId: 'linkedCaseId', 'details.reference': 'reference', 'details.team': 'team', awareAt: 'awareAt', reportedBy: '_form', ...CONTACT_PATHS },
  );
  const policy = choosePolicy(form, options, errors);
  if (!parsed.ok) Object.assign(errors, { ...parsed.errors, ...errors });
  if (Object.keys(errors).length > 0 || !parsed.ok || !policy) return { ok: false, errors };
  return { ok: true, value: { input: parsed.value, policy } };
}
