/**
 * The console's sign-in, sessions, CSRF and role rules, without a browser or Temporal: the
 * functions on their own, then the HTTP server in-process with a client that must never be
 * called (every request here is answered, or refused, before anything reaches Temporal).
 */
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { testStore } from '../support/case-record';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decide,
  endedSessionsFile,
  ensureFirstUser,
  hashPassword,
  readUsersFile,
  SessionKeeper,
  SignInThrottle,
  UserDirectory,
  UsersFileError,
  verifyPassword,
  writeUsersFile,
} from '../../client/console/auth';
import { actionBySlug, localToInstant, parseOpenCase } from '../../client/console/actions';
import { createConsoleServer } from '../../client/console/server';
import { run as usersCommand } from '../../client/console/users';

const SECRET = 'test-secret-test-secret-test-secret-0123';
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

describe('sessions and CSRF', () => {
  it('accepts its own cookie until it expires or is signed out, and refuses a tampered one', () => {
    let now = 1_000_000;
    const keeper = new SessionKeeper(SECRET, 60_000, () => now);
    const { session, cookie } = keeper.issue('tm1');
    expect(keeper.verify(cookie)).toEqual(session);
    const [body, sig] = cookie.split('.');
    const forged = Buffer.from(JSON.stringify({ ...session, uid: 'admin' })).toString('base64url');
    expect(keeper.verify(`${forged}.${sig}`)).toBeUndefined();
    expect(keeper.verify(`${body}.${sig}x`)).toBeUndefined();
    expect(new SessionKeeper(`${SECRET}!`, 60_000, () => now).verify(cookie)).toBeUndefined(); // another secret
    now += 60_001;
    expect(keeper.verify(cookie)).toBeUndefined();
    now -= 30_000;
    keeper.end(session);
    expect(keeper.verify(cookie)).toBeUndefined();
  });

  it('a sign-out counts in every process sharing the signed-out sessions file, and after a restart', () => {
    const dir = tmp();
    const file = endedSessionsFile(path.join(dir, 'users.json'));
    let now = 1_000_000;
    const clock = () => now;
    const console1 = new SessionKeeper(SECRET, 60_000, clock, file);
    const codec = new SessionKeeper(SECRET, 60_000, clock, file); // another process: the codec server
    const signedOut = console1.issue('ada');
    const stillIn = console1.issue('ada');
    expect(codec.verify(signedOut.cookie)).toEqual(signedOut.session);
    console1.end(signedOut.session);
    expect(codec.verify(signedOut.cookie)).toBeUndefined();
    expect(codec.verify(stillIn.cookie)).toEqual(stillIn.session);
    const restarted = new SessionKeeper(SECRET, 60_000, clock, file);
    expect(restarted.verify(signedOut.cookie)).toBeUndefined();
    // Sign-outs from two processes are both kept; expired ones are dropped from the file.
    codec.end(stillIn.session);
    expect(restarted.verify(stillIn.cookie)).toBeUndefined();
    expect(Object.keys(JSON.parse(readFileSync(file, 'utf8')).ended)).toHaveLength(2);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    now += 60_001;
    const later = restarted.issue('ada');
    restarted.end(later.session);
    expect(Object.keys(JSON.parse(readFileSync(file, 'utf8')).ended)).toEqual([later.session.sid]);
  });

  it('a damaged signed-out sessions file neither locks staff out nor stops the next sign-out being kept', () => {
    const file = endedSessionsFile(path.join(tmp(), 'users.json'));
    writeFileSync(file, '{ not json');
    const keeper = new SessionKeeper(SECRET, 60_000, Date.now, file);
    const a = keeper.issue('ada');
    expect(keeper.verify(a.cookie)).toEqual(a.session);
    keeper.end(a.session);
    expect(new SessionKeeper(SECRET, 60_000, Date.now, file).verify(a.cookie)).toBeUndefined();
  });

  it('binds the CSRF token to the session and the sign-in token to its cookie', () => {
    const keeper = new SessionKeeper(SECRET, 60_000);
    const one = keeper.issue('a').session;
    const two = keeper.issue('a').session;
    expect(keeper.checkCsrf(one, keeper.csrfToken(one))).toBe(true);
    expect(keeper.checkCsrf(two, keeper.csrfToken(one))).toBe(false);
    expect(keeper.checkCsrf(one, undefined)).toBe(false);
    const nonce = keeper.loginNonce();
    expect(keeper.checkLogin(nonce.cookie, nonce.token)).toBe(true);
    expect(keeper.checkLogin(keeper.loginNonce().cookie, nonce.token)).toBe(false);
    expect(() => new SessionKeeper('short', 1)).toThrow(/32 characters/);
  });

  it('throttles an id after five failures', () => {
    let now = 0;
    const throttle = new SignInThrottle(5, 1000, () => now);
    for (let i = 0; i < 5; i++) throttle.fail('user:x');
    expect(throttle.blocked('user:x')).toBe(true);
    expect(throttle.blocked('user:y')).toBe(false);
    now = 1001;
    expect(throttle.blocked('user:x')).toBe(false);
  });
});

describe('roles', () => {
  const admin = { id: 'ad', role: 'administrator' as const };
  const manager = { id: 'tm', role: 'manager' as const, team: 'NORTH' };
  const viewer = { id: 'vw', role: 'viewer' as const };
  it('administrator: everything; manager: own team, not policy; viewer: read only', () => {
    for (const p of ['read', 'steer', 'acknowledge', 'administer'] as const) expect(decide(admin, p, 'SOUTH').allowed).toBe(true);
    expect(decide(manager, 'steer', 'NORTH').allowed).toBe(true);
    expect(decide(manager, 'acknowledge', 'NORTH').allowed).toBe(true);
    expect(decide(manager, 'steer', 'SOUTH')).toEqual({ allowed: false, reason: expect.stringMatching(/manages team NORTH, and this case belongs to team SOUTH/) });
    expect(decide(manager, 'administer', 'NORTH').allowed).toBe(false);
    expect(decide(viewer, 'read').allowed).toBe(true);
    expect(decide(viewer, 'acknowledge', 'NORTH')).toEqual({ allowed: false, reason: expect.stringMatching(/read-only/) });
  });
});

describe('the users file and the users command', () => {
  it('writes hashes only, owner-readable, and validates every entry', async () => {
    const file = path.join(tmp(), 'users.json');
    const password = async () => 'a long enough password';
    expect(await usersCommand(['add', 'tm1', '--role', 'manager', '--team', 'NORTH', '--name', 'Tess Manager'], file, password)).toMatch(/added tm1 \(manager, team NORTH\)/);
    await expect(usersCommand(['add', 'tm2', '--role', 'manager'], file, password)).rejects.toThrow(/--team: a manager needs a team/);
    await expect(usersCommand(['add', 'x', '--role', 'boss'], file, password)).rejects.toThrow(/--role "boss": must be one of: administrator, manager, viewer/);
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
  let base: string;
  let server: ReturnType<typeof createConsoleServer>;
  const touched: string[] = [];
  beforeAll(async () => {
    const file = path.join(tmp(), 'users.json');
    const hash = await hashPassword('viewer password 1');
    writeUsersFile(file, { users: [{ id: 'vw1', name: 'Val Viewer', role: 'viewer', passwordHash: hash }] });
    const client = new Proxy({}, { get: (_t, key) => (touched.push(String(key)), () => Promise.reject(new Error('Temporal must not be called'))) }) as unknown as Client;
    server = createConsoleServer({ store: testStore(), client, users: new UserDirectory(file), sessions: new SessionKeeper(SECRET, 3_600_000), log: () => undefined });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  async function signIn(user: string, password: string): Promise<Response> {
    const page = await fetch(`${base}/login`);
    const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const token = /name="token" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
    return fetch(`${base}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: new URLSearchParams({ token, user, password, next: '/' }),
    });
  }

  it('sends the security headers and sends strangers to sign in', async () => {
    const res = await fetch(`${base}/dashboard`, { redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/login?next=%2Fdashboard');
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'; script-src 'self'/);
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('signs in with HttpOnly SameSite=Strict cookies; refuses a wrong password', async () => {
    const wrong = await signIn('vw1', 'nope');
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain('That user id and password do not match.');
    const ok = await signIn('vw1', 'viewer password 1');
    expect(ok.status).toBe(303);
    expect(ok.headers.getSetCookie()[0]).toMatch(/^caseclock_session=[^;]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=3600$/);
  });

  it('refuses a POST without the CSRF token, and a viewer\'s action with a 403 page, before Temporal', async () => {
    const ok = await signIn('vw1', 'viewer password 1');
    const cookie = (ok.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
    const post = (body: Record<string, string>) =>
      fetch(`${base}/cases/C1/actions/visit`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie }, body: new URLSearchParams(body) });
    const noToken = await post({});
    expect(noToken.status).toBe(403);
    expect(await noToken.text()).toContain('did not come from this console: nothing was changed');
    // A viewer has no form to open a case: the page itself is refused.
    const openPage = await fetch(`${base}/cases/new`, { headers: { cookie } });
    expect(openPage.status).toBe(403);
    // The sign-out form's token, the only one a viewer has, does not make an action allowed.
    const token = /name="csrf" value="([^"]+)"/.exec(await openPage.text())?.[1] ?? '';
    const refused = await post({ csrf: token });
    expect(refused.status).toBe(403);
    const text = await refused.text();
    expect(text).toContain('vw1 has read-only access (role viewer): nothing was changed');
    expect(text).not.toMatch(/at .*\.ts:\d+/);
    expect(touched).toEqual([]);
  });
});
