/**
 * Every change a person can make to a case, one definition each: the form it shows, who may use
 * it, how the submitted form becomes the input of a client function (common/cases.ts), validated
 * with the same zod schemas as the command line (domain/facts.ts, workflows/inputs.ts), and which
 * form field each of the case's refusals names. The console renders these forms; the command line
 * builds its recording commands from the same declarations (`cli`). Bad input comes back as one
 * message per form field and nothing is sent.
 */
import { readdirSync } from 'node:fs';
import type { Client } from '@temporalio/client';
import { z } from 'zod';
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
import { COMPLAINT_STAGES, LEGAL_STATUSES, MEETING_TYPES, OBLIGATION_KINDS, PLACEMENT_TYPES, REPORT_TYPES, RISK_TIERS, STAFF_ROLES, type StaffRole } from '../../domain/kinds';
import { kindLabel, legalStatusLabel, MEETING_OUTCOME_LABELS, meetingTypeLabel, placementTypeLabel, reportTypeLabel, roleLabel, tierLabel } from '../../domain/labels';
import { localTime } from '../../domain/wording';
import { snapshotPolicy, type PolicySnapshot } from '../../domain/policy';
import { loadDefaultPolicy, loadPolicyFile, loadShippedPolicy, PolicyError, SHIPPED_POLICY_DIR } from '../../domain/policy-loader';
import { ApplyPolicyInput, futureProblems, initialTierProblems, OpenCaseInput, ReassignInput, ReportIncidentInput, UpdateDetailsInput } from '../../workflows/inputs';
import type { CaseAnswer, CaseState, TimelineEntry } from '../../workflows/messages';
import { applyPolicy, type CaseActionError, reassign, recordEvent, recordIncidentEvent, updateDetails } from '../../common/cases';
import { type FieldErrors, type FieldSpec, type Form, localToInstant, optional, type Outcome, overlongFields, parseContact, validate } from './fields';

export { instantToLocal, localToInstant, MAX_FIELD_CHARS, overlongFields, parseContact, splitContact, ukToIsoLocal, validate } from './fields';
export type { FieldErrors, FieldSpec, Form, Outcome } from './fields';

/** Who may take an action (the console's roles grant these; the command line is trusted as its operator). */
export type Permission = 'read' | 'steer' | 'acknowledge' | 'administer';

/** A typed time as an instant, refused by `field` when it is not a real UK time or is in the future. */
function pastInstant(value: string, now: Date, errors: FieldErrors, field: string): string | undefined {
  const converted = localToInstant(value);
  if ('error' in converted) {
    errors[field] = converted.error;
    return undefined;
  }
  // Checked only when it is a valid instant: the schema names anything else wrong with it (e.g. year 9999).
  const instant = IsoInstant.safeParse(converted.instant);
  const future = instant.success ? futureProblems(field, instant.data, now) : [];
  for (const p of future) errors[p.field] = p.message;
  return future.length > 0 ? undefined : converted.instant;
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
  const policy = choice === 'default' ? (configuredPolicy === undefined ? loadDefaultPolicy() : loadPolicyFile(configuredPolicy)) : loadShippedPolicy(choice);
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
  | { type: 'details'; input: z.output<typeof UpdateDetailsInput> }
  | { type: 'policy'; snapshot: PolicySnapshot; mode: 'forward' | 'recompute' };

export interface CaseAction {
  slug: string;
  title: string;
  group: 'Contacts' | 'Meetings and reports' | 'Episodes' | 'Clocks' | 'Case';
  permission: Permission;
  /** Shown only on an incident's page (the incident commands), or only on a case's. */
  subject: 'case' | 'incident';
  fields(ctx: CaseContext | undefined): FieldSpec[];
  /**
   * The form → what to send; `by` is the signed-in user, `now` the default `at`. Every field is
   * checked against MAX_FIELD_CHARS before anything else reads it.
   */
  parse(form: Form, by: string, now: Date, options: { subjectId: string; context?: CaseContext }): Outcome<Submission>;
  /**
   * The form field that holds the input field a refusal by the case names (e.g. `type` → `what`,
   * `contact.email` → `email`), or undefined when no field of this form does.
   */
  refusalField(field: string): string | undefined;
  /** How the command line takes this action, when it does (built by client/cli/commands/events.ts). */
  cli?: CliCommand;
  /**
   * For an action that records an event: its schema, the fields the action fixes (its type, ...),
   * and the event from the values of the form's fields as typed (instants already instants).
   */
  event?: { schema: z.ZodType; fixed: Readonly<Record<string, unknown>>; build(values: Form): Record<string, unknown> };
}

/** How the command line takes an action: its command words, and a flag or argument for each form field. */
export interface CliCommand {
  /** e.g. ['kit-call'] or ['meeting', 'schedule']. */
  command: readonly string[];
  description: string;
  /**
   * Form field name (or, for a command with no form field, the event field) → `--flag` (and its
   * help), a positional `<argument>`, or switches; an argument with `words` takes a word
   * (`started`) for each of the field's choices (`missing-started`), and calls itself `what` when
   * refusing another.
   */
  inputs: Readonly<Record<string, CliFlag | CliArgument | CliSwitches>>;
}

/** Flags without a value, one for each choice of the field (`--seen-alone` → yes); two of them contradict each other. */
export interface CliSwitches {
  switches: ReadonlyArray<{ flag: string; value: string; help: string }>;
}

export interface CliFlag {
  flag: string;
  value: string;
  help: string;
  /** A check the typed value must pass first, with what it must be (`must be 1 or 2`). */
  accepts?: { test(value: string): boolean; says: string };
}

export interface CliArgument {
  argument: string;
  help: string;
  words?: Readonly<Record<string, string>>;
  what?: string;
}

/** Fields of the form that hold the refused input fields: the same name, or one of `aliases`, if the form has that field. */
function refusalFieldOf(fieldNames: (ctx: CaseContext | undefined) => readonly string[], aliases: Record<string, string> = {}): (field: string) => string | undefined {
  return (field) => {
    const names = fieldNames(undefined);
    const name = names.includes(field) ? field : aliases[field];
    return name !== undefined && names.includes(name) ? name : undefined;
  };
}

/**
 * Each problem of a refusal by the case, by the form field that holds it (the first problem per
 * field), so the console shows it under that field's label. Problems no field holds are left to
 * the message the console shows over the form.
 */
export function formErrorsFromRefusal(err: CaseActionError, action: CaseAction, ctx?: CaseContext): FieldErrors {
  const shown = new Set(action.fields(ctx).map((f) => f.name));
  const errors: FieldErrors = {};
  for (const problem of err.problems) {
    const name = action.refusalField(problem.field);
    if (name !== undefined && shown.has(name)) errors[name] ??= problem.message;
  }
  return errors;
}

/** Choices shown in words, sent as their codes. */
function labelled<T extends string>(values: readonly T[], label: (value: T) => string): Array<{ value: T; label: string }> {
  return values.map((value) => ({ value, label: label(value).replace(/^./, (c) => c.toUpperCase()) }));
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
  cli?: CliCommand;
}): CaseAction {
  const fieldsOf = (ctx: CaseContext | undefined) => (typeof spec.fields === 'function' ? spec.fields(ctx) : spec.fields);
  return {
    slug: spec.slug,
    title: spec.title,
    group: spec.group,
    permission: spec.permission ?? 'steer',
    subject: spec.subject ?? 'case',
    fields: (ctx) => [...fieldsOf(ctx), AT],
    // An event's fields are named as the form's; `type` (what happened) is the `what` select where there is one.
    refusalField: refusalFieldOf((ctx) => [...fieldsOf(ctx), AT].map((f) => f.name), { type: 'what' }),
    ...(spec.cli ? { cli: spec.cli } : {}),
    event: { schema: spec.schema, fixed: spec.fixed, build: (values) => ({ ...spec.fixed, ...values, ...(spec.convert?.(values) ?? {}) }) },
    parse(form, by, now, options) {
      const fields = [...fieldsOf(undefined), AT];
      const overlong = overlongFields(form);
      if (Object.keys(overlong).length > 0) return { ok: false, errors: overlong };
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
      const parsed = validate(
        spec.schema,
        raw,
        { by: '_form', type: 'what' },
        fields.map((f) => f.name),
      );
      return parsed.ok ? { ok: true, value: { type: 'event', event: parsed.value as CaseEvent } } : parsed;
    },
  };
}

/**
 * An episode's action (referral, looked after, missing, complaint): a `what` select of the event
 * types it records, each with its word on the command line (`missing returned`), then any further
 * fields; the type chosen is the event's `type`.
 */
function episodeAction(spec: {
  slug: string;
  title: string;
  /** The command's description. */
  description: string;
  /** What the command's argument is called when refusing a word (`missing-episode event`). */
  what: string;
  /** The event types, in the select's order: the command-line word, the event type and its label. */
  events: ReadonlyArray<{ word: string; type: string; label: string }>;
  /** Fields after `what`, and how the command line takes them. */
  more?: (ctx: CaseContext | undefined) => FieldSpec[];
  moreInputs?: CliCommand['inputs'];
  /** Form value → event value for the further fields. */
  convert?: (form: Form) => Record<string, unknown>;
  /** The schema the event must pass (default: CaseEvent, which the type chosen picks from). */
  schema?: z.ZodType;
}): CaseAction {
  const what: FieldSpec = { name: 'what', label: 'What happened', type: 'select', required: true, options: spec.events.map((e) => ({ value: e.type, label: e.label })) };
  return eventAction({
    slug: spec.slug,
    title: spec.title,
    group: 'Episodes',
    schema: spec.schema ?? CaseEvent,
    fixed: {},
    fields: (ctx) => [what, ...(spec.more?.(ctx) ?? [])],
    convert: (form) => ({ type: optional(form['what']) ?? '', what: undefined, ...(spec.convert?.(form) ?? {}) }),
    cli: {
      command: [spec.slug],
      description: spec.description,
      inputs: {
        what: { argument: 'event', help: spec.events.map((e) => e.word).join('|'), what: spec.what, words: Object.fromEntries(spec.events.map((e) => [e.word, e.type])) },
        ...spec.moreInputs,
      },
    },
  });
}

const STAGES = COMPLAINT_STAGES.map(String);
/** The stage as the schema takes it (a number); anything else is left as typed, for the schema to refuse by name. */
const stageConvert = (form: Form) => {
  const v = optional(form['stage']);
  return v === undefined ? {} : { stage: STAGES.includes(v) ? Number(v) : v };
};

/**
 * A complaint's event as CaseEvent takes it, with an extension at stage 3 refused by `stage` in
 * words (the schema allows an extension at stage 1 or 2 only, and its union would say only
 * "Invalid input").
 */
const ComplaintEvent = z
  .unknown()
  .superRefine((value, ctx) => {
    const e = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
    if (e['type'] === 'complaint-extended' && e['stage'] === 3) {
      ctx.addIssue({ code: 'custom', path: ['stage'], input: e['stage'], message: 'must be 1 or 2: only stages 1 and 2 are extended' });
    }
  })
  .pipe(CaseEvent);

/** A yes/no select as a boolean (anything else as typed, for the schema to refuse by name). */
const yesNo = (form: Form, field: string): Record<string, unknown> => {
  const v = optional(form[field]);
  return v === undefined ? {} : { [field]: v === 'yes' ? true : v === 'no' ? false : v };
};
const YES_NO = [
  { value: 'yes', label: 'Yes' },
  { value: 'no', label: 'No' },
];

/** Which child in care review of the episode, 1 to 200 (the schema's range, and its words). */
const REVIEW_NUMBER_SAYS = 'must be a whole number from 1 to 200';
const isReviewNumber = (v: string) => /^[0-9]{1,3}$/.test(v) && Number(v) >= 1 && Number(v) <= 200;

export const CASE_ACTIONS: readonly CaseAction[] = [
  eventAction({
    slug: 'visit',
    title: 'Record a visit',
    group: 'Contacts',
    schema: ContactRecorded,
    fixed: { type: 'contact', contactType: 'visit' },
    fields: [{ name: 'childSeenAlone', label: 'Child seen alone?', type: 'select', options: YES_NO }],
    cli: {
      command: ['visit'],
      description: 'record a visit to the child',
      inputs: {
        childSeenAlone: {
          switches: [
            { flag: '--seen-alone', value: 'yes', help: 'the child was seen alone' },
            { flag: '--not-seen-alone', value: 'no', help: 'the child was not seen alone' },
          ],
        },
      },
    },
    convert: (form) => yesNo(form, 'childSeenAlone'),
  }),
  eventAction({
    slug: 'kit-call',
    title: 'Record a keeping-in-touch call',
    group: 'Contacts',
    schema: ContactRecorded,
    fixed: { type: 'contact', contactType: 'kit-call' },
    fields: [],
    cli: { command: ['kit-call'], description: 'record a keeping-in-touch call', inputs: {} },
  }),
  eventAction({
    slug: 'contact',
    title: 'Record contact by another professional',
    group: 'Contacts',
    schema: ContactRecorded,
    fixed: { type: 'contact', contactType: 'other' },
    fields: [],
    cli: { command: ['contact'], description: 'record contact by another professional (counts as keeping in touch where policy says so)', inputs: {} },
  }),
  eventAction({
    slug: 'tier',
    title: 'Change the risk tier',
    group: 'Case',
    schema: TierSet,
    fixed: { type: 'tier-set' },
    fields: [{ name: 'tier', label: 'Risk tier', type: 'select', options: labelled(RISK_TIERS, tierLabel), required: true }, REASON],
    cli: {
      command: ['tier'],
      description: 'set or change the risk tier (the clocks restart from the new tier)',
      inputs: { tier: { argument: 'tier', help: RISK_TIERS.join('|') }, reason: { flag: '--reason', value: 'text', help: 'why (required)' } },
    },
  }),
  eventAction({
    slug: 'meeting-schedule',
    title: 'Schedule a meeting',
    group: 'Meetings and reports',
    schema: MeetingScheduled,
    fixed: { type: 'meeting-scheduled' },
    fields: [
      { name: 'meetingId', label: 'Meeting id', type: 'text', required: true, placeholder: 'CG-2026-04' },
      { name: 'meetingType', label: 'Meeting type', type: 'select', options: labelled(MEETING_TYPES, meetingTypeLabel), required: true },
      { name: 'scheduledFor', label: 'Date and time (UK)', type: 'datetime', required: true },
    ],
    cli: {
      command: ['meeting', 'schedule'],
      description: 'schedule a meeting',
      inputs: {
        meetingId: { flag: '--meeting', value: 'id', help: 'meeting id (required)' },
        meetingType: { flag: '--type', value: 'type', help: `${MEETING_TYPES.join('|')} (required)` },
        scheduledFor: { flag: '--date', value: 'instant', help: 'when it will take place (required)' },
      },
    },
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
    cli: {
      command: ['meeting', 'postpone'],
      description: 'postpone a scheduled meeting (the deputy lead and head of service are told)',
      inputs: {
        meetingId: { flag: '--meeting', value: 'id', help: 'meeting id (required)' },
        newDate: { flag: '--date', value: 'instant', help: 'the new date (required)' },
        reason: { flag: '--reason', value: 'text', help: 'why (required)' },
      },
    },
  }),
  eventAction({
    slug: 'meeting-cancel',
    title: 'Cancel a meeting',
    group: 'Meetings and reports',
    schema: MeetingCancelled,
    fixed: { type: 'meeting-cancelled' },
    fields: (ctx) => [{ name: 'meetingId', label: 'Meeting id', type: 'text', required: true, suggestions: scheduledMeetings(ctx) }, REASON],
    cli: {
      command: ['meeting', 'cancel'],
      description: 'cancel a scheduled meeting (the deputy lead and head of service are told)',
      inputs: { meetingId: { flag: '--meeting', value: 'id', help: 'meeting id (required)' }, reason: { flag: '--reason', value: 'text', help: 'why (required)' } },
    },
  }),
  eventAction({
    slug: 'meeting-held',
    title: 'Record that a meeting took place',
    group: 'Meetings and reports',
    schema: MeetingHeld,
    fixed: { type: 'meeting-held' },
    fields: (ctx) => [
      { name: 'meetingId', label: 'Meeting id', type: 'text', suggestions: scheduledMeetings(ctx), help: 'If it was scheduled.' },
      { name: 'meetingType', label: 'Meeting type', type: 'select', options: labelled(MEETING_TYPES, meetingTypeLabel), required: true },
      { name: 'outcome', label: 'Outcome', type: 'select', options: labelled(['cp-plan', 'no-plan', 'plan-ended'] as const, (o) => MEETING_OUTCOME_LABELS[o]) },
      { name: 'reviewNumber', label: 'Which child in care review of the episode (1 = first)', type: 'text', help: 'Child in care reviews only, when known; leave empty to count the reviews recorded.' },
    ],
    convert: (form) => {
      const v = optional(form['reviewNumber']);
      return v === undefined ? {} : { reviewNumber: /^[0-9]{1,4}$/.test(v) ? Number(v) : v };
    },
    cli: {
      command: ['meeting', 'held'],
      description: 'record that a meeting took place',
      inputs: {
        meetingId: { flag: '--meeting', value: 'id', help: 'meeting id, if it was scheduled' },
        meetingType: { flag: '--type', value: 'type', help: `${MEETING_TYPES.join('|')} (required)` },
        outcome: { flag: '--outcome', value: 'outcome', help: 'cp-plan|no-plan|plan-ended' },
        reviewNumber: {
          flag: '--review-number',
          value: 'n',
          help: 'which child in care review of the episode it was, 1 to 200 (cic-review only; default: counted)',
          accepts: { test: isReviewNumber, says: REVIEW_NUMBER_SAYS },
        },
      },
    },
  }),
  eventAction({
    slug: 'pre-meeting',
    title: 'Record the chair and social worker pre-meeting',
    group: 'Meetings and reports',
    schema: PreMeetingHeld,
    fixed: { type: 'pre-meeting-held' },
    fields: (ctx) => [{ name: 'meetingId', label: "Conference's meeting id", type: 'text', required: true, suggestions: scheduledMeetings(ctx) }],
    cli: {
      command: ['meeting', 'pre-meeting'],
      description: 'record the chair and social worker pre-meeting before a conference',
      inputs: { meetingId: { flag: '--meeting', value: 'id', help: "the conference's meeting id (required)" } },
    },
  }),
  eventAction({
    slug: 'report',
    title: 'Record a report submitted',
    group: 'Meetings and reports',
    schema: ReportSubmitted,
    fixed: { type: 'report-submitted' },
    fields: (ctx) => [
      { name: 'reportType', label: 'Report', type: 'select', options: labelled(REPORT_TYPES, reportTypeLabel), required: true },
      { name: 'meetingId', label: 'For meeting', type: 'text', required: true, suggestions: scheduledMeetings(ctx) },
    ],
  }),
  episodeAction({
    slug: 'missing',
    title: 'Missing episode',
    description: 'a missing episode: the child went missing, returned, or had the return interview',
    what: 'missing-episode event',
    events: [
      { word: 'started', type: 'missing-started', label: 'The child went missing' },
      { word: 'returned', type: 'child-returned', label: 'The child returned (starts the 72-hour return interview clock)' },
      { word: 'interview', type: 'return-interview-held', label: 'The return interview was held' },
    ],
  }),
  episodeAction({
    slug: 'complaint',
    title: 'Complaint',
    description:
      'a complaint: received, extended (stage 1 or 2, 10 to 20 working days) or responded; at stage 3, received is the request for a review panel, then the panel held, its report sent, and the response to its recommendations',
    what: 'complaint event',
    events: [
      { word: 'received', type: 'complaint-received', label: 'Received (at stage 3: a review panel requested)' },
      { word: 'extended', type: 'complaint-extended', label: 'Extended (stage 1 or 2, 10 to 20 working days)' },
      { word: 'responded', type: 'complaint-responded', label: "Responded (at stage 3: the response to the panel's recommendations)" },
      { word: 'panel-held', type: 'complaint-panel-held', label: 'The stage 3 review panel met' },
      { word: 'panel-reported', type: 'complaint-panel-reported', label: "The review panel's report was sent" },
    ],
    more: (ctx) => [
      { name: 'complaintId', label: 'Complaint id', type: 'text', required: true, suggestions: complaints(ctx) },
      // Required by the events that have a stage (received, extended, responded): the schema names it when missing.
      { name: 'stage', label: 'Stage', type: 'select', options: STAGES, help: 'Received, extended and responded only (extended: 1 or 2).' },
      { name: 'reason', label: 'Why it was extended', type: 'textarea', help: 'Extensions only.' },
    ],
    moreInputs: {
      complaintId: { flag: '--id', value: 'complaintId', help: 'complaint id (required)' },
      stage: { flag: '--stage', value: 'n', help: '1, 2 or 3 (received, extended and responded; extended 1 or 2)', accepts: { test: (v) => STAGES.includes(v), says: 'must be 1, 2 or 3' } },
      reason: { flag: '--reason', value: 'text', help: 'why it was extended (extended only)' },
    },
    convert: stageConvert,
    schema: ComplaintEvent,
  }),
  episodeAction({
    slug: 'referral',
    title: 'Referral',
    description: 'a referral was received, or the decision on it made',
    what: 'referral event',
    events: [
      { word: 'received', type: 'referral-received', label: 'Referral received' },
      { word: 'decided', type: 'referral-decided', label: 'Decision made on the referral' },
    ],
  }),
  eventAction({
    slug: 'assessment',
    title: 'Child and family assessment completed',
    group: 'Episodes',
    schema: AssessmentCompleted,
    fixed: { type: 'assessment-completed' },
    fields: [],
    // The form has one thing to record; the command names it, as the other episode commands do.
    cli: {
      command: ['assessment'],
      description: 'the child and family assessment was completed',
      inputs: { type: { argument: 'event', help: 'completed', what: 'assessment event', words: { completed: 'assessment-completed' } } },
    },
  }),
  eventAction({
    slug: 'strategy',
    title: 'Strategy discussion held',
    group: 'Episodes',
    schema: StrategyDiscussion,
    fixed: { type: 'strategy-discussion' },
    fields: [{ name: 's47Started', label: 'Section 47 enquiry started at this discussion?', type: 'select', options: YES_NO, help: 'The initial conference is due 15 working days after the discussion that started it.' }],
    convert: (form) => yesNo(form, 's47Started'),
    cli: {
      command: ['strategy'],
      description: 'a strategy discussion took place (starts the initial conference clock when the section 47 enquiry was started at it, or when that is not said)',
      inputs: {
        s47Started: {
          switches: [
            { flag: '--s47-started', value: 'yes', help: 'the section 47 enquiry was started at this discussion' },
            { flag: '--no-s47', value: 'no', help: 'no section 47 enquiry was started at it (no initial conference clock)' },
          ],
        },
      },
    },
  }),
  episodeAction({
    slug: 'looked-after',
    title: 'Looked after',
    description: 'the child became, or stopped being, looked after',
    what: 'looked-after event',
    events: [
      { word: 'started', type: 'looked-after-started', label: 'The child became looked after' },
      { word: 'ended', type: 'looked-after-ended', label: 'The child stopped being looked after' },
    ],
  }),
  eventAction({
    slug: 'placement',
    title: 'Placement started',
    group: 'Episodes',
    schema: PlacementStarted,
    fixed: { type: 'placement-started' },
    fields: [
      { name: 'placementId', label: 'Placement id', type: 'text', required: true },
      { name: 'placementType', label: 'Placement type', type: 'select', options: labelled(PLACEMENT_TYPES, placementTypeLabel), help: 'Sets how often the child must be visited. Leave empty for a general placement.' },
      { name: 'legalStatus', label: 'Legal status', type: 'select', options: labelled(LEGAL_STATUSES, legalStatusLabel) },
    ],
    cli: {
      command: ['placement'],
      description: 'a looked-after child started a placement (its type and the legal status set the visiting rhythm)',
      inputs: {
        placementId: { flag: '--id', value: 'placementId', help: 'placement id (required)' },
        placementType: { flag: '--type', value: 'type', help: `placement type (default: general): ${PLACEMENT_TYPES.join(', ')}` },
        legalStatus: { flag: '--legal-status', value: 'status', help: `the child's legal status: ${LEGAL_STATUSES.join(', ')}` },
      },
    },
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
        options: (ctx?.state.open ?? []).map((o) => ({ value: o.id, label: `${o.title}, due ${localTime(o.dueAt)}` })),
      },
      REASON,
    ],
    cli: {
      command: ['waive'],
      description: 'waive one open obligation (see `caseclock show` for ids)',
      inputs: { obligationId: { argument: 'obligationId', help: 'the obligation id, e.g. kit-call@2026-03-02T10:00:00.000Z' }, reason: { flag: '--reason', value: 'text', help: 'why (required)' } },
    },
  }),
  eventAction({
    slug: 'hold',
    title: 'Put a clock on hold',
    group: 'Clocks',
    schema: HoldStarted,
    fixed: { type: 'hold-started' },
    fields: [
      { name: 'holdId', label: 'Hold id', type: 'text', required: true, help: 'A name to resume it by later.' },
      { name: 'kind', label: 'Clock', type: 'select', options: labelled(OBLIGATION_KINDS, kindLabel), help: 'Leave empty to hold every clock of the case.' },
      REASON,
    ],
    cli: {
      command: ['hold'],
      description: 'pause one clock (--kind) or every clock of the case',
      inputs: {
        holdId: { flag: '--id', value: 'holdId', help: 'hold id, to resume it later (required)' },
        kind: { flag: '--kind', value: 'kind', help: `the obligation kind to pause (default: all): ${OBLIGATION_KINDS.join(', ')}` },
        reason: { flag: '--reason', value: 'text', help: 'why (required)' },
      },
    },
  }),
  eventAction({
    slug: 'resume',
    title: 'End a hold',
    group: 'Clocks',
    schema: HoldEnded,
    fixed: { type: 'hold-ended' },
    fields: (ctx) => [{ name: 'holdId', label: 'Hold id', type: 'text', required: true, suggestions: activeHolds(ctx) }],
    cli: { command: ['resume'], description: 'end a hold', inputs: { holdId: { flag: '--id', value: 'holdId', help: 'the hold id (required)' } } },
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
    cli: {
      command: ['ack'],
      description: 'acknowledge an escalation of an overdue obligation',
      inputs: {
        obligationId: { argument: 'obligationId', help: 'the obligation id' },
        level: { flag: '--level', value: 'n', help: 'the escalation level acknowledged (required)', accepts: { test: (v) => /^[1-9]$/.test(v), says: 'must be a whole number from 1 to 9' } },
      },
    },
  }),
  {
    slug: 'reassign',
    title: 'Reassign a role',
    group: 'Case',
    permission: 'steer',
    subject: 'case',
    fields: () => [
      { name: 'role', label: 'Role', type: 'select', options: labelled(STAFF_ROLES, roleLabel), required: true },
      { name: 'name', label: 'Their name', type: 'text', required: true },
      { name: 'email', label: 'Their email', type: 'email', required: true },
    ],
    refusalField: refusalFieldOf(() => ['role', 'name', 'email'], { 'contact.name': 'name', 'contact.email': 'email' }),
    parse(form, by) {
      const overlong = overlongFields(form);
      if (Object.keys(overlong).length > 0) return { ok: false, errors: overlong };
      const parsed = validate(
        ReassignInput,
        { role: optional(form['role']), contact: { name: optional(form['name']), email: optional(form['email']) }, by },
        { role: 'role', 'contact.name': 'name', 'contact.email': 'email', by: '_form' },
      );
      return parsed.ok ? { ok: true, value: { type: 'reassign', input: parsed.value } } : parsed;
    },
  },
  {
    slug: 'details',
    title: "Update the case's contacts",
    group: 'Case',
    permission: 'steer',
    subject: 'case',
    // The team and reference stay: a case keeps its reference, and moving team is its own change.
    fields: () => contactSpecs().map((f) => ({ ...f, help: 'Leave empty to keep who it is now.' })),
    refusalField: (field) => CONTACT_PATHS[field],
    parse(form, by, _now, options) {
      const overlong = overlongFields(form);
      if (Object.keys(overlong).length > 0) return { ok: false, errors: overlong };
      const current = options.context?.state.details;
      if (current === undefined) return { ok: false, errors: { _form: "the case's details could not be read: nothing was sent" } };
      const errors: FieldErrors = {};
      const changed = contactsFrom(form, errors);
      if (Object.keys(errors).length > 0) return { ok: false, errors };
      if (Object.keys(changed).length === 0) return { ok: false, errors: { _form: 'give at least one contact to change' } };
      const parsed = validate(UpdateDetailsInput, { details: { ...current, contacts: { ...current.contacts, ...changed } }, by }, { ...CONTACT_PATHS, by: '_form' });
      return parsed.ok ? { ok: true, value: { type: 'details', input: parsed.value } } : parsed;
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
    refusalField: refusalFieldOf(() => ['policy', 'mode'], { snapshot: 'policy' }),
    parse(form, by) {
      const overlong = overlongFields(form);
      if (Object.keys(overlong).length > 0) return { ok: false, errors: overlong };
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
  eventAction({
    slug: 'close',
    title: 'Close the case',
    group: 'Case',
    schema: CaseClosed,
    fixed: { type: 'case-closed' },
    fields: [REASON],
    cli: { command: ['close'], description: 'close the case (its open obligations are superseded)', inputs: { reason: { flag: '--reason', value: 'text', help: 'why (required)' } } },
  }),
  eventAction({
    slug: 'incident-notified',
    title: 'The national panel was notified',
    group: 'Episodes',
    subject: 'incident',
    schema: IncidentNotified,
    fixed: { type: 'incident-notified' },
    fields: [],
    cli: { command: ['incident', 'notified'], description: 'the national panel was notified', inputs: {} },
  }),
  eventAction({
    slug: 'incident-reviewed',
    title: 'The rapid review was completed',
    group: 'Episodes',
    subject: 'incident',
    schema: RapidReviewCompleted,
    fixed: { type: 'rapid-review-completed' },
    fields: [],
    cli: { command: ['incident', 'reviewed'], description: 'the rapid review was completed', inputs: {} },
  }),
];

export const actionBySlug = (slug: string): CaseAction | undefined => CASE_ACTIONS.find((a) => a.slug === slug);

/**
 * Sends a validated submission with the client functions the command line uses. With `updateId`
 * (the integration API's idempotency key), the same id sent again to the same run records once.
 */
export function submit(client: Client, subject: 'case' | 'incident', id: string, submission: Submission, by: string, options: { updateId?: string } = {}): Promise<CaseAnswer> {
  if (submission.type === 'event') {
    return subject === 'incident' ? recordIncidentEvent(client, id, submission.event, options) : recordEvent(client, id, submission.event, options);
  }
  if (submission.type === 'reassign') return reassign(client, id, submission.input, options);
  // The team stays as it is, so the team directory is not asked again.
  if (submission.type === 'details') return updateDetails(client, id, submission.input, options);
  return applyPolicy(client, id, { snapshot: submission.snapshot, mode: submission.mode, by }, options);
}

// --- opening a case, reporting an incident --------------------------------------------------

const CONTACT_FIELDS: ReadonlyArray<{ role: StaffRole; name: string; label: string }> = [
  { role: 'allocated-worker', name: 'worker', label: 'Allocated worker' },
  { role: 'team-manager', name: 'manager', label: 'Team manager' },
  { role: 'head-of-service', name: 'head', label: 'Head of service' },
  { role: 'deputy-lead', name: 'deputy', label: 'Deputy lead for safeguarding and QA' },
  { role: 'iro', name: 'iro', label: 'Independent chair / IRO' },
];

const contactSpecs = (): FieldSpec[] => CONTACT_FIELDS.map((c) => ({ name: c.name, label: c.label, type: 'text', placeholder: 'Name <email@council.example>' }));

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

/** Input path (OpenCaseInput) → the opening form's field. */
const OPEN_CASE_FIELDS: Record<string, string> = {
  caseId: 'caseId',
  'details.reference': 'reference',
  'details.team': 'team',
  'initialTier.tier': 'tier',
  'initialTier.reason': 'reason',
  'initialTier.at': 'ratedAt',
  openedBy: '_form',
  ...CONTACT_PATHS,
};

/** Input path (ReportIncidentInput) → the incident form's field. */
const INCIDENT_FIELDS: Record<string, string> = {
  incidentId: 'incidentId',
  linkedCaseId: 'linkedCaseId',
  'details.reference': 'reference',
  'details.team': 'team',
  awareAt: 'awareAt',
  reportedBy: '_form',
  ...CONTACT_PATHS,
};

/**
 * Each problem of a refused opening (or incident report) by the form field that holds it, e.g. a
 * case that already exists by `caseId`; problems of no field are left to the message over the form.
 */
export function startFormErrorsFromRefusal(err: CaseActionError, kind: 'case' | 'incident'): FieldErrors {
  const paths = kind === 'case' ? OPEN_CASE_FIELDS : INCIDENT_FIELDS;
  const errors: FieldErrors = {};
  for (const problem of err.problems) {
    const name = paths[problem.field];
    if (name !== undefined && name !== '_form') errors[name] ??= problem.message;
  }
  return errors;
}

export function openCaseFields(defaultTeam?: string): FieldSpec[] {
  return [
    { name: 'caseId', label: 'Case id', type: 'text', required: true, placeholder: 'WCF-2026-0001' },
    { name: 'reference', label: 'Case reference (shown in emails)', type: 'text', required: true, help: "Never the child's name." },
    { name: 'team', label: 'Team', type: 'text', required: true, placeholder: defaultTeam ?? 'LOCALITY-NORTH' },
    { name: 'tier', label: 'First risk tier', type: 'select', options: labelled(RISK_TIERS, tierLabel) },
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
  const overlong = overlongFields(form);
  if (Object.keys(overlong).length > 0) return { ok: false, errors: overlong };
  const errors: FieldErrors = {};
  const now = options.now ?? new Date();
  const contacts = contactsFrom(form, errors);
  const tier = optional(form['tier']);
  const ratedRaw = optional(form['ratedAt']);
  const ratedAt = ratedRaw === undefined ? undefined : pastInstant(ratedRaw, now, errors, 'ratedAt');
  // The opening rules every client shares (workflows/inputs.ts); the form's fields are named as the rules name them.
  for (const p of initialTierProblems({ tier, reason: optional(form['reason']), ratedAt }, now)) errors[p.field] ??= p.message;
  const raw = {
    caseId: optional(form['caseId']),
    details: { reference: optional(form['reference']), team: optional(form['team']), contacts },
    openedBy: by,
    ...(tier !== undefined ? { initialTier: { tier, reason: optional(form['reason']) ?? '', ...(ratedAt ? { at: ratedAt } : {}) } } : {}),
  };
  const parsed = validate(OpenCaseInput, raw, OPEN_CASE_FIELDS);
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
  const overlong = overlongFields(form);
  if (Object.keys(overlong).length > 0) return { ok: false, errors: overlong };
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
    INCIDENT_FIELDS,
  );
  const policy = choosePolicy(form, options, errors);
  if (!parsed.ok) Object.assign(errors, { ...parsed.errors, ...errors });
  if (Object.keys(errors).length > 0 || !parsed.ok || !policy) return { ok: false, errors };
  return { ok: true, value: { input: parsed.value, policy } };
}
