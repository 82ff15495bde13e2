/**
 * Sets up the case-record store on a council's PostgreSQL for least privilege: applies the
 * store's migrations as the database's owner, then store/roles.sql (the roles caseclock_worker and
 * caseclock_console, neither owner nor superuser), and gives each role its password. Idempotent:
 * run it at installation and after every upgrade, before the workers and the console start. It is
 * the one step that connects as the owner; the running processes use the role URLs.
 *
 *   CASECLOCK_STORE_OWNER_URL=postgres://owner:...@host:5432/caseclock \
 *   CASECLOCK_WORKER_DB_PASSWORD=... CASECLOCK_CONSOLE_DB_PASSWORD=... node --import tsx store/provision.ts
 *
 * Passwords come through the environment, never the command line (which `ps` shows).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Client, escapeLiteral } from 'pg';
import { z } from 'zod';
import { migrateCaseRecordStore, redactUrl } from './case-record-store';

export const ROLES_SQL = path.join(__dirname, 'roles.sql');
export const STORE_ROLES = { worker: 'caseclock_worker', console: 'caseclock_console' } as const;

const Password = z
  .string({ error: 'is not set' })
  .min(16, 'must be at least 16 characters (e.g. openssl rand -hex 24)')
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');

export const ProvisionSettings = z.strictObject({
  CASECLOCK_STORE_OWNER_URL: z
    .string({ error: 'is not set: the URL of the database, as its owner or a superuser' })
    .regex(/^postgres(ql)?:\/\/[^\s]+$/, 'must be a PostgreSQL URL such as postgres://owner:password@db.council.internal:5432/caseclock'),
  CASECLOCK_WORKER_DB_PASSWORD: Password,
  CASECLOCK_CONSOLE_DB_PASSWORD: Password,
});
export type ProvisionSettings = z.infer<typeof ProvisionSettings>;

/** `url` connecting as `role` with `password` instead of its own user. */
export function roleUrl(url: string, role: string, password: string): string {
  const u = new URL(url);
  u.username = role;
  u.password = encodeURIComponent(password);
  return u.toString();
}

export interface Provisioned {
  /** Migrations applied by this run ([] when the store was current). */
  applied: string[];
  workerUrl: string;
  consoleUrl: string;
}

export async function provisionCaseRecordStore(settings: ProvisionSettings, log: (line: string) => void = () => undefined): Promise<Provisioned> {
  const ownerUrl = settings.CASECLOCK_STORE_OWNER_URL;
  const applied = await migrateCaseRecordStore(ownerUrl, { log });
  const client = new Client({ connectionString: ownerUrl, application_name: 'caseclock-provision' });
  await client.connect();
  try {
    // roles.sql holds several statements: a simple query runs them all, in one implicit transaction.
    await client.query(readFileSync(ROLES_SQL, 'utf8'));
    // Stored as SCRAM verifiers, which every method pg_hba.conf may name (scram-sha-256, md5) accepts;
    // servers before PostgreSQL 14 would otherwise store md5 hashes, which scram-sha-256 refuses.
    await client.query(
      `SET password_encryption = 'scram-sha-256';` +
        `ALTER ROLE ${STORE_ROLES.worker} PASSWORD ${escapeLiteral(settings.CASECLOCK_WORKER_DB_PASSWORD)};` +
        `ALTER ROLE ${STORE_ROLES.console} PASSWORD ${escapeLiteral(settings.CASECLOCK_CONSOLE_DB_PASSWORD)}`,
    );
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`could not set up the store's roles at ${redactUrl(ownerUrl)}: ${message} (connect as the database's owner or a superuser)`, { cause: error });
  } finally {
    await client.end();
  }
  return {
    applied,
    workerUrl: roleUrl(ownerUrl, STORE_ROLES.worker, settings.CASECLOCK_WORKER_DB_PASSWORD),
    consoleUrl: roleUrl(ownerUrl, STORE_ROLES.console, settings.CASECLOCK_CONSOLE_DB_PASSWORD),
  };
}

async function main(): Promise<void> {
  const parsed = ProvisionSettings.safeParse({
    CASECLOCK_STORE_OWNER_URL: process.env.CASECLOCK_STORE_OWNER_URL,
    CASECLOCK_WORKER_DB_PASSWORD: process.env.CASECLOCK_WORKER_DB_PASSWORD,
    CASECLOCK_CONSOLE_DB_PASSWORD: process.env.CASECLOCK_CONSOLE_DB_PASSWORD,
  });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) process.stderr.write(`caseclock provision: ${issue.path.join('.')} ${issue.message}\n`);
    process.exit(2);
  }
  // Quiet on success: the one line below names the migrations applied.
  const done = await provisionCaseRecordStore(parsed.data);
  process.stdout.write(
    `caseclock provision: store at ${redactUrl(parsed.data.CASECLOCK_STORE_OWNER_URL)} ready: ` +
      `${done.applied.length ? `migrations applied: ${done.applied.join(', ')}` : 'migrations current'}; ` +
      `workers connect as ${STORE_ROLES.worker}, the console, codec server and command line as ${STORE_ROLES.console}\n`,
  );
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`caseclock provision: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
