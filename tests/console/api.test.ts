/**
 * The integration API (/api/v1, docs/api.md) end to end: the console in this process with the real
 * token check against oidc-provider (tests/support/api-identity.ts), the run's Temporal dev server
 * with a real worker and SMTP mailbox, and the idempotency keys in the run's store.
 *
 * - its OpenAPI document, checked by an OpenAPI 3.1 validator, with a path for every action of the
 *   registry, and every good body sent below valid by the schema it documents;
 * - every action of the registry through the API, recorded by the client (`api.<client id>`);
 * - the bad-input tables the console's forms run (tests/support/bad-input-rows.ts), each refused as
 *   a problem document naming the field, the case's history unchanged;
 * - safe to retry: the same key twice records once and answers the same, through a restart, at
 *   once on two consoles, and after a console died holding it; another body with it is refused;
 * - the scopes and teams each route needs, rate limits per client, and reads in "Who viewed what".
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import type { Client } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiProblem } from '../../client/console/api/caller';
import { actionBody, API_CASE_ACTIONS, openCaseBody } from '../../client/console/api/schemas';
import { openApiIdempotencyStore } from '../../store/api-idempotency-store';
import { requestHash } from '../../client/console/api/idempotency';
import { caseWorkflowId } from '../../workflows/messages';
import { startApiIdentity, type ApiIdentity } from '../support/api-identity';
import { type ApiAnswer, callApi, startApiConsole } from '../support/api-console';
import { caseActionRows, CONTACTS, openCaseRows, openingForm, ukLocal } from '../support/bad-input-rows';
import { caseActivities, storeUrl } from '../support/case-record';
import type { TestConsole } from '../support/console';
import { startMailbox, type Mailbox } from '../support/mailbox';
import { bundleCaseWorkflows, connectDevServer, endTestWorkflows, type DevServerConnections, uniqueName, workflowExists } from '../support/temporal-env';

const EVERY_ACTION = ['read', 'open', ...API_CASE_ACTIONS.map((a) => a.slug)];
const CLIENTS = {
  // The case system's bridge: everything, every team.
  'case-bridge': { actions: EVERY_ACTION, teams: 'all' as const },
  // A locality's own tool: everything, its team only.
  'north-tool': { actions: EVERY_ACTION, teams: ['LOCALITY-NORTH'] },
  // A dashboard: reads only.
  reader: { actions: ['read'], teams: 'all' as const },
};

let dev: DevServerConnections;
let client: Client;
let mailbox: Mailbox;
let worker: Worker;
let workerRun: Promise<void>;
let taskQueue: string;
let identity: ApiIdentity;
let server: TestConsole;
const tokens: Record<string, string> = {};
/** The case the bad-input rows act on, and one of another team. */
let caseId: string;
let southCaseId: string;
const started = new Set<string>();

const api = (method: 'GET' | 'POST', p: string, options: { as?: string; body?: unknown; headers?: Record<string, string>; to?: TestConsole } = {}) =>
  callApi((options.to ?? server).url, method, p, {
    ...(options.as === undefined ? { token: tokens['case-bridge'] } : options.as === '' ? {} : { token: tokens[options.as] }),
    ...(options.body !== undefined ? { body: options.body } : {}),
    ...(options.headers ? { headers: options.headers } : {}),
  });

let serial = 0;
/** A fresh event id. */
const eventId = () => `evt-${Date.now().toString(36)}-${++serial}`;

/** A problem document: its content type, status, and no stack trace. */
function expectProblem(a: ApiAnswer, status: number): ApiProblem {
  expect(a.status, a.text.slice(0, 2000)).toBe(status);
  expect(a.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(a.text).not.toMatch(/\n\s+at \S|\.[tj]s:\d+|node:internal|ZodError|TypeError/);
  const p = a.json as ApiProblem;
  expect(p.status).toBe(status);
  expect(p.type).toMatch(/^(urn:caseclock:problem:|about:blank)/);
  expect(typeof p.title).toBe('string');
  return p;
}

/** The problem names `field` (and says `says`). */
function expectField(p: ApiProblem, field: string, says?: RegExp): void {
  const named = (p.errors ?? []).find((e) => e.field === field);
  expect(named, `no error for ${field} in ${JSON.stringify(p)}`).toBeDefined();
  if (says) expect(named?.message).toMatch(says);
}

/** Waits until the workflow has no workflow task or activity in flight, then its history, event for event. */
async function history(workflowId: string): Promise<string[]> {
  const handle = client.workflow.getHandle(workflowId);
  for (let i = 0; i < 400; i++) {
    const d = await handle.describe();
    if (!d.raw.pendingWorkflowTask && (d.raw.pendingActivities ?? []).length === 0) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  const h = await handle.fetchHistory();
  return (h.events ?? []).map((e) => `${String(e.eventId)}:${String(e.eventType)}`);
}

async function unchanged(workflowId: string, send: () => Promise<ApiAnswer>): Promise<ApiAnswer> {
  const before = await history(workflowId);
  const answer = await send();
  expect(await history(workflowId)).toEqual(before);
  return answer;
}

/** Opens a case through the API as `as`, with the opening form's fields and `more`. */
async function open(id: string, more: Record<string, unknown> = {}, as = 'case-bridge'): Promise<ApiAnswer> {
  const a = await api('POST', '/cases', { as, body: { ...openingForm(id), eventId: `open-${id}`, ...more } });
  if (a.status === 201) started.add(caseWorkflowId(id));
  return a;
}

/** Records `slug` on case `id` with a fresh event id; must succeed. */
async function act(id: string, slug: string, body: Record<string, unknown>, as = 'case-bridge'): Promise<ApiAnswer> {
  const a = await api('POST', `/cases/${id}/actions/${slug}`, { as, body: { eventId: eventId(), ...body } });
  expect(a.status, `${slug}: ${a.text.slice(0, 1500)}`).toBe(200);
  return a;
}

/** The case's timeline from the API, once it holds at least `count` entries by `by` (the store catches up within seconds). */
async function timelineBy(id: string, by: string, count: number): Promise<Array<{ by: string; entry: string; summary: string; event?: { type: string } }>> {
  let timeline: Array<{ by: string; entry: string; summary: string; event?: { type: string } }> = [];
  for (let i = 0; i < 100; i++) {
    const a = await api('GET', `/cases/${id}/timeline`);
    expect(a.status, a.text.slice(0, 500)).toBe(200);
    timeline = (a.json as { timeline: typeof timeline }).timeline;
    if (timeline.filter((t) => t.by === by).length >= count) return timeline;
    await new Promise((r) => setTimeout(r, 100));
  }
  return timeline;
}

beforeAll(async () => {
  const bundle = bundleCaseWorkflows();
  [dev, mailbox, identity] = await Promise.all([connectDevServer(), startMailbox(), startApiIdentity({ clients: CLIENTS })]);
  client = dev.client;
  taskQueue = uniqueName('api');
  worker = await Worker.create({ connection: dev.nativeConnection, taskQueue, workflowBundle: await bundle, activities: caseActivities(mailbox, { consoleUrl: 'https://caseclock.test' }) });
  workerRun = worker.run();
  server = await startApiConsole({ client, identity, taskQueue });
  for (const id of Object.keys(CLIENTS)) tokens[id] = await identity.token(id);

  // What the refused rows collide with: a case rated two hours ago, with meetings held and scheduled and a hold ended.
  caseId = uniqueName('API');
  expect((await open(caseId, { tier: 'HIGH_IMMEDIATE', ratedAt: ukLocal(-2) })).status).toBe(201);
  await act(caseId, 'meeting-schedule', { meetingId: 'CG-1', meetingType: 'core-group', scheduledFor: ukLocal(24 * 7) });
  await act(caseId, 'meeting-held', { meetingId: 'CG-1', meetingType: 'core-group' });
  await act(caseId, 'meeting-schedule', { meetingId: 'ICPC-1', meetingType: 'icpc', scheduledFor: ukLocal(24 * 10) });
  await act(caseId, 'hold', { holdId: 'H1', kind: 'kit-call', reason: 'Test reason: fictitious family away' });
  await act(caseId, 'resume', { holdId: 'H1' });
  southCaseId = uniqueName('API-S');
  expect((await open(southCaseId, { team: 'LOCALITY-SOUTH' })).status).toBe(201);
}, 180_000);

afterAll(async () => {
  await server?.close();
  await endTestWorkflows(client, started, { worker, run: workerRun });
  await dev?.close();
  await mailbox?.close();
  await identity?.close();
});

describe('the OpenAPI document', () => {
  it('is served without a token at /api/v1/openapi.json and is a valid OpenAPI 3.1 document', async () => {
    const a = await api('GET', '/openapi.json', { as: '' });
    expect(a.status).toBe(200);
    const validator = new Validator();
    const result = await validator.validate(a.json as Parameters<Validator['validate']>[0]);
    expect(result, JSON.stringify(result.errors ?? []).slice(0, 3000)).toEqual({ valid: true });
    expect(validator.version).toBe('3.1');
  });

  it('has a path for every case action of the registry, each needing its own scope, and unique operation ids', async () => {
    const doc = (await api('GET', '/openapi.json', { as: '' })).json as { paths: Record<string, Record<string, { operationId: string; security: Array<Record<string, string[]>> }>> };
    for (const action of API_CASE_ACTIONS) {
      const op = doc.paths[`/cases/{caseId}/actions/${action.slug}`]?.['post'];
      expect(op, action.slug).toBeDefined();
      expect(op?.security).toEqual([{ bearer: [`caseclock:${action.slug}`] }]);
    }
    const ids = Object.values(doc.paths).flatMap((p) => Object.values(p).map((o) => o.operationId));
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('every action through the API', () => {
  const iso = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString();
  /** In an order the case accepts; the acknowledgement and the waiver take their obligation from the case. */
  const GOOD: Array<[slug: string, body: (obligations: Array<{ id: string; escalationLevel: number }>) => Record<string, unknown>]> = [
    ['ack', (o) => ({ obligationId: o.find((x) => x.escalationLevel > 0)?.id, level: o.find((x) => x.escalationLevel > 0)?.escalationLevel })],
    ['visit', () => ({ childSeenAlone: true, at: iso(0) })],
    ['kit-call', () => ({})],
    ['contact', () => ({})],
    ['tier', () => ({ tier: 'PRIORITY', reason: 're-rated at the core group' })],
    ['meeting-schedule', () => ({ meetingId: 'ICPC-A', meetingType: 'icpc', scheduledFor: iso(24 * 7) })],
    ['meeting-postpone', () => ({ meetingId: 'ICPC-A', newDate: iso(24 * 8), reason: 'chair unwell' })],
    ['pre-meeting', () => ({ meetingId: 'ICPC-A' })],
    ['report', () => ({ reportType: 'conference-report', meetingId: 'ICPC-A' })],
    ['meeting-held', () => ({ meetingId: 'ICPC-A', meetingType: 'icpc', outcome: 'cp-plan' })],
    ['meeting-cancel', () => ({ meetingId: 'CG-B', reason: 'no longer needed' })],
    ['missing', () => ({ what: 'missing-started' })],
    ['complaint', () => ({ what: 'complaint-received', complaintId: 'C-A', stage: 1 })],
    ['referral', () => ({ what: 'referral-received' })],
    ['assessment', () => ({})],
    ['strategy', () => ({ s47Started: true })],
    ['looked-after', () => ({ what: 'looked-after-started' })],
    ['placement', () => ({ placementId: 'P-A', placementType: 'general' })],
    ['hold', () => ({ holdId: 'H-A', kind: 'kit-call', reason: 'family away' })],
    ['resume', () => ({ holdId: 'H-A' })],
    ['waive', (o) => ({ obligationId: o.find((x) => x.escalationLevel === 0)?.id, reason: 'not needed: fictitious' })],
    ['details', () => ({ worker: { name: 'New Worker', email: 'new.worker@council.test' }, iro: 'Ira Officer <iro2@council.test>' })],
    ['reassign', () => ({ role: 'deputy-lead', name: 'New Deputy', email: 'deputy2@council.test' })],
    ['apply-policy', () => ({ policy: 'national', mode: 'forward' })],
    ['close', () => ({ reason: 'no further action' })],
  ];

  it('has a row for every case action of the registry', () => {
    expect(new Set(GOOD.map(([slug]) => slug))).toEqual(new Set(API_CASE_ACTIONS.map((a) => a.slug)));
  });

  it('each is recorded by the client, with bodies the OpenAPI schemas accept', async () => {
    // Rated two days ago at high and immediate risk: the first visit is already late, so it is escalated at once.
    const id = uniqueName('API-ALL');
    const opening = { ...openingForm(id), eventId: `open-${id}`, tier: 'HIGH_IMMEDIATE', ratedAt: iso(-48) };
    expect(openCaseBody().safeParse(opening).success).toBe(true);
    const opened = await open(id, { tier: 'HIGH_IMMEDIATE', ratedAt: iso(-48) });
    expect(opened.status, opened.text).toBe(201);
    expect(opened.headers.get('location')).toBe(`/api/v1/cases/${id}`);
    expect(opened.json).toEqual({ caseId: id, action: 'open', eventId: `open-${id}`, recordedBy: 'api.case-bridge' });
    await act(id, 'meeting-schedule', { meetingId: 'CG-B', meetingType: 'core-group', scheduledFor: iso(24 * 5) });

    let obligations: Array<{ id: string; escalationLevel: number }> = [];
    for (let i = 0; i < 200 && !obligations.some((o) => o.escalationLevel > 0); i++) {
      const a = await api('GET', `/cases/${id}/obligations`);
      obligations = a.status === 200 ? (a.json as { obligations: typeof obligations }).obligations : [];
      if (!obligations.some((o) => o.escalationLevel > 0)) await new Promise((r) => setTimeout(r, 100));
    }
    expect(
      obligations.some((o) => o.escalationLevel > 0),
      JSON.stringify(obligations),
    ).toBe(true);

    for (const [slug, make] of GOOD) {
      if (slug === 'waive') obligations = ((await api('GET', `/cases/${id}/obligations`)).json as { obligations: typeof obligations }).obligations;
      const body = { eventId: eventId(), ...make(obligations) };
      const action = API_CASE_ACTIONS.find((a) => a.slug === slug);
      expect(action && actionBody(action).safeParse(body).success, `${slug}: ${JSON.stringify(body)}`).toBe(true);
      const a = await api('POST', `/cases/${id}/actions/${slug}`, { body });
      expect(a.status, `${slug}: ${a.text.slice(0, 1500)}`).toBe(200);
      expect(a.json).toMatchObject({ caseId: id, action: slug, eventId: body.eventId, recordedBy: 'api.case-bridge', answer: { caseId: id } });
    }

    // The opening, the meeting and every action above, each by the client.
    const timeline = await timelineBy(id, 'api.case-bridge', GOOD.length + 2);
    const mine = timeline.filter((t) => t.by === 'api.case-bridge');
    expect(mine.length).toBeGreaterThanOrEqual(GOOD.length + 2);
    expect(mine.some((t) => t.event?.type === 'escalation-acknowledged')).toBe(true);
    expect(mine.some((t) => t.entry === 'details')).toBe(true);
    expect(mine.some((t) => t.entry === 'policy')).toBe(true);
    expect(mine.at(-1)?.event?.type).toBe('case-closed');
    // Closed: nothing more is recorded.
    const after = await api('POST', `/cases/${id}/actions/visit`, { body: { eventId: eventId() } });
    expect([409, 410]).toContain(after.status);
    expectProblem(after, after.status);
  }, 180_000);
});

describe('bad input: the console forms’ table, through the API', () => {
  it.each(caseActionRows)('%s', async (_name, slug, form, expected) => {
    const a = await unchanged(caseWorkflowId(caseId), () => api('POST', `/cases/${caseId}/actions/${slug}`, { body: { eventId: eventId(), ...form } }));
    const refusal = 'refusal' in expected ? expected.refusal : undefined;
    const p = expectProblem(a, refusal ? 409 : 400);
    if (refusal) {
      expect(p.type).toBe('urn:caseclock:problem:refused-by-case');
      expect(p.detail).toMatch(refusal);
    } else expect(p.type).toBe('urn:caseclock:problem:invalid-input');
    if (expected.field !== undefined) expectField(p, expected.field, 'says' in expected ? expected.says : undefined);
  });

  it.each(openCaseRows)('opening: %s', async (_name, make, field, says) => {
    const id = uniqueName('BAD');
    const form = make(id);
    const a = await api('POST', '/cases', { body: { eventId: eventId(), ...form } });
    expectField(expectProblem(a, 400), field, says);
    expect(await workflowExists(client, caseWorkflowId(id))).toBe(false);
  });

  /** What only an API body can get wrong: [name, body, the field named]. */
  const shapes: Array<[string, unknown, string]> = [
    ['a field the action does not have', { reason: 'r', colour: 'red' }, 'colour'],
    ['a reason as a number', { reason: 42 }, 'reason'],
    ['a reason as an array', { reason: ['r'] }, 'reason'],
    ['a reason as an object', { reason: { text: 'r' } }, 'reason'],
    ['child seen alone as a number', { childSeenAlone: 1 }, 'childSeenAlone'],
  ];
  it.each(shapes)('%s: refused by field, nothing recorded', async (_name, body, field) => {
    const slug = field === 'childSeenAlone' ? 'visit' : 'close';
    const a = await unchanged(caseWorkflowId(caseId), () => api('POST', `/cases/${caseId}/actions/${slug}`, { body: { eventId: eventId(), ...(body as object) } }));
    expectField(expectProblem(a, 400), field);
  });

  it.each([
    ['not JSON', '{"reason": ', 'application/json', 400],
    ['a JSON array', '[]', 'application/json', 400],
    ['a form', 'reason=r', 'application/x-www-form-urlencoded', 415],
    ['text', 'reason', 'text/plain', 415],
    ['a body of 100 KB', JSON.stringify({ reason: 'x'.repeat(100_000) }), 'application/json', 413],
  ] as const)('%s: refused, nothing recorded', async (_name, body, type, status) => {
    const a = await unchanged(caseWorkflowId(caseId), () => api('POST', `/cases/${caseId}/actions/close`, { body, headers: { 'content-type': type, 'idempotency-key': eventId() } }));
    expectProblem(a, status);
  });

  it('a case that does not exist, an id that is not one, and an action that is not one: 404', async () => {
    expect(expectProblem(await api('POST', '/cases/NO-SUCH-CASE/actions/visit', { body: { eventId: eventId() } }), 404).type).toBe('urn:caseclock:problem:not-found');
    expectProblem(await api('POST', '/cases/..%2Fx/actions/visit', { body: { eventId: eventId() } }), 404);
    expectProblem(await api('POST', `/cases/${caseId}/actions/teleport`, { body: { eventId: eventId() } }), 404);
    expectProblem(await api('GET', '/cases/NO-SUCH-CASE'), 404);
  });

  it('list filters are refused by name', async () => {
    expectField(expectProblem(await api('GET', '/cases?tier=SUPER'), 400), 'tier', /must be one of/);
    expectField(expectProblem(await api('GET', '/cases?team=../x'), 400), 'team');
    expectField(expectProblem(await api('GET', '/cases?overdue=maybe'), 400), 'overdue');
  });
});

describe('safe to retry', () => {
  it('the same event id twice records once and answers the same', async () => {
    const body = { eventId: eventId(), childSeenAlone: false };
    const first = await api('POST', `/cases/${caseId}/actions/visit`, { body });
    expect(first.status, first.text).toBe(200);
    const before = await history(caseWorkflowId(caseId));
    const again = await api('POST', `/cases/${caseId}/actions/visit`, { body });
    expect(again.status).toBe(200);
    expect(again.json).toEqual(first.json);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(await history(caseWorkflowId(caseId))).toEqual(before);
  });

  it('an Idempotency-Key header does as an event id; with both, they must agree', async () => {
    const key = eventId();
    const first = await api('POST', `/cases/${caseId}/actions/kit-call`, { body: {}, headers: { 'idempotency-key': key } });
    expect(first.status, first.text).toBe(200);
    const again = await unchanged(caseWorkflowId(caseId), () => api('POST', `/cases/${caseId}/actions/kit-call`, { body: {}, headers: { 'idempotency-key': key } }));
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const both = await unchanged(caseWorkflowId(caseId), () => api('POST', `/cases/${caseId}/actions/kit-call`, { body: { eventId: 'one' }, headers: { 'idempotency-key': 'two' } }));
    expectField(expectProblem(both, 400), 'eventId', /differs/);
  });

  it('a write with no key is refused, nothing recorded', async () => {
    const a = await unchanged(caseWorkflowId(caseId), () => api('POST', `/cases/${caseId}/actions/kit-call`, { body: {} }));
    const p = expectProblem(a, 400);
    expect(p.type).toBe('urn:caseclock:problem:key-required');
    expectField(p, 'eventId', /is required/);
    expectField(expectProblem(await api('POST', `/cases/${caseId}/actions/kit-call`, { body: { eventId: 'has a space' } }), 400), 'eventId', /printable/);
  });

  it('the same key with another body, action or case is refused (422), nothing recorded', async () => {
    const id = eventId();
    expect((await api('POST', `/cases/${caseId}/actions/visit`, { body: { eventId: id, childSeenAlone: true } })).status).toBe(200);
    for (const [p, body] of [
      [`/cases/${caseId}/actions/visit`, { eventId: id, childSeenAlone: false }],
      [`/cases/${caseId}/actions/kit-call`, { eventId: id }],
      [`/cases/${southCaseId}/actions/visit`, { eventId: id, childSeenAlone: true }],
    ] as const) {
      const a = await unchanged(caseWorkflowId(caseId), () => api('POST', p, { body }));
      expect(expectProblem(a, 422).type).toBe('urn:caseclock:problem:key-reused');
    }
  });

  it('a refusal is kept too: the same bad request answers the same, and the key stays spent', async () => {
    const body = { eventId: eventId(), holdId: 'H404' };
    const first = expectProblem(await api('POST', `/cases/${caseId}/actions/resume`, { body }), 409);
    const again = await api('POST', `/cases/${caseId}/actions/resume`, { body });
    expect(expectProblem(again, 409)).toEqual(first);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
  });

  it('another client’s same key is its own', async () => {
    const body = { eventId: eventId() };
    expect((await api('POST', `/cases/${caseId}/actions/kit-call`, { body })).headers.get('idempotent-replayed')).toBeNull();
    const other = await api('POST', `/cases/${caseId}/actions/kit-call`, { as: 'north-tool', body });
    expect(other.status).toBe(200);
    expect(other.headers.get('idempotent-replayed')).toBeNull();
    expect((other.json as { recordedBy: string }).recordedBy).toBe('api.north-tool');
  });

  it('the same key at once on two consoles records once, and both get the one answer; so does a console started afresh', async () => {
    /** Contacts the client has recorded on the case, once the case has written everything it has. */
    const contacts = async () => {
      await history(caseWorkflowId(caseId));
      const timeline = (await api('GET', `/cases/${caseId}/timeline`)).json as { timeline: Array<{ by: string; event?: { type: string } }> };
      return timeline.timeline.filter((e) => e.by === 'api.case-bridge' && e.event?.type === 'contact').length;
    };
    const before = await contacts();
    const second = await startApiConsole({ client, identity, taskQueue });
    try {
      const body = { eventId: eventId() };
      const answers = await Promise.all([
        api('POST', `/cases/${caseId}/actions/contact`, { body }),
        api('POST', `/cases/${caseId}/actions/contact`, { body, to: second }),
        api('POST', `/cases/${caseId}/actions/contact`, { body }),
        api('POST', `/cases/${caseId}/actions/contact`, { body, to: second }),
      ]);
      for (const a of answers) expect(a.status, a.text).toBe(200);
      for (const a of answers) expect(a.json).toEqual(answers[0]?.json);
      expect(answers.filter((a) => a.headers.get('idempotent-replayed') === null)).toHaveLength(1);
      expect(await contacts()).toBe(before + 1);
      // A console started afresh (a restart) answers the same key from the store.
      await second.close();
      const third = await startApiConsole({ client, identity, taskQueue });
      try {
        const replay = await api('POST', `/cases/${caseId}/actions/contact`, { body, to: third });
        expect(replay.json).toEqual(answers[0]?.json);
        expect(replay.headers.get('idempotent-replayed')).toBe('true');
      } finally {
        await third.close();
      }
      expect(await contacts()).toBe(before + 1);
    } finally {
      await second.close().catch(() => undefined);
    }
  }, 60_000);

  it('a key whose console died while holding it is taken over once its lease runs out, and recorded once', async () => {
    const body = { eventId: eventId() };
    const keys = openApiIdempotencyStore(storeUrl());
    try {
      // A console claimed it and died before answering.
      expect(await keys.claim('case-bridge', body.eventId, requestHash('POST', `/cases/${caseId}/actions/kit-call`, body), 1_000)).toEqual({ outcome: 'claimed' });
    } finally {
      await keys.close();
    }
    await new Promise((r) => setTimeout(r, 1_100));
    const a = await api('POST', `/cases/${caseId}/actions/kit-call`, { body });
    expect(a.status, a.text).toBe(200);
    expect(a.headers.get('idempotent-replayed')).toBeNull();
  });

  it('opening a case twice with the same key opens it once and answers 201 both times', async () => {
    const id = uniqueName('API-OPEN');
    const first = await open(id);
    expect(first.status, first.text).toBe(201);
    const again = await open(id);
    expect(again.status).toBe(201);
    expect(again.json).toEqual(first.json);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    // A new key for the same case: the case already exists.
    const other = await api('POST', '/cases', { body: { ...openingForm(id), eventId: eventId() } });
    expectField(expectProblem(other, 409), 'caseId', /already exists/);
  });
});

describe('scopes and teams', () => {
  it('no token: 401, nothing recorded', async () => {
    const a = await unchanged(caseWorkflowId(caseId), () => api('POST', `/cases/${caseId}/actions/kit-call`, { as: '', body: { eventId: eventId() } }));
    expectProblem(a, 401);
    expect(a.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expectProblem(await api('GET', '/cases', { as: '' }), 401);
  });

  it('a client without the action’s scope: 403 with the scope it needs, nothing recorded', async () => {
    const a = await unchanged(caseWorkflowId(caseId), () => api('POST', `/cases/${caseId}/actions/kit-call`, { as: 'reader', body: { eventId: eventId() } }));
    expect(expectProblem(a, 403).detail).toMatch(/caseclock:kit-call/);
    expect(a.headers.get('www-authenticate')).toMatch(/insufficient_scope.*caseclock:kit-call/);
    expectProblem(await api('POST', '/cases', { as: 'reader', body: { ...openingForm(uniqueName('NO')), eventId: eventId() } }), 403);
  });

  it('a token that lacks a scope the clients file gives: 403', async () => {
    const token = await identity.token('case-bridge', ['caseclock:read']);
    const a = await callApi(server.url, 'POST', `/cases/${caseId}/actions/kit-call`, { token, body: { eventId: eventId() } });
    expectProblem(a, 403);
  });

  it('a client of another team: refused its cases, for reads and changes; its list holds its team only', async () => {
    const change = await unchanged(caseWorkflowId(southCaseId), () => api('POST', `/cases/${southCaseId}/actions/kit-call`, { as: 'north-tool', body: { eventId: eventId() } }));
    expect(expectProblem(change, 403).detail).toMatch(/LOCALITY-SOUTH/);
    expectProblem(await api('GET', `/cases/${southCaseId}`, { as: 'north-tool' }), 403);
    expectProblem(await api('GET', `/cases/${southCaseId}/timeline`, { as: 'north-tool' }), 403);
    expectProblem(await api('GET', '/cases?team=LOCALITY-SOUTH', { as: 'north-tool' }), 403);
    const south = uniqueName('NO-S');
    expectProblem(await open(south, { team: 'LOCALITY-SOUTH' }, 'north-tool'), 403);
    expect(await workflowExists(client, caseWorkflowId(south))).toBe(false);
    const list = await api('GET', '/cases', { as: 'north-tool' });
    expect(list.status).toBe(200);
    const cases = (list.json as { cases: Array<{ caseId: string; team: string }> }).cases;
    expect(cases.map((c) => c.caseId)).toContain(caseId);
    expect(cases.every((c) => c.team === 'LOCALITY-NORTH')).toBe(true);
    expect((await api('GET', `/cases/${caseId}`, { as: 'north-tool' })).status).toBe(200);
  });

  it('each read of a case is in "Who viewed what" under the client’s id; the list is not a view of each case', async () => {
    const before = await server.consoleStore.views({ caseId, viewer: 'api.reader' });
    for (const p of ['', '/obligations', '/timeline']) expect((await api('GET', `/cases/${caseId}${p}`, { as: 'reader' })).status).toBe(200);
    await api('GET', '/cases', { as: 'reader' });
    const views = await server.consoleStore.views({ caseId, viewer: 'api.reader' });
    expect(views.length - before.length).toBe(3);
    expect(views[0]).toMatchObject({ viewer: 'api.reader', role: 'api-client', subject: 'case', caseId, what: 'api' });
  });

  it('a read gives the case from its summary', async () => {
    const a = await api('GET', `/cases/${caseId}`, { as: 'reader' });
    expect(a.json).toMatchObject({ caseId, subject: 'case', details: { team: 'LOCALITY-NORTH', contacts: { 'allocated-worker': { name: 'Sam Worker' } } }, status: 'open' });
    expect(CONTACTS.worker).toContain('Sam Worker');
  });
});

describe('rate limits per client', () => {
  it('past its limit a client gets 429 with Retry-After; another client is not held back', async () => {
    const limited = await startApiConsole({ client, identity, taskQueue, perClientPerMinute: 5 });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await api('GET', '/cases', { as: 'reader', to: limited })).status);
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
      const refused = await api('GET', '/cases', { as: 'reader', to: limited });
      expect(expectProblem(refused, 429).type).toBe('urn:caseclock:problem:rate-limited');
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await api('GET', '/cases', { as: 'case-bridge', to: limited })).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

describe('docs/api.md', () => {
  it('its example calls are bodies the OpenAPI document describes, and the API answers them', async () => {
    const text = readFileSync(path.join(__dirname, '../../docs/api.md'), 'utf8');
    // Each `"$API/<path>" -d '<json>'` of the examples; the case id made unique for this run.
    const id = uniqueName('WCF-DOC');
    const calls = [...text.matchAll(/"\$API(\/[^"]+)"\s*(?:\\\s*)?-d '([^']+)'/g)].map((m) => ({
      path: (m[1] ?? '').replaceAll('WCF-2026-0042', id),
      body: JSON.parse((m[2] ?? '').replaceAll('WCF-2026-0042', id)) as Record<string, unknown>,
    }));
    expect(calls.map((c) => c.path)).toEqual(['/cases', `/cases/${id}/actions/visit`, `/cases/${id}/actions/ack`]);
    for (const call of calls) {
      const slug = /\/actions\/([a-z-]+)$/.exec(call.path)?.[1];
      const action = API_CASE_ACTIONS.find((a) => a.slug === slug);
      const schema = slug === undefined ? openCaseBody() : action ? actionBody(action) : undefined;
      // The acknowledgement's obligation id is a placeholder to fill in.
      const body = slug === 'ack' ? { ...call.body, obligationId: 'initial-visit-high@2026-03-28T10:00:00.000Z' } : call.body;
      expect(schema?.safeParse(body).success, `${call.path}: ${JSON.stringify(body)}`).toBe(true);
      if (slug === 'ack') continue;
      const a = await api('POST', call.path, { body });
      expect(a.status, `${call.path}: ${a.text.slice(0, 1000)}`).toBe(slug === undefined ? 201 : 200);
      if (slug === undefined) started.add(caseWorkflowId(id));
    }
    const listed = await api('GET', '/cases?overdue=true');
    expect(listed.status).toBe(200);
  });
});
