/**
 * Bad input, tried systematically against every HTTP endpoint of the web console: the server runs
 * in-process, signed in as an administrator through the real /login form, against the run's real
 * Temporal dev server with a real worker (and a real SMTP mailbox) on a task queue of its own.
 *
 * Every row sends one bad request and checks four things: a 4xx answer (never a 500), a message
 * naming the field at fault (its label on the form, or its name in the case's refusal), no stack
 * trace, and nothing written — the case's (or incident's) workflow history is the same event for
 * event, and no workflow was started. Markup typed into a field never comes back as markup.
 */
import http from 'node:http';
import { caseActivities } from '../support/case-record';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actionBySlug, incidentFields, openCaseFields } from '../../client/console/actions';
import { hashPassword, writeUsersFile } from '../../client/identity/auth';
import { esc, type FieldSpec } from '../../client/console/html';
import { startTestConsole, type TestConsole } from '../support/console';
import { type ActionRow, caseActionRows, CONTACTS, IMG, K60, LONG_ID, openCaseRows, openingForm, SCRIPT, ukLocal } from '../support/bad-input-rows';
import { caseWorkflowId, incidentWorkflowId } from '../../workflows/messages';
import { startMailbox, type Mailbox } from '../support/mailbox';
import { bundleCaseWorkflows, connectDevServer, endTestWorkflows, type DevServerConnections, uniqueName, workflowExists } from '../support/temporal-env';

const PASSWORD = 'administrator password 1';
/** The administrator's display name carries markup: every page shows it, escaped. */
const ADMIN_NAME = '<i>Ada</i> Admin';

let dev: DevServerConnections;
let client: Client;
let mailbox: Mailbox;
let worker: Worker;
let workerRun: Promise<void>;
let taskQueue: string;
let usersFile: string;
let server: TestConsole;
let port: number;
let cookie: string;
let csrf: string;
/** The case and the incident the action rows act on. */
let caseId: string;
let incidentId: string;
/** Workflows this file means to start: checked at the end against everything on its task queue. */
const started = new Set<string>();

// --- HTTP, byte for byte (fetch would normalise paths and refuse some headers) -------------------

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function request(opts: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer; to?: number }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    // An explicit length, so a body is framed whatever the method (Node does not chunk a DELETE's body).
    const length = opts.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(opts.body)) };
    const req = http.request({ host: '127.0.0.1', port: opts.to ?? port, method: opts.method ?? 'GET', path: opts.path, headers: { ...length, ...opts.headers }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

const FORM = 'application/x-www-form-urlencoded';

/** A form posted as the signed-in administrator, with the session's CSRF token unless `csrf` is given. */
function post(p: string, form: Record<string, string>, extra: { csrf?: string | null; headers?: Record<string, string> } = {}): Promise<Answer> {
  const fields = { ...(extra.csrf === null ? {} : { csrf: extra.csrf ?? csrf }), ...form };
  return request({ method: 'POST', path: p, headers: { 'content-type': FORM, cookie, ...extra.headers }, body: new URLSearchParams(fields).toString() });
}

const get = (p: string) => request({ path: p, headers: { cookie } });

// --- what every answer must and must not contain ------------------------------------------------

/** Frames, file positions and error class names: what a stack trace or a raw exception looks like. */
const STACK = /\n\s+at \S|\bat [\w.<>$]+ \(|\.[tj]s:\d+|node:internal|ZodError|TypeError|URIError|RangeError|SyntaxError|\bError: /;

function expectSafe(a: Answer): void {
  expect(a.body).not.toMatch(STACK);
  // Markup that came from outside is never echoed as markup (the console's own script tag aside).
  const body = a.body.replace('<script src="/static/console.js" defer></script>', '');
  expect(body).not.toMatch(/<script|<img|<i>|<b>/i);
  if (a.status >= 300) expect(a.headers['content-security-policy']).toMatch(/default-src 'self'/);
}

function expectRefused(a: Answer, status: number | readonly number[]): void {
  const allowed = typeof status === 'number' ? [status] : status;
  expect(allowed, `status ${a.status}: ${a.body.slice(0, 2000)}`).toContain(a.status);
  expect(a.status).toBeGreaterThanOrEqual(400);
  expect(a.status).toBeLessThan(500);
  expectSafe(a);
}

const escRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The form field's own error note: `<label>: <what is wrong>`, next to the field. */
function expectFieldError(a: Answer, formId: string, spec: FieldSpec, says?: RegExp): void {
  const m = new RegExp(`id="${escRe(formId)}-${escRe(spec.name)}-note">${escRe(esc(spec.label))}: ([^<]+)</span>`).exec(a.body);
  expect(m, `no error note for ${spec.name} in ${a.body.slice(0, 3000)}`).not.toBeNull();
  if (says) expect(m?.[1]).toMatch(says);
}

function specOf(specs: FieldSpec[], name: string): FieldSpec {
  const spec = specs.find((s) => s.name === name);
  if (!spec) throw new Error(`no field ${name}`);
  return spec;
}

// --- nothing written ------------------------------------------------------------------------

/** Waits until the workflow has no workflow task or activity in flight (so its history is still). */
async function idle(workflowId: string): Promise<void> {
  const handle = client.workflow.getHandle(workflowId);
  for (let i = 0; i < 400; i++) {
    const d = await handle.describe();
    if (!d.raw.pendingWorkflowTask && (d.raw.pendingActivities ?? []).length === 0) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`${workflowId} did not settle`);
}

/** The workflow's history, event for event. */
async function history(workflowId: string): Promise<string[]> {
  await idle(workflowId);
  const h = await client.workflow.getHandle(workflowId).fetchHistory();
  return (h.events ?? []).map((e) => `${String(e.eventId)}:${String(e.eventType)}`);
}

const exists = (workflowId: string) => workflowExists(client, workflowId);

/** Sends a request that must change nothing in `workflowId`, and returns its answer. */
async function unchanged(workflowId: string, send: () => Promise<Answer>): Promise<Answer> {
  const before = await history(workflowId);
  const answer = await send();
  expect(await history(workflowId)).toEqual(before);
  return answer;
}

// --- dates ----------------------------------------------------------------------------------

// --- set-up ---------------------------------------------------------------------------------

async function signIn(to = port, user = 'adm1', password = PASSWORD): Promise<{ cookie: string; answer: Answer }> {
  const page = await request({ path: '/login', to });
  const loginCookie = String(page.headers['set-cookie']?.[0] ?? '').split(';')[0] ?? '';
  const token = /name="csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
  const answer = await request({
    method: 'POST',
    path: '/login',
    to,
    headers: { 'content-type': FORM, cookie: loginCookie },
    body: new URLSearchParams({ csrf: token, user, password, next: '/' }).toString(),
  });
  return { cookie: String(answer.headers['set-cookie']?.[0] ?? '').split(';')[0] ?? '', answer };
}

const consoleServer = () => startTestConsole({ client, usersFile, taskQueue, answerTimeoutMs: 15_000 });

beforeAll(async () => {
  const bundle = bundleCaseWorkflows();
  [dev, mailbox] = await Promise.all([connectDevServer(), startMailbox()]);
  client = dev.client;
  taskQueue = uniqueName('console-http');
  worker = await Worker.create({
    connection: dev.nativeConnection,
    taskQueue,
    workflowBundle: await bundle,
    activities: caseActivities(mailbox, { consoleUrl: 'https://caseclock.test' }),
  });
  workerRun = worker.run();

  usersFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'caseclock-console-http-')), 'users.json');
  writeUsersFile(usersFile, { users: [{ id: 'adm1', name: ADMIN_NAME, role: 'administrator', passwordHash: await hashPassword(PASSWORD) }] });
  server = await consoleServer();
  port = server.port;
  const signedIn = await signIn();
  expect(signedIn.answer.status).toBe(303);
  cookie = signedIn.cookie;
  const form = await get('/cases/new');
  csrf = /name="csrf" value="([^"]+)"/.exec(form.body)?.[1] ?? '';
  expect(csrf).not.toBe('');

  // A case rated two hours ago (so "before it opened" and "before it was scheduled" have room), and an incident.
  caseId = uniqueName('WCF');
  const opened = await post('/cases', { caseId, reference: caseId, team: 'LOCALITY-NORTH', tier: 'HIGH_IMMEDIATE', reason: 'rated by team manager', ratedAt: ukLocal(-2), ...CONTACTS, policy: 'default' });
  expect(opened.status, opened.body).toBe(303);
  started.add(caseWorkflowId(caseId));
  const act = async (slug: string, form: Record<string, string>) => {
    const a = await post(`/cases/${caseId}/actions/${slug}`, form);
    expect(a.status, a.body).toBe(303);
  };
  // What the duplicate and out-of-order rows collide with.
  await act('meeting-schedule', { meetingId: 'CG-1', meetingType: 'core-group', scheduledFor: ukLocal(24 * 7) });
  await act('meeting-held', { meetingId: 'CG-1', meetingType: 'core-group' });
  await act('meeting-schedule', { meetingId: 'ICPC-1', meetingType: 'icpc', scheduledFor: ukLocal(24 * 10) });
  await act('hold', { holdId: 'H1', kind: 'kit-call', reason: 'Test reason: fictitious family away' });
  await act('resume', { holdId: 'H1' });

  incidentId = uniqueName('SI');
  const reported = await post('/incidents', { incidentId, team: 'LOCALITY-NORTH', awareAt: ukLocal(-1), deputy: CONTACTS.deputy, head: CONTACTS.head, policy: 'default' });
  expect(reported.status, reported.body).toBe(303);
  started.add(incidentWorkflowId(incidentId));
}, 120_000);

afterAll(async () => {
  await server?.close();
  await endTestWorkflows(client, started, { worker, run: workerRun });
  await dev?.close();
  await mailbox?.close();
});

// --- the rows -------------------------------------------------------------------------------

const MB = 'x'.repeat(1_000_000);
const K100 = 'x'.repeat(100_000);

const incidentActionRows: ActionRow[] = [
  ['notified on 30 February', 'incident-notified', { at: '2027-02-30T10:00' }, { field: 'at', says: /not a real date/ }],
  ['notified in year 9999', 'incident-notified', { at: '9999-01-01T10:00' }, { field: 'at' }],
  ['notified "yesterday"', 'incident-notified', { at: 'yesterday' }, { field: 'at' }],
  ['notified before the incident was known', 'incident-notified', { at: ukLocal(-5) }, { refusal: /at: is before/, field: 'at' }],
  ['notified next year', 'incident-notified', { at: ukLocal(24 * 365) }, { refusal: /at: is in the future/, field: 'at' }],
  ['reviewed before the panel was notified', 'incident-reviewed', {}, { refusal: /type: / }],
  ['acknowledging level "one" on the incident', 'ack', { obligationId: 'x@y', level: 'one' }, { field: 'level' }],
];

/** The error note's form id and the field's spec, for an action's field. */
function actionField(slug: string, name: string): FieldSpec {
  const action = actionBySlug(slug);
  if (!action) throw new Error(`no action ${slug}`);
  return specOf(action.fields(undefined), name);
}

function expectActionAnswer(a: Answer, slug: string, expected: ActionRow[3]): void {
  const refusal = 'refusal' in expected ? expected.refusal : undefined;
  expectRefused(a, refusal ? 409 : 400);
  if (refusal) {
    // Refused by the workflow: its reason at the top of the form, naming the field.
    expect(a.body).toMatch(/Refused by the (case|incident): \w+ refused: /);
    expect(a.body).toMatch(refusal);
  }
  if (expected.field === undefined) return;
  if (slug === 'ack') {
    // The acknowledge button's fields are hidden: the notice names them.
    const label = actionField('ack', expected.field).label;
    expect(a.body).toMatch(new RegExp(`Acknowledgement not recorded: (.*; )?${escRe(label)}: ${'says' in expected && expected.says ? expected.says.source : ''}`));
  } else {
    expect(a.body).toContain('Nothing was recorded');
    expectFieldError(a, `a-${slug}`, actionField(slug, expected.field), 'says' in expected ? expected.says : undefined);
  }
}

describe('case actions: POST /cases/:id/actions/:slug', () => {
  it('has a row for every case action', () => {
    const slugs = new Set(caseActionRows.map((r) => r[1]));
    for (const slug of [
      'visit',
      'kit-call',
      'contact',
      'tier',
      'meeting-schedule',
      'meeting-postpone',
      'meeting-cancel',
      'meeting-held',
      'pre-meeting',
      'report',
      'missing',
      'complaint',
      'referral',
      'assessment',
      'strategy',
      'looked-after',
      'placement',
      'waive',
      'hold',
      'resume',
      'ack',
      'reassign',
      'apply-policy',
      'close',
    ]) {
      expect(slugs).toContain(slug);
    }
  });

  it.each(caseActionRows)('%s', async (_name, slug, form, expected) => {
    const a = await unchanged(caseWorkflowId(caseId), () => post(`/cases/${caseId}/actions/${slug}`, form));
    expectActionAnswer(a, slug, expected);
  });
});

describe('incident actions: POST /incidents/:id/actions/:slug', () => {
  it.each(incidentActionRows)('%s', async (_name, slug, form, expected) => {
    const a = await unchanged(incidentWorkflowId(incidentId), () => post(`/incidents/${incidentId}/actions/${slug}`, form));
    expectActionAnswer(a, slug, expected);
  });
});

describe('any POST: the request itself is wrong', () => {
  /** [name, request, status, what the page says] */
  const rows: Array<[string, () => { path: string; headers?: Record<string, string>; body?: string }, number, RegExp]> = [
    ['no CSRF token', () => ({ path: `/cases/${caseId}/actions/visit`, body: '' }), 403, /did not come from this console: nothing was changed/],
    ['a forged CSRF token', () => ({ path: `/cases/${caseId}/actions/visit`, body: `csrf=${'A'.repeat(43)}` }), 403, /did not come from this console/],
    ['a 200-character CSRF token', () => ({ path: `/cases/${caseId}/actions/visit`, body: `csrf=${'A'.repeat(200)}` }), 403, /did not come from this console/],
    ['the token twice, the first forged', () => ({ path: `/cases/${caseId}/actions/visit`, body: `csrf=forged&csrf=${csrf}` }), 403, /did not come from this console/],
    ['JSON instead of a form', () => ({ path: `/cases/${caseId}/actions/visit`, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ csrf }) }), 415, /Send the form from the console page/],
    ['text/plain', () => ({ path: `/cases/${caseId}/actions/visit`, headers: { 'content-type': 'text/plain' }, body: `csrf=${csrf}` }), 415, /Send the form/],
    [
      'multipart',
      () => ({ path: `/cases/${caseId}/actions/visit`, headers: { 'content-type': 'multipart/form-data; boundary=x' }, body: `--x\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n${csrf}\r\n--x--` }),
      415,
      /Send the form/,
    ],
    ['no content type', () => ({ path: `/cases/${caseId}/actions/visit`, headers: { 'content-type': '' }, body: `csrf=${csrf}` }), 415, /Send the form/],
    ['a 1 MB body', () => ({ path: `/cases/${caseId}/actions/close`, body: `csrf=${csrf}&reason=${MB}` }), 413, /too large/],
    ['a 100,000-character field', () => ({ path: `/cases/${caseId}/actions/hold`, body: `csrf=${csrf}&holdId=H9&reason=${K100}` }), 413, /too large/],
    ['another site as Origin', () => ({ path: `/cases/${caseId}/actions/visit`, headers: { origin: 'https://evil.example' }, body: `csrf=${csrf}` }), 403, /only be sent from the console/],
    ['an Origin that is not a URL', () => ({ path: `/cases/${caseId}/actions/visit`, headers: { origin: 'not a url' }, body: `csrf=${csrf}` }), 403, /only be sent from the console/],
    ['Origin null', () => ({ path: `/cases/${caseId}/actions/visit`, headers: { origin: 'null' }, body: `csrf=${csrf}` }), 403, /only be sent from the console/],
    ['no session cookie', () => ({ path: `/cases/${caseId}/actions/visit`, headers: { cookie: '' }, body: `csrf=${csrf}` }), 401, /sign in again; nothing was changed/],
    ['a forged session cookie', () => ({ path: `/cases/${caseId}/actions/visit`, headers: { cookie: 'caseclock_session=eyJ1aWQiOiJhZG0xIn0.AAAA' }, body: `csrf=${csrf}` }), 401, /sign in again/],
    ['an unknown action', () => ({ path: `/cases/${caseId}/actions/teleport`, body: `csrf=${csrf}` }), 404, /There is no action teleport here/],
    ['an incident action on a case', () => ({ path: `/cases/${caseId}/actions/incident-notified`, body: `csrf=${csrf}` }), 404, /There is no action incident-notified here/],
    ['a case action on an incident', () => ({ path: `/incidents/${incidentId}/actions/visit`, body: `csrf=${csrf}` }), 404, /There is no action visit here/],
    ['an action in capitals', () => ({ path: `/cases/${caseId}/actions/VISIT`, body: `csrf=${csrf}` }), 404, /no such page/],
    ['a case that does not exist', () => ({ path: `/cases/NO-SUCH-CASE/actions/visit`, body: `csrf=${csrf}` }), 404, /There is no case NO-SUCH-CASE/],
    ['case id ..%2F..%2Fx', () => ({ path: `/cases/..%2F..%2Fx/actions/visit`, body: `csrf=${csrf}` }), 404, /not a case id/],
    ['case id with a query', () => ({ path: `/cases/${caseId}%3Fx%3D1/actions/visit`, body: `csrf=${csrf}` }), 404, /not a case id/],
    ['case id %ZZ (bad percent-encoding)', () => ({ path: `/cases/%ZZ/actions/visit`, body: `csrf=${csrf}` }), 404, /not a case id/],
    ['case id with a NUL', () => ({ path: `/cases/a%00b/actions/visit`, body: `csrf=${csrf}` }), 404, /not a case id/],
    ['a page that takes no form', () => ({ path: '/kpi', body: `csrf=${csrf}` }), 404, /no such page/],
  ];
  it.each(rows)('%s', async (_name, make, status, says) => {
    const r = make();
    const incidentBefore = await history(incidentWorkflowId(incidentId));
    const a = await unchanged(caseWorkflowId(caseId), () => request({ method: 'POST', path: r.path, headers: { 'content-type': FORM, cookie, ...r.headers }, ...(r.body !== undefined ? { body: r.body } : {}) }));
    expectRefused(a, status);
    expect(a.body).toMatch(says);
    expect(await history(incidentWorkflowId(incidentId))).toEqual(incidentBefore);
  });

  /** Opening a case or reporting an incident with the request wrong: refused before the form is read, nothing started. */
  const starts: Array<[string, string, (id: string) => { headers?: Record<string, string>; body: string }, number]> = [
    ['no CSRF token', '/cases', (id) => ({ body: `caseId=${id}&reference=${id}&team=T&policy=default` }), 403],
    ['JSON', '/cases', (id) => ({ headers: { 'content-type': 'application/json' }, body: JSON.stringify({ csrf, caseId: id, reference: id, team: 'T', policy: 'default' }) }), 415],
    ['a 1 MB body', '/cases', (id) => ({ body: `csrf=${csrf}&caseId=${id}&reference=${id}&team=T&policy=default&reason=${MB}` }), 413],
    ['another site as Origin', '/cases', (id) => ({ headers: { origin: 'http://evil.example' }, body: `csrf=${csrf}&caseId=${id}&reference=${id}&team=T&policy=default` }), 403],
    ['no CSRF token', '/incidents', (id) => ({ body: `incidentId=${id}&team=T&policy=default` }), 403],
    ['text/plain', '/incidents', (id) => ({ headers: { 'content-type': 'text/plain' }, body: `csrf=${csrf}&incidentId=${id}&team=T&policy=default` }), 415],
    ['a 1 MB body', '/incidents', (id) => ({ body: `csrf=${csrf}&incidentId=${id}&team=T&policy=default&reference=${MB}` }), 413],
  ];
  it.each(starts)('%s to %s', async (_name, p, make, status) => {
    const id = uniqueName('BAD');
    const r = make(id);
    const a = await request({ method: 'POST', path: p, headers: { 'content-type': FORM, cookie, ...r.headers }, body: r.body });
    expectRefused(a, status);
    expect(await exists(p === '/cases' ? caseWorkflowId(id) : incidentWorkflowId(id))).toBe(false);
  });

  it('signing out without the CSRF token is refused, and the session goes on', async () => {
    const a = await request({ method: 'POST', path: '/logout', headers: { 'content-type': FORM, cookie }, body: '' });
    expectRefused(a, 403);
    expect((await get('/dashboard')).status).toBe(200);
  });

  it.each(['PUT', 'DELETE', 'PATCH'])('%s is refused', async (method) => {
    const a = await unchanged(caseWorkflowId(caseId), () => request({ method, path: `/cases/${caseId}/actions/close`, headers: { 'content-type': FORM, cookie }, body: `csrf=${csrf}&reason=r` }));
    expectRefused(a, 405);
  });
});

describe('opening a case: POST /cases', () => {
  const specs = openCaseFields();
  const base = openingForm;
  const rows = openCaseRows;

  it.each(rows)('%s', async (_name, make, field, says) => {
    const id = uniqueName('BAD');
    const form = make(id);
    const a = await post('/cases', form);
    expectRefused(a, 400);
    expect(a.body).toContain('Nothing was recorded');
    expectFieldError(a, 'case', specOf(specs, field), says);
    expect(await exists(caseWorkflowId(id))).toBe(false);
    expect(await exists(caseWorkflowId(form['caseId'] ?? ''))).toBe(false);
  });

  it('a case that already exists: refused, the case unchanged', async () => {
    const a = await unchanged(caseWorkflowId(caseId), () => post('/cases', base(caseId)));
    expectRefused(a, 409);
    expectFieldError(a, 'case', specOf(specs, 'caseId'), /already exists/);
  });
});

describe('reporting an incident: POST /incidents', () => {
  const specs = incidentFields();
  const base = (id: string): Record<string, string> => ({ incidentId: id, team: 'LOCALITY-NORTH', deputy: CONTACTS.deputy, head: CONTACTS.head, policy: 'default' });
  const rows: Array<[string, (id: string) => Record<string, string>, string, RegExp?]> = [
    ['no incident id', (id) => ({ ...base(id), incidentId: '' }), 'incidentId', /is required/],
    ['incident id ../x', (id) => ({ ...base(id), incidentId: `../${id}` }), 'incidentId'],
    ['incident id with a query', (id) => ({ ...base(id), incidentId: `${id}?a=b` }), 'incidentId'],
    ['no team', (id) => ({ ...base(id), team: '' }), 'team', /is required/],
    ['a reference with markup', (id) => ({ ...base(id), reference: SCRIPT }), 'reference'],
    ['linked case a/../b', (id) => ({ ...base(id), linkedCaseId: 'a/../b' }), 'linkedCaseId'],
    ['aware on 30 February', (id) => ({ ...base(id), awareAt: '2027-02-30T10:00' }), 'awareAt', /not a real date/],
    ['aware in year 9999', (id) => ({ ...base(id), awareAt: '9999-01-01T10:00' }), 'awareAt', /between 2000 and 2100/],
    ['aware "now-ish"', (id) => ({ ...base(id), awareAt: 'now-ish' }), 'awareAt'],
    ['aware next year', (id) => ({ ...base(id), awareAt: ukLocal(24 * 365) }), 'awareAt', /in the future/],
    ['a deputy lead with a bad email', (id) => ({ ...base(id), deputy: 'Dee Lead <dee at council>' }), 'deputy', /email/],
    ['an unknown policy', (id) => ({ ...base(id), policy: 'national.json' }), 'policy', /must be one of/],
  ];

  it.each(rows)('%s', async (_name, make, field, says) => {
    const id = uniqueName('SI-BAD');
    const form = make(id);
    const a = await post('/incidents', form);
    expectRefused(a, 400);
    expectFieldError(a, 'incident', specOf(specs, field), says);
    expect(await exists(incidentWorkflowId(id))).toBe(false);
    expect(await exists(incidentWorkflowId(form['incidentId'] ?? ''))).toBe(false);
  });

  it('an incident that already exists: refused, the incident unchanged', async () => {
    const a = await unchanged(incidentWorkflowId(incidentId), () => post('/incidents', base(incidentId)));
    expectRefused(a, 409);
    expectFieldError(a, 'incident', specOf(specs, 'incidentId'), /already exists/);
  });
});

describe('pages with bad query parameters', () => {
  const filter = (name: string, label: string): FieldSpec => ({ name, label, type: 'text' });
  /** [path, status, the field's form id and spec (or text the page must show)] */
  const rows: Array<[string, number, { formId: string; spec: FieldSpec; says?: RegExp } | RegExp]> = [
    ['/?team=../x', 400, { formId: 'f', spec: filter('team', 'Team'), says: /letters, digits/ }],
    ['/?team=a%2Fb', 400, { formId: 'f', spec: filter('team', 'Team') }],
    [`/?team=${encodeURIComponent(SCRIPT)}`, 400, { formId: 'f', spec: filter('team', 'Team') }],
    ['/?team=%00', 400, { formId: 'f', spec: filter('team', 'Team') }],
    [`/?team=${'x'.repeat(100)}`, 400, { formId: 'f', spec: filter('team', 'Team'), says: /at most 64/ }],
    ['/?tier=SUPER', 400, { formId: 'f', spec: filter('tier', 'Tier'), says: /must be one of/ }],
    ['/?tier=%E2%80%AE', 400, { formId: 'f', spec: filter('tier', 'Tier') }],
    ['/?overdue=yes', 400, /Overdue only: must be one of: .*\bon\b/],
    ['/kpi?from=2027-02-30', 400, { formId: 'k', spec: filter('from', 'From (UK date)'), says: /calendar date/ }],
    ['/kpi?from=yesterday', 400, { formId: 'k', spec: filter('from', 'From (UK date)') }],
    ['/kpi?from=2026-01-01T00:00', 400, { formId: 'k', spec: filter('from', 'From (UK date)') }],
    ['/kpi?to=2026-13-01', 400, { formId: 'k', spec: filter('to', 'To (included)') }],
    ['/kpi?from=9999-01-01&to=9999-12-31', 400, { formId: 'k', spec: filter('from', 'From (UK date)'), says: /between 2000 and 2099/ }],
    ['/kpi?from=2026-01-01&to=9999-12-31', 400, { formId: 'k', spec: filter('to', 'To (included)'), says: /between 2000 and 2099/ }],
    ['/kpi?from=2026-06-01&to=2026-01-01', 400, { formId: 'k', spec: filter('from', 'From (UK date)'), says: /after the end date/ }],
    ['/kpi?from=1999-12-31', 400, { formId: 'k', spec: filter('from', 'From (UK date)'), says: /between 2000 and 2099/ }],
    ['/kpi?tier=SUPER', 400, { formId: 'k', spec: filter('tier', 'Tier'), says: /must be one of/ }],
    ['/kpi?team=a/b', 400, { formId: 'k', spec: filter('team', 'Team') }],
    [`/kpi?team=${encodeURIComponent(IMG)}`, 400, { formId: 'k', spec: filter('team', 'Team') }],
    ['/kpi.csv?from=2027-02-30&to=2027-03-01', 400, /from must be a calendar date/],
    ['/kpi.csv?from=2026-01-01&to=9999-12-31', 400, /to must be between 2000 and 2099/],
    ['/kpi.csv?tier=SUPER', 400, /tier must be one of/],
    ['/kpi.csv?team=..%2Fx', 400, /team may contain only/],
    ['/api/cases?tier=SUPER', 400, /tier: must be one of/],
    ['/api/cases?team=../x', 400, /team: may contain only/],
    ['/api/cases?overdue=maybe', 400, /overdue: must be one of/],
    [`/api/cases?team=${encodeURIComponent(SCRIPT)}`, 400, /team: /],
  ];
  it.each(rows)('GET %s', async (p, status, expected) => {
    const a = await unchanged(caseWorkflowId(caseId), () => get(p));
    expectRefused(a, status);
    if (expected instanceof RegExp) expect(a.body).toMatch(expected);
    else expectFieldError(a, expected.formId, expected.spec, expected.says);
  });

  it('a 100,000-character query string is refused by the server', async () => {
    const a = await get(`/?team=${K100}`);
    expect(a.status).toBe(431);
    expect(a.body).not.toMatch(STACK);
  });
});

describe('sessions that are not sessions', () => {
  it.each([
    ['garbage', 'caseclock_session=%%%'],
    ['2,000 characters', `caseclock_session=${'a'.repeat(1000)}.${'b'.repeat(1000)}`],
    ['non-ASCII', 'caseclock_session=\u00e9\u00e9.\u00ff'],
    ['the cookie twice, the first forged', 'caseclock_session=forged.x; SESSION'],
  ])('a %s cookie: sent to sign in', async (_name, value) => {
    const a = await request({ path: '/dashboard', headers: { cookie: value.replace('SESSION', cookie) } });
    expect(a.status).toBe(303);
    expect(a.headers.location).toBe('/login?next=%2Fdashboard');
    expectSafe(a);
  });
});

describe('case and incident pages with odd ids', () => {
  const rows: Array<[string, number, RegExp]> = [
    ['/cases/NO-SUCH-CASE', 404, /There is no case NO-SUCH-CASE/],
    ['/incidents/NO-SUCH-INCIDENT', 404, /There is no incident NO-SUCH-INCIDENT/],
    ['/cases/..%2F..%2Fetc%2Fpasswd', 404, /not a case id/],
    ['/cases/..%252F..%252Fetc', 404, /not a case id/],
    ['/cases/a%3Fx%3D1', 404, /not a case id/],
    ['/cases/a%23b', 404, /not a case id/],
    ['/cases/a%20b', 404, /not a case id/],
    ['/cases/%ZZ', 404, /not a case id/],
    ['/cases/%E0%A4%A', 404, /not a case id/],
    ['/incidents/%', 404, /not a case id/],
    ['/cases/%00', 404, /not a case id/],
    ['/cases/%1B%5B2J', 404, /not a case id/],
    ['/cases/%E2%80%AEx', 404, /not a case id/],
    [`/cases/${LONG_ID}`, 404, /not a case id/],
    ['/cases/<b>x', 404, /not a case id/],
    ['/cases/x/', 404, /no such page/],
    ['/cases/x/y', 404, /no such page/],
    ['/cases//x', 404, /no such page/],
    ['/static/../package.json', 404, /no such page/],
    ['/etc/passwd', 404, /no such page/],
  ];
  it.each(rows)('GET %s', async (p, status, says) => {
    const a = await get(p);
    expectRefused(a, status);
    expect(a.body).toMatch(says);
  });

  it('an odd query on a real case page is ignored, not echoed', async () => {
    const a = await get(`/cases/${caseId}?done=${encodeURIComponent(SCRIPT)}&x=%00`);
    expect(a.status).toBe(200);
    expectSafe(a);
  });
});

describe('sign-in: POST /login (a fresh console for each row, so the failure throttle never answers instead)', () => {
  /** [name, form or raw body, content type, status, what the page says] */
  const rows: Array<[string, (token: string) => string, string, number, RegExp]> = [
    ['JSON', (token) => JSON.stringify({ token, user: 'adm1', password: PASSWORD }), 'application/json', 415, /Send the form/],
    ['no token', () => new URLSearchParams({ user: 'adm1', password: PASSWORD }).toString(), FORM, 403, /sign-in form had expired/],
    ['a forged token', () => new URLSearchParams({ token: 'forged', user: 'adm1', password: PASSWORD }).toString(), FORM, 403, /sign-in form had expired/],
    ['a wrong password', (token) => new URLSearchParams({ csrf: token, user: 'adm1', password: 'wrong' }).toString(), FORM, 401, /user id and password do not match/],
    ['no password', (token) => new URLSearchParams({ csrf: token, user: 'adm1' }).toString(), FORM, 401, /user id and password do not match/],
    ['no user id', (token) => new URLSearchParams({ csrf: token, password: PASSWORD }).toString(), FORM, 401, /user id and password do not match/],
    ['user id ../adm1', (token) => new URLSearchParams({ csrf: token, user: '../adm1', password: PASSWORD }).toString(), FORM, 401, /user id and password do not match/],
    ['user id as markup', (token) => new URLSearchParams({ csrf: token, user: SCRIPT, password: PASSWORD }).toString(), FORM, 401, /user id and password do not match/],
    ['user id with a NUL', (token) => new URLSearchParams({ csrf: token, user: 'adm1\u0000', password: PASSWORD }).toString(), FORM, 401, /user id and password do not match/],
    ['a 60,000-character password', (token) => new URLSearchParams({ csrf: token, user: 'adm1', password: K60 }).toString(), FORM, 401, /user id and password do not match/],
    ['a 1 MB body', (token) => new URLSearchParams({ csrf: token, user: 'adm1', password: MB }).toString(), FORM, 413, /too large/],
  ];
  it.each(rows)('%s', async (_name, body, type, status, says) => {
    const fresh = await consoleServer();
    const to = fresh.port;
    try {
      const page = await request({ path: '/login', to });
      const loginCookie = String(page.headers['set-cookie']?.[0] ?? '').split(';')[0] ?? '';
      const token = /name="csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
      const a = await request({ method: 'POST', path: '/login', to, headers: { 'content-type': type, cookie: loginCookie }, body: body(token) });
      expectRefused(a, status);
      expect(a.body).toMatch(says);
      expect(a.headers['set-cookie'] ?? []).not.toContainEqual(expect.stringMatching(/^caseclock_session=[^;]/));
    } finally {
      await fresh.close();
    }
  });

  it.each(['https://evil.example/', `javascript:alert(1)`, `/${SCRIPT}`, '%00'])('the sign-in page with next=%j: safe', async (next) => {
    const a = await request({ path: `/login?next=${encodeURIComponent(next)}` });
    expect(a.status).toBe(200);
    expectSafe(a);
    expect(a.body).toContain('name="next" value="/"');
  });

  it('a sign-in that names another site as next lands on the console', async () => {
    const fresh = await consoleServer();
    const to = fresh.port;
    try {
      for (const next of ['https://evil.example/', '//evil.example/', '/\\evil.example', `/cases/${SCRIPT}`]) {
        // A sign-in renews the session, so each attempt starts from a fresh sign-in page.
        const page = await request({ path: '/login', to });
        const loginCookie = String(page.headers['set-cookie']?.[0] ?? '').split(';')[0] ?? '';
        const token = /name="csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
        const a = await request({
          method: 'POST',
          path: '/login',
          to,
          headers: { 'content-type': FORM, cookie: loginCookie },
          body: new URLSearchParams({ csrf: token, user: 'adm1', password: PASSWORD, next }).toString(),
        });
        expect(a.status).toBe(303);
        expect(a.headers.location).toBe('/');
      }
    } finally {
      await fresh.close();
    }
  });
});

describe('free text with markup that is valid: accepted, and never shown as markup', () => {
  it('a hold reason and a tier reason with markup are recorded; the case page shows no markup', async () => {
    const before = (await history(caseWorkflowId(caseId))).length;
    for (const [slug, form] of [
      ['hold', { holdId: 'H-MARKUP', reason: `<b>x</b> ${SCRIPT}` }],
      ['tier', { tier: 'HIGH_IMMEDIATE', reason: `re-rated ${IMG}` }],
    ] as const) {
      const a = await post(`/cases/${caseId}/actions/${slug}`, form);
      expect(a.status, a.body).toBe(303);
    }
    expect((await history(caseWorkflowId(caseId))).length).toBeGreaterThan(before);
    const page = await get(`/cases/${caseId}`);
    expect(page.status).toBe(200);
    expectSafe(page);
    expect(page.body).toContain('put on hold (H-MARKUP)');
  });

  it('fields a form does not have are ignored: a keeping-in-touch call cannot become a closure, or be signed by someone else', async () => {
    const a = await post(`/cases/${caseId}/actions/kit-call`, { type: 'case-closed', contactType: 'visit', by: 'someone-else', reason: 'closed by a forged field' });
    expect(a.status, a.body).toBe(303);
    const timeline = await client.workflow.getHandle(caseWorkflowId(caseId)).query<Array<{ by: string; event?: { type: string; contactType?: string } }>>('timeline');
    const last = timeline.filter((t) => t.event).at(-1);
    expect(last).toMatchObject({ by: 'adm1', event: { type: 'contact', contactType: 'kit-call' } });
    expect((await client.workflow.getHandle(caseWorkflowId(caseId)).describe()).status.name).toBe('RUNNING');
  });

  it('a refused form echoes the markup it was sent, escaped', async () => {
    const a = await unchanged(caseWorkflowId(caseId), () => post(`/cases/${caseId}/actions/hold`, { holdId: '../H', reason: `<b>x</b> ${SCRIPT}` }));
    expectRefused(a, 400);
    expect(a.body).toContain(esc(`<b>x</b> ${SCRIPT}`));
  });

  it('a case whose contacts have markup in their names opens, and its page shows no markup', async () => {
    const id = uniqueName('WCF-MARKUP');
    const a = await post('/cases', { caseId: id, reference: id, team: 'LOCALITY-NORTH', tier: 'VULNERABLE', reason: 'rated', worker: `<b>Sam</b> ${SCRIPT} <worker@council.test>`, policy: 'default' });
    expect(a.status, a.body).toBe(303);
    started.add(caseWorkflowId(id));
    // The page the opening sends to waits for the case's summary, where the names are read from.
    const page = await get(String(a.headers.location));
    expect(page.status).toBe(200);
    expect(page.body).toContain('&lt;b>Sam&lt;/b>'); // the case's own page, its worker's name escaped
    expectSafe(page);
  });
});

describe('afterwards', () => {
  it("no workflow was started on the console's task queue but those meant to be", async () => {
    const listed = async () => {
      const ids: string[] = [];
      for await (const wf of client.workflow.list({ query: `TaskQueue = '${taskQueue}'` })) ids.push(wf.workflowId);
      return ids.sort();
    };
    let ids = await listed();
    for (let i = 0; i < 40 && ids.length < started.size; i++) {
      await new Promise((r) => setTimeout(r, 100));
      ids = await listed();
    }
    expect(ids).toEqual([...started].sort());
  });
});
