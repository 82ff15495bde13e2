/**
 * The console's single sign-on against a real OpenID Connect provider (oidc-provider in this
 * process): the whole authorization code flow without a browser (the provider's login form is
 * submitted with fetch, its cookies carried by hand), the claims mapped to CaseClock roles, and
 * the refusals: no role, a tampered state, a wrong nonce, a code used twice. Then the settings
 * and the environment variables.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readUsersFile } from '../../client/identity/auth';
import { personFromSession } from '../../client/identity/session';
import { run as usersCommand } from '../../client/cli/users';
import { ConfigError, parseConfig } from '../../common/config';
import { isSsoUserId, ssoUserId } from '../../common/sso-identity';
import { UserId } from '../../domain/facts';
import { createOidcSignIn, mapClaims, OidcDiscoveryError, OidcSettings, oidcSettingsFromConfig, type OidcSignIn, type PendingSignIn } from '../../client/console/oidc';
import { startTestProvider, type AccountClaims, type TestProvider } from '../support/oidc-provider';

const CLIENT_ID = 'caseclock-console';
const CLIENT_SECRET = 'a-client-secret-for-tests-only-0123456789';
const REDIRECT = 'http://127.0.0.1:8080/auth/callback';

const ACCOUNTS: Record<string, AccountClaims> = {
  'sub-ada': { preferred_username: 'ada', name: 'Ada Admin', groups: ['staff', 'cc-admins'] },
  'sub-hal': { preferred_username: 'hal', name: 'Hal Head', groups: ['cc-hos'], caseclock_teams: ['LOCALITY-NORTH', 'LOCALITY-SOUTH'] },
  // In both the managers' and viewers' groups: the manager role wins.
  'sub-meg': { preferred_username: 'meg', name: 'Meg Manager', groups: ['cc-viewers', 'cc-managers'], team: 'LOCALITY-NORTH' },
  'sub-vic': { preferred_username: 'vic', name: 'Vic Viewer', groups: 'cc-viewers' },
  'sub-fin': { preferred_username: 'fin', name: 'Fin Finance', groups: ['finance'] },
  'sub-max': { preferred_username: 'max', name: 'Max Manager', groups: ['cc-managers'] },
  // Two people the provider names like the console's password accounts admin2 and mnorth.
  'sub-admin2': { preferred_username: 'admin2', name: 'Not The Admin', groups: ['cc-viewers'], team: 'LOCALITY-SOUTH' },
  'sub-mnorth': { preferred_username: 'mnorth', name: 'M North (South team)', groups: ['cc-managers'], team: 'LOCALITY-SOUTH' },
};

/** A cookie jar for one browser: name → value, per host (the provider is on one host). */
class Browser {
  private readonly cookies = new Map<string, string>();

  async request(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.cookies.size > 0) headers['cookie'] = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (init.form) headers['content-type'] = 'application/x-www-form-urlencoded';
    const res = await fetch(url, {
      method: init.method ?? 'GET',
      headers,
      redirect: 'manual',
      ...(init.form ? { body: new URLSearchParams(init.form).toString() } : {}),
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (/expires=Thu, 01 Jan 1970/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  /**
   * Follows the provider's redirects from the authorization URL, signs in as `accountId` on its
   * login form, and returns the URL it finally sends the browser to (the console's callback).
   */
  async signIn(authorizationUrl: string, accountId: string): Promise<URL> {
    let url = authorizationUrl;
    let form: Record<string, string> | undefined;
    for (let hop = 0; hop < 10; hop++) {
      const res = await this.request(url, form ? { method: 'POST', form } : {});
      form = undefined;
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        const next = new URL(location, url);
        if (next.href.startsWith(REDIRECT)) return next;
        url = next.href;
        continue;
      }
      const html = await res.text();
      expect(res.status, html).toBe(200);
      // oidc-provider's development login page: input[name=login], input[name=password].
      const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
      expect(html).toContain('name="login"');
      expect(html).toContain('name="password"');
      expect(action).toBeDefined();
      url = new URL(action!.replace(/&amp;/g, '&'), url).href;
      form = { prompt: 'login', login: accountId, password: 'anything' };
    }
    throw new Error('too many redirects');
  }
}

let provider: TestProvider;
let signIn: OidcSignIn;

beforeAll(async () => {
  provider = await startTestProvider({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUri: REDIRECT, accounts: ACCOUNTS });
  signIn = createOidcSignIn({ issuer: provider.issuer, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUrl: REDIRECT });
});
afterAll(async () => {
  await provider?.close();
});

/** The user signIn.finish() gives for an account of `provider`: keyed by issuer and subject, shown by name. */
const ssoUser = (subject: string, username: string, rest: Record<string, unknown>, issuer = provider.issuer) => ({
  id: ssoUserId(issuer, subject),
  issuer,
  subject,
  username,
  ...rest,
});

async function throughProvider(accountId: string, sso: OidcSignIn = signIn): Promise<{ callback: URL; pending: PendingSignIn }> {
  const { url, pending } = await sso.begin();
  const callback = await new Browser().signIn(url, accountId);
  return { callback, pending };
}

describe('single sign-on against a real OpenID Connect provider', () => {
  it('sends the browser to the provider with PKCE S256, a state and a nonce, fresh each time', async () => {
    const a = await signIn.begin();
    const b = await signIn.begin();
    const url = new URL(a.url);
    expect(url.origin).toBe(provider.issuer);
    expect(url.searchParams.get('client_id')).toBe(CLIENT_ID);
    expect(url.searchParams.get('redirect_uri')).toBe(REDIRECT);
    expect(url.searchParams.get('response_type')).toBe('code');
    expect(url.searchParams.get('scope')).toBe('openid profile');
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url.searchParams.get('code_challenge')).not.toBe(a.pending.codeVerifier);
    expect(url.searchParams.get('state')).toBe(a.pending.state);
    expect(url.searchParams.get('nonce')).toBe(a.pending.nonce);
    expect(url.searchParams.has('client_secret')).toBe(false);
    expect(a.url).not.toContain(CLIENT_SECRET);
    expect(b.pending.state).not.toBe(a.pending.state);
    expect(b.pending.nonce).not.toBe(a.pending.nonce);
    expect(b.pending.codeVerifier).not.toBe(a.pending.codeVerifier);
  });

  it('signs in an administrator', async () => {
    const { callback, pending } = await throughProvider('sub-ada');
    expect(callback.searchParams.get('state')).toBe(pending.state);
    expect(await signIn.finish(callback, pending)).toEqual({ ok: true, user: ssoUser('sub-ada', 'ada', { name: 'Ada Admin', role: 'administrator' }) });
    // Discovery happened once, for the first begin(), and is reused since.
    expect(provider.discoveries()).toBe(1);
  });

  it('signs in a head of service with the teams they oversee', async () => {
    const { callback, pending } = await throughProvider('sub-hal');
    expect(await signIn.finish(callback, pending)).toEqual({
      ok: true,
      user: ssoUser('sub-hal', 'hal', { name: 'Hal Head', role: 'head-of-service', teams: ['LOCALITY-NORTH', 'LOCALITY-SOUTH'] }),
    });
  });

  it('signs in a manager with their team (the manager group wins over the viewer group)', async () => {
    const { callback, pending } = await throughProvider('sub-meg');
    expect(await signIn.finish(callback, pending)).toEqual({ ok: true, user: ssoUser('sub-meg', 'meg', { name: 'Meg Manager', role: 'manager', team: 'LOCALITY-NORTH' }) });
  });

  it('signs in a viewer without a team (a single group given as a string)', async () => {
    const { callback, pending } = await throughProvider('sub-vic');
    expect(await signIn.finish(callback, pending)).toEqual({ ok: true, user: ssoUser('sub-vic', 'vic', { name: 'Vic Viewer', role: 'viewer' }) });
  });

  it('refuses someone whose groups map to no CaseClock role, saying why', async () => {
    const { callback, pending } = await throughProvider('sub-fin');
    const result = await signIn.finish(callback, pending);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(/^user fin: none of the values of the claim "groups" maps to a CaseClock role/);
    expect(!result.ok && result.reason).not.toContain('finance'); // claim values stay out of logs
  });

  it('refuses a manager the provider gives no team', async () => {
    const { callback, pending } = await throughProvider('sub-max');
    expect(await signIn.finish(callback, pending)).toEqual({ ok: false, reason: 'user max: a manager needs a team, and the claim "team" is missing' });
  });

  it('refuses a tampered state, and the code is not redeemed for it', async () => {
    const { callback, pending } = await throughProvider('sub-ada');
    const tampered = new URL(callback);
    tampered.searchParams.set('state', `${pending.state}x`);
    const result = await signIn.finish(tampered, pending);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(/state/);
    // The same callback with the session's own state still works: nothing was spent.
    expect((await signIn.finish(callback, pending)).ok).toBe(true);
  });

  it("refuses a callback that belongs to another sign-in (another session's state)", async () => {
    const first = await throughProvider('sub-ada');
    const other = await signIn.begin();
    const result = await signIn.finish(first.callback, other.pending);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(/state/);
  });

  it('refuses a wrong nonce', async () => {
    const { callback, pending } = await throughProvider('sub-ada');
    const result = await signIn.finish(callback, { ...pending, nonce: `${pending.nonce}x` });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(/nonce/);
  });

  it('refuses a wrong PKCE verifier', async () => {
    const { callback, pending } = await throughProvider('sub-ada');
    const other = await signIn.begin();
    const result = await signIn.finish(callback, { ...pending, codeVerifier: other.pending.codeVerifier });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(/invalid_grant/);
  });

  it('refuses a code used twice', async () => {
    const { callback, pending } = await throughProvider('sub-ada');
    expect((await signIn.finish(callback, pending)).ok).toBe(true);
    const again = await signIn.finish(callback, pending);
    expect(again.ok).toBe(false);
    expect(!again.ok && again.reason).toMatch(/invalid_grant/);
  });

  it("refuses a callback with no sign-in in progress, and the provider's own error", async () => {
    const { callback } = await throughProvider('sub-ada');
    expect(await signIn.finish(callback, {} as PendingSignIn)).toEqual({ ok: false, reason: 'no sign-in was in progress in this session (start again)' });
    const { pending } = await signIn.begin();
    const denied = new URL(REDIRECT);
    denied.search = new URLSearchParams({ error: 'access_denied', error_description: 'End-User aborted interaction', state: pending.state, iss: provider.issuer }).toString();
    const result = await signIn.finish(denied, pending);
    expect(result).toEqual({ ok: false, reason: 'the sign-in could not be completed: the identity provider answered access_denied (End-User aborted interaction)' });
  });

  it('reads the claims from the ID token when the provider puts them there, with other claim names', async () => {
    const other = await startTestProvider({
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      redirectUri: REDIRECT,
      claimsInIdToken: true,
      accounts: { 'sub-hana': { upn: 'hana', display: 'Hana Head', roles: ['CaseClock.HeadOfService'], area: 'LOCALITY-EAST, LOCALITY-WEST' } },
    });
    try {
      const sso = createOidcSignIn({
        issuer: other.issuer,
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
        redirectUrl: REDIRECT,
        scopes: 'openid profile',
        claims: { user: 'upn', name: 'display', role: 'roles', area: 'area' },
        roleMap: { 'CaseClock.HeadOfService': 'head-of-service' },
      });
      const { callback, pending } = await throughProvider('sub-hana', sso);
      expect(await sso.finish(callback, pending)).toEqual({
        ok: true,
        user: ssoUser('sub-hana', 'hana', { name: 'Hana Head', role: 'head-of-service', teams: ['LOCALITY-EAST', 'LOCALITY-WEST'] }, other.issuer),
      });
    } finally {
      await other.close();
    }
  });

  it('says which issuer could not be discovered, and tries again on the next sign-in', async () => {
    const gone = await startTestProvider({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUri: REDIRECT, accounts: {} });
    const issuer = gone.issuer;
    await gone.close();
    const sso = createOidcSignIn({ issuer, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUrl: REDIRECT });
    const err = await sso.begin().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OidcDiscoveryError);
    expect((err as Error).message).toContain(`could not discover the identity provider at ${issuer}`);
    expect((err as Error).message).not.toContain(CLIENT_SECRET);
    await expect(sso.begin()).rejects.toBeInstanceOf(OidcDiscoveryError);
  });
});

describe("a single sign-on identity never takes a password account's user id", () => {
  const limits = { lifetimeMs: 3_600_000, idleMs: 1_800_000 };
  const local = { id: 'admin2', name: 'Second Administrator', role: 'administrator' as const, passwordHash: 'x' };
  const users = { find: (id: string) => (id === local.id ? local : undefined) } as unknown as Parameters<typeof personFromSession>[1];

  it('someone the provider calls admin2 or mnorth signs in as their own id, shown by their name', async () => {
    for (const [account, username] of [
      ['sub-admin2', 'admin2'],
      ['sub-mnorth', 'mnorth'],
    ] as const) {
      const { callback, pending } = await throughProvider(account);
      const result = await signIn.finish(callback, pending);
      if (!result.ok) throw new Error(result.reason);
      expect(result.user.id).toBe(ssoUserId(provider.issuer, account));
      expect(result.user.id).not.toBe(username);
      expect(result.user.username).toBe(username);
      expect(result.user.name).toBe(ACCOUNTS[account]?.name);
    }
  });

  it('a session acts as the single sign-on id only: one keyed by a password account id (from before) is over', () => {
    const now = Date.now();
    const id = ssoUserId(provider.issuer, 'sub-admin2');
    const person = { id, name: 'Not The Admin', role: 'viewer' as const, team: 'LOCALITY-SOUTH' };
    expect(personFromSession({ via: 'sso', uid: id, since: now, seen: now, person }, users, 'secret', limits, now)).toEqual({ person: { ...person, via: 'sso' }, mustChangePassword: false });
    for (const forged of [
      { via: 'sso', uid: 'admin2', since: now, seen: now, person: { ...person, id: 'admin2' } },
      { via: 'sso', uid: id, since: now, seen: now, person: { ...person, id: 'admin2' } },
      { via: 'password', uid: id, since: now, seen: now, pw: 'x' },
    ]) {
      expect(personFromSession(forged, users, 'secret', limits, now)).toEqual({ reason: 'none' });
    }
  });

  it('no password account may have an id that begins sso.', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'caseclock-sso-ids-'));
    const file = path.join(dir, 'users.json');
    let asked = false;
    const password = async () => {
      asked = true;
      return 'a long enough password for this';
    };
    await expect(usersCommand(['add', ssoUserId(provider.issuer, 'sub-admin2'), '--role', 'viewer'], file, password)).rejects.toThrow(/<id>: must not begin with "sso\."/);
    await expect(usersCommand(['add', 'SSO.admin', '--role', 'viewer'], file, password)).rejects.toThrow(/must not begin with "sso\."/);
    expect(asked).toBe(false);
    writeFileSync(file, JSON.stringify({ users: [{ ...local, id: 'sso.0123456789abcdef0123456789abcdef', passwordHash: `scrypt$15$8$1$${'A'.repeat(24)}$${'B'.repeat(44)}` }] }));
    expect(() => readUsersFile(file)).toThrow(/users\.0\.id: must not begin with "sso\."/);
  });
});

describe('claims mapping on its own', () => {
  const settings = OidcSettings.parse({ issuer: 'https://login.council.example', clientId: 'c', clientSecret: 's', redirectUrl: 'https://cc.example/auth/callback' });

  it('keys the user by issuer and subject, shown by the sign-in name when there is no name, else by the id', () => {
    const id = ssoUserId('https://login.council.example', 'u123');
    expect(isSsoUserId(id)).toBe(true);
    expect(UserId.safeParse(id).success).toBe(true); // fits a case event's `by`
    expect(mapClaims({ sub: 'u123', preferred_username: 'ursula', groups: ['cc-admins'] }, settings)).toEqual({
      ok: true,
      user: { id, name: 'ursula', username: 'ursula', issuer: 'https://login.council.example', subject: 'u123', role: 'administrator' },
    });
    expect(mapClaims({ sub: 'u123', groups: ['cc-admins'] }, settings)).toEqual({ ok: true, user: { id, name: id, issuer: 'https://login.council.example', subject: 'u123', role: 'administrator' } });
    // The same subject at another issuer is someone else; a sign-in name that is an email address is only a label.
    const elsewhere = mapClaims({ iss: 'https://other.example', sub: 'u123', preferred_username: 'ada@council.example', groups: ['cc-admins'] }, settings);
    expect(elsewhere.ok && elsewhere.user.id).toBe(ssoUserId('https://other.example', 'u123'));
    expect(elsewhere.ok && elsewhere.user.id).not.toBe(id);
    expect(elsewhere.ok && elsewhere.user.name).toBe('ada@council.example');
  });

  it.each([
    ['no subject', { preferred_username: 'ada', groups: ['cc-admins'] }, /no usable "sub" claim/],
    ['no role claim at all', { sub: 'x', preferred_username: 'ada' }, /^user ada: the identity provider sent no "groups" claim/],
    ['a role claim that is not strings', { sub: 'x', preferred_username: 'ada', groups: [1, 2] }, /^user ada: the claim "groups" must be a string or a list of strings/],
    ['a head of service without teams', { sub: 'x', preferred_username: 'hal', groups: ['cc-hos'] }, /^user hal: a head of service needs the teams they oversee, and the claim "caseclock_teams" is missing/],
    ['a head of service with an empty list', { sub: 'x', preferred_username: 'hal', groups: ['cc-hos'], caseclock_teams: [] }, /must list at least one team code/],
    ['a manager with two teams', { sub: 'x', preferred_username: 'meg', groups: ['cc-managers'], team: ['A', 'B'] }, /^user meg: the claim "team" must be one team code/],
    ['a group named like an object property', { sub: 'x', preferred_username: 'eve', groups: ['constructor', '__proto__'] }, /maps to a CaseClock role/],
  ])('refuses %s', (_label, claims, reason) => {
    const result = mapClaims(claims, settings);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(reason);
  });

  it('refuses an http issuer anywhere but this machine', () => {
    const result = OidcSettings.safeParse({ issuer: 'http://login.council.example', clientId: 'c', clientSecret: 's', redirectUrl: 'https://cc.example/auth/callback' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/must be https/);
  });
});

describe('single sign-on configuration from the environment', () => {
  const refusal = (env: Record<string, string>): string => {
    try {
      parseConfig(env);
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return (err as Error).message;
    }
    throw new Error('configuration was accepted');
  };

  it('is off without an issuer', () => {
    expect(oidcSettingsFromConfig(parseConfig({}))).toBeUndefined();
  });

  it('reads every variable, with the redirect URL under CONSOLE_PUBLIC_URL by default', () => {
    const minimal = oidcSettingsFromConfig(
      parseConfig({
        CONSOLE_PUBLIC_URL: 'https://caseclock.council.example/',
        CASECLOCK_OIDC_ISSUER: 'https://login.council.example/realms/staff',
        CASECLOCK_OIDC_CLIENT_ID: 'caseclock',
        CASECLOCK_OIDC_CLIENT_SECRET: 'secret',
      }),
    );
    expect(minimal).toEqual({
      issuer: 'https://login.council.example/realms/staff',
      clientId: 'caseclock',
      clientSecret: 'secret',
      redirectUrl: 'https://caseclock.council.example/auth/callback',
      scopes: ['openid', 'profile'],
      claims: { name: 'name', role: 'groups', team: 'team', area: 'caseclock_teams' },
      roleMap: { 'cc-admins': 'administrator', 'cc-hos': 'head-of-service', 'cc-managers': 'manager', 'cc-viewers': 'viewer' },
    });
    const full = oidcSettingsFromConfig(
      parseConfig({
        CASECLOCK_OIDC_ISSUER: 'http://127.0.0.1:9999',
        CASECLOCK_OIDC_CLIENT_ID: 'caseclock',
        CASECLOCK_OIDC_CLIENT_SECRET: 'secret',
        CASECLOCK_OIDC_REDIRECT_URL: 'http://localhost:8080/auth/callback',
        CASECLOCK_OIDC_SCOPES: 'openid profile groups',
        CASECLOCK_OIDC_USER_CLAIM: 'upn',
        CASECLOCK_OIDC_NAME_CLAIM: 'display_name',
        CASECLOCK_OIDC_ROLE_CLAIM: 'roles',
        CASECLOCK_OIDC_ROLE_MAP: '{"CaseClock.Admin":"administrator","CaseClock.Viewer":"viewer"}',
        CASECLOCK_OIDC_TEAM_CLAIM: 'department',
        CASECLOCK_OIDC_AREA_CLAIM: 'area',
      }),
    );
    expect(full).toMatchObject({
      issuer: 'http://127.0.0.1:9999',
      redirectUrl: 'http://localhost:8080/auth/callback',
      scopes: ['openid', 'profile', 'groups'],
      claims: { user: 'upn', name: 'display_name', role: 'roles', team: 'department', area: 'area' },
      roleMap: { 'CaseClock.Admin': 'administrator', 'CaseClock.Viewer': 'viewer' },
    });
  });

  it.each([
    [
      'an issuer without client id and secret',
      { CASECLOCK_OIDC_ISSUER: 'https://login.council.example' },
      /CASECLOCK_OIDC_CLIENT_ID: must be set when CASECLOCK_OIDC_ISSUER is set[\s\S]*CASECLOCK_OIDC_CLIENT_SECRET: must be set/,
    ],
    ['an http issuer elsewhere', { CASECLOCK_OIDC_ISSUER: 'http://login.council.example', CASECLOCK_OIDC_CLIENT_ID: 'c', CASECLOCK_OIDC_CLIENT_SECRET: 's' }, /CASECLOCK_OIDC_ISSUER: must be an https:\/\/ URL/],
    ['a role map that is not JSON', { CASECLOCK_OIDC_ROLE_MAP: 'cc-admins=administrator' }, /CASECLOCK_OIDC_ROLE_MAP: must be JSON/],
    ['a role map naming an unknown role', { CASECLOCK_OIDC_ROLE_MAP: '{"cc-admins":"superuser"}' }, /CASECLOCK_OIDC_ROLE_MAP: "cc-admins" must map to one of: administrator, head-of-service, manager, viewer/],
    ['a role map that is a list', { CASECLOCK_OIDC_ROLE_MAP: '["administrator"]' }, /CASECLOCK_OIDC_ROLE_MAP: the value must be a JSON object of strings/],
    ['scopes without openid', { CASECLOCK_OIDC_SCOPES: 'profile email' }, /CASECLOCK_OIDC_SCOPES: must include openid/],
    ['a claim name with a space', { CASECLOCK_OIDC_ROLE_CLAIM: 'my groups' }, /CASECLOCK_OIDC_ROLE_CLAIM: must be a claim name/],
    ['a redirect URL that is not one', { CASECLOCK_OIDC_REDIRECT_URL: 'callback' }, /CASECLOCK_OIDC_REDIRECT_URL: must be an http:\/\/ or https:\/\/ URL/],
  ])('refuses %s and names the variable', (_label, env, message) => {
    expect(refusal(env)).toMatch(message);
  });

  it('never puts the client secret in a refusal', () => {
    expect(refusal({ CASECLOCK_OIDC_ISSUER: 'ftp://x', CASECLOCK_OIDC_CLIENT_ID: 'c', CASECLOCK_OIDC_CLIENT_SECRET: 'sekret-value-123' })).not.toContain('sekret-value-123');
  });
});
