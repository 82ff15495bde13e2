/**
 * The SSD sync (activities/ssd-sync.ts) of a synthetic council, side by side with the bulk import of
 * the same children (`caseclock import`) in the same run, on a throwaway dev server of its own with
 * ONE worker (a plain script, no assertions; these machines are noisy, so figures are only compared
 * within a run):
 *   npm run bench:sync                          # 10,000 children over two years
 *   npm run bench:sync -- --children 500        # a quick check
 *   npm run bench:sync -- --children 10000 --years 2 --concurrency 16
 *   npm run bench:sync -- --cache 2000                # a worker caching fewer cases than the council has open
 * The council is tools/ssd/council.ts's, up to the last working day before today (nothing it records is later than now),
 * written as CSV extracts by tools/ssd/io.ts. Its teams and staff are in the team and staff
 * directories (every team listed, one manager and one head of service for all of them).
 *   - baseline: the CSV import of the same council: one row per child the first sync opens a case
 *     for (an open episode, an allocated worker in a listed team) with its reference, team and
 *     contacts, no dates (client/import/run.ts runImport, concurrency 16, each case sending its own
 *     escalations due on arrival);
 *   - first sync: the extract of five working days (--busy-days) before the night before the last day, read by runSsdSync into an empty
 *     ledger: every child's case opened with what the source records (50 events on opening, the
 *     rest as updates), the ledger written child by child;
 *   - the same extract again: nothing changed, what a read of the whole extract costs on its own;
 *   - five working days' changes in one read (about 1,500 rows for 10,000 children: a busier
 *     council's day, or a week of extracts that failed): the extract of the night before;
 *   - a day's changes: the last day's changes (council.ts dayChanges) applied to that extract, read
 *     by the next run.
 * The worker, the client, the sync itself, the mail server and the embedded store (PGlite, in this
 * process) all run in this process, so "CPU" is this process's (process.cpuUsage: user + system),
 * which includes the store's queries; the Temporal dev server is a process of its own, measured
 * apart from /proc. "Caught up": from the phase's start until the worker last had work in hand
 * before a whole idle second. Peak RSS is this process's high-water mark (and the server's). The
 * sync's Temporal calls (case starts, updates) and its store calls are timed through wrappers of the
 * client and store it is given; its own code is untouched. A run the sync stops with an error is
 * reported as stopped, with what it had done, and the next phase carries on from its ledger.
 * For a profile: node --cpu-prof --cpu-prof-dir=DIR --import tsx tests/bench/sync.bench.ts --children 2000
 * Case ids carry a run id; the dev server, mail server, store and extracts are thrown away at the end.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import type { Client } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { createSsdSyncActivities, runSsdSync, SSD_SYNC_CONCURRENCY, SSD_SYNC_USER, type SsdSyncCounts, type SsdSyncDependencies } from '../../activities/ssd-sync';
import { IMPORT_COLUMNS, readImportFile, type ImportColumn } from '../../client/import/rows';
import { IMPORT_CONCURRENCY, runImport, type ImportSummary } from '../../client/import/run';
import { workerCacheSize } from '../../common/config';
import { loadDefaultSnapshot } from '../../domain/policy-loader';
import { caseOf } from '../../domain/ssd/case-of';
import { caseKindAt, readSsd } from '../../domain/ssd/events';
import { openSsdSource, ssdRowsOf, type SsdSourceRows } from '../../store/ssd-source';
import { openImportSummaryStore } from '../../store/import-summary-store';
import { openSsdSyncStore, type SsdSyncStore } from '../../store/ssd-sync-store';
import { openStaffDirectory } from '../../store/staff-directory';
import { openTeamDirectory } from '../../store/team-directory';
import { dateOf, dayChanges, dayOf, extractOn, generateCouncil, rowCount, SSD_TABLE_NAMES, type DayChanges, type SsdTables } from '../../tools/ssd/council';
import { writeSsdCsv } from '../../tools/ssd/io';
import { SSD_PRIMARY_KEYS } from '../../tools/ssd/schemas';
import { TASK_QUEUE } from '../../workflows/messages';
import { serverLogErrors, sleep, startBenchServer } from './bench-support';

const option = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const wholeNumber = (name: string, fallback: number, min: number, max: number): number => {
  const n = Number(option(name) ?? fallback);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be a whole number from ${min} to ${max}`);
  return n;
};
const CHILDREN = wholeNumber('--children', 10_000, 50, 50_000);
const YEARS = wholeNumber('--years', 2, 1, 10);
const CONCURRENCY = wholeNumber('--concurrency', SSD_SYNC_CONCURRENCY, 1, 256);
const SEED = option('--seed') ?? 'caseclock';
/** Working days of changes read at once before the day's (a week's, about 1,500 rows for 10,000 children: a busier council, or a week of failed extracts); 0 for none. */
const BUSY_DAYS = wholeNumber('--busy-days', 5, 0, 60);
/** The worker's cache of workflows: by default what worker/main.ts runs with (CASECLOCK_WORKER_CACHED_CASES, else sized to the heap). */
const CACHE = option('--cache') === undefined ? workerCacheSize({ CASECLOCK_WORKER_CACHED_CASES: undefined }, getHeapStatistics().heap_size_limit) : wholeNumber('--cache', 0, 1, 200_000);
/** How long a phase waits for the worker to catch up before going on (its figure then reads "> limit"). */
const CATCH_UP_LIMIT_S = wholeNumber('--catch-up-limit', 1800, 10, 86_400);
/** The goals the figures are read against (docs/scale.md, SSD sync). */
const GOAL_FIRST_SYNC_S = 15 * 60;
const GOAL_DAY_S = 60;
const RUN_ID = `SY${Date.now().toString(36).toUpperCase()}`;
const BY = 'bench-sync';
const MANAGER = { staffId: 'bench-manager', name: 'Bench Manager', email: 'manager@bench.test', userId: 'bench-manager' };
const HEAD = { staffId: 'bench-head', name: 'Bench Head', email: 'head@bench.test', userId: 'bench-head' };
const MiB = 2 ** 20;

// --- The extracts ---------------------------------------------------------------------------------

/** The night before's extract with a day's changes applied, as a council's nightly load would: deleted rows out, new and changed rows in by their key. */
function applied(extract: SsdTables, changes: DayChanges): SsdTables {
  const out = {} as Record<string, unknown[]>;
  for (const table of SSD_TABLE_NAMES) {
    const key = SSD_PRIMARY_KEYS[table];
    const keyOf = (row: unknown) => (row as Record<string, unknown>)[key] as string;
    const rows = new Map((extract[table] as unknown[]).map((r) => [keyOf(r), r]));
    for (const k of changes.deletions[table]) rows.delete(k);
    for (const r of changes.upserts[table] as unknown[]) rows.set(keyOf(r), r);
    out[table] = [...rows.values()];
  }
  return out as unknown as SsdTables;
}

/** The import file of the same children: one row per child the sync opens a case for, with its reference, team and contacts. */
function importCsvOf(rows: SsdSourceRows, teams: Record<string, string>, staff: ReadonlyMap<string, { name: string; email: string }>, at: string): { text: string; children: number } {
  const reading = readSsd(ssdRowsOf(rows), { by: SSD_SYNC_USER });
  const people = new Map(rows.ssd_person.map((p) => [p.pers_person_id, p]));
  const involvements = new Map<string, (typeof rows.ssd_involvements)[number][]>();
  for (const i of rows.ssd_involvements) involvements.set(i.invo_person_id, [...(involvements.get(i.invo_person_id) ?? []), i]);
  const config = { caseIdPrefix: `${RUN_ID}I`, reference: 'person-id' as const, allocatedWorkerRoles: ['Allocated Case Worker'], teams };
  const contact = (s: { name: string; email: string }) => `${s.name} <${s.email}>`;
  const lines = [IMPORT_COLUMNS.join(',')];
  let children = 0;
  for (const personId of [...new Set(reading.episodes.map((e) => e.personId))].sort()) {
    if (caseKindAt(reading.episodes, personId, at) === undefined) continue;
    const person = people.get(personId);
    const found = caseOf(personId, { ...(person ? { person } : {}), involvements: involvements.get(personId) ?? [], professionals: rows.ssd_professionals, departments: rows.ssd_department }, config, at);
    if (!found.ok) continue;
    const worker = staff.get(found.case.worker.staffId);
    if (!worker) continue;
    const cells: Partial<Record<ImportColumn, string>> = {
      caseId: found.case.caseId,
      reference: found.case.reference,
      team: found.case.team,
      worker: contact(worker),
      manager: contact(MANAGER),
      head: contact(HEAD),
    };
    lines.push(IMPORT_COLUMNS.map((c) => cells[c] ?? '').join(','));
    children++;
  }
  return { text: `${lines.join('\n')}\n`, children };
}

// --- Measuring ------------------------------------------------------------------------------------

/** CPU seconds (user + system) of this process since `from`. */
const cpuSince = (from: NodeJS.CpuUsage): number => {
  const d = process.cpuUsage(from);
  return (d.user + d.system) / 1e6;
};

/** Calls of one kind: how many, their summed and longest time. */
type Timing = { calls: number; seconds: number; longest: number };
const timings = new Map<string, Timing>();
async function timed<T>(kind: string, call: () => Promise<T>): Promise<T> {
  const s = performance.now();
  try {
    return await call();
  } finally {
    const d = (performance.now() - s) / 1000;
    const t = timings.get(kind) ?? { calls: 0, seconds: 0, longest: 0 };
    timings.set(kind, { calls: t.calls + 1, seconds: t.seconds + d, longest: Math.max(t.longest, d) });
  }
}

/** The client the sync is given, its case starts and updates timed (the sync's own code is untouched). */
function timedClient(client: Client): Client {
  const workflow = new Proxy(client.workflow, {
    get(target, name: keyof Client['workflow']) {
      if (name === 'start') return (...args: Parameters<Client['workflow']['start']>) => timed('case started', () => target.start(...args));
      if (name === 'getHandle') {
        return (...args: Parameters<Client['workflow']['getHandle']>) => {
          const handle = target.getHandle(...args);
          return new Proxy(handle, {
            get(h, n: keyof typeof handle) {
              if (n === 'executeUpdate') return (...a: Parameters<typeof handle.executeUpdate>) => timed('update (event or note)', () => h.executeUpdate(...a));
              const v = h[n];
              return typeof v === 'function' ? (v as (...x: unknown[]) => unknown).bind(h) : v;
            },
          });
        };
      }
      const v = target[name];
      return typeof v === 'function' ? (v as (...x: unknown[]) => unknown).bind(target) : v;
    },
  });
  return new Proxy(client, { get: (target, name: keyof Client) => (name === 'workflow' ? workflow : target[name]) });
}

/** The processes this one started (the Temporal dev server), from /proc: CPU seconds so far and peak resident memory. */
function children(): { cpu: number; peakMiB: number } {
  let cpu = 0;
  let peakMiB = 0;
  try {
    const parentOf = new Map<number, number>();
    const stats = new Map<number, string[]>();
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      try {
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        parentOf.set(Number(name), Number(fields[1]));
        stats.set(Number(name), fields);
      } catch {
        // Gone since the listing.
      }
    }
    const isOurs = (pid: number): boolean => {
      for (let p = parentOf.get(pid); p !== undefined && p > 1; p = parentOf.get(p)) if (p === process.pid) return true;
      return false;
    };
    for (const [pid, fields] of stats) {
      if (!isOurs(pid)) continue;
      // utime and stime (fields 14 and 15 of stat, counted from the state field as 3), in clock ticks of 1/100 s.
      cpu += (Number(fields[11]) + Number(fields[12])) / 100;
      const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (hwm) peakMiB += Number(hwm[1]) / 1024;
    }
  } catch {
    // No /proc (not Linux): the server's figures read 0.
  }
  return { cpu, peakMiB };
}

interface Phase {
  label: string;
  seconds: number;
  caughtUpSeconds: number;
  cpu: number;
  serverCpu: number;
  /** What the figure per row is divided by. */
  rows: number;
  rowsLabel: string;
  opened: number;
  counts?: SsdSyncCounts;
  import?: ImportSummary;
  /** Where the sync's time went: reading the extract, and the ledger's queries (summed over concurrent calls). */
  readSeconds?: number;
  storeSeconds?: Record<string, number>;
  /** The Temporal calls the sync made: starts and updates, their summed and longest time. */
  calls?: Record<string, Timing>;
  /** The run's report, by problem (store/ssd-sync-store.ts). */
  problems?: Record<string, number>;
  /** Why the run stopped, when it did (the next run carries on from its ledger). */
  failed?: string;
  rssAfterMiB: number;
}

async function main(): Promise<void> {
  const machine = `${os.cpus().length} cores, load average ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} at the start`;
  // The last working day before today: a weekend's changes are a handful, a working day's are the ones to plan for.
  let last = dayOf(new Date().toISOString().slice(0, 10)) - 1;
  while ([0, 6].includes(new Date(last * 86_400_000).getUTCDay())) last -= 1;
  const asOf = dateOf(last);
  const nightBefore = dateOf(last - 1);
  // The first sync reads the extract of BUSY_DAYS working days before the night before; the busy read catches up to the night before.
  let start = last - 1;
  for (let n = 0; n < BUSY_DAYS;) {
    start -= 1;
    if (![0, 6].includes(new Date(start * 86_400_000).getUTCDay())) n++;
  }
  let t = performance.now();
  const council = generateCouncil({ seed: SEED, children: CHILDREN, years: YEARS, asOf });
  const first = extractOn(council, dateOf(start));
  const nightBeforeExtract = extractOn(council, nightBefore);
  let busyRows = 0;
  for (let d = start + 1; d <= last - 1; d++) {
    const c = dayChanges(council, dateOf(d)).counts;
    busyRows += c.new + c.changed + c.corrected + c.deleted;
  }
  const changes = dayChanges(council, asOf);
  const next = applied(nightBeforeExtract, changes);
  if (rowCount(next) !== rowCount(council.tables)) throw new Error(`the day's changes applied give ${rowCount(next)} rows, the council's extract of ${asOf} has ${rowCount(council.tables)}`);
  const changedRows = changes.counts.new + changes.counts.changed + changes.counts.corrected + changes.counts.deleted;
  const generateSeconds = (performance.now() - t) / 1000;
  console.log(
    `run ${RUN_ID}: a council of ${CHILDREN} children over ${YEARS} years to ${asOf} (seed ${SEED}), generated in ${generateSeconds.toFixed(1)} s: ${rowCount(first)} rows in the extract of ${dateOf(start)}${BUSY_DAYS > 0 ? `, ${busyRows} rows changed by ${nightBefore}` : ''}; the changes of ${asOf}: ${changes.counts.new} new, ${changes.counts.changed} changed, ${changes.counts.corrected} corrected, ${changes.counts.deleted} deleted; ${machine}`,
  );

  const dir = mkdtempSync(path.join(os.tmpdir(), 'caseclock-sync-bench-'));
  const csvDir = path.join(dir, 'ssd');
  const bench = await startBenchServer('caseclock-sync-bench');
  const { client, nativeConnection, caseBundle } = bench;
  const teams = openTeamDirectory(bench.storeUrl);
  const staff = openStaffDirectory(bench.storeUrl);
  const ledger = openSsdSyncStore(bench.storeUrl);
  const arrivals = openImportSummaryStore(bench.storeUrl);
  const storeSeconds: Record<string, number> = {};
  /** The sync's store, each method's time summed (calls overlap, so the sum can pass the wall clock). */
  const timedStore = new Proxy(ledger, {
    get(target, name: keyof SsdSyncStore) {
      const value = target[name];
      if (typeof value !== 'function' || name === 'close') return value;
      return async (...args: unknown[]) => {
        const s = performance.now();
        try {
          return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        } finally {
          storeSeconds[name] = (storeSeconds[name] ?? 0) + (performance.now() - s) / 1000;
        }
      };
    },
  });
  const phases: Phase[] = [];
  let serverErrors = 0;
  const policy = loadDefaultSnapshot();
  const settings: SsdSyncDependencies['settings'] = { source: { kind: 'csv', dir: csvDir }, cases: { caseIdPrefix: `${RUN_ID}S`, reference: 'person-id', allocatedWorkerRoles: ['Allocated Case Worker'] } };
  // One worker as production runs it with a source configured: the case activities and the sync's (worker/main.ts).
  const worker = await Worker.create({
    connection: nativeConnection,
    taskQueue: TASK_QUEUE,
    workflowBundle: caseBundle,
    maxCachedWorkflows: CACHE,
    activities: { ...bench.activities, ...createSsdSyncActivities({ client, store: ledger, teams, staff, settings, policy, taskQueue: TASK_QUEUE }) },
  });

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

  /** Runs one phase with a status line every 15 s; returns wall time, time until the worker caught up, and CPU. */
  async function measured<T>(label: string, status: () => string, body: () => Promise<T>): Promise<{ result: T; seconds: number; caughtUpSeconds: number; cpu: number; serverCpu: number }> {
    const cpu0 = process.cpuUsage();
    const server0 = children().cpu;
    const t0 = performance.now();
    const timer = setInterval(() => {
      const s = worker.getStatus();
      console.log(
        `  ${label}, ${((performance.now() - t0) / 1000).toFixed(0)} s: ${status()}; worker: ${s.numInFlightWorkflowActivations} workflow tasks, ${s.numInFlightActivities} activities in hand, ${s.numCachedWorkflows} cached; resident ${(process.memoryUsage().rss / MiB).toFixed(0)} MiB`,
      );
    }, 15_000);
    try {
      const result = await body();
      const seconds = (performance.now() - t0) / 1000;
      const caughtUpSeconds = await caughtUp(t0);
      const out = { result, seconds, caughtUpSeconds, cpu: cpuSince(cpu0), serverCpu: children().cpu - server0 };
      console.log(`(${label}: ${seconds.toFixed(1)} s, caught up at ${caughtUpSeconds.toFixed(1)} s, ${out.cpu.toFixed(1)} s CPU here, ${out.serverCpu.toFixed(1)} s in the Temporal server)`);
      return out;
    } finally {
      clearInterval(timer);
    }
  }

  try {
    // The directories: every team of the extract listed by its SSD id, every worker by staff id.
    const teamCodes: Record<string, string> = {};
    for (const d of first.ssd_department) {
      const code = `T${d.dept_team_id}`;
      teamCodes[d.dept_team_id] = code;
      await teams.upsert({ code, name: d.dept_team_name ?? code, serviceArea: d.dept_team_parent_name ?? "Children's Services", manager: MANAGER.userId, head: HEAD.userId, sourceId: d.dept_team_id, changedBy: 'admin' });
    }
    await staff.set({ ...MANAGER, changedBy: 'admin' });
    await staff.set({ ...HEAD, changedBy: 'admin' });
    const staffById = new Map<string, { name: string; email: string }>();
    for (const p of first.ssd_professionals) {
      if (p.prof_staff_id === null) continue;
      const member = { name: `Worker ${p.prof_professional_id}`, email: `staff.${p.prof_professional_id}@council.test` };
      staffById.set(p.prof_staff_id, member);
      await staff.set({ staffId: p.prof_staff_id, ...member, changedBy: 'admin' });
    }
    await writeSsdCsv(first, csvDir);
    let readSeconds = 0;
    let progress = { done: 0, of: 0 };
    const deps: SsdSyncDependencies = {
      client: timedClient(client),
      store: timedStore,
      teams,
      staff,
      settings,
      policy,
      taskQueue: TASK_QUEUE,
      concurrency: CONCURRENCY,
      // As the worker runs it: what is overdue on arrival goes in one summary per recipient.
      arrival: { store: arrivals, transport: bench.mailbox.transport(), from: 'caseclock@bench.test', consoleUrl: 'https://caseclock.bench.test' },
      openSource: () => {
        const source = openSsdSource({ kind: 'csv', dir: csvDir });
        return {
          ...source,
          async readAll() {
            const s = performance.now();
            try {
              return await source.readAll();
            } finally {
              readSeconds += (performance.now() - s) / 1000;
            }
          },
        };
      },
    };
    const sync = async (label: string, rows: number | undefined, rowsLabel: string): Promise<void> => {
      readSeconds = 0;
      progress = { done: 0, of: 0 };
      for (const k of Object.keys(storeSeconds)) delete storeSeconds[k];
      timings.clear();
      // A run that stops is a figure too: what it had done is in its record, and the next run carries on.
      const m = await measured(
        label,
        () => {
          const started = timings.get('case started');
          const updates = timings.get('update (event or note)');
          const mean = (t: Timing | undefined) => (t ? `${t.calls} (${((t.seconds / t.calls) * 1000).toFixed(0)} ms each)` : '0');
          return `${progress.done} of ${progress.of} children; cases started ${mean(started)}, updates ${mean(updates)}`;
        },
        () =>
          runSsdSync(deps, (p) => (progress = p)).then(
            (r) => ({ counts: r.counts, failed: undefined }),
            async (err: unknown) => ({ counts: (await ledger.recentRuns(1))[0]?.counts as SsdSyncCounts, failed: err instanceof Error ? `${err.name}: ${err.message}` : String(err) }),
          ),
      );
      const { counts, failed } = m.result;
      const problems: Record<string, number> = {};
      const refusals = new Set<string>();
      for (const item of (await ledger.recentRuns(1))[0]?.report ?? []) {
        problems[item.problem] = (problems[item.problem] ?? 0) + 1;
        if (item.problem.endsWith('-refused') && item.detail !== undefined) refusals.add(`${item.problem}: ${item.detail}`);
      }
      if (refusals.size > 0) console.log(`(${label}: refusals, the first three kinds: ${[...refusals].slice(0, 3).join(' | ')})`);
      if (failed) console.log(`(${label} stopped: ${failed})`);
      phases.push({
        label,
        ...m,
        rows: rows ?? counts.rows,
        rowsLabel,
        opened: counts.opened,
        counts,
        readSeconds,
        storeSeconds: { ...storeSeconds },
        calls: Object.fromEntries(timings),
        problems,
        ...(failed ? { failed } : {}),
        rssAfterMiB: process.memoryUsage().rss / MiB,
      });
    };

    await worker.runUntil(async () => {
      // Unmeasured warm-up, so no phase pays for a cold worker and server.
      const at = new Date().toISOString();
      // The rows as the sync reads them (the reader normalises codes), so both open the same children.
      const source = openSsdSource({ kind: 'csv', dir: csvDir });
      const baseline = importCsvOf((await source.readAll()).rows, teamCodes, staffById, at);
      await source.close();
      console.log(`the import file: ${baseline.children} rows, one per child with an open episode and an allocated worker in a listed team`);
      const warm = readImportFile(baseline.text.split('\n').slice(0, 21).join('\n').replaceAll(`${RUN_ID}I`, `${RUN_ID}W`), BY, new Date());
      await runImport(client, warm, policy, { file: 'warm-up' });
      await caughtUp(performance.now());

      // Baseline: the import of the same children.
      const file = readImportFile(baseline.text, BY, new Date());
      if (file.problems.length > 0)
        throw new Error(
          `the import file has ${file.badLines.size} bad rows: ${file.problems
            .slice(0, 3)
            .map((p) => `line ${p.line} ${p.column}: ${p.message}`)
            .join('; ')}`,
        );
      let imported = 0;
      const m = await measured(
        'CSV import (baseline)',
        () => `${imported} of ${file.rows.length} cases`,
        () =>
          runImport(client, file, policy, {
            file: 'council.csv',
            concurrency: IMPORT_CONCURRENCY,
            teams: { listed: true, codes: Object.values(teamCodes) },
            progress: { tick: (c) => (imported = c.started + c.already + c.refused), stop() {} },
          }),
      );
      phases.push({ label: 'CSV import (baseline)', ...m, rows: file.total, rowsLabel: 'rows of the file', opened: m.result.started, import: m.result, rssAfterMiB: process.memoryUsage().rss / MiB });

      await sync('first sync', undefined, 'rows read');
      await sync('same extract again', undefined, 'rows read');
      if (BUSY_DAYS > 0) {
        await writeSsdCsv(nightBeforeExtract, csvDir);
        await sync(`${BUSY_DAYS} working days' changes`, busyRows, 'rows changed');
      }
      await writeSsdCsv(next, csvDir);
      await sync(`a day's changes (${asOf})`, changedRows, 'rows changed');
    });
    const errors = serverLogErrors(bench.logFile);
    serverErrors = errors.count;
    for (const { msg, count, example } of errors.kinds.slice(0, 5)) console.log(`server log error: ${msg} (${count}; e.g. ${example})`);
  } finally {
    const server = children();
    const peakMiB = process.resourceUsage().maxRSS / 1024;
    await Promise.all([teams.close(), staff.close(), ledger.close(), arrivals.close()]);
    await bench.close({ keep: Boolean(process.env.CASECLOCK_BENCH_KEEP) });
    rmSync(dir, { recursive: true, force: true });
    report(phases, { peakMiB, serverPeakMiB: server.peakMiB, serverErrors, changes, asOf, machine, cache: worker.options.maxCachedWorkflows });
  }
}

function report(phases: Phase[], o: { peakMiB: number; serverPeakMiB: number; serverErrors: number; changes: DayChanges; asOf: string; machine: string; cache: number }): void {
  if (phases.length === 0) return;
  const cols = [
    ['', 28],
    ['seconds', 8],
    ['caught up s', 11],
    ['cases opened', 12],
    ['opened/s', 9],
    ['rows', 8],
    ['CPU s', 7],
    ['CPU ms/row', 10],
    ['server CPU s', 12],
  ] as const;
  const row = (cells: string[]) => console.log(cells.map((c, i) => (i === 0 ? c.padEnd(cols[i]![1]) : c.padStart(cols[i]![1]))).join(' '));
  console.log(`\nSSD sync against the CSV import, ${CHILDREN} children over ${YEARS} years, one worker (a cache of ${o.cache} workflows), the Temporal CLI's dev server (SQLite), run ${RUN_ID}; ${o.machine}`);
  row(cols.map(([h]) => h));
  for (const p of phases) {
    row([
      p.label,
      p.seconds.toFixed(1),
      Number.isFinite(p.caughtUpSeconds) ? p.caughtUpSeconds.toFixed(1) : `>${CATCH_UP_LIMIT_S}`,
      String(p.opened),
      p.opened > 0 ? (p.opened / p.seconds).toFixed(1) : '',
      String(p.rows),
      p.cpu.toFixed(1),
      p.rows > 0 ? ((p.cpu / p.rows) * 1000).toFixed(2) : '',
      p.serverCpu.toFixed(1),
    ]);
  }
  console.log("rows: the file's rows (import), the rows read (a sync), the rows the day changed in the extract (the day's run)");
  console.log('CPU: this process (worker, client, sync, mail server and the embedded store, PGlite, which runs in it), user + system; server CPU: the Temporal dev server');
  for (const p of phases) {
    if (p.counts) {
      const store = Object.entries(p.storeSeconds ?? {})
        .map(([k, v]) => `${k} ${v.toFixed(1)}`)
        .join(', ');
      const calls = Object.entries(p.calls ?? {})
        .map(([k, t]) => `${t.calls} ${k}, ${t.seconds.toFixed(1)} s in all, ${((t.seconds / t.calls) * 1000).toFixed(0)} ms each, longest ${t.longest.toFixed(1)} s`)
        .join('; ');
      console.log(
        `${p.label}${p.failed ? ` STOPPED (${p.failed})` : ''}: ${JSON.stringify(p.counts)}; reading the extract ${p.readSeconds!.toFixed(1)} s; Temporal calls: ${calls || 'none'}; reported: ${JSON.stringify(p.problems ?? {})}; the sync's store calls (s, summed over concurrent calls): ${store}; resident ${p.rssAfterMiB.toFixed(0)} MiB after`,
      );
    } else if (p.import) {
      console.log(`${p.label}: ${p.import.started} started, ${p.import.alreadyThere} already there, ${p.import.refused} refused; resident ${p.rssAfterMiB.toFixed(0)} MiB after`);
    }
  }
  const base = phases.find((p) => p.import);
  const firstSync = phases.find((p) => p.label === 'first sync');
  const day = phases[phases.length - 1]!;
  if (base && firstSync && firstSync.opened > 0) {
    console.log(
      `first sync against the import: ${(firstSync.opened / firstSync.seconds / (base.opened / base.seconds)).toFixed(2)}x the cases opened a second (the sync opens each with its history; the import's rows carry none)`,
    );
  }
  console.log(`the day's changes: ${o.changes.counts.new} new, ${o.changes.counts.changed} changed, ${o.changes.counts.corrected} corrected, ${o.changes.counts.deleted} deleted rows on ${o.asOf}`);
  console.log(`peak resident memory: this process ${o.peakMiB.toFixed(0)} MiB, the Temporal dev server ${o.serverPeakMiB.toFixed(0)} MiB`);
  console.log(`errors in the server log (whole run): ${o.serverErrors}`);
  // Another size is scaled linearly to 10,000 children, and says so: the goal is for 10,000.
  const scale = 10_000 / CHILDREN;
  const verdict = (s: number | undefined, goal: number) => {
    if (s === undefined) return 'not run';
    const at10k = s * scale;
    return `${s.toFixed(0)} s${scale === 1 ? '' : ` for ${CHILDREN}, about ${at10k.toFixed(0)} s scaled linearly to 10,000`}: ${at10k <= goal ? 'met' : 'NOT met'}`;
  };
  console.log(`goal: first sync of 10,000 children within ${GOAL_FIRST_SYNC_S / 60} minutes on one worker: ${verdict(firstSync && !firstSync.failed ? firstSync.seconds : undefined, GOAL_FIRST_SYNC_S)}`);
  console.log(`goal: a day's changes within ${GOAL_DAY_S} s: ${verdict(day.counts ? day.seconds : undefined, GOAL_DAY_S)}`);
  const busy = phases.find((p) => p.label.endsWith("working days' changes"));
  if (busy) console.log(`goal: a day's changes within ${GOAL_DAY_S} s, at about 1,500 rows (${busy.label}, ${busy.rows} rows): ${verdict(busy.counts ? busy.seconds : undefined, GOAL_DAY_S)}`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
