/**
 * Turns a zod failure into one error message naming each bad field, for update validators.
 * Workflow-safe.
 */
import type { z } from 'zod';

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

export function describeZodError(error: z.ZodError): string {
  const described = error.issues.slice(0, MAX_ISSUES).map((issue) => {
    const field = issue.path.length > 0 ? oneLine(issue.path.map(String).join('.'), MAX_PATH_CHARS) : '(input)';
    return `${field}: ${oneLine(issue.message, MAX_ISSUE_CHARS)}`;
  });
  const more = error.issues.length - MAX_ISSUES;
  return more > 0 ? `${described.join('; ')}; and ${more} more` : described.join('; ');
}

/** Parses or throws `label refused: field: reason; ...` (a thrown validator error rejects the update). */
export function parseOrFail<S extends z.ZodType>(schema: S, raw: unknown, label: string): z.output<S> {
  const result = schema.safeParse(raw);
  if (!result.success) throw new Error(`${label} refused: ${describeZodError(result.error)}`);
  return result.data;
}
