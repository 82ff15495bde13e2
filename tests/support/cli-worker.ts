/**
 * For tests of the `caseclock` command line, which opens cases on the production task queue and
 * cannot be pointed at another: a worker on that queue, on the run's dev server in a namespace of
 * the test file's own (pass `namespace` to the command line as TEMPORAL_NAMESPACE), as production
 * runs it (payloads encrypted with a throwaway key, failures through the failure converter), with
 * its email activities sending to a real in-process SMTP server.
 */
import { randomBytes } from 'node:crypto';
import { caseActivities } from './case-record';
import { caseActivitiesWith } from './script-store';
import type { CaseRecordStore } from '../../store/case-record-store';
import { Client, type Connection } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { parseConfig } from '../../common/config';
import { dataConverter } from '../../common/temporal';
import { TASK_QUEUE } from '../../workflows/messages';
import { startMailbox, type Mailbox } from './mailbox';
import { bundleCaseWorkflows, connectDevServer, createPrivateNamespace } from './temporal-env';

export type EncryptionEnv = {
  CASECLOCK_ENCRYPTION_KEYS: string;
  CASECLOCK_ENCRYPTION_KEY_ID: string;
};

/** Case data is encrypted in production: the command line and the worker share this throwaway key. */
export function throwawayEncryptionEnv(): EncryptionEnv {
  return { CASECLOCK_ENCRYPTION_KEYS: `test:${randomBytes(32).toString('base64')}`, CASECLOCK_ENCRYPTION_KEY_ID: 'test' };
}

export interface CliWorker {
  /** The file's own namespace: TEMPORAL_NAMESPACE for the command line. */
  namespace: string;
  /** A client with the same key: reads what the command line wrote. */
  client: Client;
  mailbox: Mailbox;
  close(): Promise<void>;
}

async function terminateRunning(connection: Connection, namespace: string): Promise<void> {
  const client = new Client({ connection, namespace });
  const running = client.workflow.list({ query: `TaskQueue = '${TASK_QUEUE}' AND ExecutionStatus = 'Running'` });
  for await (const execution of running) {
    await client.workflow
      .getHandle(execution.workflowId, execution.runId)
      .terminate('test file finished')
      .catch(() => undefined);
  }
}

/** `store`: where the worker's cases write their record and summaries (default: the run's store). */
export async function startCliWorker(encryptionEnv: EncryptionEnv, options: { store?: CaseRecordStore } = {}): Promise<CliWorker> {
  const converter = dataConverter(parseConfig(encryptionEnv));
  const [temporal, mailbox, bundle] = await Promise.all([connectDevServer(), startMailbox(), bundleCaseWorkflows({ encrypted: true })]);
  const namespace = await createPrivateNamespace(temporal.connection, 'caseclock-cli');
  const worker = await Worker.create({
    connection: temporal.nativeConnection,
    namespace,
    taskQueue: TASK_QUEUE,
    workflowBundle: bundle,
    dataConverter: converter,
    activities: options.store ? caseActivitiesWith(mailbox, options.store) : caseActivities(mailbox),
  });
  const running = worker.run();
  return {
    namespace,
    client: new Client({ connection: temporal.client.connection, namespace, dataConverter: converter }),
    mailbox,
    async close() {
      // Cases left open would keep timers firing on the server for the rest of the run: end them with this file.
      await terminateRunning(temporal.connection, namespace);
      worker.shutdown();
      await running;
      await temporal.close();
      await mailbox.close();
    },
  };
}
