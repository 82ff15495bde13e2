/**
 * What the benchmark scripts share: the number of workflows from the command line, fictitious
 * staff, and a dev server of their own with a mail server, the case bundle and the baseline
 * bundle, and connections to it. Plain scripts: no vitest here.
 */
import { caseBundleOptions } from '../../worker/workflow-bundle';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, bundleWorkflowCode, type BundleOptions, type WorkflowBundle } from '@temporalio/worker';
import webpack from 'webpack';
import type { PolicySnapshot } from '../../domain/policy';
import { FROZEN_POLICIES } from '../../domain/policies/frozen';
import { policyVersionHash } from '../../domain/policy-refs';
import type { CaseContacts } from '../../workflows/messages';
import { freePort, startDevServer } from '../../tools/dev-server';
import { startMailbox, type Mailbox } from '../support/mailbox';
import { migrateCaseRecordStore, openCaseRecordStore } from '../../store/case-record-store';
import { caseActivitiesWith, startStoreProcess } from '../support/script-store';
import { startTemporalCluster } from '../support/temporal-cluster';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The first command-line argument, or `fallback`: how many workflows of each kind to run. */
export function workflowCount(fallback: number): number {
  const n = Number(process.argv[2] ?? fallback);
  if (!Number.isInteger(n) || n < 10 || n > 20_000) throw new Error('the number of workflows must be a whole number from 10 to 20000');
  return n;
}

/** Fictitious staff: the benchmarks' mail goes to a mail server in this process. */
export const BENCH_CONTACTS = {
  'allocated-worker': { name: 'Bench Worker', email: 'worker@bench.test' },
  'team-manager': { name: 'Bench Manager', email: 'manager@bench.test' },
  'head-of-service': { name: 'Bench Head', email: 'head@bench.test' },
} satisfies CaseContacts;

export interface BenchServer {
  mailbox: Mailbox;
  /** Every activity a case worker runs: email to the mailbox, the record to the store (in a process of its own, or PostgreSQL). */
  activities: ReturnType<typeof caseActivitiesWith>;
  client: Client;
  nativeConnection: NativeConnection;
  /**
   * The case bundle's code alone, as the production worker loads its prebuilt bundle (no source
   * map: with one, the SDK maps the stack of every promise a workflow makes, a cost production never pays).
   */
  caseBundle: WorkflowBundle;
  /** tests/bench/bench-workflows.ts alone, so baseline workflows carry none of the case's modules; code alone too. */
  baselineBundle: WorkflowBundle;
  /** The case-record store's URL, for what else a benchmark keeps there (the SSD sync's ledger, the directories). */
  storeUrl: string;
  /** The dev server's log. */
  logFile: string;
  /** Stops everything; keeps the server's files when `keep` (and says where). */
  close(options?: { keep?: boolean }): Promise<void>;
}

/** Which Temporal a benchmark runs on: the CLI's dev server (SQLite), or server v1.32.0 on PostgreSQL. */
export type BenchServerKind = 'dev' | 'postgres';

let runtimeInstalled = false;

/**
 * Freezes `snapshots` into the policy library of this process and of the case bundle built with
 * the options returned, as tools/freeze-policies.ts freezes a council's own policy: cases then
 * carry a reference, as production's do, not the whole snapshot (some 25 KB each).
 */
function frozenForBench(dir: string, snapshots: readonly PolicySnapshot[]): Partial<BundleOptions> {
  if (snapshots.length === 0) return {};
  const entries = snapshots.map((snapshot) => ({ id: snapshot.id, version: snapshot.version, sha256: policyVersionHash(snapshot), snapshot }));
  (FROZEN_POLICIES as unknown as typeof entries).push(...entries);
  const library = path.join(dir, 'bench-frozen-policies.js');
  const shipped = path.resolve(__dirname, '../../domain/policies/frozen/index.ts');
  writeFileSync(library, `const { FROZEN_POLICIES: SHIPPED } = require(${JSON.stringify(shipped)});\nexports.FROZEN_POLICIES = [...SHIPPED, ...${JSON.stringify(entries)}];\n`);
  return {
    webpackConfigHook: (config) => ({ ...config, plugins: [...(config.plugins ?? []), new webpack.NormalModuleReplacementPlugin(/^\.\/policies\/frozen$/, library)] }),
  };
}

export async function startBenchServer(prefix: string, kind: BenchServerKind = 'dev', options: { frozen?: readonly PolicySnapshot[] } = {}): Promise<BenchServer> {
  if (!runtimeInstalled) Runtime.install({ logger: new DefaultLogger('ERROR') });
  runtimeInstalled = true;
  const dir = mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
  chmodSync(dir, 0o755); // PostgreSQL runs as `postgres` under root and must reach its data
  const logFile = kind === 'dev' ? path.join(dir, 'temporal.log') : path.join(dir, 'temporal-pg', 'server.log');
  // The case record where the production shape keeps it: the embedded store in its own process
  // beside the dev server (`npm start`), a database on the cluster's PostgreSQL (`npm run start:cluster`).
  const startServer = async () => {
    if (kind === 'dev') {
      const [dev, store] = await Promise.all([startDevServer({ port: await freePort(), dbFile: path.join(dir, 'temporal.sqlite'), logFile }), startStoreProcess()]);
      return { address: dev.address, store, stop: () => dev.stop() };
    }
    const cluster = await startTemporalCluster(dir);
    const url = await cluster.database('caseclock_record');
    await migrateCaseRecordStore(url);
    const client = openCaseRecordStore(url);
    const store = { url, store: client, stop: () => client.close() };
    return { address: cluster.address, store, stop: () => cluster.stop() };
  };
  const [server, mailbox, caseBundle, baselineBundle] = await Promise.all([
    startServer(),
    startMailbox(),
    bundleWorkflowCode(caseBundleOptions({ logger: new DefaultLogger('ERROR'), ...frozenForBench(dir, options.frozen ?? []) })),
    bundleWorkflowCode({ workflowsPath: path.resolve(__dirname, 'bench-workflows.ts'), logger: new DefaultLogger('ERROR') }),
  ]);
  const store = server.store;
  const nativeConnection = await NativeConnection.connect({ address: server.address });
  const connection = await Connection.connect({ address: server.address });
  return {
    mailbox,
    activities: caseActivitiesWith(mailbox, store.store),
    client: new Client({ connection }),
    nativeConnection,
    caseBundle: { code: caseBundle.code },
    baselineBundle: { code: baselineBundle.code },
    storeUrl: store.url,
    logFile,
    async close({ keep = false } = {}) {
      await connection.close();
      await nativeConnection.close();
      await store.stop();
      await server.stop();
      await mailbox.close();
      if (keep) console.log(`server files kept in ${dir}`);
      else rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The errors in a server's log, and each kind once (by message) with how often and an example, for reading beside the figures. */
export function serverLogErrors(logFile: string): { count: number; kinds: Array<{ msg: string; count: number; example: string }> } {
  const errors = readFileSync(logFile, 'utf8')
    .split('\n')
    .filter((l) => /level=(error|ERROR)|"level":"error"|context deadline exceeded/.test(l));
  const kinds = new Map<string, { msg: string; count: number; example: string }>();
  for (const l of errors) {
    const msg = /msg="?([^"]{0,80})/.exec(l)?.[1] ?? /"msg":"([^"]{0,80})/.exec(l)?.[1] ?? l.slice(0, 80);
    const kind = kinds.get(msg) ?? { msg, count: 0, example: l.slice(0, 300) };
    kind.count++;
    kinds.set(msg, kind);
  }
  return { count: errors.length, kinds: [...kinds.values()].sort((a, b) => b.count - a.count) };
}
