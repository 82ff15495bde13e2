/**
 * A looked-after child's case for eighteen years, on the deadline engine in process: the same
 * childhood as tests/case/eighteen-years.test.ts (which proves the workflow path on Temporal for
 * the first years), counted here for all eighteen in well under a second of engine time a year.
 *
 * A keeping-in-touch call or a statutory visit each fortnight (every other one a day late, one a
 * year missed), contacts with the carers and the school, child-in-care reviews twice a year with
 * the reviewing officer's report, three missing episodes a year with their return interviews, a
 * complaint, new placements in years 6 and 12, a spell at high and immediate risk. Every message
 * the engine asks for is sent when it asks; the case settles what is older than
 * SETTLE_AFTER_DAYS into its checkpoint every fortnight, as the workflow does at continue-as-new,
 * keeping the deliveries the engine may still plan.
 *
 * At the end of each year, going on from the checkpoint answers as walking every event of the
 * childhood (nothing lost); no message is asked for twice; what the case carries does not grow
 * with its age (the largest in its last six years is no larger than in its first six, give or
 * take 2 KiB) and stays under 64 KiB; and the last facts set the deadlines open at the end.
 */
import { describe, expect, it } from 'vitest';
import { checkpointCase, evaluateCase, type CaseCheckpoint, type CaseEvaluation, type DueMessage } from '../../domain/engine';
import type { CaseEvent, SentMessage } from '../../domain/facts';
import { SETTLE_AFTER_DAYS } from '../../workflows/case-record/settle';
import { NATIONAL } from './engine-fixtures';

const DAY = 86_400_000;
const YEARS = 18;
const STEPS_A_YEAR = 26;
/** The step of each year whose call is missed (not a visit's: every third step is one). */
const MISSED_STEPS = [20];
const CASE_ID = 'WCF-EIGHTEEN-YEARS';
const OPENED = '2026-01-05T10:00:00.000Z';
const BY = 'sw1';

const iso = (ms: number) => new Date(ms).toISOString();
type NewEvent = CaseEvent extends infer E ? (E extends CaseEvent ? Omit<E, 'at' | 'by'> & { at?: string } : never) : never;

/** The case as a workflow carries it: its checkpoint, its events since, the deliveries still needed. */
class EngineCase {
  now = OPENED;
  checkpoint: CaseCheckpoint | undefined;
  events: CaseEvent[] = [];
  deliveries: Array<SentMessage & { obligationId?: string }> = [];
  /** Every event and every message of the whole childhood, never settled: the truth to compare with. */
  readonly allEvents: CaseEvent[] = [];
  readonly allSent: DueMessage[] = [];

  evaluate(at = this.now): CaseEvaluation {
    return evaluateCase({
      ...(this.checkpoint ? { checkpoint: this.checkpoint } : {}),
      facts: { caseId: CASE_ID, openedAt: OPENED, events: this.events, sent: this.deliveries },
      policies: [NATIONAL],
      now: at,
    });
  }

  /** Walking every event from the opening, with every message sent so far. */
  evaluateAll(): CaseEvaluation {
    return evaluateCase({
      facts: { caseId: CASE_ID, openedAt: OPENED, events: this.allEvents, sent: this.allSent.map((m) => ({ messageId: m.messageId, sentAt: m.sendAt })) },
      policies: [NATIONAL],
      now: this.now,
    });
  }

  /** Sends what is due now, then lets time pass to `until`, sending at each instant the engine wakes for. */
  advanceTo(until: string): void {
    for (;;) {
      const due = this.evaluate().messagesDue;
      for (const m of due) {
        this.deliveries.push({ messageId: m.messageId, sentAt: this.now, ...(m.obligationId ? { obligationId: m.obligationId } : {}) });
        this.allSent.push({ ...m, sendAt: this.now });
      }
      if (due.length > 0) continue;
      const wake = this.evaluate().nextWakeAt;
      if (wake === null || wake > until) break;
      this.now = wake;
    }
    this.now = until;
  }

  record(event: NewEvent): string {
    const recorded = { by: BY, ...event, at: event.at ?? this.now } as CaseEvent;
    this.events.push(recorded);
    this.allEvents.push(recorded);
    this.advanceTo(this.now);
    return recorded.at;
  }

  /** As the workflow's settler at continue-as-new (workflows/case-record/settle.ts). */
  settle(): void {
    const cut = iso(Date.parse(this.now) - SETTLE_AFTER_DAYS * DAY);
    if (cut <= OPENED || (this.checkpoint && cut <= this.checkpoint.at)) return;
    if (!this.events.some((e) => e.at <= cut)) return;
    const checkpoint = checkpointCase(
      {
        ...(this.checkpoint ? { checkpoint: this.checkpoint } : {}),
        facts: { caseId: CASE_ID, openedAt: OPENED, events: this.events, sent: this.deliveries },
        policies: [NATIONAL],
        now: this.now,
      },
      cut,
    );
    const openIds = new Set(checkpoint.open.map((o) => o.draft.id));
    const pendingNotices = checkpoint.changes.map((c) => `${CASE_ID}/notice/${c.meetingId}/${c.change}@${c.at}/`);
    this.checkpoint = checkpoint;
    this.events = this.events.filter((e) => e.at > cut);
    this.deliveries = this.deliveries.filter((d) => d.sentAt > cut || (d.obligationId !== undefined && openIds.has(d.obligationId)) || pendingNotices.some((p) => d.messageId.startsWith(p)));
  }

  /** What continue-as-new would carry of the clocks, in bytes of JSON. */
  carriedBytes(): number {
    return JSON.stringify({ checkpoint: this.checkpoint, events: this.events, deliveries: this.deliveries }).length;
  }
}

/** What must agree between going on from the checkpoint and walking every event. */
function openClocks(e: CaseEvaluation) {
  return {
    open: e.open.map((o) => ({ id: o.id, kind: o.kind, dueAt: o.dueAt, onHold: o.onHold, escalationLevel: o.escalationLevel })),
    overdueCount: e.overdueCount,
    nextDueAt: e.nextDueAt,
    nextWakeAt: e.nextWakeAt,
    messagesDue: e.messagesDue.map((m) => m.messageId),
  };
}

describe('a looked-after case for eighteen years, on the engine', () => {
  it('keeps every clock across its checkpoints, sends nothing twice, and carries no more in its last years than in its first', () => {
    const kase = new EngineCase();
    kase.record({ type: 'tier-set', tier: 'VULNERABLE', reason: 'rated at the strategy discussion' });
    kase.record({ type: 'looked-after-started' });
    let lastVisit = kase.record({ type: 'placement-started', placementId: 'P-1', placementType: 'until-18' });
    let lastCall = '';
    let lastReview = '';
    let review = 0;
    const carried: number[] = [];

    for (let year = 1; year <= YEARS; year++) {
      for (let step = 0; step < STEPS_A_YEAR; step++) {
        // Every other call is a day late (the team manager hears of it); a year is 26 steps, 364 days.
        kase.advanceTo(iso(Date.parse(kase.now) + (step % 2 === 1 ? 15 : 13) * DAY));
        const now = kase.now;
        const ago = (days: number) => iso(Date.parse(now) - days * DAY);
        if (!MISSED_STEPS.includes(step)) {
          if (step % 3 === 0) lastVisit = lastCall = kase.record({ type: 'contact', contactType: 'visit', childSeenAlone: true });
          else lastCall = kase.record({ type: 'contact', contactType: 'kit-call' });
        }
        kase.record({ type: 'contact', contactType: 'other', at: ago(6) });
        kase.record({ type: 'contact', contactType: 'other', at: ago(1) });
        if (step === 4 || step === 17) {
          review++;
          const meetingId = `CIC-${review}`;
          kase.record({ type: 'meeting-scheduled', meetingId, meetingType: 'cic-review', scheduledFor: iso(Date.parse(now) + 10 * DAY) });
          kase.record({ type: 'report-submitted', reportType: 'iro-report', meetingId });
        }
        if (step === 5 || step === 18) lastReview = kase.record({ type: 'meeting-held', meetingType: 'cic-review', meetingId: `CIC-${review}`, at: ago(2) });
        if (step === 7 || step === 15 || step === 23) {
          kase.record({ type: 'missing-started', at: ago(4) });
          kase.record({ type: 'child-returned', at: ago(3) });
          kase.record({ type: 'return-interview-held', ...(step === 15 ? {} : { at: ago(1) }) });
        }
        // Complaints count working days, and the shipped calendar ends in 2030: one in year 3.
        if (step === 20 && year === 3) kase.record({ type: 'complaint-received', complaintId: `COMP-${year}`, stage: 1 });
        if (step === 21 && year === 3) kase.record({ type: 'complaint-responded', complaintId: `COMP-${year}`, stage: 1 });
        if (step === 23 && (year === 6 || year === 12)) lastVisit = kase.record({ type: 'placement-started', placementId: `P-${year}`, placementType: 'until-18' });
        if (step === 12 && year === 9) {
          kase.record({ type: 'tier-set', tier: 'HIGH_IMMEDIATE', reason: 'test reason: risk rose' });
          kase.record({ type: 'contact', contactType: 'visit', childSeenAlone: true });
          kase.record({ type: 'tier-set', tier: 'VULNERABLE', reason: 'test reason: risk fell' });
        }
        // A continue-as-new each fortnight (the workflow's comes every few weeks of events).
        kase.settle();
      }
      // Nothing lost: going on from the checkpoint answers as walking the whole childhood.
      expect(openClocks(kase.evaluate()), `year ${year}`).toEqual(openClocks(kase.evaluateAll()));
      expect(kase.checkpoint?.at, `year ${year}`).toBeDefined();
      carried.push(kase.carriedBytes());
    }

    // The open clocks are the ones the last facts set.
    const open = kase.evaluate().open;
    const dueOf = (kind: string) => open.find((o) => o.kind === kind)?.dueAt;
    expect(dueOf('kit-call')).toBe(iso(Date.parse(lastCall) + 14 * DAY));
    // Six years into the last placement, intended to last until 18: visits every three months.
    expect(Date.parse(dueOf('cic-visit') ?? '') - Date.parse(lastVisit)).toBeGreaterThan(85 * DAY);
    expect(Date.parse(dueOf('cic-review') ?? '') - Date.parse(lastReview)).toBeGreaterThan(180 * DAY);

    // Nothing asked for twice, and the missed calls escalated.
    process.stdout.write(`eighteen years on the engine: ${kase.allEvents.length} events, ${kase.allSent.length} messages; carried at the end of each year ${carried.join(', ')} bytes\n`);
    const ids = kase.allSent.map((m) => m.messageId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(kase.allSent.some((m) => m.type === 'escalation')).toBe(true);
    expect(kase.allSent.filter((m) => m.type === 'escalation' && m.kind === 'kit-call').length).toBeGreaterThanOrEqual(YEARS);

    // What the case carries depends on its last 90 days, not its age.
    expect(Math.max(...carried.slice(-6))).toBeLessThanOrEqual(Math.max(...carried.slice(0, 6)) + 2048);
    expect(Math.max(...carried)).toBeLessThan(64 * 1024);
  });
});
