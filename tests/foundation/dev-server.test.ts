/**
 * The real Temporal dev server from tests/support/global-setup.ts: a worker runs a workflow a
 * client started; a bad update is rejected before it reaches history; state survives a worker restart.
 */
import path from 'node:path';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleWorkflows, connectDevServer, uniqueName, type DevServerConnections } from '../support/temporal-env';
import { closeLedgerSignal, ledgerQuery, recordVisitUpdate, visitLedger, type VisitInput } from './proof-workflows';

/** History event attributes that any update leaves behind. */
const UPDATE_EVENT_ATTRIBUTES = [
  'workflowExecutionUpdateAdmittedEventAttributes',
  'workflowExecutionUpdateAcceptedEventAttributes',
  'workflowExecutionUpdateRejectedEventAttributes',
  'workflowExecutionUpdateCompletedEventAttributes',
] as const;

let workflowBundle: WorkflowBundleWithSourceMap;
let temporal: DevServerConnections;

beforeAll(async () => {
  [workflowBundle, temporal] = await Promise.all([bundleWorkflows(path.resolve(__dirname, 'proof-workflows.ts')), connectDevServer()]);
});

afterAll(async () => {
  await temporal?.close();
});

function startWorker(taskQueue: string): Promise<Worker> {
  return Worker.create({ connection: temporal.nativeConnection, taskQueue, workflowBundle });
}

/** The update events in a workflow's history, in order, by attribute name. */
async function updateEvents(workflowId: string): Promise<string[]> {
  const history = await temporal.client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).flatMap((event) => UPDATE_EVENT_ATTRIBUTES.filter((name) => event[name] != null));
}

const visit: VisitInput = { visitedAt: '2020-05-01T10:00:00Z', childSeenAlone: true };

describe('dev server', () => {
  it('runs a workflow a client started on a worker, and queries it', async () => {
    const taskQueue = uniqueName('ledger');
    const workflowId = uniqueName('ledger');
    const worker = await startWorker(taskQueue);

    const result = await worker.runUntil(async () => {
      const handle = await temporal.client.workflow.start(visitLedger, { taskQueue, workflowId });
      expect(await handle.query(ledgerQuery)).toEqual({ visits: [], closed: false });
      await handle.signal(closeLedgerSignal);
      return handle.result();
    });

    expect(result).toEqual({ visits: [], closed: true });
  });

  it('rejects an update with a bad field, naming it, and leaves no trace in history', async () => {
    const taskQueue = uniqueName('ledger');
    const workflowId = uniqueName('ledger');
    const worker = await startWorker(taskQueue);

    await worker.runUntil(async () => {
      const handle = await temporal.client.workflow.start(visitLedger, { taskQueue, workflowId });
      const bad = { visitedAt: 'last Tuesday', childSeenAlone: true };

      const rejection = await handle.executeUpdate(recordVisitUpdate, { args: [bad] }).catch((err: unknown) => err);

      expect(rejection).toBeInstanceOf(WorkflowUpdateFailedError);
      const cause = (rejection as WorkflowUpdateFailedError).cause;
      expect(cause?.message).toMatch(/^recordVisit rejected: visitedAt must be an ISO 8601 date-time/);
      expect(await handle.query(ledgerQuery)).toEqual({ visits: [], closed: false });
      expect(await updateEvents(workflowId)).toEqual([]);

      // Control: a valid update on the same workflow does reach history.
      await handle.executeUpdate(recordVisitUpdate, { args: [visit] });
      expect(await updateEvents(workflowId)).toEqual(['workflowExecutionUpdateAcceptedEventAttributes', 'workflowExecutionUpdateCompletedEventAttributes']);
      await handle.terminate('test over');
    });
  });

  it('keeps workflow state when its worker is stopped and another one starts', async () => {
    const taskQueue = uniqueName('ledger');
    const workflowId = uniqueName('ledger');

    const firstWorker = await startWorker(taskQueue);
    const accepted = await firstWorker.runUntil(async () => {
      const handle = await temporal.client.workflow.start(visitLedger, { taskQueue, workflowId });
      return handle.executeUpdate(recordVisitUpdate, { args: [visit] });
    });
    expect(accepted).toEqual({ visits: [visit], closed: false });
    // runUntil has shut the first worker down; only history holds the state now.

    const secondWorker = await startWorker(taskQueue);
    const { afterRestart, result } = await secondWorker.runUntil(async () => {
      const handle = temporal.client.workflow.getHandle<typeof visitLedger>(workflowId);
      const afterRestart = await handle.query(ledgerQuery);
      await handle.signal(closeLedgerSignal);
      return { afterRestart, result: await handle.result() };
    });

    expect(afterRestart).toEqual({ visits: [visit], closed: false });
    expect(result).toEqual({ visits: [visit], closed: true });
  });
});
