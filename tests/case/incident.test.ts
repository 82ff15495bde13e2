/**
 * A serious incident over Easter 2027 (Good Friday 26 March, Easter Monday 29 March), through
 * real Temporal (time skipping) and a real SMTP server: notification to the national panel within
 * 5 working days, then the rapid review within 15 working days of the notification.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { incidentState, recordIncidentEvent, reportIncident } from '../../common/cases';
import { uniqueName } from '../support/temporal-env';
import { CONTACTS, firstTriesDone, incidentWorkflowId, startHarness, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  // Move the test server's clock to Wednesday 24 March 2027, 10:00 GMT.
  const target = Date.parse('2027-03-24T10:00:00.000Z');
  const now = await h.env.currentTimeMs();
  if (now > target) throw new Error('this test expects to run before Easter 2027');
  await h.env.sleep(target - now);
});
afterAll(async () => {
  await h?.close();
});

async function reported(taskQueue: string) {
  const incidentId = uniqueName('SI');
  const awareAt = new Date(await h.env.currentTimeMs()).toISOString();
  await reportIncident(
    h.env.client,
    {
      incidentId,
      linkedCaseId: 'WCF-2001',
      details: { reference: incidentId, team: 'SAFEGUARDING-QA', contacts: CONTACTS },
      reportedBy: 'admin1',
      awareAt,
    },
    h.policy,
    { taskQueue },
  );
  const mail = () => h.mailbox.messages.filter((m) => m.caseReference === incidentId);
  const escalations = () => mail().filter((m) => m.caseMessageId.includes('/escalation/'));
  const open = async (kind: string) => (await incidentState(h.env.client, incidentId)).open.find((o) => o.kind === kind);
  const record = async (event: Record<string, unknown>) => {
    await firstTriesDone(h.env.client.workflow.getHandle(incidentWorkflowId(incidentId)));
    return recordIncidentEvent(h.env.client, incidentId, { at: new Date(await h.env.currentTimeMs()).toISOString(), by: 'qa1', incidentId, ...event });
  };
  return { incidentId, mail, escalations, open, record };
}

describe('serious incidents reported on Wednesday 24 March 2027', () => {
  it('notification due at the end of Friday 2 April; met in time, missed, and waived', async () => {
    const taskQueue = h.taskQueue;
    await (async () => {
      const notifiedInTime = await reported(taskQueue);
      const missed = await reported(taskQueue);
      const waived = await reported(taskQueue);
      // Good Friday and Easter Monday are not working days.
      expect((await missed.open('serious-incident-notification'))?.dueAt).toBe('2027-04-02T22:59:59.999Z');

      await h.env.sleep(3600_000);
      const clock = await waived.open('serious-incident-notification');
      await waived.record({ type: 'obligation-waived', obligationId: clock!.id, reason: 'notified by the police force area' });

      await h.env.sleep(7 * 86400_000 - 3600_000); // Wednesday 31 March, 11:00 BST
      await notifiedInTime.record({ type: 'incident-notified' });
      expect((await notifiedInTime.open('rapid-review'))?.dueAt).toBe('2027-04-21T22:59:59.999Z');

      // Past the deadline: Saturday 3 April, 00:00 BST.
      await h.env.sleep(Date.parse('2027-04-02T23:00:00.000Z') - (await h.env.currentTimeMs()));
      await h.mailbox.waitFor(() => missed.escalations().length >= 1);
      expect(missed.escalations().map((m) => m.to[0])).toEqual(['manager@council.test']);
      expect(missed.escalations()[0]?.caseMessageId).toContain('/serious-incident-notification@');
      expect(notifiedInTime.escalations()).toEqual([]);
      expect(waived.mail()).toEqual([]);
      expect(await notifiedInTime.open('serious-incident-notification')).toBeUndefined();
    })();
  });
});
