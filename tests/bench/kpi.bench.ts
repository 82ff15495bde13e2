/**
 * The visiting KPI report for a council's caseload, read from the case-record store, side by side
 * with the way it was read before the store (asking every case's workflow for its obligations),
 * in one run (a plain script, no assertions):
 *   npm run bench:kpi              # 10,000 cases in the store; 200 running cases for the old way
 *   npm run bench:kpi -- 5000      # or as many cases in the store as given
 * The store's cases are written as the workflows write them: each case a year of visits and
 * keeping-in-touch calls, every obligation's outcome as it opened and as it ended (one in ten
 * late, one in twenty missed). The old way is measured on real cases on a dev server of its own
 * and scaled to the same number of cases (it grows one query per case).
 */
import { performance } from 'node:perf_hooks';
import pLimit from 'p-limit';
import { Worker } from '@temporalio/worker';
import { kpiFromStore } from '../../client/case-record';
import { caseRecordEntryId } from '../../workflows/case-record/entries';
import { openCase } from '../../common/cases';
import { listCases } from '../../common/case-listing';
import { caseWorkflowId, obligationsQuery } from '../../workflows/messages';
import { computeKpi } from '../../client/kpi';
import { loadDefaultSnapshot } from '../../domain/policy-loader';
import type { CaseRecordEntryInput } from '../../store/case-record-store';
import { startScriptStore } from '../support/script-store';
import { BENCH_CONTACTS, startBenchServer, workflowCount } from './bench-support';

const CASES = workflowCount(10_000);
const OLD_WAY_CASES = 200;
const TEAMS = ['LOCALITY-NORTH', 'LOCALITY-SOUTH', 'LOCALITY-EAST', 'LOCALITY-WEST', 'CIN-1', 'CIN-2', 'CP-1', 'CP-2'];
const TIERS = ['HIGH_IMMEDIATE', 'PRIORITY', 'VULNERABLE'];
const DAY = 86_400_000;
const YEAR_START = Date.parse('2026-01-05T10:00:00Z');

const line = (label: string, value: string, baseline: string, ratio?: number) =>
  console.log(`${label.padEnd(52)} ${value.padStart(14)} | ${baseline.padStart(14)}${ratio === undefined ? '' : `   ratio ${ratio.toFixed(3)}`}`);

/** One case's outcome entries for a year: KIT calls every 14 days and visits every 28, as the workflow writes them. */
function caseOutcomes(n: number): CaseRecordEntryInput[] {
  const caseId = `KPI-${String(n).padStart(6, '0')}`;
  const team = TEAMS[n % TEAMS.length]!;
  const tier = TIERS[n % TIERS.length]!;
  const entries: CaseRecordEntryInput[] = [];
  let seq = 0;
  const add = (kind: string, triggeredMs: number, dueMs: number, ending: 'met' | 'late' | 'missed') => {
    const id = `${kind}@${new Date(triggeredMs).toISOString()}`;
    const obligation = { id, kind, title: kind, triggeredAt: new Date(triggeredMs).toISOString(), dueAt: new Date(dueMs).toISOString() };
    const write = (status: string, atMs: number, extra: Record<string, unknown> = {}) =>
      entries.push({
        entryId: caseRecordEntryId('case', caseId, 'outcome', seq),
        caseId,
        subject: 'case',
        kind: 'outcome',
        at: new Date(atMs).toISOString(),
        recordedAt: new Date(atMs).toISOString(),
        by: 'caseclock',
        summary: `${kind} (${id}) ${status}`,
        data: { seq: seq++, team, tier, obligation: { ...obligation, status, ...extra } },
      });
    write('open', triggeredMs);
    if (ending === 'met') write('met', dueMs - DAY, { resolvedAt: new Date(dueMs - DAY).toISOString() });
    else if (ending === 'late') write('met', dueMs + 2 * DAY, { resolvedAt: new Date(dueMs + 2 * DAY).toISOString(), lateByMs: 2 * DAY });
  };
  for (let i = 0; i < 26; i++) {
    const ending = (n + i) % 20 === 0 ? 'missed' : (n + i) % 10 === 0 ? 'late' : 'met';
    add('kit-call', YEAR_START + i * 14 * DAY, YEAR_START + (i + 1) * 14 * DAY, ending);
    if (i % 2 === 0 && tier === 'PRIORITY') add('visit-priority', YEAR_START + i * 14 * DAY, YEAR_START + (i + 2) * 14 * DAY, ending);
  }
  return entries;
}

async function timed<T>(fn: () => Promise<T>, runs = 3): Promise<{ ms: number; result: T }> {
  const times: number[] = [];
  let result: T | undefined;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    result = await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)]!, result: result as T };
}

async function main(): Promise<void> {
  const store = await startScriptStore();
  const loadStart = performance.now();
  let rows = 0;
  let batch: CaseRecordEntryInput[] = [];
  for (let n = 0; n < CASES; n++) {
    batch.push(...caseOutcomes(n));
    if (batch.length >= 900 || n === CASES - 1) {
      await store.store.append(batch);
      rows += batch.length;
      batch = [];
    }
  }
  console.log(`store loaded: ${CASES} cases, ${rows} outcome entries in ${((performance.now() - loadStart) / 1000).toFixed(1)} s`);

  const now = new Date(YEAR_START + 400 * DAY).toISOString();
  const month = { from: '2026-03-01', to: '2026-03-31' };
  const year = { from: '2026-01-01', to: '2026-12-31' };
  const fromStoreMonth = await timed(() => kpiFromStore(store.store, {}, month, now));
  const fromStoreYear = await timed(() => kpiFromStore(store.store, {}, year, now));
  const fromStoreTeam = await timed(() => kpiFromStore(store.store, { team: 'LOCALITY-NORTH' }, year, now));

  // The old way: every case's workflow asked for its obligations (4 at a time), on real cases.
  const bench = await startBenchServer('caseclock-kpi-bench');
  const worker = await Worker.create({ connection: bench.nativeConnection, taskQueue: 'bench-kpi', workflowBundle: bench.caseBundle, activities: bench.activities });
  let oldWayMs = NaN;
  await worker.runUntil(async () => {
    const policy = loadDefaultSnapshot();
    for (let i = 0; i < OLD_WAY_CASES; i += 20) {
      await Promise.all(
        Array.from({ length: 20 }, (_, k) =>
          openCase(
            bench.client,
            { caseId: `OLD-${i + k}`, details: { reference: `OLD-${i + k}`, team: 'LOCALITY-NORTH', contacts: BENCH_CONTACTS }, openedBy: 'bench', initialTier: { tier: 'PRIORITY', reason: 'bench' } },
            policy,
            { taskQueue: 'bench-kpi' },
          ),
        ),
      );
    }
    const old = await timed(async () => {
      const listed = await listCases(bench.client, { includeClosed: true });
      const cases = await pLimit(4).map(listed, async (l) => ({ team: l.team ?? '', tier: l.tier ?? '', obligations: await bench.client.workflow.getHandle(caseWorkflowId(l.caseId)).query(obligationsQuery) }));
      return computeKpi(cases, year, now);
    });
    oldWayMs = old.ms;
  });
  await bench.close();
  await store.stop();

  console.log('');
  line('KPI report (store | each workflow asked)', 'store', 'workflows');
  line(`one month, all teams, ${CASES} cases`, `${fromStoreMonth.ms.toFixed(0)} ms`, `${((oldWayMs / OLD_WAY_CASES) * CASES).toFixed(0)} ms*`, fromStoreMonth.ms / ((oldWayMs / OLD_WAY_CASES) * CASES));
  line(`one year, all teams, ${CASES} cases`, `${fromStoreYear.ms.toFixed(0)} ms`, `${((oldWayMs / OLD_WAY_CASES) * CASES).toFixed(0)} ms*`, fromStoreYear.ms / ((oldWayMs / OLD_WAY_CASES) * CASES));
  line(`one year, one team of ${TEAMS.length}`, `${fromStoreTeam.ms.toFixed(0)} ms`, '');
  line('rows in the year report (store)', String(fromStoreYear.result.rows.length), '');
  console.log(`* measured on ${OLD_WAY_CASES} running, cached cases (${oldWayMs.toFixed(0)} ms) and scaled to ${CASES}; a case evicted from the worker's cache is replayed to answer, so the real figure is higher`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
