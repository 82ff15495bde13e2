/**
 * What the integration API takes and gives, built from the action registry
 * (client/actions/case-actions.ts): each case action's body has the fields of its form, by the same
 * names, typed from the same zod schemas the registry validates with (the event's schema in
 * domain/facts.ts, the inputs in workflows/inputs.ts), so the routes (routes.ts) and the OpenAPI
 * document (openapi.ts) come from one declaration and cannot drift apart.
 *
 * A body is checked for its shape here (a JSON object of known fields, each a string, a number or
 * a yes/no boolean) and then read by the registry's own parser, so it meets the same validation
 * and the same consistency rules, with the same words, as the forms and the command line.
 */
import { z } from 'zod';
import { CaseEvent, FreeText, IsoInstant, SafeId } from '../../../domain/facts';
import { RiskTier, StaffRole } from '../../../domain/kinds';
import { CaseSummarySchema } from '../../../store/case-summary';
import { StaffContact } from '../../../workflows/inputs';
import { CASE_ACTIONS, type CaseAction, type FieldErrors, type FieldSpec, type Form, MAX_FIELD_CHARS, openCaseFields } from '../../actions/case-actions';
import { IdempotencyKey } from './idempotency';

/** The scope an action needs: `caseclock:<action>` as the registry names it; `caseclock:read` for every read. */
export const actionScope = (action: string): string => `caseclock:${action}`;
export const READ_SCOPE = 'caseclock:read';
/** Opening a case is not one of the registry's case actions (it has no case yet): its own scope. */
export const OPEN_ACTION = 'open';

/** The actions the API takes on a case: every case action in the registry. */
export const API_CASE_ACTIONS: readonly CaseAction[] = CASE_ACTIONS.filter((a) => a.subject === 'case');

const YES_NO = ['yes', 'no'];
const isYesNo = (spec: FieldSpec) => spec.type === 'select' && (spec.options ?? []).map((o) => (typeof o === 'string' ? o : o.value)).join() === YES_NO.join();
const isContact = (spec: FieldSpec) => spec.placeholder === 'Name <email@council.example>';

/** The event schemas an action records, from the event types it fixes or offers (`what`). */
function eventMembers(action: CaseAction): z.ZodObject[] {
  if (!action.event) return [];
  const fixed = action.event.fixed['type'];
  const what = action.fields(undefined).find((f) => f.name === 'what');
  const types = new Set(typeof fixed === 'string' ? [fixed] : (what?.options ?? []).map((o) => (typeof o === 'string' ? o : o.value)));
  return CaseEvent.options.filter((member) => types.has(String(member.shape.type.value))) as z.ZodObject[];
}

const describe = (spec: FieldSpec, extra?: string) => [spec.label, spec.help, extra].filter(Boolean).join('. ');

/** An instant as the API takes one: ISO-8601 with an offset; without one, UK local time (as the forms take it). */
const instantField = (spec: FieldSpec) =>
  z
    .string()
    .max(40)
    .meta({
      format: 'date-time',
      description:
        spec.name === 'at'
          ? 'When it happened: an ISO-8601 instant, e.g. 2026-03-28T10:00:00Z (a time with no offset is UK local time); default now'
          : `${spec.label}: an ISO-8601 instant, e.g. 2026-03-28T10:00:00Z (a time with no offset is UK local time)`,
    });

const contactField = (spec: FieldSpec) =>
  z.union([z.string().max(MAX_FIELD_CHARS).meta({ description: 'written "Name <email>"' }), z.strictObject({ name: StaffContact.shape.name, email: StaffContact.shape.email })]).meta({ description: describe(spec) });

/** One field's schema: the zod schema the registry validates it with, where it has one, else what its form field takes. */
function fieldSchema(spec: FieldSpec, source: z.ZodType | undefined): z.ZodType {
  if (spec.type === 'datetime') return instantField(spec);
  if (isContact(spec)) return contactField(spec);
  if (isYesNo(spec)) return z.boolean().meta({ description: describe(spec) });
  if (source) return source.meta({ description: describe(spec) });
  const values = (spec.options ?? []).map((o) => (typeof o === 'string' ? o : o.value));
  if (spec.type === 'select' && values.length > 0) return z.enum(values as [string, ...string[]]).meta({ description: describe(spec) });
  return z
    .string()
    .max(MAX_FIELD_CHARS)
    .meta({ description: describe(spec) });
}

const EVENT_ID = IdempotencyKey.meta({ description: 'Your id for this event (or send an Idempotency-Key header): the same id again records once and is answered the same' });

function bodySchema(fields: readonly FieldSpec[], sourceOf: (name: string) => z.ZodType | undefined): z.ZodObject {
  const shape: Record<string, z.ZodType> = { eventId: EVENT_ID.optional() };
  for (const spec of fields) {
    const schema = fieldSchema(spec, sourceOf(spec.name));
    shape[spec.name] = spec.required ? schema : schema.optional();
  }
  return z.strictObject(shape);
}

/** Zod schemas of inputs that a form field holds, for the actions that record no event. */
const INPUT_FIELDS: Record<string, z.ZodType> = {
  role: StaffRole,
  name: StaffContact.shape.name,
  email: StaffContact.shape.email,
  mode: z.enum(['forward', 'recompute']),
  caseId: SafeId,
  reference: SafeId,
  team: SafeId,
  tier: RiskTier,
  reason: FreeText(),
};

/** The body an action takes, from its form's fields (the event's own schema for each that has one). */
export function actionBody(action: CaseAction): z.ZodObject {
  const members = eventMembers(action);
  return bodySchema(action.fields(undefined), (name) => {
    if (name === 'what') return undefined;
    for (const m of members) {
      const s = (m.shape as Record<string, z.ZodType>)[name];
      if (s) return s;
    }
    return action.event ? undefined : INPUT_FIELDS[name];
  });
}

/** The body that opens a case: the opening form's fields. */
export const openCaseBody = (): z.ZodObject => bodySchema(openCaseFields(), (name) => INPUT_FIELDS[name]);

/** What JSON a body field takes besides a string, from its documented schema: a number, a yes/no boolean, or a contact object. */
type FieldKind = 'string' | 'number' | 'boolean' | 'contact';

function kindOf(schema: Record<string, unknown>): FieldKind {
  const numeric = (s: Record<string, unknown>): boolean =>
    s['type'] === 'integer' || s['type'] === 'number' || typeof s['const'] === 'number' || (Array.isArray(s['enum']) && s['enum'].every((v) => typeof v === 'number'));
  const options = (schema['anyOf'] ?? schema['oneOf']) as Array<Record<string, unknown>> | undefined;
  if (numeric(schema) || (options !== undefined && options.every(numeric))) return 'number';
  if (schema['type'] === 'boolean') return 'boolean';
  if (options?.some((o) => o['type'] === 'object')) return 'contact';
  return 'string';
}

/** Each body field's kind, read from the body's own JSON Schema (what the document promises is what is taken). */
export function fieldKinds(body: z.ZodObject): Record<string, FieldKind> {
  const json = z.toJSONSchema(body, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, Record<string, unknown>> };
  return Object.fromEntries(Object.entries(json.properties ?? {}).map(([name, s]) => [name, kindOf(s)]));
}

/**
 * A JSON body as the form the registry's parser reads: every field by its name, a number as its
 * digits (where the field is a number), a yes/no boolean as yes or no, a contact `{ name, email }`
 * as "Name <email>"; `eventId` is the key, not a field. Anything else is refused by field (a field
 * the action does not have, or a value of another kind), and the rest of the form is still read,
 * for every refusal at once.
 */
export function formFromBody(body: unknown, kinds: Readonly<Record<string, FieldKind>>): { form: Form; errors: FieldErrors } {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return { form: {}, errors: { _form: 'the body must be a JSON object' } };
  const form: Form = {};
  const errors: FieldErrors = {};
  for (const [name, value] of Object.entries(body as Record<string, unknown>)) {
    if (name === 'eventId') continue;
    const kind = kinds[name];
    if (kind === undefined) {
      errors[name.slice(0, 64)] = 'is not a field of this action';
      continue;
    }
    if (value === null) continue;
    if (typeof value === 'string') form[name] = value;
    else if (kind === 'number' && typeof value === 'number' && Number.isFinite(value)) form[name] = String(value);
    else if (kind === 'boolean' && typeof value === 'boolean') form[name] = value ? 'yes' : 'no';
    else if (kind === 'contact' && typeof value === 'object' && !Array.isArray(value)) {
      const c = value as Record<string, unknown>;
      if (typeof c['name'] === 'string' && typeof c['email'] === 'string' && Object.keys(c).length === 2) form[name] = `${c['name']} <${c['email']}>`;
      else errors[name] = 'must be "Name <email>" or { "name", "email" }';
    } else errors[name] = kind === 'number' ? 'must be a number' : kind === 'boolean' ? 'must be true or false' : 'must be a string';
  }
  return { form, errors };
}

/**
 * The form's refusals: what the body's shape got wrong and what the registry's parser refused,
 * both at once (the shape's word first for a field both name), so a caller corrects everything in one go.
 */
export function bodyErrors(shaped: { errors: FieldErrors }, parsed: { ok: true } | { ok: false; errors: FieldErrors }): FieldErrors | undefined {
  const errors = { ...(parsed.ok ? {} : parsed.errors), ...shaped.errors };
  return Object.keys(errors).length > 0 ? errors : undefined;
}

// --- what the API gives -----------------------------------------------------------------------

/** A case as the list gives it (common/case-reads.ts CaseListing). */
export const CaseListingSchema = z.object({
  caseId: SafeId,
  team: SafeId,
  tier: RiskTier.optional(),
  status: z.enum(['open', 'closed']),
  nextDueAt: IsoInstant.optional(),
  overdueCount: z.number().int().min(0),
  worker: z.string().optional().meta({ description: "The allocated worker's name" }),
  mostOverdue: z
    .object({ obligationId: z.string(), kind: z.string(), title: z.string(), dueAt: IsoInstant, lateByMs: z.number().int().min(0) })
    .optional()
    .meta({ description: 'The open obligation furthest past its deadline, as of the read' }),
  writtenAt: IsoInstant.meta({ description: 'When the summary was written' }),
});

/** One entry of a case's timeline, from the case record (workflows/messages.ts TimelineEntry). */
export const TimelineEntrySchema = z.object({
  entryId: z.string().optional(),
  at: IsoInstant.meta({ description: 'When it happened' }),
  recordedAt: IsoInstant,
  by: z.string().meta({ description: 'Who recorded it: a console user, an integration client id, or the case itself' }),
  entry: z.enum(['event', 'message', 'details', 'policy']),
  summary: z.string(),
  event: CaseEvent.optional(),
  delivery: z.looseObject({ type: z.string(), level: z.number().int(), role: z.string(), outcome: z.enum(['delivered', 'undeliverable']) }).optional(),
});

export const CaseSummaryOut = CaseSummarySchema;
export const ObligationOut = z.looseObject({ id: z.string(), kind: z.string(), title: z.string(), dueAt: IsoInstant, onHold: z.boolean(), escalationLevel: z.number().int().min(0) });

/** What a case answers once an action is recorded (workflows/messages.ts CaseAnswer). */
export const CaseAnswerSchema = z.object({
  caseId: SafeId,
  status: z.enum(['open', 'closed']),
  tier: RiskTier.nullable(),
  openCount: z.number().int().min(0),
  overdueCount: z.number().int().min(0),
  nextDueAt: IsoInstant.nullable(),
  waitingForStore: z.number().int().min(0).optional(),
  warnings: z.array(z.string()),
});

export const WriteAnswerSchema = z.object({
  caseId: SafeId,
  action: z.string(),
  eventId: z.string().meta({ description: 'The key this was recorded under' }),
  recordedBy: z.string().meta({ description: 'Your client id, as the timeline shows it' }),
  answer: CaseAnswerSchema.optional().meta({ description: 'The case as it stands after the action (absent when a case was opened)' }),
});

export const ProblemSchema = z.object({
  type: z.string().meta({ description: 'urn:caseclock:problem:<kind> (docs/api.md#problems)' }),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().optional(),
  errors: z
    .array(z.object({ field: z.string(), message: z.string() }))
    .optional()
    .meta({ description: 'Each field refused, by its name in the body' }),
});

export const ListQuery = z.object({
  team: SafeId.optional(),
  tier: RiskTier.optional(),
  overdue: z.enum(['true', 'false']).optional().meta({ description: 'true: only cases with an overdue obligation' }),
});
