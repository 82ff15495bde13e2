/**
 * The console's sign-in, sessions, CSRF and role rules, without a browser or Temporal: the
 * functions on their own, then the HTTP server in-process with a client that must never be
 * called (every request here is answered, or refused, before anything reaches Temporal).
 */
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import { decide } from '../../client/identity/access';
import { ensureFirstUser, hashPassword, readUsersFile, UserDirectory, UsersFileError, verifyPassword, writeUsersFile } from '../../client/identity/auth';
import { actionBySlug, localToInstant, parseOpenCase } from '../../client/console/actions';
import { startTestConsole, type TestConsole } from '../support/console';
import { run as usersCommand } from '../../client/cli/users';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'caseclock-console-'));

describe('passwords', () => {
  it('hashes with a fresh salt each time and verifies only the right password', async () => {
    const [a, b] = await Promise.all([hashPassword('correct horse battery'), hashPassword('correct horse battery')]);
    expect(a).toMatch(/^scrypt\$15\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('correct');
    expect(await verifyPassword('correct horse battery', a)).toBe(true);
    expect(await verifyPassword('correct horse batterY', a)).toBe(false);
    expect(await verifyPassword('', a)).toBe(false);
    expect(await verifyPassword('correct horse battery', 'plain text')).toBe(false);
    expect(await verifyPassword('x', a.replace(/\$15\$/, '$30$'))).toBe(false); // refuses absurd cost parameters
  });
});

describe('roles: need to know', () => {
  const admin = { id: 'a', role: 'administrator' as const };
  const head = { id: 'h', role: 'head-of-service' as const, teams: ['NORTH', 'SOUTH'] };
  const manager = { id: 'm', role: 'manager' as const, team: 'NORTH' };
  const viewer = { id: 'v', role: 'viewer' as const, team: 'NORTH' };
  it('administrator: everything, in every team', () => {
    for (const p of ['read', 'steer', 'acknowledge', 'administer'] as const) expect(decide(admin, p, 'EAST').allowed).toBe(true);
  });
  it('head of service: reads and acknowledges across their service area only; changes and administers nothing', () => {
    expect(decide(head, 'read', 'SOUTH').allowed).toBe(true);
    expect(decide(head, 'acknowledge', 'NORTH').allowed).toBe(true);
    expect(decide(head, 'read', 'EAST')).toMatchObject({ allowed: false, reason: expect.stringMatching(/not shown to you/) });
    expect(decide(head, 'acknowledge', 'EAST').allowed).toBe(false);
    expect(decide(head, 'steer', 'NORTH').allowed).toBe(false);
    expect(decide(head, 'administer', 'NORTH').allowed).toBe(false);
  });
  it('manager: own team only, and no policy; viewer: reads own team only', () => {
    expect(decide(manager, 'steer', 'NORTH').allowed).toBe(true);
    expect(decide(manager, 'acknowledge', 'NORTH').allowed).toBe(true);
    expect(decide(manager, 'read', 'SOUTH').allowed).toBe(false);
    expect(decide(manager, 'administer', 'NORTH').allowed).toBe(false);
    expect(decide(viewer, 'read', 'NORTH').allowed).toBe(true);
    expect(decide(viewer, 'read', 'SOUTH').allowed).toBe(false);
    expect(decide(viewer, 'steer', 'NORTH')).toMatchObject({ allowed: false, reason: expect.stringMatching(/read-only/) });
    expect(decide({ id: 'x', role: 'viewer' }, 'read', 'NORTH').allowed).toBe(false); // no team: nothing
  });
});

describe('the users file and the users command', () => {
  it('writes hashes only, owner-readable, and validates every entry', async () => {
    const file = path.join(tmp(), 'users.json');
    const password = async () => 'a long enough password';
    expect(await usersCommand(['add', 'tm1', '--role', 'manager', '--team', 'NORTH', '--name', 'Tess Manager'], file, password)).toMatch(/added tm1 \(manager, team NORTH\)/);
    await expect(usersCommand(['add', 'tm2', '--role', 'manager'], file, password)).rejects.toThrow(/--team: a manager needs a team/);
    await expect(usersCommand(['add', 'x', '--role', 'boss'], file, password)).rejects.toThrow(/--role "boss": must be one of: administrator, head-of-service, manager, viewer/);
    await expect(usersCommand(['add', 'x', '--role', 'viewer'], file, async () => 'short')).rejects.toThrow(/at least 12/);
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain('a long enough password');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const { users } = readUsersFile(file);
    expect(users).toEqual([expect.objectContaining({ id: 'tm1', role: 'manager', team: 'NORTH', name: 'Tess Manager' })]);
    expect(await verifyPassword('a long enough password', users[0]!.passwordHash)).toBe(true);
    expect(await usersCommand(['list'], file)).toMatch(/^tm1\tmanager\tteam NORTH\tTess Manager$/);

    writeFileSync(file, JSON.stringify({ users: [...users, { ...users[0]!, name: 'Again' }] }));
    expect(() => readUsersFile(file)).toThrow(UsersFileError);
    expect(() => readUsersFile(file)).toThrow(/users\.1\.id: user id "tm1" appears more than once/);
  });

  it('makes a first administrator in development only', async () => {
    const dir = tmp();
    await expect(ensureFirstUser(path.join(dir, 'prod.json'), 'production')).rejects.toThrow(/does not exist: create it with/);
    const file = path.join(dir, 'dev', 'users.json');
    const first = await ensureFirstUser(file, 'development');
    if (!first.created) throw new Error('expected a first user');
    expect(first.password.length).toBeGreaterThanOrEqual(20);
    expect(readFileSync(file, 'utf8')).not.toContain(first.password);
    expect(new UserDirectory(file).find('admin')).toMatchObject({ role: 'administrator' });
    expect(await ensureFirstUser(file, 'development')).toEqual({ created: false });
  });
});

describe('form validation', () => {
  it('names the field at fault and converts UK local time', () => {
    expect(localToInstant('2026-07-01T10:00')).toEqual({ instant: '2026-07-01T09:00:00.000Z' });
    expect(localToInstant('2026-03-29T01:30')).toEqual({ error: expect.stringMatching(/does not exist in UK time/) });
    const schedule = actionBySlug('meeting-schedule')!;
    const bad = schedule.parse({ meetingId: 'CG 1', meetingType: 'core-group', scheduledFor: '' }, 'tm1', new Date(), { subjectId: 'C1' });
    expect(bad).toEqual({ ok: false, errors: { scheduledFor: 'is required' } });
    const badId = schedule.parse({ meetingId: 'CG 1', meetingType: 'core-group', scheduledFor: '2026-07-01T10:00' }, 'tm1', new Date(), { subjectId: 'C1' });
    expect(badId).toEqual({ ok: false, errors: { meetingId: expect.stringMatching(/letters, digits/) } });
    const opened = parseOpenCase({ caseId: 'C1', reference: 'R1', team: 'NORTH', tier: 'PRIORITY', reason: '', worker: 'Sam <not-an-email>', policy: 'default' }, 'ad', {});
    expect(opened).toEqual({ ok: false, errors: { reason: 'is required with a tier', worker: expect.stringMatching(/email/) } });
  });
});

describe('the console over HTTP, before Temporal', () => {
  let consoleApp: TestConsole;
  let httpsApp: TestConsole;
  let hastyApp: TestConsole;
  let file: string;
  const touched: string[] = [];
  beforeAll(async () => {
    file = path.join(tmp(), 'users.json');
    writeUsersFile(file, {
      users: [
        { id: 'vw1', name: 'Val Viewer', role: 'viewer', team: 'NORTH', passwordHash: await hashPassword('viewer password 1') },
        { id: 'mg1', name: 'Max Manager', role: 'manager', team: 'NORTH', passwordHash: await hashPassword('manager password 1') },
        { id: 'new1', name: 'Nia New', role: 'manager', team: 'NORTH', mustChangePassword: true, passwordHash: await hashPassword('first password 12') },
      ],
    });
    const client = new Proxy({}, { get: (_t, key) => (touched.push(String(key)), () => Promise.reject(new Error('Temporal must not be called'))) }) as unknown as Client;
    consoleApp = await startTestConsole({ client, usersFile: file, limits: { lifetimeMs: 3_600_000, idleMs: 1_800_000 } });
    httpsApp = await startTestConsole({ client, usersFile: file, publicUrl: 'https://caseclock.council.example' });
    hastyApp = await startTestConsole({ client, usersFile: file, limits: { lifetimeMs: 3_600_000, idleMs: 1_000 } });
  });
  afterAll(async () => {
    await consoleApp?.close();
    await httpsApp?.close();
    await hastyApp?.close();
  });

  /** A request from a chosen loopback address (127.0.0.x), so sign-in throttles can be told apart. */
  function request(base: string, p: string, opts: { method?: string; cookie?: string; form?: Record<string, string>; from?: string } = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
    const url = new URL(p, base);
    const body = opts.form ? new URLSearchParams(opts.form).toString() : undefined;
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname + url.search,
          method: opts.method ?? (body !== undefined ? 'POST' : 'GET'),
          localAddress: opts.from ?? '127.0.0.1',
          agent: false,
          headers: { ...(opts.cookie ? { cookie: opts.cookie } : {}), ...(body ? { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(body)) } : {}) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }
  const cookieOf = (headers: http.IncomingHttpHeaders) => (headers['set-cookie']?.[0] ?? '').split(';')[0] ?? '';
  const csrfOf = (body: string) => /name="csrf" value="([^"]+)"/.exec(body)?.[1] ?? '';

  async function signIn(user: string, password: string, opts: { base?: string; from?: string } = {}) {
    const base = opts.base ?? consoleApp.url;
    const page = await request(base, '/login', { from: opts.from });
    const answer = await request(base, '/login', { cookie: cookieOf(page.headers), form: { csrf: csrfOf(page.body), user, password, next: '/dashboard' }, from: opts.from });
    return { answer, cookie: cookieOf(answer.headers) };
  }

  it('sends the security headers and sends strangers to sign in', async () => {
    const res = await request(consoleApp.url, '/dashboard');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/login?next=%2Fdashboard');
    expect(res.headers['content-security-policy']).toMatch(/default-src 'self';script-src 'self'/);
    expect(res.headers['content-security-policy']).not.toMatch(/unsafe-inline/);
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['strict-transport-security']).toBeUndefined(); // plain http: a browser would then refuse it
  });

  it('sends Strict-Transport-Security and Secure cookies when the console is reached over https', async () => {
    const res = await request(httpsApp.url, '/login');
    expect(res.headers['strict-transport-security']).toMatch(/max-age=31536000; includeSubDomains/);
  });

  it('signs in with HttpOnly SameSite=Strict cookies; refuses a wrong password', async () => {
    const wrong = await signIn('vw1', 'nope');
    expect(wrong.answer.status).toBe(401);
    expect(wrong.answer.body).toContain('That user id and password do not match.');
    const ok = await signIn('vw1', 'viewer password 1');
    expect(ok.answer.status).toBe(303);
    expect(ok.answer.headers['set-cookie']?.[0]).toMatch(/^caseclock_session=[^;]+; Path=\/; Expires=[^;]+; HttpOnly; SameSite=Strict$/);
  });

  it('five wrong passwords lock that user id out from that address only: the same user signs in from another address', async () => {
    for (let i = 0; i < 5; i++) expect((await signIn('mg1', `wrong ${i}`, { from: '127.0.0.2' })).answer.status).toBe(401);
    const locked = await signIn('mg1', 'manager password 1', { from: '127.0.0.2' });
    expect(locked.answer.status).toBe(429);
    expect(locked.answer.body).toContain('Too many failed attempts for this user id from your address');
    // Another address (another replica would see the same: the counts are in the shared store).
    expect((await signIn('mg1', 'manager password 1', { from: '127.0.0.3' })).answer.status).toBe(303);
    // Another user from the locked address is not affected.
    expect((await signIn('vw1', 'viewer password 1', { from: '127.0.0.2' })).answer.status).toBe(303);
    expect(await consoleApp.consoleStore.signInStanding('mg1', '127.0.0.2')).toMatchObject({ locked: true });
  });

  it('a new user with a given password must choose their own before anything else', async () => {
    const { cookie } = await signIn('new1', 'first password 12');
    const home = await request(consoleApp.url, '/', { cookie });
    expect(home.status).toBe(303);
    expect(home.headers.location).toBe('/account/password?first=1');
    const page = await request(consoleApp.url, '/account/password?first=1', { cookie });
    const weak = await request(consoleApp.url, '/account/password', { cookie, form: { csrf: csrfOf(page.body), current: 'first password 12', password: 'password1234', again: 'password1234' } });
    expect(weak.status).toBe(400);
    expect(weak.body).toMatch(/New password: /);
    const good = await request(consoleApp.url, '/account/password', { cookie, form: { csrf: csrfOf(weak.body), current: 'first password 12', password: 'seven brown ferrets walk', again: 'seven brown ferrets walk' } });
    expect(good.status, good.body.slice(0, 500)).toBe(200);
    expect(readUsersFile(file).users.find((u) => u.id === 'new1')).not.toHaveProperty('mustChangePassword');
    expect((await request(consoleApp.url, '/cases/new', { cookie })).status).toBe(200); // no longer sent to change it
  });

  it('a changed password signs out every other session of that user at once', async () => {
    const a = await signIn('mg1', 'manager password 1', { from: '127.0.0.4' });
    const b = await signIn('mg1', 'manager password 1', { from: '127.0.0.5' });
    const page = await request(consoleApp.url, '/account/password', { cookie: a.cookie });
    const changed = await request(consoleApp.url, '/account/password', {
      cookie: a.cookie,
      form: { csrf: csrfOf(page.body), current: 'manager password 1', password: 'quiet orange lanterns glow', again: 'quiet orange lanterns glow' },
    });
    expect(changed.status).toBe(200);
    expect((await request(consoleApp.url, '/account/password', { cookie: b.cookie })).headers.location).toMatch(/^\/login/);
    expect((await request(consoleApp.url, '/account/password', { cookie: a.cookie })).status).toBe(200); // the browser that changed it carries on
    // Changed outside the console (users.ts passwd): the remaining session ends too.
    const users = readUsersFile(file).users.map((u) => (u.id === 'mg1' ? { ...u, passwordHash: readUsersFile(file).users.find((x) => x.id === 'vw1')?.passwordHash ?? '' } : u));
    writeUsersFile(file, { users });
    const after = await request(consoleApp.url, '/account/password', { cookie: a.cookie });
    expect(after.status).toBe(303);
    expect(after.headers.location).toMatch(/why=password/);
  });

  it('a session unused for longer than the idle limit is signed out', async () => {
    const { cookie } = await signIn('vw1', 'viewer password 1', { base: hastyApp.url });
    await new Promise((r) => setTimeout(r, 1_500));
    const res = await request(hastyApp.url, '/dashboard', { cookie });
    expect(res.status).toBe(303);
    expect(res.headers.location).toMatch(/^\/login\?.*why=idle/);
  });

  it("refuses a POST without the CSRF token, and a viewer's action with a 403 page, before Temporal", async () => {
    const { cookie } = await signIn('vw1', 'viewer password 1');
    const post = (form: Record<string, string>) => request(consoleApp.url, '/cases/C1/actions/visit', { cookie, form });
    const noToken = await post({});
    expect(noToken.status).toBe(403);
    expect(noToken.body).toContain('did not come from this console: nothing was changed');
    // A viewer has no form to open a case: the page itself is refused.
    const openPage = await request(consoleApp.url, '/cases/new', { cookie });
    expect(openPage.status).toBe(403);
    // The sign-out form's token, the only one a viewer has, does not make an action allowed.
    const refused = await post({ csrf: csrfOf(openPage.body) });
    expect(refused.status).toBe(403);
    expect(refused.body).toContain('vw1 has read-only access: nothing was changed');
    expect(refused.body).not.toMatch(/at .*\.ts:\d+/);
    expect(touched).toEqual([]);
  });
});

describe('adding a head of service', () => {
  it('takes the teams of their service area, and refuses one without', async () => {
    const file = path.join(tmp(), 'users.json');
    const password = async () => 'oversees two localities daily';
    expect(await usersCommand(['add', 'hal', '--role', 'head-of-service', '--teams', 'NORTH, SOUTH', '--name', 'Hal Head'], file, password)).toMatch(/added hal \(head-of-service, teams NORTH, SOUTH\)/);
    expect(readUsersFile(file).users[0]).toMatchObject({ role: 'head-of-service', teams: ['NORTH', 'SOUTH'] });
    await expect(usersCommand(['add', 'hol', '--role', 'head-of-service'], file, password)).rejects.toThrow(/--teams: a head of service needs the teams of their service area/);
  });
});
