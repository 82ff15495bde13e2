/**
 * `caseclock due` for the kinds of national 2026.2: the stage 3 complaint clocks with their legal
 * basis, the regulation 28 visiting rhythms, and the initial conference counted from the strategy
 * discussion that started the section 47 enquiry (its title from the policy). Every kind the
 * vocabulary knows is answered, and `--help` lists them from it. In process (dueReport), and once
 * through the real bin.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dueReport, formatDueReport } from '../../client/cli/commands/due';
import { loadDefaultPolicy } from '../../domain/policy-loader';
import { OBLIGATION_KINDS } from '../../domain/kinds';

const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'client/cli/caseclock.js');
/** Monday 1 June 2026, 09:00 BST. */
const FROM = '2026-06-01T09:00:00+01:00';

describe('caseclock due: the kinds of national 2026.2', () => {
  it.each<[string, string, RegExp, string]>([
    // Working days from Mon 1 Jun 2026 (no bank holiday until 31 August): 30 → Mon 13 Jul, 5 → Mon 8 Jun, 15 → Mon 22 Jun.
    ['complaint-stage-3-panel', 'Stage 3 review panel within 30 working days of the request', /regulation 19\(4\)/, '2026-07-13T22:59:59.999Z'],
    ['complaint-stage-3-report', "Review panel's report within 5 working days of the panel", /regulation 20\b/, '2026-06-08T22:59:59.999Z'],
    ['complaint-stage-3-response', "Response to the review panel's recommendations within 15 working days", /regulation 20\(3\)/, '2026-06-22T22:59:59.999Z'],
  ])('%s: its title, its basis in the Representations Regulations, and its deadline', (kind, title, basis, dueAt) => {
    const report = dueReport(kind, { from: FROM });
    expect(report).toMatchObject({ kind, title, dueAt, direction: 'after-trigger', basis: { type: 'regulation' }, policy: { id: 'national', version: '2026.2' } });
    expect(report.basis.reference).toMatch(/Representations Procedure \(England\) Regulations 2006/);
    expect(report.basis.reference).toMatch(basis);
  });

  it('the initial conference: 15 working days from the strategy discussion that started the s47 enquiry', () => {
    const report = dueReport('icpc', { from: FROM });
    expect(report.title).toBe(loadDefaultPolicy().baseline['icpc'].title);
    expect(report.title).toMatch(/strategy discussion that started the s47 enquiry/);
    expect(report).toMatchObject({ dueAt: '2026-06-22T22:59:59.999Z', rule: { deadline: { workingDays: 15 } }, basis: { type: 'statutory-guidance' } });
    expect(report.basis.reference).toMatch(/section 47 enquiries were initiated/);
    expect(formatDueReport(report)).toMatch(/^icpc: Initial child protection conference within 15 working days of the strategy discussion that started the s47 enquiry\n/);
  });

  it.each<[string, string]>([
    ['cic-visit-weekly', '2026-06-08T08:00:00.000Z'],
    ['cic-visit-four-weekly', '2026-06-29T08:00:00.000Z'],
    ['cic-visit-with-parent', '2026-07-13T08:00:00.000Z'],
  ])('%s: a regulation 28 visit, due at the same time of day', (kind, dueAt) => {
    const report = dueReport(kind, { from: FROM });
    expect(report).toMatchObject({ kind, dueAt, basis: { type: 'regulation' } });
    expect(report.basis.reference).toMatch(/regulation 28/);
  });

  it('answers every kind the vocabulary knows', () => {
    for (const kind of OBLIGATION_KINDS) expect(dueReport(kind, { from: FROM }).kind, kind).toBe(kind);
  });

  it('through the bin: the text answer, and --help listing every kind', () => {
    const run = spawnSync(process.execPath, [BIN, 'due', 'complaint-stage-3-panel', '--from', FROM], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('complaint-stage-3-panel: Stage 3 review panel within 30 working days of the request');
    expect(run.stdout).toMatch(/due\s+Mon 13 Jul 2026 23:59:59 BST\s+\(2026-07-13T22:59:59\.999Z\)/);
    expect(run.stdout).toContain('rule    30 working days after the trigger');
    const help = spawnSync(process.execPath, [BIN, 'due', '--help'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(help.status).toBe(0);
    const listed = help.stdout.replace(/\s+/g, ' ');
    expect(listed).toContain(`obligation kind: ${OBLIGATION_KINDS.join(', ')}`);
  });
});
