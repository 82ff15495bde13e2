/**
 * Every obligation kind through real Temporal (time skipping) and a real SMTP server:
 * - met just before its deadline: no escalation, ever;
 * - missed: nothing a minute before the deadline, level 1 to the policy's role at the deadline,
 *   level 2 after the grace period, level 2 again at the repeat interval, and no more once the
 *   head of service acknowledges.
 * Deadlines and ladders are the national policy's; their arithmetic is tested in tests/domain.
 * Each kind runs on its own time-skipping server, starting from today.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseState, incidentState, openCase, recordEvent, recordIncidentEvent, reportIncident } from '../../common/cases';
import { addIsoDuration } from '../../domain/durations';
import type { ObligationKind } from '../../domain/kinds';
import { OBLIGATION_KINDS } from '../../domain/kinds';
import type { CaseContacts } from '../../workflows/messages';
import { caseWorkflowId, incidentWorkflowId } from '../../workflows/messages';
import { uniqueName } from '../support/temporal-env';
import { CONTACTS, firstTriesDone, settleWorkflow, startHarness, waitUntilClosed, type Harness } from './harness';

/** Each kind gets its own test server, so months of skipped time in one never reach another. */
let h: Harness;

const STAFF: CaseContacts = { ...CONTACTS, 'group-manager': { name: 'Gail Group', email: 'group@council.test' } };
type Event = Record<string, unknown> & { type: string };

/** A case or an incident under test, driven through the console's client functions. */
class Subject {
  readonly id: string;
  constructor(readonly incident: boolean) {
    this.id = uniqueName(incident ? 'SI' : 'WCF');
  }
  async now(): Promise<string> {
    return new Date(await h.env.currentTimeMs()).toISOString();
  }
  async open(): Promise<void> {
    const details = { reference: this.id, team: 'LOCALITY-SOUTH', contacts: STAFF };
    if (this.incident) {
      await reportIncident(h.env.client, { incidentId: this.id, details, reportedBy: 'admin1', awareAt: await this.now() }, h.policy, {
        taskQueue: h.taskQueue,
      });
    } else {
      await openCase(h.env.client, { caseId: this.id, details, openedBy: 'admin1' }, h.policy, {
        now: new Date(await h.env.currentTimeMs()),
        taskQueue: h.taskQueue,
      });
    }
  }
  async record(event: Event): Promise<void> {
    const full = { at: await this.now(), by: 'sw1', ...(this.incident ? { incidentId: this.id } : {}), ...event };
    await firstTriesDone(h.env.client.workflow.getHandle(this.incident ? incidentWorkflowId(this.id) : caseWorkflowId(this.id)));
    if (this.incident) await recordIncidentEvent(h.env.client, this.id, full);
    else await recordEvent(h.env.client, this.id, full);
  }
  async open_(kind: ObligationKind) {
    const state = this.incident ? await incidentState(h.env.client, this.id) : await caseState(h.env.client, this.id);
    return state.open.find((o) => o.kind === kind);
  }
  escalations(kind: ObligationKind) {
    return h.mailbox.messages.filter((m) => m.caseReference === this.id && m.caseMessageId.includes('/escalation/') && m.caseMessageId.includes(`/${kind}@`));
  }
  async sleepUntil(instant: string): Promise<void> {
    const wait = Date.parse(instant) - (await h.env.currentTimeMs());
    if (wait > 0) await h.env.sleep(wait);
    await this.settle();
  }
  /** Waits in real time for the workflow to act on the timers that fired. */
  async settle(): Promise<void> {
    await settleWorkflow(h.env.client.workflow.getHandle(this.incident ? incidentWorkflowId(this.id) : caseWorkflowId(this.id)));
  }
  /**
   * Closes the case through the console's own action, so the workflow completes by itself.
   * (Terminating a workflow mid-task can leave the time-skipping server's clock locked.)
   */
  async close(): Promise<void> {
    await this.record({ type: 'case-closed', reason: 'test finished' });
    const handle = h.env.client.workflow.getHandle(this.incident ? incidentWorkflowId(this.id) : caseWorkflowId(this.id));
    await waitUntilClosed(handle);
  }
}

interface Scenario {
  incident?: boolean;
  /** Events that open the obligation (recorded at the test server's current time). */
  setup: (s: Subject) => Promise<void>;
  /** The event that meets it. */
  meet: Event;
}

const days = (n: number) => n * 86400_000;
const meetingIn = async (s: Subject, meetingId: string, meetingType: string, inDays: number) =>
  s.record({
    type: 'meeting-scheduled',
    meetingId,
    meetingType,
    scheduledFor: new Date((await h.env.currentTimeMs()) + days(inDays)).toISOString(),
  });
const tier = (t: string) => async (s: Subject) => s.record({ type: 'tier-set', tier: t, reason: 'rated' });
const seq =
  (...events: Event[]) =>
  async (s: Subject) => {
    for (const e of events) await s.record(e);
  };
const visit: Event = { type: 'contact', contactType: 'visit' };
const cpPlan: Event = { type: 'meeting-held', meetingType: 'icpc', outcome: 'cp-plan' };
const cicReview: Event = { type: 'meeting-held', meetingType: 'cic-review' };

const SCENARIOS: Record<ObligationKind, Scenario> = {
  'initial-visit-high': { setup: tier('HIGH_IMMEDIATE'), meet: visit },
  'initial-visit-priority': { setup: tier('PRIORITY'), meet: visit },
  'visit-priority': { setup: async (s) => (await tier('PRIORITY')(s), s.record(visit)), meet: visit },
  'kit-call': { setup: tier('VULNERABLE'), meet: { type: 'contact', contactType: 'kit-call' } },
  'core-group': { setup: seq(cpPlan), meet: { type: 'meeting-held', meetingType: 'core-group' } },
  'first-core-group': { setup: seq(cpPlan), meet: { type: 'meeting-held', meetingType: 'core-group' } },
  icpc: { setup: seq({ type: 'strategy-discussion' }), meet: { type: 'meeting-held', meetingType: 'icpc', outcome: 'no-plan' } },
  'first-review-conference': { setup: seq(cpPlan), meet: { type: 'meeting-held', meetingType: 'review-conference' } },
  'review-conference': {
    setup: seq(cpPlan, { type: 'meeting-held', meetingType: 'review-conference' }),
    meet: { type: 'meeting-held', meetingType: 'review-conference' },
  },
  'conference-pre-meeting': { setup: (s) => meetingIn(s, 'ICPC-1', 'icpc', 20), meet: { type: 'pre-meeting-held', meetingId: 'ICPC-1' } },
  'iro-report': {
    setup: (s) => meetingIn(s, 'CIC-1', 'cic-review', 20),
    meet: { type: 'report-submitted', reportType: 'iro-report', meetingId: 'CIC-1' },
  },
  'serious-incident-notification': { incident: true, setup: async () => undefined, meet: { type: 'incident-notified' } },
  'rapid-review': { incident: true, setup: seq({ type: 'incident-notified' }), meet: { type: 'rapid-review-completed' } },
  'return-interview': { setup: seq({ type: 'missing-started' }, { type: 'child-returned' }), meet: { type: 'return-interview-held' } },
  'referral-decision': { setup: seq({ type: 'referral-received' }), meet: { type: 'referral-decided' } },
  assessment: { setup: seq({ type: 'referral-received' }), meet: { type: 'assessment-completed' } },
  'cic-review-first': { setup: seq({ type: 'looked-after-started' }), meet: cicReview },
  'cic-review-second': { setup: seq({ type: 'looked-after-started' }, cicReview), meet: cicReview },
  'cic-review': { setup: seq({ type: 'looked-after-started' }, cicReview, cicReview), meet: cicReview },
  'cic-visit-first': { setup: seq({ type: 'looked-after-started' }, { type: 'placement-started', placementId: 'P1' }), meet: visit },
  'cic-visit': { setup: seq({ type: 'looked-after-started' }, { type: 'placement-started', placementId: 'P1' }, visit), meet: visit },
  'cic-visit-weekly': { setup: seq({ type: 'looked-after-started' }, { type: 'placement-started', placementId: 'P1', placementType: 'connected-person-temporary' }), meet: visit },
  'cic-visit-four-weekly': {
    setup: seq({ type: 'looked-after-started' }, { type: 'placement-started', placementId: 'P1', placementType: 'with-parent', legalStatus: 'interim-care-order' }, visit, cicReview),
    meet: visit,
  },
  'cic-visit-with-parent': {
    setup: seq({ type: 'looked-after-started' }, { type: 'placement-started', placementId: 'P1', placementType: 'with-parent', legalStatus: 'care-order' }, visit),
    meet: visit,
  },
  'complaint-stage-1': {
    setup: seq({ type: 'complaint-received', complaintId: 'C1', stage: 1 }),
    meet: { type: 'complaint-responded', complaintId: 'C1', stage: 1 },
  },
  'complaint-stage-2': {
    setup: seq({ type: 'complaint-received', complaintId: 'C2', stage: 2 }),
    meet: { type: 'complaint-responded', complaintId: 'C2', stage: 2 },
  },
  'complaint-stage-3-panel': { setup: seq({ type: 'complaint-received', complaintId: 'C3', stage: 3 }), meet: { type: 'complaint-panel-held', complaintId: 'C3' } },
  'complaint-stage-3-report': {
    setup: seq({ type: 'complaint-received', complaintId: 'C3', stage: 3 }, { type: 'complaint-panel-held', complaintId: 'C3' }),
    meet: { type: 'complaint-panel-reported', complaintId: 'C3' },
  },
  'complaint-stage-3-response': {
    setup: seq({ type: 'complaint-received', complaintId: 'C3', stage: 3 }, { type: 'complaint-panel-held', complaintId: 'C3' }, { type: 'complaint-panel-reported', complaintId: 'C3' }),
    meet: { type: 'complaint-responded', complaintId: 'C3', stage: 3 },
  },
};

const emailOf = (role: string) => STAFF[role as keyof CaseContacts]?.email;

describe.each(OBLIGATION_KINDS.map((kind) => [kind] as const))('%s', (kind) => {
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });
  const scenario = SCENARIOS[kind];
  const rule = () => h.policy.baseline[kind]!;

  it('met just before the deadline: never escalated', async () => {
    const s = new Subject(scenario.incident ?? false);
    try {
      await s.open();
      await scenario.setup(s);
      const clock = await s.open_(kind);
      expect(clock, `${kind} should be open`).toBeDefined();
      await s.sleepUntil(new Date(Date.parse(clock!.dueAt) - 60_000).toISOString());
      await s.record(scenario.meet);
      expect(await s.open_(kind).then((o) => o?.id === clock!.id)).toBe(false);
      const [l1, l2] = rule().escalation;
      await s.sleepUntil(addIsoDuration(addIsoDuration(clock!.dueAt, l2?.after ?? 'PT1H'), l2?.repeatEvery ?? 'PT1H'));
      expect(s.escalations(kind).filter((m) => m.caseMessageId.includes(clock!.id))).toEqual([]);
      expect(l1).toBeDefined();
    } finally {
      await s.close();
    }
  });

  it('missed: level 1 at the deadline, level 2 after the grace period, repeated until acknowledged', async () => {
    const s = new Subject(scenario.incident ?? false);
    try {
      await s.open();
      await scenario.setup(s);
      const clock = (await s.open_(kind))!;
      const [l1, l2] = rule().escalation;
      const mine = () => s.escalations(kind).filter((m) => m.caseMessageId.includes(`/${clock.id}/`));

      await s.sleepUntil(new Date(Date.parse(clock.dueAt) - 60_000).toISOString());
      expect(mine()).toEqual([]);
      await s.sleepUntil(new Date(Date.parse(clock.dueAt) + 60_000).toISOString());
      expect(mine().map((m) => [m.to[0], m.caseMessageId.split('/').slice(-2).join('/')])).toEqual([[emailOf(l1!.role), 'L1/0']]);

      const level2At = addIsoDuration(clock.dueAt, l2!.after);
      await s.sleepUntil(new Date(Date.parse(level2At) + 60_000).toISOString());
      expect(
        mine()
          .slice(1)
          .map((m) => [m.to[0], m.caseMessageId.split('/').slice(-2).join('/')]),
      ).toEqual([[emailOf(l2!.role), 'L2/0']]);

      const repeatAt = addIsoDuration(level2At, l2!.repeatEvery!);
      await s.sleepUntil(new Date(Date.parse(repeatAt) + 60_000).toISOString());
      expect(
        mine()
          .slice(2)
          .map((m) => m.caseMessageId.split('/').slice(-2).join('/')),
      ).toEqual(['L2/1']);

      await s.record({ type: 'escalation-acknowledged', obligationId: clock.id, level: 2, by: 'hos1' });
      await s.sleepUntil(addIsoDuration(addIsoDuration(repeatAt, l2!.repeatEvery!), l2!.repeatEvery!));
      expect(mine()).toHaveLength(3);
    } finally {
      await s.close();
    }
  });
});
