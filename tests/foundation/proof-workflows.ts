/**
 * Fixture workflows for the foundation tests: they prove the toolchain (time skipping, the dev
 * server, updates with validators, worker restarts), not CaseClock's rules.
 * Workflow code: no Node imports; every date is workflow time.
 */
import { ApplicationFailure, allHandlersFinished, condition, defineQuery, defineSignal, defineUpdate, setHandler, sleep } from '@temporalio/workflow';
import { z } from 'zod';

// --- eightWeekWait: one long timer, a signal and a query ----------------------------------

export const EIGHT_WEEKS_MS = 8 * 7 * 24 * 60 * 60 * 1000;

export interface EightWeekState {
  startedAt: string;
  notes: string[];
}

export interface EightWeekResult extends EightWeekState {
  finishedAt: string;
}

export const addNoteSignal = defineSignal<[string]>('addNote');
export const eightWeekStateQuery = defineQuery<EightWeekState>('eightWeekState');

/** Waits eight weeks of workflow time, keeping the notes it is signalled. */
export async function eightWeekWait(): Promise<EightWeekResult> {
  const startedAt = new Date().toISOString();
  const notes: string[] = [];
  setHandler(addNoteSignal, (note) => {
    notes.push(note);
  });
  setHandler(eightWeekStateQuery, () => ({ startedAt, notes: [...notes] }));
  await sleep(EIGHT_WEEKS_MS);
  return { startedAt, notes, finishedAt: new Date().toISOString() };
}

// --- visitLedger: an update with a zod validator, a query and a closing signal ------------

export const VisitInputSchema = z.object({
  visitedAt: z.iso.datetime({ message: 'must be an ISO 8601 date-time, e.g. 2020-05-01T10:00:00Z' }),
  childSeenAlone: z.boolean(),
});
export type VisitInput = z.infer<typeof VisitInputSchema>;

export interface LedgerState {
  visits: VisitInput[];
  closed: boolean;
}

export const recordVisitUpdate = defineUpdate<LedgerState, [VisitInput]>('recordVisit');
export const ledgerQuery = defineQuery<LedgerState>('ledger');
export const closeLedgerSignal = defineSignal('closeLedger');

/** Rejects bad input before it reaches history, naming each bad field. */
function validateVisit(input: VisitInput): void {
  const parsed = VisitInputSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(input)'} ${issue.message}`);
    throw new Error(`recordVisit rejected: ${problems.join('; ')}`);
  }
}

/** Records visits until closed; state lives only in workflow history. */
export async function visitLedger(): Promise<LedgerState> {
  const state: LedgerState = { visits: [], closed: false };
  const snapshot = (): LedgerState => ({ visits: state.visits.map((v) => ({ ...v })), closed: state.closed });

  setHandler(
    recordVisitUpdate,
    (input) => {
      if (state.closed) throw ApplicationFailure.nonRetryable('the ledger is closed', 'LedgerClosed');
      state.visits.push(VisitInputSchema.parse(input));
      return snapshot();
    },
    { validator: validateVisit },
  );
  setHandler(ledgerQuery, snapshot);
  setHandler(closeLedgerSignal, () => {
    state.closed = true;
  });

  await condition(() => state.closed);
  await condition(allHandlersFinished);
  return snapshot();
}
