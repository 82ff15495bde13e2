/**
 * The set-up every end-to-end test of the SSD sync shares (tests/ssd/*, the console's reconciliation,
 * the drills in tests/support/ssd-drill.ts): a private embedded store of the test's own, migrated,
 * holding the sync's ledger and runs and the team and staff directories (and, where asked, the case
 * record the case workflows write); a real SMTP server; the run's dev server; and a worker on a task
 * queue of the test's own running the case workflows with the sync's activity. Each test seeds its
 * own directories and extracts, then starts the worker with its own `deps`, and makes its own assertions.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { Worker, type WorkerOptions } from '@temporalio/worker';
import { createSsdSyncActivities, type SsdSyncDependencies } from '../../activities/ssd-sync';
import { loadDefaultSnapshot } from '../../domain/policy-loader';
import { migrateCaseRecordStore, openCaseRecordStore, startEmbeddedStore, type CaseRecordStore, type EmbeddedStore } from '../../store/case-record-store';
import { openSsdSyncStore, type SsdSyncStore } from '../../store/ssd-sync-store';
import { openStaffDirectory, type StaffDirectory } from '../../store/staff-directory';
import { openTeamDirectory, type TeamDirectory } from '../../store/team-directory';
import type { SsdTables } from '../../tools/ssd/council';
import { testStore } from './case-record';
import { startMailbox, type Mailbox } from './mailbox';
import { caseActivitiesWith } from './script-store';
import { bundleCaseWorkflows, connectDevServer, type DevServerConnections, uniqueName } from './temporal-env';

export interface SsdHarnessOptions {
  /** Names the temporary folder (`caseclock-<name>-`) and the worker's task queue. */
  name: string;
  /** Case ids are `${prefix}${personId}`. */
  prefix: string;
  /** The case workflows write their record to this store (`records`) rather than the test run's. */
  caseRecord?: boolean;
  /** The store on a TCP port of its own (it can then be stopped and started again on it); by default its socket. */
  storePort?: number;
  worker?: Pick<WorkerOptions, 'shutdownGraceTime' | 'shutdownForceTime'>;
  /** Stopped as the worker shuts down, before its activities are waited for: a source one may still be reading ends it at once. */
  stopWithWorker?: () => Promise<unknown>;
}

export interface SsdHarness {
  /** The test's temporary folder, removed by `stop`. */
  dir: string;
  /** Where the CSV extracts go: the default source's folder. */
  csvDir: string;
  storeUrl: string;
  store: SsdSyncStore;
  teams: TeamDirectory;
  staff: StaffDirectory;
  /** With `caseRecord`: the case record of this store; otherwise the test run's. */
  records: CaseRecordStore;
  mailbox: Mailbox;
  dev: DevServerConnections;
  client: Client;
  taskQueue: string;
  prefix: string;
  /** Another store on the same database, closed with the harness's own. */
  open<T extends { close(): Promise<void> }>(openWith: (url: string) => T): T;
  /** The sync's dependencies: the CSV extracts in `csvDir` and the default policy, but for `overrides`. */
  deps(overrides?: Partial<SsdSyncDependencies>): SsdSyncDependencies;
  /** The worker, once the test has seeded what its sync reads: the case workflows, and the sync's activity with `deps`. */
  startWorker(deps?: SsdSyncDependencies): Promise<void>;
  /** Stops the store (every connection to it fails) and starts it again on the same data. */
  stopStore(): Promise<void>;
  startStore(): Promise<void>;
  /** The worker first, then the stores, then the servers; the folder last. */
  stop(): Promise<void>;
}

export async function startSsdHarness(options: SsdHarnessOptions): Promise<SsdHarness> {
  const dir = mkdtempSync(path.join(os.tmpdir(), `caseclock-${options.name}-`));
  const dataDir = path.join(dir, 'store');
  const startStore = async () => {
    const embedded = await startEmbeddedStore({ dataDir, ...(options.storePort === undefined ? {} : { port: options.storePort }) });
    await migrateCaseRecordStore(embedded.url).catch(async (e: unknown) => {
      await embedded.stop();
      throw e;
    });
    return embedded;
  };
  const started = await Promise.allSettled([startMailbox(), connectDevServer(), bundleCaseWorkflows(), startStore()] as const);
  const [m, d, b, s] = started;
  if (m.status === 'rejected' || d.status === 'rejected' || b.status === 'rejected' || s.status === 'rejected') {
    // Nothing left running behind a set-up that failed half-way.
    await Promise.allSettled([m.status === 'fulfilled' ? m.value.close() : undefined, d.status === 'fulfilled' ? d.value.close() : undefined, s.status === 'fulfilled' ? s.value.stop() : undefined]);
    rmSync(dir, { recursive: true, force: true });
    throw started.map((r) => (r.status === 'rejected' ? (r.reason as unknown) : undefined)).find((e) => e !== undefined);
  }
  const [mailbox, dev, bundle] = [m.value, d.value, b.value];
  let embedded: EmbeddedStore | undefined = s.value;
  const storeUrl = s.value.url;
  const closers: { close(): Promise<void> }[] = [];
  const open = <T extends { close(): Promise<void> }>(openWith: (url: string) => T): T => {
    const opened = openWith(storeUrl);
    closers.push(opened);
    return opened;
  };
  const store = open(openSsdSyncStore);
  const teams = open(openTeamDirectory);
  const staff = open(openStaffDirectory);
  const records = options.caseRecord ? open(openCaseRecordStore) : testStore();
  const taskQueue = uniqueName(options.name);
  const csvDir = path.join(dir, 'ssd');
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;

  const harness: SsdHarness = {
    dir,
    csvDir,
    storeUrl,
    store,
    teams,
    staff,
    records,
    mailbox,
    dev,
    client: dev.client,
    taskQueue,
    prefix: options.prefix,
    open,
    deps: (overrides = {}) => ({
      client: dev.client,
      store,
      teams,
      staff,
      settings: { source: { kind: 'csv', dir: csvDir }, cases: { caseIdPrefix: options.prefix, reference: 'person-id', allocatedWorkerRoles: ['Allocated Case Worker'] } },
      policy: loadDefaultSnapshot(),
      taskQueue,
      ...overrides,
    }),
    async startWorker(deps = harness.deps()) {
      worker = await Worker.create({
        connection: dev.nativeConnection,
        taskQueue,
        workflowBundle: bundle,
        ...options.worker,
        activities: { ...caseActivitiesWith(mailbox, records), ...createSsdSyncActivities(deps) },
      });
      running = worker.run();
    },
    async stopStore() {
      await embedded?.stop();
      embedded = undefined;
    },
    async startStore() {
      embedded ??= await startEmbeddedStore({ dataDir, ...(options.storePort === undefined ? {} : { port: options.storePort }) });
    },
    async stop() {
      worker?.shutdown();
      try {
        await Promise.all([running?.catch(() => undefined), options.stopWithWorker?.()]);
        await Promise.all(closers.map((c) => c.close()));
        await embedded?.stop();
      } finally {
        await Promise.allSettled([dev.close(), mailbox.close()]);
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };

  return harness;
}

export const teamCode = (prefix: string, deptTeamId: string): string => `T${prefix}${deptTeamId}`;

/**
 * The directories as a council would fill them in: Tess (manager) and Hal (head of service), each
 * a console user; every worker with a staff id; and each of the council's teams that `include`
 * keeps, with Tess and Hal.
 */
export async function seedCouncilDirectories(
  harness: Pick<SsdHarness, 'teams' | 'staff' | 'prefix'>,
  tables: SsdTables,
  include: (department: SsdTables['ssd_department'][number]) => boolean = () => true,
): Promise<void> {
  const { teams, staff, prefix } = harness;
  await staff.set({ staffId: 'tess', name: 'Tess Manager', email: 'tess@council.test', userId: 'tess', changedBy: 'admin' });
  await staff.set({ staffId: 'hal', name: 'Hal Head', email: 'hal@council.test', userId: 'hal', changedBy: 'admin' });
  for (const p of tables.ssd_professionals) {
    if (p.prof_staff_id !== null) await staff.set({ staffId: p.prof_staff_id, name: `Worker ${p.prof_professional_id}`, email: `staff.${p.prof_professional_id}@council.test`, changedBy: 'admin' });
  }
  for (const d of tables.ssd_department) {
    if (!include(d)) continue;
    await teams.upsert({ code: teamCode(prefix, d.dept_team_id), name: `Team ${d.dept_team_id}`, serviceArea: 'Children', manager: 'tess', head: 'hal', sourceId: d.dept_team_id, changedBy: 'admin' });
  }
}
