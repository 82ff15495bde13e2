/**
 * Bad input where it enters a case, through the console's client functions (common/cases.ts) and
 * the workflow's update validators, on the time-skipping server with a real SMTP server:
 * each refusal names the field, carries no stack trace, and writes NOTHING — the timeline, the
 * open obligations and the workflow history (every event, not just their count) are unchanged.
 * (The time-skipping server keeps the workflow task that ran a rejecting validator; the last test
 * shows on the real dev server that a rejected update leaves no history event at all.)
 * Where the client refuses first, the same input is also sent straight to the update (as a
 * caller that bypasses common/cases.ts would), and the workflow refuses it too.
 */
import { Client, Connection, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { caseActivities } from '../support/case-record';
import { temporal } from '@temporalio/proto';
import { NativeConnection, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyPolicy, CaseActionError, caseState, openCase, reassign, recordEvent, recordIncidentEvent, refusalProblems, reportIncident, updateDetails } from '../../common/cases';
import type { PolicySnapshot } from '../../domain/policy';
import { applyPolicyUpdate, CASE_REFUSED_TYPE, caseWorkflowId, incidentWorkflowId, reassignUpdate, recordEventUpdate, updateDetailsUpdate } from '../../workflows/messages';
import { CONTACTS, CaseUnderTest, settleWorkflow, startHarness, type Harness } from '../case/harness';
import { devServerAddress, uniqueName, workflowExists } from '../support/temporal-env';

let h: Harness;
let kase: CaseUnderTest;
let incidentId: string;
/** Instants on the test server's clock: the case opened at `openedAt`, the base events at `t1`. */
let openedAt: string;
let t1: string;
let visitObligation: string;

const HOUR = 3_600_000;
const plus = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();
const MB = 'x'.repeat(1_000_000);

beforeAll(async () => {
  h = await startHarness();
  kase = await CaseUnderTest.open(h, { tier: 'HIGH_IMMEDIATE' });
  openedAt = (await kase.state()).openedAt;
  await h.env.sleep(HOUR); // nothing is due in the first hour of a 24-hour visit
  t1 = await kase.now();
  // What the refusals below collide with: a meeting scheduled and held, a hold started and ended, a child missing.
  await kase.record({ type: 'meeting-scheduled', meetingId: 'CG-1', meetingType: 'core-group', scheduledFor: plus(t1, 7 * 24 * HOUR) });
  await kase.record({ type: 'meeting-held', meetingId: 'CG-1', meetingType: 'core-group' });
  await kase.record({ type: 'meeting-scheduled', meetingId: 'ICPC-1', meetingType: 'icpc', scheduledFor: plus(t1, 10 * 24 * HOUR) });
  await kase.record({ type: 'hold-started', holdId: 'H1', kind: 'kit-call', reason: 'Test reason: fictitious family away' });
  await kase.record({ type: 'hold-ended', holdId: 'H1' });
  await kase.record({ type: 'hold-started', holdId: 'H2', kind: 'kit-call', reason: 'Test reason: still open' });
  await kase.record({ type: 'missing-started' });
  await kase.settle();
  visitObligation = (await kase.state()).open.find((o) => o.kind === 'initial-visit-high')!.id;

  incidentId = uniqueName('SI');
  await reportIncident(h.env.client, { incidentId, details: { reference: incidentId, team: 'TEAM-TEST', contacts: CONTACTS }, reportedBy: 'admin1', awareAt: t1 }, h.policy, { taskQueue: h.taskQueue });
});

afterAll(async () => {
  if (incidentId) await recordIncidentEvent(h.env.client, incidentId, { type: 'case-closed', at: await kase.now(), by: 'admin1', reason: 'test finished' }).catch(() => undefined);
  if (kase) await kase.run(async () => undefined);
  await h?.close();
});

const { EventType } = temporal.api.enums.v1;
/**
 * The time-skipping test server has no speculative workflow tasks: the task that ran a rejected
 * update's validator stays in history as scheduled/started/completed (a real server drops it; see
 * the dev-server test at the end). Those three are bookkeeping; any other event is something written.
 */
const BOOKKEEPING = new Set<number>([EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED, EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED]);

/** Everything a refused update must leave alone. */
async function written(workflowId = caseWorkflowId(kase.caseId), client: Client = h.env.client, exact = false) {
  const handle = client.workflow.getHandle(workflowId);
  const [history, timeline, state] = await Promise.all([handle.fetchHistory(), handle.query<unknown[]>('timeline'), handle.query<{ open: Array<{ id: string; escalationLevel: number }>; tier: string | null }>('state')]);
  const events = (history.events ?? []).filter((e) => exact || !BOOKKEEPING.has(Number(e.eventType)));
  return {
    historyEvents: events.length,
    history: events.map((e) => `${exact ? `${String(e.eventId)}:` : ''}${EventType[Number(e.eventType)] ?? String(e.eventType)}`),
    timeline: timeline.length,
    lastTimelineEntry: JSON.stringify(timeline.at(-1)),
    open: state.open.map((o) => `${o.id}@L${o.escalationLevel}`),
    tier: state.tier,
  };
}

/** The message of the error `action` fails with (it must fail). */
async function failure(action: () => Promise<unknown>): Promise<{ error: unknown; message: string }> {
  // Promise.resolve().then: a refusal counts whether it is thrown or rejected.
  const error = await Promise.resolve()
    .then(action)
    .then(
      () => new Error('ACCEPTED (expected a refusal)'),
      (err: unknown) => err,
    );
  if (error instanceof WorkflowUpdateFailedError) return { error, message: (error.cause as Error | undefined)?.message ?? error.message };
  return { error, message: error instanceof Error ? error.message : String(error) };
}

/** `label refused: ...field: ...`, one line, bounded, no stack trace. */
function expectNamesField(message: string, field: string): void {
  expect(message).toMatch(new RegExp(`refused: (.*; )?${field.replace(/[.]/g, '\\.')}: `));
  expect(message).not.toMatch(/\n|\s+at\s+\S+\s+\(|\.[tj]s:\d+|ZodError|TypeError/);
  expect(message.length).toBeLessThan(8_000);
}

/** Refused through the client with a CaseActionError naming `field`, and nothing written. */
async function expectRefused(action: () => Promise<unknown>, field: string, workflowId?: string): Promise<string> {
  const before = await written(workflowId);
  const { error, message } = await failure(action);
  expect(error, message).toBeInstanceOf(CaseActionError);
  expectNamesField(message, field);
  // The same problem travels typed: the kind of refusal, and the field it names.
  const refused = error as CaseActionError;
  expect(['refused', 'invalid']).toContain(refused.kind);
  expect(refused.problems.map((p) => p.field)).toContain(field);
  expect(await written(workflowId)).toEqual(before);
  return message;
}

/** Sent straight to the update, bypassing common/cases.ts: the workflow's validator refuses it, nothing written. */
async function expectValidatorRefuses(update: () => Promise<unknown>, field: string, workflowId?: string): Promise<void> {
  const before = await written(workflowId);
  const { error, message } = await failure(update);
  expect(error, message).toBeInstanceOf(WorkflowUpdateFailedError);
  expectNamesField(message, field);
  // A typed, non-retryable failure whose details name each field.
  const cause = (error as WorkflowUpdateFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  expect((cause as ApplicationFailure).type).toBe(CASE_REFUSED_TYPE);
  expect((cause as ApplicationFailure).nonRetryable).toBe(true);
  expect(refusalProblems(cause).map((p) => p.field)).toContain(field);
  expect(await written(workflowId)).toEqual(before);
}

const rawRecord = (event: unknown) => () => h.env.client.workflow.getHandle(caseWorkflowId(kase.caseId)).executeUpdate(recordEventUpdate, { args: [event as never] });

describe('events with the wrong shape: refused by the client, and by the workflow when the client is bypassed', () => {
  const base = () => ({ at: t1, by: 'sw1' });
  const cases: Array<[string, () => Record<string, unknown>, string]> = [
    ['unknown event type', () => ({ ...base(), type: 'teleport' }), 'type'],
    ['no type', () => ({ ...base() }), 'type'],
    ['at as a number', () => ({ ...base(), type: 'contact', contactType: 'visit', at: Date.parse(t1) }), 'at'],
    ['by missing', () => ({ type: 'contact', contactType: 'visit', at: t1 }), 'by'],
    ['unknown tier', () => ({ ...base(), type: 'tier-set', tier: 'SUPER_HIGH', reason: 'r' }), 'tier'],
    ['unknown obligation kind on a hold', () => ({ ...base(), type: 'hold-started', holdId: 'H9', kind: 'nap-time', reason: 'r' }), 'kind'],
    ['meeting fields missing', () => ({ ...base(), type: 'meeting-scheduled' }), 'meetingId'],
    ['level as text', () => ({ ...base(), type: 'escalation-acknowledged', obligationId: visitObligation, level: '1' }), 'level'],
    ['30 February', () => ({ ...base(), type: 'contact', contactType: 'visit', at: '2026-02-30T10:00:00Z' }), 'at'],
    ['year 20026', () => ({ ...base(), type: 'meeting-scheduled', meetingId: 'M9', meetingType: 'icpc', scheduledFor: '20026-01-20T10:00:00Z' }), 'scheduledFor'],
    ['no offset', () => ({ ...base(), type: 'contact', contactType: 'visit', at: t1.replace('Z', '') }), 'at'],
    ['unparseable', () => ({ ...base(), type: 'meeting-postponed', meetingId: 'ICPC-1', newDate: 'next Tuesday', reason: 'r' }), 'newDate'],
    ['a 1 MB reason', () => ({ ...base(), type: 'hold-started', holdId: 'H9', reason: MB }), 'reason'],
    ['a NUL in a reason', () => ({ ...base(), type: 'hold-started', holdId: 'H9', reason: 'a\u0000b' }), 'reason'],
    ['an escape sequence in a reason', () => ({ ...base(), type: 'case-closed', reason: '\u001b[2J\u001b[Hcleared' }), 'reason'],
    ['a blank reason', () => ({ ...base(), type: 'case-closed', reason: '   ' }), 'reason'],
    ['holdId ../x', () => ({ ...base(), type: 'hold-ended', holdId: '../x' }), 'holdId'],
    ['meetingId a?b=c', () => ({ ...base(), type: 'pre-meeting-held', meetingId: 'a?b=c' }), 'meetingId'],
    ['by a/b', () => ({ ...base(), type: 'contact', contactType: 'visit', by: 'a/b' }), 'by'],
  ];
  it.each(cases)('%s', async (_name, make, field) => {
    await expectRefused(() => recordEvent(h.env.client, kase.caseId, make()), field);
    await expectValidatorRefuses(rawRecord(make()), field);
  });
});

it('recordEvent refuses bad input by rejecting its promise, not by throwing', async () => {
  let promise: Promise<unknown> | undefined;
  expect(() => {
    promise = recordEvent(h.env.client, kase.caseId, { type: 'teleport' });
  }).not.toThrow();
  await expect(promise).rejects.toBeInstanceOf(CaseActionError);
});

describe('events that do not fit the case: refused by the workflow, nothing written', () => {
  const cases: Array<[string, () => Record<string, unknown>, string, RegExp]> = [
    ['a visit before the case opened', () => ({ type: 'contact', contactType: 'visit', at: plus(openedAt, -24 * HOUR) }), 'at', /before the case was opened/],
    ['a visit tomorrow', () => ({ type: 'contact', contactType: 'visit', at: plus(t1, 24 * HOUR) }), 'at', /in the future/],
    ['a visit in 2099', () => ({ type: 'contact', contactType: 'visit', at: '2099-06-01T10:00:00Z' }), 'at', /in the future/],
    ['the same meeting scheduled twice', () => ({ type: 'meeting-scheduled', meetingId: 'ICPC-1', meetingType: 'icpc', scheduledFor: plus(t1, 20 * 24 * HOUR) }), 'meetingId', /already recorded/],
    ['the same meeting held twice', () => ({ type: 'meeting-held', meetingId: 'CG-1', meetingType: 'core-group' }), 'meetingId', /already held/],
    ['a meeting held before it was scheduled', () => ({ type: 'meeting-held', meetingId: 'ICPC-1', meetingType: 'icpc', at: plus(t1, -HOUR / 2) }), 'at', /before meeting ICPC-1 was scheduled/],
    ['a meeting that does not exist postponed', () => ({ type: 'meeting-postponed', meetingId: 'NOPE', newDate: plus(t1, 24 * HOUR), reason: 'r' }), 'meetingId', /no meeting NOPE/],
    ['a hold ended twice', () => ({ type: 'hold-ended', holdId: 'H1' }), 'holdId', /already ended/],
    ['a hold ended before it started', () => ({ type: 'hold-ended', holdId: 'H2', at: plus(t1, -HOUR / 2) }), 'at', /before hold H2 started/],
    ['a hold that never existed ended', () => ({ type: 'hold-ended', holdId: 'H404' }), 'holdId', /no hold H404/],
    ['acknowledging a level never reached', () => ({ type: 'escalation-acknowledged', obligationId: visitObligation, level: 1 }), 'level', /has not been escalated to level 1/],
    ['acknowledging an obligation that does not exist', () => ({ type: 'escalation-acknowledged', obligationId: 'kit-call@nowhere', level: 1 }), 'obligationId', /no open obligation/],
    ['a child returned before going missing', () => ({ type: 'child-returned', at: plus(t1, -HOUR / 2) }), 'at', /before the child went missing/],
    ['a return interview with no return', () => ({ type: 'return-interview-held' }), 'type', /not been recorded as returned/],
    ['an incident event on a case', () => ({ type: 'incident-notified', incidentId: 'SI-1' }), 'type', /recorded on the incident/],
    ['a policy applied as an event', () => ({ type: 'policy-applied', policyVersion: '2099.1', mode: 'recompute' }), 'type', /applyPolicy action/],
  ];
  it.each(cases)('%s', async (_name, make, field, reason) => {
    const message = await expectRefused(() => recordEvent(h.env.client, kase.caseId, { at: t1, by: 'sw1', ...make() }), field);
    expect(message).toMatch(/^recordEvent refused: /);
    expect(message).toMatch(reason);
  });

  it('waiving with an id full of markup and line breaks: refused by the schema, one line', async () => {
    const message = await expectRefused(() => recordEvent(h.env.client, kase.caseId, { type: 'obligation-waived', obligationId: 'x\n<script>alert(1)</script>', reason: 'r', at: t1, by: 'sw1' }), 'obligationId');
    expect(message).toBe('record refused: obligationId: must be an obligation id such as kit-call@2026-03-20T10:00:00.000Z');
  });

  it('a case event on an incident, and an incident step out of order', async () => {
    const incident = incidentWorkflowId(incidentId);
    await expectRefused(() => recordIncidentEvent(h.env.client, incidentId, { type: 'contact', contactType: 'visit', at: t1, by: 'sw1' }), 'type', incident);
    await expectRefused(() => recordIncidentEvent(h.env.client, incidentId, { type: 'rapid-review-completed', incidentId, at: t1, by: 'sw1' }), 'type', incident);
    await expectRefused(() => recordIncidentEvent(h.env.client, incidentId, { type: 'incident-notified', incidentId, at: '2026-02-30T09:00:00Z', by: 'sw1' }), 'at', incident);
  });
});

describe('details, reassignment and policy: the workflow validates what the client passes on', () => {
  const details = () => ({ reference: kase.caseId, team: 'LOCALITY-NORTH', contacts: CONTACTS });

  it.each<[string, () => Record<string, unknown>, string]>([
    ['a changed reference', () => ({ details: { ...details(), reference: 'OTHER-REF' }, by: 'admin1' }), 'details.reference'],
    ['a team with path syntax', () => ({ details: { ...details(), team: '../x' }, by: 'admin1' }), 'details.team'],
    ['a contact with a bad email', () => ({ details: { ...details(), contacts: { iro: { name: 'Fictitious', email: 'nobody' } } }, by: 'admin1' }), 'details.contacts.iro.email'],
    ['an unknown role with a huge, hostile name', () => ({ details: { ...details(), contacts: { [`<script>\n${'r'.repeat(50_000)}`]: { name: 'n', email: 'a@example.test' } } }, by: 'admin1' }), 'details.contacts'],
    ['no author', () => ({ details: details() }), 'by'],
  ])('updateDetails: %s', async (_name, make, field) => {
    await expectRefused(() => updateDetails(h.env.client, kase.caseId, make() as never), field);
  });

  it.each<[string, () => Record<string, unknown>, string]>([
    ['an unknown role', () => ({ role: 'boss', contact: { name: 'Fictitious', email: 'a@example.test' }, by: 'tm1' }), 'role'],
    ['a 1 MB name', () => ({ role: 'iro', contact: { name: MB, email: 'a@example.test' }, by: 'tm1' }), 'contact.name'],
    ['a name with a NUL', () => ({ role: 'iro', contact: { name: 'a\u0000b', email: 'a@example.test' }, by: 'tm1' }), 'contact.name'],
    ['an email with a header break', () => ({ role: 'iro', contact: { name: 'n', email: 'a@example.test\r\nBcc: b@example.test' }, by: 'tm1' }), 'contact.email'],
    ['an author with query syntax', () => ({ role: 'iro', contact: { name: 'n', email: 'a@example.test' }, by: 'a?b=c' }), 'by'],
  ])('reassign: %s', async (_name, make, field) => {
    await expectRefused(() => reassign(h.env.client, kase.caseId, make() as never), field);
  });

  it('applyPolicy: an unknown mode, and a snapshot that is not a policy', async () => {
    await expectRefused(() => applyPolicy(h.env.client, kase.caseId, { snapshot: h.policy, mode: 'sideways' as never, by: 'admin1' }), 'mode');
    const broken = { ...h.policy, baseline: { ...h.policy.baseline, 'kit-call': { ...h.policy.baseline['kit-call'], deadline: { duration: 'fortnightly' } } } };
    const message = await expectRefused(() => applyPolicy(h.env.client, kase.caseId, { snapshot: broken as unknown as PolicySnapshot, mode: 'forward', by: 'admin1' }), 'baseline.kit-call.deadline.duration');
    expect(message).toMatch(/^applyPolicy\.snapshot refused: /);
  });

  it('the raw updates refuse the same input (nothing in between)', async () => {
    const handle = () => h.env.client.workflow.getHandle(caseWorkflowId(kase.caseId));
    await expectValidatorRefuses(() => handle().executeUpdate(updateDetailsUpdate, { args: [{ details: { ...details(), team: 'a/b' }, by: 'admin1' }] }), 'details.team');
    await expectValidatorRefuses(() => handle().executeUpdate(reassignUpdate, { args: [{ role: 'janitor' as never, contact: { name: 'n', email: 'a@example.test' }, by: 'tm1' }] }), 'role');
    await expectValidatorRefuses(() => handle().executeUpdate(applyPolicyUpdate, { args: [{ snapshot: {} as PolicySnapshot, mode: 'forward', by: 'admin1' }] }), 'id');
  });
});

describe('opening a case or reporting an incident with bad input starts nothing', () => {
  const exists = (workflowId: string) => workflowExists(h.env.client, workflowId);
  const details = (reference: string) => ({ reference, team: 'TEAM-TEST', contacts: CONTACTS });

  it.each<[string, (id: string) => Record<string, unknown>, string]>([
    ['an unknown tier', (id) => ({ caseId: id, details: details(id), openedBy: 'admin1', initialTier: { tier: 'SUPER', reason: 'r' } }), 'initialTier.tier'],
    ['an impossible tier date', (id) => ({ caseId: id, details: details(id), openedBy: 'admin1', initialTier: { tier: 'PRIORITY', reason: 'r', at: '2026-02-30T10:00:00Z' } }), 'initialTier.at'],
    ['no details', (id) => ({ caseId: id, openedBy: 'admin1' }), 'details'],
    ['an unknown role in the contacts', (id) => ({ caseId: id, details: { ...details(id), contacts: { janitor: { name: 'n', email: 'a@example.test' } } }, openedBy: 'admin1' }), 'details.contacts'],
    ['HTML in the reference', (id) => ({ caseId: id, details: details('<b>x</b>'), openedBy: 'admin1' }), 'details.reference'],
  ])('openCase: %s', async (_name, make, field) => {
    const id = uniqueName('BAD');
    const { error, message } = await failure(() => openCase(h.env.client, make(id), h.policy, { taskQueue: h.taskQueue }));
    expect(error).toBeInstanceOf(CaseActionError);
    expectNamesField(message, field);
    expect(await exists(caseWorkflowId(id))).toBe(false);
  });

  it.each(['../x', 'a?b=c', 'a/b'])('openCase with case id %j', async (caseId) => {
    const { error, message } = await failure(() => openCase(h.env.client, { caseId, details: details('REF-1'), openedBy: 'admin1' }, h.policy, { taskQueue: h.taskQueue }));
    expect(error).toBeInstanceOf(CaseActionError);
    expectNamesField(message, 'caseId');
    expect(await exists(caseWorkflowId(caseId))).toBe(false);
  });

  it('reportIncident: 30 February, year 20026, a linked case id with path syntax', async () => {
    const patches: Array<[Record<string, string>, string]> = [
      [{ awareAt: '2026-02-30T10:00:00Z' }, 'awareAt'],
      [{ awareAt: '20026-01-01T10:00:00Z' }, 'awareAt'],
      [{ linkedCaseId: '../case' }, 'linkedCaseId'],
    ];
    for (const [patch, field] of patches) {
      const id = uniqueName('SI-BAD');
      const input = { incidentId: id, details: details(id), reportedBy: 'admin1', awareAt: t1, ...patch };
      const { error, message } = await failure(() => reportIncident(h.env.client, input, h.policy, { taskQueue: h.taskQueue }));
      expect(error).toBeInstanceOf(CaseActionError);
      expectNamesField(message, field);
      expect(await exists(incidentWorkflowId(id))).toBe(false);
    }
  });

  it('opening a case that exists changes nothing in it', async () => {
    const before = await written();
    const { error, message } = await failure(() => openCase(h.env.client, { caseId: kase.caseId, details: details(kase.caseId), openedBy: 'admin1' }, h.policy, { taskQueue: h.taskQueue }));
    expect(error).toBeInstanceOf(CaseActionError);
    expect(message).toBe(`case ${kase.caseId} already exists`);
    expect(error).toMatchObject({ kind: 'already-exists', problems: [{ field: 'caseId', message: 'already exists' }] });
    expect(await written()).toEqual(before);
  });
});

describe('case ids with path or query syntax address no case', () => {
  it.each(['../x', 'a?b=c', 'a/b', `${'../'.repeat(5)}etc`])('%j', async (caseId) => {
    const { error, message } = await failure(() => recordEvent(h.env.client, caseId, { type: 'contact', contactType: 'visit', at: t1, by: 'sw1' }));
    expect(error).toBeInstanceOf(CaseActionError);
    expect(message).toBe(`no case ${caseId}`);
    expect(error).toMatchObject({ kind: 'not-found' });
    expect(await failure(() => caseState(h.env.client, caseId))).toMatchObject({ message: `no case ${caseId}` });
  });
});

describe('HTML in free text is kept as text and never reaches an email as markup', () => {
  it('a postponement reason with <script>: stored as typed, absent from the notices', async () => {
    const reason = '<script>alert("pwned")</script> chair <b>unwell</b>';
    const postponedAt = await kase.now();
    await recordEvent(h.env.client, kase.caseId, { type: 'meeting-postponed', meetingId: 'ICPC-1', newDate: plus(postponedAt, 12 * 24 * HOUR), at: postponedAt, by: 'admin1', reason });
    await kase.settle();
    const entry = (await kase.timeline()).find((t) => t.event?.type === 'meeting-postponed');
    expect(entry?.event).toMatchObject({ reason });
    expect(entry?.summary).not.toContain('<');
    const notices = await h.mailbox.waitFor((all) => all.filter((m) => m.caseReference === kase.caseId && m.caseMessageId.includes('/notice/')).length >= 2);
    for (const mail of notices.filter((m) => m.caseReference === kase.caseId)) {
      expect(mail.html).not.toMatch(/<script|<b>|pwned/i);
      expect(mail.text).not.toContain('pwned');
    }
  });
});

describe('on a real Temporal server, a rejected update leaves no history event at all', () => {
  it('refused by the workflow validator: the same history events, one for one', async () => {
    const address = devServerAddress();
    const [native, connection] = await Promise.all([NativeConnection.connect({ address }), Connection.connect({ address })]);
    const client = new Client({ connection });
    const taskQueue = uniqueName('input');
    const worker = await Worker.create({
      connection: native,
      taskQueue,
      workflowBundle: h.bundle,
      activities: caseActivities(h.mailbox, { consoleUrl: 'https://caseclock.test' }),
    });
    const caseId = uniqueName('INPUT');
    const workflowId = caseWorkflowId(caseId);
    const handle = client.workflow.getHandle(workflowId);
    // No workflow task and no activity (an email, a write to the case-record store) under way.
    const idle = () => settleWorkflow(handle);
    const now = () => new Date().toISOString();
    try {
      await worker.runUntil(async () => {
        await openCase(client, { caseId, details: { reference: caseId, team: 'TEAM-TEST', contacts: CONTACTS }, openedBy: 'admin1', initialTier: { tier: 'VULNERABLE', reason: 'r' } }, h.policy, { taskQueue });
        await recordEvent(client, caseId, { type: 'hold-started', holdId: 'H1', at: now(), by: 'sw1', reason: 'Test reason' });
        await recordEvent(client, caseId, { type: 'hold-ended', holdId: 'H1', at: now(), by: 'sw1' });
        await idle();
        const before = await written(workflowId, client, true);
        const refusals: Array<[() => Promise<unknown>, string]> = [
          [() => handle.executeUpdate(recordEventUpdate, { args: [{ type: 'teleport', at: now(), by: 'sw1' } as never] }), 'type'],
          [() => handle.executeUpdate(recordEventUpdate, { args: [{ type: 'case-closed', at: now(), by: 'sw1', reason: MB }] }), 'reason'],
          [() => handle.executeUpdate(recordEventUpdate, { args: [{ type: 'contact', contactType: 'visit', at: '2026-02-30T10:00:00Z', by: 'sw1' }] }), 'at'],
          [() => handle.executeUpdate(recordEventUpdate, { args: [{ type: 'hold-ended', holdId: 'H1', at: now(), by: 'sw1' }] }), 'holdId'],
          [() => handle.executeUpdate(recordEventUpdate, { args: [{ type: 'escalation-acknowledged', obligationId: 'kit-call@x', level: 2, at: now(), by: 'sw1' }] }), 'obligationId'],
          [() => handle.executeUpdate(reassignUpdate, { args: [{ role: 'iro', contact: { name: 'n', email: 'nobody' }, by: 'tm1' }] }), 'contact.email'],
          [() => handle.executeUpdate(updateDetailsUpdate, { args: [{ details: { reference: 'OTHER', team: 'T', contacts: {} }, by: 'admin1' }] }), 'details.reference'],
        ];
        for (const [update, field] of refusals) {
          const { error, message } = await failure(update);
          expect(error, message).toBeInstanceOf(WorkflowUpdateFailedError);
          expectNamesField(message, field);
        }
        await idle();
        expect(await written(workflowId, client, true)).toEqual(before);
        await recordEvent(client, caseId, { type: 'case-closed', at: now(), by: 'admin1', reason: 'test finished' });
        await handle.result();
      });
    } finally {
      await connection.close();
      await native.close();
    }
  });
});
