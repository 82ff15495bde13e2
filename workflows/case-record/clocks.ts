/**
 * The engine's answer for a case, and the messages on their way. A message being sent (its
 * activity started, no outcome yet) counts as sent, so the engine never asks for it twice; sends
 * in flight are never carried across continue-as-new, which waits until there are none.
 */
import { evaluateCase, type CaseEvaluation, type DueMessage } from '../../domain/engine';
import type { Delivery, TimelineEntry } from '../messages';
import type { CaseFacts } from './facts';

/** How a send ended: with a delivery (delivered, or undeliverable for good), or withdrawn with a note. */
export type SendEnding = { delivery: Delivery } | { withdrawn: TimelineEntry };

export class CaseClocks {
  /** Messages being sent now, by message id, oldest first. */
  private readonly sending = new Map<string, DueMessage>();
  private cached?: { now: string; revision: number; evaluation: CaseEvaluation };

  constructor(private readonly facts: CaseFacts) {}

  /**
   * The engine's answer at `now`. Between wake-ups nothing the engine answers moves with time
   * alone (every instant at which something falls due is a wake-up), so an evaluation stays good
   * from its instant until its `nextWakeAt` or the facts' next change, and the case is evaluated
   * at most once per wake-up, however often the loop turns (a send ending, a write to the store).
   * A held occurrence's deadline moves with time, so then only the same instant reuses it.
   */
  evaluate(now: string): CaseEvaluation {
    const cached = this.cached;
    if (cached && cached.revision === this.facts.revision && (cached.now === now || stillGood(cached, now))) return cached.evaluation;
    const checkpoint = this.facts.checkpoint;
    const evaluation = evaluateCase({
      facts: { caseId: this.facts.caseId, openedAt: this.facts.openedAt, events: this.facts.events, sent: this.sentOrSending() },
      policies: this.facts.snapshots,
      now,
      ...(checkpoint ? { checkpoint } : {}),
    });
    this.cached = { now, revision: this.facts.revision, evaluation };
    return evaluation;
  }

  /** A message's send has started; it stays in flight until `finishSending`. */
  startSending(due: DueMessage): void {
    this.sending.set(due.messageId, due);
    // In flight, a message counts as sent; that changes only what is due now (every message in
    // flight is past its time, so no wake-up moves), so the cached evaluation drops it instead
    // of the case being evaluated again.
    const cached = this.cached;
    if (cached) {
      const messagesDue = cached.evaluation.messagesDue.filter((m) => m.messageId !== due.messageId);
      this.cached = { ...cached, evaluation: { ...cached.evaluation, messagesDue } };
    }
  }

  /**
   * A send has ended: the delivery or the note saying why it was withdrawn is recorded in the same
   * step, so the message is never neither in flight nor recorded.
   */
  finishSending(messageId: string, ending: SendEnding): void {
    this.sending.delete(messageId);
    if ('delivery' in ending) this.facts.recordDelivery(ending.delivery);
    else this.facts.recordNote(ending.withdrawn);
  }

  isSending(messageId: string): boolean {
    return this.sending.has(messageId);
  }

  /** Messages in flight now, oldest first. */
  inFlight(): DueMessage[] {
    return [...this.sending.values()];
  }

  get sendsInFlight(): number {
    return this.sending.size;
  }

  /** Delivered, given up on, or being sent now: what the engine must not ask for again. */
  private sentOrSending(): Array<{ messageId: string; sentAt: string }> {
    if (this.sending.size === 0) return this.facts.deliveries;
    return [...this.facts.deliveries, ...[...this.sending.values()].map((due) => ({ messageId: due.messageId, sentAt: due.sendAt }))];
  }
}

function stillGood(cached: { now: string; evaluation: CaseEvaluation }, now: string): boolean {
  const { nextWakeAt, open } = cached.evaluation;
  return now > cached.now && (nextWakeAt === null || now < nextWakeAt) && !open.some((o) => o.onHold);
}
