import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNotificationActivities, rfcMessageId, type DeliveryReceipt } from '../../activities/notifications';
import { PERMANENT_REJECTION_TYPE } from '../../workflows/failure-types';
import { renderMessage, type CaseMessage } from '../../activities/render-message';
import { startMailbox, type Mailbox } from '../support/mailbox';

const escalation: CaseMessage = {
  messageId: 'WCF-1001/kit-call@2026-03-20T10:00:00.000Z/escalation/L2/0',
  caseId: 'WCF-1001',
  caseReference: 'WCF-1001',
  team: 'LOCALITY-NORTH',
  type: 'escalation',
  level: 2,
  repeat: 0,
  role: 'head-of-service',
  sendAt: '2026-04-05T10:00:00.000Z',
  obligation: {
    id: 'kit-call@2026-03-20T10:00:00.000Z',
    kind: 'kit-call',
    title: 'Keeping-in-touch call',
    dueAt: '2026-04-03T09:00:00.000Z',
    basis: 'Worcestershire Phase 2 protocol §3c',
  },
};

describe('rendering', () => {
  it('says what is late, by how much, in local time, with a console link', () => {
    const { subject, text, html } = renderMessage(escalation, 'https://caseclock.example');
    expect(subject).toBe('[CaseClock] OVERDUE level 2 WCF-1001: Keeping-in-touch call, 2 days 1 hour overdue');
    expect(text).toContain('was due by Fri 3 Apr 2026, 10:00 BST');
    expect(text).toContain('It is 2 days 1 hour overdue. Escalation level 2, to the head of service.');
    expect(text).toContain('Open the case: https://caseclock.example/cases/WCF-1001');
    expect(text).not.toContain('Basis'); // no citation of the rule's source document
    expect(html).toContain('<a href="https://caseclock.example/cases/WCF-1001">');
  });

  it('says "now overdue" at the deadline itself', () => {
    const { subject, text } = renderMessage({ ...escalation, level: 1, role: 'team-manager', sendAt: escalation.obligation!.dueAt }, 'https://caseclock.example');
    expect(subject).toBe('[CaseClock] OVERDUE level 1 WCF-1001: Keeping-in-touch call, now overdue');
    expect(text).toContain('It is now overdue. Escalation level 1, to the team manager.');
  });

  it('names the person it goes to beside their role', () => {
    const { text } = renderMessage(escalation, 'https://caseclock.example', escalation.sendAt, 'Hal Head');
    expect(text).toContain('Escalation level 2, to Hal Head (head of service).');
  });

  it('a repeat of a level-2 escalation is called a repeat, not a reminder', () => {
    const repeated: CaseMessage = { ...escalation, repeat: 2, sendAt: '2026-04-07T10:00:00.000Z' };
    const { subject, text } = renderMessage(repeated, 'https://caseclock.example');
    expect(subject).toBe('[CaseClock] OVERDUE level 2 (repeat 2) WCF-1001: Keeping-in-touch call, 4 days 1 hour overdue');
    expect(subject).not.toMatch(/reminder/i);
    expect(text).toContain('This escalation has gone 2 times before;');
  });

  it('an escalation that goes long after its deadline says how late, never "now overdue"', () => {
    const atDeadline: CaseMessage = { ...escalation, level: 1, role: 'team-manager', sendAt: escalation.obligation!.dueAt };
    expect(renderMessage(atDeadline, 'https://caseclock.example', '2026-04-03T09:00:59.000Z').subject).toMatch(/, now overdue$/);
    const { subject, text } = renderMessage(atDeadline, 'https://caseclock.example', '2026-04-03T09:01:00.000Z');
    expect(subject).toMatch(/, 1 minute overdue$/);
    expect(text).not.toContain('now overdue');
  });

  it('a message that goes within a minute of its plan speaks as of the plan', () => {
    const reminder: CaseMessage = { ...escalation, type: 'reminder', level: 0, role: 'allocated-worker', sendAt: '2026-04-03T07:00:00.000Z' };
    expect(renderMessage(reminder, 'https://c', '2026-04-03T07:00:00.400Z').text).toContain('(due in 2 hours)');
    expect(renderMessage(reminder, 'https://c', '2026-04-03T07:01:00.000Z').text).toContain('(due in 1 hour 59 minutes)');
    // A reminder planned moments before the deadline that goes after it is late all the same.
    const close: CaseMessage = { ...reminder, sendAt: '2026-04-03T08:59:58.000Z' };
    const late = renderMessage(close, 'https://c', '2026-04-03T09:00:03.000Z');
    expect(late.subject).toMatch(/^\[CaseClock\] Late reminder /);
    expect(late.text).toContain('It is now overdue.');
  });

  it('reminds before the deadline', () => {
    const { subject, text } = renderMessage({ ...escalation, type: 'reminder', level: 0, role: 'allocated-worker', sendAt: '2026-03-31T09:00:00.000Z' }, 'https://caseclock.example');
    expect(subject).toBe('[CaseClock] Reminder WCF-1001: Keeping-in-touch call due Fri 3 Apr 2026, 10:00 BST');
    expect(text).toContain('is due by Fri 3 Apr 2026, 10:00 BST (due in 3 days).');
  });

  it('a reminder that could only go after the deadline says it fell due, never "due by"', () => {
    const reminder: CaseMessage = { ...escalation, type: 'reminder', level: 0, role: 'allocated-worker', sendAt: '2026-04-03T07:00:00.000Z' };
    const { subject, text } = renderMessage(reminder, 'https://caseclock.example', '2026-04-03T12:30:00.000Z');
    expect(subject).toBe('[CaseClock] Late reminder WCF-1001: Keeping-in-touch call fell due Fri 3 Apr 2026, 10:00 BST, not yet recorded');
    expect(text).toContain('It is 3 hours 30 minutes overdue. This reminder could not be sent before the deadline.');
    expect(text).not.toMatch(/due by/);
    // Sent in time (a retry that still beat the deadline): the ordinary wording.
    expect(renderMessage(reminder, 'https://caseclock.example', '2026-04-03T08:00:00.000Z').subject).toBe('[CaseClock] Reminder WCF-1001: Keeping-in-touch call due Fri 3 Apr 2026, 10:00 BST');
  });

  it('an escalation held up by a mail fault measures lateness when it goes, not when it was planned', () => {
    const atDeadline: CaseMessage = { ...escalation, level: 1, role: 'team-manager', sendAt: escalation.obligation!.dueAt };
    expect(renderMessage(atDeadline, 'https://caseclock.example', '2026-04-03T12:05:00.000Z').subject).toBe('[CaseClock] OVERDUE level 1 WCF-1001: Keeping-in-touch call, 3 hours 5 minutes overdue');
    // An attempt time before the planned one (clock skew) never makes it look earlier.
    expect(renderMessage(escalation, 'https://caseclock.example', '2026-04-01T00:00:00.000Z').subject).toBe('[CaseClock] OVERDUE level 2 WCF-1001: Keeping-in-touch call, 2 days 1 hour overdue');
  });

  it('escapes HTML in anything it shows', () => {
    const { html } = renderMessage({ ...escalation, obligation: { ...escalation.obligation!, title: '<script>x</script>' } }, 'https://c');
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;');
  });

  it('tells the deputy lead of a postponed conference', () => {
    const notice: CaseMessage = {
      ...escalation,
      type: 'notice',
      level: 0,
      role: 'deputy-lead',
      obligation: undefined,
      meeting: {
        meetingId: 'RCPC-2',
        meetingType: 'review-conference',
        change: 'postponed',
        scheduledFor: '2026-05-01T09:00:00.000Z',
        newDate: '2026-05-15T09:00:00.000Z',
      },
    };
    const { subject, text } = renderMessage(notice, 'https://c');
    expect(subject).toBe('[CaseClock] WCF-1001: review child protection conference postponed');
    expect(text).toContain('New date: Fri 15 May 2026, 10:00 BST.');
  });
});

describe('deliverCaseMessage over SMTP', () => {
  let mailbox: Mailbox;
  beforeAll(async () => {
    mailbox = await startMailbox();
  });
  afterAll(async () => {
    await mailbox.close();
  });

  it('delivers with a stable Message-ID and returns the SMTP answer', async () => {
    const activities = createNotificationActivities({ transport: mailbox.transport(), from: 'caseclock@test', consoleUrl: 'https://c' });
    const env = new MockActivityEnvironment();
    const receipt: DeliveryReceipt = await env.run(activities.deliverCaseMessage, { message: escalation, to: { email: 'hos@council.test', name: 'Head' } });
    expect(receipt.smtpResponse).toMatch(/^250 /);
    expect(receipt.accepted).toEqual(['hos@council.test']);
    const [mail] = await mailbox.waitFor((m) => m.length === 1);
    expect(mail?.messageId).toBe(rfcMessageId(escalation.messageId));
    expect(mail?.caseMessageId).toBe(escalation.messageId);
    expect(mail?.caseReference).toBe('WCF-1001');
    expect(mail?.to).toEqual(['hos@council.test']);
  });

  it('fails for good, without retrying, when the server refuses the address', async () => {
    mailbox.refuse.add('gone@council.test');
    const activities = createNotificationActivities({ transport: mailbox.transport(), from: 'caseclock@test', consoleUrl: 'https://c' });
    const env = new MockActivityEnvironment();
    const attempt = env.run(activities.deliverCaseMessage, { message: escalation, to: { email: 'gone@council.test', name: 'Gone' } });
    await expect(attempt).rejects.toBeInstanceOf(ApplicationFailure);
    await expect(attempt).rejects.toMatchObject({ nonRetryable: true, type: PERMANENT_REJECTION_TYPE });
  });

  it('throws a retryable error while the server is down', async () => {
    const activities = createNotificationActivities({
      transport: (await import('nodemailer')).default.createTransport({ host: '127.0.0.1', port: 1, connectionTimeout: 500 }),
      from: 'caseclock@test',
      consoleUrl: 'https://c',
    });
    const env = new MockActivityEnvironment();
    const attempt = env.run(activities.deliverCaseMessage, { message: escalation, to: { email: 'a@council.test', name: 'A' } });
    await expect(attempt).rejects.not.toBeInstanceOf(ApplicationFailure);
  });
});
