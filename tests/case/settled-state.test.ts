/**
 * A case settles what is older than SETTLE_AFTER_DAYS into a checkpoint at continue-as-new, under
 * time skipping with a real SMTP server and the run's case-record store: its clocks go on exactly
 * (the fortnightly visit due 14 days after the last visit, nothing sent twice), what it carries
 * into each run stops growing, an event dated before the settled part is refused naming `at`, and
 * the store keeps every event.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaseActionError } from '../../common/cases';
import { testStore, readTimeline } from '../support/case-record';
import { CaseUnderTest, caseWorkflowId, startHarness, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const DAY = 86_400_000;

/** Bytes of the current run's input (what continue-as-new carried into it). */
async function runInputBytes(kase: CaseUnderTest): Promise<number> {
  const history = await kase.client.workflow.getHandle(caseWorkflowId(kase.caseId)).fetchHistory();
  const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  return payload?.data?.length ?? 0;
}

describe('a case that settles its older events', () => {
  it('goes on exactly, carries no more after a year than after five months, and refuses events in its settled past', async () => {
    const kase = await CaseUnderTest.open(h, { tier: 'PRIORITY', historyLimit: 80 });
    const recorded: string[] = [];
    /** The run's input after each fortnight (index 0: the first). */
    const inputs: number[] = [];
    await kase.run(async () => {
      for (let fortnight = 1; fortnight <= 26; fortnight++) {
        await kase.advance('P13D');
        recorded.push(await kase.record({ type: 'contact', contactType: fortnight % 3 === 0 ? 'kit-call' : 'visit' }));
        inputs.push(await runInputBytes(kase));
      }
      await kase.settle();

      // The clocks went on: the next visit is due 14 days after the last one, and nothing was sent twice.
      const lastVisit = recorded.filter((_, i) => (i + 1) % 3 !== 0).at(-1)!;
      const state = await kase.state();
      expect(state.open.find((o) => o.kind === 'visit-priority')?.dueAt).toBe(new Date(Date.parse(lastVisit) + 14 * DAY).toISOString());
      const ids = kase.mail().map((m) => m.caseMessageId);
      expect(new Set(ids).size).toBe(ids.length);

      // An event in the settled past is refused, naming the field.
      const old = new Date(Date.parse(await kase.now()) - 200 * DAY).toISOString();
      const refusal = await kase.record({ type: 'contact', contactType: 'visit', at: old }).catch((err: unknown) => err);
      expect(refusal).toBeInstanceOf(CaseActionError);
      expect((refusal as Error).message).toMatch(/at: is on or before .*settled/);

      // The timeline staff see still has every event, from the store.
      const timeline = await readTimeline(testStore(), kase.caseId, 'case', await kase.state(), () => kase.timeline());
      expect(timeline.filter((t) => t.entry === 'event')).toHaveLength(1 + recorded.length);
    });
    // What a run carries rises and falls with where in the 90 days it continued as new, so each
    // is the most over seven fortnights, longer than that rise and fall: the largest run near a
    // year carries no more than the largest between three and six months (both under 64 KiB).
    const sizes = { threeToSixMonths: Math.max(...inputs.slice(6, 13)), year: Math.max(...inputs.slice(19, 26)) };
    expect(sizes.year).toBeLessThanOrEqual(sizes.threeToSixMonths * 1.1);
    expect(sizes.year).toBeLessThan(64 * 1024);
    const stored = (await testStore().caseRecord(kase.caseId)).filter((e) => e.kind === 'event');
    expect(stored).toHaveLength(1 + recorded.length + 1); // tier, contacts, closure
    expect(new Set(stored.map((e) => e.entryId)).size).toBe(stored.length);
    process.stdout.write(`settled-state: run input at most ${sizes.threeToSixMonths} bytes from three to six months, ${sizes.year} bytes near a year\n`);
  });
});
