/**
 * Records the histories that tests/replay/replay.test.ts replays: realistic case and incident
 * workflows driven through the console's client functions, on the time-skipping test server, with
 * the real email activities and an in-process SMTP server. Each workflow run's history is saved as
 * JSON in tests/replay/histories/ (committed fixtures).
 *
 *   npx tsx tests/replay/record-histories.ts            # every scenario
 *   npx tsx tests/replay/record-histories.ts meetings   # only the scenarios named
 *
 * Only fictitious data goes in: staff called "Fictitious ...", addresses at example.test, case
 * references REPLAY-*, reasons that say they are test reasons. Check `git diff` before committing.
 */
import { caseBundleOptions } from '../../worker/workflow-bundle';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from '@temporalio/client';
import { SearchAttributeType } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { applyPolicy, caseState, caseTimeline, incidentState, noteOnCase, openCase, reassign, recordEvent, recordIncidentEvent, reportIncident, updateDetails } from '../../common/cases';
import { SSD_SYNC_USER, type SsdSyncResult } from '../../activities/ssd-sync';
import { caseActivitiesWith, startScriptStore } from '../support/script-store';
import type { PolicySnapshot } from '../../domain/policy';
import { loadDefaultSnapshot } from '../../domain/policy-loader';
import { localDateOf } from '../../domain/durations';
import { readToolsEnv } from '../../tools/tools-env';
import { type CaseContacts, type CaseSource, caseWorkflowId, incidentWorkflowId, writeSummaryUpdate } from '../../workflows/messages';
import { SSD_SYNC_WORKFLOW } from '../../workflows/ssd-sync';
import { CASECLOCK_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import { startMailbox, type Mailbox } from '../support/mailbox';
import { historyToJsonValue } from './history-json';
import { ReplaySsd, SSD_CASE_PREFIX, SSD_TEAM } from './replay-ssd';

export const HISTORIES_DIR = path.join(__dirname, 'histories');
const IDENTITY = 'caseclock-replay-recorder';
const TEAM = 'TEAM-REPLAY';

/** Obviously fictitious staff: no real person's name or address ever goes into a fixture. */
const STAFF: CaseContacts = {
  'allocated-worker': { name: 'Fictitious Allocated Worker', email: 'allocated.worker@example.test' },
  'team-manager': { name: 'Fictitious Team Manager', email: 'team.manager@example.test' },
  'group-manager': { name: 'Fictitious Group Manager', email: 'group.manager@example.test' },
  'head-of-service': { name: 'Fictitious Head Of Service', email: 'head.of.service@example.test' },
  'deputy-lead': { name: 'Fictitious Deputy Lead', email: 'deputy.lead@example.test' },
  iro: { name: 'Fictitious Reviewing Officer', email: 'reviewing.officer@example.test' },
};

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** What a fixture file holds: which workflow it was, and its history in Temporal's JSON format. */
export interface HistoryFixture {
  scenario: string;
  description: string;
  workflowType: 'caseWorkflow' | 'incidentWorkflow' | 'dailyDigestWorkflow' | 'ssdSyncWorkflow';
  workflowId: string;
  /** 'running': saved while the workflow was still open (as a live case would be replayed). */
  savedWhile: 'running' | 'completed' | 'continued-as-new';
  recordedWith: string;
  /** Temporal's standard history JSON (as `temporal workflow show --output json` writes it). */
  history: unknown;
}

/** The time-skipping server, one worker, a client and a mailbox for all scenarios. */
class Recorder {
  private constructor(
    readonly env: TestWorkflowEnvironment,
    readonly client: Client,
    readonly mailbox: Mailbox,
    readonly policy: PolicySnapshot,
    readonly taskQueue: string,
    readonly ssd: ReplaySsd,
    private readonly stopWorker: () => Promise<void>,
  ) {}

  static async start(): Promise<Recorder> {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
    const [env, mailbox, store, bundle] = await Promise.all([
      TestWorkflowEnvironment.createTimeSkipping({
        server: { executable: { type: 'existing-path', path: readToolsEnv().TEMPORAL_TEST_SERVER } },
      }),
      startMailbox(),
      startScriptStore(),
      bundleWorkflowCode(caseBundleOptions({ logger: new DefaultLogger('WARN') })),
    ]);
    await registerSearchAttributes(env);
    const taskQueue = 'replay-recorder';
    const client = new Client({ connection: env.connection, identity: IDENTITY });
    const policy = loadDefaultSnapshot();
    // The case system the SSD scenarios follow: the sync's real activities on a private extract.
    const ssd = await ReplaySsd.open(store.url);
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      identity: IDENTITY,
      workflowBundle: bundle,
      activities: {
        ...caseActivitiesWith(mailbox, store.store, { from: 'caseclock@example.test', consoleUrl: 'https://caseclock.example.test' }),
        ...ssd.activities(client, policy, taskQueue),
      },
    });
    const running = worker.run();
    return new Recorder(env, client, mailbox, policy, taskQueue, ssd, async () => {
      worker.shutdown();
      await running;
      await ssd.close();
      await Promise.all([env.teardown(), mailbox.close(), store.stop()]);
    });
  }

  close(): Promise<void> {
    return this.stopWorker();
  }

  async now(): Promise<string> {
    return new Date(await this.env.currentTimeMs()).toISOString();
  }

  /** Waits (in real time) until the workflow has no workflow task or activity in flight. */
  async settle(workflowId: string): Promise<void> {
    const handle = this.client.workflow.getHandle(workflowId);
    let quiet = 0;
    for (let i = 0; i < 600; i++) {
      const { raw, status } = await handle.describe();
      const busy = (raw.pendingActivities ?? []).length > 0 || (status.name === 'RUNNING' && raw.pendingWorkflowTask != null);
      quiet = busy ? 0 : quiet + 1;
      if (quiet >= 3) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`${workflowId} did not settle`);
  }

  /** Moves the server's clock on and lets the worker act on every timer that fired. */
  async advance(workflowId: string, ms: number): Promise<void> {
    await this.env.sleep(ms);
    await this.settle(workflowId);
  }

  async runId(workflowId: string): Promise<string> {
    return (await this.client.workflow.getHandle(workflowId).describe()).runId;
  }

  /** Saves one run's history as a fixture. */
  async save(fixture: Omit<HistoryFixture, 'history' | 'recordedWith'>, runId?: string): Promise<void> {
    await this.settle(fixture.workflowId);
    const history = await this.client.workflow.getHandle(fixture.workflowId, runId).fetchHistory();
    const file: HistoryFixture = {
      ...fixture,
      recordedWith: `@temporalio/worker ${require('@temporalio/worker/package.json').version as string}`,
      history: historyToJsonValue(history),
    };
    mkdirSync(HISTORIES_DIR, { recursive: true });
    writeFileSync(path.join(HISTORIES_DIR, `${fixture.scenario}.json`), `${JSON.stringify(file, null, 1)}\n`);
    process.stdout.write(`saved ${fixture.scenario}: ${history.events?.length ?? 0} events (${fixture.savedWhile})\n`);
  }
}

/** One case driven like the console drives it: every event at the server's current time. */
class ReplayCase {
  readonly workflowId: string;
  constructor(
    readonly r: Recorder,
    readonly caseId: string,
  ) {
    this.workflowId = caseWorkflowId(caseId);
  }

  async open(options: { tier?: 'HIGH_IMMEDIATE' | 'PRIORITY' | 'VULNERABLE'; historyLimit?: number; contacts?: CaseContacts; team?: string; source?: CaseSource } = {}) {
    await openCase(
      this.r.client,
      {
        caseId: this.caseId,
        details: { reference: this.caseId, team: options.team ?? TEAM, contacts: options.contacts ?? STAFF },
        openedBy: 'admin-test',
        ...(options.tier ? { initialTier: { tier: options.tier, reason: 'Test reason: rated by the fictitious team manager' } } : {}),
      },
      this.r.policy,
      {
        now: new Date(await this.r.env.currentTimeMs()),
        taskQueue: this.r.taskQueue,
        ...(options.historyLimit ? { historyLimit: options.historyLimit } : {}),
        ...(options.source ? { source: options.source } : {}),
      },
    );
    await this.r.settle(this.workflowId);
    return this;
  }

  async record(event: Record<string, unknown> & { type: string }): Promise<void> {
    await this.recordInFlight(event);
    await this.r.settle(this.workflowId);
  }

  /** Records an event without waiting to settle: a case with a send in retry never does. */
  async recordInFlight(event: Record<string, unknown> & { type: string }): Promise<void> {
    await recordEvent(this.r.client, this.caseId, { at: await this.r.now(), by: 'sw-test', ...event });
  }

  /** Polls (in real time) until the case's state satisfies `check`. */
  async stateUntil(check: (state: Awaited<ReturnType<typeof caseState>>) => boolean): Promise<void> {
    for (let i = 0; i < 400; i++) {
      if (check(await caseState(this.r.client, this.caseId))) return;
      await new Promise((res) => setTimeout(res, 50));
    }
    throw new Error(`${this.caseId}: the state never got there`);
  }

  advance(ms: number): Promise<void> {
    return this.r.advance(this.workflowId, ms);
  }

  async openObligation(kind: string) {
    const found = (await caseState(this.r.client, this.caseId)).open.find((o) => o.kind === kind);
    if (!found) throw new Error(`${this.caseId}: no open ${kind}`);
    return found;
  }

  async close(): Promise<void> {
    await this.record({ type: 'case-closed', by: 'admin-test', reason: 'Test reason: scenario finished' });
    await waitForCompletion(this.r, this.workflowId);
  }
}

/** KIT calls on a VULNERABLE case with historyLimit 40 until it continues as new; both runs saved. */
async function continueAsNewScenario(r: Recorder, scenario: string, caseId: string): Promise<void> {
  const c = await new ReplayCase(r, caseId).open({ tier: 'VULNERABLE', historyLimit: 40 });
  const firstRun = await r.runId(c.workflowId);
  for (let i = 0; i < 8 && (await r.runId(c.workflowId)) === firstRun; i++) {
    await c.advance(12 * DAY);
    await c.record({ type: 'contact', contactType: 'kit-call' });
  }
  const secondRun = await r.runId(c.workflowId);
  if (secondRun === firstRun) throw new Error('the case did not continue as new');
  await c.advance(13 * DAY);
  await c.record({ type: 'contact', contactType: 'visit' });
  const base = { workflowType: 'caseWorkflow' as const, workflowId: c.workflowId };
  await r.save({ ...base, scenario: `${scenario}-run-1`, description: 'VULNERABLE case with historyLimit 40: KIT calls until it continues as new', savedWhile: 'continued-as-new' }, firstRun);
  await r.save({ ...base, scenario: `${scenario}-run-2`, description: 'The same case after continue-as-new: carried facts, more KIT calls; still running', savedWhile: 'running' }, secondRun);
  await c.close();
}

/**
 * A case opened with nothing recorded (its opening checked), rated HIGH_IMMEDIATE an hour later
 * (or at opening, `ratedAtOpening`), the 24-hour visit missed (reminders, then level 1),
 * acknowledged, visited, a day on; still running. Recorded with the code of the day: `lean-loop`
 * was code 1's, `recorded-sends` code 2's, `opening-in-task` code 3's.
 */
async function visitMissedScenario(r: Recorder, scenario: string, caseId: string, description: string, options: { ratedAtOpening?: boolean } = {}): Promise<void> {
  const c = await new ReplayCase(r, caseId).open(options.ratedAtOpening ? { tier: 'HIGH_IMMEDIATE' } : {});
  await checkOpening(r, c.workflowId);
  await r.settle(c.workflowId);
  if (!options.ratedAtOpening) {
    await c.advance(HOUR);
    await c.record({ type: 'tier-set', tier: 'HIGH_IMMEDIATE', reason: 'Test reason: rated High/Immediate' });
  }
  const visit = await c.openObligation('initial-visit-high');
  await c.advance(Date.parse(visit.dueAt) - (await r.env.currentTimeMs()) + 60_000); // reminders, then level 1
  await r.mailbox.waitFor(() => r.mailbox.messages.some((m) => m.caseReference === c.caseId && m.caseMessageId.includes('/escalation/L1/')));
  await r.settle(c.workflowId);
  await c.record({ type: 'escalation-acknowledged', by: 'tm-test', obligationId: visit.id, level: 1 });
  await c.record({ type: 'contact', contactType: 'visit', childSeenAlone: true });
  await c.advance(DAY);
  await r.save({ scenario, description, workflowType: 'caseWorkflow', workflowId: c.workflowId, savedWhile: 'running' });
  await c.close();
}

/**
 * A VULNERABLE case with KIT calls every 12 days for about four months before it first continues
 * as new, so that continue-as-new settles what is older than 90 days into a checkpoint; both runs
 * saved (the second starts from the checkpoint).
 */
async function settledStateScenario(r: Recorder, scenario: string, caseId: string): Promise<void> {
  const c = await new ReplayCase(r, caseId).open({ tier: 'VULNERABLE', historyLimit: 500 });
  const firstRun = await r.runId(c.workflowId);
  for (let i = 0; i < 20 && (await r.runId(c.workflowId)) === firstRun; i++) {
    await c.advance(12 * DAY);
    await c.record({ type: 'contact', contactType: i % 3 === 0 ? 'visit' : 'kit-call' });
  }
  const secondRun = await r.runId(c.workflowId);
  if (secondRun === firstRun) throw new Error('the case did not continue as new');
  const started = (await r.client.workflow.getHandle(c.workflowId, secondRun).fetchHistory()).events?.[0];
  const input = started?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]?.data;
  if (!input || !Buffer.from(input).toString().includes('"checkpoint"')) throw new Error('the case continued as new without settling');
  await c.advance(13 * DAY);
  await c.record({ type: 'contact', contactType: 'visit' });
  const base = { workflowType: 'caseWorkflow' as const, workflowId: c.workflowId };
  await r.save({ ...base, scenario: `${scenario}-run-1`, description: 'VULNERABLE case, KIT calls and visits for four months until it continues as new and settles', savedWhile: 'continued-as-new' }, firstRun);
  await r.save({ ...base, scenario: `${scenario}-run-2`, description: 'The same case going on from its checkpoint; still running', savedWhile: 'running' }, secondRun);
  await c.close();
}

/** A waiver, plus every other update: details changed, a role reassigned, a new policy applied. */
async function waiverAndAdminScenario(r: Recorder, scenario: string, caseId: string): Promise<void> {
  const c = await new ReplayCase(r, caseId).open({ tier: 'PRIORITY' });
  const initial = await c.openObligation('initial-visit-priority');
  await c.advance(2 * DAY);
  await c.record({ type: 'obligation-waived', by: 'tm-test', obligationId: initial.id, reason: 'Test reason: seen by another agency' });
  await updateDetails(r.client, c.caseId, { details: { reference: c.caseId, team: 'TEAM-REPLAY-2', contacts: STAFF }, by: 'admin-test' });
  await reassign(r.client, c.caseId, {
    role: 'allocated-worker',
    contact: { name: 'Fictitious Second Worker', email: 'second.worker@example.test' },
    by: 'tm-test',
  });
  const next: PolicySnapshot = { ...r.policy, version: `${r.policy.version}+replay` };
  await applyPolicy(r.client, c.caseId, { snapshot: next, mode: 'forward', by: 'admin-test' });
  await r.settle(c.workflowId);
  await c.record({ type: 'contact', contactType: 'visit' });
  await c.advance(12 * DAY);
  await r.save({
    scenario,
    description: 'PRIORITY case: initial visit waived, details updated, worker reassigned, a policy version applied, visits continue; still running',
    workflowType: 'caseWorkflow',
    workflowId: c.workflowId,
    savedWhile: 'running',
  });
  await c.close();
}

async function waitForCompletion(r: Recorder, workflowId: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if ((await r.client.workflow.getHandle(workflowId).describe()).status.name === 'COMPLETED') return;
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error(`${workflowId} did not complete`);
}

/** What the first workflow task of a run begun on today's client and code did, read back from its history. */
async function checkOpening(r: Recorder, workflowId: string): Promise<void> {
  const { EventType } = temporal.api.enums.v1;
  const handle = r.client.workflow.getHandle(workflowId);
  // The time-skipping server may not report a workflow task in flight: wait for the first to complete.
  let events = (await handle.fetchHistory()).events ?? [];
  for (let i = 0; i < 400 && !events.some((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED); i++) {
    await new Promise((res) => setTimeout(res, 50));
    events = (await handle.fetchHistory()).events ?? [];
  }
  const firstUpdate = events.findIndex((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED);
  const opening = firstUpdate < 0 ? events : events.slice(0, firstUpdate);
  // start-attributes: the client set all five, so the first task upserts none of CaseClock's (the
  // SDK's own TemporalChangeVersion upserts, one for each patch, are not the case's).
  const caseAttributeNames = new Set<string>(CASECLOCK_SEARCH_ATTRIBUTES.map((a) => a.name));
  const upserted = opening.flatMap((e) => Object.keys(e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {})).filter((name) => caseAttributeNames.has(name));
  if (upserted.length > 0) throw new Error(`${workflowId}: its first task upserted ${upserted.join(', ')}, which the client had set`);
  // The summary is written before any change is recorded (opening-summary, or the opening's own
  // entries): from OPENING_IN_TASK_CODE by a local activity in the first task, with no activity.
  const firstTask = opening.findIndex((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
  if (opening[firstTask + 1]?.markerRecordedEventAttributes?.markerName !== 'core_local_activity') throw new Error(`${workflowId}: its opening was not written in its first task`);
  if (opening.some((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'storeCaseEntries')) throw new Error(`${workflowId}: its opening was written by an activity as well`);
}

const later = async (r: Recorder, ms: number) => new Date((await r.env.currentTimeMs()) + ms).toISOString();

type Scenario = (r: Recorder) => Promise<void>;

const SCENARIOS: Record<string, Scenario> = {
  /**
   * A case on national 2026.2 (counting conventions 2): a strategy discussion that started no s47
   * enquiry, then one that did; the initial conference clock on hold and resumed (working days
   * given back); a plan; a placement with a temporarily approved connected person (weekly visits
   * until the first review, then four-weekly); a stage 3 complaint through panel, report and
   * response; then a protocol applied that switches the first review conference off for three days,
   * a core group standing in for it, and the workflow waking when the protocol ends to owe it again.
   */
  async 'conventions-2'(r) {
    if ((r.policy.conventions ?? 1) < 2) throw new Error('the default policy must follow conventions 2');
    const c = await new ReplayCase(r, 'REPLAY-CONV2-1').open({ tier: 'VULNERABLE' });
    await c.record({ type: 'strategy-discussion', s47Started: false });
    await c.advance(HOUR);
    await c.record({ type: 'strategy-discussion', s47Started: true });
    await c.record({ type: 'hold-started', holdId: 'H1', kind: 'icpc', reason: 'Test reason: the fictitious family is away' });
    await c.advance(3 * DAY);
    await c.record({ type: 'hold-ended', holdId: 'H1' });
    await c.record({ type: 'meeting-held', meetingType: 'icpc', outcome: 'cp-plan' });
    await c.record({ type: 'looked-after-started' });
    await c.record({ type: 'placement-started', placementId: 'P1', placementType: 'connected-person-temporary' });
    await c.advance(5 * DAY);
    await c.record({ type: 'contact', contactType: 'visit' });
    await c.record({ type: 'meeting-held', meetingType: 'cic-review' });
    await c.openObligation('cic-visit-four-weekly');
    await c.record({ type: 'complaint-received', complaintId: 'C3', stage: 3 });
    await c.advance(10 * DAY);
    await c.record({ type: 'complaint-panel-held', complaintId: 'C3' });
    await c.record({ type: 'complaint-panel-reported', complaintId: 'C3' });
    await c.record({ type: 'complaint-responded', complaintId: 'C3', stage: 3 });
    const now = await r.now();
    const protocol: PolicySnapshot = {
      ...r.policy,
      version: `${r.policy.version}+replay-protocol`,
      overlays: [
        ...r.policy.overlays,
        {
          id: 'replay-protocol',
          name: 'Test protocol that ends',
          basis: { type: 'local-protocol', reference: 'Test protocol: first review conferences replaced by core groups for three days' },
          startDate: localDateOf(now),
          endDate: localDateOf(await later(r, 3 * DAY)),
          rules: { 'first-review-conference': { enabled: false, standIn: 'core-group' } },
        },
      ],
    };
    await applyPolicy(r.client, c.caseId, { snapshot: protocol, mode: 'forward', by: 'admin-test' });
    await r.settle(c.workflowId);
    await c.record({ type: 'meeting-held', meetingType: 'core-group' });
    await c.advance(5 * DAY);
    await c.stateUntil((state) => state.open.some((o) => o.kind === 'first-review-conference' && o.id.split('@').length === 3));
    await r.save({
      scenario: 'conventions-2',
      description:
        'national 2026.2 (conventions 2): s47 anchor, a hold on a working-day clock, a regulation 24 placement through its first review, a stage 3 complaint, and a protocol that ends, owing the first review conference again; still running',
      workflowType: 'caseWorkflow',
      workflowId: c.workflowId,
      savedWhile: 'running',
    });
    await c.close();
  },

  /** HIGH_IMMEDIATE: both reminders, level 1 and level 2 escalations, both acknowledged, then the visit; closed. */
  async 'high-immediate-missed-escalated'(r) {
    const c = await new ReplayCase(r, 'REPLAY-HIGH-1').open({ tier: 'HIGH_IMMEDIATE' });
    const visit = await c.openObligation('initial-visit-high');
    await c.advance(13 * HOUR); // reminder 12 h before
    await c.advance(10 * HOUR); // reminder 2 h before
    await c.advance(1 * HOUR + 60_000); // level 1 to the team manager
    await c.record({ type: 'escalation-acknowledged', by: 'tm-test', obligationId: visit.id, level: 1 });
    await c.advance(12 * HOUR); // level 2 to the head of service
    await c.advance(24 * HOUR); // level 2 repeated
    await c.record({ type: 'escalation-acknowledged', by: 'hos-test', obligationId: visit.id, level: 2 });
    await c.advance(24 * HOUR); // nothing more: acknowledged
    await c.record({ type: 'contact', contactType: 'visit', childSeenAlone: true });
    await c.advance(2 * DAY);
    await c.close();
    await r.save({
      scenario: 'high-immediate-missed-escalated',
      description: 'HIGH_IMMEDIATE case: 24-hour visit missed, reminders, levels 1 and 2 escalated and acknowledged, visit recorded, case closed',
      workflowType: 'caseWorkflow',
      workflowId: c.workflowId,
      savedWhile: 'completed',
    });
  },

  /**
   * A case brought in by `caseclock import`: opened as of its earliest recorded date, with the
   * council's recorded tier, visit, call, plan, core group and next conference as its first events;
   * the visit already overdue (level 1 at once), then visited; still open.
   */
  async 'imported-case'(r) {
    const now = Date.parse(await r.now());
    const ago = (days: number) => new Date(now - days * DAY).toISOString();
    const c = new ReplayCase(r, 'REPLAY-IMPORTED-1');
    await openCase(
      r.client,
      {
        caseId: c.caseId,
        details: { reference: c.caseId, team: TEAM, contacts: STAFF },
        openedBy: 'admin-test',
        openedAt: ago(60),
        recorded: [
          { type: 'tier-set', at: ago(40), by: 'tm-test', tier: 'PRIORITY', reason: 'Test reason: rated in the fictitious council system' },
          { type: 'meeting-held', at: ago(50), by: 'admin-test', meetingType: 'icpc', outcome: 'cp-plan' },
          { type: 'meeting-held', at: ago(30), by: 'admin-test', meetingType: 'core-group' },
          { type: 'contact', at: ago(20), by: 'admin-test', contactType: 'visit' },
          { type: 'contact', at: ago(3), by: 'admin-test', contactType: 'kit-call' },
          { type: 'meeting-scheduled', at: ago(0), by: 'admin-test', meetingId: 'CONF-IMPORTED', meetingType: 'review-conference', scheduledFor: new Date(now + 30 * DAY).toISOString() },
        ],
      },
      r.policy,
      { now: new Date(now), taskQueue: r.taskQueue },
    );
    await r.settle(c.workflowId);
    await c.advance(HOUR);
    await c.record({ type: 'contact', contactType: 'visit' });
    await c.advance(DAY);
    await r.save({
      scenario: 'imported-case',
      description: 'A case opened by the import with its recorded past (tier, plan, core group, visit, call, next conference): the visit overdue on arrival (level 1), then made; still running',
      workflowType: 'caseWorkflow',
      workflowId: c.workflowId,
      savedWhile: 'running',
    });
    await c.close();
  },

  /** PRIORITY: rated after opening, initial visit on time, a fortnightly visit late (level 1); still open. */
  async 'priority-visits'(r) {
    const c = await new ReplayCase(r, 'REPLAY-PRIORITY-1').open();
    await c.record({ type: 'tier-set', tier: 'PRIORITY', reason: 'Test reason: rated Priority' });
    await c.advance(12 * DAY); // reminder 3 days before the initial visit
    await c.record({ type: 'contact', contactType: 'visit', childSeenAlone: false });
    await c.advance(13 * DAY + HOUR); // both reminders for the fortnightly visit
    await c.record({ type: 'contact', contactType: 'kit-call' });
    await c.advance(2 * DAY); // the fortnightly visit is missed: level 1
    await c.record({ type: 'contact', contactType: 'visit' });
    await c.advance(DAY);
    await r.save({
      scenario: 'priority-visits',
      description: 'PRIORITY case rated after opening: initial visit on time, next visit missed (level 1) then made; still running',
      workflowType: 'caseWorkflow',
      workflowId: c.workflowId,
      savedWhile: 'running',
    });
    await c.close();
  },

  /** Strategy discussion, ICPC scheduled, postponed (notices), pre-meeting, report, held with a plan; core groups. */
  async meetings(r) {
    const c = await new ReplayCase(r, 'REPLAY-MEETINGS-1').open();
    await c.record({ type: 'strategy-discussion' });
    await c.record({ type: 'meeting-scheduled', meetingId: 'ICPC-1', meetingType: 'icpc', scheduledFor: await later(r, 10 * DAY) });
    await c.advance(3 * DAY);
    await c.record({
      type: 'meeting-postponed',
      meetingId: 'ICPC-1',
      newDate: await later(r, 12 * DAY),
      reason: 'Test reason: fictitious chair unavailable',
    });
    await c.advance(7 * DAY);
    await c.record({ type: 'pre-meeting-held', meetingId: 'ICPC-1' });
    await c.record({ type: 'report-submitted', reportType: 'conference-report', meetingId: 'ICPC-1' });
    await c.advance(5 * DAY);
    await c.record({ type: 'meeting-held', meetingId: 'ICPC-1', meetingType: 'icpc', outcome: 'cp-plan' });
    await c.record({ type: 'meeting-scheduled', meetingId: 'CG-1', meetingType: 'core-group', scheduledFor: await later(r, 7 * DAY) });
    await c.advance(2 * DAY);
    await c.record({ type: 'meeting-cancelled', meetingId: 'CG-1', reason: 'Test reason: fictitious venue closed' });
    await c.record({ type: 'meeting-scheduled', meetingId: 'CG-2', meetingType: 'core-group', scheduledFor: await later(r, 6 * DAY) });
    await c.advance(6 * DAY + HOUR);
    await c.record({ type: 'meeting-held', meetingId: 'CG-2', meetingType: 'core-group' });
    await c.advance(DAY);
    await r.save({
      scenario: 'meetings',
      description: 'Conference scheduled, postponed (notices to deputy lead and head of service), pre-meeting, report, held with a plan; core group cancelled, another held; still running',
      workflowType: 'caseWorkflow',
      workflowId: c.workflowId,
      savedWhile: 'running',
    });
    await c.close();
  },

  /** VULNERABLE: a KIT-call hold and an all-clocks hold, each started and ended. */
  async 'hold-and-resume'(r) {
    const c = await new ReplayCase(r, 'REPLAY-HOLD-1').open({ tier: 'VULNERABLE' });
    await c.advance(5 * DAY);
    await c.record({ type: 'contact', contactType: 'kit-call' });
    await c.record({ type: 'hold-started', holdId: 'HOLD-1', kind: 'kit-call', reason: 'Test reason: fictitious family away' });
    await c.advance(20 * DAY);
    await c.record({ type: 'hold-ended', holdId: 'HOLD-1' });
    await c.advance(12 * DAY);
    await c.record({ type: 'hold-started', holdId: 'HOLD-2', reason: 'Test reason: all clocks paused' });
    await c.advance(3 * DAY);
    await c.record({ type: 'hold-ended', holdId: 'HOLD-2' });
    await c.advance(DAY);
    await c.record({ type: 'contact', contactType: 'kit-call' });
    await c.advance(DAY);
    await r.save({
      scenario: 'hold-and-resume',
      description: 'VULNERABLE case: KIT-call clock on hold and resumed, then every clock on hold and resumed; still running',
      workflowType: 'caseWorkflow',
      workflowId: c.workflowId,
      savedWhile: 'running',
    });
    await c.close();
  },

  /** A waiver, plus every other update: details changed, a role reassigned, a new policy applied. */
  'waiver-and-admin': (r) => waiverAndAdminScenario(r, 'waiver-and-admin', 'REPLAY-WAIVER-1'),

  /** The same, recorded after updates began to answer small (`small-update-answer` patch). */
  'small-answer-admin': (r) => waiverAndAdminScenario(r, 'small-answer-admin', 'REPLAY-WAIVER-2'),

  /** Escalations that cannot go: the team manager's address is refused (550), no head of service is assigned. */
  async undeliverable(r) {
    const refused = 'refused.manager@example.test';
    const contacts: CaseContacts = {
      'allocated-worker': STAFF['allocated-worker']!,
      'team-manager': { name: 'Fictitious Refused Manager', email: refused },
    };
    r.mailbox.refuse.add(refused);
    const c = await new ReplayCase(r, 'REPLAY-UNDELIVERABLE-1').open({ tier: 'HIGH_IMMEDIATE', contacts });
    await c.advance(24 * HOUR + 60_000); // level 1: refused for good
    await c.advance(12 * HOUR); // level 2: nobody to send it to
    await r.save({
      scenario: 'undeliverable',
      description: 'HIGH_IMMEDIATE case whose level 1 escalation is refused by the mail server (550) and level 2 has nobody assigned; still running',
      workflowType: 'caseWorkflow',
      workflowId: c.workflowId,
      savedWhile: 'running',
    });
    await c.close();
  },

  /** historyLimit small: the case continues as new; both runs are saved (cases from before INDEPENDENT_SENDS_PATCH). */
  'continue-as-new': (r) => continueAsNewScenario(r, 'continue-as-new', 'REPLAY-CAN-1'),

  /** The same on the loop that sends each message on its own: continue-as-new waits for sends to end. */
  'independent-sends-continue-as-new': (r) => continueAsNewScenario(r, 'independent-sends-continue-as-new', 'REPLAY-SENDS-CAN-1'),

  /**
   * The same with the case record written to the store (CASE_RECORD_STORE_PATCH): each change's
   * entries written by an activity, continue-as-new waiting for writes, the store's marks carried.
   */
  'case-record-store-continue-as-new': (r) => continueAsNewScenario(r, 'case-record-store-continue-as-new', 'REPLAY-STORE-CAN-1'),

  /**
   * A case opened by today's client with today's code (CASE_CODE, so it asks no patch): its summary
   * written at opening; rated HIGH_IMMEDIATE, reminders, the visit missed and
   * level 1 sent, the overdue outcome's write held until the escalation's delivery goes with it
   * (LEAN_LOOP_PATCH); acknowledged, visited; one timer kept across the loop's turns; still running.
   */
  'lean-loop': (r) =>
    visitMissedScenario(
      r,
      'lean-loop',
      'REPLAY-LEAN-1',
      "Case opened with today's code (no patch asked): summary written at opening, rated HIGH_IMMEDIATE, reminders, level 1 sent with the overdue outcome written alongside its delivery, acknowledged, visited; still running",
    ),

  /** The lean loop across continue-as-new: the next run carries CASE_CODE and asks no patch either. */
  'lean-loop-continue-as-new': (r) => continueAsNewScenario(r, 'lean-loop-continue-as-new', 'REPLAY-LEAN-CAN-1'),

  /**
   * The same path with recorded sends (RECORDED_SENDS_PATCH, taken by code 2 without asking): each
   * reminder and level 1 write their delivery, with the overdue outcome that waited, the summary
   * included, in the send's own activity; no write follows a send. Acknowledged, visited; still running.
   */
  'recorded-sends': (r) =>
    visitMissedScenario(
      r,
      'recorded-sends',
      'REPLAY-RECORDED-1',
      'Case opened with code 2 (recorded sends, no patch asked): rated HIGH_IMMEDIATE, reminders and level 1 each written by its own send with the overdue outcome and the summary, acknowledged, visited; still running',
    ),

  /**
   * A case opened rated HIGH_IMMEDIATE with code 3 (OPENING_IN_TASK_CODE): its tier, the 24-hour
   * visit it starts and its summary written by a local activity in its first task, no write
   * activity; reminders and level 1 each by a recorded send, acknowledged, visited; still running.
   */
  'opening-in-task': (r) =>
    visitMissedScenario(
      r,
      'opening-in-task',
      'REPLAY-OPENING-1',
      'Case opened rated HIGH_IMMEDIATE with code 3: its opening (tier, the visit it starts, its summary) written in its first task by a local activity; reminders and level 1 by recorded sends, acknowledged, visited; still running',
      { ratedAtOpening: true },
    ),

  /** Recorded sends across continue-as-new: the next run carries code 2. */
  'recorded-sends-continue-as-new': (r) => continueAsNewScenario(r, 'recorded-sends-continue-as-new', 'REPLAY-RECORDED-CAN-1'),

  /** Continue-as-new that settles what is older than 90 days into a checkpoint (SETTLED_STATE_PATCH). */
  'settled-state': (r) => settledStateScenario(r, 'settled-state', 'REPLAY-SETTLED-1'),

  /**
   * A case opened with no tier and nothing recorded: the client sets its search attributes at the
   * start (start-attributes), so its first task upserts none, and it writes its summary at once with
   * no entry (opening-summary). Rated HIGH_IMMEDIATE an hour later; an operator's `writeSummary` (as
   * `caseclock summaries backfill` sends it) writes the summary alone; the initial visit is missed
   * (reminders, level 1), then made; still running.
   */
  async 'summary-opening'(r) {
    const c = await new ReplayCase(r, 'REPLAY-SUMMARY-1').open();
    await checkOpening(r, c.workflowId);
    await r.settle(c.workflowId);
    await c.advance(HOUR);
    await c.record({ type: 'tier-set', tier: 'HIGH_IMMEDIATE', reason: 'Test reason: rated High/Immediate' });
    await r.client.workflow.getHandle(c.workflowId).executeUpdate(writeSummaryUpdate, { args: [{ by: 'admin-test' }] });
    await r.settle(c.workflowId);
    const visit = await c.openObligation('initial-visit-high');
    await c.advance(Date.parse(visit.dueAt) - (await r.env.currentTimeMs()) + 60_000); // reminders, then level 1
    await r.mailbox.waitFor(() => r.mailbox.messages.some((m) => m.caseReference === c.caseId && m.caseMessageId.includes('/escalation/L1/')));
    await c.record({ type: 'contact', contactType: 'visit', childSeenAlone: true });
    await c.advance(DAY);
    await r.save({
      scenario: 'summary-opening',
      description:
        'A case opened with no tier and nothing recorded (search attributes set by the client, the summary written at once with no entry), rated HIGH_IMMEDIATE later, a writeSummary update, the initial visit missed (reminders, level 1) then made; still running',
      workflowType: 'caseWorkflow',
      workflowId: c.workflowId,
      savedWhile: 'running',
    });
    await c.close();
  },

  /**
   * Each message on its own: the worker's address deferred (451), so the 2-hour reminder is in
   * retry; meanwhile a conference is postponed (notices go at once) and the deadline passes
   * (level 1 goes to the team manager at once); the visit then withdraws the reminder.
   */
  async 'independent-sends-outage'(r) {
    const deferred = STAFF['allocated-worker']!.email;
    try {
      const c = await new ReplayCase(r, 'REPLAY-SENDS-1').open({ tier: 'HIGH_IMMEDIATE' });
      const mailOf = (part: string) => r.mailbox.messages.filter((m) => m.caseReference === c.caseId && m.caseMessageId.includes(part));
      await c.advance(21 * HOUR); // the 12-hour reminder is delivered
      r.mailbox.defer.add(deferred);
      await r.env.sleep(HOUR + 60_000); // the 2-hour reminder is in retry
      await c.stateUntil((s) => (s.sending ?? []).some((m) => m.type === 'reminder'));
      await c.recordInFlight({ type: 'meeting-scheduled', meetingId: 'ICPC-1', meetingType: 'icpc', scheduledFor: await later(r, 10 * DAY) });
      await c.recordInFlight({ type: 'meeting-postponed', meetingId: 'ICPC-1', newDate: await later(r, 12 * DAY), reason: 'Test reason: fictitious chair unavailable' });
      await r.mailbox.waitFor(() => mailOf('/notice/').length === 2);
      await r.env.sleep(2 * HOUR); // the deadline passes
      await r.mailbox.waitFor(() => mailOf('/escalation/L1/').length === 1);
      await c.stateUntil((s) => (s.sending ?? []).length === 1);
      await c.record({ type: 'contact', contactType: 'visit', childSeenAlone: true }); // withdraws the reminder
      r.mailbox.defer.delete(deferred);
      await c.advance(DAY);
      await r.save({
        scenario: 'independent-sends-outage',
        description: 'HIGH_IMMEDIATE case, each message sent on its own: reminder in retry (451) while a postponement notice and level 1 go; the visit withdraws the reminder; still running',
        workflowType: 'caseWorkflow',
        workflowId: c.workflowId,
        savedWhile: 'running',
      });
      await c.close();
    } finally {
      r.mailbox.defer.delete(deferred);
    }
  },

  /** A serious incident: notification reminders and level 1, notified, rapid review on time, closed. */
  async 'serious-incident'(r) {
    const incidentId = 'REPLAY-SI-1';
    const workflowId = incidentWorkflowId(incidentId);
    await reportIncident(
      r.client,
      {
        incidentId,
        linkedCaseId: 'REPLAY-HIGH-1',
        details: { reference: incidentId, team: TEAM, contacts: STAFF },
        reportedBy: 'admin-test',
        awareAt: await r.now(),
      },
      r.policy,
      { taskQueue: r.taskQueue },
    );
    await r.settle(workflowId);
    const record = async (event: Record<string, unknown> & { type: string }) => {
      await recordIncidentEvent(r.client, incidentId, { at: await r.now(), by: 'hos-test', incidentId, ...event });
      await r.settle(workflowId);
    };
    const notification = (await incidentState(r.client, incidentId)).open.find((o) => o.kind === 'serious-incident-notification');
    if (!notification) throw new Error('no notification clock');
    await r.advance(workflowId, Date.parse(notification.dueAt) - (await r.env.currentTimeMs()) + 60_000);
    await record({ type: 'incident-notified' });
    await r.advance(workflowId, 10 * DAY);
    await record({ type: 'rapid-review-completed' });
    await record({ type: 'case-closed', reason: 'Test reason: incident process complete' });
    await waitForCompletion(r, workflowId);
    await r.save({
      scenario: 'serious-incident',
      description: 'Serious incident linked to a case: notification reminders, missed (level 1), notified, rapid review completed, closed',
      workflowType: 'incidentWorkflow',
      workflowId,
      savedWhile: 'completed',
    });
  },

  /**
   * A serious incident reported on today's client: its search attributes set at the start
   * (start-attributes on the incident workflow), so its first task upserts none; notification
   * reminders, missed (level 1), notified; the rapid review still owed.
   */
  async 'incident-start-attributes'(r) {
    const incidentId = 'REPLAY-SI-2';
    const workflowId = incidentWorkflowId(incidentId);
    await reportIncident(r.client, { incidentId, details: { reference: incidentId, team: TEAM, contacts: STAFF }, reportedBy: 'admin-test', awareAt: await r.now() }, r.policy, { taskQueue: r.taskQueue });
    await r.settle(workflowId);
    await checkOpening(r, workflowId);
    const record = async (event: Record<string, unknown> & { type: string }) => {
      await recordIncidentEvent(r.client, incidentId, { at: await r.now(), by: 'hos-test', incidentId, ...event });
      await r.settle(workflowId);
    };
    const notification = (await incidentState(r.client, incidentId)).open.find((o) => o.kind === 'serious-incident-notification');
    if (!notification) throw new Error('no notification clock');
    await r.advance(workflowId, Date.parse(notification.dueAt) - (await r.env.currentTimeMs()) + 60_000);
    await record({ type: 'incident-notified' });
    await r.advance(workflowId, DAY);
    await r.save({
      scenario: 'incident-start-attributes',
      description: 'Serious incident reported with its search attributes set at the start: notification reminders, missed (level 1), notified; rapid review owed; still running',
      workflowType: 'incidentWorkflow',
      workflowId,
      savedWhile: 'running',
    });
    await record({ type: 'case-closed', reason: 'Test reason: incident process complete' });
    await waitForCompletion(r, workflowId);
  },

  /**
   * A case that follows the case system (opened with its child's person id), rated Priority. At the
   * initial visit's deadline the check before the escalation finds a visit the sync has not read
   * yet and records it through the case's `recordEvent` update under the sync's update id, so the
   * escalation is withdrawn. The fortnightly visit's escalation goes while the case system cannot
   * be read (`caseSystem` not checked); a visit dated before that deadline then arrives as the sync
   * records one, so the team manager is told it was met after all; the sync notes a correction.
   */
  async 'ssd-case-checked'(r) {
    const personId = 'RP0001';
    const c = await new ReplayCase(r, `${SSD_CASE_PREFIX}${personId}`).open({ tier: 'PRIORITY', team: SSD_TEAM, source: { system: 'ssd', personId } });
    const mailOf = (part: string) => r.mailbox.messages.filter((m) => m.caseReference === c.caseId && m.caseMessageId.includes(part));
    const initial = await c.openObligation('initial-visit-priority');
    await c.advance(13 * DAY + HOUR); // both reminders
    // Visited yesterday as the case system records it; the sync has not read it.
    r.ssd.addVisit(personId, 'RV1', (await r.env.currentTimeMs()) - DAY);
    await r.ssd.write();
    await c.advance(DAY); // the deadline: the check records the visit and the escalation is withdrawn
    await c.stateUntil((s) => !s.open.some((o) => o.id === initial.id) && (s.sending ?? []).length === 0);
    const fromSync = (await caseTimeline(r.client, c.caseId)).filter((t) => t.by === SSD_SYNC_USER && t.event?.type === 'contact');
    if (fromSync.length !== 1) throw new Error('the check did not record the visit from the case system');
    if (mailOf('/escalation/').length > 0) throw new Error('the initial visit was escalated although the case system records it');

    const fortnightly = await c.openObligation('visit-priority');
    r.ssd.hide();
    try {
      await c.advance(Date.parse(fortnightly.dueAt) - (await r.env.currentTimeMs()) + 60_000); // reminders, then level 1
      await r.mailbox.waitFor(() => mailOf('/escalation/L1/').length === 1);
    } finally {
      r.ssd.restore();
    }
    if (!mailOf('/escalation/L1/')[0]!.text.includes("The council's case system could not be checked")) throw new Error('the escalation does not say the case system could not be checked');

    // The case system records a visit dated before that deadline; the sync records it by its row's update id.
    const visitedAt = Math.floor((Date.parse(fortnightly.dueAt) - 2 * HOUR) / 1000) * 1000;
    r.ssd.addVisit(personId, 'RV2', visitedAt);
    await r.ssd.write();
    await recordEvent(
      r.client,
      c.caseId,
      { type: 'contact', at: new Date(visitedAt).toISOString(), by: SSD_SYNC_USER, contactType: 'visit', childSeenAlone: true },
      { updateId: `ssd:${c.caseId}:ssd_cin_visits:RV2/contact:replay` },
    );
    await r.mailbox.waitFor(() => mailOf('/met-after-all/').length === 1);
    await noteOnCase(r.client, c.caseId, { summary: 'Test note: the case system moved a fictitious visit (ssd_cin_visits:RV1)', by: SSD_SYNC_USER }, { updateId: `ssd:${c.caseId}:note:ssd_cin_visits:RV1:replay` });
    await r.settle(c.workflowId);
    await c.advance(DAY);
    await r.save({
      scenario: 'ssd-case-checked',
      description:
        'PRIORITY case following the case system: the check before the initial visit escalation records a visit the sync had not read and the escalation is withdrawn; the fortnightly visit escalated with the case system not checked; a visit dated before that deadline recorded by the sync (met after all notice); a note; still running',
      workflowType: 'caseWorkflow',
      workflowId: c.workflowId,
      savedWhile: 'running',
    });
    await c.close();
  },

  /** One run of the SSD sync's workflow: its one activity reads the extract and opens a child in need's case. */
  async 'ssd-sync-run'(r) {
    const personId = 'RP0002';
    r.ssd.addChildInNeed(personId, (await r.env.currentTimeMs()) - HOUR);
    await r.ssd.write();
    const workflowId = 'replay-ssd-sync-run';
    const handle = await r.client.workflow.start(SSD_SYNC_WORKFLOW, { taskQueue: r.taskQueue, workflowId, args: [] });
    const result = (await handle.result()) as SsdSyncResult;
    if (result.counts.opened !== 1) throw new Error(`the sync opened ${result.counts.opened} cases, not 1`);
    await r.save({
      scenario: 'ssd-sync-run',
      description: "ssdSyncWorkflow: one run of its one activity, which reads the case system's extract and opens a child in need's case; completed",
      workflowType: 'ssdSyncWorkflow',
      workflowId,
      savedWhile: 'completed',
    });
    await new ReplayCase(r, `${SSD_CASE_PREFIX}${personId}`).close();
  },
};

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

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((name) => !(name in SCENARIOS));
  if (unknown.length > 0) throw new Error(`unknown scenario(s): ${unknown.join(', ')}; known: ${Object.keys(SCENARIOS).join(', ')}`);
  const r = await Recorder.start();
  try {
    for (const [name, scenario] of Object.entries(SCENARIOS)) {
      if (wanted.length === 0 || wanted.includes(name)) await scenario(r);
    }
  } finally {
    await r.close();
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}
