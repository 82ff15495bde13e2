/**
 * What changed in the SSD between two reads, row by row: what is new, what the council corrected
 * (the same row with other dates or content) and what it removed. The case record is append-only,
 * so the sync turns these into new events and correction notes; nothing recorded is edited.
 *
 * A read is kept as a ledger: each row's entry (./events.ts) by its source key, with a content hash
 * of what CaseClock reads from it (the child and the events, without who recorded them), so a change
 * to a column CaseClock does not read is no correction, and changing the sync's user id is none either.
 * Ledgers and diffs are plain JSON: they are stored between reads and may cross the Temporal wire.
 */
import { canonicalJson } from '../canonical-json';
import type { CaseEvent } from '../facts';
import { entryKeyOf, type SourceKey, type SsdEntry } from './events';

export interface ReadEntry extends SsdEntry {
  hash: string;
}

/** The rows of one read by source key. */
export type ReadLedger = Readonly<Partial<Record<SourceKey, ReadEntry>>>;

/** One event of a corrected row, by its entry key (`<source key>/<event type>`). */
export type EventChange =
  /** The row now also says this happened (e.g. an episode's close date was filled in). */
  | { change: 'added'; entryKey: string; event: CaseEvent }
  /** The same event at another date. */
  | { change: 'moved'; entryKey: string; before: CaseEvent; after: CaseEvent }
  /** The same event at the same date, with other details (an outcome, a placement type). */
  | { change: 'changed'; entryKey: string; before: CaseEvent; after: CaseEvent }
  /** The row no longer says this happened. */
  | { change: 'withdrawn'; entryKey: string; event: CaseEvent };

export interface Correction {
  sourceKey: SourceKey;
  before: ReadEntry;
  after: ReadEntry;
  /** The row now names another child: the sync withdraws it from one case and adds it to the other. */
  personChanged: boolean;
  changes: EventChange[];
}

export interface SsdDiff {
  added: ReadEntry[];
  corrected: Correction[];
  removed: ReadEntry[];
}

const withoutRecorder = (events: readonly CaseEvent[]) => events.map(({ by: _by, ...rest }) => rest);

/** A content hash of what CaseClock reads from a row. */
export function contentHash(entry: SsdEntry): string {
  return hashText(canonicalJson({ personId: entry.personId, events: withoutRecorder(entry.events) }));
}

/**
 * cyrb53 twice with different seeds: 106 bits, in pure JavaScript (domain code loads no Node
 * built-in, so workflow code may use it). It tells rows apart, it is not a defence against forgery.
 */
function hashText(text: string): string {
  const cyrb53 = (seed: number) => {
    let h1 = 0xdeadbeef ^ seed;
    let h2 = 0x41c6ce57 ^ seed;
    for (let i = 0; i < text.length; i++) {
      const ch = text.charCodeAt(i);
      h1 = Math.imul(h1 ^ ch, 2654435761);
      h2 = Math.imul(h2 ^ ch, 1597334677);
    }
    h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
    h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
    return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16).padStart(14, '0');
  };
  return `${cyrb53(1)}${cyrb53(2)}`;
}

/** A read's entries as a ledger; a source key read twice (a broken extract) is reported, the first kept. */
export function ledgerOf(entries: readonly SsdEntry[]): { ledger: ReadLedger; duplicates: SourceKey[] } {
  const ledger: Partial<Record<SourceKey, ReadEntry>> = {};
  const duplicates: SourceKey[] = [];
  for (const entry of entries) {
    if (ledger[entry.sourceKey] !== undefined) duplicates.push(entry.sourceKey);
    else ledger[entry.sourceKey] = { ...entry, hash: contentHash(entry) };
  }
  return { ledger, duplicates };
}

const keysOf = (ledger: ReadLedger): SourceKey[] => Object.keys(ledger) as SourceKey[];
const byKey = (a: { sourceKey: string }, b: { sourceKey: string }) => (a.sourceKey < b.sourceKey ? -1 : a.sourceKey > b.sourceKey ? 1 : 0);

/** How the events of one row changed between two reads, event by event. */
export function eventChanges(before: SsdEntry, after: SsdEntry): EventChange[] {
  const index = (entry: SsdEntry) => new Map(entry.events.map((e) => [entryKeyOf(entry.sourceKey, e), e]));
  const was = index(before);
  const now = index(after);
  const changes: EventChange[] = [];
  for (const [entryKey, event] of now) {
    const old = was.get(entryKey);
    if (old === undefined) changes.push({ change: 'added', entryKey, event });
    else if (old.at !== event.at) changes.push({ change: 'moved', entryKey, before: old, after: event });
    else if (canonicalJson(withoutRecorder([old])) !== canonicalJson(withoutRecorder([event]))) changes.push({ change: 'changed', entryKey, before: old, after: event });
  }
  for (const [entryKey, event] of was) if (!now.has(entryKey)) changes.push({ change: 'withdrawn', entryKey, event });
  return changes.sort((a, b) => (a.entryKey < b.entryKey ? -1 : a.entryKey > b.entryKey ? 1 : 0));
}

/** One key's change from `before` to `after` (either absent), into the diff being built. */
function classify(diff: SsdDiff, before: ReadEntry | undefined, after: ReadEntry | undefined): void {
  if (before === undefined && after !== undefined) diff.added.push(after);
  else if (before !== undefined && after === undefined) diff.removed.push(before);
  else if (before !== undefined && after !== undefined && before.hash !== after.hash) {
    diff.corrected.push({ sourceKey: after.sourceKey, before, after, personChanged: before.personId !== after.personId, changes: eventChanges(before, after) });
  }
}

function sorted(diff: SsdDiff): SsdDiff {
  return { added: diff.added.sort(byKey), corrected: diff.corrected.sort(byKey), removed: diff.removed.sort(byKey) };
}

/** What changed from the last read to this one. */
export function diffReads(last: ReadLedger, now: ReadLedger): SsdDiff {
  const diff: SsdDiff = { added: [], corrected: [], removed: [] };
  for (const key of new Set([...keysOf(last), ...keysOf(now)])) classify(diff, last[key], now[key]);
  return sorted(diff);
}

export const isEmptyDiff = (diff: SsdDiff): boolean => diff.added.length === 0 && diff.corrected.length === 0 && diff.removed.length === 0;

/** The ledger after a diff: what the sync keeps once it has recorded the diff's events and notes. */
export function applyDiff(ledger: ReadLedger, diff: SsdDiff): ReadLedger {
  const next: Partial<Record<SourceKey, ReadEntry>> = { ...ledger };
  for (const entry of diff.removed) delete next[entry.sourceKey];
  for (const entry of diff.added) next[entry.sourceKey] = entry;
  for (const c of diff.corrected) next[c.sourceKey] = c.after;
  return next;
}

/** Two diffs in a row as one: a row added then removed is nothing, one removed then read again as it was is nothing. */
export function composeDiffs(first: SsdDiff, second: SsdDiff): SsdDiff {
  const before = new Map<SourceKey, ReadEntry | undefined>();
  const after = new Map<SourceKey, ReadEntry | undefined>();
  for (const d of [first, second]) {
    for (const e of d.added) {
      if (!before.has(e.sourceKey)) before.set(e.sourceKey, undefined);
      after.set(e.sourceKey, e);
    }
    for (const c of d.corrected) {
      if (!before.has(c.sourceKey)) before.set(c.sourceKey, c.before);
      after.set(c.sourceKey, c.after);
    }
    for (const e of d.removed) {
      if (!before.has(e.sourceKey)) before.set(e.sourceKey, e);
      after.set(e.sourceKey, undefined);
    }
  }
  const diff: SsdDiff = { added: [], corrected: [], removed: [] };
  for (const [key, was] of before) classify(diff, was, after.get(key));
  return sorted(diff);
}
