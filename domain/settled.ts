/**
 * A case whose older events are settled into a checkpoint (domain/engine.ts `checkpointCase`):
 * what the consistency rules still need to know about them, kept small, and given back to the
 * rules as the few events that stand for them. Pure.
 */
import type { CaseCheckpoint } from './engine';
import type { CaseEvent } from './facts';

/** Events whose first occurrence the rules check for (e.g. a referral before its decision). */
const FIRST_OF = ['referral-received', 'child-returned', 'incident-reported', 'incident-notified', 'rapid-review-completed'] as const;
type FirstOf = (typeof FIRST_OF)[number];

/** What the rules need of the settled events beyond the checkpoint. */
export interface EarlierFacts {
  firstAt: Partial<Record<FirstOf, string>>;
  /** When the missing episode open at the checkpoint began (absent: none was open). */
  missingOpenSince?: string;
}

/** `earlier` with `events` (all at or before the checkpoint) folded in. */
export function foldEarlierFacts(earlier: EarlierFacts | undefined, events: readonly CaseEvent[]): EarlierFacts {
  const firstAt = { ...(earlier?.firstAt ?? {}) };
  let missing = earlier?.missingOpenSince;
  const ordered = [...events].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  for (const e of ordered) {
    if ((FIRST_OF as readonly string[]).includes(e.type)) {
      const type = e.type as FirstOf;
      if (firstAt[type] === undefined || e.at < firstAt[type]) firstAt[type] = e.at;
    }
    if (e.type === 'missing-started') missing = e.at;
    if (e.type === 'child-returned') missing = undefined;
  }
  return missing === undefined ? { firstAt } : { firstAt, missingOpenSince: missing };
}

const by = 'caseclock';

/**
 * Events standing for what was settled, for the consistency rules only (never for the engine,
 * which goes on from the checkpoint itself): the meetings still scheduled, the holds, the
 * complaints still open, the looked-after episode, and the first of each event the rules ask for.
 */
export function eventsStandingFor(checkpoint: CaseCheckpoint, earlier: EarlierFacts, caseId: string): CaseEvent[] {
  const at = checkpoint.at;
  const events: CaseEvent[] = [];
  for (const m of checkpoint.families.preparation.meetings) {
    events.push({ type: 'meeting-scheduled', at, by, meetingId: m.meetingId, meetingType: m.type, scheduledFor: m.at });
  }
  for (const h of checkpoint.holds) {
    events.push({ type: 'hold-started', at: h.start, by, holdId: h.holdId, reason: 'settled', ...(h.kind ? { kind: h.kind } : {}) });
    if (h.end !== undefined) events.push({ type: 'hold-ended', at: h.end, by, holdId: h.holdId });
  }
  for (const { draft } of checkpoint.open) {
    if (draft.complaintId !== undefined && (draft.kind === 'complaint-stage-1' || draft.kind === 'complaint-stage-2')) {
      events.push({ type: 'complaint-received', at: draft.triggeredAt, by, complaintId: draft.complaintId, stage: draft.kind === 'complaint-stage-1' ? 1 : 2 });
    }
  }
  if (checkpoint.families.lookedAfter.lookedAfter) events.push({ type: 'looked-after-started', at, by });
  for (const [type, when] of Object.entries(earlier.firstAt) as Array<[FirstOf, string]>) {
    if (type === 'referral-received' || type === 'child-returned') events.push({ type, at: when, by });
    else events.push({ type, at: when, by, incidentId: caseId });
  }
  if (earlier.missingOpenSince !== undefined) events.push({ type: 'missing-started', at: earlier.missingOpenSince, by });
  return events;
}
