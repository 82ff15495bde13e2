/**
 * What every interface that takes a case action from a person shares: the fields of a form, one
 * error per field, the length cap applied before anything is parsed, UK local times, and staff
 * contacts written "Name <email>". No Node built-ins, no Temporal: the command line, the console
 * and their tests import it.
 */
import { DateTime } from 'luxon';
import type { z } from 'zod';
import { LEGAL_ZONE } from '../../domain/kinds';

/** One field of an action's form (the console renders it; the command line names it by flag). */
export interface FieldSpec {
  name: string;
  label: string;
  type: 'text' | 'textarea' | 'select' | 'datetime' | 'email' | 'hidden' | 'date';
  options?: ReadonlyArray<string | { value: string; label: string }>;
  required?: boolean;
  help?: string;
  /** Suggestions for a text field (meeting ids, hold ids, ...). */
  suggestions?: readonly string[];
  placeholder?: string;
}

export type Form = Record<string, string>;
/** Field name → what is wrong with it (`_form`: the form as a whole). */
export type FieldErrors = Record<string, string>;

export type Outcome<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors };

/**
 * The longest value any form field may hold, checked before any parsing: the longest thing anyone
 * types is free text (2,000 characters, as the schemas and the textarea allow), and every parser
 * after this point then works on bounded input.
 */
export const MAX_FIELD_CHARS = 2_000;

/** Each field of `form` longer than MAX_FIELD_CHARS, with its error; empty when none is. */
export function overlongFields(form: Form): FieldErrors {
  const errors: FieldErrors = {};
  for (const [name, value] of Object.entries(form)) {
    if (typeof value === 'string' && value.length > MAX_FIELD_CHARS) errors[name] = `must be at most ${MAX_FIELD_CHARS} characters`;
  }
  return errors;
}

export const optional = (v: string | undefined): string | undefined => (v === undefined || v.trim() === '' ? undefined : v.trim());

/**
 * `"Sam Worker <sam@council.example>"` → name and email, or undefined when it is not written so.
 * Linear in the input (the last `<`, then trims): a pattern with adjacent quantifiers over spaces
 * took seconds on a long run of them.
 */
export function splitContact(value: string): { name: string; email: string } | undefined {
  const v = value.trim();
  if (!v.endsWith('>')) return undefined;
  const open = v.lastIndexOf('<');
  if (open <= 0) return undefined;
  const name = v.slice(0, open).trim();
  const email = v.slice(open + 1, -1).trim();
  if (name === '' || email === '' || /[<>\s]/.test(email)) return undefined;
  return { name, email };
}

export const CONTACT_FORMAT = 'write "Name <email>", e.g. Sam Worker <sam@council.example>';

/** A form's contact field → a contact; undefined when blank. */
export function parseContact(value: string | undefined): { name: string; email: string } | { error: string } | undefined {
  const v = optional(value);
  if (v === undefined) return undefined;
  if (v.length > MAX_FIELD_CHARS) return { error: `must be at most ${MAX_FIELD_CHARS} characters` };
  return splitContact(v) ?? { error: CONTACT_FORMAT };
}

const LOCAL_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/;

/**
 * A date and time typed in UK local time (`datetime-local`, e.g. 2026-03-28T10:00) as a UTC
 * instant; an instant with an offset is passed through for the schema to check. Refuses a local
 * time that does not exist (the hour skipped when the clocks go forward).
 */
export function localToInstant(value: string): { instant: string } | { error: string } {
  const v = ukToIsoLocal(value.trim());
  if (!LOCAL_DATETIME.test(v)) return { instant: v };
  const local = DateTime.fromISO(v, { zone: LEGAL_ZONE });
  if (!local.isValid) return { error: `"${v}" is not a real date and time` };
  if (local.toFormat("yyyy-MM-dd'T'HH:mm") !== v.slice(0, 16)) {
    return { error: `${v.replace('T', ' ')} does not exist in UK time (the clocks go forward that night)` };
  }
  return { instant: local.toUTC().toISO() ?? v };
}

const UK_DATETIME = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:[ T,]{1,3}(\d{1,2})[:.](\d{2}))?$/;

/**
 * A date (and time) as people in the UK type it, 28/03/2026 10:00 or 28/03/2026, as the ISO
 * local form (2026-03-28T10:00, 2026-03-28); anything else is returned as it is, for the schema.
 */
export function ukToIsoLocal(value: string): string {
  const m = UK_DATETIME.exec(value.trim());
  if (!m) return value;
  const [, d, mo, y, h, mi] = m;
  const date = `${y}-${(mo ?? '').padStart(2, '0')}-${(d ?? '').padStart(2, '0')}`;
  return h === undefined ? date : `${date}T${h.padStart(2, '0')}:${mi}`;
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

/** The value at a zod issue's path in what was given (undefined where the path leads nowhere). */
export function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
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
