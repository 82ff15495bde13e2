/**
 * The web console: `npm start` runs it (or `npm run console`). Staff sign in with their own
 * credentials (users file, CASECLOCK_USERS_FILE), read the cases, the overdue dashboard and the
 * visiting KPI, and record what happened, with the same client functions as the command line.
 *
 * First run in development: with no users file, one is created with an `admin` user whose random
 * password is written once to a file readable by its owner only (.data/first-admin-password.txt
 * beside the users file), never to the log; `admin` must choose a new password at first sign-in,
 * which deletes the file. Each start logs FIRST RUN while that password is unchanged, else how many
 * users the file holds (client/identity/auth.ts, usersFileNotice).
 */
import { randomBytes } from 'node:crypto';
import { loadConfigOrExit } from '../../common/config';
import { componentLogger, configureProcessLogger } from '../../common/log';
import { openStore } from '../case-record';
import { openReconciliationSources } from '../reconciliation';
import { teamFeedOf } from '../unmapped-teams';
import { connectClient } from '../../common/temporal';
import { readinessProbe, storeReachable, temporalReachable } from '../../common/health';
import { openCaseSummaries } from '../../store/case-summaries';
import { openConsoleStore } from '../../store/console-store';
import { openFeedStore } from '../../store/feed-store';
import { openImportSummaryStore } from '../../store/import-summary-store';
import nodemailer from 'nodemailer';
import { createConsole } from './app';
import { ensureFirstUser, UserDirectory, UsersFileError, usersFileNotice } from '../identity/auth';
import { createOidcSignIn, oidcSettingsFromConfig } from './oidc';
import { consoleSessionLimits } from '../identity/session';
import { openStaffDirectory } from '../../store/staff-directory';
import { openTeamDirectory } from '../../store/team-directory';
import { openSsdSyncStore } from '../../store/ssd-sync-store';
import { openApiIdempotencyStore } from '../../store/api-idempotency-store';
import { apiAuthentication } from './api/auth';
import { ApiConfigError, apiAuthConfigFromConfig } from './api/clients';

export { createConsole } from './app';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const log = componentLogger('console', configureProcessLogger({ level: config.LOG_LEVEL }));
  let secret = config.CASECLOCK_SESSION_SECRET;
  if (secret === undefined) {
    if (config.NODE_ENV === 'production') {
      process.stderr.write('CaseClock configuration is not valid:\n  CASECLOCK_SESSION_SECRET: must be set when NODE_ENV=production (see .env.example)\n');
      process.exit(78);
    }
    secret = randomBytes(32).toString('base64');
    log.warn('CASECLOCK_SESSION_SECRET is not set: using a random secret for this run (everyone is signed out when the console restarts). Set it in .env (see .env.example).');
  }
  const usersFile = config.CASECLOCK_USERS_FILE;
  try {
    const first = await ensureFirstUser(usersFile, config.NODE_ENV);
    // Logs are often readable by more people than the console should be: the password goes to a 0600 file only, and the notice says where.
    const notice = await usersFileNotice(usersFile);
    if (notice.firstRun) log.warn({ usersFile, created: first.created }, notice.line);
    else log.info({ usersFile }, notice.line);
  } catch (err) {
    if (err instanceof UsersFileError) {
      log.error({ usersFile }, `console cannot start: ${err.message}`);
      process.exit(78);
    }
    throw err;
  }
  const { client, close } = await connectClient(config);
  const store = openStore(config);
  // Every case page and list reads the cases' summaries beside their record, never the workflows.
  const summaries = openCaseSummaries(config.CASECLOCK_STORE_URL);
  const consoleStore = openConsoleStore(config.CASECLOCK_STORE_URL);
  const feedStore = openFeedStore(config.CASECLOCK_STORE_URL);
  const teams = openTeamDirectory(config.CASECLOCK_STORE_URL);
  const staff = openStaffDirectory(config.CASECLOCK_STORE_URL);
  // The SSD sync's runs, read-only on the console's role: how fresh the case system's copy is.
  const ssdSync = openSsdSyncStore(config.CASECLOCK_STORE_URL);
  // The import page gathers escalations due on arrival into one summary email per recipient, as `caseclock import` does.
  const importSummaryStore = openImportSummaryStore(config.CASECLOCK_STORE_URL);
  const oidc = oidcSettingsFromConfig(config);
  const health = storeReachable(config.CASECLOCK_STORE_URL);
  // Only while the SSD sync is configured: the page reads the source's planned dates from the source itself.
  const reconciliation = openReconciliationSources(config, store);
  // The same settings: the Teams page lists the case system's teams the directory does not yet.
  const teamFeed = teamFeedOf(config);
  // The integration API (docs/api.md), on when an identity provider is configured for it.
  let apiAuth;
  try {
    apiAuth = await apiAuthConfigFromConfig(config, teams);
  } catch (err) {
    if (err instanceof ApiConfigError) {
      log.error(`console cannot start: ${err.message}`);
      process.exit(78);
    }
    throw err;
  }
  const apiKeys = apiAuth ? openApiIdempotencyStore(config.CASECLOCK_STORE_URL) : undefined;
  const app = await createConsole({
    client,
    store,
    summaries,
    consoleStore,
    feedStore,
    teams,
    staff,
    ...(reconciliation ? { reconciliation } : {}),
    ...(teamFeed ? { teamFeed } : {}),
    ssdSync: { store: ssdSync, intervalSeconds: config.CASECLOCK_SSD_INTERVAL },
    users: new UserDirectory(usersFile),
    sessionSecret: secret,
    limits: consoleSessionLimits(config),
    publicUrl: config.CONSOLE_PUBLIC_URL,
    ...(oidc ? { sso: createOidcSignIn(oidc) } : {}),
    ...(config.CONSOLE_TRUST_PROXY ? { trustProxy: config.CONSOLE_TRUST_PROXY } : {}),
    ...(config.CASECLOCK_POLICY ? { configuredPolicy: config.CASECLOCK_POLICY } : {}),
    importSummaries: { store: importSummaryStore, transport: nodemailer.createTransport(config.SMTP_URL), from: config.MAIL_FROM },
    readiness: readinessProbe({ temporal: temporalReachable(client), store: health.check }),
    ...(apiAuth && apiKeys ? { api: { authenticate: apiAuthentication(apiAuth), idempotency: apiKeys } } : {}),
  });
  await app.listen({ port: config.CONSOLE_PORT, host: config.CONSOLE_HOST });
  app.log.info({ url: config.CONSOLE_PUBLIC_URL, usersFile, sso: oidc ? 'on' : 'off', api: apiAuth ? 'on' : 'off' }, 'console listening');
  const stop = () => {
    void app
      .close()
      .then(() =>
        Promise.all([
          close(),
          store.close(),
          summaries.close(),
          consoleStore.close(),
          feedStore.close(),
          teams.close(),
          staff.close(),
          ssdSync.close(),
          importSummaryStore.close(),
          health.close(),
          reconciliation?.close(),
          apiKeys?.close(),
        ]),
      )
      .then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    componentLogger('console').error({ error: err instanceof Error ? err.message : String(err) }, 'console failed to start');
    process.exit(1);
  });
}
