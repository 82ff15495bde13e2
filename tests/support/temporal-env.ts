/**
 * How tests reach Temporal:
 * - `createTimeSkippingEnv()`: the Java time-skipping test server (wrapper built by
 *   tools/ensure-tools.sh). It skips time by itself only while a client awaits a
 *   workflow result; tests that drive a workflow through updates move time with `env.sleep()`.
 * - `connectDevServer()` / `devServerAddress()`: the real dev server that
 *   tests/support/global-setup.ts started for the run (namespace "default", CaseClock search
 *   attributes registered).
 * Worker and core logs are kept to warnings (TEMPORAL_TEST_LOG_LEVEL=DEBUG|INFO|... for more).
 */
import { randomUUID } from 'node:crypto';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, type LogLevel, type Worker, type WorkflowBundlePath, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { SearchAttributeType } from '@temporalio/common';
import { msToTs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { inject } from 'vitest';
import { CASECLOCK_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import { readToolsEnv } from '../../tools/tools-env';

const LOG_LEVELS: readonly LogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'];

/**
 * Installs the SDK runtime with a quiet logger, once per test file (vitest runs each file in its
 * own process). Called by the helpers below; a file that builds its own worker connection
 * first should call it before anything else touches Temporal.
 */
function testLogLevel(): LogLevel {
  const wanted = (process.env.TEMPORAL_TEST_LOG_LEVEL ?? 'WARN').toUpperCase();
  return LOG_LEVELS.find((l) => l === wanted) ?? 'WARN';
}

let runtimeInstalled = false;
export function installTestRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: new DefaultLogger(testLogLevel()) });
  } catch {
    // Something in this file used Temporal first and created the default runtime: keep it.
  }
}

export function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  installTestRuntime();
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: readToolsEnv().TEMPORAL_TEST_SERVER } },
  });
}

/**
 * Bundles workflow code once (call it in beforeAll; pass the result as `workflowBundle`),
 * without printing webpack's module list: `bundleWorkflows(path.resolve(__dirname, 'x.ts'))`.
 */
export function bundleWorkflows(workflowsPath: string, options: { failureConverterPath?: string } = {}): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath, ...options, logger: new DefaultLogger(testLogLevel()) });
}

/**
 * CaseClock's case and incident workflows, bundled once for the whole run by
 * ./workflow-bundles.ts (a globalSetup): the file a worker loads. `encrypted: true` for a worker
 * whose data converter encrypts (client/temporal.ts): its failure converter moves failure
 * messages through the codec too, and that bundle carries it.
 */
export function bundleCaseWorkflows(options: { encrypted?: boolean } = {}): Promise<WorkflowBundlePath> {
  const paths = inject('caseBundles');
  return Promise.resolve({ codePath: options.encrypted ? paths.encrypted : paths.plain });
}

/** host:port of the run's dev server. */
export function devServerAddress(): string {
  return inject('temporalAddress');
}

export interface DevServerConnections {
  /** For Worker.create({ connection }). */
  nativeConnection: NativeConnection;
  /** The client's connection (e.g. for createPrivateNamespace). */
  connection: Connection;
  client: Client;
  close(): Promise<void>;
}

/** A client and a worker connection to the run's dev server; close them in afterAll. */
export async function connectDevServer(): Promise<DevServerConnections> {
  installTestRuntime();
  const address = devServerAddress();
  const [nativeConnection, connection] = await Promise.all([NativeConnection.connect({ address }), Connection.connect({ address })]);
  return {
    nativeConnection,
    connection,
    client: new Client({ connection }),
    close: async () => {
      await connection.close();
      await nativeConnection.close();
    },
  };
}

const INDEXED_TYPES: Partial<Record<SearchAttributeType, temporal.api.enums.v1.IndexedValueType>> = {
  [SearchAttributeType.KEYWORD]: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  [SearchAttributeType.INT]: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_INT,
  [SearchAttributeType.DATETIME]: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
};

/**
 * A namespace of this test file's own on the run's server, with CaseClock's search attributes,
 * for tests that must use the production task queue (the command line, worker/main.ts): test
 * files run in parallel, and two workers with different throwaway keys on one queue would take
 * each other's cases. Usable at once (the server reads a new namespace through its cache).
 */
export async function createPrivateNamespace(connection: Connection, prefix = 'caseclock-test'): Promise<string> {
  const namespace = uniqueName(prefix);
  await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('1 day') });
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(CASECLOCK_SEARCH_ATTRIBUTES.map((a) => [a.name, INDEXED_TYPES[a.type]!])),
  });
  return namespace;
}

/**
 * A name no other test uses, for a task queue or a workflow id:
 * `uniqueName('case')` → `case-<uuid>`. Call it inside each test, not at file level.
 */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID()}`;
}

/**
 * A test file's teardown: terminates its workflows that are still running (one already ended is
 * left as it is), then stops its worker and waits for the run to end. Either may be missing when
 * the set-up failed part-way.
 */
export async function endTestWorkflows(client: Client | undefined, workflowIds: Iterable<string>, worker?: { worker: Worker | undefined; run: Promise<void> | undefined }): Promise<void> {
  for (const id of workflowIds)
    await client?.workflow
      .getHandle(id)
      .terminate('test finished')
      .catch(() => undefined);
  if (worker?.worker) {
    worker.worker.shutdown();
    await worker.run;
  }
}

/** Whether a workflow with this id was ever started (a refused start must leave none). */
export function workflowExists(client: Client, workflowId: string): Promise<boolean> {
  return client.workflow
    .getHandle(workflowId)
    .describe()
    .then(
      () => true,
      (err: unknown) => {
        if (err instanceof WorkflowNotFoundError) return false;
        throw err;
      },
    );
}
