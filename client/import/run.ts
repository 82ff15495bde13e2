/**
 * Runs an import: opens each good row's case a few at a time (a case that already exists is "already
 * there", so a second run starts nothing twice and an interrupted one carries on), then sends the
 * summary emails of escalations due on arrival. The command line (`caseclock import`) and the
 * console's import page both run it; each shows progress its own way.
 *
 * Escalations due on arrival are held in the store before their case opens, and the case opens
 * with them recorded as reported in the summary; they stay held until their summary has been
 * sent. So an import stopped part-way, or one whose mail server was down, loses none: the next run
 * (the same file again) sends them.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import pLimit from 'p-limit';
import type { PolicySnapshot } from '../../domain/policy';
import type { ImportSummaryStore } from '../../store/import-summary-store';
import type { CaseSummaries } from '../../store/case-summaries';
import type { CaseSummary } from '../../store/case-summary';
import { CaseActionError, openCase } from '../../common/cases';
import type { KnownTeams } from '../../common/teams';
import { withKnownTeams, type CellProblem, type ImportFile, type ImportRow } from './rows';
import { escalationsDueOnArrival, type ReportedEscalation, sendHeldSummaries, SummaryItem, type SummaryMail, type SummarySent } from '../../common/arrival-summary';

/** Cases opened at once by default. */
export const IMPORT_CONCURRENCY = 16;

export interface RowOutcome {
  line: number;
  caseId: string;
  outcome: 'started' | 'already there' | 'refused';
  reason?: string;
  /** Already there, and the file says otherwise of these (from the case's summary). */
  differs?: FileDifference[];
}

/** What the file may say otherwise of a case already there. */
export type FileDifference = 'team' | 'tier';

/**
 * What the file's row says otherwise than the case already there (its summary): its team, and its
 * tier when the file rates one (a row without a tier says nothing of the case's).
 */
export function fileDifferences(row: ImportRow, summary: Pick<CaseSummary, 'details' | 'tier'>): FileDifference[] {
  const differs: FileDifference[] = [];
  if (row.input.details.team !== summary.details.team) differs.push('team');
  const rated = [...(row.input.recorded ?? [])].reverse().find((e) => e.type === 'tier-set');
  const tier = rated?.type === 'tier-set' ? rated.tier : row.input.initialTier?.tier;
  if (tier !== undefined && tier !== summary.tier) differs.push('tier');
  return differs;
}

/** A row already there, in words: "already there", and what the file says otherwise. */
export function alreadyThereWords(differs: readonly FileDifference[] | undefined): string {
  return differs && differs.length > 0 ? `already there, and the file differs: ${differs.join(', ')}` : 'already there';
}

/**
 * The good rows whose case is already there, read from the case summaries in the store (a read per
 * row, a few at a time; no case is asked): the dry run's answer to what an import would leave as it is.
 */
export async function rowsAlreadyThere(summaries: Pick<CaseSummaries, 'get'>, rows: readonly ImportRow[], now: Date): Promise<RowOutcome[]> {
  const at = now.toISOString();
  const found = await pLimit(IMPORT_CONCURRENCY).map(rows, async (row): Promise<RowOutcome | undefined> => {
    const summary = await summaries.get('case', row.caseId, at);
    if (summary === undefined) return undefined;
    const differs = fileDifferences(row, summary);
    return { line: row.line, caseId: row.caseId, outcome: 'already there', ...(differs.length > 0 ? { differs } : {}) };
  });
  return found.filter((r): r is RowOutcome => r !== undefined);
}

export interface ImportSummary {
  file: string;
  rows: number;
  started: number;
  alreadyThere: number;
  /** The rows already there whose case the file says otherwise of (left as they are all the same). */
  differing: RowOutcome[];
  refused: number;
  /** Every refused row and why (bad cells, or the case's refusal). */
  refusals: RowOutcome[];
  /** The file's warnings (client/import/rows.ts): rows whose dates imply a history the file does not give; they did not stop a row. */
  warnings: CellProblem[];
  /** The summary emails of escalations due on arrival, one per recipient (absent when each case sends its own). */
  summaries?: SummarySent[];
  seconds: number;
}

export type ImportCounts = { started: number; already: number; refused: number };

export interface Progress {
  tick(counts: ImportCounts): void;
  stop(): void;
}

const SILENT: Progress = { tick() {}, stop() {} };

/** The whole import of a checked file: its good rows opened, its bad rows refused with their cells, the summaries sent. */
export async function runImport(
  client: Client,
  file: ImportFile,
  policy: PolicySnapshot,
  options: {
    file: string;
    concurrency?: number;
    progress?: Progress;
    summaries?: SummaryMail;
    now?: () => Date;
    /** The team directory's teams (common/teams.ts); absent: any team, as an empty directory. */
    teams?: KnownTeams;
    /** The case summaries: a row whose case has one is already there, and compared with the file. */
    cases?: Pick<CaseSummaries, 'get'>;
  },
): Promise<ImportSummary> {
  const began = Date.now();
  const runId = randomUUID();
  const summaries = options.summaries;
  // Rows in a team the directory does not list are bad rows, refused with their `team` cell.
  const checked = options.teams ? withKnownTeams(file, options.teams) : file;
  const { outcomes } = await importRows(client, checked.rows, policy, {
    ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
    ...(options.progress ? { progress: options.progress } : {}),
    ...(summaries ? { hold: { runId, store: summaries.store } } : {}),
    ...(options.teams ? { teams: options.teams } : {}),
    ...(options.cases ? { cases: options.cases } : {}),
  });
  const sent = summaries ? await sendHeldSummaries(client, summaries, runId, (options.now ?? (() => new Date()))(), 'import') : undefined;
  // Bad rows are refused with their cells, in file order with the rest.
  const byLine = new Map<number, CellProblem[]>();
  for (const p of checked.problems) byLine.set(p.line, [...(byLine.get(p.line) ?? []), p]);
  for (const [line, problems] of byLine) {
    outcomes.push({ line, caseId: checked.badLines.get(line) ?? '', outcome: 'refused', reason: problems.map((p) => `${p.column || 'row'}: ${p.message}`).join('; ') });
  }
  outcomes.sort((a, b) => a.line - b.line);
  return {
    file: options.file,
    rows: checked.total,
    started: outcomes.filter((r) => r.outcome === 'started').length,
    alreadyThere: outcomes.filter((r) => r.outcome === 'already there').length,
    differing: outcomes.filter((r) => r.outcome === 'already there' && r.differs !== undefined),
    refused: outcomes.filter((r) => r.outcome === 'refused').length,
    refusals: outcomes.filter((r) => r.outcome === 'refused'),
    warnings: checked.warnings,
    seconds: Math.round((Date.now() - began) / 100) / 10,
    ...(sent ? { summaries: sent } : {}),
  };
}

/**
 * Opens each row's case, `concurrency` at a time; a case that exists already is "already there":
 * with `cases`, one whose summary the store has is known to be there before anything is held or
 * started, and compared with the file; one begun before summaries is found there by its opening.
 * Anything other than a refusal (Temporal unreachable) stops the import: rows not yet started are
 * not started, and a later run of the file carries on from what was opened. With `hold`, the
 * escalations due on arrival are held in the store first and the case opens with them recorded as
 * reported; a case not opened releases what this run held for it.
 */
export async function importRows(
  client: Client,
  rows: readonly ImportRow[],
  policy: PolicySnapshot,
  options: { concurrency?: number; progress?: Progress; hold?: { runId: string; store: ImportSummaryStore }; teams?: KnownTeams; cases?: Pick<CaseSummaries, 'get'> } = {},
): Promise<{ outcomes: RowOutcome[]; reported: ReportedEscalation[] }> {
  const concurrency = options.concurrency ?? IMPORT_CONCURRENCY;
  const progress = options.progress ?? SILENT;
  const hold = options.hold;
  const outcomes: RowOutcome[] = [];
  const reported: ReportedEscalation[] = [];
  const counts: ImportCounts = { started: 0, already: 0, refused: 0 };
  const one = async (row: ImportRow): Promise<RowOutcome> => {
    const summary = await options.cases?.get('case', row.caseId, new Date().toISOString());
    if (summary !== undefined) {
      counts.already++;
      const differs = fileDifferences(row, summary);
      return { line: row.line, caseId: row.caseId, outcome: 'already there', ...(differs.length > 0 ? { differs } : {}) };
    }
    const due = hold ? escalationsDueOnArrival(row.input, policy, new Date()) : [];
    if (hold && due.length > 0) {
      await hold.store.hold(
        hold.runId,
        due.map((d) => ({ messageId: d.messageId, caseId: d.caseId, recipient: d.to.email, payload: SummaryItem.parse(d) })),
      );
    }
    try {
      await openCase(client, row.input, policy, { alreadyReported: due.map((d) => d.delivery), ...(options.teams ? { teams: options.teams } : {}) });
      reported.push(...due);
      counts.started++;
      return { line: row.line, caseId: row.caseId, outcome: 'started' };
    } catch (err) {
      if (!(err instanceof CaseActionError)) throw err;
      // Not opened by this run: what it held for the case is not owed (one held by an earlier run that did open it stays).
      if (hold && due.length > 0) await hold.store.release(hold.runId, row.caseId);
      if (err.kind === 'already-exists') {
        counts.already++;
        return { line: row.line, caseId: row.caseId, outcome: 'already there' };
      }
      counts.refused++;
      return { line: row.line, caseId: row.caseId, outcome: 'refused', reason: err.message };
    }
  };
  // rejectOnClear: the rows cleared from the queue settle (rejected), so nothing is left waiting.
  const limit = pLimit({ concurrency, rejectOnClear: true });
  try {
    await limit.map(rows, async (row) => {
      outcomes.push(await one(row));
      progress.tick(counts);
    });
  } catch (err) {
    limit.clearQueue();
    throw err;
  } finally {
    progress.stop();
  }
  return { outcomes, reported };
}
