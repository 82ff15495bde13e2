/**
 * What one case costs, next to a no-op baseline workflow on the same dev server and the same
 * worker, in one run (a plain script, no assertions; these machines are noisy, so figures are
 * only compared within a run):
 *   npm run bench:case              # 300 workflows of each kind
 *   npm run bench:case -- 1000      # or as many as given
 * Prints one line per figure:
 *   - start input bytes of a case and of the baseline;
 *   - history events and bytes added per update;
 *   - worker memory per cached workflow (resident set growth while the worker holds N of them);
 *   - case starts per second;
 *   - the engine's time for one whole evaluation of a case 1, 5, 10 and 18 years old.
 * Starts a dev server of its own (SQLite in a temp dir) and a mail server; stops both.
 */
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { openCase, recordEvent } from '../../common/cases';
import { checkpointCase, evaluateCase } from '../../domain/engine';
import type { CaseEvent, CaseFacts } from '../../domain/facts';
import { loadDefaultSnapshot } from '../../domain/policy-loader';
import { caseWorkflowId } from '../../workflows/messages';
import { SETTLE_AFTER_DAYS } from '../../workflows/case-record';
import { BENCH_CONTACTS, sleep, startBenchServer, workflowCount } from './bench-support';
import { baselineUpdate, baselineWorkflow } from './bench-workflows';

const N = workflowCount(300);
const UPDATES = 20;
const MiB = 1024 * 1024;

/** This process's V8 heap in use after a full collection (run with --expose-gc, as `npm run bench:case` does). */
function heapAfterGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc (npm run bench:case does)');
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}
const line = (label: string, value: string) => console.log(`${label.padEnd(52)} ${value}`);

async function main(): Promise<void> {
  const bench = await startBenchServer('caseclock-bench');
  const { activities, client, nativeConnection, caseBundle, baselineBundle } = bench;
  // Two workers in this process, each with its own bundle (every workflow gets a fresh copy of
  // its bundle's modules, so a baseline sharing the case bundle would carry the case's modules).
  // Workflows run on this thread (debugMode), so this process's V8 heap is theirs to measure.
  const taskQueue = 'bench';
  const baselineQueue = 'bench-baseline';
  const workerOptions = { connection: nativeConnection, maxCachedWorkflows: 2 * N + 100, debugMode: true };
  const worker = await Worker.create({ ...workerOptions, taskQueue, workflowBundle: caseBundle, activities });
  const baselineWorker = await Worker.create({ ...workerOptions, taskQueue: baselineQueue, workflowBundle: baselineBundle });
  const policy = loadDefaultSnapshot();
  const openOne = (caseId: string) =>
    openCase(
      client,
      {
        caseId,
        details: { reference: caseId, team: 'BENCH', contacts: BENCH_CONTACTS },
        openedBy: 'bench',
        initialTier: { tier: 'PRIORITY', reason: 'benchmark' },
      },
      policy,
      { taskQueue },
    );
  const startBaseline = (id: string) => client.workflow.start(baselineWorkflow, { taskQueue: baselineQueue, workflowId: id });
  const historyOf = async (workflowId: string) => {
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    return { events: history.events?.length ?? 0, bytes: temporal.api.history.v1.History.encode(history).finish().length, history };
  };
  const cachedAtLeast = async (w: Worker, count: number) => {
    for (let i = 0; i < 6000 && w.getStatus().numCachedWorkflows < count; i++) await sleep(50);
  };

  try {
    await baselineWorker.runUntil(() =>
      worker.runUntil(async () => {
        // 1. Start input, and history per update.
        await openOne('BENCH-UPDATES');
        await startBaseline('baseline-updates');
        await sleep(1000);
        const caseStart = await historyOf(caseWorkflowId('BENCH-UPDATES'));
        const baseStart = await historyOf('baseline-updates');
        const inputBytes = (h: typeof caseStart) => (h.history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads ?? []).reduce((sum, p) => sum + (p.data?.length ?? 0), 0);
        line('start input bytes (case / baseline)', `${inputBytes(caseStart)} / ${inputBytes(baseStart)}`);
        for (let i = 0; i < UPDATES; i++) {
          await recordEvent(client, 'BENCH-UPDATES', { type: 'contact', contactType: 'kit-call', at: new Date().toISOString(), by: 'bench' });
          await client.workflow.getHandle('baseline-updates').executeUpdate(baselineUpdate, { args: [{ at: new Date().toISOString() }] });
        }
        await sleep(1000);
        const caseAfter = await historyOf(caseWorkflowId('BENCH-UPDATES'));
        const baseAfter = await historyOf('baseline-updates');
        const per = (a: number, b: number) => ((a - b) / UPDATES).toFixed(1);
        line('history events per update (case / baseline)', `${per(caseAfter.events, caseStart.events)} / ${per(baseAfter.events, baseStart.events)}`);
        line('history bytes per update (case / baseline)', `${per(caseAfter.bytes, caseStart.bytes)} / ${per(baseAfter.bytes, baseStart.bytes)}`);

        // 2. Memory per cached workflow and start rate: N baselines, then N cases, on the same worker
        //    (after a few of each, so one-time costs such as loading the bundle are not counted).
        for (let i = 0; i < 10; i++) await Promise.all([startBaseline(`baseline-warm-${i}`), openOne(`BENCH-WARM-${i}`)]);
        await cachedAtLeast(worker, 11);
        await cachedAtLeast(baselineWorker, 11);
        await sleep(2000);
        const rss0 = heapAfterGc();
        let t = Date.now();
        for (let i = 0; i < N; i += 20) await Promise.all(Array.from({ length: Math.min(20, N - i) }, (_, k) => startBaseline(`baseline-${i + k}`)));
        await cachedAtLeast(baselineWorker, N + 11);
        const baseRate = N / ((Date.now() - t) / 1000);
        await sleep(3000);
        const rss1 = heapAfterGc();
        t = Date.now();
        for (let i = 0; i < N; i += 20) await Promise.all(Array.from({ length: Math.min(20, N - i) }, (_, k) => openOne(`BENCH-${i + k}`)));
        await cachedAtLeast(worker, N + 11);
        const caseRate = N / ((Date.now() - t) / 1000);
        await sleep(3000);
        const rss2 = heapAfterGc();
        const perBase = (rss1 - rss0) / N / MiB;
        const perCase = (rss2 - rss1) / N / MiB;
        line(`worker V8 heap per cached workflow, N=${N} (case / baseline)`, `${perCase.toFixed(2)} MiB / ${perBase.toFixed(2)} MiB (ratio ${(perCase / perBase).toFixed(1)})`);
        line('cases one worker holds in 1 GiB (at that figure)', `${Math.floor(1024 / perCase)}`);
        line('starts per second until cached (case / baseline)', `${caseRate.toFixed(1)} / ${baseRate.toFixed(1)} (ratio ${(caseRate / baseRate).toFixed(2)})`);
        await Promise.all(
          Array.from({ length: N }, (_, i) =>
            client.workflow
              .getHandle(`baseline-${i}`)
              .terminate('benchmark finished')
              .catch(() => undefined),
          ),
        );
        const rss = process.memoryUsage().rss / MiB;
        line('worker resident set at the end (all of the above cached)', `${rss.toFixed(0)} MiB`);
      }),
    );
  } finally {
    await bench.close();
  }

  // 3. The engine alone: one whole evaluation by case age.
  // Walking every event (as a case did before it settled), and going on from a checkpoint of
  // everything older than SETTLE_AFTER_DAYS (as a running case does after its continue-as-new).
  const policies = [policy];
  const timeOf = (input: () => Parameters<typeof evaluateCase>[0]) => {
    const args = input();
    for (let i = 0; i < 5; i++) evaluateCase(args);
    const runs = 20;
    const start = process.hrtime.bigint();
    for (let i = 0; i < runs; i++) evaluateCase(args);
    return Number(process.hrtime.bigint() - start) / 1e6 / runs;
  };
  const settled = (facts: CaseFacts, now: string) => {
    const cut = iso(Date.parse(now) - SETTLE_AFTER_DAYS * DAY);
    const checkpoint = checkpointCase({ facts, policies, now }, cut);
    const recent = facts.events.filter((e) => e.at > cut);
    return { checkpoint, facts: { ...facts, events: recent, sent: facts.sent.filter((m) => m.sentAt > cut) }, policies, now };
  };
  timeOf(() => ({ facts: lookedAfterCase(1)[0], policies, now: lookedAfterCase(1)[1] })); // warms the engine up
  const ages = [1, 5, 10, 18].map((years) => {
    const [facts, now] = lookedAfterCase(years);
    return { years, facts, all: timeOf(() => ({ facts, policies, now })), fromCheckpoint: timeOf(() => settled(facts, now)) };
  });
  const year1 = ages[0]!;
  for (const { years, facts, all, fromCheckpoint } of ages) {
    line(
      `evaluation of a ${years}-year case (${facts.events.length} events, ${facts.sent.length} sent): all events / settled`,
      `${all.toFixed(2)} ms (${(all / year1.all).toFixed(1)} x) / ${fromCheckpoint.toFixed(2)} ms (${(fromCheckpoint / year1.fromCheckpoint).toFixed(2)} x year 1)`,
    );
  }
}

const DAY = 86_400_000;
const START = Date.parse('2027-01-04T10:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * A looked-after child's case `years` old, about 100 events and 200 messages a year: visits,
 * KIT calls, child-in-care reviews, a complaint, missing episodes, tier changes.
 */
function lookedAfterCase(years: number): [CaseFacts, string] {
  const by = 'bench';
  const events: CaseEvent[] = [
    { type: 'tier-set', at: iso(START), by, tier: 'PRIORITY', reason: 'rated' },
    { type: 'looked-after-started', at: iso(START + DAY), by },
    { type: 'placement-started', at: iso(START + DAY), by, placementId: 'pl-1' },
  ];
  const days = years * 365;
  for (let d = 5; d < days; d += 13) events.push({ type: 'contact', at: iso(START + d * DAY), by, contactType: 'visit' });
  for (let d = 9; d < days; d += 12) events.push({ type: 'contact', at: iso(START + d * DAY), by, contactType: 'kit-call' });
  for (let d = 20; d < days; d += 182) {
    const meetingId = `cic-${d}`;
    events.push({ type: 'meeting-scheduled', at: iso(START + (d - 20) * DAY), by, meetingId, meetingType: 'cic-review', scheduledFor: iso(START + d * DAY) });
    events.push({ type: 'meeting-held', at: iso(START + d * DAY), by, meetingId, meetingType: 'cic-review' });
  }
  for (let y = 0; y < years; y++) {
    const at = START + (y * 365 + 100) * DAY;
    events.push({ type: 'complaint-received', at: iso(at), by, complaintId: `cmp-${y}`, stage: 1 });
    events.push({ type: 'complaint-responded', at: iso(at + 7 * DAY), by, complaintId: `cmp-${y}`, stage: 1 });
    for (const m of [150, 240]) {
      events.push({ type: 'missing-started', at: iso(START + (y * 365 + m) * DAY), by });
      events.push({ type: 'child-returned', at: iso(START + (y * 365 + m + 1) * DAY), by });
      events.push({ type: 'return-interview-held', at: iso(START + (y * 365 + m + 2) * DAY), by });
    }
    events.push({ type: 'tier-set', at: iso(at + 30 * DAY), by, tier: y % 2 === 0 ? 'VULNERABLE' : 'PRIORITY', reason: 'reviewed' });
  }
  events.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  const now = iso(START + days * DAY);
  const sent = Array.from({ length: 200 * years }, (_, i) => ({ messageId: `BENCH-LAC/${i}/reminder/P3D`, sentAt: iso(START + (i / 200) * 365 * DAY) }));
  return [{ caseId: 'BENCH-LAC', openedAt: iso(START), events, sent }, now];
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
