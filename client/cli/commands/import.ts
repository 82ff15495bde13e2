/**
 * `caseclock import <file.csv> [--dry-run]`: a council's open cases brought in from its own system,
 * each case opened with the dates recorded there (client/import/rows.ts reads and checks the file).
 * A case that already exists is left as it is ("already there"), so running the file again starts
 * nothing twice and carries on an interrupted import. Which cases are there is read from the case
 * summaries in the store, in the dry run as in the import, and a row the case already there differs
 * from (its team, its tier) is named. Cases open a few at a time, with a progress
 * bar on a terminal (progress lines otherwise), and a summary at the end.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import nodemailer from 'nodemailer';
import { openImportSummaryStore } from '../../../store/import-summary-store';
import { openCaseSummaries } from '../../../store/case-summaries';
import { CliError, output } from '../support';
import { readImportBytes, withKnownTeams, type CellProblem } from '../../import/rows';
import { alreadyThereWords, IMPORT_CONCURRENCY, rowsAlreadyThere, runImport, type ImportSummary, type Progress, type RowOutcome } from '../../import/run';
import { actor, commonOptions, type CommonOptions, directoryTeams, firstLine, loadConfig, policySnapshot, quoted, withClient } from './common';

type ImportOptions = CommonOptions & { dryRun?: boolean; policy?: string; concurrency?: string; summaryEmails?: boolean };

export function register(program: Command): void {
  commonOptions(
    program
      .command('import')
      .description("open a council's open cases from a CSV file, with the dates recorded there (see docs/import.md)")
      .argument('<file>', 'the CSV file, one case a row')
      .option('--dry-run', 'check every row and name every bad cell; start nothing')
      .option('--policy <file>', 'policy file frozen into each case (default: $CASECLOCK_POLICY, else the national baseline)')
      .option('--concurrency <n>', `cases opened at once (default ${IMPORT_CONCURRENCY})`)
      .option('--no-summary-emails', 'let each case send the escalations already due on arrival itself, one email each, instead of one summary per recipient'),
  ).action(async (file: string, o: ImportOptions) => {
    const by = actor(o);
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch (err) {
      throw new CliError(`cannot read ${quoted(file)}: ${(err as NodeJS.ErrnoException).code ?? firstLine(err)}`);
    }
    const concurrency = o.concurrency === undefined ? IMPORT_CONCURRENCY : Number(o.concurrency);
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256) throw new CliError('--concurrency must be a whole number from 1 to 256');
    const read = readImportBytes(bytes, by, new Date());
    // Rows in a team the directory does not list are bad `team` cells, in the dry run as in the import.
    const teams = read.rows.length > 0 ? await directoryTeams() : undefined;
    const checked = teams ? withKnownTeams(read, teams) : read;

    if (o.dryRun === true) {
      // Which rows' cases are there already: read from the case summaries, nothing asked of a case.
      let already: RowOutcome[] = [];
      if (checked.rows.length > 0) {
        const cases = openCaseSummaries(loadConfig().CASECLOCK_STORE_URL, { poolSize: 2 });
        try {
          already = await rowsAlreadyThere(cases, checked.rows, new Date());
        } finally {
          await cases.close();
        }
      }
      const result = { file, rows: checked.total, good: checked.rows.length, bad: checked.badLines.size, alreadyThere: already, problems: checked.problems, warnings: checked.warnings };
      const warned = checked.warnings.length > 0 ? `, ${checked.warnings.length} ${checked.warnings.length === 1 ? 'warning' : 'warnings'}` : '';
      output(o.json === true, result, () =>
        [
          ...checked.problems.map(describeCell),
          ...checked.warnings.map(describeWarning),
          ...already.map(describeAlready),
          checked.unreadable
            ? `${file}: cannot be imported as it is; nothing started (dry run)`
            : `${file}: ${checked.total} rows, ${checked.rows.length} good${already.length > 0 ? ` (${already.length} already there)` : ''}, ${checked.badLines.size} bad${warned}; nothing started (dry run)`,
        ].join('\n'),
      );
      if (checked.unreadable) throw new CliError(`${file} cannot be imported as it is (see above)`, 1);
      if (checked.problems.length > 0) throw new CliError(`${checked.problems.length} bad cells in ${checked.badLines.size} rows`, 1);
      return;
    }
    // The file as a whole cannot be read (not CSV, or its columns): nothing can be imported.
    if (checked.unreadable) throw new CliError(checked.problems.map(describeCell).join('; '));
    const config = loadConfig();
    const snapshot = policySnapshot(o.policy, config);
    // Escalations due on arrival are held in the store until their summary is sent (client/import/run.ts).
    const store = o.summaryEmails === false ? undefined : openImportSummaryStore(config.CASECLOCK_STORE_URL);
    // A row whose case has a summary is already there: left as it is, and compared with the file.
    const cases = openCaseSummaries(config.CASECLOCK_STORE_URL, { poolSize: 2 });
    let summary: ImportSummary;
    try {
      summary = await withClient(
        (client) =>
          runImport(client, checked, snapshot, {
            file,
            concurrency,
            ...(teams ? { teams } : {}),
            cases,
            progress: progressFor(checked.rows.length),
            ...(store ? { summaries: { store, transport: nodemailer.createTransport(config.SMTP_URL), from: config.MAIL_FROM, consoleUrl: config.CONSOLE_PUBLIC_URL } } : {}),
          }),
        { timeoutMs: 7 * 24 * 3_600_000 },
      );
    } finally {
      await store?.close();
      await cases.close();
    }
    output(o.json === true, summary, () => formatSummary(summary));
    const unsent = (summary.summaries ?? []).filter((m) => m.error !== undefined);
    if (unsent.length > 0) throw new CliError(`${unsent.length} summary emails not sent (see above): they are kept, and running the import again (the same file) sends them`, 1);
    if (summary.refused > 0) throw new CliError(`${summary.refused} of ${summary.rows} rows refused (see above)`, 1);
  });
}

function describeCell(p: CellProblem): string {
  return `line ${p.line}${p.column ? `, ${p.column}` : ''}: ${p.message}`;
}

/** A row whose case is already there: left as it is, with what the file says otherwise of it. */
function describeAlready(r: RowOutcome): string {
  return `line ${r.line} (${r.caseId}): ${alreadyThereWords(r.differs)}`;
}

/** A warning: the row imports as it is (see readImportFile). */
function describeWarning(p: CellProblem): string {
  return `line ${p.line}${p.column ? `, ${p.column}` : ''}: warning: ${p.message}`;
}

export function formatSummary(s: ImportSummary): string {
  return [
    `${s.file}: ${s.rows} rows in ${s.seconds}s: ${s.started} started, ${s.alreadyThere} already there, ${s.refused} refused`,
    ...s.refusals.map((r) => `  line ${r.line}${r.caseId ? ` (${r.caseId})` : ''}: ${r.reason ?? 'refused'}`),
    ...s.differing.map((r) => `  ${describeAlready(r)}`),
    ...s.warnings.map((w) => `  ${describeWarning(w)}`),
    ...(s.summaries ?? []).map((m) =>
      m.error === undefined ? `summary of ${m.escalations} escalations due on arrival sent to ${m.to}` : `summary of ${m.escalations} escalations due on arrival NOT sent to ${m.to}: ${m.error}`,
    ),
  ].join('\n');
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
      const left = done === 0 ? 0 : Math.round((((now - began) / done) * (total - done)) / 1000);
      process.stderr.write(`importing: ${done}/${total} (${Math.floor((done / Math.max(1, total)) * 100)}%), about ${left}s left; ${counts.started} started, ${counts.already} already there, ${counts.refused} refused\n`);
    },
    stop() {},
  };
}
