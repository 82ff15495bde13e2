/**
 * A case under test: the Java time-skipping server, a worker with the real email activities,
 * and a real SMTP server in-process. Time moves only when a test says so (`advance`), because
 * cases are driven through updates, and the test server skips time by itself only while a client
 * waits for a workflow result.
 */
import type { WorkflowBundlePath } from '@temporalio/worker';
import { caseActivities } from '../support/case-record';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { SearchAttributeType } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { Duration as LuxonDuration } from 'luxon';
import { CASECLOCK_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import { caseState, caseTimeline, openCase, recordEvent, reportIncident, recordIncidentEvent } from '../../common/cases';
import { loadDefaultSnapshot } from '../../domain/policy-loader';
import type { PolicySnapshot } from '../../domain/policy';
import type { CaseEvent } from '../../domain/facts';
import type { RiskTier } from '../../domain/kinds';
import { caseWorkflowId, incidentWorkflowId, TASK_QUEUE, type CaseContacts } from '../../workflows/messages';
import { startMailbox, type Mailbox } from '../support/mailbox';
import { bundleCaseWorkflows, createTimeSkippingEnv, uniqueName } from '../support/temporal-env';

let runtimeInstalled = false;
function quietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  Runtime.install({ logger: new DefaultLogger('WARN') });
}

export const CONTACTS: CaseContacts = {
  'allocated-worker': { name: 'Sam Worker', email: 'worker@council.test' },
  'team-manager': { name: 'Tess Manager', email: 'manager@council.test' },
  'head-of-service': { name: 'Hal Head', email: 'head@council.test' },
  'deputy-lead': { name: 'Dee Lead', email: 'deputy@council.test' },
  iro: { name: 'Ira Officer', email: 'iro@council.test' },
};

export interface Harness {
  env: TestWorkflowEnvironment;
  mailbox: Mailbox;
  bundle: WorkflowBundlePath;
  policy: PolicySnapshot;
  /** Task queue of the worker that runs for the whole file. */
  taskQueue: string;
  close(): Promise<void>;
}

/** The workflow bundle, built once per test file however many harnesses it starts. */
let bundling: Promise<WorkflowBundlePath> | undefined;

export async function startHarness(): Promise<Harness> {
  quietRuntime();
  bundling ??= bundleCaseWorkflows();
  const [env, mailbox, bundle] = await Promise.all([createTimeSkippingEnv(), startMailbox(), bundling]);
  await registerSearchAttributes(env);
  // One worker for the whole file: a case whose timer fires always has a worker to run it, so
  // the test server never waits on a workflow task nobody will pick up.
  const partial = { env, mailbox, bundle, policy: loadDefaultSnapshot(), taskQueue: uniqueName('q') };
  const worker = await newWorker(partial as Harness, partial.taskQueue);
  const running = worker.run();
  return {
    ...partial,
    async close() {
      worker.shutdown();
      await running;
      await Promise.all([env.teardown(), mailbox.close()]);
    },
  };
}

interface Describable {
  describe(): Promise<{ historyLength: number; raw: { pendingActivities?: unknown[] | null; pendingWorkflowTask?: unknown } }>;
  fetchHistory?(): Promise<{ events?: Array<{ eventType?: number | null }> | null }>;
}

/**
 * Whether the history's last workflow task is still open (scheduled or started, not completed).
 * The time-skipping test server does not always report a task in flight, and a long task adds no
 * event while it runs.
 */
async function workflowTaskOpen(handle: Describable): Promise<boolean> {
  if (!handle.fetchHistory) return false;
  const { EventType } = temporal.api.enums.v1;
  const events = (await handle.fetchHistory()).events ?? [];
  for (let i = events.length - 1; i >= 0; i--) {
    const type = events[i]!.eventType;
    if (type === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) return false;
    if (type === EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED || type === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED) return true;
  }
  return false;
}

/**
 * Waits (in real time) until a workflow has caught up with the timers that fired: no workflow
 * task or activity pending, its history no longer growing, and its last workflow task completed.
 * Checking activities alone races the workflow task that starts them.
 */
export async function settleWorkflow(handle: Describable): Promise<void> {
  let last = -1;
  for (let i = 0; i < 600; i++) {
    const desc = await handle.describe();
    const busy = (desc.raw.pendingActivities ?? []).length > 0 || Boolean(desc.raw.pendingWorkflowTask);
    if (!busy && desc.historyLength === last && !(await workflowTaskOpen(handle))) return;
    last = busy ? -1 : desc.historyLength;
    await new Promise((r) => setTimeout(r, 60));
  }
  throw new Error('the workflow did not settle');
}

/**
 * Waits (in real time, at most about 3 s) while a send is on its first try, before a test records
 * the next event. The time-skipping test server refuses a workflow task that cancels an activity
 * which completed while the task ran (the real server accepts it and the case goes on), and the
 * case then never runs again: an event that meets an obligation while its message is being sent
 * withdraws that send. A send retrying after a failure is not waited for (tests of a mail server
 * that is down record while it retries).
 */
export async function firstTriesDone(handle: Describable): Promise<void> {
  for (let i = 0; i < 60; i++) {
    const pending = ((await handle.describe()).raw.pendingActivities ?? []) as { attempt?: number | null; lastFailure?: unknown }[];
    if (!pending.some((a) => (a.attempt ?? 1) <= 1 && !a.lastFailure)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Waits (in real time) for a closed case's workflow to complete. Not `handle.result()`: awaiting
 * a result lets the time-skipping server race its clock ahead for every other open workflow.
 */
export async function waitUntilClosed(handle: { describe(): Promise<{ status: { name: string } }> }): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if ((await handle.describe()).status.name === 'COMPLETED') return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the closed case did not complete');
}

/** The test server knows no custom search attributes until told (the dev server gets flags). */
async function registerSearchAttributes(env: TestWorkflowEnvironment): Promise<void> {
  const types: Record<string, number> = {
    [SearchAttributeType.KEYWORD]: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
    [SearchAttributeType.INT]: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_INT,
    [SearchAttributeType.DATETIME]: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  };
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(CASECLOCK_SEARCH_ATTRIBUTES.map((a) => [a.name, types[a.type]!])),
  });
}

/** A worker on a fresh task queue for one test; the case id is unique too. */
export async function newWorker(h: Pick<Harness, 'env' | 'bundle' | 'mailbox'>, taskQueue = uniqueName('q')): Promise<Worker> {
  return Worker.create({
    connection: h.env.nativeConnection,
    taskQueue,
    workflowBundle: h.bundle,
    activities: caseActivities(h.mailbox, { consoleUrl: 'https://caseclock.test' }),
  });
}

export const iso = (ms: number) => new Date(ms).toISOString();
export const ms = (isoDuration: string) => LuxonDuration.fromISO(isoDuration).as('milliseconds');

/**
 * One case in a test: opened at the test server's current time, driven through the same client
 * functions as the console.
 */
export class CaseUnderTest {
  readonly caseId = uniqueName('WCF');
  private constructor(
    readonly h: Harness,
    readonly taskQueue: string,
  ) {}

  static async open(h: Harness, options: { tier?: RiskTier; policy?: PolicySnapshot; historyLimit?: number; contacts?: CaseContacts; taskQueue?: string } = {}): Promise<CaseUnderTest> {
    const taskQueue = options.taskQueue ?? h.taskQueue;
    const kase = new CaseUnderTest(h, taskQueue);
    const now = new Date(await h.env.currentTimeMs());
    await openCase(
      h.env.client,
      {
        caseId: kase.caseId,
        details: { reference: kase.caseId, team: 'LOCALITY-NORTH', contacts: options.contacts ?? CONTACTS },
        openedBy: 'admin1',
        ...(options.tier ? { initialTier: { tier: options.tier, reason: 'rated by team manager' } } : {}),
      },
      options.policy ?? h.policy,
      { now, taskQueue, ...(options.historyLimit ? { historyLimit: options.historyLimit } : {}) },
    );
    return kase;
  }

  get client() {
    return this.h.env.client;
  }

  async now(): Promise<string> {
    return iso(await this.h.env.currentTimeMs());
  }

  /** Records an event at the test server's current time (unless `at` is given); returns its `at`. */
  async record(event: Record<string, unknown> & { type: CaseEvent['type'] }): Promise<string> {
    const at = typeof event.at === 'string' ? event.at : await this.now();
    await firstTriesDone(this.client.workflow.getHandle(caseWorkflowId(this.caseId)));
    await recordEvent(this.client, this.caseId, { at, by: 'sw1', ...event });
    return at;
  }

  async state() {
    return caseState(this.client, this.caseId);
  }

  async timeline() {
    return caseTimeline(this.client, this.caseId);
  }

  /** Moves the test server's clock on and lets the worker act on the timers that fired. */
  async advance(isoDuration: string): Promise<void> {
    await this.h.env.sleep(ms(isoDuration));
    await this.settle();
  }

  /** Waits (in real time) until the workflow has nothing left to send for now. */
  async settle(): Promise<void> {
    await settleWorkflow(this.client.workflow.getHandle(caseWorkflowId(this.caseId)));
  }

  /** Mail for this case, in the order received. */
  mail() {
    return this.h.mailbox.messages.filter((m) => m.caseReference === this.caseId);
  }

  subjects(): string[] {
    return this.mail().map((m) => m.subject);
  }

  /**
   * Runs a test body, then closes the case through the console's own action so the workflow
   * completes by itself and its timers do not outlive the test. (Terminating a workflow mid-task
   * can leave the time-skipping server's clock locked.)
   */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } finally {
      const handle = this.client.workflow.getHandle(caseWorkflowId(this.caseId));
      const closed = await recordEvent(this.client, this.caseId, { type: 'case-closed', at: await this.now(), by: 'admin1', reason: 'test finished' })
        .then(() => true)
        .catch(() => false);
      if (closed) await waitUntilClosed(handle);
    }
  }
}

export { caseWorkflowId, incidentWorkflowId, recordIncidentEvent, reportIncident, TASK_QUEUE };
