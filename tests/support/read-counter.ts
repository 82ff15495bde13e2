/**
 * Whether a reader woke a case: the case workflows bundled with ./read-counter-interceptors.ts, and
 * the sinks that count, in this process, each query a case answered and each activation it ran on a
 * worker given them. For the test that no read path queries a workflow and for bench:read; plain
 * Node, no vitest here.
 */
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger, type InjectedSinks, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { caseBundleOptions } from '../../worker/workflow-bundle';
import type { ReadCounterSinks } from './read-counter-interceptors';

/** The case and incident workflows as the worker runs them, with the counting interceptors in. */
export function bundleCountingCaseWorkflows(): Promise<WorkflowBundleWithSourceMap> {
  const interceptors = path.resolve(__dirname, `read-counter-interceptors${path.extname(__filename)}`);
  return bundleWorkflowCode(caseBundleOptions({ workflowInterceptorModules: [interceptors], logger: new DefaultLogger('WARN') }));
}

export interface CountedQuery {
  workflowId: string;
  name: string;
}

/** What the workers given `sinks` saw since the last reset. */
export class ReadCounter {
  queries: CountedQuery[] = [];
  /** Activations per workflow id, replays included (a query to an evicted case replays it first). */
  activations = new Map<string, number>();

  readonly sinks: InjectedSinks<ReadCounterSinks> = {
    readCounter: {
      query: { fn: (info, name) => void this.queries.push({ workflowId: info.workflowId, name }), callDuringReplay: true },
      activation: { fn: (info) => void this.activations.set(info.workflowId, (this.activations.get(info.workflowId) ?? 0) + 1), callDuringReplay: true },
    },
  };

  reset(): void {
    this.queries = [];
    this.activations = new Map();
  }

  /** Activations of these workflows (all when omitted). */
  activationsOf(workflowIds?: readonly string[]): number {
    let n = 0;
    for (const [id, count] of this.activations) if (!workflowIds || workflowIds.includes(id)) n += count;
    return n;
  }
}
