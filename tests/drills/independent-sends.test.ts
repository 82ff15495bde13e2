/**
 * No message waits for another, under time skipping with a real SMTP server: a message whose send
 * is failing and being retried never holds back another message of the same case, a
 * postponement notice, the overdue count or the search attributes. A send that is no longer
 * needed is withdrawn, and a reminder that could only go after its deadline says so.
 *
 * Time moves only by `env.sleep` here: `kase.advance` waits for the case to settle, which it
 * never does while a send is in retry.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseView, formatCaseView } from '../../client/cli/commands/view';
import type { ObligationKind } from '../../domain/kinds';
import type { EscalationStep, PolicySnapshot, Rule } from '../../domain/policy';
import { OverdueCountAttribute, StatusAttribute } from '../../workflows/search-attributes';
import { startMailbox, type Mailbox, type ReceivedMail } from '../support/mailbox';
import { CaseUnderTest, caseWorkflowId, ms, startHarness, type Harness } from '../case/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const WORKER = 'worker@council.test';
const MANAGER = 'manager@council.test';
const HEAD = 'head@council.test';

const isL1 = (m: ReceivedMail) => m.caseMessageId.includes('/escalation/L1/');
const isReminder = (m: ReceivedMail) => m.caseMessageId.includes('/reminder/');
const isNotice = (m: ReceivedMail) => m.caseMessageId.includes('/notice/');

/** Polls (in real time) until the case's state satisfies `check`, for at most 20 s. */
async function stateUntil(kase: CaseUnderTest, check: (state: Awaited<ReturnType<CaseUnderTest['state']>>) => boolean) {
  for (let i = 0; i < 400; i++) {
    const state = await kase.state();
    if (check(state)) return state;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the case's state never got there: ${JSON.stringify(await kase.state())}`);
}

/** The case's search attributes as the server holds them (what `caseclock overdue` lists by). */
async function attributesOf(kase: CaseUnderTest) {
  const desc = await kase.client.workflow.getHandle(caseWorkflowId(kase.caseId)).describe();
  return { status: desc.typedSearchAttributes.get(StatusAttribute), overdue: desc.typedSearchAttributes.get(OverdueCountAttribute) };
}

async function attributesUntil(kase: CaseUnderTest, check: (a: Awaited<ReturnType<typeof attributesOf>>) => boolean) {
  for (let i = 0; i < 400; i++) {
    const attrs = await attributesOf(kase);
    if (check(attrs)) return attrs;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`search attributes never got there: ${JSON.stringify(await attributesOf(kase))}`);
}

/** The national policy with chosen kinds' rules changed (no reminders unless given). */
function policyWith(rules: Partial<Record<ObligationKind, { deadline: string; escalation: EscalationStep[]; reminders?: string[] }>>): PolicySnapshot {
  const policy = structuredClone(h.policy);
  policy.version = `${policy.version}+independent-sends`;
  const baseline = policy.baseline as Record<ObligationKind, Rule>;
  for (const [kind, rule] of Object.entries(rules) as Array<[ObligationKind, { deadline: string; escalation: EscalationStep[]; reminders?: string[] }]>) {
    baseline[kind] = { ...baseline[kind], deadline: { duration: rule.deadline }, reminders: rule.reminders ?? [], escalation: rule.escalation };
  }
  return policy;
}

describe('each message is sent on its own', () => {
  it('mail down across a deadline while a reminder is in retry: overdue from the deadline on, level 1 within a minute of mail returning', async () => {
    // HIGH_IMMEDIATE (national policy): reminders 12 h and 2 h before the 24-hour visit, level 1 at the deadline.
    const kase = await CaseUnderTest.open(h, { tier: 'HIGH_IMMEDIATE' });
    let back: Mailbox | undefined;
    await kase.run(async () => {
      await kase.advance('PT21H'); // the 12-hour reminder has gone
      const deadline = (await kase.state()).open.find((o) => o.kind === 'initial-visit-high')!.dueAt;
      const port = h.mailbox.port;
      await h.mailbox.close(); // mail down from an hour before the 2-hour reminder

      await h.env.sleep(ms('PT2H')); // 23 h: the 2-hour reminder is being retried
      await stateUntil(kase, (s) => (s.sending ?? []).some((m) => m.type === 'reminder'));
      expect(await attributesOf(kase)).toMatchObject({ status: 'open', overdue: 0 });

      await h.env.sleep(HOUR + MINUTE); // the deadline passes, the reminder still in retry
      // Listed as overdue from the deadline on, though no email has been able to go.
      expect(await attributesUntil(kase, (a) => a.overdue === 1)).toEqual({ status: 'overdue', overdue: 1 });
      const during = await stateUntil(kase, (s) => (s.sending ?? []).length === 2);
      expect(during.overdueCount).toBe(1);
      expect((during.sending ?? []).map((m) => [m.type, m.level, m.role])).toEqual([
        ['reminder', 0, 'allocated-worker'],
        ['escalation', 1, 'team-manager'],
      ]);
      // `caseclock show` says what is waiting on the mail server: the reminder for over an hour, level 1 for a minute.
      // The summary the case writes is this state as of the write, with what it is sending.
      const summary = { ...during, sending: during.sending ?? [], waitingForStore: during.waitingForStore ?? 0, writtenAt: await kase.now() };
      const shown = formatCaseView(caseView('case', summary, await kase.timeline(), await kase.now())).split('\n');
      expect(shown.filter((l) => l.includes('waiting for the mail server'))).toEqual([
        expect.stringMatching(/^ {2}… message .*\/reminder\/PT2H to .*\(allocated worker\) waiting for the mail server since /),
        expect.stringMatching(/^ {2}… message .*\/escalation\/L1\/0 to .*\(team manager\) waiting for the mail server since /),
      ]);

      await h.env.sleep(2 * HOUR); // a long outage: backoff has reached its longest interval
      expect(kase.mail().map((m) => m.caseMessageId)).toEqual([expect.stringMatching(/\/reminder\/PT12H$/)]);
      back = await startMailbox(port);
      const returnedAt = await h.env.currentTimeMs();
      await h.env.sleep(MINUTE + 5_000); // the longest retry interval is one minute
      await back.waitFor((all) => all.some((m) => m.caseReference === kase.caseId && isL1(m)));
      const mail = back.messages.filter((m) => m.caseReference === kase.caseId);
      expect(mail.filter(isL1).map((m) => m.to[0])).toEqual([MANAGER]);
      const l1 = (await kase.timeline()).find((t) => t.delivery?.type === 'escalation' && t.delivery.level === 1)!;
      expect(Date.parse(l1.at) - returnedAt).toBeLessThanOrEqual(MINUTE);
      expect(Date.parse(l1.at)).toBeGreaterThan(Date.parse(deadline));

      // The reminder went too, late, and says so rather than "due by".
      await back.waitFor((all) => all.some((m) => m.caseReference === kase.caseId && isReminder(m)));
      const late = back.messages.find((m) => m.caseReference === kase.caseId && isReminder(m))!;
      expect(late.to).toEqual([WORKER]);
      expect(late.subject).toMatch(/^\[CaseClock\] Late reminder .*fell due/);
      expect(late.text).not.toMatch(/is due by/);
      expect(late.text).toContain('This reminder could not be sent before the deadline.');
      expect((await stateUntil(kase, (s) => (s.sending ?? []).length === 0)).overdueCount).toBe(1);
    });
    h.mailbox = back!; // the rest of the file uses the server that is up
    expect(h.mailbox.messages.filter((m) => m.caseReference === kase.caseId).map((m) => m.caseMessageId)).toHaveLength(2);
  });

  it('two obligations due at the same instant, one recipient refused for good (5xx): the other is delivered on time', async () => {
    const policy = policyWith({
      'initial-visit-high': { deadline: 'PT24H', escalation: [{ level: 1, role: 'team-manager', after: 'PT0S' }] },
      'kit-call': { deadline: 'PT24H', escalation: [{ level: 1, role: 'head-of-service', after: 'PT0S' }] },
    });
    h.mailbox.refuse.add(MANAGER);
    const kase = await CaseUnderTest.open(h, { tier: 'HIGH_IMMEDIATE', policy });
    try {
      await kase.run(async () => {
        const start = await h.env.currentTimeMs();
        await kase.advance('PT24H');
        const delivered = (await kase.timeline()).filter((t) => t.delivery);
        expect(delivered.map((t) => [t.delivery!.kind, t.delivery!.outcome, t.delivery!.to])).toEqual(
          expect.arrayContaining([
            ['initial-visit-high', 'undeliverable', MANAGER],
            ['kit-call', 'delivered', HEAD],
          ]),
        );
        const onTime = delivered.find((t) => t.delivery!.kind === 'kit-call')!;
        expect(Date.parse(onTime.at) - (start + ms('PT24H'))).toBeLessThan(MINUTE);
        expect(kase.mail().map((m) => m.to[0])).toEqual([HEAD]);
        expect((await kase.state()).undeliverable.map((d) => d.kind)).toEqual(['initial-visit-high']);
      });
    } finally {
      h.mailbox.refuse.clear();
    }
  });

  it('two obligations due at the same instant, one recipient deferred (4xx) for hours: the other is delivered on time', async () => {
    const policy = policyWith({
      'initial-visit-high': { deadline: 'PT24H', escalation: [{ level: 1, role: 'team-manager', after: 'PT0S' }] },
      'kit-call': { deadline: 'PT24H', escalation: [{ level: 1, role: 'head-of-service', after: 'PT0S' }] },
    });
    h.mailbox.defer.add(MANAGER);
    const kase = await CaseUnderTest.open(h, { tier: 'HIGH_IMMEDIATE', policy });
    try {
      await kase.run(async () => {
        await h.env.sleep(ms('PT24H') + 5_000);
        await h.mailbox.waitFor(() => kase.mail().length > 0);
        expect(kase.mail().map((m) => m.to[0])).toEqual([HEAD]);
        const state = await stateUntil(kase, (s) => (s.sending ?? []).length === 1);
        expect(state.sending?.map((m) => m.role)).toEqual(['team-manager']);
        expect(state.overdueCount).toBe(2);

        await h.env.sleep(3 * HOUR);
        h.mailbox.defer.delete(MANAGER);
        await h.env.sleep(MINUTE + 5_000);
        await h.mailbox.waitFor(() => kase.mail().length === 2);
        expect(kase.mail().map((m) => m.to[0])).toEqual([HEAD, MANAGER]);
        // Sent about three hours late (the test server's clock jitters by a few seconds): its wording
        // measures lateness when it actually went, not at the deadline it was planned for.
        expect(kase.mail()[1]!.subject).toMatch(/OVERDUE level 1 .*, [23] hours( \d+ minutes?)? overdue$/);
      });
    } finally {
      h.mailbox.defer.clear();
    }
  });

  it("a conference postponed while the worker's reminder is in retry is notified at once", async () => {
    h.mailbox.defer.add(WORKER);
    const kase = await CaseUnderTest.open(h, { tier: 'HIGH_IMMEDIATE' });
    try {
      await kase.run(async () => {
        await h.env.sleep(ms('PT12H') + MINUTE); // the 12-hour reminder to the worker is in retry
        await stateUntil(kase, (s) => (s.sending ?? []).some((m) => m.type === 'reminder'));
        const conference = new Date((await h.env.currentTimeMs()) + ms('P10D')).toISOString();
        await kase.record({ type: 'meeting-scheduled', meetingId: 'ICPC-1', meetingType: 'icpc', scheduledFor: conference });
        const newDate = new Date((await h.env.currentTimeMs()) + ms('P12D')).toISOString();
        await kase.record({ type: 'meeting-postponed', meetingId: 'ICPC-1', newDate, reason: 'chair unavailable' });
        await h.env.sleep(5_000);
        await h.mailbox.waitFor(() => kase.mail().filter(isNotice).length === 2);
        expect(
          kase
            .mail()
            .filter(isNotice)
            .map((m) => m.to[0])
            .sort(),
        ).toEqual(['deputy@council.test', HEAD]);
        expect(kase.mail().filter(isReminder)).toEqual([]);
        const state = await kase.state();
        expect(state.sending?.map((m) => m.type)).toEqual(['reminder']);
      });
    } finally {
      h.mailbox.defer.clear();
    }
  });

  it('an escalation in retry is withdrawn once its level is acknowledged, and never arrives', async () => {
    h.mailbox.defer.add(MANAGER);
    const kase = await CaseUnderTest.open(h, { tier: 'HIGH_IMMEDIATE' });
    try {
      await kase.run(async () => {
        await kase.advance('PT23H'); // both reminders delivered
        await h.env.sleep(HOUR + MINUTE); // level 1 to the manager is in retry
        const state = await stateUntil(kase, (s) => (s.sending ?? []).some((m) => m.type === 'escalation'));
        const visit = state.open.find((o) => o.kind === 'initial-visit-high')!;
        await kase.record({ type: 'escalation-acknowledged', obligationId: visit.id, level: 1, by: 'tm1' });
        await kase.settle();
        expect((await kase.state()).sending).toEqual([]);
        expect((await kase.timeline()).filter((t) => t.entry === 'message' && !t.delivery).map((t) => t.summary)).toEqual([
          'Escalation level 1 to team-manager withdrawn before the mail server accepted it: no longer needed',
        ]);
        h.mailbox.defer.delete(MANAGER);
        await h.env.sleep(5 * MINUTE);
        expect(kase.mail().filter(isL1)).toEqual([]);
        expect((await kase.state()).overdueCount).toBe(1); // acknowledged, still overdue
      });
    } finally {
      h.mailbox.defer.clear();
    }
  });

  it('a reminder in retry is withdrawn once the visit is recorded, and never arrives', async () => {
    h.mailbox.defer.add(WORKER);
    const kase = await CaseUnderTest.open(h, { tier: 'HIGH_IMMEDIATE' });
    try {
      await kase.run(async () => {
        await h.env.sleep(ms('PT12H') + MINUTE);
        await stateUntil(kase, (s) => (s.sending ?? []).some((m) => m.type === 'reminder'));
        await kase.record({ type: 'contact', contactType: 'visit', childSeenAlone: true });
        await kase.settle(); // nothing left in flight: the send was withdrawn
        expect((await kase.state()).sending).toEqual([]);
        const withdrawn = (await kase.timeline()).filter((t) => t.entry === 'message' && !t.delivery);
        expect(withdrawn.map((t) => t.summary)).toEqual(['Reminder to allocated-worker withdrawn before the mail server accepted it: no longer needed']);
        h.mailbox.defer.delete(WORKER);
        await h.env.sleep(5 * MINUTE);
        expect(kase.mail()).toEqual([]);
      });
    } finally {
      h.mailbox.defer.clear();
    }
  });
});
