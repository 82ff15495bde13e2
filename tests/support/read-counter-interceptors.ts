/**
 * Workflow code (bundled by ./read-counter.ts, never imported by Node code): counts, through a
 * sink, every query a case or incident workflow answers and every activation it runs, so a test
 * or benchmark can tell whether a reader woke a case. A query needs the workflow loaded in a worker
 * (replayed when it is not cached); a read from the store needs neither.
 */
import { proxySinks, type Sinks, type WorkflowInterceptorsFactory } from '@temporalio/workflow';

export interface ReadCounterSinks extends Sinks {
  readCounter: {
    /** A query answered: its name and the workflow that answered. */
    query(name: string): void;
    /** An activation run (a workflow task, or a query, given to the workflow's code). */
    activation(): void;
  };
}

const { readCounter } = proxySinks<ReadCounterSinks>();

export const interceptors: WorkflowInterceptorsFactory = () => ({
  inbound: [
    {
      handleQuery(input, next) {
        readCounter.query(input.queryName);
        return next(input);
      },
    },
  ],
  internals: [
    {
      activate(input, next) {
        readCounter.activation();
        next(input);
      },
    },
  ],
});
