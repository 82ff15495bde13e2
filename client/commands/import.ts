/**
 * `caseclock import <file.csv> [--dry-run]`: a council's open cases brought in from its own system,
 * each case opened with the dates recorded there (client/import/rows.ts reads and checks the file).
 * A case that already exists is left as it is ("already there"), so running the file again starts
 * nothing twice and carries on an interrupted import. Cases open a few at a time, with a progress
 * bar on a terminal (progress lines otherwise), and a summary at the end.
 */
import { readFileSync } from 'node:fs';
import type { Client } from '@temporalio/client';
import type { Command } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import type { PolicySnapshot } from '../../domain/policy';
import { CaseActionError, openCase } from '../cases';
import { CliError, output } from '../cli-support';
import nodemailer from 'nodemailer';
import { readImportFile, type CellProblem, type ImportRow } from '../import/rows';
import { escalationsDueOnArrival, type ReportedEscalation, sendSummaries, summaryEmails } from '../import/summary';
import { actor, commonOptions, type CommonOptions, firstLine, loadConfig, policySnapshot, quoted, withClient } from './common';

/** Cases opened at once by default. */
export const IMPORT_CONCURRENCY = 16;

type ImportOptions = CommonOptions & { dryRun?: boolean; policy?: string; concurrency?: string; summaryEmails?: boolean };

export interface RowOutcome {
  line: number;
  caseId: string;
  outcome: 'started' | 'already there' | 'refused';
  reason?: string;
}

export interface ImportSummary {
  file: string;
  rows: number;
  started: number;
  alreadyThere: number;
  refused: number;
  /** Every refused row and why (bad cells, or the case's refusal). */
  refusals: RowOutcome[];
  /** The summary emails of escalations due on arrival, one per recipient (absent with --no-summary-emails). */
  summaries?: Array<{ to: string; escalations: number; smtpResponse?: string; error?: string }>;
  seconds: number;
}

export function register(program: Command): void {
  commonOptions(
    program
      .command('import')
      .description('open a council\'s open cases from a CSV file, with the dates recorded there (see the README, "Importing open cases")')
      .argument('<file>', 'the CSV file, one case a row')
      .option('--dry-run', 'check every row and name every bad cell; start nothing')
      .option('--policy <file>', 'policy file frozen into each case (default: $CASECLOCK_POLICY, else the national baseline)')
      .option('--concurrency <n>', `cases opened at once (default ${IMPORT_CONCURRENCY})`)
      .option('--no-summary-emails', 'let each case send the escalations already due on arrival itself, one email each, instead of one summary per recipient'),
  ).action(async (file: string, o: ImportOptions) => {
    const by = actor(o);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new CliError(`cannot read ${quoted(file)}: ${(err as NodeJS.ErrnoException).code ?? firstLine(err)}`);
    }
    const concurrency = o.concurrency === undefined ? IMPORT_CONCURRENCY : Number(o.concurrency);
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256) throw new CliError('--concurrency must be a whole number from 1 to 256');
    const checked = readImportFile(text, by, new Date());

    if (o.dryRun === true) {
      const result = { file, rows: checked.total, good: checked.rows.length, bad: checked.badLines.size, problems: checked.problems };
      output(o.json === true, result, () =>
        [
          ...checked.problems.map(describeCell),
          `${file}: ${checked.total} rows, ${checked.rows.length} good, ${checked.badLines.size} bad; nothing started (dry run)`,
        ].join('\n'),
      );
      if (checked.problems.length > 0) throw new CliError(`${checked.problems.length} bad cells in ${checked.badLines.size} rows`, 1);
      return;
    }
    // The file as a whole cannot be read (not CSV, or its columns): nothing can be imported.
    if (checked.unreadable) throw new CliError(checked.problems.map(describeCell).join('; '));
    const config = loadConfig();
    const snapshot = policySnapshot(o.policy, config);
    const started = Date.now();
    const gather = o.summaryEmails !== false;
    const { outcomes, reported } = await withClient((client) => importRows(client, checked.rows, snapshot, { concurrency, gatherEscalations: gather }), {
      timeoutMs: 7 * 24 * 3_600_000,
    });
    let summaries: ImportSummary['summaries'];
    if (gather) {
      const emails = summaryEmails(reported, config.CONSOLE_PUBLIC_URL, new Date());
      summaries = emails.length === 0 ? [] : await sendSummaries(nodemailer.createTransport(config.SMTP_URL), config.MAIL_FROM, emails);
    }
    // Bad rows are refused with their cells, in file order with the rest.
    const byLine = new Map<number, CellProblem[]>();
    for (const p of checked.problems) byLine.set(p.line, [...(byLine.get(p.line) ?? []), p]);
    for (const [line, problems] of byLine) {
      outcomes.push({ line, caseId: checked.badLines.get(line) ?? '', outcome: 'refused', reason: problems.map((p) => `${p.column || 'row'}: ${p.message}`).join('; ') });
    }
    outcomes.sort((a, b) => a.line - b.line);
    const summary: ImportSummary = {
      file,
      rows: checked.total,
      started: outcomes.filter((r) => r.outcome === 'started').length,
      alreadyThere: outcomes.filter((r) => r.outcome === 'already there').length,
      refused: outcomes.filter((r) => r.outcome === 'refused').length,
      refusals: outcomes.filter((r) => r.outcome === 'refused'),
      seconds: Math.round((Date.now() - started) / 100) / 10,
      ...(summaries ? { summaries } : {}),
    };
    output(o.json === true, summary, () => formatSummary(summary));
    const unsent = (summaries ?? []).filter((m) => m.error !== undefined);
    if (unsent.length > 0) throw new CliError(`${unsent.length} summary emails not sent (see above): tell those people, the cases will not send these escalations again`, 1);
    if (summary.refused > 0) throw new CliError(`${summary.refused} of ${summary.rows} rows refused (see above)`, 1);
  });
}

function describeCell(p: CellProblem): string {
  return `line ${p.line}${p.column ? `, ${p.column}` : ''}: ${p.message}`;
}

export function formatSummary(s: ImportSummary): string {
  return [
    `${s.file}: ${s.rows} rows in ${s.seconds}s: ${s.started} started, ${s.alreadyThere} already there, ${s.refused} refused`,
    ...s.refusals.map((r) => `  line ${r.line}${r.caseId ? ` (${r.caseId})` : ''}: ${r.reason ?? 'refused'}`),
    ...(s.summaries ?? []).map((m) =>
      m.error === undefined
        ? `summary of ${m.escalations} escalations due on arrival sent to ${m.to}`
        : `summary of ${m.escalations} escalations due on arrival NOT sent to ${m.to}: ${m.error}`,
    ),
  ].join('\n');
}

/**
 * Opens each row's case, `concurrency` at a time; a case that exists already is "already there".
 * Progress goes to stderr: a bar with a count and the time left on a terminal, a line every tenth
 * of the file (and at least every 5 seconds) otherwise.
 */
export async function importRows(
  client: Client,
  rows: readonly ImportRow[],
  policy: PolicySnapshot,
  options: { concurrency?: number; gatherEscalations?: boolean; progress?: Progress } = {},
): Promise<{ outcomes: RowOutcome[]; reported: ReportedEscalation[] }> {
  const concurrency = options.concurrency ?? IMPORT_CONCURRENCY;
  const progress = options.progress ?? progressFor(rows.length);
  const outcomes: RowOutcome[] = [];
  const reported: ReportedEscalation[] = [];
  let next = 0;
  const counts = { started: 0, already: 0, refused: 0 };
  const one = async (row: ImportRow): Promise<RowOutcome> => {
    try {
      // Escalations already due go in the recipient's summary, recorded on the case as reported there.
      const due = options.gatherEscalations === true ? escalationsDueOnArrival(row.input, policy, new Date()) : [];
      await openCase(client, row.input, policy, { alreadyReported: due.map((d) => d.delivery) });
      reported.push(...due);
      counts.started++;
      return { line: row.line, caseId: row.caseId, outcome: 'started' };
    } catch (err) {
      if (err instanceof CaseActionError && err.kind === 'already-exists') {
        counts.already++;
        return { line: row.line, caseId: row.caseId, outcome: 'already there' };
      }
      if (err instanceof CaseActionError) {
        counts.refused++;
        return { line: row.line, caseId: row.caseId, outcome: 'refused', reason: err.message };
      }
      throw err;
    }
  };
  const runner = async () => {
    for (;;) {
      const row = rows[next++];
      if (row === undefined) return;
      outcomes.push(await one(row));
      progress.tick(counts);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, rows.length)) }, runner));
  } finally {
    progress.stop();
  }
  return { outcomes, reported };
}

export interface Progress {
  tick(counts: { started: number; already: number; refused: number }): void;
  stop(): void;
}

function progressFor(total: number): Progress {
  if (process.stderr.isTTY) {
    const bar = new SingleBar(
      {
        format: 'importing [{bar}] {value}/{total} | about {eta_formatted} left | {started} started, {already} already there, {refused} refused',
        stream: process.stderr,
        etaBuffer: 50,
        hideCursor: true,
      },
      Presets.shades_classic,
    );
    bar.start(total, 0, { started: 0, already: 0, refused: 0 });
    return {
      tick: (counts) => bar.increment(1, counts),
      stop: () => bar.stop(),
    };
  }
  const began = Date.now();
  let done = 0;
  let lastLine = began;
  const step = Math.max(1, Math.floor(total / 10));
  return {
    tick(counts) {
      done++;
      const now = Date.now();
      if (done % step !== 0 && done !== total && now - lastLine < 5_000) return;
      lastLine = now;
      const left = done === 0 ? 0 : Math.round(((now - began) / done) * (total - done) / 1000);
      process.stderr.write(
        `importing: ${done}/${total} (${Math.floor((done / Math.max(1, total)) * 100)}%), about ${left}s left; ${counts.started} started, ${counts.already} already there, ${counts.refused} refused\n`,
      );
    },
    stop() {},
  };
}
