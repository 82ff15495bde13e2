/**
 * The recorded send (`deliverAndRecordCaseMessage`): a message sent over real SMTP and its delivery
 * written to the run's case-record store with the entries that waited for it and the case's summary,
 * in one transaction. A retry after an attempt that sent and wrote sends nothing again; a store
 * that cannot be reached never holds the message back.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaseRecordActivities, type RecordedSendInput, type RecordedSendResult } from '../../activities/case-record';
import { createNotificationActivities } from '../../activities/notifications';
import { openCaseRecordStore } from '../../store/case-record-store';
import { openCaseSummaries, type CaseSummaries } from '../../store/case-summaries';
import type { CaseSummary } from '../../store/case-summary';
import { PERMANENT_REJECTION_TYPE } from '../../workflows/failure-types';
import { sentMessageEntryId } from '../../workflows/messages';
import { storeUrl, testStore } from '../support/case-record';
import { startMailbox, type Mailbox } from '../support/mailbox';
import { uniqueName } from '../support/temporal-env';

let mailbox: Mailbox;
let summaries: CaseSummaries;
beforeAll(async () => {
  mailbox = await startMailbox();
  summaries = openCaseSummaries(storeUrl());
});
afterAll(async () => {
  await summaries?.close();
  await mailbox?.close();
});

const SCHEDULED_AT = Date.parse('2026-04-03T09:00:00.000Z');

/** A level-1 escalation of a new case, with the overdue outcome that waited for it and the summary once sent. */
function recordedSend(to = 'tm@council.test'): RecordedSendInput {
  const caseId = uniqueName('RS');
  const messageId = `${caseId}/kit-call@2026-03-20T10:00:00.000Z/escalation/L1/0`;
  const obligation = { id: 'kit-call@2026-03-20T10:00:00.000Z', kind: 'kit-call', title: 'Keeping-in-touch call', dueAt: '2026-04-03T09:00:00.000Z' };
  const summary: CaseSummary = {
    subject: 'case',
    caseId,
    details: { reference: caseId, team: 'LOCALITY-NORTH', contacts: { 'team-manager': { name: 'Tess Manager', email: to } } },
    openedAt: '2026-03-20T10:00:00.000Z',
    status: 'open',
    tier: 'VULNERABLE',
    policyVersion: 'test',
    open: [{ ...obligation, triggeredAt: '2026-03-20T10:00:00.000Z', status: 'open', onHold: false, escalationLevel: 1, escalatedTo: { role: 'team-manager', to } }],
    overdueCount: 1,
    nextDueAt: obligation.dueAt,
    nextWakeAt: '2026-04-05T09:00:00.000Z',
    undeliverable: [],
    sending: [],
    waitingForStore: 0,
    warnings: [],
    writtenAt: '2026-04-03T09:00:00.000Z',
  } as unknown as CaseSummary;
  return {
    message: { messageId, caseId, caseReference: caseId, team: 'LOCALITY-NORTH', type: 'escalation', level: 1, repeat: 0, role: 'team-manager', sendAt: obligation.dueAt },
    to: { email: to, name: 'Tess Manager' },
    record: {
      subject: 'case',
      caseId,
      entries: [
        {
          caseId,
          subject: 'case',
          entryId: `case:${caseId}:outcome:3`,
          kind: 'outcome',
          at: obligation.dueAt,
          recordedAt: obligation.dueAt,
          by: 'caseclock',
          summary: `Keeping-in-touch call (${obligation.id}) due by ${obligation.dueAt}`,
          data: { seq: 3, team: 'LOCALITY-NORTH', tier: 'VULNERABLE', obligation: { ...obligation, triggeredAt: '2026-03-20T10:00:00.000Z', status: 'open' } },
        },
      ],
      delivery: { messageId, type: 'escalation', level: 1, role: 'team-manager', obligationId: obligation.id, kind: 'kit-call', to, entryId: sentMessageEntryId('case', caseId, messageId) },
      summary,
    },
  };
}

const sending = () => createNotificationActivities({ transport: mailbox.transport(), from: 'caseclock@test', consoleUrl: 'https://c' });
const activities = () => createCaseRecordActivities({ store: testStore(), deliver: sending().deliverCaseMessage });
const attempt = (n: number) => new MockActivityEnvironment({ attempt: n, currentAttemptScheduledTimestampMs: SCHEDULED_AT + (n - 1) * 10_000 });
const mailFor = (input: RecordedSendInput) => mailbox.messages.filter((m) => m.caseMessageId === input.message.messageId);

describe('a recorded send', () => {
  it('sends the message, then writes its delivery, the entries that waited and the summary together', async () => {
    const input = recordedSend();
    const result: RecordedSendResult = await attempt(1).run(activities().deliverAndRecordCaseMessage, input);
    expect(result.recorded).toBe(true);
    expect(result.stored).toBe(2);
    expect(result.delivery).toMatchObject({ outcome: 'delivered', sentAt: new Date(SCHEDULED_AT).toISOString(), entryId: input.record.delivery.entryId });
    expect(result.delivery.smtpResponse).toMatch(/^250 /);
    await mailbox.waitFor(() => mailFor(input).length === 1);

    const record = await testStore().caseRecord(input.record.caseId);
    expect(record.map((e) => e.entryId).sort()).toEqual([input.record.delivery.entryId, input.record.entries[0]!.entryId].sort());
    const message = record.find((e) => e.kind === 'message')!;
    expect(message.data.delivery).toEqual(result.delivery);
    expect(message.summary).toBe('Escalation level 1 sent to team-manager (kit-call)');
    const summary = await summaries.get('case', input.record.caseId, '2026-04-03T10:00:00.000Z');
    expect(summary).toMatchObject({ sending: [], writtenAt: new Date(SCHEDULED_AT).toISOString() });
  });

  it('after an attempt that sent and wrote (its answer lost), a retry sends nothing again and answers with the delivery stored', async () => {
    const input = recordedSend();
    const first: RecordedSendResult = await attempt(1).run(activities().deliverAndRecordCaseMessage, input);
    await mailbox.waitFor(() => mailFor(input).length === 1);
    const retried = await attempt(2).run(activities().deliverAndRecordCaseMessage, input);
    expect(retried).toEqual({ delivery: first.delivery, recorded: true, stored: 0 });
    // A moment for a second email to arrive, were one sent.
    await new Promise((r) => setTimeout(r, 300));
    expect(mailFor(input)).toHaveLength(1);
  });

  it('never waits on the store: with the store unreachable the message goes, and its record is left to the case', async () => {
    const input = recordedSend();
    const unreachable = openCaseRecordStore('postgres://caseclock@127.0.0.1:1/caseclock');
    try {
      const result: RecordedSendResult = await attempt(3).run(createCaseRecordActivities({ store: unreachable, deliver: sending().deliverCaseMessage }).deliverAndRecordCaseMessage, input);
      expect(result).toMatchObject({ recorded: false, stored: 0, delivery: { outcome: 'delivered', entryId: input.record.delivery.entryId } });
      await mailbox.waitFor(() => mailFor(input).length === 1);
    } finally {
      await unreachable.close();
    }
    expect(await testStore().caseRecord(input.record.caseId)).toEqual([]);
  });

  it('a message the mail server refuses for good fails as the send does, and writes nothing', async () => {
    mailbox.refuse.add('gone-rs@council.test');
    const input = recordedSend('gone-rs@council.test');
    const run = attempt(1).run(activities().deliverAndRecordCaseMessage, input);
    await expect(run).rejects.toBeInstanceOf(ApplicationFailure);
    await expect(run).rejects.toMatchObject({ nonRetryable: true, type: PERMANENT_REJECTION_TYPE });
    expect(await testStore().caseRecord(input.record.caseId)).toEqual([]);
  });
});
