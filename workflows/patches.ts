/**
 * Every patch id the case workflow has used with `patched()`, defined once: the workflow branches
 * on them, and tests check the markers they leave in history. An id is never reused or renamed
 * while a run that recorded it may still be replayed.
 */

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
