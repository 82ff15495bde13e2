/**
 * Reminders before a deadline, escalations after it, and notices of postponed or cancelled
 * conferences. Each message has a stable id, so nothing is sent twice; a case that wakes late
 * sends only the latest repeat of each escalation level and the latest reminder, never a burst.
 */
import { addIsoDuration, approximateMs, multiplyDuration, subtractIsoDuration } from '../durations';
import type { ObligationKind } from '../kinds';
import type { ConferenceNotice, EscalationStep, ResolvedRule } from '../policy';
import type { ConferenceChange } from './meeting-preparation';
import type { DueMessage } from './types';

/** An open obligation, as the message planner sees it. */
export interface OpenClock {
  caseId: string;
  obligationId: string;
  kind: ObligationKind;
  triggeredAt: string;
  dueAt: string;
  meetingId?: string;
  rule: ResolvedRule;
  /** Escalation levels acknowledged so far. */
  acknowledged: ReadonlySet<number>;
}

export interface MessagePlan {
  due: DueMessage[];
  /** Future instants at which something will be due. */
  wakes: string[];
}

const reminderId = (c: OpenClock, offset: string) => `${c.caseId}/${c.obligationId}/reminder/${offset}`;
const escalationId = (c: OpenClock, level: number, repeat: number) => `${c.caseId}/${c.obligationId}/escalation/L${level}/${repeat}`;

function base(c: OpenClock): Pick<DueMessage, 'obligationId' | 'kind' | 'dueAt' | 'meetingId'> {
  return c.meetingId === undefined ? { obligationId: c.obligationId, kind: c.kind, dueAt: c.dueAt } : { obligationId: c.obligationId, kind: c.kind, dueAt: c.dueAt, meetingId: c.meetingId };
}

/**
 * Reminders: at each offset before the deadline (never before the trigger), while the deadline
 * has not passed. Only the latest reminder whose time has come is due.
 */
export function planReminders(c: OpenClock, now: string, sent: ReadonlySet<string>): MessagePlan {
  const wakes: string[] = [];
  if (c.dueAt <= now) return { due: [], wakes };
  let latest: { offset: string; sendAt: string } | undefined;
  for (const offset of c.rule.reminders) {
    const at = subtractIsoDuration(c.dueAt, offset);
    const sendAt = at < c.triggeredAt ? c.triggeredAt : at;
    if (sendAt > now) {
      if (!sent.has(reminderId(c, offset))) wakes.push(sendAt);
    } else if (!latest || sendAt > latest.sendAt || (sendAt === latest.sendAt && approximateMs(offset) < approximateMs(latest.offset))) {
      latest = { offset, sendAt };
    }
  }
  const due: DueMessage[] = [];
  if (latest && !sent.has(reminderId(c, latest.offset))) {
    due.push({
      messageId: reminderId(c, latest.offset),
      ...base(c),
      type: 'reminder',
      level: 0,
      repeat: 0,
      role: c.rule.reminderRole ?? 'allocated-worker',
      sendAt: latest.sendAt,
    });
  }
  return { due, wakes };
}

/** The last repeat of an escalation level sent at or before `now`, and when the next one falls. */
export function latestRepeat(first: string, every: string | undefined, now: string): { repeat: number; sendAt: string; next?: string } {
  if (every === undefined) return { repeat: 0, sendAt: first };
  const at = (k: number) => (k === 0 ? first : addIsoDuration(first, multiplyDuration(every, k)));
  let k = Math.max(0, Math.floor((Date.parse(now) - Date.parse(first)) / approximateMs(every)));
  while (k > 0 && at(k) > now) k--;
  while (at(k + 1) <= now) k++;
  return { repeat: k, sendAt: at(k), next: at(k + 1) };
}

/** When a level first escalates: `after` the deadline. */
export function escalationStart(dueAt: string, step: EscalationStep): string {
  return addIsoDuration(dueAt, step.after);
}

/** Escalations: each level from `after` the deadline, repeated until acknowledged at that level. */
export function planEscalations(c: OpenClock, now: string, sent: ReadonlySet<string>): MessagePlan {
  const due: DueMessage[] = [];
  const wakes: string[] = [];
  for (const step of c.rule.escalation) {
    const first = escalationStart(c.dueAt, step);
    if (first > now) {
      if (!sent.has(escalationId(c, step.level, 0))) wakes.push(first);
      continue;
    }
    if (c.acknowledged.has(step.level)) continue;
    const latest = latestRepeat(first, step.repeatEvery, now);
    const id = escalationId(c, step.level, latest.repeat);
    if (!sent.has(id)) {
      due.push({ messageId: id, ...base(c), type: 'escalation', level: step.level, repeat: latest.repeat, role: step.role, sendAt: latest.sendAt });
    }
    if (latest.next !== undefined) wakes.push(latest.next);
  }
  return { due, wakes };
}

/** Highest escalation level whose first message fell due at or before `until`. */
export function escalationLevelReached(rule: ResolvedRule, dueAt: string, until: string): number {
  if (until < dueAt) return 0;
  let level = 0;
  for (const step of rule.escalation) {
    if (escalationStart(dueAt, step) <= until) level = Math.max(level, step.level);
  }
  return level;
}

/** Notices to the policy's roles at once when a conference is postponed or cancelled (the local conference protocol). */
export function planConferenceNotices(caseId: string, changes: readonly ConferenceChange[], noticeAt: (at: string) => ConferenceNotice, now: string, sent: ReadonlySet<string>): MessagePlan {
  const due: DueMessage[] = [];
  const wakes: string[] = [];
  for (const change of changes) {
    for (const role of noticeAt(change.at).roles) {
      const messageId = `${caseId}/notice/${change.meetingId}/${change.change}@${change.at}/${role}`;
      if (sent.has(messageId)) continue;
      if (change.at > now) {
        wakes.push(change.at);
        continue;
      }
      due.push({ messageId, type: 'notice', level: 0, repeat: 0, role, sendAt: change.at, meetingId: change.meetingId, notice: change.change });
    }
  }
  return { due, wakes };
}
