/**
 * An update answers with a small summary of the case (CaseAnswer), because Temporal keeps every
 * answer in the case's history: a whole CaseState per update grew the history by kilobytes per
 * event for the life of the case. On the time-skipping server with a real SMTP server.
 */
import { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseState, recordEvent } from '../../common/cases';
import { recordEventUpdate } from '../../workflows/messages';
import { CaseUnderTest, caseWorkflowId, startHarness, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const { EventType } = temporal.api.enums.v1;

describe('what an update answers', () => {
  it("is a few hundred bytes in history, agrees with the case state, and asks no patch (the case was begun with today's code)", async () => {
    const kase = await CaseUnderTest.open(h, { tier: 'HIGH_IMMEDIATE' });
    await kase.run(async () => {
      const handle = kase.client.workflow.getHandle(caseWorkflowId(kase.caseId));
      // Straight to the update, as any caller would see it.
      const raw = await handle.executeUpdate(recordEventUpdate, {
        args: [{ type: 'contact', contactType: 'kit-call', at: await kase.now(), by: 'sw1' }],
      });
      expect(Object.keys(raw).sort()).toEqual(['caseId', 'nextDueAt', 'openCount', 'overdueCount', 'status', 'tier', 'waitingForStore', 'warnings']);

      const answer = await recordEvent(kase.client, kase.caseId, { type: 'contact', contactType: 'visit', childSeenAlone: true, at: await kase.now(), by: 'sw1' });
      const state = await caseState(kase.client, kase.caseId);
      expect(answer).toEqual({
        caseId: kase.caseId,
        status: 'open',
        tier: 'HIGH_IMMEDIATE',
        openCount: state.open.length,
        overdueCount: state.overdueCount,
        nextDueAt: state.nextDueAt,
        waitingForStore: expect.any(Number),
        warnings: [],
      });
      expect(state.open.find((o) => o.kind === 'initial-visit-high')).toBeUndefined();

      const history = (await handle.fetchHistory()).events ?? [];
      const answers = history
        .filter((e) => Number(e.eventType) === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED)
        .map((e) => e.workflowExecutionUpdateCompletedEventAttributes?.outcome?.success?.payloads?.[0]?.data?.length ?? 0);
      expect(answers).toHaveLength(2);
      // Encrypted by the codec, so a little larger than the JSON; a whole state was over 2 KiB.
      for (const bytes of answers) {
        expect(bytes).toBeGreaterThan(0);
        expect(bytes).toBeLessThan(600);
      }
      // A run begun with CASE_CODE takes every change without a patch marker (or its search-attribute upsert).
      const patchMarkers = history.filter((e) => Number(e.eventType) === EventType.EVENT_TYPE_MARKER_RECORDED && e.markerRecordedEventAttributes?.details?.['patch-data'] !== undefined);
      expect(patchMarkers).toEqual([]);
    });
  });
});
