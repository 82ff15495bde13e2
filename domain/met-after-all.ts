/**
 * Met after all: a case that follows the council's case system may escalate an obligation the
 * case system later shows was met on time (a visit recorded there the same day, read by the next
 * sync). The people it escalated to are then told, once each, that it was met after all: no one
 * should chase a visit that happened. Pure: the case workflow asks which notices are owed.
 */
import type { DueMessage, Obligation } from './engine';

/** What a case knows of a message it sent (the case's delivery records). */
export interface SentRecord {
  messageId: string;
  type: string;
  obligationId?: string;
  role: string;
  outcome: string;
}

/** The notice's id: one per obligation and role, so it goes once. */
export const metAfterAllMessageId = (obligationId: string, role: string): string => `${obligationId}/met-after-all/${role}`;

/**
 * The notices owed now: for each obligation met by its deadline that was escalated (an escalation
 * delivered), one to each role it was escalated to, unless sent or sending already. The notice
 * names its obligation through `for`, not `obligationId`, so that no withdrawal of the obligation's
 * own messages (it is met) ever withdraws it.
 */
export function metAfterAllOwed(obligations: readonly Obligation[], sent: readonly SentRecord[], sending: (messageId: string) => boolean, now: string): Array<{ due: DueMessage; for: Obligation }> {
  const owed: Array<{ due: DueMessage; for: Obligation }> = [];
  const done = new Set(sent.map((s) => s.messageId));
  for (const o of obligations) {
    if (o.status !== 'met' || o.resolvedAt === undefined || o.resolvedAt > o.dueAt) continue;
    const roles = new Set(sent.filter((s) => s.type === 'escalation' && s.obligationId === o.id && s.outcome === 'delivered').map((s) => s.role));
    for (const role of [...roles].sort()) {
      const messageId = metAfterAllMessageId(o.id, role);
      if (done.has(messageId) || sending(messageId)) continue;
      owed.push({ due: { messageId, kind: o.kind, type: 'notice', level: 0, repeat: 0, role: role as DueMessage['role'], sendAt: now }, for: o });
    }
  }
  return owed;
}
