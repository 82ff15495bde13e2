/**
 * Every patch id the case workflow has used with `patched()`, defined once: the workflow branches
 * on them, and tests check the markers they leave in history. An id is never reused or renamed
 * while a run that recorded it may still be replayed.
 *
 * A run begun with `code: CASE_CODE` in its input (every case the client opens, every
 * continue-as-new) takes every change below without asking `patched()`: each ask leaves a marker
 * and a TemporalChangeVersion upsert in a new case's first task. Runs begun without it (older
 * clients, older runs) ask as before. A change made after CASE_CODE 1 is asked for by runs of an
 * older code, and CASE_CODE moves on (docs/changing-workflow-code.md).
 */

/** The code every new run takes: all the changes below. Carried in the run's input. */
export const CASE_CODE = 3;

/** The code from which a run takes RECORDED_SENDS_PATCH without asking (code 1 takes every change before it). */
export const RECORDED_SENDS_CODE = 2;

/**
 * The code from which a case's first run writes its opening (its events, the obligations they
 * start, its summary) by a local activity in its first workflow task, where older runs scheduled a
 * write activity and took a second task to hear of it. Asked of no older run: a run opens once, at
 * its start, so a run of code 2 has opened the old way before any code asks.
 */
export const OPENING_IN_TASK_CODE = 3;

/** Runs that send each due message on its own, never awaiting one send before another. */
export const INDEPENDENT_SENDS_PATCH = 'independent-sends';

/** Runs that write their record (events, messages, notes, obligation outcomes) to the case-record store. */
export const CASE_RECORD_STORE_PATCH = 'case-record-store';

/** Runs that settle what is older than SETTLE_AFTER_DAYS into a checkpoint at continue-as-new. */
export const SETTLED_STATE_PATCH = 'settled-state';

/** Runs whose updates answer with a small summary of the case (CaseAnswer), not its whole state. */
export const SMALL_UPDATE_ANSWER_PATCH = 'small-update-answer';

/**
 * Runs that take their search attributes as the client set them at the start (or as carried from
 * the previous run) and upsert only those that differ: a new case's first task upserts nothing.
 */
export const START_ATTRIBUTES_PATCH = 'start-attributes';

/** Runs that open a case (no record written yet) write its summary at once, even with no entry to write. */
export const OPENING_SUMMARY_PATCH = 'opening-summary';

/**
 * Runs whose loop costs a message no more workflow tasks than it must: a write of the clocks' own
 * entries waits while a message just started is being sent (its delivery then goes in the same
 * write), and the loop keeps one timer until the instant it waits for changes, rather than one per
 * turn. (Never shipped with the write by local activity it was first recorded with: see case.ts.)
 */
export const LEAN_LOOP_PATCH = 'lean-loop';

/**
 * Runs whose send writes the message's delivery to the case-record store itself, with the entries
 * that waited for it and the case's summary, in one transaction (a recorded send): a message costs
 * one activity and the workflow task that hears of it, where a send and then a write took two of
 * each. Taken without asking from RECORDED_SENDS_CODE.
 */
export const RECORDED_SENDS_PATCH = 'recorded-sends';
