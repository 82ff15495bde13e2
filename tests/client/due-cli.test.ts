/**
 * `caseclock due`, end to end through the real bin (node client/cli/caseclock.js).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { OBLIGATION_KINDS } from '../../domain/kinds';

const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'client/cli/caseclock.js');

function due(...args: string[]) {
  const run = spawnSync(process.execPath, [BIN, 'due', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

function expectOneLineError(run: ReturnType<typeof due>, message: RegExp) {
  expect(run.code).not.toBe(0);
  expect(run.stdout).toBe('');
  const lines = run.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(message);
  expect(run.stderr).not.toMatch(/\n\s+at /);
}

describe('caseclock due', () => {
  it('--json: the 24-hour visit across the spring clock change', () => {
    const run = due('initial-visit-high', '--from', '2026-03-28T20:30:00Z', '--json');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({
      kind: 'initial-visit-high',
      dueAt: '2026-03-29T20:30:00.000Z',
      dueLocal: '2026-03-29T21:30:00.000+01:00',
      basis: { type: 'local-protocol' },
      rule: { deadline: { duration: 'PT24H' } },
      policy: { id: 'national' },
    });
  });

  it('--json: working days over Easter, and a pre-meeting counted back from the meeting', () => {
    expect(JSON.parse(due('serious-incident-notification', '--from', '2026-04-02T15:00:00+01:00', '--json').stdout)).toMatchObject({
      dueAt: '2026-04-13T22:59:59.999Z',
      dueLocal: '2026-04-13T23:59:59.999+01:00',
    });
    expect(JSON.parse(due('conference-pre-meeting', '--from', '2026-04-17T10:00:00+01:00', '--json').stdout)).toMatchObject({
      direction: 'before-meeting',
      dueAt: '2026-04-15T22:59:59.999Z',
    });
  });

  it.each([
    // As the import takes a date: UK local time as typed, day/month/year or ISO, or an instant with an offset.
    ['28/03/2026 20:30', '2026-03-29T20:30:00.000Z'],
    ['2026-03-28T20:30', '2026-03-29T20:30:00.000Z'],
    ['28/03/2026', '2026-03-29T00:00:00.000Z'],
    ['2026-03-28T20:30:00Z', '2026-03-29T20:30:00.000Z'],
  ])('--from %j is UK local time as typed', (from, dueAt) => {
    const run = due('initial-visit-high', '--from', from, '--json');
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ dueAt });
  });

  it('readable text by default', () => {
    const run = due('kit-call', '--from', '2026-10-20T09:00:00Z');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('kit-call: Keeping-in-touch call at least every two weeks');
    expect(run.stdout).toMatch(/due\s+Tue 3 Nov 2026 10:00:00 GMT\s+\(2026-11-03T10:00:00\.000Z\)/);
    expect(run.stdout).toContain('policy  national');
  });

  it('--policy: the Worcestershire overlay', () => {
    const run = due('kit-call', '--from', '2020-06-10T09:00:00Z', '--policy', 'domain/policies/worcestershire-phase2.json', '--json');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ rule: { overlays: ['wcf-phase2-2020'] }, policy: { id: 'worcestershire-phase2' } });
  });

  describe('bad input: one line, non-zero exit, no stack trace', () => {
    it('an unknown kind lists the valid ones', () => {
      expectOneLineError(due('tea-break', '--from', '2026-03-28T20:30:00Z'), new RegExp(`^caseclock: unknown obligation kind "tea-break"; valid kinds: ${OBLIGATION_KINDS.join(', ')}$`));
    });
    it('an impossible date', () => {
      expectOneLineError(due('icpc', '--from', '2026-02-30T10:00:00Z'), /^caseclock: --from "2026-02-30T10:00:00Z" is not a real date and time/);
    });
    it('an unparseable date', () => {
      expectOneLineError(due('icpc', '--from', 'next tuesday'), /^caseclock: --from "next tuesday" is not a date: dates are day\/month\/year, e\.g\. 30\/11\/2026/);
    });
    it('a UK local time the clocks skip', () => {
      expectOneLineError(due('icpc', '--from', '2026-03-29T01:30:00'), /^caseclock: --from "2026-03-29T01:30:00" does not exist in UK time \(the clocks go forward that night\)$/);
    });
    it('a month/day date', () => {
      expectOneLineError(due('icpc', '--from', '03/28/2026 20:30'), /^caseclock: --from "03\/28\/2026 20:30" is month\/day\/year \(28 cannot be a month\): dates are day\/month\/year, so write it 28\/03\/2026 20:30$/);
    });
    it('a missing --from', () => {
      expectOneLineError(due('icpc'), /^caseclock: --from is required/);
    });
    it('an unreadable policy file', () => {
      expectOneLineError(due('icpc', '--from', '2026-03-28T20:30:00Z', '--policy', '/nonexistent/policy.json'), /^caseclock: policy file \/nonexistent\/policy\.json: no such file$/);
    });
    it('an invalid policy file names the field', () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'caseclock-due-'));
      const doc = JSON.parse(readFileSync(path.join(ROOT, 'domain/policies/national.json'), 'utf8'));
      doc.rules['kit-call'].deadline.duration = '14 days';
      const file = path.join(dir, 'x.json');
      writeFileSync(file, JSON.stringify(doc));
      expectOneLineError(due('kit-call', '--from', '2026-03-28T20:30:00Z', '--policy', file), /^caseclock: policy file .*x\.json: rules\.kit-call\.deadline\.duration: must be an ISO-8601 duration such as P14D/);
    });
    it('a year the calendar does not cover', () => {
      expectOneLineError(due('icpc', '--from', '2040-06-15T10:00:00Z'), /^caseclock: --from "2040-06-15T10:00:00Z": no England and Wales bank holidays are known for 2040/);
    });
  });
});
