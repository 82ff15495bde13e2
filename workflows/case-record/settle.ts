/**
 * The settler: at continue-as-new, what happened before a cut is settled into the checkpoint, so
 * the case carries only its live state and its recent events; a case open for eighteen years
 * carries no more than one open for one.
 */
import { checkpointCase } from '../../domain/engine';
import { canonicalInstant as canonical } from '../../domain/engine/context';
import { foldEarlierFacts } from '../../domain/settled';
import type { CaseRecord } from '../case-record';

/**
 * How long a case keeps its events open to late recording: at continue-as-new, what happened
 * before this many days ago is settled into the checkpoint (events dated before then are refused).
 */
export const SETTLE_AFTER_DAYS = 90;

/**
 * Settles everything up to `cut` into the checkpoint. Only when the store holds the whole record
 * (what is settled is read from there) and no send is in flight; returns whether it settled.
 * Deliveries stay while the engine may still plan their messages (their obligation still open,
 * or a conference notice still pending); notes all go (they are stored).
 */
export function settle(kase: CaseRecord, cut: string, now: string): boolean {
  const { facts, outbox, clocks } = kase;
  if (!outbox.keepsRecord || facts.closed || outbox.waiting > 0 || clocks.sendsInFlight > 0) return false;
  const before = facts.checkpoint;
  if (cut <= facts.openedAt || (before && cut <= before.at)) return false;
  const settling = facts.events.filter((e) => canonical(e.at) <= cut);
  if (settling.length === 0) return false;
  const checkpoint = checkpointCase(
    {
      ...(before ? { checkpoint: before } : {}),
      facts: { caseId: facts.caseId, openedAt: facts.openedAt, events: facts.events, sent: facts.deliveries },
      policies: facts.snapshots,
      now,
    },
    cut,
  );
  const openIds = new Set(checkpoint.open.map((o) => o.draft.id));
  const pendingNotices = checkpoint.changes.map((c) => `${facts.caseId}/notice/${c.meetingId}/${c.change}@${c.at}/`);
  const events = facts.events.filter((e) => canonical(e.at) > cut);
  const deliveries = facts.deliveries.filter((d) => d.sentAt > cut || (d.obligationId !== undefined && openIds.has(d.obligationId)) || pendingNotices.some((p) => d.messageId.startsWith(p)));
  const settledOut = { events: facts.events.length - events.length, deliveries: facts.deliveries.length - deliveries.length, notes: facts.notes.length };
  facts.settle({ checkpoint, earlierFacts: foldEarlierFacts(facts.earlierFacts, settling), events, deliveries });
  // Outcomes are remembered only for occurrences the engine can still report.
  const stillReported = new Set(clocks.evaluate(now).obligations.map((o) => o.id));
  outbox.settled(settledOut, stillReported);
  return true;
}
