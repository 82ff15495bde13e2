/**
 * The command line's newer inputs on a real case: a placement with its type and legal status, a
 * strategy discussion that did (or did not) start the section 47 enquiry, a child in care review
 * with its number, and a stage 3 complaint through its review panel, the panel's report and the
 * response. In process (main()), against the run's dev server, with a worker on the production
 * task queue (the command line's), as in cli-cases.test.ts. Bad input for the same flags, refused
 * before and by the case, is in tests/input/cli-matrix.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../client/cli/main';
import { startCliWorker, throwawayEncryptionEnv, type CliWorker } from '../support/cli-worker';
import { storeUrl } from '../support/case-record';
import { devServerAddress, uniqueName } from '../support/temporal-env';

const ENCRYPTION_ENV = throwawayEncryptionEnv();
let cliWorker: CliWorker;
let saved: Record<string, string | undefined> = {};

/** Runs the command line in this process; its exit code and output. */
async function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  try {
    const code = await main(['node', 'caseclock', ...args]);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

/** A command that must succeed: its JSON output (`--json` after the command's words). */
async function ok(...args: string[]): Promise<Record<string, any>> {
  const words = args[0] === 'meeting' ? 2 : 1;
  const done = await run(...args.slice(0, words), '--json', ...args.slice(words));
  expect(done.stderr, args.join(' ')).toBe('');
  expect(done.code, args.join(' ')).toBe(0);
  return JSON.parse(done.stdout) as Record<string, any>;
}

const openKinds = (answer: Record<string, any>): string[] => (answer['state'].open as Array<{ kind: string }>).map((o) => o.kind);

beforeAll(async () => {
  cliWorker = await startCliWorker(ENCRYPTION_ENV);
  const env = { ...ENCRYPTION_ENV, TEMPORAL_ADDRESS: devServerAddress(), TEMPORAL_NAMESPACE: cliWorker.namespace, CASECLOCK_STORE_URL: storeUrl(), CASECLOCK_USER: 'admin1', CASECLOCK_POLICY: '' };
  saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
});

afterAll(async () => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await cliWorker?.close();
});

describe('recording from the command line on national 2026.2', () => {
  it('a strategy discussion with --no-s47 opens no conference clock, one with --s47-started does; a placement with a parent under an interim care order is visited weekly until the first review, then four-weekly', async () => {
    const caseId = uniqueName('CLI-RHYTHM');
    const opened = await ok('open', caseId, '--reference', 'REF-R', '--team', uniqueName('TEAM').slice(0, 40), '--tier', 'VULNERABLE', '--reason', 'rated');
    expect(opened['state'].policyVersion).toBe('2026.2');

    const noS47 = await ok('strategy', caseId, '--no-s47');
    expect(noS47['event']).toMatchObject({ type: 'strategy-discussion', s47Started: false });
    expect(openKinds(noS47)).not.toContain('icpc');
    const s47 = await ok('strategy', caseId, '--s47-started');
    expect(s47['event']).toMatchObject({ type: 'strategy-discussion', s47Started: true });
    expect(openKinds(s47)).toContain('icpc');

    await ok('looked-after', caseId, 'started');
    const placed = await ok('placement', caseId, '--id', 'P1', '--type', 'with-parent', '--legal-status', 'interim-care-order');
    expect(placed['event']).toMatchObject({ type: 'placement-started', placementId: 'P1', placementType: 'with-parent', legalStatus: 'interim-care-order' });
    expect(openKinds(placed)).toContain('cic-visit-weekly');
    expect(openKinds(placed)).not.toContain('cic-visit-first');

    // The first review (numbered) ends the weekly rhythm.
    const reviewed = await ok('meeting', 'held', caseId, '--type', 'cic-review', '--review-number', '1');
    expect(reviewed['event']).toMatchObject({ type: 'meeting-held', meetingType: 'cic-review', reviewNumber: 1 });
    expect(openKinds(reviewed)).toEqual(expect.arrayContaining(['cic-visit-four-weekly', 'cic-review-second']));
    expect(openKinds(reviewed)).not.toContain('cic-visit-weekly');

    const shown = await run('show', caseId);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain('Strategy discussion (no section 47 enquiry started)');
    expect(shown.stdout).toContain('Strategy discussion (section 47 enquiry started)');
    expect(shown.stdout).toContain('Placement P1 started (living with a parent, interim care order)');
    expect(shown.stdout).toContain('Child in care review held (review 1 of the episode)');
  });

  it('a stage 3 complaint: the request opens the panel clock, the panel the report clock, the report the response clock, and the response meets it', async () => {
    const caseId = uniqueName('CLI-STAGE3');
    await ok('open', caseId, '--reference', 'REF-C', '--team', uniqueName('TEAM').slice(0, 40));
    const complaintKinds = (answer: Record<string, any>) => openKinds(answer).filter((k) => k.startsWith('complaint-'));

    const requested = await ok('complaint', caseId, 'received', '--id', 'C3', '--stage', '3');
    expect(requested['event']).toMatchObject({ type: 'complaint-received', complaintId: 'C3', stage: 3 });
    expect(complaintKinds(requested)).toEqual(['complaint-stage-3-panel']);

    // The report before the panel is refused, naming the option, and changes nothing.
    const early = await run('complaint', caseId, 'panel-reported', '--id', 'C3');
    expect(early.code).toBe(1);
    expect(early.stderr).toBe('caseclock: recordEvent refused: --id: the review panel on complaint C3 is not recorded yet\n');

    const panel = await ok('complaint', caseId, 'panel-held', '--id', 'C3');
    expect(panel['event']).toMatchObject({ type: 'complaint-panel-held', complaintId: 'C3' });
    expect(panel['event']).not.toHaveProperty('stage');
    expect(complaintKinds(panel)).toEqual(['complaint-stage-3-report']);

    const reported = await ok('complaint', caseId, 'panel-reported', '--id', 'C3');
    expect(complaintKinds(reported)).toEqual(['complaint-stage-3-response']);

    const responded = await ok('complaint', caseId, 'responded', '--id', 'C3', '--stage', '3');
    expect(complaintKinds(responded)).toEqual([]);

    const shown = await run('show', caseId);
    expect(shown.code, shown.stderr).toBe(0);
    const steps = [
      'Review panel requested for complaint C3 (stage 3)',
      'Review panel on complaint C3 met',
      "Review panel's report on complaint C3 sent",
      "Response to the review panel's recommendations on complaint C3 sent",
    ];
    const at = steps.map((step) => shown.stdout.indexOf(step));
    expect(
      at.every((i) => i >= 0),
      shown.stdout,
    ).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
  });
});
