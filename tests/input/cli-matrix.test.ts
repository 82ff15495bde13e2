/**
 * Bad input, tried systematically against every `caseclock` command and subcommand: missing and
 * unknown arguments and options, wrong types, unknown tiers, kinds, events and meeting types,
 * unparseable, impossible and far-future dates, huge strings, control and bidi characters, ids
 * with path or query syntax; then events that do not fit the case (out of order, twice, unknown).
 *
 * Every refusal: a non-zero exit, nothing on stdout, exactly one line on stderr starting with
 * `caseclock: ` and naming the argument or option at fault, no stack trace, nothing invisible
 * echoed back, and the same refusal with `--json` (there is no JSON error document: a script
 * reads the exit code and the one line on stderr).
 *
 * Input refused before any connection runs in process (`main()`) with TEMPORAL_ADDRESS on a
 * closed port and Connection.connect failing at once, counted: a field error, never a connection
 * error, and no connection attempted. Input only the case can judge runs in process against the
 * run's dev server with a real worker on the production task queue (the CLI's queue), and the
 * case's history (every event, one for one), history length and timeline are unchanged after each.
 */
import path from 'node:path';
import { type Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CASE_ACTIONS, type CaseAction } from '../../client/actions/case-actions';
import { caseTimeline } from '../../common/cases';
import { caseWorkflowId, incidentWorkflowId } from '../../workflows/messages';
import { startCliWorker, throwawayEncryptionEnv, type CliWorker } from '../support/cli-worker';
import { devServerAddress, uniqueName } from '../support/temporal-env';
import { storeUrl } from '../support/case-record';
import { runCaseclock, type CliRun } from '../support/caseclock-bin';
import { runCaseclockInProcess } from '../support/caseclock-in-process';

const ROOT = path.resolve(__dirname, '../..');
const HOUR = 3_600_000;
const ENCRYPTION_ENV = throwawayEncryptionEnv();
const CLOSED_PORT = '127.0.0.1:1';

// Hostile values.
const C = 'WCF-123';
const BIG = 'x'.repeat(100_000);
const NUL = 'a\u0000b';
const ESC = '\u001b[31mred\u001b[0m';
const RLO = 'WCF\u202e321';
const CSI8 = 'a\u009b2Jb';
const IMPOSSIBLE = '2026-02-30T10:00:00Z';
const YEAR_9999 = '9999-01-01T10:00:00Z';
const YEAR_20026 = '20026-01-01T10:00:00Z';
const UNPARSEABLE = 'next tuesday';
/** A US date: refused as month/day, never turned round (UK local times without an offset are taken, as the import takes them). */
const MONTH_DAY = '11/30/2026 10:00';
const SKIPPED = '29/03/2026 01:30';
const BAD_IDS = ['../x', 'a/b', 'a?b=c', '%2F', ''];
const HTML = '<script>alert("x")</script> <b>bold</b> & more';

type Run = CliRun;

/** Runs the command line in this process with `env` laid over process.env for the run. */
function inProcess(args: readonly string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  return runCaseclockInProcess(args, env);
}

/** Runs the real bin in a child process (asynchronously, so a worker in this process keeps running). */
function bin(args: readonly string[], env: Record<string, string> = {}): Promise<Run> {
  return runCaseclock(args, env);
}

// eslint-disable-next-line no-control-regex
const INVISIBLE = /[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069]/;

/** One line naming the field, no stack, nothing invisible, bounded; returns the line. */
function expectRefusal(run: Run, pattern: RegExp, label = ''): string {
  expect(run.code, `${label}: ${run.stderr}`).not.toBe(0);
  expect(run.stdout, label).toBe('');
  expect(run.stderr.endsWith('\n'), label).toBe(true);
  const lines = run.stderr.slice(0, -1).split('\n');
  expect(lines, label).toHaveLength(1);
  const line = lines[0] ?? '';
  expect(line, label).toMatch(/^caseclock: \S/);
  expect(line, label).toMatch(pattern);
  expect(line, label).not.toMatch(/\s{4}at |\.ts:\d|\.js:\d|ZodError|TypeError|Error:|unexpected error/);
  expect(line, label).not.toMatch(INVISIBLE);
  expect(line.length, label).toBeLessThan(1_100);
  return line;
}

/** How many words name the command (`visit`, `meeting schedule`): `--json` goes right after them. */
const GROUPS = new Set(['meeting', 'incident', 'teams', 'staff', 'ssd', 'summaries']);
function withJson(args: readonly string[]): string[] {
  const at = GROUPS.has(args[0] ?? '') ? 2 : 1;
  return [...args.slice(0, at), '--json', ...args.slice(at)];
}

// --- The table ----------------------------------------------------------------------------------

type Row = [label: string, args: string[], field: RegExp, options?: { json?: boolean; env?: Record<string, string | undefined> }];

/** Rows every command that records an event on a case (or an incident) shares. */
function recordingRows(command: string, make: (id: string) => string[], idName = '<caseId>'): Row[] {
  const id = new RegExp(`^caseclock: ${idName} "`);
  const valid = make(idName === '<caseId>' ? C : 'SI-123');
  const path = GROUPS.has(command.split(' ')[0] ?? '') ? command.split(' ') : [command];
  return [
    ['no id at all', path, new RegExp(`missing required argument '${idName.slice(1, -1)}'`)],
    ...BAD_IDS.map((bad): Row => [`id ${JSON.stringify(bad)}`, make(bad), id]),
    ['id with an escape sequence', make(ESC), new RegExp(`^caseclock: ${idName} "\\\\u001b\\[31mred`)],
    ['id with a bidi override', make(RLO), new RegExp(`^caseclock: ${idName} "WCF\\\\u202e321"`)],
    ['id 100k long', make(BIG), new RegExp(`^caseclock: ${idName} "x{60}…": must be at most 64 characters$`)],
    ['--at 30 February', [...valid, '--at', IMPOSSIBLE], /^caseclock: --at "2026-02-30T10:00:00Z" is not a real date and time: an instant with an offset is year-month-day/],
    ['--at year 9999', [...valid, '--at', YEAR_9999], /^caseclock: --at "9999-01-01T10:00:00Z" is not a date CaseClock takes: the year must be from 2000 to 2099$/],
    ['--at year 20026', [...valid, '--at', YEAR_20026], /^caseclock: --at "20026-01-01T10:00:00Z" is not a date: dates are day\/month\/year, e\.g\. 30\/11\/2026/],
    ['--at unparseable', [...valid, '--at', UNPARSEABLE], /^caseclock: --at "next tuesday" is not a date: dates are day\/month\/year, e\.g\. 30\/11\/2026 or 30\/11\/2026 10:30 \(UK time\)/],
    ['--at month/day', [...valid, '--at', MONTH_DAY], /^caseclock: --at "11\/30\/2026 10:00" is month\/day\/year \(30 cannot be a month\): dates are day\/month\/year, so write it 30\/11\/2026 10:00$/],
    ['--at in the hour the clocks skip', [...valid, '--at', SKIPPED], /^caseclock: --at "29\/03\/2026 01:30" does not exist in UK time \(the clocks go forward that night\)$/],
    ['--at 100k long', [...valid, '--at', BIG], /^caseclock: --at "x{60}…" is too long for a date: /],
    ['--as with path syntax', [...valid, '--as', 'a/b'], /^caseclock: --as "a\/b": may contain only/],
    ['--as with a bidi override', [...valid, '--as', RLO], /^caseclock: --as "WCF\\u202e321"/],
    ['--as empty', [...valid, '--as', ''], /^caseclock: --as "": must not be empty$/],
    ['--as 100k long', [...valid, '--as', BIG], /^caseclock: --as "x{60}…": must be at most 64 characters$/],
    ['nobody acting', valid, /^caseclock: who is making this change\? pass --as <userId> or set CASECLOCK_USER$/, { env: { CASECLOCK_USER: undefined } }],
    ['CASECLOCK_USER with query syntax', valid, /^caseclock: CASECLOCK_USER "a\?b=c": may contain only/, { env: { CASECLOCK_USER: 'a?b=c' } }],
    ['an unknown option', [...valid, '--bogus'], /^caseclock: unknown option '--bogus'$/],
    ['an option with an escape sequence', [...valid, `--${ESC}`], /^caseclock: unknown option '--\\u001b\[31mred/],
    ['a stray argument', [...valid, 'extra'], /^caseclock: too many arguments for '/],
  ];
}

const freeText = (prefix: string[], flag: string): Row[] => [
  [`${flag} empty`, [...prefix, flag, ''], new RegExp(`^caseclock: ${flag} "": must not be empty$`)],
  [`${flag} blank`, [...prefix, flag, '   '], new RegExp(`^caseclock: ${flag} "   ": must not be empty$`)],
  [`${flag} 100k long`, [...prefix, flag, BIG], new RegExp(`^caseclock: ${flag} "x{60}…": must be at most \\d+ characters$`)],
  [`${flag} with a NUL`, [...prefix, flag, NUL], new RegExp(`^caseclock: ${flag} "a\\\\u0000b": must not contain control characters$`)],
  [`${flag} with an escape sequence`, [...prefix, flag, ESC], new RegExp(`^caseclock: ${flag} "\\\\u001b\\[31mred\\\\u001b\\[0m": must not contain control characters$`)],
  [`${flag} with a bidi override`, [...prefix, flag, RLO], new RegExp(`^caseclock: ${flag} "WCF\\\\u202e321": must not contain control characters$`)],
  [`${flag} with an 8-bit CSI`, [...prefix, flag, CSI8], new RegExp(`^caseclock: ${flag} "a\\\\u009b2Jb": must not contain control characters$`)],
  [`${flag} without its value`, [...prefix, flag], new RegExp(`^caseclock: option '${flag} <\\w+>' argument missing$`)],
];

const instant = (prefix: string[], flag: string): Row[] => [
  [`${flag} 30 February`, [...prefix, flag, IMPOSSIBLE], new RegExp(`^caseclock: ${flag} "2026-02-30T10:00:00Z"`)],
  [`${flag} year 9999`, [...prefix, flag, YEAR_9999], new RegExp(`^caseclock: ${flag} "9999-01-01T10:00:00Z" is not a date CaseClock takes: the year must be from 2000 to 2099$`)],
  // Every date option reads a date as --at does (domain/as-typed.ts): a US date is named month/day.
  [`${flag} month/day`, [...prefix, flag, MONTH_DAY], new RegExp(`^caseclock: ${flag} "11/30/2026 10:00" is month/day/year \\(30 cannot be a month\\): dates are day/month/year, so write it 30/11/2026 10:00$`)],
  [`${flag} year 20026`, [...prefix, flag, YEAR_20026], new RegExp(`^caseclock: ${flag} "20026-01-01T10:00:00Z"`)],
  [`${flag} unparseable`, [...prefix, flag, UNPARSEABLE], new RegExp(`^caseclock: ${flag} "next tuesday"`)],
  [`${flag} 100k long`, [...prefix, flag, BIG], new RegExp(`^caseclock: ${flag} "x{60}…"`)],
];

const safeId = (prefix: string[], flag: string): Row[] => [
  ...BAD_IDS.map((bad): Row => [`${flag} ${JSON.stringify(bad)}`, [...prefix, flag, bad], new RegExp(`^caseclock: ${flag} "${bad.replace(/[.?]/g, '\\$&')}": (must|may) `)]),
  [`${flag} with an escape sequence`, [...prefix, flag, ESC], new RegExp(`^caseclock: ${flag} "\\\\u001b`)],
  [`${flag} 100k long`, [...prefix, flag, BIG], new RegExp(`^caseclock: ${flag} "x{60}…": must be at most 64 characters$`)],
];

const ENUM = (flag: string) => new RegExp(`^caseclock: ${flag.replace(/[<>]/g, '\\$&')} "[^"]*": must be one of: `);
const REQUIRED = (flag: string) => new RegExp(`^caseclock: ${flag} is required$`);
const OBLIGATION = 'kit-call@2026-03-02T10:00:00.000Z';

const TABLE: Record<string, Row[]> = {
  '(no command)': [
    ['nothing', [], /^caseclock: give a command: open, reassign, .*, calendar \(see caseclock --help\)$/, { json: false }],
    ['an unknown command', ['frobnicate'], /^caseclock: unknown command "frobnicate"; use one of: open, /, { json: false }],
    ['a command with a bidi override', [RLO], /^caseclock: unknown command "WCF\\u202e321"/, { json: false }],
    ['an unknown option', ['--bogus'], /^caseclock: unknown option '--bogus'$/, { json: false }],
  ],
  open: [
    ...recordingRows('open', (id) => ['open', id, '--reference', 'WCF-REF', '--team', 'TEAM-A']).filter(([l]) => !/^--at|a stray/.test(l)),
    ['no --reference', ['open', C, '--team', 'TEAM-A'], REQUIRED('--reference')],
    ['no --team', ['open', C, '--reference', 'WCF-REF'], REQUIRED('--team')],
    ...safeId(['open', C, '--team', 'TEAM-A'], '--reference'),
    ['HTML as the reference', ['open', C, '--reference', '<b>WCF</b>', '--team', 'TEAM-A'], /^caseclock: --reference "<b>WCF<\/b>": may contain only/],
    ...safeId(['open', C, '--reference', 'WCF-REF'], '--team'),
    ['an unknown tier', ['open', C, '--reference', 'R', '--team', 'T', '--tier', 'HIGH', '--reason', 'r'], ENUM('--tier')],
    ['a number as the tier', ['open', C, '--reference', 'R', '--team', 'T', '--tier', '1', '--reason', 'r'], ENUM('--tier')],
    // The opening rules every client shares (workflows/inputs.ts), in the console's words.
    ['a tier without a reason', ['open', C, '--reference', 'R', '--team', 'T', '--tier', 'PRIORITY'], /^caseclock: --reason is required with a tier$/],
    ['a reason without a tier', ['open', C, '--reference', 'R', '--team', 'T', '--reason', 'r'], /^caseclock: --tier is required when a reason is given$/],
    ['--rated-at without a tier', ['open', C, '--reference', 'R', '--team', 'T', '--rated-at', '2026-01-01T10:00:00Z'], /^caseclock: --tier is required when a rating time is given$/],
    ...freeText(['open', C, '--reference', 'R', '--team', 'T', '--tier', 'PRIORITY'], '--reason'),
    ...instant(['open', C, '--reference', 'R', '--team', 'T', '--tier', 'PRIORITY', '--reason', 'r'], '--rated-at'),
    ['--rated-at in 2099', ['open', C, '--reference', 'R', '--team', 'T', '--tier', 'PRIORITY', '--reason', 'r', '--rated-at', '2099-01-01T10:00:00Z'], /^caseclock: --rated-at "2099-01-01T10:00:00Z" is in the future$/],
    ['--worker not "Name <email>"', ['open', C, '--reference', 'R', '--team', 'T', '--worker', 'Sam Worker'], /^caseclock: --worker "Sam Worker": write "Name <email>"/],
    ['--manager with a bad email', ['open', C, '--reference', 'R', '--team', 'T', '--manager', 'Tess <nobody>'], /^caseclock: --manager "nobody": must be an email address$/],
    ['--iro 100k long', ['open', C, '--reference', 'R', '--team', 'T', '--iro', `${BIG} <a@b.test>`], /^caseclock: --iro "x{60}…": must be at most 200 characters$/],
    ['--head with a NUL in the name', ['open', C, '--reference', 'R', '--team', 'T', '--head', `${NUL} <a@b.test>`], /^caseclock: --head "a\\u0000b": must not contain control characters$/],
    ['--policy that does not exist', ['open', C, '--reference', 'R', '--team', 'T', '--policy', '/nonexistent/policy.json'], /^caseclock: policy file \/nonexistent\/policy\.json: no such file$/],
    ['--policy that is not JSON', ['open', C, '--reference', 'R', '--team', 'T', '--policy', path.join(ROOT, 'README.md')], /^caseclock: policy file .*README\.md: not valid JSON/],
    ['--policy that is JSON but no policy', ['open', C, '--reference', 'R', '--team', 'T', '--policy', path.join(ROOT, 'package.json')], /^caseclock: policy file .*package\.json: /],
  ],
  reassign: [
    ...recordingRows('reassign', (id) => ['reassign', id, '--role', 'iro', '--name', 'New Chair', '--email', 'chair@council.test']).filter(([l]) => !/^--at|a stray/.test(l)),
    ['no --role', ['reassign', C, '--name', 'n', '--email', 'a@b.test'], REQUIRED('--role')],
    ['an unknown role', ['reassign', C, '--role', 'boss', '--name', 'n', '--email', 'a@b.test'], ENUM('--role')],
    ['no --name', ['reassign', C, '--role', 'iro', '--email', 'a@b.test'], REQUIRED('--name')],
    ...freeText(['reassign', C, '--role', 'iro', '--email', 'a@b.test'], '--name'),
    ['no --email', ['reassign', C, '--role', 'iro', '--name', 'n'], REQUIRED('--email')],
    ['an email that is none', ['reassign', C, '--role', 'iro', '--name', 'n', '--email', 'nobody'], /^caseclock: --email "nobody": must be an email address$/],
    ['an email with a header break', ['reassign', C, '--role', 'iro', '--name', 'n', '--email', 'a@b.test\r\nBcc: c@d.test'], /^caseclock: --email "a@b\.test\\r\\nBcc: c@d\.test": must be an email address$/],
  ],
  'apply-policy': [
    ...recordingRows('apply-policy', (id) => ['apply-policy', id, '--policy', path.join(ROOT, 'domain/policies/worcestershire-phase2.json'), '--mode', 'forward']).filter(([l]) => !/^--at|a stray/.test(l)),
    ['no --mode', ['apply-policy', C, '--policy', 'x.json'], REQUIRED('--mode')],
    ['an unknown mode', ['apply-policy', C, '--policy', 'x.json', '--mode', 'sideways'], ENUM('--mode')],
    ['no --policy', ['apply-policy', C, '--mode', 'forward'], REQUIRED('--policy')],
    ['--policy that does not exist', ['apply-policy', C, '--mode', 'forward', '--policy', '../nonexistent.json'], /^caseclock: policy file \.\.\/nonexistent\.json: no such file$/],
    ['--policy that is not JSON', ['apply-policy', C, '--mode', 'forward', '--policy', path.join(ROOT, 'README.md')], /^caseclock: policy file .*README\.md: not valid JSON/],
  ],
  'incident report': [
    ...recordingRows('incident report', (id) => ['incident', 'report', id, '--team', 'TEAM-A'], '<incidentId>').filter(([l]) => !/^--at|a stray/.test(l)),
    ['no --team', ['incident', 'report', 'SI-123'], REQUIRED('--team')],
    ...safeId(['incident', 'report', 'SI-123', '--team', 'T'], '--case'),
    ...safeId(['incident', 'report', 'SI-123', '--team', 'T'], '--reference'),
    ...instant(['incident', 'report', 'SI-123', '--team', 'T'], '--aware-at'),
    ['--aware-at in 2099', ['incident', 'report', 'SI-123', '--team', 'T', '--aware-at', '2099-01-01T10:00:00Z'], /^caseclock: --aware-at "2099-01-01T10:00:00Z" is in the future$/],
    ['--worker with a bad email', ['incident', 'report', 'SI-123', '--team', 'T', '--worker', 'W <w@>'], /^caseclock: --worker "w@": must be an email address$/],
  ],
  'incident notified': recordingRows('incident notified', (id) => ['incident', 'notified', id], '<incidentId>'),
  'incident reviewed': recordingRows('incident reviewed', (id) => ['incident', 'reviewed', id], '<incidentId>'),
  'incident show': [
    ['no id at all', ['incident', 'show'], /missing required argument 'incidentId'/],
    ...BAD_IDS.map((bad): Row => [`id ${JSON.stringify(bad)}`, ['incident', 'show', bad], /^caseclock: <incidentId> "/]),
    ['an unknown option', ['incident', 'show', 'SI-1', '--as', 'sw1'], /^caseclock: unknown option '--as'$/],
  ],
  incident: [
    ['no subcommand', ['incident'], /^caseclock: caseclock incident needs a command: report, notified, reviewed, show/, { json: false }],
    ['an unknown subcommand', ['incident', 'escalate', 'SI-1'], /^caseclock: unknown command "escalate" for caseclock incident; use one of: /, { json: false }],
  ],
  tier: [
    ...recordingRows('tier', (id) => ['tier', id, 'PRIORITY', '--reason', 'rated']),
    ['no tier', ['tier', C, '--reason', 'r'], /^caseclock: missing required argument 'tier'$/],
    ['an unknown tier', ['tier', C, 'HIGH', '--reason', 'r'], /^caseclock: <tier> "HIGH": must be one of: HIGH_IMMEDIATE, PRIORITY, VULNERABLE$/],
    ['a number as the tier', ['tier', C, '2', '--reason', 'r'], ENUM('<tier>')],
    ['a lower-case tier', ['tier', C, 'priority', '--reason', 'r'], ENUM('<tier>')],
    ['a tier 100k long', ['tier', C, BIG, '--reason', 'r'], /^caseclock: <tier> "x{60}…": must be one of/],
    ['no --reason', ['tier', C, 'PRIORITY'], REQUIRED('--reason')],
    ...freeText(['tier', C, 'PRIORITY'], '--reason'),
  ],
  visit: [
    ...recordingRows('visit', (id) => ['visit', id]),
    ['seen alone and not', ['visit', C, '--seen-alone', '--not-seen-alone'], /^caseclock: --seen-alone and --not-seen-alone contradict each other$/],
    ['a value for a flag', ['visit', C, '--seen-alone=yes'], /^caseclock: unknown option '--seen-alone=yes'$/],
  ],
  'kit-call': recordingRows('kit-call', (id) => ['kit-call', id]),
  contact: recordingRows('contact', (id) => ['contact', id]),
  strategy: [
    ...recordingRows('strategy', (id) => ['strategy', id]),
    ['s47 started and not', ['strategy', C, '--s47-started', '--no-s47'], /^caseclock: --s47-started and --no-s47 contradict each other$/],
    ['a value for a switch', ['strategy', C, '--s47-started=yes'], /^caseclock: unknown option '--s47-started=yes'$/],
    ['a positive of --no-s47', ['strategy', C, '--s47'], /^caseclock: unknown option '--s47'$/],
  ],
  'meeting schedule': [
    ...recordingRows('meeting schedule', (id) => ['meeting', 'schedule', id, '--meeting', 'M1', '--type', 'icpc', '--date', '2026-06-01T10:00:00Z']),
    ['no --meeting', ['meeting', 'schedule', C, '--type', 'icpc', '--date', '2026-06-01T10:00:00Z'], REQUIRED('--meeting')],
    ['no --type', ['meeting', 'schedule', C, '--meeting', 'M1', '--date', '2026-06-01T10:00:00Z'], REQUIRED('--type')],
    ['no --date', ['meeting', 'schedule', C, '--meeting', 'M1', '--type', 'icpc'], REQUIRED('--date')],
    ['an unknown meeting type', ['meeting', 'schedule', C, '--meeting', 'M1', '--type', 'party', '--date', '2026-06-01T10:00:00Z'], ENUM('--type')],
    ['a number as the meeting type', ['meeting', 'schedule', C, '--meeting', 'M1', '--type', '3', '--date', '2026-06-01T10:00:00Z'], ENUM('--type')],
    ...safeId(['meeting', 'schedule', C, '--type', 'icpc', '--date', '2026-06-01T10:00:00Z'], '--meeting'),
    ...instant(['meeting', 'schedule', C, '--meeting', 'M1', '--type', 'icpc'], '--date'),
  ],
  'meeting postpone': [
    ...recordingRows('meeting postpone', (id) => ['meeting', 'postpone', id, '--meeting', 'M1', '--date', '2026-06-01T10:00:00Z', '--reason', 'chair unwell']),
    ['no --meeting', ['meeting', 'postpone', C, '--date', '2026-06-01T10:00:00Z', '--reason', 'r'], REQUIRED('--meeting')],
    ['no --date', ['meeting', 'postpone', C, '--meeting', 'M1', '--reason', 'r'], REQUIRED('--date')],
    ['no --reason', ['meeting', 'postpone', C, '--meeting', 'M1', '--date', '2026-06-01T10:00:00Z'], REQUIRED('--reason')],
    ...instant(['meeting', 'postpone', C, '--meeting', 'M1', '--reason', 'r'], '--date'),
    ...freeText(['meeting', 'postpone', C, '--meeting', 'M1', '--date', '2026-06-01T10:00:00Z'], '--reason'),
  ],
  'meeting cancel': [
    ...recordingRows('meeting cancel', (id) => ['meeting', 'cancel', id, '--meeting', 'M1', '--reason', 'no longer needed']),
    ['no --meeting', ['meeting', 'cancel', C, '--reason', 'r'], REQUIRED('--meeting')],
    ['no --reason', ['meeting', 'cancel', C, '--meeting', 'M1'], REQUIRED('--reason')],
    ...safeId(['meeting', 'cancel', C, '--reason', 'r'], '--meeting'),
    ...freeText(['meeting', 'cancel', C, '--meeting', 'M1'], '--reason'),
  ],
  'meeting held': [
    ...recordingRows('meeting held', (id) => ['meeting', 'held', id, '--type', 'core-group']),
    ['no --type', ['meeting', 'held', C], REQUIRED('--type')],
    ['an unknown meeting type', ['meeting', 'held', C, '--type', 'tea'], ENUM('--type')],
    ['an unknown outcome', ['meeting', 'held', C, '--type', 'icpc', '--outcome', 'maybe'], ENUM('--outcome')],
    ...['0', '201', 'two', '1.5', '-1', '1e2', BIG].map((n): Row => [
      `--review-number ${n.slice(0, 8)}`,
      ['meeting', 'held', C, '--type', 'cic-review', '--review-number', n],
      /^caseclock: --review-number "[^"]*": must be a whole number from 1 to 200$/,
    ]),
    ['--review-number without its value', ['meeting', 'held', C, '--type', 'cic-review', '--review-number'], /^caseclock: option '--review-number <n>' argument missing$/],
    ...safeId(['meeting', 'held', C, '--type', 'icpc'], '--meeting'),
  ],
  'meeting pre-meeting': [
    ...recordingRows('meeting pre-meeting', (id) => ['meeting', 'pre-meeting', id, '--meeting', 'ICPC1']),
    ['no --meeting', ['meeting', 'pre-meeting', C], REQUIRED('--meeting')],
    ...safeId(['meeting', 'pre-meeting', C], '--meeting'),
  ],
  meeting: [
    ['no subcommand', ['meeting'], /^caseclock: caseclock meeting needs a command: schedule, postpone, cancel, held, pre-meeting/, { json: false }],
    ['an unknown subcommand', ['meeting', 'reschedule', C], /^caseclock: unknown command "reschedule" for caseclock meeting; use one of: /, { json: false }],
    ['a subcommand with control characters', ['meeting', ESC, C], /^caseclock: unknown command "\\u001b\[31mred/, { json: false }],
  ],
  missing: [
    ...recordingRows('missing', (id) => ['missing', id, 'started']),
    ['no event', ['missing', C], /^caseclock: missing required argument 'event'$/],
    ['an unknown event', ['missing', C, 'found'], /^caseclock: unknown missing-episode event "found"; use one of: started, returned, interview$/],
    ['an event 100k long', ['missing', C, BIG], /^caseclock: unknown missing-episode event "x{60}…"/],
    ['an event with a bidi override', ['missing', C, RLO], /^caseclock: unknown missing-episode event "WCF\\u202e321"/],
  ],
  complaint: [
    ...recordingRows('complaint', (id) => ['complaint', id, 'received', '--id', 'C1', '--stage', '1']),
    ['no event', ['complaint', C, '--id', 'C1', '--stage', '1'], /^caseclock: missing required argument 'event'$/],
    ['an unknown event', ['complaint', C, 'escalated', '--id', 'C1', '--stage', '1'], /^caseclock: unknown complaint event "escalated"; use one of: received, extended, responded, panel-held, panel-reported$/],
    ['no --id', ['complaint', C, 'received', '--stage', '1'], REQUIRED('--id')],
    ...safeId(['complaint', C, 'received', '--stage', '1'], '--id'),
    ['no --stage', ['complaint', C, 'received', '--id', 'C1'], REQUIRED('--stage')],
    ['responded with no --stage', ['complaint', C, 'responded', '--id', 'C1'], REQUIRED('--stage')],
    ...['4', '0', 'one', '1.5', '-1', BIG].map((stage): Row => [`--stage ${stage.slice(0, 8)}`, ['complaint', C, 'received', '--id', 'C1', '--stage', stage], /^caseclock: --stage "[^"]*": must be 1, 2 or 3$/]),
    ['extended at stage 3', ['complaint', C, 'extended', '--id', 'C1', '--stage', '3', '--reason', 'r'], /^caseclock: --stage "3": must be 1 or 2: only stages 1 and 2 are extended$/],
    ['panel held with no --id', ['complaint', C, 'panel-held'], REQUIRED('--id')],
    ...safeId(['complaint', C, 'panel-held'], '--id'),
    ['panel reported with no --id', ['complaint', C, 'panel-reported', '--stage', '3'], REQUIRED('--id')],
    ['panel reported at stage 4', ['complaint', C, 'panel-reported', '--id', 'C1', '--stage', '4'], /^caseclock: --stage "4": must be 1, 2 or 3$/],
    ['extended with no --reason', ['complaint', C, 'extended', '--id', 'C1', '--stage', '1'], REQUIRED('--reason')],
    ...freeText(['complaint', C, 'extended', '--id', 'C1', '--stage', '1'], '--reason'),
  ],
  referral: [
    ...recordingRows('referral', (id) => ['referral', id, 'received']),
    ['an unknown event', ['referral', C, 'accepted'], /^caseclock: unknown referral event "accepted"; use one of: received, decided$/],
    ['a number as the event', ['referral', C, '1'], /^caseclock: unknown referral event "1"/],
  ],
  assessment: [...recordingRows('assessment', (id) => ['assessment', id, 'completed']), ['an unknown event', ['assessment', C, 'started'], /^caseclock: unknown assessment event "started"; use one of: completed$/]],
  'looked-after': [
    ...recordingRows('looked-after', (id) => ['looked-after', id, 'started']),
    ['an unknown event', ['looked-after', C, 'paused'], /^caseclock: unknown looked-after event "paused"; use one of: started, ended$/],
  ],
  placement: [
    ...recordingRows('placement', (id) => ['placement', id, '--id', 'P1']),
    ['no --id', ['placement', C], REQUIRED('--id')],
    ...safeId(['placement', C], '--id'),
    [
      'an unknown placement type',
      ['placement', C, '--id', 'P1', '--type', 'foster-ish'],
      /^caseclock: --type "foster-ish": must be one of: general, until-18, with-parent-before-assessment, connected-person-temporary, with-parent$/,
    ],
    ['a placement type in capitals', ['placement', C, '--id', 'P1', '--type', 'UNTIL-18'], ENUM('--type')],
    ['a placement type 100k long', ['placement', C, '--id', 'P1', '--type', BIG], /^caseclock: --type "x{60}…": must be one of/],
    [
      'an unknown legal status',
      ['placement', C, '--id', 'P1', '--legal-status', 'section-21'],
      /^caseclock: --legal-status "section-21": must be one of: interim-care-order, care-order, placement-order, accommodated, other$/,
    ],
    ['a legal status with a bidi override', ['placement', C, '--id', 'P1', '--legal-status', RLO], /^caseclock: --legal-status "WCF\\u202e321": must be one of/],
    ['--legal-status without its value', ['placement', C, '--id', 'P1', '--legal-status'], /^caseclock: option '--legal-status <status>' argument missing$/],
  ],
  waive: [
    ...recordingRows('waive', (id) => ['waive', id, OBLIGATION, '--reason', 'not needed']),
    ['no obligation id', ['waive', C], /^caseclock: missing required argument 'obligationId'$/],
    ...['../x', 'a?b=c', '%2F', 'kit-call', '', `${OBLIGATION}\n<script>alert(1)</script>`, `kit-call@x${ESC}`].map((bad): Row => [
      `obligation id ${JSON.stringify(bad).slice(0, 30)}`,
      ['waive', C, bad, '--reason', 'r'],
      /^caseclock: <obligationId> "[^"]*": must /,
    ]),
    ['obligation id 100k long', ['waive', C, BIG, '--reason', 'r'], /^caseclock: <obligationId> "x{60}…": must be at most 200 characters$/],
    ['no --reason', ['waive', C, OBLIGATION], REQUIRED('--reason')],
    ...freeText(['waive', C, OBLIGATION], '--reason'),
  ],
  hold: [
    ...recordingRows('hold', (id) => ['hold', id, '--id', 'H1', '--reason', 'child in hospital']),
    ['no --id', ['hold', C, '--reason', 'r'], REQUIRED('--id')],
    ...safeId(['hold', C, '--reason', 'r'], '--id'),
    ['no --reason', ['hold', C, '--id', 'H1'], REQUIRED('--reason')],
    ...freeText(['hold', C, '--id', 'H1'], '--reason'),
    ['an unknown obligation kind', ['hold', C, '--id', 'H1', '--reason', 'r', '--kind', 'nap-time'], ENUM('--kind')],
    ['a number as the kind', ['hold', C, '--id', 'H1', '--reason', 'r', '--kind', '7'], ENUM('--kind')],
  ],
  resume: [...recordingRows('resume', (id) => ['resume', id, '--id', 'H1']), ['no --id', ['resume', C], REQUIRED('--id')], ...safeId(['resume', C], '--id')],
  ack: [
    ...recordingRows('ack', (id) => ['ack', id, OBLIGATION, '--level', '1']),
    ['no obligation id', ['ack', C, '--level', '1'], /^caseclock: missing required argument 'obligationId'$/],
    ['obligation id with path syntax', ['ack', C, '../x', '--level', '1'], /^caseclock: <obligationId> "\.\.\/x": must be an obligation id/],
    ['no --level', ['ack', C, OBLIGATION], REQUIRED('--level')],
    ...['abc', '0', '10', '1.5', '-1', '1e1', BIG].map((level): Row => [`--level ${level.slice(0, 8)}`, ['ack', C, OBLIGATION, '--level', level], /^caseclock: --level "[^"]*": must be a whole number from 1 to 9$/]),
  ],
  close: [...recordingRows('close', (id) => ['close', id, '--reason', 'no further action']), ['no --reason', ['close', C], REQUIRED('--reason')], ...freeText(['close', C], '--reason')],
  'report (a report submitted)': [
    ...recordingRows('report', (id) => ['report', id, '--type', 'iro-report', '--meeting', 'CIC1']).filter(([l]) => l !== 'no id at all' && l !== 'a stray argument'),
    ['no --type', ['report', C, '--meeting', 'M1'], REQUIRED('--type')],
    ['an unknown report type', ['report', C, '--type', 'essay', '--meeting', 'M1'], ENUM('--type')],
    ['no --meeting', ['report', C, '--type', 'iro-report'], REQUIRED('--meeting')],
    ...safeId(['report', C, '--type', 'iro-report'], '--meeting'),
    ['a KPI option with a case', ['report', C, '--type', 'iro-report', '--meeting', 'M1', '--from', '2026-01-01'], /^caseclock: --from is for the KPI report, which takes no <caseId>$/],
  ],
  'report (KPI)': [
    ['no --from', ['report', '--to', '2026-03-31'], REQUIRED('--from')],
    ['no --to', ['report', '--from', '2026-03-01'], REQUIRED('--to')],
    ...[
      ['30 February', '2026-02-30'],
      ['year 20026', '20026-01-01'],
      ['unparseable', 'last monday'],
      ['an instant, not a date', '2026-03-01T10:00:00Z'],
      ['100k long', BIG],
    ].flatMap(([what, date]): Row[] => [
      [`--from ${what}`, ['report', '--from', date ?? '', '--to', '2026-03-31'], /^caseclock: --from "[^"]*": must be a calendar date written YYYY-MM-DD/],
      [`--to ${what}`, ['report', '--from', '2026-03-01', '--to', date ?? ''], /^caseclock: --to "[^"]*": must be a calendar date written YYYY-MM-DD/],
    ]),
    ['--from year 9999', ['report', '--from', '9999-01-01', '--to', '9999-01-31'], /^caseclock: --from "9999-01-01": must be between 2000 and 2099$/],
    ['--to year 9999', ['report', '--from', '2026-01-01', '--to', '9999-01-31'], /^caseclock: --to "9999-01-31": must be between 2000 and 2099$/],
    ['--from year 1066', ['report', '--from', '1066-10-14', '--to', '2026-01-31'], /^caseclock: --from "1066-10-14": must be between 2000 and 2099$/],
    ['--from after --to', ['report', '--from', '2026-03-31', '--to', '2026-03-01'], /^caseclock: --from "2026-03-31": is after --to 2026-03-01$/],
    ['an unknown tier', ['report', '--from', '2026-03-01', '--to', '2026-03-31', '--tier', 'LOW'], ENUM('--tier')],
    ...safeId(['report', '--from', '2026-03-01', '--to', '2026-03-31'], '--team'),
    ['--type without a case', ['report', '--type', 'iro-report', '--from', '2026-03-01', '--to', '2026-03-31'], /^caseclock: --type and --meeting record a report: give the <caseId> too$/],
    ['an unknown option', ['report', '--from', '2026-03-01', '--to', '2026-03-31', '--within', 'P1D'], /^caseclock: unknown option '--within'$/],
    ['two case ids', ['report', C, 'WCF-456'], /^caseclock: too many arguments for 'report'/],
  ],
  export: [
    ['no id at all', ['export'], /^caseclock: missing required argument 'caseId'$/, { json: false }],
    ...BAD_IDS.map((bad): Row => [`id ${JSON.stringify(bad)}`, ['export', bad], /^caseclock: <caseId> "[^"]*": must|^caseclock: <caseId> "[^"]*": may/, { json: false }]),
    ['id 100k long', ['export', BIG], /^caseclock: <caseId> "x{60}…": must be at most 64 characters$/, { json: false }],
    ['an unknown option', ['export', C, '--at', '2026-01-01T00:00:00Z'], /^caseclock: unknown option '--at'$/, { json: false }],
    ['a stray argument', ['export', C, 'extra'], /^caseclock: too many arguments for 'export'/, { json: false }],
  ],
  show: [
    ['no id at all', ['show'], /^caseclock: missing required argument 'caseId'$/],
    ...BAD_IDS.map((bad): Row => [`id ${JSON.stringify(bad)}`, ['show', bad], /^caseclock: <caseId> "[^"]*": must|^caseclock: <caseId> "[^"]*": may/]),
    ['id with a bidi override', ['show', RLO], /^caseclock: <caseId> "WCF\\u202e321"/],
    ['id 100k long', ['show', BIG], /^caseclock: <caseId> "x{60}…": must be at most 64 characters$/],
    ['an unknown option', ['show', C, '--at', '2026-01-01T00:00:00Z'], /^caseclock: unknown option '--at'$/],
    ['a stray argument', ['show', C, 'extra'], /^caseclock: too many arguments for 'show'/],
  ],
  overdue: [
    ['an unknown tier', ['overdue', '--tier', 'HIGH'], ENUM('--tier')],
    ['a number as the tier', ['overdue', '--tier', '3'], ENUM('--tier')],
    ...safeId(['overdue'], '--team'),
    ['an option of due-soon', ['overdue', '--within', 'P1D'], /^caseclock: unknown option '--within'$/],
    ['a stray argument', ['overdue', 'TEAM-A'], /^caseclock: too many arguments for 'overdue'/],
  ],
  'due-soon': [
    ...['abc', '7', '7d', '-P1D', 'P', ''].map((w): Row => [`--within ${JSON.stringify(w)}`, ['due-soon', '--within', w], /^caseclock: --within "[^"]*": must be an ISO-8601 duration/]),
    ['--within zero', ['due-soon', '--within', 'PT0S'], /^caseclock: --within "PT0S": must be longer than zero$/],
    ['--within 99999 years', ['due-soon', '--within', 'P99999Y'], /^caseclock: --within "P99999Y": must be at most ten years$/],
    ['--within 100k long', ['due-soon', '--within', BIG], /^caseclock: --within "x{60}…": must be/],
    ['an unknown tier', ['due-soon', '--tier', 'URGENT'], ENUM('--tier')],
    ...safeId(['due-soon'], '--team'),
  ],
  import: [
    ['no file', ['import'], /^caseclock: missing required argument 'file'$/],
    ['a file that does not exist', ['import', '/nonexistent/cases.csv', '--dry-run'], /^caseclock: cannot read "\/nonexistent\/cases.csv": ENOENT$/],
    ['a directory as the file', ['import', 'docs'], /^caseclock: cannot read "docs": EISDIR$/],
    ['--concurrency 0', ['import', 'docs/examples/import-example.csv', '--concurrency', '0'], /^caseclock: --concurrency must be a whole number from 1 to 256$/],
    ['--concurrency many', ['import', 'docs/examples/import-example.csv', '--concurrency', 'many'], /^caseclock: --concurrency must be a whole number from 1 to 256$/],
    ['a file that is not CSV', ['import', 'package.json'], /^caseclock: line \d+: not a readable CSV file: /],
  ],
  due: [
    ['no kind', ['due', '--from', '2026-03-02T10:00:00Z'], /^caseclock: missing required argument 'kind'$/],
    ['an unknown kind', ['due', 'tea-break', '--from', '2026-03-02T10:00:00Z'], /^caseclock: unknown obligation kind "tea-break"; valid kinds: /],
    ['a number as the kind', ['due', '7', '--from', '2026-03-02T10:00:00Z'], /^caseclock: unknown obligation kind "7"/],
    ['a kind 100k long', ['due', BIG, '--from', '2026-03-02T10:00:00Z'], /^caseclock: unknown obligation kind "x{60}…"/],
    ['a kind with a bidi override', ['due', RLO, '--from', '2026-03-02T10:00:00Z'], /^caseclock: unknown obligation kind "WCF\\u202e321"/],
    ['no --from', ['due', 'icpc'], /^caseclock: --from is required/],
    ...instant(['due', 'icpc'], '--from'),
    ['--from beyond the bank holidays', ['due', 'icpc', '--from', '2099-01-05T10:00:00Z'], /^caseclock: --from "2099-01-05T10:00:00Z": no England and Wales bank holidays are known for 2099/],
    ['--policy empty', ['due', 'icpc', '--from', '2026-03-02T10:00:00Z', '--policy', ''], /^caseclock: --policy needs a file path$/],
    ['--policy that does not exist', ['due', 'icpc', '--from', '2026-03-02T10:00:00Z', '--policy', 'a?b=c'], /^caseclock: policy file a\?b=c: no such file$/],
    ['an unknown option', ['due', 'icpc', '--from', '2026-03-02T10:00:00Z', '--as', 'sw1'], /^caseclock: unknown option '--as'$/],
  ],
  'teams list': [['an unknown option', ['teams', 'list', '--team', 'T'], /^caseclock: unknown option '--team'$/]],
  'teams set': [
    ['no --name', ['teams', 'set', 'TEAM-A', '--service-area', 'S', '--manager', 'tess', '--head', 'hal'], REQUIRED('--name')],
    ['no --head', ['teams', 'set', 'TEAM-A', '--name', 'N', '--service-area', 'S', '--manager', 'tess'], REQUIRED('--head')],
    ['a code with a space', ['teams', 'set', 'TEAM A', '--name', 'N', '--service-area', 'S', '--manager', 'tess', '--head', 'hal'], /^caseclock: <code> "TEAM A": may contain only/],
    ['a blank --service-area', ['teams', 'set', 'TEAM-A', '--name', 'N', '--service-area', ' ', '--manager', 'tess', '--head', 'hal'], /^caseclock: --service-area " ": must not be empty$/],
    ...safeId(['teams', 'set', 'TEAM-A', '--name', 'N', '--service-area', 'S', '--head', 'hal'], '--manager'),
  ],
  'teams remove': [
    ['no code', ['teams', 'remove'], /^caseclock: missing required argument 'code'$/],
    ['a code with a bidi override', ['teams', 'remove', RLO], /^caseclock: <code> "WCF\\u202e321": may contain only/],
  ],
  'teams unmapped': [['an unknown option', ['teams', 'unmapped', '--team', 'T'], /^caseclock: unknown option '--team'$/]],
  'ssd reconcile': [['an unknown option', ['ssd', 'reconcile', '--team', 'T'], /^caseclock: unknown option '--team'$/]],
  'summaries status': [['an unknown option', ['summaries', 'status', '--team', 'T'], /^caseclock: unknown option '--team'$/]],
  'summaries backfill': [
    ['no cases at a time', ['summaries', 'backfill', '--concurrency', '0', '--operator', '--as', 'ops'], /^caseclock: --concurrency .*must be from 1 to 64/],
    ['a word for a number', ['summaries', 'backfill', '--concurrency', 'many', '--operator', '--as', 'ops'], /^caseclock: --concurrency .*/],
  ],
  'staff list': [['an unknown option', ['staff', 'list', '--user', 'sam'], /^caseclock: unknown option '--user'$/]],
  'staff set': [
    ['no --name', ['staff', 'set', 'PROF-1', '--email', 'sam@council.example'], REQUIRED('--name')],
    ['no --email', ['staff', 'set', 'PROF-1', '--name', 'Sam Worker'], REQUIRED('--email')],
    ['a staff id with a space', ['staff', 'set', 'PROF 1', '--name', 'N', '--email', 'sam@council.example'], /^caseclock: <staffId> "PROF 1": may contain only/],
    ['--email not an address', ['staff', 'set', 'PROF-1', '--name', 'N', '--email', 'sam at council'], /^caseclock: --email "sam at council": must be an email address$/],
    ['--email 100k long', ['staff', 'set', 'PROF-1', '--name', 'N', '--email', BIG], /^caseclock: --email "x{60}…": must be at most 254 characters$/],
    ...freeText(['staff', 'set', 'PROF-1', '--email', 'sam@council.example'], '--name'),
    ...safeId(['staff', 'set', 'PROF-1', '--name', 'N', '--email', 'sam@council.example'], '--user'),
  ],
  'staff remove': [
    ['no staff id', ['staff', 'remove'], /^caseclock: missing required argument 'staffId'$/],
    ['a staff id with a bidi override', ['staff', 'remove', RLO], /^caseclock: <staffId> "WCF\\u202e321": may contain only/],
  ],
  calendar: [
    ['no --from', ['calendar', '--to', '2026-12-31'], /^caseclock: --from is required/],
    ['no --to', ['calendar', '--from', '2026-12-01'], /^caseclock: --to is required/],
    ...[
      ['30 February', '2026-02-30'],
      ['year 20026', '20026-01-01'],
      ['unparseable', 'next tuesday'],
      ['100k long', BIG],
      ['with a bidi override', `2026-01-01${'\u202e'}`],
    ].map(([what, date]): Row => [`--from ${what}`, ['calendar', '--from', date ?? '', '--to', '2026-12-31'], /^caseclock: --from "[^"]*" is not a calendar date/]),
    ['year 9999', ['calendar', '--from', '9999-01-01', '--to', '9999-01-31'], /^caseclock: --from 9999-01-01: 9999 is outside the bank holiday calendar/],
    ['--from after --to', ['calendar', '--from', '2026-12-31', '--to', '2026-12-01'], /^caseclock: --from 2026-12-31 is after --to 2026-12-01$/],
    ['a range of years', ['calendar', '--from', '2016-01-01', '--to', '2029-12-31'], /^caseclock: the range .* list at most 366 days/],
    ['an unknown option', ['calendar', '--from', '2026-12-01', '--to', '2026-12-31', '--team', 'T'], /^caseclock: unknown option '--team'$/],
  ],
};

const ROWS = Object.entries(TABLE).flatMap(([command, rows]) => rows.map(([label, args, field, options]) => ({ name: `${command}: ${label}`, args, field, json: options?.json ?? true, env: options?.env ?? {} })));

// --- Set-up: the dev server, a worker, and the cases the Temporal rows collide with --------------

let client: Client;
let cliWorker: CliWorker;
const DEV_ENV = () => ({ ...ENCRYPTION_ENV, TEMPORAL_ADDRESS: devServerAddress(), TEMPORAL_NAMESPACE: cliWorker.namespace, CASECLOCK_STORE_URL: storeUrl(), CASECLOCK_USER: 'admin1', CASECLOCK_POLICY: '' });
const OFFLINE_ENV = { ...ENCRYPTION_ENV, TEMPORAL_ADDRESS: CLOSED_PORT, CASECLOCK_USER: 'admin1', CASECLOCK_POLICY: '' };

/** A command that must succeed (in process, on the dev server): its JSON output. */
async function ok(...args: string[]): Promise<Record<string, any>> {
  const run = await inProcess(withJson(args), DEV_ENV());
  expect(run.stderr, args.join(' ')).toBe('');
  expect(run.code, args.join(' ')).toBe(0);
  return JSON.parse(run.stdout) as Record<string, any>;
}

beforeAll(async () => {
  cliWorker = await startCliWorker(ENCRYPTION_ENV);
  ({ client } = cliWorker);
});

afterAll(async () => {
  await cliWorker?.close();
});

// --- Refused before any connection ---------------------------------------------------------------

describe('refused before connecting: one line naming the field, with and without --json, no connection tried', () => {
  it('the table covers every command and subcommand of caseclock --help', async () => {
    const top = await inProcess(['--help']);
    const listed = [...top.stdout.matchAll(/^ {2}([a-z-]+)\b/gm)].map((m) => m[1] ?? '').filter((n) => n !== 'help' && !n.startsWith('-'));
    const groups = await Promise.all(['meeting', 'incident', 'teams', 'staff', 'ssd', 'summaries'].map(async (g) => [g, await inProcess([g, '--help'])] as const));
    const all = listed.flatMap((name) => {
      const group = groups.find(([g]) => g === name);
      if (!group) return [name];
      return [...group[1].stdout.matchAll(/^ {2}([a-z-]+)\b/gm)].map((m) => `${name} ${m[1] ?? ''}`).filter((n) => !/ (help|-.*)$/.test(n));
    });
    expect(all.length).toBeGreaterThanOrEqual(34);
    const covered = new Set(Object.keys(TABLE).map((k) => k.replace(/ \(.*\)$/, '')));
    expect(all.filter((c) => !covered.has(c))).toEqual([]);
  });

  it.each(ROWS)('$name', async ({ name, args, field, json, env }) => {
    const connect = vi.spyOn(Connection, 'connect').mockRejectedValue(new Error('no connection in this test'));
    try {
      const plain = await inProcess(args, { ...OFFLINE_ENV, ...env });
      const line = expectRefusal(plain, field, name);
      expect(plain.code, name).toBe(2);
      if (json) {
        const asJson = await inProcess(withJson(args), { ...OFFLINE_ENV, ...env });
        expectRefusal(asJson, field, `${name} --json`);
        expect(asJson.stderr.trimEnd(), `${name} --json`).toBe(line);
        expect(asJson.code).toBe(plain.code);
      }
      expect(connect, name).not.toHaveBeenCalled();
    } finally {
      connect.mockRestore();
    }
  });

  it('the same offline set-up does reach for Temporal when the input is good (so the rows above were refused first)', async () => {
    const connect = vi.spyOn(Connection, 'connect').mockRejectedValue(new Error('no connection in this test'));
    try {
      // A change (a read command goes to the store, not to Temporal).
      const run = await inProcess(['visit', C, '--operator'], OFFLINE_ENV);
      expectRefusal(run, /^caseclock: cannot reach Temporal at 127\.0\.0\.1:1: no connection in this test$/);
      expect(connect).toHaveBeenCalledTimes(1);
    } finally {
      connect.mockRestore();
    }
  });

  it('the real bin in a child process: still one line, no stack trace (tsx and node included)', async () => {
    const env = { ...OFFLINE_ENV };
    const runs = await Promise.all([bin(['close', C, '--reason', BIG], env), bin(['visit', `${RLO}`, '--json'], env), bin(['meeting'], env), bin(['visit', C, '--at', YEAR_20026, '--bogus'], env)]);
    expectRefusal(runs[0]!, /^caseclock: --reason "x{60}…": must be at most 2000 characters$/);
    expectRefusal(runs[1]!, /^caseclock: <caseId> "WCF\\u202e321": may contain only/);
    expectRefusal(runs[2]!, /^caseclock: caseclock meeting needs a command/);
    expectRefusal(runs[3]!, /^caseclock: unknown option '--bogus'$/);
  });
});

// --- The commands built from the case actions' declarations ---------------------------------------

/** A value each declared input accepts on the command line (instants as ISO-8601, choices as the first one). */
function cliSample(action: CaseAction, field: string): string {
  if (field === 'obligationId') return OBLIGATION;
  if (field === 'level') return '1';
  const input = action.cli?.inputs[field];
  const word = input && 'words' in input && input.words ? Object.keys(input.words)[0] : undefined;
  if (word !== undefined) return word;
  const spec = action.fields(undefined).find((f) => f.name === field);
  if (spec?.type === 'datetime') return '2026-03-01T10:00:00Z';
  const first = spec?.options?.[0];
  if (first !== undefined) return typeof first === 'string' ? first : first.value;
  return 'X1';
}

/** The command line of a declared action with every required input given, leaving out `omit`. */
function declaredArgs(action: CaseAction, omit?: string, override: Record<string, string> = {}): string[] {
  const cli = action.cli!;
  const required = new Set(
    action
      .fields(undefined)
      .filter((f) => f.required)
      .map((f) => f.name),
  );
  const args: string[] = [...cli.command, C];
  const flags: string[] = [];
  for (const [field, input] of Object.entries(cli.inputs)) {
    if (field === omit || (!required.has(field) && override[field] === undefined && !('argument' in input))) continue;
    if ('switches' in input) continue;
    const value = override[field] ?? cliSample(action, field);
    if ('argument' in input) args.push(value);
    else flags.push(input.flag, value);
  }
  return [...args, ...flags];
}

const DECLARED = CASE_ACTIONS.filter((a) => a.cli !== undefined);

describe("commands built from the case actions' declarations: the same fields, refused by name before connecting", () => {
  it('there are such commands, and each is listed in --help with its flags', async () => {
    expect(DECLARED.length).toBeGreaterThanOrEqual(10);
    for (const action of DECLARED) {
      const help = await inProcess([...action.cli!.command, '--help']);
      expect(help.code, action.slug).toBe(0);
      for (const input of Object.values(action.cli!.inputs)) {
        const named = 'argument' in input ? [input.argument] : 'switches' in input ? input.switches.map((sw) => sw.flag) : [input.flag];
        for (const name of named) expect(help.stdout, action.slug).toContain(name);
      }
    }
  });

  const rows = DECLARED.flatMap((action) => {
    const required = action.fields(undefined).filter((f) => f.required && action.cli!.inputs[f.name] !== undefined);
    const selects = action.fields(undefined).filter((f) => {
      const input = action.cli!.inputs[f.name];
      return f.type === 'select' && (f.options?.length ?? 0) > 0 && input !== undefined && !('switches' in input);
    });
    return [
      ...required.map((f) => {
        const input = action.cli!.inputs[f.name]!;
        const pattern = 'argument' in input ? new RegExp(`missing required argument '${input.argument}'`) : 'switches' in input ? /./ : REQUIRED(input.flag);
        return { name: `${action.slug} without ${f.name}`, args: declaredArgs(action, f.name), pattern };
      }),
      ...selects.map((f) => {
        const input = action.cli!.inputs[f.name]!;
        if ('switches' in input) throw new Error('switches have no unknown value');
        const name = 'argument' in input ? `<${input.argument}>` : input.flag;
        // A word argument lists its words; any other choice the schema's values.
        const pattern =
          'words' in input && input.words
            ? new RegExp(`^caseclock: unknown ${input.what ?? ''} "NOPE"; use one of: ${Object.keys(input.words).join(', ')}$`)
            : 'accepts' in input && input.accepts
              ? new RegExp(`^caseclock: ${name} "NOPE": ${input.accepts.says}$`)
              : ENUM(name);
        return { name: `${action.slug} with an unknown ${f.name}`, args: declaredArgs(action, undefined, { [f.name]: 'NOPE' }), pattern };
      }),
    ];
  });

  it.each(rows)('$name', async ({ name, args, pattern }) => {
    const connect = vi.spyOn(Connection, 'connect').mockRejectedValue(new Error('no connection in this test'));
    try {
      expectRefusal(await inProcess(args, OFFLINE_ENV), pattern, name);
      expect(connect, name).not.toHaveBeenCalled();
    } finally {
      connect.mockRestore();
    }
  });

  /** Inputs the event chosen requires, though the form does not for every event (the schema decides): a complaint's stage. */
  const REQUIRED_BY_EVENT: Record<string, Record<string, string>> = { complaint: { stage: '1' } };

  it.each(DECLARED.map((a) => [a.slug, a] as const))('%s with every required input: valid, so it reaches for Temporal', async (_slug, action) => {
    const connect = vi.spyOn(Connection, 'connect').mockRejectedValue(new Error('no connection in this test'));
    try {
      expectRefusal(await inProcess(declaredArgs(action, undefined, REQUIRED_BY_EVENT[action.slug]), OFFLINE_ENV), /^caseclock: cannot reach Temporal at 127\.0\.0\.1:1: no connection in this test$/);
      expect(connect).toHaveBeenCalledTimes(1);
    } finally {
      connect.mockRestore();
    }
  });
});

// --- Refused by the case: nothing written -----------------------------------------------------------

/** Everything a refused command must leave alone: every history event one for one, its length, the timeline. */
async function written(workflowId: string) {
  const handle = client.workflow.getHandle(workflowId);
  for (let i = 0; i < 200; i++) {
    const d = await handle.describe();
    if (!d.raw.pendingWorkflowTask && (d.raw.pendingActivities ?? []).length === 0) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  const [history, description, timeline] = await Promise.all([handle.fetchHistory(), handle.describe(), handle.query<unknown[]>('timeline')]);
  return {
    events: (history.events ?? []).map((e) => `${String(e.eventId)}:${String(e.eventType)}:${String(e.eventTime?.seconds)}.${String(e.eventTime?.nanos)}`),
    historyLength: description.historyLength,
    timeline: JSON.stringify(timeline),
  };
}

describe('refused by the case on the dev server: one line naming the field, the history unchanged', () => {
  let kase: string;
  let closed: string;
  let incident: string;
  let openObligation: string;
  const inHours = (h: number) => new Date(Date.now() + h * HOUR).toISOString();

  beforeAll(async () => {
    kase = uniqueName('WCF');
    closed = uniqueName('WCF');
    incident = uniqueName('SI');
    const team = uniqueName('MATRIX').slice(0, 40);
    // One at a time: in-process runs share process.stdout.
    await ok('open', kase, '--reference', 'WCF-901', '--team', team, '--tier', 'VULNERABLE', '--reason', 'rated by team manager');
    await ok('open', closed, '--reference', 'WCF-902', '--team', team);
    await ok('incident', 'report', incident, '--team', team, '--reference', 'SI-REF-1');
    await ok('meeting', 'schedule', kase, '--meeting', 'CG1', '--type', 'core-group', '--date', inHours(72));
    await ok('hold', kase, '--id', 'H1', '--reason', 'child in hospital');
    await ok('resume', kase, '--id', 'H1');
    await ok('complaint', kase, 'received', '--id', 'C1', '--stage', '1');
    await ok('complaint', kase, 'responded', '--id', 'C1', '--stage', '1');
    await ok('complaint', kase, 'received', '--id', 'C3', '--stage', '3');
    await ok('close', closed, '--reason', 'no further action');
    const shown = await ok('show', kase);
    openObligation = (shown['open'] as Array<{ id: string }>)[0]!.id;
  });

  const refusals: Array<[string, () => string[], RegExp]> = [
    ['a visit before the case opened', () => ['visit', kase, '--at', '2020-01-01T10:00:00Z'], /^caseclock: recordEvent refused: --at: is before the case was opened/],
    ['a visit tomorrow', () => ['visit', kase, '--at', inHours(24)], /^caseclock: recordEvent refused: --at: is in the future$/],
    ['a KIT call in 2099', () => ['kit-call', kase, '--at', '2099-06-01T10:00:00Z'], /^caseclock: recordEvent refused: --at: is in the future$/],
    ['a tier set before the case opened', () => ['tier', kase, 'PRIORITY', '--reason', 'r', '--at', '2020-01-01T10:00:00Z'], /--at: is before the case was opened/],
    ['the case closed before it opened', () => ['close', kase, '--reason', 'r', '--at', '2020-01-01T10:00:00Z'], /--at: is before the case was opened/],
    [
      'the same meeting scheduled twice',
      () => ['meeting', 'schedule', kase, '--meeting', 'CG1', '--type', 'core-group', '--date', inHours(96)],
      /^caseclock: recordEvent refused: --meeting: meeting CG1 is already recorded$/,
    ],
    [
      'a meeting scheduled for the past',
      () => ['meeting', 'schedule', kase, '--meeting', 'M2', '--type', 'icpc', '--date', new Date(Date.now() - 60_000).toISOString()],
      /--date: must be after the time it was scheduled/,
    ],
    ['a meeting held as another type', () => ['meeting', 'held', kase, '--meeting', 'CG1', '--type', 'icpc'], /--type: meeting CG1 is a core-group, not a icpc/],
    ['an unknown meeting held', () => ['meeting', 'held', kase, '--meeting', 'NOPE', '--type', 'core-group'], /--meeting: no meeting NOPE is scheduled on this case/],
    ['an unknown meeting postponed', () => ['meeting', 'postpone', kase, '--meeting', 'NOPE', '--date', inHours(100), '--reason', 'r'], /--meeting: no meeting NOPE is scheduled/],
    ['a meeting postponed into the past', () => ['meeting', 'postpone', kase, '--meeting', 'CG1', '--date', new Date(Date.now() - 60_000).toISOString(), '--reason', 'r'], /--date: must be after the postponement/],
    ['an unknown meeting cancelled', () => ['meeting', 'cancel', kase, '--meeting', 'NOPE', '--reason', 'r'], /--meeting: no meeting NOPE is scheduled/],
    ['a pre-meeting for a core group', () => ['meeting', 'pre-meeting', kase, '--meeting', 'CG1'], /--meeting: meeting CG1 is not a conference/],
    ['a report for an unknown meeting', () => ['report', kase, '--type', 'conference-report', '--meeting', 'NOPE'], /--meeting: no meeting NOPE is scheduled/],
    ['an IRO report for a core group', () => ['report', kase, '--type', 'iro-report', '--meeting', 'CG1'], /--meeting: meeting CG1 is not a child-in-care review/],
    ['a return with nobody missing', () => ['missing', kase, 'returned'], /^caseclock: recordEvent refused: no missing episode is open on this case$/],
    ['a return interview with no return', () => ['missing', kase, 'interview'], /refused: the child has not been recorded as returned$/],
    ['a referral decided, none received', () => ['referral', kase, 'decided'], /refused: no referral is recorded on this case$/],
    ['an assessment with no referral', () => ['assessment', kase, 'completed'], /refused: no referral is recorded on this case$/],
    ['the same complaint received twice', () => ['complaint', kase, 'received', '--id', 'C1', '--stage', '1'], /--id: complaint C1 is already recorded at stage 1$/],
    ['the same complaint answered twice', () => ['complaint', kase, 'responded', '--id', 'C1', '--stage', '1'], /--id: complaint C1 already has its stage 1 response$/],
    ['an unknown complaint extended', () => ['complaint', kase, 'extended', '--id', 'C9', '--stage', '1', '--reason', 'r'], /--id: no stage 1 complaint C9 on this case$/],
    [
      'a review panel on an unknown complaint',
      () => ['complaint', kase, 'panel-held', '--id', 'C9'],
      /^caseclock: recordEvent refused: --id: no stage 3 complaint C9 on this case \(record it received at stage 3 first\)$/,
    ],
    ['a review panel on a stage 1 complaint', () => ['complaint', kase, 'panel-held', '--id', 'C1'], /--id: no stage 3 complaint C1 on this case/],
    ["the panel's report before the panel", () => ['complaint', kase, 'panel-reported', '--id', 'C3'], /--id: the review panel on complaint C3 is not recorded yet$/],
    ["a stage 3 response before the panel's report", () => ['complaint', kase, 'responded', '--id', 'C3', '--stage', '3'], /--id: the review panel's report on complaint C3 is not recorded yet$/],
    ['a review number on a core group', () => ['meeting', 'held', kase, '--type', 'core-group', '--review-number', '2'], /^caseclock: recordEvent refused: --review-number: is for a child in care review only$/],
    ['a placement for a child not looked after', () => ['placement', kase, '--id', 'P1'], /refused: the child is not recorded as looked after$/],
    ['looked after ended, never started', () => ['looked-after', kase, 'ended'], /refused: the child is not recorded as looked after$/],
    ['waiving an obligation that is not open', () => ['waive', kase, OBLIGATION, '--reason', 'r'], /<obligationId>: no open obligation kit-call@2026-03-02T10:00:00\.000Z$/],
    ['the same hold started twice', () => ['hold', kase, '--id', 'H1', '--reason', 'r'], /--id: hold H1 already exists$/],
    ['a hold resumed twice', () => ['resume', kase, '--id', 'H1'], /--id: hold H1 has already ended$/],
    ['an unknown hold resumed', () => ['resume', kase, '--id', 'H404'], /--id: no hold H404 on this case$/],
    ['a level never reached acknowledged', () => ['ack', kase, openObligation, '--level', '1'], /--level: obligation .* has not been escalated to level 1$/],
    ['an unknown obligation acknowledged', () => ['ack', kase, 'kit-call@nowhere', '--level', '1'], /<obligationId>: no open obligation kit-call@nowhere$/],
    ['the case opened again', () => ['open', kase, '--reference', 'WCF-901', '--team', 'TEAM-A'], /^caseclock: case WCF-[-0-9a-f]+ already exists$/],
    ['an incident step on a case id', () => ['incident', 'notified', kase], /^caseclock: no incident WCF-/],
    ['a reassignment on an unknown case', () => ['reassign', `${kase}-X`, '--role', 'iro', '--name', 'n', '--email', 'a@b.test'], /^caseclock: no case WCF-.*-X$/],
  ];

  it.each(refusals)('%s', async (name, make, pattern) => {
    const before = await written(caseWorkflowId(kase));
    const plain = await inProcess(make(), DEV_ENV());
    const line = expectRefusal(plain, pattern, name);
    expect(plain.code, name).toBe(1);
    const asJson = await inProcess(withJson(make()), DEV_ENV());
    expect(asJson.stderr.trimEnd(), `${name} --json`).toBe(line);
    expect(asJson.stdout).toBe('');
    expect(await written(caseWorkflowId(kase))).toEqual(before);
  });

  it('the comparison sees a write: an accepted KIT call changes the history and the timeline', async () => {
    const before = await written(caseWorkflowId(kase));
    await ok('kit-call', kase);
    const after = await written(caseWorkflowId(kase));
    expect(after.historyLength).toBeGreaterThan(before.historyLength);
    expect(after.events.slice(0, before.events.length)).toEqual(before.events);
    expect(after.timeline).not.toBe(before.timeline);
  });

  it('on an unknown case, a closed case and an incident out of order: one line, nothing written', async () => {
    const nosuch = uniqueName('NOSUCH');
    for (const args of [
      ['visit', nosuch],
      ['show', nosuch],
      ['apply-policy', nosuch, '--mode', 'forward', '--policy', path.join(ROOT, 'domain/policies/worcestershire-phase2.json')],
      ['incident', 'show', nosuch],
    ]) {
      expectRefusal(await inProcess(args, DEV_ENV()), new RegExp(`^caseclock: no (case|incident) ${nosuch}$`), args.join(' '));
    }
    const closedBefore = await written(caseWorkflowId(closed));
    for (const args of [
      ['visit', closed],
      ['reassign', closed, '--role', 'iro', '--name', 'n', '--email', 'a@b.test'],
      ['close', closed, '--reason', 'again'],
    ]) {
      expectRefusal(await inProcess(args, DEV_ENV()), new RegExp(`^caseclock: case ${closed} is closed: nothing more can be changed$`), args.join(' '));
    }
    expect(await written(caseWorkflowId(closed))).toEqual(closedBefore);

    const incidentBefore = await written(incidentWorkflowId(incident));
    expectRefusal(await inProcess(['incident', 'reviewed', incident], DEV_ENV()), /^caseclock: recordEvent refused: record incident-notified first$/);
    expectRefusal(await inProcess(['incident', 'notified', incident, '--at', '2020-01-01T10:00:00Z'], DEV_ENV()), /^caseclock: recordEvent refused: --at: is before the case was opened/);
    expectRefusal(await inProcess(['incident', 'report', incident, '--team', 'TEAM-A'], DEV_ENV()), new RegExp(`^caseclock: incident ${incident} already exists$`));
    expectRefusal(await inProcess(['visit', incident], DEV_ENV()), new RegExp(`^caseclock: no case ${incident}$`));
    expect(await written(incidentWorkflowId(incident))).toEqual(incidentBefore);
  });

  it('HTML and script in free text are accepted and stored exactly as typed', async () => {
    const id = uniqueName('WCF');
    const opened = await ok('open', id, '--reference', 'WCF-903', '--team', 'TEAM-MATRIX', '--tier', 'PRIORITY', '--reason', HTML, '--worker', `<i>Sam</i> Worker <sam@council.test>`);
    expect(opened['state'].details.contacts['allocated-worker']).toEqual({ name: '<i>Sam</i> Worker', email: 'sam@council.test' });
    const held = await ok('hold', id, '--id', 'H1', '--kind', 'kit-call', '--reason', HTML);
    expect(held['event']).toMatchObject({ type: 'hold-started', reason: HTML });
    const reassigned = await ok('reassign', id, '--role', 'iro', '--name', '<script>x</script> Chair', '--email', 'chair@council.test');
    expect(reassigned['state'].details.contacts['iro']).toEqual({ name: '<script>x</script> Chair', email: 'chair@council.test' });
    const timeline = await caseTimeline(client, id);
    expect(timeline.filter((t) => t.event && 'reason' in t.event).map((t) => (t.event as { reason: string }).reason)).toEqual([HTML, HTML]);
    await ok('close', id, '--reason', '</pre><img src=x onerror=alert(1)>');
  });
});
