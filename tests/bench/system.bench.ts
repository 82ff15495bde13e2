/**
 * The whole system at an aligned deadline, side by side with a no-op baseline (a workflow that
 * waits on a timer and then sends one email through the same activity), same server, same worker
 * process, one run (a plain script, no assertions), on the Temporal CLI's dev server (SQLite) and
 * then on Temporal server v1.32.0 on PostgreSQL (tools/temporal-cluster.sh):
 *   npm run bench:system                          # 500 of each, both servers, one worker
 *   npm run bench:system -- 2000 --server postgres --threads 2
 * Every working-day deadline of a day falls due at the same instant, so this is what a council's
 * evening looks like. Prints one line per figure: starts per second, time from the deadline until
 * the last email is accepted, p50 and p99 lateness, emails per second, duplicates (by Message-ID),
 * worker CPU per email, resident memory per cached workflow, and errors in the server's log. The
 * workers and the SMTP server share this process, so CPU per email includes the mail server's
 * share for both sides alike; the case record is kept where production keeps it (the embedded
 * store in a process of its own, or a database on the cluster's PostgreSQL), outside it. `--threads 2` gives each worker two workflow threads, as two worker
 * processes would (the SDK allows one worker a task queue in a process).
 */
import { Worker } from '@temporalio/worker';
import { openCase } from '../../common/cases';
import type { ReceivedMail } from '../support/mailbox';
import { LEVEL_1_ONLY, secondsPolicy } from '../support/seconds-policy';
import { BENCH_CONTACTS, type BenchServerKind, serverLogErrors, sleep, startBenchServer, workflowCount } from './bench-support';
import { baselineBurstWorkflow } from './bench-workflows';

const N = workflowCount(500);
const option = (name: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const SERVERS: BenchServerKind[] = option('--server') === 'dev' ? ['dev'] : option('--server') === 'postgres' ? ['postgres'] : ['dev', 'postgres'];
const THREADS = Number(option('--threads') ?? 1);
if (!Number.isInteger(THREADS) || THREADS < 1 || THREADS > 4) throw new Error('--threads must be 1 to 4');
const MANAGER = BENCH_CONTACTS['team-manager'].email;
const line = (label: string, caseValue: string, baselineValue: string, ratio?: number) =>
  console.log(`${label.padEnd(44)} ${caseValue.padStart(12)} | ${baselineValue.padStart(12)}${ratio === undefined ? '' : `   ratio ${ratio.toFixed(2)}`}`);

interface Burst {
  startsPerSecond: number;
  deadline: number;
  mail: ReceivedMail[];
  cpuMs: number;
  /** Resident memory gained per workflow started (all still cached, waiting or finished). */
  rssPerWorkflowMiB: number;
  timedOut: boolean;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** The longest lead a case burst takes: its seconds policy's deadline. */
const leadFor = (kind: 'case' | 'baseline', n: number) => Math.ceil(n / (kind === 'case' ? 10 : 20)) + 15;
const DEADLINE_SECONDS = leadFor('case', N);
/** One policy for every case burst, frozen into the library so cases carry its reference, as production's do. */
const POLICY = secondsPolicy({ 'initial-visit-high': `PT${DEADLINE_SECONDS}S` }, LEVEL_1_ONLY);

async function benchOn(kind: BenchServerKind): Promise<void> {
  const bench = await startBenchServer('caseclock-system-bench', kind, { frozen: [POLICY] });
  const { mailbox, activities, client, nativeConnection, caseBundle, baselineBundle, logFile } = bench;
  const workerFor = (taskQueue: string, workflowBundle: typeof caseBundle) =>
    Worker.create({ connection: nativeConnection, taskQueue, workflowBundle, activities, workflowThreadPoolSize: THREADS, maxCachedWorkflows: Math.max(1000, N + 100) });
  const caseWorkers = [await workerFor('bench-cases', caseBundle)];
  const baselineWorkers = [await workerFor('bench-baseline', baselineBundle)];
  const runAll = (fn: () => Promise<void>) => [...caseWorkers, ...baselineWorkers].reduce<() => Promise<void>>((inner, w) => () => w.runUntil(inner), fn)();

  /** Starts N workflows rated or timed at one instant, so their deadlines coincide; waits for the burst to be delivered. */
  async function burst(kind: 'case' | 'baseline', n = N): Promise<Burst> {
    const prefix = `${kind}-${Date.now()}`;
    const leadSeconds = leadFor(kind, n);
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    const t0 = Date.now();
    const deadline = t0 + leadSeconds * 1000;
    // Rated so that the policy's deadline falls at this burst's: a smaller burst is rated earlier.
    const ratedAt = new Date(deadline - DEADLINE_SECONDS * 1000).toISOString();
    const startOne = (i: number) =>
      kind === 'case'
        ? openCase(
            client,
            {
              caseId: `${prefix}-${i}`,
              details: { reference: `${prefix}-${i}`, team: 'BENCH', contacts: BENCH_CONTACTS },
              openedBy: 'bench',
              initialTier: { tier: 'HIGH_IMMEDIATE', reason: 'benchmark', at: ratedAt },
            },
            POLICY,
            { taskQueue: 'bench-cases' },
          )
        : client.workflow.start(baselineBurstWorkflow, {
            taskQueue: 'bench-baseline',
            workflowId: `${prefix}-${i}`,
            args: [{ id: `${prefix}-${i}`, at: new Date(deadline).toISOString(), to: MANAGER }],
          });
    for (let i = 0; i < n; i += 25) await Promise.all(Array.from({ length: Math.min(25, n - i) }, (_, k) => startOne(i + k)));
    const startsPerSecond = n / ((Date.now() - t0) / 1000);
    if (Date.now() > deadline - 2000) console.log(`(${kind}: starting took until ${((Date.now() - deadline) / 1000).toFixed(1)} s from the deadline)`);
    await sleep(Math.max(0, deadline - 1000 - Date.now()));
    const cpuBefore = process.cpuUsage();
    const ours = (m: ReceivedMail) => m.caseReference.startsWith(prefix);
    const limit = Date.now() + 600_000;
    while (mailbox.messages.filter(ours).length < n && Date.now() < limit) await sleep(100);
    const cpu = process.cpuUsage(cpuBefore);
    global.gc?.();
    const rssPerWorkflowMiB = (process.memoryUsage().rss - rssBefore) / n / 2 ** 20;
    return {
      rssPerWorkflowMiB,
      startsPerSecond,
      deadline,
      mail: mailbox.messages.filter(ours),
      cpuMs: (cpu.user + cpu.system) / 1000,
      timedOut: Date.now() >= limit,
    };
  }

  let cases: Burst | undefined;
  let baseline: Burst | undefined;
  let serverErrors = 0;
  let errorKinds: ReturnType<typeof serverLogErrors>['kinds'] = [];
  try {
    await runAll(async () => {
      // A small burst of each first, unmeasured, so neither side pays for a cold worker and
      // server; then the order alternates with N's parity.
      await Promise.all([burst('baseline', 20), burst('case', 20)]);
      if (N % 2 === 0) {
        baseline = await burst('baseline');
        cases = await burst('case');
      } else {
        cases = await burst('case');
        baseline = await burst('baseline');
      }
    });
    const errors = serverLogErrors(logFile);
    serverErrors = errors.count;
    errorKinds = errors.kinds.slice(0, 5);
  } finally {
    await bench.close({ keep: Boolean(process.env.CASECLOCK_BENCH_KEEP) });
  }

  const figures = (b: Burst) => {
    const lateness = b.mail.map((m) => m.receivedAt - b.deadline).sort((x, y) => x - y);
    const drain = (lateness.at(-1) ?? NaN) / 1000;
    const unique = new Set(b.mail.map((m) => m.messageId)).size;
    return {
      drain,
      p50: percentile(lateness, 50) / 1000,
      p99: percentile(lateness, 99) / 1000,
      perSecond: b.mail.length / Math.max(drain, 0.001),
      duplicates: b.mail.length - unique,
      cpuPerEmail: b.cpuMs / Math.max(1, b.mail.length),
    };
  };
  const c = figures(cases!);
  const b = figures(baseline!);
  const where = kind === 'dev' ? 'the dev server (SQLite)' : 'Temporal v1.32.0 on PostgreSQL';
  console.log(`\naligned burst of ${N} on ${where}, ${THREADS} workflow thread${THREADS === 1 ? '' : 's'} a worker (case | baseline)`);
  line('starts per second', cases!.startsPerSecond.toFixed(1), baseline!.startsPerSecond.toFixed(1), cases!.startsPerSecond / baseline!.startsPerSecond);
  line('emails accepted', `${cases!.mail.length}${cases!.timedOut ? ' (gave up)' : ''}`, `${baseline!.mail.length}${baseline!.timedOut ? ' (gave up)' : ''}`);
  line('deadline to last email accepted (s)', c.drain.toFixed(1), b.drain.toFixed(1));
  line('lateness p50 (s)', c.p50.toFixed(1), b.p50.toFixed(1));
  line('lateness p99 (s)', c.p99.toFixed(1), b.p99.toFixed(1));
  line('emails per second', c.perSecond.toFixed(1), b.perSecond.toFixed(1), c.perSecond / b.perSecond);
  line('duplicates (by Message-ID)', String(c.duplicates), String(b.duplicates));
  line('worker process CPU per email (ms)', c.cpuPerEmail.toFixed(1), b.cpuPerEmail.toFixed(1));
  line('resident memory per workflow (MiB)', cases!.rssPerWorkflowMiB.toFixed(3), baseline!.rssPerWorkflowMiB.toFixed(3), cases!.rssPerWorkflowMiB / baseline!.rssPerWorkflowMiB);
  console.log(`${'errors in the server log (whole run)'.padEnd(44)} ${serverErrors}`);
  for (const { msg, count, example } of errorKinds) console.log(`  server log error: ${msg} (${count}; e.g. ${example})`);
}

async function main(): Promise<void> {
  for (const kind of SERVERS) await benchOn(kind);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
