/**
 * Cases over months, through real Temporal (time skipping) and a real SMTP server: a PRIORITY
 * case's visits, a year of core groups, a tier change mid-clock, a postponed conference,
 * and continue-as-new mid-flight. (A worker stopped while a deadline passes: worker-restart.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseWorkflowId } from '../../workflows/messages';
import { CaseUnderTest, startHarness, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const escalations = (kase: CaseUnderTest, kind?: string) => kase.mail().filter((m) => m.caseMessageId.includes('/escalation/') && (kind === undefined || m.caseMessageId.includes(`/${kind}@`)));

describe('a PRIORITY case', () => {
  it('first visit within the two-week programme, then six months of fortnightly visits: never escalated', async () => {
    const kase = await CaseUnderTest.open(h, { tier: 'PRIORITY' });
    await kase.run(async () => {
      const first = (await kase.state()).open.find((o) => o.kind === 'initial-visit-priority');
      expect(Date.parse(first!.dueAt) - Date.parse((await kase.state()).openedAt)).toBe(14 * 86400_000);
      await kase.advance('P10D');
      await kase.record({ type: 'contact', contactType: 'visit', childSeenAlone: false });
      for (let visit = 0; visit < 13; visit++) {
        await kase.advance('P13D');
        await kase.record({ type: 'contact', contactType: 'visit' });
      }
      expect(escalations(kase)).toEqual([]);
      const state = await kase.state();
      expect(state.overdueCount).toBe(0);
      expect(state.open.map((o) => o.kind)).toContain('visit-priority');
    });
  });

  it('a fortnightly visit missed: level 1 at 14 days after the last visit', async () => {
    const kase = await CaseUnderTest.open(h, { tier: 'PRIORITY' });
    await kase.run(async () => {
      await kase.advance('P2D');
      const visitedAt = await kase.record({ type: 'contact', contactType: 'visit' });
      const cadence = (await kase.state()).open.find((o) => o.kind === 'visit-priority');
      expect(Date.parse(cadence!.dueAt) - Date.parse(visitedAt)).toBe(14 * 86400_000);
      await kase.advance('P14D');
      expect(escalations(kase, 'visit-priority').map((m) => m.to[0])).toEqual(['manager@council.test']);
    });
  });
});

describe('core groups under a child protection plan', () => {
  it('eight-weekly core groups over a year are never escalated; a missed one is', async () => {
    const kase = await CaseUnderTest.open(h, { tier: 'VULNERABLE' });
    await kase.run(async () => {
      await kase.record({ type: 'meeting-held', meetingType: 'icpc', outcome: 'cp-plan' });
      for (let meeting = 0; meeting < 7; meeting++) {
        await kase.advance(meeting === 0 ? 'P7D' : 'P55D');
        await kase.record({ type: 'meeting-held', meetingType: 'core-group' });
        await kase.record({ type: 'contact', contactType: 'kit-call' });
      }
      expect(escalations(kase, 'core-group')).toEqual([]);
      expect(escalations(kase, 'first-core-group')).toEqual([]);
      await kase.advance('P8W');
      expect(escalations(kase, 'core-group').map((m) => m.to[0])).toEqual(['manager@council.test']);
    });
  });
});

describe('a tier change while a clock runs', () => {
  it('supersedes the 24-hour visit and starts the PRIORITY programme from the change', async () => {
    const kase = await CaseUnderTest.open(h, { tier: 'HIGH_IMMEDIATE' });
    await kase.run(async () => {
      await kase.advance('PT6H');
      const changedAt = await kase.record({ type: 'tier-set', tier: 'PRIORITY', reason: 'risk reassessed', by: 'tm1' });
      await kase.advance('PT30H');
      expect(escalations(kase)).toEqual([]);
      const state = await kase.state();
      expect(state.tier).toBe('PRIORITY');
      expect(state.open.some((o) => o.kind === 'initial-visit-high')).toBe(false);
      const programme = state.open.find((o) => o.kind === 'initial-visit-priority');
      expect(Date.parse(programme!.dueAt) - Date.parse(changedAt)).toBe(14 * 86400_000);
    });
  });
});

describe('a postponed conference', () => {
  it('tells the deputy lead and the head of service at once, and moves the pre-meeting deadline', async () => {
    const kase = await CaseUnderTest.open(h, { tier: 'VULNERABLE' });
    await kase.run(async () => {
      const now = Date.parse(await kase.now());
      const first = new Date(now + 10 * 86400_000).toISOString();
      const second = new Date(now + 24 * 86400_000).toISOString();
      await kase.record({ type: 'meeting-scheduled', meetingId: 'RCPC-1', meetingType: 'review-conference', scheduledFor: first });
      const before = (await kase.state()).open.find((o) => o.kind === 'conference-pre-meeting');
      await kase.record({ type: 'meeting-postponed', meetingId: 'RCPC-1', newDate: second, reason: 'not quorate' });
      await kase.settle();
      const notices = kase.mail().filter((m) => m.caseMessageId.includes('/notice'));
      expect(notices.map((m) => m.to[0]).sort()).toEqual(['deputy@council.test', 'head@council.test']);
      expect(notices[0]?.subject).toContain('review child protection conference postponed');
      const after = (await kase.state()).open.find((o) => o.kind === 'conference-pre-meeting');
      expect(after!.dueAt > before!.dueAt).toBe(true);
      expect(Date.parse(after!.dueAt)).toBeLessThan(Date.parse(second));
    });
  });
});

describe('continue-as-new mid-flight', () => {
  // A server of its own: no other case's timers share its clock.
  let outer: Harness;
  beforeAll(async () => {
    outer = h;
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
    h = outer;
  });

  it('keeps every obligation, escalation level and timeline entry, and sends nothing twice', async () => {
    const kase = await CaseUnderTest.open(h, { tier: 'HIGH_IMMEDIATE', historyLimit: 40 });
    await kase.run(async () => {
      const handle = h.env.client.workflow.getHandle(caseWorkflowId(kase.caseId));
      const firstRun = (await handle.describe()).runId;
      await kase.advance('PT24H');
      await kase.record({ type: 'contact', contactType: 'kit-call' });
      await kase.advance('PT12H');
      await kase.advance('PT24H');
      await kase.advance('PT24H');
      const lastRun = (await handle.describe()).runId;
      expect(lastRun).not.toBe(firstRun);
      const ids = kase.mail().map((m) => m.caseMessageId);
      expect(new Set(ids).size).toBe(ids.length);
      // reminders 12h and 2h, level 1, level 2, two repeats of level 2
      expect(escalations(kase, 'initial-visit-high').map((m) => m.subject.match(/level \d/)?.[0])).toEqual(['level 1', 'level 2', 'level 2', 'level 2']);
      const timeline = await kase.timeline();
      expect(timeline.filter((t) => t.entry === 'message')).toHaveLength(kase.mail().length);
      expect(timeline.filter((t) => t.event?.type === 'contact')).toHaveLength(1);
      expect((await kase.state()).open.find((o) => o.kind === 'initial-visit-high')?.escalationLevel).toBe(2);
    });
  });
});
