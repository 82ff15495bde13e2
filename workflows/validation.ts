/**
 * Turns a zod failure into one error message naming each bad field, for update validators.
 * Workflow-safe.
 */
import type { z } from 'zod';

export function describeZodError(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(input)'}: ${issue.message}`).join('; ');
}

/** Parses or throws `label refused: field: reason; ...` (a thrown validator error rejects the update). */
export function parseOrFail<S extends z.ZodType>(schema: S, raw: unknown, label: string): z.output<S> {
  const result = schema.safeParse(raw);
  if (!result.success) throw new Error(`${label} refused: ${describeZodError(result.error)}`);
  return result.data;
}
