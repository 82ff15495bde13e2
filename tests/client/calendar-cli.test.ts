/**
 * `caseclock calendar`: in process through the program of client/cli/main.ts (`buildProgram`), and end
 * to end through the real bin once every command of client/cli/main.ts exists.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { CommanderError } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildProgram } from '../../client/cli/main';
import { CliError } from '../../client/cli/support';
import type { CalendarReport } from '../../client/cli/commands/calendar';

const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'client/cli/caseclock.js');
/** client/cli/main.ts imports every command; the bin cannot start until they all exist. */
const binCanRun = existsSync(path.join(ROOT, 'client/cli/commands/due.ts'));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `caseclock calendar ...` in process, turning errors into exit codes the way client/cli/main.ts does. */
function runInProcess(args: string[]): Run {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  const program = buildProgram();
  let code = 0;
  try {
    program.parse(['node', 'caseclock', 'calendar', ...args]);
  } catch (err) {
    if (err instanceof CliError) {
      stderr += `caseclock: ${err.message}\n`;
      code = err.exitCode;
    } else if (err instanceof CommanderError) {
      code = err.exitCode === 0 ? 0 : 2;
    } else {
      throw err;
    }
  } finally {
    vi.restoreAllMocks();
  }
  return { code, stdout, stderr };
}

function runBin(args: string[]): Run {
  const result = spawnSync(process.execPath, [BIN, 'calendar', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

const CHRISTMAS_2026 = ['--from', '2026-12-21', '--to', '2027-01-04'];

function expectChristmasTable(run: Run): void {
  expect(run.code).toBe(0);
  expect(run.stderr).toBe('');
  expect(run.stdout).toContain('2026-12-24  Thursday   working day');
  expect(run.stdout).toContain('2026-12-25  Friday     bank holiday: Christmas Day');
  expect(run.stdout).toContain('2026-12-26  Saturday   weekend');
  expect(run.stdout).toContain('2026-12-28  Monday     bank holiday: Boxing Day (substitute day)');
  expect(run.stdout).toContain("2027-01-01  Friday     bank holiday: New Year's Day");
  expect(run.stdout).toContain('8 working days, 3 bank holidays, 4 weekend days');
}

function expectChristmasJson(run: Run): void {
  expect(run.code).toBe(0);
  const report = JSON.parse(run.stdout) as CalendarReport;
  expect(report.from).toBe('2026-12-21');
  expect(report.to).toBe('2027-01-04');
  expect(report.workingDays).toBe(8);
  expect(report.bankHolidays).toEqual([
    { date: '2026-12-25', name: 'Christmas Day' },
    { date: '2026-12-28', name: 'Boxing Day (substitute day)' },
    { date: '2027-01-01', name: "New Year's Day" },
  ]);
  expect(report.days).toHaveLength(15);
  expect(report.days[0]).toEqual({ date: '2026-12-21', weekday: 'Monday', working: true });
  expect(report.days[4]).toEqual({ date: '2026-12-25', weekday: 'Friday', working: false, bankHoliday: 'Christmas Day' });
  expect(report.days[5]).toEqual({ date: '2026-12-26', weekday: 'Saturday', working: false });
}

/** Each bad input, and a pattern its one-line message must match. */
const BAD_INPUTS: Array<[string, string[], RegExp]> = [
  ['missing --from', ['--to', '2026-12-31'], /^caseclock: --from is required/],
  ['missing --to', ['--from', '2026-12-01'], /^caseclock: --to is required/],
  ['unparseable date', ['--from', 'next tuesday', '--to', '2026-12-31'], /^caseclock: --from "next tuesday" is not a calendar date/],
  ['impossible date', ['--from', '2026-12-01', '--to', '2026-02-30'], /^caseclock: --to "2026-02-30" is not a calendar date/],
  ['from after to', ['--from', '2026-12-31', '--to', '2026-12-01'], /^caseclock: --from 2026-12-31 is after --to 2026-12-01$/],
  ['range over five years', ['--from', '2020-01-01', '--to', '2025-01-01'], /^caseclock: the range .* is 1828 days; list at most 366/],
  ['year out of coverage', ['--from', '2031-01-01', '--to', '2031-01-31'], /^caseclock: --from 2031-01-01: 2031 is outside the bank holiday calendar .* \(2015 to 2030\)$/],
  ['range running out of coverage', ['--from', '2030-12-20', '--to', '2031-01-05'], /^caseclock: --to 2031-01-05: 2031 is outside/],
  ['option without its value', ['--to', '2026-12-31', '--from'], /^caseclock: option '--from <date>' argument missing/],
  ['unknown option', ['--form', '2026-12-01', '--to', '2026-12-31'], /^caseclock: unknown option '--form'/],
];

function expectOneLineError(run: Run, pattern: RegExp): void {
  expect(run.code).not.toBe(0);
  expect(run.stdout).toBe('');
  const lines = run.stderr.trimEnd().split('\n');
  expect(lines, run.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
}

describe('caseclock calendar (in process)', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('lists Christmas 2026 as a readable table', () => {
    expectChristmasTable(runInProcess(CHRISTMAS_2026));
  });

  it('--json prints one JSON document', () => {
    expectChristmasJson(runInProcess([...CHRISTMAS_2026, '--json']));
  });

  it('a one-day range and a full leap year are fine', () => {
    expect(runInProcess(['--from', '2026-12-25', '--to', '2026-12-25']).stdout).toContain('0 working days, 1 bank holiday, 0 weekend days');
    expect(runInProcess(['--from', '2028-01-01', '--to', '2028-12-31', '--json']).code).toBe(0);
  });

  it.each(BAD_INPUTS)('%s: exits non-zero with one line', (_name, args, pattern) => {
    expectOneLineError(runInProcess(args), pattern);
  });
});

describe.skipIf(!binCanRun)('caseclock calendar (the bin, end to end)', () => {
  it('lists Christmas 2026 as a readable table', () => {
    expectChristmasTable(runBin(CHRISTMAS_2026));
  });

  it('--json prints one JSON document', () => {
    expectChristmasJson(runBin([...CHRISTMAS_2026, '--json']));
  });

  it.each(BAD_INPUTS)('%s: exits 2 with one line on stderr', (_name, args, pattern) => {
    const run = runBin(args);
    expect(run.code).toBe(2);
    expectOneLineError(run, pattern);
  });
});
