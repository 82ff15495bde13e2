/**
 * The administrators who sign in with a password, as the worker needs them for the SSD sync's
 * alerts (activities/ssd-alerts.ts): their user ids from the console's users file
 * (CASECLOCK_USERS_FILE). Read afresh at each alert, so a change needs no restart. Only ids and
 * roles are read: the file's full rules (and its password hashes) are client/identity/auth.ts's,
 * which the worker may not import; a disabled account is left out.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const UsersFileRoles = z.looseObject({
  users: z.array(z.looseObject({ id: z.string(), role: z.string(), disabled: z.boolean().optional() })),
});

export function passwordAdministrators(usersFile: string): string[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(usersFile, 'utf8'));
  } catch (err) {
    // Never the parser's message: it may quote the file, hashes and all.
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(`users file ${usersFile}: ${code === 'ENOENT' ? 'no such file' : err instanceof SyntaxError ? 'not valid JSON' : 'cannot be read'}`);
  }
  const parsed = UsersFileRoles.safeParse(raw);
  if (!parsed.success) throw new Error(`users file ${usersFile}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`).join('; ')}`);
  return parsed.data.users.filter((u) => u.role === 'administrator' && u.disabled !== true).map((u) => u.id);
}
