/**
 * The CaseClock worker: runs the case and incident workflows and the email activities.
 * Configuration comes from the validated environment; SIGINT/SIGTERM drain it gracefully.
 */
import { existsSync } from 'node:fs';
import { getHeapStatistics } from 'node:v8';
import { NativeConnection, Worker } from '@temporalio/worker';
import nodemailer from 'nodemailer';
import { Client } from '@temporalio/client';
import { createCaseRecordActivities } from '../activities/case-record';
import { createDigestActivities } from '../activities/digest';
import { createNotificationActivities } from '../activities/notifications';
import { migrateCaseRecordStore, openCaseRecordStore, redactUrl } from '../store/case-record-store';
import { openCaseSummaries } from '../store/case-summaries';
import { loadConfigOrExit, temporalConnectionOptions, workerCacheSize } from '../common/config';
import { dataConverter } from '../common/temporal';
import { TASK_QUEUE } from '../workflows/messages';
import { BUNDLE_PATH } from './build-bundle';
import { DIGEST_SCHEDULE_ID, ensureDigestSchedule, removeDigestSchedule } from './digest-schedule';
import { SSD_SCHEDULE_ID, ensureSsdSchedule, removeSsdSchedule } from './ssd-schedule';
import { createSsdSyncActivities, ssdSettingsOf } from '../activities/ssd-sync';
import { createSsdSyncAlerts } from '../activities/ssd-alerts';
import { openSsdAlertStore } from '../store/ssd-alert-store';
import { passwordAdministrators } from './administrators';
import { openSsdSyncStore } from '../store/ssd-sync-store';
import { openImportSummaryStore } from '../store/import-summary-store';
import { openTeamDirectory } from '../store/team-directory';
import { openStaffDirectory } from '../store/staff-directory';
import { loadCaseSnapshot } from '../domain/policy-loader';
import { SHARED_WORKFLOW_MODULES, WORKFLOWS_PATH } from './workflow-bundle';
import { componentLogger, configureProcessLogger } from '../common/log';
import { installTemporalRuntime } from '../common/log-temporal';
import { readinessProbe, storeReachable, temporalReachable } from '../common/health';
import { createCaseClockMetrics, createMetricsServer, listen } from './metrics';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  configureProcessLogger({ level: config.LOG_LEVEL });
  const log = componentLogger('worker');
  const metricsOn = config.CASECLOCK_METRICS_PORT !== 'off';
  // The SDK's own figures are served on 127.0.0.1 only; /metrics below includes them.
  const sdkBind = `127.0.0.1:${config.CASECLOCK_SDK_METRICS_PORT}`;
  const runtime = installTemporalRuntime(config.LOG_LEVEL, metricsOn ? { prometheusBindAddress: sdkBind } : {});
  if (metricsOn && !runtime.sdkMetrics) {
    log.warn({ bind: sdkBind, error: runtime.error }, 'Temporal SDK metrics not served: the worker runs without them');
  }
  const connection = await NativeConnection.connect(temporalConnectionOptions(config));
  const transport = nodemailer.createTransport(config.SMTP_URL);
  // Opened lazily by its pool: a store that is down delays the record, never the clocks. The
  // store's migrations run here (idempotent, safe with several workers starting at once); a store
  // that cannot be reached now is said in the log, and the worker starts all the same.
  const store = openCaseRecordStore(config.CASECLOCK_STORE_URL);
  await migrateCaseRecordStore(config.CASECLOCK_STORE_URL).catch((err: unknown) => {
    log.warn({ store: redactUrl(config.CASECLOCK_STORE_URL), error: err instanceof Error ? err.message : String(err) }, 'case record store not migrated: entries wait in the cases until it is reachable');
  });
  // The daily digest reads the case summaries from the store, and asks visibility (through a client
  // on the worker's own connection) only which running cases have none yet.
  const summaries = openCaseSummaries(config.CASECLOCK_STORE_URL, { poolSize: 2 });
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter: dataConverter(config) });
  // A schedule that cannot be set up now is said in the log: the clocks run all the same.
  try {
    const digest =
      config.CASECLOCK_DIGEST_TIME === 'off' ? await removeDigestSchedule(client) : await ensureDigestSchedule(client, { time: config.CASECLOCK_DIGEST_TIME, workingDays: config.CASECLOCK_DIGEST_WORKING_DAYS });
    log.info({ schedule: DIGEST_SCHEDULE_ID, digestTime: config.CASECLOCK_DIGEST_TIME, workingDays: config.CASECLOCK_DIGEST_WORKING_DAYS }, `daily digest schedule ${digest}`);
  } catch (err) {
    log.warn({ schedule: DIGEST_SCHEDULE_ID, error: err instanceof Error ? err.message : String(err) }, 'daily digest schedule not set up');
  }
  // The sync from the council's SSD: a schedule while a source is configured, none otherwise.
  const ssd = ssdSettingsOf(config);
  try {
    const done = ssd ? await ensureSsdSchedule(client, { intervalSeconds: config.CASECLOCK_SSD_INTERVAL }) : await removeSsdSchedule(client);
    log.info({ schedule: SSD_SCHEDULE_ID, source: ssd ? ssd.source.kind : 'none', intervalSeconds: config.CASECLOCK_SSD_INTERVAL }, `SSD sync schedule ${done}`);
  } catch (err) {
    log.warn({ schedule: SSD_SCHEDULE_ID, error: err instanceof Error ? err.message : String(err) }, 'SSD sync schedule not set up');
  }
  const ssdStores = ssd
    ? {
        sync: openSsdSyncStore(config.CASECLOCK_STORE_URL),
        teams: openTeamDirectory(config.CASECLOCK_STORE_URL),
        staff: openStaffDirectory(config.CASECLOCK_STORE_URL),
        alerts: openSsdAlertStore(config.CASECLOCK_STORE_URL),
        arrivals: openImportSummaryStore(config.CASECLOCK_STORE_URL),
      }
    : undefined;
  // What the operations team scrapes: /metrics, /healthz and /readyz on CASECLOCK_METRICS_PORT.
  // A port already taken is said in the log, and the worker runs all the same.
  const metrics = createCaseClockMetrics();
  const health = storeReachable(config.CASECLOCK_STORE_URL);
  let workerState = (): string => 'INITIALIZED';
  const ready = readinessProbe({
    temporal: temporalReachable(client),
    store: health.check,
    worker: async () => {
      if (workerState() !== 'RUNNING') throw new Error(`worker is ${workerState()}`);
    },
  });
  let stopRefreshing = (): void => undefined;
  const metricsServer = metricsOn
    ? createMetricsServer({
        host: config.CASECLOCK_METRICS_HOST,
        port: config.CASECLOCK_METRICS_PORT as number,
        metrics,
        ...(runtime.sdkMetrics ? { sdkMetricsUrl: `http://${sdkBind}/metrics` } : {}),
        live: () => !['FAILED', 'STOPPED'].includes(workerState()),
        ready,
      })
    : undefined;
  if (metricsServer) {
    try {
      const at = await listen(metricsServer, config.CASECLOCK_METRICS_PORT as number, config.CASECLOCK_METRICS_HOST);
      stopRefreshing = metrics.startRefreshing(client, config.CASECLOCK_METRICS_REFRESH_SECONDS * 1000);
      log.info({ url: `http://${config.CASECLOCK_METRICS_HOST}:${at.port}/metrics`, sdkMetrics: runtime.sdkMetrics ? `http://${sdkBind}/metrics` : 'off' }, 'metrics endpoint listening');
    } catch (err) {
      log.warn({ host: config.CASECLOCK_METRICS_HOST, port: config.CASECLOCK_METRICS_PORT, error: err instanceof Error ? err.message : String(err) }, 'metrics endpoint not started: the worker runs without it');
    }
  }
  const usePrebuilt = config.NODE_ENV === 'production';
  if (usePrebuilt && !existsSync(BUNDLE_PATH)) {
    throw new Error(`NODE_ENV=production needs the prebuilt workflow bundle ${BUNDLE_PATH}: run \`npm run build\` first`);
  }
  // A recorded send sends through this same (measured) email activity, so its messages count as every other's.
  const sending = metrics.instrument(createNotificationActivities({ transport, from: config.MAIL_FROM, consoleUrl: config.CONSOLE_PUBLIC_URL }));
  const worker = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: TASK_QUEUE,
    ...(usePrebuilt ? { workflowBundle: { codePath: BUNDLE_PATH } } : { workflowsPath: WORKFLOWS_PATH, bundlerOptions: { preloadModules: SHARED_WORKFLOW_MODULES } }),
    dataConverter: dataConverter(config),
    // A council's open caseload in memory: a case taken out of the cache is replayed before it can take an update.
    maxCachedWorkflows: workerCacheSize(config, getHeapStatistics().heap_size_limit),
    activities: {
      ...sending,
      ...metrics.instrument({
        ...createCaseRecordActivities({ store, deliver: sending.deliverCaseMessage }),
        ...(ssd && ssdStores
          ? createSsdSyncActivities({
              client,
              store: ssdStores.sync,
              // Cases already overdue in the case system when they open: one summary per recipient, not an email each.
              arrival: { store: ssdStores.arrivals, transport, from: config.MAIL_FROM, consoleUrl: config.CONSOLE_PUBLIC_URL },
              teams: ssdStores.teams,
              staff: ssdStores.staff,
              settings: ssd,
              // The sync opens cases under CASECLOCK_POLICY, else the national baseline, as the command line does.
              policy: loadCaseSnapshot(config.CASECLOCK_POLICY),
              taskQueue: TASK_QUEUE,
              // A failing sync is told to the administrators once, and once more when it recovers.
              alerts: createSsdSyncAlerts({
                transport,
                from: config.MAIL_FROM,
                consoleUrl: config.CONSOLE_PUBLIC_URL,
                intervalSeconds: config.CASECLOCK_SSD_INTERVAL,
                store: ssdStores.alerts,
                staff: ssdStores.staff,
                passwordAdministrators: () => passwordAdministrators(config.CASECLOCK_USERS_FILE),
              }),
            })
          : {}),
        ...createDigestActivities({ client, summaries, transport, from: config.MAIL_FROM, consoleUrl: config.CONSOLE_PUBLIC_URL, taskQueue: TASK_QUEUE }),
      }),
    },
    // In-flight emails get time to finish on shutdown; Temporal retries any that do not.
    shutdownGraceTime: '20 seconds',
  });
  workerState = () => worker.getState();
  log.info({ taskQueue: TASK_QUEUE, namespace: config.TEMPORAL_NAMESPACE, temporal: config.TEMPORAL_ADDRESS, cachedCases: worker.options.maxCachedWorkflows }, 'worker started');
  try {
    await worker.run(); // resolves after SIGINT/SIGTERM once in-flight tasks drain
  } finally {
    stopRefreshing();
    if (metricsServer?.listening) {
      const closed = new Promise<void>((resolve) => metricsServer.close(() => resolve()));
      metricsServer.closeAllConnections(); // a scraper's kept-alive connection must not hold the shutdown
      await closed;
    }
    await health.close();
    transport.close();
    await store.close();
    await summaries.close();
    if (ssdStores) await Promise.all([ssdStores.sync.close(), ssdStores.teams.close(), ssdStores.staff.close(), ssdStores.alerts.close(), ssdStores.arrivals.close()]);
    await connection.close();
  }
}

main().catch((err: unknown) => {
  componentLogger('worker').error({ error: err instanceof Error ? err.message : String(err) }, 'worker stopped');
  process.exit(1);
});
