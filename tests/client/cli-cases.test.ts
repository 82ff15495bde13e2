/**
 * The `caseclock` case commands end to end: the real bin (node client/cli/caseclock.js) in a child
 * process, against the run's dev server, with a worker (real workflows, real email activities into
 * an in-process SMTP server) running in this test process.
 *
 * The bin opens cases on the production task queue (TASK_QUEUE), so the worker here polls it; each
 * test uses its own case ids and its own team, and listings are filtered by that team.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { caseTimeline } from '../../common/cases';
import { main } from '../../client/cli/main';
import { localDateOf } from '../../domain/durations';
import { startCliWorker, throwawayEncryptionEnv, type CliWorker } from '../support/cli-worker';
import { devServerAddress, uniqueName } from '../support/temporal-env';
import { storeUrl } from '../support/case-record';
import { waitUntilClosed } from '../case/harness';
import { runCaseclock, type CliRun } from '../support/caseclock-bin';

const ROOT = path.resolve(__dirname, '../..');
const HOUR = 3_600_000;
/** Case data is encrypted in production: the bin and the worker here share a throwaway key. */
const ENCRYPTION_ENV = throwawayEncryptionEnv();

type Run = CliRun;

/** Reads what the bin wrote (encrypted), to check a refused action changed nothing. */
let client: Client;
let cliWorker: CliWorker;

/** Runs the bin asynchronously (a blocking spawn would starve the worker in this process). */
function caseclock(...args: string[]): Promise<Run> {
  return runCaseclock(args, { ...ENCRYPTION_ENV, TEMPORAL_ADDRESS: devServerAddress(), TEMPORAL_NAMESPACE: cliWorker.namespace, CASECLOCK_STORE_URL: storeUrl(), CASECLOCK_USER: 'admin1', CASECLOCK_POLICY: '' });
}

async function json<T = Record<string, any>>(...args: string[]): Promise<T> {
  const run = await caseclock(...args, '--json');
  expect(run.stderr, `caseclock ${args.join(' ')}`).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as T;
}

/** Runs the command line in this process: for input refused before any connection is made. */
async function inProcess(...args: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  try {
    const code = await main(['node', 'caseclock', ...args]);
    return { code, stdout, stderr };
  } finally {
    vi.restoreAllMocks();
  }
}

function expectOneLineError(run: Run, pattern: RegExp): void {
  expect(run.code, run.stderr).not.toBe(0);
  expect(run.stdout).toBe('');
  const lines = run.stderr.trimEnd().split('\n');
  expect(lines, run.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
}

/** Search attributes are eventually consistent: asks again until `done` holds (or gives up). */
async function poll<T>(ask: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await ask();
    if (done(value) || Date.now() > until) return value;
    await new Promise((r) => setTimeout(r, 500));
  }
}

beforeAll(async () => {
  cliWorker = await startCliWorker(ENCRYPTION_ENV);
  ({ client } = cliWorker);
  // In-process runs (main()) read the same settings as the bin.
  Object.assign(process.env, ENCRYPTION_ENV, { TEMPORAL_ADDRESS: devServerAddress(), TEMPORAL_NAMESPACE: cliWorker.namespace, CASECLOCK_STORE_URL: storeUrl(), CASECLOCK_USER: 'admin1', CASECLOCK_POLICY: '' });
});

afterAll(async () => {
  await cliWorker?.close();
});

describe('caseclock --help', () => {
  it('lists the commands, and each command explains its options', async () => {
    const top = await caseclock('--help');
    expect(top.code).toBe(0);
    for (const name of ['open', 'visit', 'kit-call', 'meeting', 'show', 'overdue', 'due-soon', 'report', 'incident', 'close']) {
      expect(top.stdout).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
    }
    const visit = await inProcess('visit', '--help');
    expect(visit.code).toBe(0);
    expect(visit.stdout).toContain('--seen-alone');
    expect(visit.stdout).toContain('--as <userId>');
  });
});

describe('a case from the command line', () => {
  it('opens a case, records a visit, and shows it as text and JSON', async () => {
    const caseId = uniqueName('CLI');
    const team = uniqueName('TEAM').slice(0, 40);
    const opened = await json(
      'open',
      caseId,
      '--reference',
      'REF-1',
      '--team',
      team,
      '--tier',
      'PRIORITY',
      '--reason',
      'rated by team manager',
      '--worker',
      'Sam Worker <worker@council.test>',
      '--manager',
      'Tess Manager <manager@council.test>',
    );
    expect(opened.state).toMatchObject({ caseId, tier: 'PRIORITY', status: 'open', details: { team } });
    expect(opened.state.open.map((o: { kind: string }) => o.kind)).toContain('initial-visit-priority');

    const visited = await json('visit', caseId, '--seen-alone', '--as', 'sw42');
    expect(visited.event).toMatchObject({ type: 'contact', contactType: 'visit', childSeenAlone: true, by: 'sw42' });
    const kinds = visited.state.open.map((o: { kind: string }) => o.kind);
    expect(kinds).not.toContain('initial-visit-priority');
    expect(kinds).toContain('visit-priority');

    const text = await caseclock('show', caseId);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(`Case ${caseId} (reference REF-1, team ${team})`);
    expect(text.stdout).toMatch(/Open obligations: \d+/);
    expect(text.stdout).toMatch(/due \w{3} \d{1,2} \w{3} \d{4}, \d\d:\d\d (GMT|BST): due in 1[34] days/);
    expect(text.stdout).toMatch(/sw42\s+Visit \(child seen alone\)/);
    expect(text.stdout).toMatch(/admin1\s+Risk tier set to Priority/);
    expect(text.stdout).toContain('tier Priority (rated by team manager)');
    expect(text.stdout).toContain('people: Sam Worker (allocated worker), Tess Manager (team manager)');
    expect(text.stdout).not.toMatch(/PRIORITY|team-manager|allocated-worker/); // obligation ids (for ack) keep their kind

    const shown = await json('show', caseId);
    expect(shown.state.caseId).toBe(caseId);
    // The case's summary from the store (written by the case, never asked of it), already showing the visit.
    expect(shown.state.writtenAt >= visited.event.at).toBe(true);
    expect(shown.state.open.map((o: { kind: string }) => o.kind)).toContain('visit-priority');
    expect(shown.open[0]).toMatchObject({ dueLocal: expect.stringMatching(/[+]0[01]:00$/), overdueByMs: 0 });
    expect(shown.timeline.map((t: { summary: string }) => t.summary)).toEqual(['Risk tier set to PRIORITY', 'Visit (child seen alone)']);
  });

  it('refuses bad actions with one line, a non-zero exit, and no change to the case', async () => {
    const caseId = uniqueName('CLI');
    await json('open', caseId, '--reference', 'REF-2', '--team', 'LOCALITY-SOUTH', '--tier', 'VULNERABLE', '--reason', 'rated');
    const meeting = ['meeting', 'schedule', caseId, '--meeting', 'CG1', '--type', 'core-group', '--date', new Date(Date.now() + 72 * HOUR).toISOString()];
    expect((await caseclock(...meeting)).code).toBe(0);
    const before = await caseTimeline(client, caseId);

    // Refused by the case: nothing reaches its history.
    const [early, twice, unknown] = await Promise.all([caseclock('visit', caseId, '--at', '2001-01-01T10:00:00Z'), caseclock(...meeting), caseclock('visit', uniqueName('NOSUCH'))]);
    expectOneLineError(early, /^caseclock: .*at: is before the case was opened/);
    expectOneLineError(twice, /^caseclock: .*meeting CG1 is already recorded/);
    expectOneLineError(unknown, /^caseclock: no case NOSUCH-/);
    expect(await caseTimeline(client, caseId)).toEqual(before);
    expectOneLineError(await caseclock('show', uniqueName('NOSUCH')), /^caseclock: no case NOSUCH-/);

    // Refused before anything is sent: a bad tier, an impossible date, a missing option, nobody acting.
    expectOneLineError(await inProcess('tier', caseId, 'HIGH', '--reason', 'x', '--as', 'tm1'), /^caseclock: <tier> "HIGH": must be one of: HIGH_IMMEDIATE, PRIORITY, VULNERABLE$/);
    expectOneLineError(await inProcess('kit-call', caseId, '--at', '2026-02-30T10:00:00Z', '--as', 'sw1'), /^caseclock: --at "2026-02-30T10:00:00Z" is not a real date and time/);
    expectOneLineError(await inProcess('close', caseId, '--as', 'tm1'), /^caseclock: --reason is required$/);
    const saved = process.env['CASECLOCK_USER'];
    delete process.env['CASECLOCK_USER'];
    try {
      expectOneLineError(await inProcess('kit-call', caseId), /^caseclock: who is making this change\? pass --as <userId> or set CASECLOCK_USER$/);
    } finally {
      if (saved !== undefined) process.env['CASECLOCK_USER'] = saved;
    }
  });

  it('lists overdue and due-soon cases by team and tier, and reports the visiting KPI', async () => {
    const team = uniqueName('KPI').slice(0, 40);
    const late = uniqueName('LATE');
    const soon = uniqueName('SOON');
    const ratedAt = new Date(Date.now() - 25 * HOUR).toISOString();
    await Promise.all([
      json('open', late, '--reference', 'REF-L', '--team', team, '--tier', 'HIGH_IMMEDIATE', '--reason', 'rated yesterday', '--rated-at', ratedAt, '--worker', 'Wren Worker <wren@council.test>'),
      json('open', soon, '--reference', 'REF-S', '--team', team, '--tier', 'PRIORITY', '--reason', 'rated').then(() => json('visit', soon)),
    ]);

    const overdue = await poll(
      () => json<{ cases: Array<{ caseId: string; overdueCount: number; worker?: string; mostOverdue?: { kind: string; title: string; lateByMs: number } }> }>('overdue', '--team', team),
      (l) => l.cases.length >= 1,
    );
    expect(overdue.cases.map((c) => c.caseId)).toEqual([late]);
    // From the case's summary: its allocated worker and the obligation furthest past its deadline.
    expect(overdue.cases[0]).toMatchObject({ worker: 'Wren Worker', mostOverdue: { kind: 'initial-visit-high', title: 'Visit within 24 hours (High and Immediate risk)' } });
    expect(overdue.cases[0]!.mostOverdue!.lateByMs).toBeGreaterThan(HOUR / 2);

    const end = localDateOf(new Date(Date.now() + 20 * 24 * HOUR).toISOString());
    const [text, within, nextDay, kpi] = await Promise.all([
      caseclock('overdue', '--team', team, '--tier', 'HIGH_IMMEDIATE'),
      poll(
        () => json<{ cases: Array<{ caseId: string }> }>('due-soon', '--team', team, '--within', 'P15D'),
        (l) => l.cases.length >= 2,
      ),
      json<{ cases: Array<{ caseId: string }> }>('due-soon', '--team', team, '--within', 'P1D'),
      poll(
        () => json<{ rows: Array<Record<string, unknown>> }>('report', '--from', localDateOf(ratedAt), '--to', end, '--team', team),
        (r) => r.rows.length >= 2,
      ),
    ]);
    expect(text.stdout).toMatch(/^case\s+team\s+tier\s+overdue\s+most overdue\s+allocated worker\s+next deadline$/m);
    expect(text.stdout).toMatch(new RegExp(`^${late}\\s+${team}\\s+High and immediate\\s+1\\s+Visit within 24 hours \\(High and Immediate risk\\) \\(1 hour.* overdue\\)\\s+Wren Worker\\s+.*\\(1 hour.* overdue\\)`, 'm'));
    expect(within.cases.map((c) => c.caseId).sort()).toEqual([late, soon].sort());
    expect(nextDay.cases.map((c) => c.caseId)).toEqual([late]);
    expect(kpi.rows).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ team, tier: 'HIGH_IMMEDIATE', kind: 'initial-visit-high', overdue: 1, missed: 0, onTime: 0 }),
        expect.objectContaining({ team, tier: 'PRIORITY', kind: 'initial-visit-priority', onTime: 1, late: 0, missed: 0 }),
      ]),
    );

    // The whole record of a case, from the case-record store.
    const exported = JSON.parse((await caseclock('export', late)).stdout) as { caseId: string; entries: Array<{ kind: string; summary: string }> };
    expect(exported.caseId).toBe(late);
    expect(exported.entries.filter((e) => e.kind === 'event').map((e) => e.summary)).toContain('Risk tier set to HIGH_IMMEDIATE');
    expect(exported.entries.some((e) => e.kind === 'outcome')).toBe(true);
  });

  it('holds, reassigns, re-applies policy and closes a case; reports and notifies an incident (in process)', async () => {
    const caseId = uniqueName('LIFE');
    const incidentId = uniqueName('SI');
    const ok = async (...args: string[]) => {
      const run = await inProcess(...args, '--json');
      expect(run.stderr, args.join(' ')).toBe('');
      expect(run.code).toBe(0);
      return JSON.parse(run.stdout) as Record<string, any>;
    };
    await ok('open', caseId, '--reference', 'REF-3', '--team', 'LOCALITY-EAST', '--tier', 'VULNERABLE', '--reason', 'rated');
    const held = await ok('hold', caseId, '--id', 'H1', '--kind', 'kit-call', '--reason', 'child in hospital', '--as', 'tm1');
    expect(held.state.open.find((o: { kind: string }) => o.kind === 'kit-call')).toMatchObject({ onHold: true });
    await ok('resume', caseId, '--id', 'H1', '--as', 'tm1');
    const reassigned = await ok('reassign', caseId, '--role', 'allocated-worker', '--name', 'New Worker', '--email', 'new@council.test');
    expect(reassigned.state.details.contacts['allocated-worker']).toEqual({ name: 'New Worker', email: 'new@council.test' });
    const applied = await ok('apply-policy', caseId, '--policy', path.join(ROOT, 'domain/policies/worcestershire-phase2.json'), '--mode', 'forward');
    // The overlay's version as shipped (it was 2020.06 before counting conventions 2).
    expect(applied.state.policyVersion).toBe((JSON.parse(readFileSync(path.join(ROOT, 'domain/policies/worcestershire-phase2.json'), 'utf8')) as { version: string }).version);
    const closed = await ok('close', caseId, '--reason', 'no further action');
    expect(closed.state).toMatchObject({ status: 'closed', open: [] });
    // Refused at once, while the case still writes its last entries to the store, and after it has ended.
    expectOneLineError(await inProcess('kit-call', caseId), new RegExp(`^caseclock: (case ${caseId} is closed: nothing more can be changed|recordEvent refused: the case is closed: nothing more can be recorded)$`));
    await waitUntilClosed(client.workflow.getHandle(`case:${caseId}`));
    expectOneLineError(await inProcess('kit-call', caseId), new RegExp(`^caseclock: case ${caseId} is closed: nothing more can be changed$`));
    expectOneLineError(await inProcess('incident', 'notified', uniqueName('NOSUCH')), /^caseclock: no incident NOSUCH-/);

    await ok('incident', 'report', incidentId, '--team', 'LOCALITY-EAST', '--case', caseId, '--manager', 'Tess Manager <manager@council.test>');
    const notified = await ok('incident', 'notified', incidentId);
    expect(notified.state.open.map((o: { kind: string }) => o.kind)).toEqual(['rapid-review']);
    const shown = await ok('incident', 'show', incidentId);
    expect(shown.timeline.map((t: { summary: string }) => t.summary)).toEqual(['Incident reported', 'Incident notified']);
  });
});
