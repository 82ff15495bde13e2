/**
 * What a case writes to its record, and the one place its store entry ids are made. Each event,
 * message and note of the case is a timeline entry; the store numbers it by its place in the
 * case's own list (`case:<caseId>:event:<n>`), and lists only grow (entries settled out of a
 * list keep their numbers through the list's base), so an entry always has the same id. Two ids
 * for one entry would show it twice on the timeline, so both the outbox and the timeline's
 * "not yet in the record" part take their ids from `numberedEntries`. Pure.
 */
import type { CaseRecordEntryDraft } from '../../activities/case-record';
import { recordSummaryOfEvent } from '../../domain/labels';
import { deliveryRecordEntry, describeDelivery, type Delivery, type ObligationOutcome, type RecordedEvent, type TimelineEntry } from '../messages';

export type RecordSubject = 'case' | 'incident';

/** The store's lists of a case's entries. */
export type RecordList = 'event' | 'message' | 'note' | 'outcome';

/** The store's id of the `n`th entry of one of a case's lists. */
export function caseRecordEntryId(subject: RecordSubject, caseId: string, list: RecordList, n: number): string {
  return `${subject}:${caseId}:${list}:${n}`;
}

/** A place in each of the case's carried lists (a count of entries, or the number of the first). */
export interface ListMarks {
  events: number;
  deliveries: number;
  notes: number;
}

/** The lists a case carries, as far as its record needs them. */
export interface CarriedLists {
  subject: RecordSubject;
  caseId: string;
  events: readonly RecordedEvent[];
  deliveries: readonly Delivery[];
  notes: readonly TimelineEntry[];
}

/** One of the case's entries with its store id. */
export interface NumberedEntry {
  list: Exclude<RecordList, 'outcome'>;
  entryId: string;
  entry: TimelineEntry;
}

/**
 * The case's entries from `from` on (events, then messages, then notes, oldest first), each with
 * its id: `base` numbers the first entry each list still carries.
 */
export function* numberedEntries(lists: CarriedLists, from: ListMarks, base: ListMarks): Generator<NumberedEntry> {
  const id = (list: RecordList, n: number) => caseRecordEntryId(lists.subject, lists.caseId, list, n);
  for (let i = from.events; i < lists.events.length; i++) {
    yield { list: 'event', entryId: id('event', base.events + i), entry: eventEntry(lists.events[i]!) };
  }
  for (let i = from.deliveries; i < lists.deliveries.length; i++) {
    const delivery = lists.deliveries[i]!;
    // A delivery its own send wrote keeps the id it was written under.
    yield { list: 'message', entryId: delivery.entryId ?? id('message', base.deliveries + i), entry: deliveryEntry(delivery) };
  }
  for (let i = from.notes; i < lists.notes.length; i++) {
    yield { list: 'note', entryId: id('note', base.notes + i), entry: lists.notes[i]! };
  }
}

export function eventEntry(event: RecordedEvent): TimelineEntry {
  return {
    at: event.at,
    recordedAt: event.recordedAt ?? event.at,
    by: event.by,
    entry: event.type === 'policy-applied' ? 'policy' : 'event',
    summary: recordSummaryOfEvent(event),
    event,
  };
}

export function deliveryEntry(delivery: Delivery): TimelineEntry {
  return { at: delivery.sentAt, recordedAt: delivery.sentAt, by: 'caseclock', entry: 'message', summary: describeDelivery(delivery), delivery };
}

/** A numbered entry as the store keeps it. */
export function storeEntry(subject: RecordSubject, caseId: string, { list, entryId, entry }: NumberedEntry): CaseRecordEntryDraft {
  const common = { caseId, subject, entryId } as const;
  const told = { at: entry.at, recordedAt: entry.recordedAt, by: entry.by, summary: entry.summary };
  switch (list) {
    case 'event':
      return { ...common, kind: entry.entry === 'policy' ? 'policy' : 'event', ...told, data: { event: entry.event } };
    case 'message':
      return entry.delivery ? deliveryRecordEntry(subject, caseId, entryId, entry.delivery) : { ...common, kind: 'message', ...told, data: { delivery: entry.delivery } };
    case 'note':
      return { ...common, kind: 'note', ...told, data: { entry: entry.entry } };
  }
}

/** The `seq`th obligation outcome of a case as the store keeps it (seq orders one obligation's outcomes). */
export function outcomeEntry(subject: RecordSubject, caseId: string, seq: number, outcome: ObligationOutcome): CaseRecordEntryDraft {
  return {
    caseId,
    subject,
    entryId: caseRecordEntryId(subject, caseId, 'outcome', seq),
    kind: 'outcome',
    at: outcome.at,
    recordedAt: outcome.recordedAt,
    by: 'caseclock',
    summary: describeOutcome(outcome),
    // Several outcomes of one obligation may be noted at one workflow instant: seq orders them.
    data: { seq, team: outcome.team, tier: outcome.tier, obligation: outcome.obligation },
  };
}

function describeOutcome({ obligation: o }: ObligationOutcome): string {
  const what = `${o.title} (${o.id})`;
  if (o.status === 'open') return `${what} due by ${o.dueAt}`;
  if (o.status === 'met') return o.lateByMs ? `${what} met after its deadline ${o.dueAt}` : `${what} met on time`;
  return `${what} ${o.status}`;
}
