/**
 * Policy as data: for every obligation kind, the rule that says when it is due, why (its basis in
 * regulation, statutory guidance or a local protocol), who is reminded before the deadline and
 * who is told after it.
 *
 * A policy is a national baseline (every kind present) plus dated local overlays that carry
 * ONLY the rules they change (partial rules merged over the baseline). A case freezes the policy
 * it starts with, bank holidays included, as a `PolicySnapshot`, so replaying its workflow never
 * depends on data that can change later (the README, "How time is counted").
 *
 * Pure: no I/O (files are read by policy-loader.ts). Safe inside Temporal workflows.
 */
import { z } from 'zod';
import type { BankHoliday, WorkingDayCalendar } from './calendar';
import { BankHolidaySchema, IsoDateSchema } from './calendar-schemas';
import { approximateMs } from './durations';
import { IsoDurationSchema, PositiveIsoDurationSchema } from './duration-schemas';
import { SafeId } from './facts';
import { MeetingType, OBLIGATION_KINDS, RiskTier, StaffRole, type ObligationKind } from './kinds';

// ---------------------------------------------------------------------------------------------
// Building blocks
// ---------------------------------------------------------------------------------------------

const text = (max: number) => z.string({ error: 'must be text' }).trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

export const BASIS_TYPES = ['regulation', 'statutory-guidance', 'local-protocol'] as const;

/** Why a rule exists: shown in emails and reports next to every deadline. */
export const BasisSchema = z.strictObject({
  type: z.enum(BASIS_TYPES, { error: `must be one of ${BASIS_TYPES.join(', ')}` }),
  reference: text(300),
});
export type Basis = z.infer<typeof BasisSchema>;

/** Either an ISO-8601 duration or a number of England and Wales working days. */
export const DeadlineSchema = z
  .strictObject({
    duration: PositiveIsoDurationSchema.optional(),
    workingDays: z.number({ error: 'must be a whole number of working days' }).int('must be a whole number of working days').min(1, 'must be at least 1').max(260, 'must be at most 260').optional(),
  })
  .refine((d) => (d.duration === undefined) !== (d.workingDays === undefined), {
    error: 'must give exactly one of duration (e.g. "P14D") or workingDays (e.g. 15)',
  });
export type Deadline = z.infer<typeof DeadlineSchema>;

/** Shortest interval between repeated escalations, so a typo cannot flood a manager's inbox. */
const MIN_REPEAT_MS = 3600 * 1000;

export const EscalationStepSchema = z.strictObject({
  level: z.number({ error: 'must be a whole number from 1 to 9' }).int().min(1).max(9),
  role: StaffRole,
  /** How long after the deadline (PT0S: at the deadline). */
  after: IsoDurationSchema,
  /** Repeated at this interval until acknowledged at this level, met or waived. */
  repeatEvery: PositiveIsoDurationSchema.refine((s) => safeApproxMs(s) >= MIN_REPEAT_MS, {
    error: 'must be at least PT1H',
  }).optional(),
});
export type EscalationStep = z.infer<typeof EscalationStepSchema>;

function safeApproxMs(iso: string): number {
  try {
    return approximateMs(iso);
  } catch {
    return Number.NaN;
  }
}

export const EscalationLadderSchema = z
  .array(EscalationStepSchema)
  .max(9, 'must have at most 9 levels')
  .superRefine((steps, ctx) => {
    steps.forEach((step, i) => {
      if (step.level !== i + 1) {
        ctx.addIssue({ code: 'custom', path: [i, 'level'], message: `must be ${i + 1}: levels count up from 1 in order` });
      }
      const previous = steps[i - 1];
      if (previous && safeApproxMs(step.after) < safeApproxMs(previous.after)) {
        ctx.addIssue({ code: 'custom', path: [i, 'after'], message: `must not be earlier than level ${previous.level}'s` });
      }
    });
  });

const RemindersSchema = z
  .array(PositiveIsoDurationSchema)
  .max(6, 'must have at most 6 reminders')
  .refine((r) => new Set(r).size === r.length, { error: 'must not repeat an offset' });

/** Fields every rule has. */
const ruleFields = {
  /** false switches the kind off (no obligations are created while it is off). */
  enabled: z.boolean({ error: 'must be true or false' }).optional(),
  /** Plain words for emails, e.g. "Visit within 24 hours (High and Immediate risk)". */
  title: text(120),
  /** What starts the clock, in words (descriptive only). */
  trigger: text(300),
  deadline: DeadlineSchema,
  direction: z.literal('after-trigger', { error: 'must be "after-trigger" for this kind' }),
  basis: BasisSchema,
  /** Offsets before the deadline at which the allocated worker is reminded. */
  reminders: RemindersSchema,
  /** Who gets the reminders; the allocated worker when absent. */
  reminderRole: StaffRole.optional(),
  escalation: EscalationLadderSchema,
  /**
   * For an overlay that switches a recurring kind off (enabled: false) because another meeting
   * replaces it: the meeting that stands in for it. When the overlay ends, the kind's clock is
   * counted again from the later of its own last trigger and the last such meeting held.
   */
  standIn: MeetingType.optional(),
};

const AfterTriggerRule = z.strictObject(ruleFields);

const KitCallRule = z.strictObject({
  ...ruleFields,
  /** The risk tiers on which the KIT clock runs. */
  tiers: z.array(RiskTier).min(1, 'must name at least one risk tier'),
  /** Whether contact from other professionals ('other' contacts) keeps the KIT clock (the local visiting protocol). */
  countOtherContacts: z.boolean({ error: 'must be true or false' }),
});

const BeforeMeetingRule = z.strictObject({
  ...ruleFields,
  direction: z.literal('before-meeting', { error: 'must be "before-meeting" for this kind' }),
  /** The meetings that need this before them. */
  meetingTypes: z.array(MeetingType).min(1, 'must name at least one meeting type'),
});

const ComplaintRule = z.strictObject({
  ...ruleFields,
  /** The deadline once the complaint is extended (complaint-extended). */
  extended: DeadlineSchema,
});

const LookedAfterVisitRule = z.strictObject({
  ...ruleFields,
  /** Once the placement is this old, the `deadline` interval gives way to `longTerm.deadline`. */
  longTerm: z.strictObject({ after: PositiveIsoDurationSchema, deadline: DeadlineSchema }),
});

const RULE_SCHEMAS = {
  'initial-visit-high': AfterTriggerRule,
  'initial-visit-priority': AfterTriggerRule,
  'visit-priority': AfterTriggerRule,
  'kit-call': KitCallRule,
  'core-group': AfterTriggerRule,
  'first-core-group': AfterTriggerRule,
  icpc: AfterTriggerRule,
  'first-review-conference': AfterTriggerRule,
  'review-conference': AfterTriggerRule,
  'conference-pre-meeting': BeforeMeetingRule,
  'iro-report': BeforeMeetingRule,
  'serious-incident-notification': AfterTriggerRule,
  'rapid-review': AfterTriggerRule,
  'return-interview': AfterTriggerRule,
  'referral-decision': AfterTriggerRule,
  assessment: AfterTriggerRule,
  'cic-review-first': AfterTriggerRule,
  'cic-review-second': AfterTriggerRule,
  'cic-review': AfterTriggerRule,
  'cic-visit-first': AfterTriggerRule,
  'cic-visit': LookedAfterVisitRule,
  'cic-visit-weekly': AfterTriggerRule,
  'cic-visit-four-weekly': AfterTriggerRule,
  'cic-visit-with-parent': AfterTriggerRule,
  'complaint-stage-1': ComplaintRule,
  'complaint-stage-2': ComplaintRule,
  'complaint-stage-3-panel': AfterTriggerRule,
  'complaint-stage-3-report': AfterTriggerRule,
  'complaint-stage-3-response': AfterTriggerRule,
} as const satisfies Record<ObligationKind, z.ZodType>;

/**
 * Kinds added after policy versions were first frozen into running cases: a baseline document must
 * give them, but a snapshot frozen before they existed lacks them (they are off under it).
 */
export const LATER_KINDS = [
  'cic-visit-weekly',
  'cic-visit-four-weekly',
  'cic-visit-with-parent',
  'complaint-stage-3-panel',
  'complaint-stage-3-report',
  'complaint-stage-3-response',
] as const satisfies readonly ObligationKind[];
type LaterKind = (typeof LATER_KINDS)[number];

/** The national baseline: a full rule for every obligation kind. */
export const BaselineRulesSchema = z.strictObject(RULE_SCHEMAS);
/** A baseline as frozen into a case: the kinds added later may be missing from older versions. */
export const FrozenBaselineRulesSchema = BaselineRulesSchema.partial(Object.fromEntries(LATER_KINDS.map((k) => [k, true])) as { [K in LaterKind]: true });
export type BaselineRules = z.infer<typeof FrozenBaselineRulesSchema>;

type PartialRuleSchemas = { [K in ObligationKind]: z.ZodOptional<ReturnType<(typeof RULE_SCHEMAS)[K]['partial']>> };
const partialRuleSchemas = Object.fromEntries(OBLIGATION_KINDS.map((kind) => [kind, RULE_SCHEMAS[kind].partial().optional()])) as PartialRuleSchemas;

/** An overlay's rules: only the kinds and fields it changes. */
export const OverlayRulesSchema = z.strictObject(partialRuleSchemas);
export type OverlayRules = z.infer<typeof OverlayRulesSchema>;

/** Every field a rule of any kind may have (kind-specific options are optional here). */
export interface Rule {
  enabled?: boolean | undefined;
  title: string;
  trigger: string;
  deadline: Deadline;
  direction: 'after-trigger' | 'before-meeting';
  basis: Basis;
  reminders: string[];
  reminderRole?: StaffRole | undefined;
  escalation: EscalationStep[];
  tiers?: RiskTier[];
  countOtherContacts?: boolean;
  meetingTypes?: MeetingType[];
  extended?: Deadline;
  longTerm?: { after: string; deadline: Deadline };
  standIn?: MeetingType;
}

/** Who is told at once when a conference is postponed or cancelled (the local conference protocol). */
export const ConferenceNoticeSchema = z.strictObject({
  roles: z.array(StaffRole).min(1, 'must name at least one role'),
  meetingTypes: z.array(MeetingType).min(1, 'must name at least one meeting type'),
});
export type ConferenceNotice = z.infer<typeof ConferenceNoticeSchema>;

/** A dated local protocol: in force from startDate to endDate inclusive (Europe/London dates). */
export const OverlaySchema = z
  .strictObject({
    id: SafeId,
    name: text(200),
    basis: BasisSchema,
    startDate: IsoDateSchema,
    /** Last day in force. Without it the overlay stays in force (past its review date) until ended. */
    endDate: IsoDateSchema.optional(),
    /** When the protocol is due to be reviewed: informative, it does not end the overlay. */
    reviewDate: IsoDateSchema.optional(),
    notes: z.array(text(500)).max(20).optional(),
    rules: OverlayRulesSchema,
  })
  .superRefine((o, ctx) => {
    if (o.endDate === undefined && o.reviewDate === undefined) {
      ctx.addIssue({ code: 'custom', path: ['endDate'], message: 'an overlay must give an endDate or a reviewDate' });
    }
    if (o.endDate !== undefined && o.endDate < o.startDate) {
      ctx.addIssue({ code: 'custom', path: ['endDate'], message: `must not be before startDate ${o.startDate}` });
    }
    if (o.reviewDate !== undefined && o.reviewDate < o.startDate) {
      ctx.addIssue({ code: 'custom', path: ['reviewDate'], message: `must not be before startDate ${o.startDate}` });
    }
  });
export type Overlay = z.infer<typeof OverlaySchema>;

/**
 * Which edition of CaseClock's counting conventions a policy version follows (docs/policy.md):
 * 1 (absent): holds extend every clock by the elapsed time on hold; an overlay that switched a
 * clock off loses it; every strategy discussion opens an initial conference clock; placements
 * share one visiting rhythm. 2: holds give back what the clock lost in its own unit; a clock an
 * overlay switched off is owed again when the overlay ends; the initial conference counts from the
 * strategy discussion that started the section 47 enquiry; regulation 28 in full. A running case
 * keeps the edition of the version it counts under, so its deadlines never move on replay.
 */
export const CONVENTIONS = [1, 2] as const;
export type Conventions = (typeof CONVENTIONS)[number];
const ConventionsSchema = z.union([z.literal(1), z.literal(2)], { error: 'must be 1 or 2' });

const documentFields = {
  $schema: z.string().optional(),
  id: SafeId,
  version: text(100),
  name: text(200),
  description: text(2000).optional(),
  extraBankHolidays: z.array(BankHolidaySchema).optional(),
  conventions: ConventionsSchema.optional(),
};

/** A policy file holding a full baseline (e.g. national.json). */
export const BaselinePolicyDocumentSchema = z.strictObject({
  ...documentFields,
  conferenceNotice: ConferenceNoticeSchema,
  rules: BaselineRulesSchema,
  overlays: z.array(OverlaySchema).optional(),
});

/** A policy file of local overlays on another policy file (`"extends": "national"`). */
export const ExtendingPolicyDocumentSchema = z.strictObject({
  ...documentFields,
  extends: SafeId,
  conferenceNotice: ConferenceNoticeSchema.optional(),
  overlays: z.array(OverlaySchema).min(1, 'must have at least one overlay'),
});

export type BaselinePolicyDocument = z.infer<typeof BaselinePolicyDocumentSchema>;
export type ExtendingPolicyDocument = z.infer<typeof ExtendingPolicyDocumentSchema>;

/** A policy ready to use: baseline, overlays in order, and configuration. Plain JSON. */
export interface Policy {
  id: string;
  version: string;
  name: string;
  baseline: BaselineRules;
  overlays: Overlay[];
  conferenceNotice: ConferenceNotice;
  extraBankHolidays: BankHoliday[];
  conventions?: Conventions;
}

/**
 * The policy frozen into a case when it starts (and into `policy-applied` later versions):
 * plain JSON, bank holidays included, so a case's deadlines never change on replay.
 */
export interface PolicySnapshot {
  id: string;
  version: string;
  name: string;
  baseline: BaselineRules;
  overlays: Overlay[];
  conferenceNotice: ConferenceNotice;
  bankHolidays: BankHoliday[];
  /** Absent: edition 1 (see CONVENTIONS). */
  conventions?: Conventions;
}

/** Validates a snapshot arriving from outside (e.g. an applyPolicy update) before it reaches history. */
export const PolicySnapshotSchema = z.strictObject({
  id: SafeId,
  version: text(100),
  name: text(200),
  baseline: FrozenBaselineRulesSchema,
  overlays: z.array(OverlaySchema),
  conferenceNotice: ConferenceNoticeSchema,
  bankHolidays: z.array(BankHolidaySchema).min(1, 'must list the bank holidays frozen into the case'),
  conventions: ConventionsSchema.optional(),
});
// Compile-time check that the schema and the interface describe the same JSON.
const snapshotSchemaMatchesInterface: z.infer<typeof PolicySnapshotSchema> extends PolicySnapshot ? true : never = true;
void snapshotSchemaMatchesInterface;

/** What rule resolution needs: a Policy or a PolicySnapshot. */
export type RuleSource = Pick<Policy, 'id' | 'version' | 'baseline' | 'overlays'>;

/** A rule as in force for one kind at one instant, with where it came from. */
export interface ResolvedRule extends Rule {
  kind: ObligationKind;
  enabled: boolean;
  policyId: string;
  policyVersion: string;
  /** Ids of the overlays that changed this rule at that instant, in the order applied. */
  overlayIds: string[];
}

// ---------------------------------------------------------------------------------------------
// Building a policy from documents
// ---------------------------------------------------------------------------------------------

/** A policy document with a mistake; `problems` name the field path and the reason. */
export class PolicyError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`policy file ${source}: ${problems.join('; ')}`);
    this.name = 'PolicyError';
  }
}

/** "rules.kit-call.deadline.duration: must be an ISO-8601 duration such as P14D". */
export function describeIssues(error: z.ZodError, max = 5): string[] {
  const lines = error.issues.slice(0, max).map((issue) => {
    const path = issue.path.map(String).join('.');
    return path ? `${path}: ${issue.message}` : issue.message;
  });
  if (error.issues.length > max) lines.push(`and ${error.issues.length - max} more problems`);
  return lines;
}

function parseDocument(raw: unknown, source: string): BaselinePolicyDocument | ExtendingPolicyDocument {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new PolicyError(source, ['must be a JSON object']);
  }
  const schema = 'extends' in raw ? ExtendingPolicyDocumentSchema : BaselinePolicyDocumentSchema;
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new PolicyError(source, describeIssues(parsed.error));
  return parsed.data;
}

/**
 * Builds a Policy from a parsed JSON document. A document that `extends` another asks
 * `loadParent(id)` for it (raw JSON and where it came from); its overlays follow the parent's.
 */
export function policyFromDocument(raw: unknown, source: string, loadParent?: (id: string) => { raw: unknown; source: string }, seen: readonly string[] = []): Policy {
  const doc = parseDocument(raw, source);
  let policy: Policy;
  if ('extends' in doc) {
    if (!loadParent) throw new PolicyError(source, [`extends: cannot load policy "${doc.extends}" here`]);
    if (seen.includes(doc.extends) || doc.extends === doc.id) {
      throw new PolicyError(source, [`extends: "${doc.extends}" leads back to itself`]);
    }
    const parentFile = loadParent(doc.extends);
    const parent = policyFromDocument(parentFile.raw, parentFile.source, loadParent, [...seen, doc.id]);
    policy = {
      id: doc.id,
      version: doc.version,
      name: doc.name,
      baseline: parent.baseline,
      overlays: [...parent.overlays, ...doc.overlays],
      conferenceNotice: doc.conferenceNotice ?? parent.conferenceNotice,
      extraBankHolidays: [...parent.extraBankHolidays, ...(doc.extraBankHolidays ?? [])],
      ...conventionsOf(doc.conventions ?? parent.conventions),
    };
  } else {
    policy = {
      id: doc.id,
      version: doc.version,
      name: doc.name,
      baseline: doc.rules,
      overlays: doc.overlays ?? [],
      conferenceNotice: doc.conferenceNotice,
      extraBankHolidays: doc.extraBankHolidays ?? [],
      ...conventionsOf(doc.conventions),
    };
  }
  const ids = policy.overlays.map((o) => o.id);
  const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
  if (duplicate !== undefined) throw new PolicyError(source, [`overlays: overlay id "${duplicate}" is used twice`]);
  return policy;
}

/** Edition 1 is written by leaving the field out, so versions frozen before it keep their hash. */
function conventionsOf(conventions: Conventions | undefined): { conventions?: Conventions } {
  return conventions === undefined || conventions === 1 ? {} : { conventions };
}

/**
 * Freezes a policy for a case, with the bank holidays of `calendar` plus the policy's extras
 * (on a date in both, the calendar's entry wins). Pass `fromYear` to leave out earlier years.
 */
export function snapshotPolicy(policy: Policy, calendar: WorkingDayCalendar, options: { fromYear?: number } = {}): PolicySnapshot {
  const byDate = new Map<string, BankHoliday>();
  for (const h of [...calendar.holidays, ...policy.extraBankHolidays]) {
    if (!byDate.has(h.date)) byDate.set(h.date, { date: h.date, name: h.name });
  }
  const fromYear = options.fromYear;
  const bankHolidays = [...byDate.values()].filter((h) => fromYear === undefined || Number(h.date.slice(0, 4)) >= fromYear).sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  return structuredCloneJson({
    id: policy.id,
    version: policy.version,
    name: policy.name,
    baseline: policy.baseline,
    overlays: policy.overlays,
    conferenceNotice: policy.conferenceNotice,
    bankHolidays,
    ...conventionsOf(policy.conventions),
  });
}

/** Deep copy through JSON: the snapshot shares nothing with the policy it came from. */
function structuredCloneJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

// ---------------------------------------------------------------------------------------------
// Resolving a rule
// ---------------------------------------------------------------------------------------------

export { overlayInForce, resolveRule, resolveRuleOnDate } from './policy-rules';
