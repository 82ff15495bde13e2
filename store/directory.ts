/**
 * What the staff and team directories (store/staff-directory.ts, store/team-directory.ts) share:
 * a refusal of bad input naming the field, and the parse that gives it. The CLI and the console
 * map a refusal to the option or form field it names.
 */
import type { z } from 'zod';

/** A refusal of bad input, naming the field; nothing was written. */
export class DirectoryInvalid extends Error {
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${field}: ${problem}`);
    this.name = new.target.name;
  }
}

/** `input` as `schema` reads it, or `refusal` naming its first problem's field (`field` for a value that is no object). */
export function parseOrRefuse<T>(schema: z.ZodType<T>, input: unknown, field: string, refusal: new (field: string, problem: string) => DirectoryInvalid): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new refusal(issue?.path.join('.') || field, issue?.message ?? 'is not valid');
}
