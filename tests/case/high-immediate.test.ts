/**
 * The 24-hour visit for a child at high and immediate risk, through real Temporal (time
 * skipping) and a real SMTP server: met, missed and escalated, waived, held, and over a
 * bank-holiday weekend.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaseUnderTest, startHarness, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const visitClock = async (kase: CaseUnderTest) => {
  const state = await kase.state();
  const clock = state.open.find((o) => o.kind === 'initial-visit-high');
  if (!clock) throw new Error(`no open initial-visit-high: ${state.open.map((o) => o.kind).join(', ')}`);
  return clock;
};

describe('initial visit for a HIGH_IMMEDIATE case (24 hours)', () => {
  it('met before the deadline: reminders only, no escalation', async () => {
    const kase = await CaseUnderTest.open(h, { tier: 'HIGH_IMMEDIATE' });
    await kase.run(async () => {
      const opened = (await kase.state()).openedAt;
      const clock = await visitClock(kase);
      expect(Date.parse(clock.dueAt) - Date.parse(opened)).toBe(24 * 3600_000);

      await kase.advance('PT13H'); // past the 12-hours-before reminder
      expect(kase.mail().map((m) => [m.to[0], m.subject.split(':')[0]])).toEqual([['worker@council.test', '[CaseClock] Reminder ' + kase.caseId]]);

      await kase.record({ type: 'contact', contactType: 'visit', childSeenAlone: true });
      await kase.advance('P3D');
      expect(kase.mail()).toHaveLength(1);
      const state = await kase.state();
      expect(state.open.some((o) => o.kind === 'initial-visit-high')).toBe(false);
      expect(state.overdueCount).toBe(0);
    });
  });

  it('missed: level 1 to the team manager at the deadline, level 2 to the head of service, repeated until acknowledged', async () => {
    const kase = await CaseUnderTest.open(h, { tier: 'HIGH_IMMEDIATE' });
    await kase.run(async () => {
      const clock = await visitClock(kase);
      await kase.advance('PT24H');
      const atDeadline = kase.mail();
      expect(atDeadline.map((m) => m.to[0])).toEqual(['worker@council.test', 'worker@council.test', 'manager@council.test']);
      expect(atDeadline[2]?.subject).toMatch(/OVERDUE level 1 .*Visit within 24 hours.*, now overdue$/);
      expect(atDeadline[2]?.text).toContain('Escalation level 1, to Tess Manager (team manager).');
      expect(atDeadline[2]?.caseMessageId).toBe(`${kase.caseId}/${clock.id}/escalation/L1/0`);
      expect((await kase.state()).overdueCount).toBeGreaterThanOrEqual(1);

      await kase.advance('PT12H'); // grace period: level 2
      expect(
        kase
          .mail()
          .slice(3)
          .map((m) => [m.to[0], m.subject.match(/level \d/)?.[0]]),
      ).toEqual([['head@council.test', 'level 2']]);

      await kase.advance('PT24H'); // repeat interval
      expect(
        kase
          .mail()
          .slice(4)
          .map((m) => m.to[0]),
      ).toEqual(['head@council.test']);
      // A repeat of level 2 is a repeat, not a reminder, and says how late it is by now.
      expect(kase.mail()[4]?.subject).toMatch(/^\[CaseClock\] OVERDUE level 2 \(repeat 1\) .*, 1 day 12 hours overdue$/);
      expect(kase.mail()[4]?.subject).not.toMatch(/reminder/i);

      await kase.record({ type: 'escalation-acknowledged', obligationId: clock.id, level: 2, by: 'hos1' });
      await kase.advance('P3D');
      expect(kase.mail()).toHaveLength(5);

      // Every message is on the timeline with the SMTP server's answer.
      const sent = (await kase.timeline()).filter((t) => t.entry === 'message');
      expect(sent).toHaveLength(5);
      expect(sent.every((t) => t.delivery?.outcome === 'delivered' && /^250 /.test(t.delivery.smtpResponse ?? ''))).toBe(true);
    });
  });

  it('waived: no reminder or escalation after the waiver', async () => {
    const kase = await CaseUnderTest.open(h, { tier: 'HIGH_IMMEDIATE' });
    await kase.run(async () => {
      const clock = await visitClock(kase);
      await kase.advance('PT1H');
      await kase.record({ type: 'obligation-waived', obligationId: clock.id, reason: 'child in hospital, seen there by police', by: 'tm1' });
      await kase.advance('P3D');
      expect(kase.mail()).toEqual([]);
      const state = await kase.state();
      expect(state.open.some((o) => o.kind === 'initial-visit-high')).toBe(false);
    });
  });

  it('held and resumed: the deadline moves by the time on hold', async () => {
    const kase = await CaseUnderTest.open(h, { tier: 'HIGH_IMMEDIATE' });
    await kase.run(async () => {
      const clock = await visitClock(kase);
      await kase.advance('PT1H');
      const heldAt = await kase.record({ type: 'hold-started', holdId: 'H1', kind: 'initial-visit-high', reason: 'family self-isolating' });
      await kase.advance('PT30H'); // the original deadline passes while held: nothing sent
      expect(kase.mail()).toEqual([]);
      const resumedAt = await kase.record({ type: 'hold-ended', holdId: 'H1' });
      const resumed = await visitClock(kase);
      expect(Date.parse(resumed.dueAt) - Date.parse(clock.dueAt)).toBe(Date.parse(resumedAt) - Date.parse(heldAt));
      expect(Date.parse(resumedAt) - Date.parse(heldAt)).toBeGreaterThanOrEqual(30 * 3600_000);
      await kase.advance('PT22H'); // 1 hour before the moved deadline: reminders only
      expect(kase.mail().every((m) => m.to[0] === 'worker@council.test')).toBe(true);
      await kase.advance('PT1H');
      expect(kase.mail().at(-1)?.subject).toMatch(/OVERDUE level 1/);
    });
  });
});

describe('a HIGH_IMMEDIATE case over a bank-holiday weekend', () => {
  // A server of its own, moved to Friday 28 May 2027, 18:00 BST, before the spring bank holiday
  // (Monday 31 May 2027): hour deadlines are elapsed time, so the weekend changes nothing.
  let outer: Harness;
  beforeAll(async () => {
    outer = h;
    h = await startHarness();
    const target = Date.parse('2027-05-28T17:00:00.000Z');
    const now = await h.env.currentTimeMs();
    if (now > target) throw new Error('this test expects to run before May 2027');
    await h.env.sleep(target - now);
  });
  afterAll(async () => {
    await h.close();
    h = outer;
  });

  it('is due 24 hours later, on Saturday evening, and escalates then', async () => {
    const kase = await CaseUnderTest.open(h, { tier: 'HIGH_IMMEDIATE' });
    await kase.run(async () => {
      const clock = await visitClock(kase);
      expect(clock.dueAt.slice(0, 13)).toBe('2027-05-29T17');
      await kase.advance('PT23H');
      expect(kase.mail().filter((m) => m.caseMessageId.includes('/escalation/'))).toEqual([]);
      await kase.advance('PT1H');
      const l1 = kase.mail().filter((m) => m.caseMessageId.includes('/escalation/L1/'));
      expect(l1.map((m) => m.to[0])).toEqual(['manager@council.test']);
      expect(l1[0]?.text).toContain('was due by Sat 29 May 2027, 18:00 BST');
    });
  });
});
