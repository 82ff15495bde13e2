/**
 * How tests reach Temporal:
 * - `createTimeSkippingEnv()`: the Java time-skipping test server (wrapper built by
 *   worker/tools/ensure-tools.sh). It skips time by itself only while a client awaits a
 *   workflow result; tests that drive a workflow through updates move time with `env.sleep()`.
 * - `connectDevServer()` / `devServerAddress()`: the real dev server that
 *   tests/support/global-setup.ts started for the run (namespace "default", CaseClock search
 *   attributes registered).
 * Worker and core logs are kept to warnings (TEMPORAL_TEST_LOG_LEVEL=DEBUG|INFO|... for more).
 */
import { caseBundleOptions } from '../../worker/workflow-bundle';
import { randomUUID } from 'node:crypto';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  bundleWorkflowCode,
  DefaultLogger,
  NativeConnection,
  Runtime,
  type LogLevel,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { inject } from 'vitest';
import { FAILURE_CONVERTER_PATH } from '../../common/temporal';
import { readToolsEnv } from '../../worker/tools/tools-env';

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
 * CaseClock's case and incident workflows, bundled as above. `encrypted: true` for a worker whose
 * data converter encrypts (client/temporal.ts): its failure converter moves failure messages
 * through the codec too, and the bundle must carry it.
 */
export function bundleCaseWorkflows(options: { encrypted?: boolean } = {}): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode(
    caseBundleOptions({ ...(options.encrypted ? { failureConverterPath: FAILURE_CONVERTER_PATH } : {}), logger: new DefaultLogger(testLogLevel()) }),
  );
}

/** host:port of the run's dev server. */
export function devServerAddress(): string {
  return inject('temporalAddress');
}

export interface DevServerConnections {
  /** For Worker.create({ connection }). */
  nativeConnection: NativeConnection;
  client: Client;
  close(): Promise<void>;
}

/** A client and a worker connection to the run's dev server; close them in afterAll. */
export async function connectDevServer(): Promise<DevServerConnections> {
  installTestRuntime();
  const address = devServerAddress();
  const [nativeConnection, connection] = await Promise.all([
    NativeConnection.connect({ address }),
    Connection.connect({ address }),
  ]);
  return {
    nativeConnection,
    client: new Client({ connection }),
    close: async () => {
      await connection.close();
      await nativeConnection.close();
    },
  };
}

/**
 * A name no other test uses, for a task queue or a workflow id:
 * `uniqueName('case')` → `case-<uuid>`. Call it inside each test, not at file level.
 */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID()}`;
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
