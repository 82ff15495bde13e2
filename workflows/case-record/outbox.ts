/**
 * The case's outbox to the case-record store: how far the store has caught up with the case's
 * lists (carried across continue-as-new, so entries wait in the case until the store has them),
 * the obligation outcomes noted and not yet stored, and the next batch to write. Entries and
 * their ids come from ./entries.ts.
 */
import type { Obligation } from '../../domain/engine';
import type { CaseRecordEntryDraft } from '../../activities/case-record';
import type { CaseWorkflowInput, ObligationOutcome, StoredMarks, TimelineEntry } from '../messages';
import { numberedEntries, outcomeEntry, storeEntry, type ListMarks } from './entries';
import type { CaseFacts } from './facts';

/** Most entries written to the case-record store at once (a case migrating its past writes several batches). */
export const STORE_BATCH_ENTRIES = 200;

/** One batch on its way to the case-record store, and the marks it reaches once stored. */
export interface StoreBatch {
  entries: CaseRecordEntryDraft[];
  reaches: Pick<StoredMarks, 'events' | 'deliveries' | 'notes'> & { outcomes: number; outcomesTaken: number };
}

export class StoreOutbox {
  /** Whether this run writes its record to the case-record store (runs of older code do not). */
  keepsRecord = false;
  /** What the case-record store holds of this case; see StoredMarks. */
  private stored: StoredMarks;
  /** Outcomes noted, oldest first, not yet stored. */
  private outcomesToStore: ObligationOutcome[];
  /** Store numbering of the first entry each list still carries (those before it are settled). */
  private entryBase: ListMarks;
  /** Moves on whenever the store has taken a batch. */
  revision = 0;

  constructor(
    input: CaseWorkflowInput,
    private readonly facts: CaseFacts,
  ) {
    this.stored = input.stored ?? { events: 0, deliveries: 0, notes: 0, outcomes: 0, lastOutcome: {} };
    this.outcomesToStore = [...(input.outcomesToStore ?? [])];
    this.entryBase = input.entryBase ?? { events: 0, deliveries: 0, notes: 0 };
  }

  /** What the next run's input carries of the outbox (only runs that keep a store record carry the marks). */
  carried(): Pick<CaseWorkflowInput, 'stored' | 'outcomesToStore'> {
    return this.keepsRecord ? { stored: this.stored, outcomesToStore: this.outcomesToStore } : {};
  }

  /** The numbering carried once the case has settled. */
  get base(): ListMarks {
    return this.entryBase;
  }

  /**
   * Notes each obligation whose status or deadline changed since it was last noted (a new one
   * included), for the case record: the reports read outcomes from the store, never from Temporal.
   */
  noteOutcomes(obligations: readonly Obligation[], now: string): void {
    if (!this.keepsRecord) return;
    const team = this.facts.details.team;
    const tier = this.facts.tier ?? 'UNRATED';
    for (const o of obligations) {
      // While on hold an occurrence's deadline moves with time: noted once on hold, then once resumed.
      const key = `${o.status}|${o.onHold ? 'on hold' : o.dueAt}`;
      if (this.stored.lastOutcome[o.id] === key) continue;
      this.stored.lastOutcome[o.id] = key;
      this.outcomesToStore.push({
        at: o.resolvedAt ?? now,
        recordedAt: now,
        team,
        tier,
        obligation: {
          id: o.id,
          kind: o.kind,
          title: o.title,
          triggeredAt: o.triggeredAt,
          dueAt: o.dueAt,
          status: o.status,
          ...(o.lateByMs === undefined ? {} : { lateByMs: o.lateByMs }),
          ...(o.resolvedAt === undefined ? {} : { resolvedAt: o.resolvedAt }),
        },
      });
    }
  }

  /**
   * The oldest entries the store does not hold yet (at most STORE_BATCH_ENTRIES), or undefined
   * when it holds everything. A batch sent again carries the same ids, and the store keeps one copy.
   */
  nextBatch(): StoreBatch | undefined {
    const { subject, caseId } = this.facts;
    const entries: CaseRecordEntryDraft[] = [];
    const reaches = { ...this.stored, outcomesTaken: 0 };
    for (const numbered of numberedEntries(this.facts, this.stored, this.entryBase)) {
      if (entries.length === STORE_BATCH_ENTRIES) break;
      entries.push(storeEntry(subject, caseId, numbered));
      if (numbered.list === 'event') reaches.events++;
      else if (numbered.list === 'message') reaches.deliveries++;
      else reaches.notes++;
    }
    for (; reaches.outcomesTaken < this.outcomesToStore.length && entries.length < STORE_BATCH_ENTRIES; reaches.outcomesTaken++) {
      entries.push(outcomeEntry(subject, caseId, reaches.outcomes + reaches.outcomesTaken, this.outcomesToStore[reaches.outcomesTaken]!));
    }
    if (entries.length === 0) return undefined;
    const { events, deliveries, notes, outcomes, outcomesTaken } = reaches;
    return { entries, reaches: { events, deliveries, notes, outcomes: outcomes + outcomesTaken, outcomesTaken } };
  }

  /**
   * The store has a batch: the marks move on (nothing the engine reads changes). Marks only move
   * forward: a batch a recorded send carried and a write of the case's own may hold the same
   * entries and land in either order.
   */
  batchStored(batch: StoreBatch): void {
    const { events, deliveries, notes, outcomes } = batch.reaches;
    const stored = this.stored;
    this.outcomesToStore = this.outcomesToStore.slice(Math.max(0, outcomes - stored.outcomes));
    this.stored = {
      events: Math.max(events, stored.events),
      deliveries: Math.max(deliveries, stored.deliveries),
      notes: Math.max(notes, stored.notes),
      outcomes: Math.max(outcomes, stored.outcomes),
      lastOutcome: stored.lastOutcome,
    };
    this.revision++;
  }

  /**
   * The delivery at `index` of the case's list was written by its own send: when every delivery
   * before it is stored, the mark moves past it; otherwise a later batch writes it again under the
   * same id and content, which the store keeps once.
   */
  deliveryStored(index: number): void {
    if (this.stored.deliveries !== index) return;
    this.stored = { ...this.stored, deliveries: index + 1 };
    this.revision++;
  }

  /**
   * Whether every entry waiting is the clocks' own (obligation outcomes, messages sent): nothing a
   * person or the case system recorded, which readers wait to see.
   */
  get onlyClockEntriesWaiting(): boolean {
    return this.facts.events.length === this.stored.events && this.facts.notes.length === this.stored.notes;
  }

  /** Entries the store does not hold yet (for the case page: a store that is down shows here). */
  get waiting(): number {
    return this.facts.events.length - this.stored.events + (this.facts.deliveries.length - this.stored.deliveries) + (this.facts.notes.length - this.stored.notes) + this.outcomesToStore.length;
  }

  /** The timeline entries from where the store's record ends, with the ids they are stored under. */
  notYetInRecord(): TimelineEntry[] {
    return [...numberedEntries(this.facts, this.stored, this.entryBase)].map(({ entryId, entry }) => ({ entryId, ...entry }));
  }

  /**
   * The case has settled `settledOut` entries out of its lists (all of them stored): the numbering
   * goes on where it was, and only outcomes of occurrences the engine can still report are remembered.
   */
  settled(settledOut: ListMarks, stillReported: ReadonlySet<string>): void {
    this.entryBase = {
      events: this.entryBase.events + settledOut.events,
      deliveries: this.entryBase.deliveries + settledOut.deliveries,
      notes: this.entryBase.notes + settledOut.notes,
    };
    const { events, deliveries, notes } = this.facts;
    const lastOutcome = Object.fromEntries(Object.entries(this.stored.lastOutcome).filter(([id]) => stillReported.has(id)));
    this.stored = { ...this.stored, events: events.length, deliveries: deliveries.length, notes: notes.length, lastOutcome };
  }
}
