/**
 * The bulk import (`caseclock import <file.csv>`) of a council's open cases, side by side with a
 * baseline in the same run (a plain script, no assertions; these machines are noisy, so figures are
 * only compared within a run), on a throwaway dev server of its own with ONE worker:
 *   npm run bench:import                           # 10,000 rows, concurrency 16 then 32
 *   npm run bench:import -- --rows 500             # a quick check
 *   npm run bench:import -- --rows 10000 --sample 500 --concurrency 16,32
 * The file is generated in memory as a council's export would be: three tiers and some unrated
 * cases, eight teams, last visits spread over the past weeks (some overdue on arrival), keeping-in-
 * touch calls, child protection plans with core groups and conferences to come, children looked
 * after with their reviews and placements, a few complaints, the date formats of the example
 * (docs/examples/import-example.csv). It is read and checked with readImportFile (the dry run) and
 * imported with importRows (client/import/run.ts), each case sending its own escalations due on
 * arrival (no summary store), to one worker on the production task queue with the default cache
 * and slots, set up as the other benchmarks' (tests/bench/bench-support.ts: no payload encryption).
 *   - baseline: cases opened one at a time (concurrency 1) for a sample of rows, its rate
 *     extrapolated to the whole file (marked as such);
 *   - the import at each concurrency given, the whole file, each on case ids of its own;
 *   - the second run of each file (every case already there), as after an interrupted import;
 *   - "worker caught up": from the import's start until the one worker last had work in hand
 *     (a workflow task or an activity) before a whole idle second: every case of the import has
 *     run its first task, written its record and sent its escalations due on arrival;
 *   - this process's resident memory and V8 heap after a full collection, before and after each
 *     import (worker, client, mail server and store share the process; the workflows themselves
 *     run in the worker's threads, so they show in resident memory, not in the heap).
 * Case ids carry a run id; the dev server, mail server and store are thrown away at the end.
 */
import { performance } from 'node:perf_hooks';
import { Worker } from '@temporalio/worker';
import { readImportFile, IMPORT_COLUMNS, type ImportColumn, type ImportRow } from '../../client/import/rows';
import { IMPORT_CONCURRENCY, importRows, type Progress } from '../../client/import/run';
import { loadDefaultSnapshot } from '../../domain/policy-loader';
import { TASK_QUEUE } from '../../workflows/messages';
import { BENCH_CONTACTS, sleep, startBenchServer } from './bench-support';

const option = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const wholeNumber = (name: string, fallback: number, min: number, max: number): number => {
  const n = Number(option(name) ?? fallback);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be a whole number from ${min} to ${max}`);
  return n;
};
const ROWS = wholeNumber('--rows', 10_000, 50, 50_000);
const SAMPLE = Math.min(ROWS, wholeNumber('--sample', 500, 20, 50_000));
const CONCURRENCIES = (option('--concurrency') ?? `${IMPORT_CONCURRENCY},32`).split(',').map((c) => {
  const n = Number(c);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new Error('--concurrency takes whole numbers from 1 to 256, e.g. 16,32');
  return n;
});
/** How long a phase waits for the worker to catch up before going on (its figure then reads "> limit"). */
const CATCH_UP_LIMIT_S = wholeNumber('--catch-up-limit', 2400, 10, 86_400);
const RUN_ID = `IMP${Date.now().toString(36).toUpperCase()}`;
const BY = 'bench-import';
const DAY = 86_400_000;
const MiB = 2 ** 20;
/** Says nothing; keeps the counts for the status line printed every 15 s while a phase runs. */
const counts = { started: 0, already: 0, refused: 0 };
const SILENT: Progress = {
  tick(c) {
    Object.assign(counts, c);
  },
  stop() {},
};

// --- The file -------------------------------------------------------------------------------------

const TEAMS = ['LOCALITY-NORTH', 'LOCALITY-SOUTH', 'LOCALITY-EAST', 'LOCALITY-WEST', 'CIN-1', 'CIN-2', 'CP-1', 'CP-2'];
const TIERS = ['HIGH_IMMEDIATE', 'PRIORITY', 'VULNERABLE', 'PRIORITY', 'VULNERABLE'] as const;
const REASONS = ['police referral', 'rated at the review', 'school concerns', 'stable placement', 'step-down from CP', 'new information'];
const head = `${BENCH_CONTACTS['head-of-service'].name} <${BENCH_CONTACTS['head-of-service'].email}>`;
const manager = (team: string) => `Manager ${team} <manager.${team.toLowerCase()}@bench.test>`;
const worker = (team: string, n: number) => `Worker ${n % 7} ${team} <worker${n % 7}.${team.toLowerCase()}@bench.test>`;
const iro = (n: number) => `Iro Chair ${n % 5} <iro${n % 5}@bench.test>`;

/** A small, repeatable pseudo-random sequence (the same file for the same run id and row). */
function random(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}
const pad = (n: number) => String(n).padStart(2, '0');
/** A date as councils' exports write them, in one of the formats the example uses (a day at least away from now, so UTC's date is near enough). */
function written(ms: number, style: number, withTime: boolean): string {
  const d = new Date(ms);
  const date = { dd: pad(d.getUTCDate()), mm: pad(d.getUTCMonth() + 1), yyyy: String(d.getUTCFullYear()) };
  // Office hours, so never in the hour the clocks skip in March.
  const time = `${pad(9 + (d.getUTCDate() % 8))}:${d.getUTCMinutes() < 30 ? '00' : '30'}`;
  if (style % 2 === 0) return `${date.dd}/${date.mm}/${date.yyyy}${withTime ? ` ${time}` : ''}`;
  return `${date.yyyy}-${date.mm}-${date.dd}${withTime ? `T${time}` : ''}`;
}

/** `rows` rows of case ids `<prefix>-<n>`, dated back from `now`. */
function importCsv(prefix: string, rows: number, now: number): string {
  const lines = [IMPORT_COLUMNS.join(',')];
  for (let n = 0; n < rows; n++) {
    const r = random(n * 7919 + 17);
    const team = TEAMS[n % TEAMS.length]!;
    const daysAgo = (from: number, to: number) => now - Math.round((from + r() * (to - from)) * DAY);
    const cells: Partial<Record<ImportColumn, string>> = {
      caseId: `${prefix}-${n}`,
      reference: `${prefix}-${n}`,
      team,
      worker: worker(team, n),
      manager: manager(team),
      head,
    };
    const style = Math.floor(r() * 4);
    const kind = r();
    // One case in twelve unrated; the rest on a tier rated some months ago.
    const rated = daysAgo(70, 400);
    if (n % 12 !== 11) {
      cells.tier = TIERS[n % TIERS.length]!;
      cells.tier_reason = REASONS[n % REASONS.length]!;
      cells.tier_rated_at = written(rated, style, r() < 0.5);
      if (r() < 0.6) cells.tier_rated_by = `tm-${team.toLowerCase()}`;
    }
    // Last visits spread over the past eight weeks: the older ones are overdue on arrival.
    if (r() < 0.95) cells.last_visit = written(daysAgo(1, 56), style, r() < 0.7);
    if (r() < 0.5) cells.last_kit_call = written(daysAgo(1, 21), style, false);
    if (kind < 0.25) {
      // A child protection plan, its core groups, and often a review conference to come.
      const plan = daysAgo(60, 300);
      cells.cp_plan_start = written(plan, style, false);
      if (r() < 0.85) cells.last_core_group = written(Math.max(plan + DAY, daysAgo(2, 50)), style, false);
      if (r() < 0.6) cells.next_conference = written(now + Math.round((10 + r() * 120) * DAY), style, true);
    } else if (kind < 0.45) {
      // Looked after: since when, the last review, the placement, an IRO.
      const since = daysAgo(120, 900);
      cells.looked_after_since = written(since, style, false);
      if (r() < 0.9) cells.last_review = written(Math.max(since + 20 * DAY, daysAgo(3, 200)), style, false);
      if (r() < 0.8) cells.placement_start = written(Math.max(since, daysAgo(10, 400)), style, false);
      cells.iro = iro(n);
    } else if (kind < 0.5) {
      // An initial conference booked.
      cells.next_conference = written(now + Math.round((3 + r() * 14) * DAY), style, true);
    }
    if (r() < 0.03) cells.complaint_received = written(daysAgo(1, 15), style, false);
    lines.push(IMPORT_COLUMNS.map((c) => csvCell(cells[c] ?? '')).join(','));
  }
  return `${lines.join('\n')}\n`;
}
const csvCell = (v: string) => (/[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);

/** Read and checked as the import reads its file; every row must be good. */
function checkedRows(text: string, expected: number): ImportRow[] {
  const checked = readImportFile(text, BY, new Date());
  if (checked.problems.length > 0 || checked.rows.length !== expected) {
    const first = checked.problems.slice(0, 5).map((p) => `line ${p.line} ${p.column}: ${p.message}`);
    throw new Error(`the generated file has ${checked.badLines.size} bad rows of ${checked.total}: ${first.join('; ')}`);
  }
  return checked.rows;
}

// --- Measuring ------------------------------------------------------------------------------------

/** Resident memory and V8 heap in use after a full collection (run with --expose-gc, as `npm run bench:import` does). */
function memory(): { rss: number; heap: number } {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc (npm run bench:import does)');
  gc();
  gc();
  const m = process.memoryUsage();
  return { rss: m.rss / MiB, heap: m.heapUsed / MiB };
}

interface Phase {
  label: string;
  rows: number;
  concurrency: number;
  seconds: number;
  /** Measured on a sample and scaled to the whole file. */
  extrapolatedSeconds?: number;
  counts: string;
  /** From the import's start until every case of it had run its first workflow task. */
  caughtUpSeconds: number;
  secondRunSeconds?: number;
  extrapolatedSecondRunSeconds?: number;
  secondRunCounts?: string;
  before: { rss: number; heap: number };
  after: { rss: number; heap: number };
  cachedWorkflows: number;
  emails: number;
}

async function main(): Promise<void> {
  const bench = await startBenchServer('caseclock-import-bench');
  const { client, nativeConnection, caseBundle, mailbox } = bench;
  // One worker as production runs it: the production task queue, the case bundle, default cache and slots.
  const worker = await Worker.create({ connection: nativeConnection, taskQueue: TASK_QUEUE, workflowBundle: caseBundle, activities: bench.activities });
  const policy = loadDefaultSnapshot();
  const phases: Phase[] = [];
  let dryRunMs = NaN;
  let serverErrors = 0;

  const countsOf = (outcomes: Array<{ outcome: string }>) => {
    const c = (o: string) => outcomes.filter((x) => x.outcome === o).length;
    return `${c('started')}/${c('already there')}/${c('refused')}`;
  };
  /**
   * Waits until the worker has nothing in hand for a whole second (no workflow task, no activity:
   * the import's cases have all run their first task and sent what was due on arrival); returns
   * the seconds from `t0` to the last moment it was busy.
   */
  async function caughtUp(t0: number): Promise<number> {
    let lastBusy = performance.now();
    for (;;) {
      const s = worker.getStatus();
      if (s.numInFlightActivities > 0 || s.numInFlightWorkflowActivations > 0) lastBusy = performance.now();
      else if (performance.now() - lastBusy >= 1000) return (lastBusy - t0) / 1000;
      if (performance.now() - t0 > CATCH_UP_LIMIT_S * 1000) {
        console.log(`(the worker had not caught up after ${CATCH_UP_LIMIT_S} s: going on)`);
        return Infinity;
      }
      await sleep(50);
    }
  }

  async function phase(label: string, prefix: string, rows: ImportRow[], concurrency: number, scaleTo?: number): Promise<void> {
    const before = memory();
    const began = performance.now();
    const status = setInterval(() => {
      const s = worker.getStatus();
      console.log(
        `  ${label}, ${((performance.now() - began) / 1000).toFixed(0)} s: ${counts.started} started, ${counts.already} already there, ${counts.refused} refused; worker: ${s.numInFlightWorkflowActivations} workflow tasks, ${s.numInFlightActivities} activities in hand, ${s.numCachedWorkflows} cached`,
      );
    }, 15_000);
    try {
      await measure(label, prefix, rows, concurrency, before, scaleTo);
    } finally {
      clearInterval(status);
    }
  }
  async function measure(label: string, prefix: string, rows: ImportRow[], concurrency: number, before: { rss: number; heap: number }, scaleTo?: number): Promise<void> {
    const t0 = performance.now();
    const first = await importRows(client, rows, policy, { concurrency, progress: SILENT });
    const seconds = (performance.now() - t0) / 1000;
    const caughtUpSeconds = await caughtUp(t0);
    const after = memory();
    // The same file again: every case already there.
    const t1 = performance.now();
    const second = await importRows(client, rows, policy, { concurrency, progress: SILENT });
    const secondRunSeconds = (performance.now() - t1) / 1000;
    const scale = scaleTo === undefined ? undefined : scaleTo / rows.length;
    phases.push({
      label,
      rows: rows.length,
      concurrency,
      seconds,
      counts: countsOf(first.outcomes),
      secondRunSeconds,
      secondRunCounts: countsOf(second.outcomes),
      caughtUpSeconds,
      ...(scale === undefined ? {} : { extrapolatedSeconds: seconds * scale, extrapolatedSecondRunSeconds: secondRunSeconds * scale }),
      before,
      after,
      cachedWorkflows: worker.getStatus().numCachedWorkflows,
      emails: mailbox.messages.filter((m) => m.caseReference.startsWith(`${prefix}-`)).length,
    });
    console.log(`(${label}: ${seconds.toFixed(1)} s, second run ${secondRunSeconds.toFixed(1)} s)`);
  }

  try {
    await worker.runUntil(async () => {
      const now = Date.now();
      // The dry run: the whole file read and checked, as `caseclock import --dry-run` does (median of 3).
      const files = CONCURRENCIES.map((c) => ({ concurrency: c, prefix: `${RUN_ID}-C${c}`, text: importCsv(`${RUN_ID}-C${c}`, ROWS, now) }));
      const times: number[] = [];
      for (let i = 0; i < 3; i++) {
        const t = performance.now();
        checkedRows(files[0]!.text, ROWS);
        times.push(performance.now() - t);
      }
      dryRunMs = times.sort((a, b) => a - b)[1]!;
      console.log(`run ${RUN_ID}: ${ROWS} rows, ${(files[0]!.text.length / 1024).toFixed(0)} KiB of CSV; one worker, cache of ${worker.options.maxCachedWorkflows} workflows`);

      // Unmeasured warm-up, so no phase pays for a cold worker and server.
      const warm = `${RUN_ID}-W`;
      await importRows(client, checkedRows(importCsv(warm, 50, now), 50), policy, { progress: SILENT });
      await caughtUp(performance.now());

      // Baseline: one case at a time, on a sample of its own, scaled to the whole file.
      const base = `${RUN_ID}-C1`;
      await phase('one at a time (baseline)', base, checkedRows(importCsv(base, SAMPLE, now), SAMPLE), 1, ROWS);
      for (const f of files) await phase(`import, concurrency ${f.concurrency}`, f.prefix, checkedRows(f.text, ROWS), f.concurrency);
    });
    serverErrors = (await import('node:fs'))
      .readFileSync(bench.logFile, 'utf8')
      .split('\n')
      .filter((l) => /level=(error|ERROR)|"level":"error"|context deadline exceeded/.test(l)).length;
  } finally {
    await bench.close({ keep: Boolean(process.env.CASECLOCK_BENCH_KEEP) });
  }

  const cols = [
    ['', 30],
    ['rows', 6],
    ['conc.', 5],
    ['seconds', 9],
    ['cases/s', 8],
    ['caught up s', 11],
    ['2nd run s', 10],
    ['2nd run rows/s', 14],
    ['started/already/refused', 23],
  ] as const;
  const row = (cells: string[]) => console.log(cells.map((c, i) => (i === 0 ? c.padEnd(cols[i]![1]) : c.padStart(cols[i]![1]))).join(' '));
  console.log(`\nbulk import of ${ROWS} rows, one worker, the Temporal CLI's dev server (SQLite), run ${RUN_ID}`);
  row(cols.map(([h]) => h));
  for (const p of phases) {
    row([
      p.label,
      String(p.rows),
      String(p.concurrency),
      p.seconds.toFixed(1),
      (p.rows / p.seconds).toFixed(1),
      Number.isFinite(p.caughtUpSeconds) ? p.caughtUpSeconds.toFixed(1) : `>${CATCH_UP_LIMIT_S}`,
      p.secondRunSeconds!.toFixed(1),
      (p.rows / p.secondRunSeconds!).toFixed(1),
      `${p.counts}, ${p.secondRunCounts}`,
    ]);
    if (p.extrapolatedSeconds !== undefined) {
      row([`  extrapolated to ${ROWS} rows*`, String(ROWS), String(p.concurrency), p.extrapolatedSeconds.toFixed(1), (p.rows / p.seconds).toFixed(1), '', p.extrapolatedSecondRunSeconds!.toFixed(1), '', '']);
    }
  }
  const base = phases[0]!;
  for (const p of phases.slice(1)) {
    console.log(
      `concurrency ${p.concurrency} against one at a time: ${(base.seconds / base.rows / (p.seconds / p.rows)).toFixed(1)}x the cases per second (first run), ${(base.secondRunSeconds! / base.rows / (p.secondRunSeconds! / p.rows)).toFixed(1)}x (second run)`,
    );
  }
  console.log(`* measured on ${base.rows} rows and scaled linearly to ${ROWS}`);
  console.log(`dry run (read and check the whole file, median of 3): ${(dryRunMs / 1000).toFixed(2)} s, ${(ROWS / (dryRunMs / 1000)).toFixed(0)} rows/s`);
  console.log('\nthis process (worker, client, mail server, store), after a full collection, before -> after each import');
  for (const p of phases) {
    console.log(
      `${p.label.padEnd(30)} resident ${p.before.rss.toFixed(0)} -> ${p.after.rss.toFixed(0)} MiB (+${(((p.after.rss - p.before.rss) / p.rows) * 1024).toFixed(1)} KiB a case), heap ${p.before.heap.toFixed(0)} -> ${p.after.heap.toFixed(0)} MiB; ${p.cachedWorkflows} workflows cached; ${p.emails} emails on arrival sent by its cases`,
    );
  }
  console.log(`errors in the server log (whole run): ${serverErrors}`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
