/**
 * Refusals of the case and incident workflows' updates: a zod failure or a broken case rule becomes
 * an `ApplicationFailure` of type CASE_REFUSED_TYPE whose details list each problem by field, with
 * one readable line as its message. Workflow-safe (zod is imported for its types only).
 */
import { ApplicationFailure } from '@temporalio/common';
import type { z } from 'zod';
import { CASE_REFUSED_TYPE, type CaseRefusal, type RefusalProblem } from './messages';

/** Bounds on the message: zod echoes some input (e.g. unknown record keys), which may be huge. */
const MAX_ISSUES = 8;
const MAX_PATH_CHARS = 120;
const MAX_ISSUE_CHARS = 800;

/**
 * One line, bounded, with control and line-separator characters shown as `\uXXXX`, so echoed
 * input can neither forge lines in logs and terminals nor blow up the message.
 */
function oneLine(text: string, max: number): string {
  // eslint-disable-next-line no-control-regex
  const visible = text.replace(/[\u0000-\u001F\u007F-\u009F\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return visible.length > max ? `${visible.slice(0, max - 1)}…` : visible;
}

/** Each zod issue as a problem naming its field (`(input)` for the input as a whole); at most MAX_ISSUES, then "and N more". */
export function zodProblems(error: z.ZodError): RefusalProblem[] {
  const problems = error.issues.slice(0, MAX_ISSUES).map((issue) => ({
    field: issue.path.length > 0 ? issue.path.map(String).join('.') : '(input)',
    message: issue.message,
  }));
  const more = error.issues.length - MAX_ISSUES;
  return bounded(more > 0 ? [...problems, { field: '', message: `and ${more} more` }] : problems);
}

/** Problems with every field and message one bounded line, at most MAX_ISSUES + 1 of them. */
export function bounded(problems: readonly RefusalProblem[]): RefusalProblem[] {
  return problems.slice(0, MAX_ISSUES + 1).map((p) => ({ field: oneLine(p.field, MAX_PATH_CHARS), message: oneLine(p.message, MAX_ISSUE_CHARS) }));
}

/** `field: reason; field: reason`, a problem with no field as its reason alone. */
export function describeRefusal(problems: readonly RefusalProblem[]): string {
  return problems.map((p) => (p.field === '' ? p.message : `${p.field}: ${p.message}`)).join('; ');
}

export function describeZodError(error: z.ZodError): string {
  return describeRefusal(zodProblems(error));
}

/**
 * The failure a validator throws to refuse an update: `label refused: field: reason; ...` as its
 * message, the problems as its details. Non-retryable: the same input is refused every time.
 */
export function refusal(label: string, problems: readonly RefusalProblem[]): ApplicationFailure {
  const details: CaseRefusal = { problems: bounded(problems) };
  return ApplicationFailure.create({
    type: CASE_REFUSED_TYPE,
    message: `${label} refused: ${describeRefusal(details.problems)}`,
    nonRetryable: true,
    details: [details],
  });
}

/** Parses or throws a refusal naming each bad field (a thrown validator error rejects the update). */
export function parseOrFail<S extends z.ZodType>(schema: S, raw: unknown, label: string): z.output<S> {
  const result = schema.safeParse(raw);
  if (!result.success) throw refusal(label, zodProblems(result.error));
  return result.data;
}
