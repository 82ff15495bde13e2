/**
 * The codec server over real HTTP on a random port: bearer-token authentication (the CLI), the
 * web console's session cookie (the Web UI, administrators only), CORS for credentialed requests
 * from the Web UI, and the `{payloads:[...]}` JSON the UI and the `temporal` CLI send. Console
 * cookies come from signing in through the real console's /login form (in-process, Fastify; it
 * never reaches Temporal); the codec server checks them as production does, with
 * consoleCookieChecker against the shared console store (its own connection, as it is another
 * process in production).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { signerFactory } from '@fastify/cookie';
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../common/config';
import { cookieWarning, createCodecServer, startCodecServer, tokenMatches } from '../../client/codec-server/main';
import { type ConsoleUser, hashPassword, UserDirectory, writeUsersFile } from '../../client/identity/auth';
import { consoleCookieChecker, type SessionLimits } from '../../client/identity/session';
import { EncryptionCodec } from '../../common/encryption';
import { createLogger } from '../../common/log';
import { openConsoleStore, type ConsoleStore } from '../../store/console-store';
import { freePort } from '../../tools/dev-server';
import { storeUrl } from '../support/case-record';
import { startTestConsole, TEST_SESSION_SECRET, type TestConsole } from '../support/console';
import { encryptionEnv, testKey } from './keys';

const UI_ORIGIN = 'http://localhost:8233';
const TOKEN = randomBytes(32).toString('base64url');
const SECRET = { reason: 'Child ZEBRA-NAME seen at 12 Secret Street' };
const codec = new EncryptionCodec([testKey('k1')], 'k1');

/** The limits startTestConsole gives the console; the codec server is given the same, as in production. */
const LIMITS: SessionLimits = { lifetimeMs: 3_600_000, idleMs: 1_800_000 };
const PASSWORD = 'codec test password 1';

let server: http.Server;
let base: string;
let console_: TestConsole;
let consoleBase: string;
/** The codec server's own connection to the console store. */
let codecStore: ConsoleStore;
let dir: string;
let usersFile: string;
let people: ConsoleUser[];
/** How far ahead of the real clock the codec server judges sessions (moved to expire or idle one). */
let skewMs = 0;
// The audit trail as the codec server writes it: each JSON line, parsed.
const audit: Record<string, unknown>[] = [];

const toJson = (p: Payload) => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v!).toString('base64')])),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});
const fromJson = (p: { metadata: Record<string, string>; data: string }): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(p.data, 'base64'),
});

function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: UI_ORIGIN, 'X-Namespace': 'default', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}
const auth = { Authorization: `Bearer ${TOKEN}` };

const listen = async (s: http.Server): Promise<string> => {
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
};
const close = (s: http.Server | undefined) => new Promise<void>((resolve) => (s ? s.close(() => resolve()) : resolve()));

/** Writes the users file anew (a second write may land in the same millisecond: the size differs). */
function saveUsers(users: ConsoleUser[]): void {
  people = users;
  writeUsersFile(usersFile, { users });
}

/** The first cookie of that name a Set-Cookie list sets, as `name=value`. */
const cookiePair = (setCookies: string[], name: string): string => (setCookies.find((c) => c.startsWith(`${name}=`)) ?? '').split(';')[0] ?? '';

/**
 * Signs in to the console as a person would (GET /login for the anonymous session and its CSRF
 * field, then POST /login) and returns the `caseclock_session=...` pair, exactly as the browser
 * would send it back, and its Set-Cookie line.
 */
async function consoleCookie(user: string): Promise<{ cookie: string; setCookie: string }> {
  const form = await fetch(`${consoleBase}/login`);
  expect(form.status).toBe(200);
  const loginCookie = cookiePair(form.headers.getSetCookie(), 'caseclock_session');
  const csrf = /name="csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? '';
  expect(loginCookie).not.toBe('');
  expect(csrf).not.toBe('');
  const res = await fetch(`${consoleBase}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: loginCookie },
    body: new URLSearchParams({ csrf, user, password: PASSWORD, next: '/' }),
  });
  expect(res.status).toBe(303);
  const setCookie = res.headers.getSetCookie().find((c) => c.startsWith('caseclock_session=')) ?? '';
  const cookie = setCookie.split(';')[0] ?? '';
  expect(cookie).not.toBe(loginCookie); // a new session at sign-in, never the anonymous one
  return { cookie, setCookie };
}

/** The signed value (`<session id>.<signature>`) of a `caseclock_session=...` pair. */
const sessionValue = (cookie: string): string => cookie.slice('caseclock_session='.length);

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'caseclock-codec-'));
  usersFile = path.join(dir, 'users.json');
  const passwordHash = await hashPassword(PASSWORD);
  saveUsers([
    { id: 'ada', name: 'Ada Administrator', role: 'administrator', passwordHash },
    { id: 'abe', name: 'Abe Administrator', role: 'administrator', passwordHash },
    { id: 'amy', name: 'Amy Administrator', role: 'administrator', passwordHash },
    { id: 'tess', name: 'Tess Manager', role: 'manager', team: 'NORTH', passwordHash },
    { id: 'val', name: 'Val Viewer', role: 'viewer', passwordHash },
  ]);
  // The console and the codec server each have their own UserDirectory and store connection, as they are separate processes.
  const client = new Proxy({}, { get: () => () => Promise.reject(new Error('Temporal must not be called')) }) as unknown as Client;
  console_ = await startTestConsole({ client, usersFile });
  consoleBase = console_.url;
  codecStore = openConsoleStore(storeUrl());
  const check = consoleCookieChecker(codecStore, new UserDirectory(usersFile), TEST_SESSION_SECRET, LIMITS);
  server = createCodecServer({
    codec,
    token: TOKEN,
    consoleSignIn: { personFor: (cookie) => check(cookie, Date.now() + skewMs) },
    allowedOrigins: [UI_ORIGIN],
    logger: createLogger({ level: 'info', destination: { write: (line) => void audit.push(JSON.parse(line) as Record<string, unknown>) } }),
  });
  base = await listen(server);
});
afterAll(async () => {
  await close(server);
  await console_?.close();
  await codecStore?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the codec server', () => {
  it('refuses /decode and /encode without the right bearer token', async () => {
    const body = { payloads: [toJson((await codec.encode([defaultPayloadConverter.toPayload(SECRET)]))[0]!)] };
    const attempts: Record<string, string>[] = [{}, { Authorization: 'Bearer wrong-token' }, { Authorization: `Basic ${TOKEN}` }, { Authorization: `Bearer ${TOKEN}x` }];
    for (const headers of attempts) {
      const decode = await post('/decode', body, headers);
      expect(decode.status).toBe(401);
      expect(decode.headers.get('www-authenticate')).toMatch(/^Bearer/);
      const text = await decode.text();
      expect(text).not.toContain('ZEBRA');
      expect((await post('/encode', body, headers)).status).toBe(401);
    }
  });

  it('answers the Web UI preflight with the headers it sends', async () => {
    const res = await fetch(`${base}/decode`, {
      method: 'OPTIONS',
      headers: { Origin: UI_ORIGIN, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization,content-type,x-namespace' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
    expect(res.headers.get('access-control-allow-methods')).toMatch(/POST/);
    const allowed = (res.headers.get('access-control-allow-headers') ?? '').toLowerCase().split(/,\s*/);
    expect(allowed).toEqual(expect.arrayContaining(['authorization', 'content-type', 'x-namespace']));
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
  });

  it('gives other origins no CORS access', async () => {
    const preflight = await fetch(`${base}/decode`, { method: 'OPTIONS', headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' } });
    expect(preflight.status).toBe(403);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const res = await post('/decode', { payloads: [] }, { ...auth, Origin: 'https://evil.example' });
    expect(res.status).toBe(403);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('decodes what the worker encrypted, for a caller with the token', async () => {
    const encrypted = await codec.encode([defaultPayloadConverter.toPayload(SECRET), defaultPayloadConverter.toPayload(7)]);
    const plain = defaultPayloadConverter.toPayload('written before encryption');
    const res = await post('/decode', { payloads: [...encrypted, plain].map(toJson) }, auth);
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
    const { payloads } = (await res.json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
    expect(payloads.map((p) => defaultPayloadConverter.fromPayload(fromJson(p)))).toEqual([SECRET, 7, 'written before encryption']);
    expect(audit.at(-1)).toMatchObject({ level: 'info', component: 'codec', msg: 'codec request', path: '/decode', status: 200, namespace: 'default', payloads: 3 });
    expect(JSON.stringify(audit)).not.toContain('ZEBRA');
  });

  it('encodes for a caller with the token (the UI sends signal and query input this way)', async () => {
    const res = await post('/encode', { payloads: [toJson(defaultPayloadConverter.toPayload(SECRET))] }, auth);
    expect(res.status).toBe(200);
    const { payloads } = (await res.json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
    expect(Buffer.from(payloads[0]!.metadata.encoding!, 'base64').toString()).toBe('binary/encrypted');
    expect(Buffer.from(payloads[0]!.data, 'base64').includes('ZEBRA')).toBe(false);
    expect((await codec.decode(payloads.map(fromJson))).map((p) => defaultPayloadConverter.fromPayload(p))).toEqual([SECRET]);
  });

  it('says which key is missing, and refuses malformed bodies', async () => {
    const foreign = await new EncryptionCodec([testKey('other-deployment')], 'other-deployment').encode([defaultPayloadConverter.toPayload(SECRET)]);
    const missing = await post('/decode', { payloads: foreign.map(toJson) }, auth);
    expect(missing.status).toBe(422);
    expect(((await missing.json()) as { error: string }).error).toMatch(/"other-deployment" is not configured/);
    expect((await post('/decode', 'not json', auth)).status).toBe(400);
    expect((await post('/decode', { payloads: [{ data: '***' }] }, auth)).status).toBe(400);
    expect((await post('/decode', { nothing: [] }, auth)).status).toBe(400);
    expect((await fetch(`${base}/decode`, { headers: auth })).status).toBe(405);
    expect((await post('/elsewhere', { payloads: [] }, auth)).status).toBe(404);
  });

  it('compares tokens in constant time whatever their length', () => {
    expect(tokenMatches(TOKEN, TOKEN)).toBe(true);
    expect(tokenMatches('', TOKEN)).toBe(false);
    expect(tokenMatches(TOKEN.slice(0, -1), TOKEN)).toBe(false);
  });

  it('starts from configuration only with keys and a token or a session secret', async () => {
    const keys = encryptionEnv(testKey('k1'));
    await expect(startCodecServer(parseConfig({ CASECLOCK_CODEC_PORT: '1' }))).rejects.toThrow(/CASECLOCK_ENCRYPTION_KEYS is not set/);
    await expect(startCodecServer(parseConfig({ ...keys }))).rejects.toThrow(/neither CASECLOCK_CODEC_TOKEN nor CASECLOCK_SESSION_SECRET is set/);
    expect(() => createCodecServer({ codec, allowedOrigins: [UI_ORIGIN] })).toThrow(/refuses to run without authentication/);
    const started = await startCodecServer(parseConfig({ ...keys, CASECLOCK_CODEC_TOKEN: TOKEN, CASECLOCK_CODEC_PORT: String(await freePort()) }));
    try {
      const res = await fetch(`${started.url}/decode`, { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: '{"payloads":[]}' });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ payloads: [] });
    } finally {
      await started.close();
    }
  });
});

describe('the codec server with the console sign-in (the Web UI)', () => {
  const EVIL = 'https://evil.example';
  const encrypted = async () => ({ payloads: (await codec.encode([defaultPayloadConverter.toPayload(SECRET)])).map(toJson) });
  const decodeWith = async (cookie: string, headers: Record<string, string> = {}) => post('/decode', await encrypted(), { Cookie: cookie, ...headers });
  const decoded = async (res: Response) => ((await res.json()) as { payloads: { metadata: Record<string, string>; data: string }[] }).payloads.map((p) => defaultPayloadConverter.fromPayload(fromJson(p)));
  /** What a browser needs to let the page read a credentialed answer. */
  const expectCredentialedCors = (res: Response) => {
    expect(res.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    expect(res.headers.get('vary') ?? '').toMatch(/\bOrigin\b/);
  };

  it('gets a console cookie the browser also sends to the codec server on another port of the same host', async () => {
    const { setCookie } = await consoleCookie('ada');
    // Host-only (no Domain), Path=/, HttpOnly and SameSite=Strict: sent to every port of the
    // console's host from pages of the same site (the Web UI on localhost:8233); no Secure over http.
    const [pair, ...attributes] = setCookie.split(/;\s*/);
    expect(pair).toMatch(/^caseclock_session=[^;]+$/);
    expect(attributes).toEqual(expect.arrayContaining(['Path=/', 'HttpOnly', 'SameSite=Strict']));
    expect(attributes.some((a) => /^Max-Age=\d+$|^Expires=/i.test(a))).toBe(true);
    expect(setCookie).not.toMatch(/Domain=|Secure/i);
  });

  it('decodes for an administrator signed in to the console, with CORS for credentials', async () => {
    const { cookie } = await consoleCookie('ada');
    const res = await decodeWith(cookie);
    expect(res.status).toBe(200);
    expectCredentialedCors(res);
    expect(await decoded(res)).toEqual([SECRET]);
    expect(audit.at(-1)).toMatchObject({ path: '/decode', status: 200, auth: 'session', user: 'ada', origin: UI_ORIGIN, payloads: 1 });
    const encode = await post('/encode', { payloads: [toJson(defaultPayloadConverter.toPayload(SECRET))] }, { Cookie: `other=1; ${cookie}` });
    expect(encode.status).toBe(200);
  });

  it('refuses managers and viewers with 403, and says why', async () => {
    for (const who of ['tess', 'val']) {
      const { cookie } = await consoleCookie(who);
      const res = await decodeWith(cookie);
      expect(res.status).toBe(403);
      expectCredentialedCors(res); // so the Web UI can tell "forbidden" from a network error
      const text = await res.text();
      expect(text).toMatch(/only an administrator may/);
      expect(text).not.toContain('ZEBRA');
      expect(audit.at(-1)).toMatchObject({ status: 403, auth: 'session', user: who });
      expect((await post('/encode', { payloads: [] }, { Cookie: cookie })).status).toBe(403);
    }
  });

  it('refuses a tampered, forged, foreign, anonymous, expired or idle cookie with 401', async () => {
    const { cookie } = await consoleCookie('val');
    const admin = await consoleCookie('ada');
    const [valSid, valSignature] = sessionValue(cookie).split('.') as [string, string];
    const [adaSid] = sessionValue(admin.cookie).split('.') as [string, string];
    // The anonymous session the sign-in form starts is signed and stored, but nobody is signed in with it.
    const form = await fetch(`${consoleBase}/login`);
    const anonymous = cookiePair(form.headers.getSetCookie(), 'caseclock_session');
    expect(anonymous).not.toBe('');
    const bad = [
      `${adaSid}.${valSignature}`, // an administrator's session id with a viewer's signature
      `${valSid}.${valSignature}x`,
      `${valSid}.`,
      valSid,
      'garbage',
      signerFactory(randomBytes(32).toString('base64')).sign(adaSid), // a real session id signed with another secret
      signerFactory(TEST_SESSION_SECRET).sign(randomBytes(24).toString('base64url')), // well signed, no such session
    ];
    for (const value of bad) {
      const res = await decodeWith(`caseclock_session=${value}`);
      expect(res.status).toBe(401);
      expect(await res.text()).not.toContain('ZEBRA');
    }
    expect((await decodeWith(anonymous)).status).toBe(401);
    expect((await decodeWith(admin.cookie)).status).toBe(200);
    try {
      skewMs = LIMITS.lifetimeMs + 1; // past the session's lifetime
      expect((await decodeWith(admin.cookie)).status).toBe(401);
      skewMs = LIMITS.idleMs + 1; // within its lifetime, but unused for longer than the idle limit
      expect(LIMITS.idleMs + 1).toBeLessThan(LIMITS.lifetimeMs);
      expect((await decodeWith(admin.cookie)).status).toBe(401);
      skewMs = LIMITS.idleMs - 60_000; // still in time
      expect((await decodeWith(admin.cookie)).status).toBe(200);
    } finally {
      skewMs = 0;
    }
  });

  it('judges expiry and idleness with the limits it is given (consoleCookieChecker, as the codec server runs it)', async () => {
    const { cookie } = await consoleCookie('ada');
    const value = sessionValue(cookie);
    const signedInAt = Date.now();
    const strict = consoleCookieChecker(codecStore, new UserDirectory(usersFile), TEST_SESSION_SECRET, { lifetimeMs: 10 * 60_000, idleMs: 2 * 60_000 });
    expect(await strict(value)).toMatchObject({ id: 'ada', role: 'administrator' });
    expect(await strict(value, signedInAt + 60_000)).toMatchObject({ id: 'ada' });
    expect(await strict(value, signedInAt + 5 * 60_000)).toBeUndefined(); // idle: 5 minutes > 2
    expect(await strict(value, signedInAt + 11 * 60_000)).toBeUndefined(); // expired: 11 minutes > 10
    // The same session under the console's own limits is fine at 5 minutes: the limits decide.
    const lenient = consoleCookieChecker(codecStore, new UserDirectory(usersFile), TEST_SESSION_SECRET, LIMITS);
    expect(await lenient(value, signedInAt + 5 * 60_000)).toMatchObject({ id: 'ada' });
    // The checker never marks the session used: idleness is still counted from the sign-in.
    expect(await strict(value, signedInAt + 5 * 60_000)).toBeUndefined();
    // A different session secret does not accept the console's cookie.
    const otherSecret = consoleCookieChecker(codecStore, new UserDirectory(usersFile), randomBytes(32).toString('base64'), LIMITS);
    expect(await otherSecret(value)).toBeUndefined();
  });

  it('refuses a session once it is signed out of the console', async () => {
    const { cookie } = await consoleCookie('ada');
    expect((await decodeWith(cookie)).status).toBe(200);
    // Any signed-in page carries a CSRF field for the sign-out form.
    const page = await fetch(`${consoleBase}/account/password`, { headers: { cookie }, redirect: 'manual' });
    expect(page.status).toBe(200);
    const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
    const out = await fetch(`${consoleBase}/logout`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: new URLSearchParams({ csrf }),
    });
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toMatch(/^\/login/);
    const res = await decodeWith(cookie);
    expect(res.status).toBe(401);
    expect(await res.text()).not.toContain('ZEBRA');
  });

  it('reads the users file on every request: a removed administrator gets 401, a demoted one 403, a changed password 401, at once', async () => {
    const abe = await consoleCookie('abe');
    const amy = await consoleCookie('amy');
    const ada = await consoleCookie('ada');
    for (const c of [abe, amy, ada]) expect((await decodeWith(c.cookie)).status).toBe(200);
    const before = people;
    const newHash = await hashPassword('a different password 2');
    try {
      saveUsers(before.filter((u) => u.id !== 'abe').map((u) => (u.id === 'amy' ? { ...u, role: 'viewer' as const } : u.id === 'ada' ? { ...u, passwordHash: newHash } : u)));
      expect((await decodeWith(abe.cookie)).status).toBe(401);
      expect((await decodeWith(amy.cookie)).status).toBe(403);
      expect((await decodeWith(ada.cookie)).status).toBe(401);
    } finally {
      saveUsers(before);
    }
    expect((await decodeWith(abe.cookie)).status).toBe(200);
    expect((await decodeWith(amy.cookie)).status).toBe(200);
  });

  it('ignores the cookie without an allowed Origin, so no other page can use it', async () => {
    const { cookie } = await consoleCookie('ada');
    const noOrigin = await fetch(`${base}/decode`, { method: 'POST', headers: { 'Content-Type': 'application/json', Cookie: cookie }, body: JSON.stringify(await encrypted()) });
    expect(noOrigin.status).toBe(401);
    expect(noOrigin.headers.get('access-control-allow-origin')).toBeNull();
    const evil = await decodeWith(cookie, { Origin: EVIL });
    expect(evil.status).toBe(403);
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    expect(evil.headers.get('access-control-allow-credentials')).toBeNull();
    expect(await evil.text()).not.toContain('ZEBRA');
  });

  it('answers the credentialed preflight from the Web UI with its exact origin, never *, and nothing to another origin', async () => {
    // fetch(..., { credentials: 'include' }) with Content-Type: application/json and X-Namespace.
    const preflight = (origin: string) =>
      fetch(`${base}/decode`, { method: 'OPTIONS', headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type,x-namespace' } });
    const ok = await preflight(UI_ORIGIN);
    expect(ok.status).toBe(204);
    expectCredentialedCors(ok);
    expect(ok.headers.get('access-control-allow-methods')).toMatch(/POST/);
    expect((ok.headers.get('access-control-allow-headers') ?? '').toLowerCase().split(/,\s*/)).toEqual(expect.arrayContaining(['content-type', 'x-namespace']));
    const other = await preflight(EVIL);
    expect(other.status).toBe(403);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    expect(other.headers.get('access-control-allow-credentials')).toBeNull();
    const unauthenticated = await post('/decode', { payloads: [] });
    expect(unauthenticated.status).toBe(401);
    expectCredentialedCors(unauthenticated);
    for (const res of [ok, unauthenticated]) expect(res.headers.get('access-control-allow-origin')).not.toBe('*');
  });

  it('still takes the bearer token (the CLI), with or without a cookie', async () => {
    const val = await consoleCookie('val');
    const res = await post('/decode', await encrypted(), { ...auth, Cookie: val.cookie });
    expect(res.status).toBe(200);
    expect(await decoded(res)).toEqual([SECRET]);
    expect(audit.at(-1)).toMatchObject({ status: 200, auth: 'token' });
    expect(audit.at(-1)).not.toHaveProperty('user');
  });

  it('routes on the last path segment, as the codec protocol asks (a proxy may add a prefix)', async () => {
    const { cookie } = await consoleCookie('ada');
    const res = await post('/caseclock/codec/decode', await encrypted(), { Cookie: cookie });
    expect(res.status).toBe(200);
    expect(await decoded(res)).toEqual([SECRET]);
  });

  it('says 503, not 401, when the users file or the console store cannot be read', async () => {
    const unreachable = openConsoleStore('postgres://caseclock@127.0.0.1:1/nowhere');
    const brokenServers = [
      consoleCookieChecker(codecStore, new UserDirectory(path.join(dir, 'missing.json')), TEST_SESSION_SECRET, LIMITS),
      consoleCookieChecker(unreachable, new UserDirectory(usersFile), TEST_SESSION_SECRET, LIMITS),
    ].map((personFor) => createCodecServer({ codec, consoleSignIn: { personFor }, allowedOrigins: [UI_ORIGIN], logger: createLogger({ level: 'silent' }) }));
    try {
      const { cookie } = await consoleCookie('ada');
      for (const broken of brokenServers) {
        const brokenBase = await listen(broken);
        const res = await fetch(`${brokenBase}/decode`, { method: 'POST', headers: { 'Content-Type': 'application/json', Origin: UI_ORIGIN, Cookie: cookie }, body: '{"payloads":[]}' });
        expect(res.status).toBe(503);
      }
    } finally {
      for (const broken of brokenServers) await close(broken);
      await unreachable.close();
    }
  });

  it('starts from configuration with keys and only the session secret: console cookies work, no token is accepted', async () => {
    const key = testKey('k1');
    const started = await startCodecServer(
      parseConfig({
        ...encryptionEnv(key),
        CASECLOCK_SESSION_SECRET: TEST_SESSION_SECRET,
        CASECLOCK_USERS_FILE: usersFile,
        CASECLOCK_STORE_URL: storeUrl(),
        CASECLOCK_CODEC_PORT: String(await freePort()),
        CASECLOCK_CODEC_CORS_ORIGINS: UI_ORIGIN,
      }),
    );
    try {
      const call = (headers: Record<string, string>) => fetch(`${started.url}/decode`, { method: 'POST', headers: { 'Content-Type': 'application/json', Origin: UI_ORIGIN, ...headers }, body: '{"payloads":[]}' });
      expect((await call({ Cookie: (await consoleCookie('ada')).cookie })).status).toBe(200);
      expect((await call({ Cookie: (await consoleCookie('val')).cookie })).status).toBe(403);
      expect((await call(auth)).status).toBe(401);
    } finally {
      await started.close();
    }
  });

  it('warns when a loopback console and the Web UI are on different host names (the cookie would not be sent)', () => {
    const base = { CASECLOCK_SESSION_SECRET: TEST_SESSION_SECRET, CONSOLE_PUBLIC_URL: 'http://localhost:8080' };
    expect(cookieWarning(parseConfig(base))).toBeUndefined();
    expect(cookieWarning(parseConfig({ ...base, CASECLOCK_CODEC_CORS_ORIGINS: 'http://127.0.0.1:8233' }))).toMatch(/only the bearer token works/);
    expect(cookieWarning(parseConfig({ CONSOLE_PUBLIC_URL: 'http://localhost:8080', CASECLOCK_CODEC_CORS_ORIGINS: 'http://127.0.0.1:8233' }))).toBeUndefined();
  });
});
