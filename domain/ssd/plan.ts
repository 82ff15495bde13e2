/**
 * What one read of the SSD asks of each child's case: pure, no I/O. The sync (activities/ssd-sync.ts)
 * reads the source, diffs the read against the last one (./diff.ts) and asks this module, child by
 * child, what to do: open the case with what the source already records, record what is new, note a
 * correction, or close the case when its last episode has closed. The activity carries it out and
 * writes the child's rows to the ledger only once their case holds them.
 *
 * The case record is append-only: a corrected row's new date is recorded as a new event and the
 * correction is noted on the case with what it was; a removed row is noted, never deleted.
 */
import type { CaseEvent } from '../facts';
import type { Correction, ReadEntry, SsdDiff } from './diff';
import { caseKindAt, type CaseKind, type SourceKey, type SsdEpisode } from './events';

/** What CaseClock already keeps for a child the sync follows. */
export interface KnownCase {
  caseId: string;
  /** `opening`: its opening rows are in the ledger and the case was being opened when a run stopped. */
  status: 'opening' | 'open' | 'closed';
  /** When a closed case closed (the case system's close date, or when CaseClock found it closed). */
  closedAt?: string;
}

/** An event with the row it came from: `updateId` makes recording it again a no-op in Temporal. */
export interface SourcedEvent {
  sourceKey: SourceKey;
  event: CaseEvent;
}

export type ChildPlan =
  /**
   * No case yet and an episode is open: open it from the episode's start with everything the source
   * records since. `reopening`: the child's last case closed and a new episode (a re-referral) has
   * opened since, so this is a new case, under the episode's own case id.
   */
  | {
      action: 'open';
      personId: string;
      kind: CaseKind;
      openedAt: string;
      events: SourcedEvent[];
      rows: ReadEntry[];
      removed: SourceKey[];
      reopening?: { previousCaseId: string };
      /** The case was being opened when a run stopped: its id, and the events of rows new or corrected since its opening rows were written. */
      resume?: { caseId: string; pending: SourcedEvent[] };
    }
  /** The case is open: record what is new, note corrections and removals, close it when no episode is open. */
  | {
      action: 'update';
      personId: string;
      events: SourcedEvent[];
      notes: CorrectionNote[];
      close?: { at: string; reason: string };
      rows: ReadEntry[];
      removed: SourceKey[];
    }
  /** Nothing for a case to do (no episode open and no case, or a closed case): the rows are only kept in the ledger. */
  | {
      action: 'ledger-only';
      personId: string;
      rows: ReadEntry[];
      removed: SourceKey[];
      /** The case is closed in CaseClock while the case system has an episode open since before it closed: reported, never reopened by the sync. */
      openWhileClosed?: true;
    };

/** A correction or removal of a row, for the case's timeline. */
export interface CorrectionNote {
  sourceKey: SourceKey;
  summary: string;
}

const byDate = (a: SourcedEvent, b: SourcedEvent): number => (a.event.at < b.event.at ? -1 : a.event.at > b.event.at ? 1 : a.sourceKey < b.sourceKey ? -1 : a.sourceKey > b.sourceKey ? 1 : 0);

/**
 * Episodes end cases, not rows: a child in need episode's close date is not the case's end while a
 * plan or a period of care is still open, so `case-closed` events from rows never reach a case; the
 * plan closes it when no episode is open.
 */
const sourced = (entry: ReadEntry): SourcedEvent[] => entry.events.filter((e) => e.type !== 'case-closed').map((event) => ({ sourceKey: entry.sourceKey, event }));

const day = (iso: string): string => iso.slice(0, 10);

/** A row dated after `at` waits: it is recorded, and kept in the ledger, once its date has come. */
const due =
  (at: string) =>
  (entry: ReadEntry): boolean =>
    entry.events.every((e) => e.at <= at);

/** How a correction reads on the case's timeline: the row and what changed, dates and codes only. */
export function correctionSummary(correction: Correction): string {
  const parts = correction.changes.map((c) => {
    switch (c.change) {
      case 'added':
        return `now also records ${c.event.type} on ${day(c.event.at)}`;
      case 'moved':
        return `${c.before.type} moved from ${day(c.before.at)} to ${day(c.after.at)}`;
      case 'changed':
        return `${c.after.type} on ${day(c.after.at)} changed`;
      case 'withdrawn':
        return `no longer records ${c.event.type} on ${day(c.event.at)}`;
    }
  });
  return `Corrected in the case system (${correction.sourceKey}): ${parts.length === 0 ? 'details changed' : parts.join('; ')}`;
}

export const removalSummary = (entry: ReadEntry): string =>
  `Removed from the case system (${entry.sourceKey}): it recorded ${entry.events.length === 0 ? 'nothing CaseClock uses' : entry.events.map((e) => `${e.type} on ${day(e.at)}`).join(', ')}`;

/** The earliest start of the episodes open at `at` that overlap into now: where an opened case's clocks begin. */
function openingOf(episodes: readonly SsdEpisode[], personId: string, at: string): string | undefined {
  const open = episodes.filter((e) => e.personId === personId && e.openedAt <= at && (e.closedAt === undefined || e.closedAt > at));
  if (open.length === 0) return undefined;
  let start = open.map((e) => e.openedAt).reduce((a, b) => (a < b ? a : b));
  // Episodes that ran into the open ones (a CIN episode before the plan that followed it) are the same case.
  for (let changed = true; changed;) {
    changed = false;
    for (const e of episodes) {
      if (e.personId !== personId || e.openedAt >= start) continue;
      if (e.closedAt === undefined || e.closedAt >= start) {
        start = e.openedAt;
        changed = true;
      }
    }
  }
  return start;
}

/** Why the case closes: the latest episode to close, in the case system's words where it has them. */
function closingOf(episodes: readonly SsdEpisode[], personId: string, at: string): { at: string; reason: string } | undefined {
  const closed = episodes.filter((e) => e.personId === personId && e.closedAt !== undefined && e.closedAt <= at);
  if (closed.length === 0) return undefined;
  const last = closed.reduce((a, b) => ((a.closedAt ?? '') >= (b.closedAt ?? '') ? a : b));
  const what = last.kind === 'child-in-need' ? 'child in need episode' : last.kind === 'child-protection' ? 'child protection plan' : 'period of care';
  return { at: last.closedAt ?? at, reason: `${what} closed in the case system${last.closeReason === undefined ? '' : `: ${last.closeReason}`}` };
}

/**
 * Each child's plan from one read: `now` is the whole read's ledger entries by person, `diff` what
 * changed since the last read, `known` the cases CaseClock keeps. Children neither changed nor
 * opening nor closing are left out.
 */
export function planChildren(input: {
  at: string;
  episodes: readonly SsdEpisode[];
  /** Every entry of this read, by person. */
  entriesOf: (personId: string) => readonly ReadEntry[];
  diff: SsdDiff;
  known: ReadonlyMap<string, KnownCase>;
}): ChildPlan[] {
  const { at, diff, known } = input;
  // Each child's own episodes: every question below is about one child, and a council has thousands.
  const episodesByPerson = groupBy(input.episodes, (e) => e.personId);
  const episodesOf = (personId: string): readonly SsdEpisode[] => episodesByPerson.get(personId) ?? [];
  const touched = new Set<string>();
  for (const e of diff.added) touched.add(e.personId);
  for (const c of diff.corrected) {
    touched.add(c.after.personId);
    touched.add(c.before.personId);
  }
  for (const e of diff.removed) touched.add(e.personId);
  for (const [personId, episodes] of episodesByPerson) {
    const openNow = caseKindAt(episodes, personId, at) !== undefined;
    const kase = known.get(personId);
    const reReferred = openNow && kase?.status === 'closed' && kase.closedAt !== undefined && (openingOf(episodes, personId, at) ?? '') > kase.closedAt;
    if ((openNow && kase === undefined) || (!openNow && kase?.status === 'open') || reReferred || kase?.status === 'opening') touched.add(personId);
  }
  const addedOf = groupBy(diff.added, (e) => e.personId);
  const removedOf = groupBy(diff.removed, (e) => e.personId);
  const correctedOf = new Map<string, Correction[]>();
  for (const c of diff.corrected) {
    for (const personId of new Set([c.before.personId, c.after.personId])) correctedOf.set(personId, [...(correctedOf.get(personId) ?? []), c]);
  }

  const plans: ChildPlan[] = [];
  for (const personId of [...touched].sort()) {
    const kase = known.get(personId);
    const removedRows = removedOf.get(personId) ?? [];
    const removed = [...removedRows.map((e) => e.sourceKey), ...(correctedOf.get(personId) ?? []).filter((c) => c.personChanged && c.before.personId === personId).map((c) => c.sourceKey)];
    const episodes = episodesOf(personId);
    const kind = caseKindAt(episodes, personId, at);
    const chainStart = kind === undefined ? undefined : openingOf(episodes, personId, at);
    // A re-referral: the last case closed, and the episodes open now began after it closed.
    const reopening = kase?.status === 'closed' && chainStart !== undefined && kase.closedAt !== undefined && chainStart > kase.closedAt;
    const corrections = (correctedOf.get(personId) ?? []).filter((c) => c.after.personId === personId || c.before.personId === personId);
    const changedRows = [...(addedOf.get(personId) ?? []), ...corrections.filter((c) => c.after.personId === personId).map((c) => c.after)].filter(due(at));
    const changes = changesOf(
      personId,
      (addedOf.get(personId) ?? []).filter(due(at)),
      corrections.filter((c) => due(at)(c.after)),
    );
    // A case a stopped run was opening whose episode has closed since: closed, as any open case.
    const openingClosed = kase?.status === 'opening' && kind === undefined;
    if ((kase === undefined || reopening || kase.status === 'opening') && !openingClosed) {
      const rows = input.entriesOf(personId).filter(due(at));
      const openedAt = openingOf(episodes, personId, at);
      if (kind === undefined || openedAt === undefined) {
        plans.push({ action: 'ledger-only', personId, rows, removed });
        continue;
      }
      // What happened before this case began belongs to an earlier one; the ledger keeps it all the
      // same. A row that runs into the case comes whole (a child missing before it and back after).
      const events = rows
        .filter((r) => sourced(r).some((s) => s.event.at >= openedAt))
        .flatMap(sourced)
        .filter((s) => s.event.at <= at)
        .sort(byDate);
      plans.push({
        action: 'open',
        personId,
        kind,
        openedAt,
        events,
        rows,
        removed,
        ...(reopening && kase ? { reopening: { previousCaseId: kase.caseId } } : {}),
        // A run stopped while opening it: the case may hold the ledger's rows already; these are what came since.
        ...(kase?.status === 'opening' ? { resume: { caseId: kase.caseId, pending: changes.events.filter((s) => s.event.at <= at).sort(byDate) } } : {}),
      });
      continue;
    }
    if (kase === undefined) continue;
    const rows = changedRows;
    if (kase.status === 'closed') {
      plans.push({ action: 'ledger-only', personId, rows, removed, ...(kind !== undefined ? { openWhileClosed: true as const } : {}) });
      continue;
    }
    const events = changes.events;
    const notes = changes.notes;
    for (const e of removedRows) notes.push({ sourceKey: e.sourceKey, summary: removalSummary(e) });
    const close = kind === undefined ? closingOf(episodes, personId, at) : undefined;
    plans.push({
      action: 'update',
      personId,
      events: events.filter((s) => s.event.at <= at).sort(byDate),
      notes,
      ...(kind === undefined ? { close: close ?? { at, reason: 'no open episode in the case system' } } : {}),
      rows,
      removed,
    });
  }
  return plans;
}

/** What a child's new and corrected rows ask of its case: events to record, and a note for each correction. */
function changesOf(personId: string, added: readonly ReadEntry[], corrections: readonly Correction[]): { events: SourcedEvent[]; notes: CorrectionNote[] } {
  const events: SourcedEvent[] = [];
  for (const e of added) events.push(...sourced(e));
  const notes: CorrectionNote[] = [];
  for (const c of corrections) {
    if (c.personChanged) {
      if (c.after.personId === personId) events.push(...sourced(c.after));
      notes.push({
        sourceKey: c.sourceKey,
        summary: c.after.personId === personId ? `Moved to this child in the case system (${c.sourceKey})` : `Moved to another child in the case system (${c.sourceKey})`,
      });
      continue;
    }
    notes.push({ sourceKey: c.sourceKey, summary: correctionSummary(c) });
    for (const change of c.changes) {
      if ((change.change === 'added' || change.change === 'moved' || change.change === 'changed') && (change.change === 'added' ? change.event : change.after).type !== 'case-closed') {
        events.push({ sourceKey: c.sourceKey, event: change.change === 'added' ? change.event : change.after });
      }
    }
  }
  return { events, notes };
}

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = m.get(k);
    if (list) list.push(item);
    else m.set(k, [item]);
  }
  return m;
}
