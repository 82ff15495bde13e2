/**
 * One case inside its workflow, in four parts (workflows/case-record/): its facts, its clocks (the
 * engine's answer, with the sends in flight), its outbox to the case-record store, and what it
 * carries across continue-as-new. The settler (./case-record/settle.ts) and the views
 * (./case-record/views.ts) are functions of these parts. Deadlines come from the pure engine.
 */
import type { Problem } from '../domain/consistency';
import { problemsWithEvent } from '../domain/consistency';
import type { CaseEvent } from '../domain/facts';
import { CaseClocks } from './case-record/clocks';
import { CaseFacts } from './case-record/facts';
import { StoreOutbox } from './case-record/outbox';
import { SETTLE_AFTER_DAYS } from './case-record/settle';
import type { CaseWorkflowInput } from './messages';
import { CASE_CODE } from './patches';

export { SETTLE_AFTER_DAYS, settle } from './case-record/settle';
export { STORE_BATCH_ENTRIES, type StoreBatch } from './case-record/outbox';
export type { SendEnding } from './case-record/clocks';
export { caseAnswer, caseAttributesAt, caseState, caseSummary, caseSummaryOnceSent, caseTimeline, messageFor } from './case-record/views';

export class CaseRecord {
  readonly facts: CaseFacts;
  readonly clocks: CaseClocks;
  readonly outbox: StoreOutbox;
  /** Wake-ups asked for by the loop itself (a write to the store failed). */
  private nudges = 0;
  /** A summary is wanted in the store even with no entry to write (writeSummary). Not carried: a new run writes with its first entries. */
  summaryWanted = false;

  constructor(input: CaseWorkflowInput) {
    this.facts = new CaseFacts(input);
    this.clocks = new CaseClocks(this.facts);
    this.outbox = new StoreOutbox(input, this.facts);
  }

  /** What the case carries across continue-as-new: nothing lost, plain JSON, in this order. */
  toInput(): CaseWorkflowInput {
    const { facts, outbox } = this;
    const checkpoint = facts.checkpoint;
    return {
      ...facts.carried(),
      ...outbox.carried(),
      // The next run is begun by this code, so it takes every change without asking.
      code: CASE_CODE,
      ...(checkpoint ? { checkpoint, earlierFacts: facts.earlierFacts ?? { firstAt: {} }, entryBase: outbox.base } : {}),
    };
  }

  /**
   * Moves on with every change the main loop must see: a fact recorded, a batch stored, a nudge.
   * The loop notes it before it sleeps and wakes when it differs.
   */
  get revision(): number {
    return this.facts.revision + this.outbox.revision + this.nudges;
  }

  /** Wakes the main loop without a change to the case. */
  nudge(): void {
    this.nudges++;
  }

  /** Why `event` cannot be recorded now (empty: it can): the domain's rules, and the settled part. */
  problemsWith(event: CaseEvent, now: string): Problem[] {
    const { facts } = this;
    const problems = problemsWithEvent({ subject: facts.subject, openedAt: facts.openedAt, events: facts.eventsForRules(), open: this.clocks.evaluate(now).open }, event, now);
    const checkpoint = facts.checkpoint;
    if (checkpoint && event.at <= checkpoint.at && !problems.some((p) => p.field === 'at')) {
      problems.push({
        field: 'at',
        message: `is on or before ${checkpoint.at}: the case's clocks are settled up to then (it keeps ${SETTLE_AFTER_DAYS} days open to late recording)`,
      });
    }
    return problems;
  }
}
