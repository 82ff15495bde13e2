/**
 * Every case writes its record to the case-record store (a real embedded PostgreSQL, PGlite, the
 * test run's own), under time skipping with a real SMTP server: events, messages with the SMTP
 * server's answer, notes and obligation outcomes, each once, across continue-as-new, and a closed
 * case ends only once the store holds its whole record.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { temporal } from '@temporalio/proto';
import { updateDetails } from '../../common/cases';
import { caseWorkflowId } from '../../workflows/messages';
import type { CaseRecordEntry } from '../../store/case-record-store';
import { openCaseSummaries, type CaseSummaries } from '../../store/case-summaries';
import { storeUrl, testStore, readTimeline } from '../support/case-record';
import { CaseUnderTest, CONTACTS, startHarness, type Harness } from './harness';

let h: Harness;
let summaries: CaseSummaries;
beforeAll(async () => {
  h = await startHarness();
  summaries = openCaseSummaries(storeUrl());
});
afterAll(async () => {
  await summaries?.close();
  await h?.close();
});

const ofKind = (entries: CaseRecordEntry[], kind: CaseRecordEntry['kind']) => entries.filter((e) => e.kind === kind);

describe('the case record in the store', () => {
  it('holds every event, message (with the SMTP answer), note and outcome of a case, once', async () => {
    const kase = await CaseUnderTest.open(h, { tier: 'HIGH_IMMEDIATE' });
    await kase.run(async () => {
      await kase.advance('PT30H'); // the 24-hour visit missed: level 1
      await kase.record({ type: 'contact', contactType: 'visit', childSeenAlone: true });
      await updateDetails(kase.client, kase.caseId, {
        details: { reference: kase.caseId, team: 'LOCALITY-NORTH', contacts: { ...CONTACTS, iro: { name: 'Ivy Officer', email: 'ivy@council.test' } } },
        by: 'admin1',
      });
      await kase.settle();
    });
    // The case ended (closed by run()), so the store holds everything.
    const timeline = await kase.timeline();
    const record = await testStore().caseRecord(kase.caseId);
    const notOutcomes = record.filter((e) => e.kind !== 'outcome');
    expect(notOutcomes.map((e) => e.summary).sort()).toEqual(timeline.map((t) => t.summary).sort());
    expect(new Set(record.map((e) => e.entryId)).size).toBe(record.length);

    const messages = ofKind(record, 'message');
    expect(messages.length).toBe(kase.mail().length);
    for (const m of messages) expect((m.data.delivery as { smtpResponse?: string }).smtpResponse).toMatch(/^250 /);
    expect(ofKind(record, 'note').map((e) => e.summary)).toEqual(['Case details and contacts updated']);
    expect(ofKind(record, 'event').map((e) => (e.data.event as { type: string }).type)).toEqual(['tier-set', 'contact', 'case-closed']);
    // No child's name or address in any entry: details stay references and staff contacts.
    expect(JSON.stringify(record)).not.toMatch(/address"|childName/);

    const visit = ofKind(record, 'outcome')
      .map((e) => e.data.obligation as { kind: string; status: string; lateByMs?: number })
      .filter((o) => o.kind === 'initial-visit-high');
    expect(visit.map((o) => o.status)).toEqual(['open', 'met']);
    // Visited six hours (and the moment the test took) after the deadline.
    expect(visit[1]!.lateByMs).toBeGreaterThanOrEqual(6 * 3600_000);
    expect(visit[1]!.lateByMs).toBeLessThan(6 * 3600_000 + 60_000);
    for (const outcome of ofKind(record, 'outcome')) expect(outcome.data).toMatchObject({ team: 'LOCALITY-NORTH', tier: 'HIGH_IMMEDIATE' });
  });

  it("the store's record plus what the case has not yet written is the case's whole timeline: nothing missing, nothing twice", async () => {
    const kase = await CaseUnderTest.open(h, { tier: 'PRIORITY' });
    await kase.run(async () => {
      const seen = async () => {
        const state = await kase.state();
        expect(state.notYetInRecord).toBeDefined();
        return readTimeline(testStore(), kase.caseId, 'case', state, () => kase.timeline());
      };
      const summaries = (entries: Array<{ summary: string }>) => entries.map((e) => e.summary).sort();
      for (const contactType of ['visit', 'kit-call', 'other'] as const) {
        await kase.record({ type: 'contact', contactType });
        // At once, whether or not the write has landed yet.
        expect(summaries(await seen())).toEqual(summaries(await kase.timeline()));
      }
      await kase.settle();
      expect((await kase.state()).notYetInRecord).toEqual([]);
      const settled = await seen();
      expect(summaries(settled)).toEqual(summaries(await kase.timeline()));
      expect(settled.every((e) => e.entryId?.startsWith(`case:${kase.caseId}:`))).toBe(true);
    });
  });

  it('carries what the store holds across continue-as-new: each event stored once, none lost', async () => {
    const kase = await CaseUnderTest.open(h, { tier: 'PRIORITY', historyLimit: 60 });
    const handle = kase.client.workflow.getHandle(`case:${kase.caseId}`);
    const firstRun = (await handle.describe()).runId;
    await kase.run(async () => {
      for (let visit = 0; visit < 12; visit++) {
        await kase.advance('P10D');
        await kase.record({ type: 'contact', contactType: visit % 2 === 0 ? 'visit' : 'kit-call' });
      }
      await kase.settle();
      expect((await handle.describe()).runId).not.toBe(firstRun);
    });

    const record = await testStore().caseRecord(kase.caseId);
    const events = ofKind(record, 'event').map((e) => e.data.event as { type: string; at: string });
    expect(events.length).toBe(1 + 12 + 1); // tier, twelve contacts, closure
    expect(new Set(events.map((e) => `${e.type}@${e.at}`)).size).toBe(events.length);
    expect(ofKind(record, 'message').length).toBe(kase.mail().length);
  });

  it("keeps the case's summary beside its record, replaced with each write: what is open, how far it has escalated and to whom, and closed at the end", async () => {
    const kase = await CaseUnderTest.open(h, { tier: 'HIGH_IMMEDIATE' });
    await kase.run(async () => {
      await kase.settle();
      const opened = await summaries.get('case', kase.caseId, await kase.now());
      expect(opened).toMatchObject({ caseId: kase.caseId, status: 'open', tier: 'HIGH_IMMEDIATE', overdueCount: 0, waitingForStore: 0 });
      expect(opened!.details.team).toBe('LOCALITY-NORTH');
      const visit = opened!.open.find((o) => o.kind === 'initial-visit-high');
      expect(visit).toMatchObject({ escalationLevel: 0, onHold: false });
      expect(opened!.nextDueAt).toBe(visit!.dueAt);

      await kase.advance('PT30H'); // the 24-hour visit missed: escalated to the team manager
      const late = await summaries.get('case', kase.caseId, await kase.now());
      expect(late!.overdueCount).toBe(1);
      const escalated = late!.open.find((o) => o.id === visit!.id)!;
      expect(escalated.escalationLevel).toBeGreaterThanOrEqual(1);
      expect(escalated.escalatedTo?.role).toMatch(/manager|head/);
      expect(late!.writtenAt > opened!.writtenAt).toBe(true);
      // As of an instant before the deadline it was not yet overdue: worked out when read.
      expect((await summaries.get('case', kase.caseId, opened!.writtenAt))!.overdueCount).toBe(0);
      const overdue = await summaries.list({ overdueOnly: true, teams: ['LOCALITY-NORTH'], now: await kase.now() });
      expect(overdue.map((s) => s.caseId)).toContain(kase.caseId);

      await kase.record({ type: 'contact', contactType: 'visit', childSeenAlone: true });
      await kase.settle();
      const visited = await summaries.get('case', kase.caseId, await kase.now());
      expect(visited!.open.some((o) => o.id === visit!.id)).toBe(false);
      expect(visited!.overdueCount).toBe(0);
      // Where the case stands, from the store, is what the case itself says.
      const state = await kase.state();
      expect(visited!.open.map((o) => o.id)).toEqual(state.open.map((o) => o.id));
      expect(visited!.nextDueAt).toBe(state.nextDueAt);
      expect(JSON.stringify(visited)).not.toMatch(/childName|address"/);
    });
    const closed = await summaries.get('case', kase.caseId, await kase.now());
    expect(closed).toMatchObject({ status: 'closed', overdueCount: 0 });
    expect((await summaries.list({ now: await kase.now() })).some((s) => s.caseId === kase.caseId)).toBe(false);
    expect((await summaries.list({ now: await kase.now(), includeClosed: true })).some((s) => s.caseId === kase.caseId)).toBe(true);
  });

  it("writes a new case's opening in its first workflow task: its event, the obligations it starts and its summary, as at its start, with no write activity", async () => {
    const { EventType } = temporal.api.enums.v1;
    const kase = await CaseUnderTest.open(h, { tier: 'HIGH_IMMEDIATE' });
    const handle = h.env.client.workflow.getHandle(caseWorkflowId(kase.caseId));
    await kase.run(async () => {
      await kase.settle();
      const events = (await handle.fetchHistory()).events ?? [];
      const firstTaskDone = events.findIndex((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
      // The first task ran the write (its marker follows the task) and scheduled no activity.
      const tasks = events.filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
      expect(tasks).toHaveLength(1);
      expect(events[firstTaskDone + 1]?.eventType).toBe(EventType.EVENT_TYPE_MARKER_RECORDED);
      expect(events.some((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)).toBe(false);

      // As at the instant the case was started (its history's first event), whenever the task ran.
      const startedAt = (await handle.describe()).startTime.toISOString();
      const record = await testStore().caseRecord(kase.caseId);
      expect(ofKind(record, 'event').map((e) => (e.data.event as { type: string }).type)).toEqual(['tier-set']);
      const visit = ofKind(record, 'outcome').find((e) => (e.data.obligation as { kind: string }).kind === 'initial-visit-high');
      expect(visit).toMatchObject({ at: startedAt, recordedAt: startedAt, data: { obligation: { status: 'open' } } });
      const summary = await summaries.get('case', kase.caseId, await kase.now());
      expect(summary).toMatchObject({ writtenAt: startedAt, waitingForStore: 0, tier: 'HIGH_IMMEDIATE' });
      expect(summary!.open.map((o) => o.kind)).toContain('initial-visit-high');
      expect((await kase.state()).notYetInRecord).toEqual([]);
    });
  });

  it('sends and records each message in one activity: its delivery, the entries that waited and the summary, with no write after it', async () => {
    const { EventType } = temporal.api.enums.v1;
    const kase = await CaseUnderTest.open(h, { tier: 'HIGH_IMMEDIATE' });
    const handle = h.env.client.workflow.getHandle(caseWorkflowId(kase.caseId));
    await kase.run(async () => {
      await kase.settle();
      const before = (await handle.fetchHistory()).events?.length ?? 0;
      await kase.advance('PT25H'); // reminders, then the 24-hour visit missed: level 1
      // From the first reminder's timer on (the opening's write may still be landing before it).
      const since = ((await handle.fetchHistory()).events ?? []).slice(before);
      const after = since.slice(since.findIndex((e) => e.eventType === EventType.EVENT_TYPE_TIMER_FIRED));
      const scheduled = after.filter((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED).map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name);
      // Every message went by a recorded send, and no write of the case's own followed one.
      expect(scheduled.length).toBeGreaterThan(0);
      expect(new Set(scheduled)).toEqual(new Set(['deliverAndRecordCaseMessage']));
      expect(scheduled.length).toBe(kase.mail().length);

      const record = await testStore().caseRecord(kase.caseId);
      const messages = ofKind(record, 'message');
      expect(messages.length).toBe(kase.mail().length);
      for (const m of messages) {
        const delivery = m.data.delivery as { messageId: string; smtpResponse?: string; entryId?: string; sentAt: string };
        expect(m.entryId).toBe(`case:${kase.caseId}:sent:${delivery.messageId}`);
        expect(delivery.entryId).toBe(m.entryId);
        expect(delivery.smtpResponse).toMatch(/^250 /);
        expect(m.at).toBe(delivery.sentAt);
      }
      expect(messages.some((m) => (m.data.delivery as { type: string }).type === 'escalation')).toBe(true);
      // The case holds nothing the store does not, and the summary is where the case stands once the message went.
      const state = await kase.state();
      expect(state.notYetInRecord).toEqual([]);
      const summary = await summaries.get('case', kase.caseId, await kase.now());
      expect(summary).toMatchObject({ sending: [], waitingForStore: 0, overdueCount: 1 });
      const visit = summary!.open.find((o) => o.kind === 'initial-visit-high')!;
      expect(visit.escalationLevel).toBe(1);
      expect(visit.escalatedTo).toEqual({ role: 'team-manager', to: CONTACTS['team-manager']!.email });
      // The timeline the case shows is the store's, message for message.
      const timeline = await kase.timeline();
      const id = (d: unknown) => (d as { messageId: string }).messageId;
      expect(
        timeline
          .filter((t) => t.entry === 'message')
          .map((t) => id(t.delivery))
          .sort(),
      ).toEqual(messages.map((m) => id(m.data.delivery)).sort());
    });
    // Closing wrote the rest; every entry once.
    const record = await testStore().caseRecord(kase.caseId);
    expect(new Set(record.map((e) => e.entryId)).size).toBe(record.length);
  });
});
