/**
 * The integration API's token check against a real identity provider (oidc-provider in this
 * process, client credentials grant, JWT access tokens for the API's audience), on a small Fastify
 * app with the preHandler and authorize(): every way a token is refused (401), every way a good
 * token's client is refused an action (403), and the caller a good token gives. Then the clients
 * file and the environment variables, each mistake named.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import { decodeProtectedHeader, decodeJwt, SignJWT, importJWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiAuthentication, apiCallerOf, authorize, insufficientScopeChallenge, sendProblem } from '../../client/console/api/auth';
import { apiAuthConfigFromConfig, ApiConfigError, readApiClientsFile } from '../../client/console/api/clients';
import { ConfigError, parseConfig } from '../../common/config';
import { hashPassword, readUsersFile } from '../../client/identity/auth';
import { startApiIdentity, type ApiIdentity } from '../support/api-identity';

const CLIENTS = {
  // The case system's bridge: reads and records visits, every team.
  'ssd-bridge': { name: 'Case system bridge', actions: ['read', 'visit'], teams: 'all' as const },
  // A locality's own tool: reads its team's cases only.
  'north-dashboard': { actions: ['read'], teams: ['LOCALITY-NORTH'] },
};

let identity: ApiIdentity;
let app: FastifyInstance;
/** Everything the app logged, to prove no token is ever in it. */
let logged = '';

beforeAll(async () => {
  identity = await startApiIdentity({ clients: CLIENTS, unlisted: ['stranger'] });
  const logStream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logged += chunk.toString('utf8');
      done();
    },
  });
  app = Fastify({ logger: { level: 'debug', stream: logStream } });
  // A case read or change as the real routes will make them: ?action=visit&team=LOCALITY-SOUTH.
  app.get<{ Querystring: { action?: string; team?: string } }>('/api/v1/cases', { preHandler: apiAuthentication(identity.config) }, async (request, reply) => {
    const caller = apiCallerOf(request);
    const action = request.query.action ?? 'read';
    const problem = authorize(caller, action, request.query.team);
    if (problem) return sendProblem(reply, problem, insufficientScopeChallenge(problem, action));
    return { clientId: caller.clientId, by: caller.by, scopes: [...caller.scopes].sort(), teams: caller.teams === 'all' ? 'all' : [...caller.teams] };
  });
  await app.ready();
});

afterAll(async () => {
  await app?.close();
  await identity?.close();
});

const call = (token: string | undefined, query = '', authorization = token === undefined ? undefined : `Bearer ${token}`) =>
  app.inject({ method: 'GET', url: `/api/v1/cases${query}`, headers: authorization === undefined ? {} : { authorization } });

/** A refusal as the caller sees it: status, problem document, challenge. */
async function expectProblem(res: Awaited<ReturnType<typeof call>>, status: number, type: string, detail: RegExp): Promise<void> {
  expect(res.statusCode).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = res.json<{ type: string; title: string; status: number; detail: string }>();
  expect(body).toMatchObject({ type: `urn:caseclock:problem:${type}`, status });
  expect(body.title).not.toBe('');
  expect(body.detail).toMatch(detail);
}

describe('401: no token, or a token the API must not believe', () => {
  it('no Authorization header: a Bearer challenge with no error code', async () => {
    const res = await call(undefined);
    await expectProblem(res, 401, 'unauthenticated', /Authorization: Bearer/);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="CaseClock API"');
  });

  it('another scheme (Basic) is no bearer token', async () => {
    const res = await call(undefined, '', `Basic ${Buffer.from('ssd-bridge:secret').toString('base64')}`);
    await expectProblem(res, 401, 'unauthenticated', /Bearer/);
  });

  it.each([
    ['not a JWT', 'Bearer not-a-jwt'],
    ['two tokens', 'Bearer aaa.bbb.ccc ddd.eee.fff'],
    ['no token after Bearer', 'Bearer'],
    ['an unsigned JWT (alg none)', `Bearer ${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"iss":"x"}').toString('base64url')}.`],
  ])('malformed: %s', async (_what, authorization) => {
    const res = await call(undefined, '', authorization);
    await expectProblem(res, 401, 'invalid-token', /./);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="CaseClock API", error="invalid_token", error_description="[^"]+"$/);
  });

  it('a wrong signature: the claims of a good token signed with another key under the provider key id', async () => {
    const good = await identity.token('ssd-bridge');
    const { kid } = decodeProtectedHeader(good);
    const forger = await importJWK(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }), 'RS256');
    const forged = await new SignJWT(decodeJwt(good)).setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', ...(kid ? { kid } : {}) }).sign(forger);
    await expectProblem(await call(forged), 401, 'invalid-token', /signature/);
    // A good token with one character of its signature changed.
    const last = good.at(-2) === 'A' ? 'B' : 'A';
    const tampered = `${good.slice(0, -2)}${last}${good.slice(-1)}`;
    await expectProblem(await call(tampered), 401, 'invalid-token', /signature/);
    // The claims changed under the provider's own signature.
    const [header, , signature] = good.split('.');
    const payload = Buffer.from(JSON.stringify({ ...decodeJwt(good), scope: 'caseclock:read caseclock:visit caseclock:close' })).toString('base64url');
    await expectProblem(await call(`${header}.${payload}.${signature}`), 401, 'invalid-token', /signature/);
  });

  it('from another identity provider (issuer), though for the same client and audience', async () => {
    const res = await call(await identity.otherIssuerToken('ssd-bridge'));
    await expectProblem(res, 401, 'invalid-token', new RegExp(`not issued by ${identity.issuer}`));
  });

  it('for another audience (a token the provider gave the same client for some other service)', async () => {
    const res = await call(await identity.token('ssd-bridge', undefined, { audience: identity.otherAudience }));
    await expectProblem(res, 401, 'invalid-token', /not for this API/);
  });

  it('expired', async () => {
    const res = await call(await identity.expiredToken('ssd-bridge'));
    await expectProblem(res, 401, 'invalid-token', /expired/);
    expect(res.headers['www-authenticate']).toContain('error="invalid_token"');
  });
});

describe('403: a good token, but not for this', () => {
  it('a client the provider knows but the clients file does not', async () => {
    await expectProblem(await call(await identity.token('stranger')), 403, 'client-not-registered', /stranger is not in CaseClock's clients file/);
  });

  it('an action whose scope the token lacks: the bridge asked only for read', async () => {
    const token = await identity.token('ssd-bridge', ['caseclock:read']);
    expect((await call(token, '?action=read')).statusCode).toBe(200);
    const res = await call(token, '?action=visit');
    await expectProblem(res, 403, 'insufficient-scope', /needs the scope caseclock:visit/);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="CaseClock API", error="insufficient_scope", scope="caseclock:visit"');
  });

  it('an action the provider granted but the clients file does not give the client', async () => {
    // The provider grants any caseclock: scope asked for; CaseClock gives north-dashboard read only.
    const token = await identity.token('north-dashboard', ['caseclock:read', 'caseclock:close']);
    expect(decodeJwt(token)['scope']).toBe('caseclock:read caseclock:close');
    await expectProblem(await call(token, '?action=close&team=LOCALITY-NORTH'), 403, 'insufficient-scope', /caseclock:close/);
  });

  it("a team not among the client's", async () => {
    const token = await identity.token('north-dashboard');
    expect((await call(token, '?team=LOCALITY-NORTH')).statusCode).toBe(200);
    await expectProblem(await call(token, '?team=LOCALITY-SOUTH'), 403, 'team-not-allowed', /may not use cases of team LOCALITY-SOUTH/);
  });
});

describe('a good token', () => {
  it('gives the caller its client id, recorded as api.<id>, and the scopes both the token and the clients file give', async () => {
    const res = await call(await identity.token('ssd-bridge'), '?action=visit&team=LOCALITY-SOUTH');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ clientId: 'ssd-bridge', by: 'api.ssd-bridge', scopes: ['caseclock:read', 'caseclock:visit'], teams: 'all' });
    const north = await call(await identity.token('north-dashboard'), '?team=LOCALITY-NORTH');
    expect(north.json()).toEqual({ clientId: 'north-dashboard', by: 'api.north-dashboard', scopes: ['caseclock:read'], teams: ['LOCALITY-NORTH'] });
  });

  it("fetches the provider's keys once for many tokens, and again for a key id it has not seen", async () => {
    // Its own check, so the count starts with it, and no cooldown between fetches of the key set.
    const fresh = Fastify({ logger: false });
    fresh.get('/api/v1/cases', { preHandler: apiAuthentication({ ...identity.config, keyRefreshCooldownSeconds: 0 }) }, async () => ({}));
    const before = identity.jwksFetches();
    const get = (token: string) => fresh.inject({ method: 'GET', url: '/api/v1/cases', headers: { authorization: `Bearer ${token}` } });
    for (let i = 0; i < 5; i++) expect((await get(await identity.token('ssd-bridge'))).statusCode).toBe(200);
    expect(identity.jwksFetches()).toBe(before + 1);
    const good = await identity.token('ssd-bridge');
    const stranger = await importJWK(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }), 'RS256');
    const rotated = await new SignJWT(decodeJwt(good)).setProtectedHeader({ alg: 'RS256', kid: 'rotated-key' }).sign(stranger);
    await expectProblem(await get(rotated), 401, 'invalid-token', /signature/);
    expect(identity.jwksFetches()).toBe(before + 2);
    // The provider's own key is still in the set fetched again.
    expect((await get(good)).statusCode).toBe(200);
    expect(identity.jwksFetches()).toBe(before + 2);
    await fresh.close();
  });

  it('no token the tests sent is in the log', async () => {
    const token = await identity.token('ssd-bridge');
    await call(token);
    await call(`${token}x`);
    const signatures = [token, await identity.otherIssuerToken('ssd-bridge')].map((t) => t.split('.')[2] ?? '');
    expect(logged).toContain('integration API: refused');
    for (const s of signatures) expect(logged).not.toContain(s);
    expect(logged).not.toMatch(/eyJ[A-Za-z0-9_-]{20,}\./);
  });
});

describe('tokens as other providers shape them, signed with the provider key', () => {
  it('Entra ID (v2.0): the client in azp, its service principal in sub, the scopes as app roles', async () => {
    const token = await identity.signed({ azp: 'ssd-bridge', appid: undefined, sub: '9a8b7c6d-service-principal', oid: '9a8b7c6d-service-principal', roles: ['caseclock:read', 'caseclock:visit'] });
    expect((await call(token, '?action=visit')).json()).toMatchObject({ clientId: 'ssd-bridge', by: 'api.ssd-bridge', scopes: ['caseclock:read', 'caseclock:visit'] });
  });

  it('Keycloak: the client in azp, scopes in one string among others', async () => {
    const token = await identity.signed({ azp: 'north-dashboard', sub: '0f5e-service-account-user', scope: 'profile caseclock:read email' });
    expect((await call(token, '?team=LOCALITY-NORTH')).json()).toMatchObject({ clientId: 'north-dashboard', scopes: ['caseclock:read'] });
  });

  it('Entra ID (v1.0): the client in appid; client_id wins over every other claim', async () => {
    expect((await call(await identity.signed({ appid: 'north-dashboard', sub: 'x', scp: 'caseclock:read' }))).json()).toMatchObject({ clientId: 'north-dashboard' });
    expect((await call(await identity.signed({ client_id: 'ssd-bridge', azp: 'north-dashboard', sub: 'north-dashboard', scope: 'caseclock:read' }))).json()).toMatchObject({ clientId: 'ssd-bridge' });
  });

  it('refuses a token with no expiry, one not valid yet, and one that names no client', async () => {
    await expectProblem(await call(await identity.signed({ client_id: 'ssd-bridge', exp: undefined })), 401, 'invalid-token', /"exp" claim/);
    const later = Math.floor(Date.now() / 1000) + 300;
    await expectProblem(await call(await identity.signed({ client_id: 'ssd-bridge', nbf: later })), 401, 'invalid-token', /not valid yet/);
    await expectProblem(await call(await identity.signed({ scope: 'caseclock:read' })), 401, 'invalid-token', /names no client/);
  });

  it('refuses a token signed with a shared secret (HS256) under the provider key id', async () => {
    const { kid } = decodeProtectedHeader(await identity.token('ssd-bridge'));
    const claims = decodeJwt(await identity.token('ssd-bridge'));
    const secret = new TextEncoder().encode('a shared secret anyone with the public key might guess');
    const hs = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', ...(kid ? { kid } : {}) }).sign(secret);
    await expectProblem(await call(hs), 401, 'invalid-token', /must be signed with one of RS256/);
  });
});

describe('when the identity provider cannot be reached', () => {
  it('answers 503 with Retry-After, not 401, and tries again on the next request', async () => {
    const unreachable = Fastify({ logger: false });
    unreachable.get('/api/v1/cases', { preHandler: apiAuthentication({ ...identity.config, issuer: 'http://127.0.0.1:9' }) }, async () => ({}));
    const token = await identity.token('ssd-bridge');
    // The token is from the real issuer, so the issuer check passes only where the issuer matches:
    // sign a copy naming the unreachable one (its signature is never reached).
    const [header, , signature] = token.split('.');
    const payload = Buffer.from(JSON.stringify({ ...decodeJwt(token), iss: 'http://127.0.0.1:9' })).toString('base64url');
    const res = await unreachable.inject({ method: 'GET', url: '/api/v1/cases', headers: { authorization: `Bearer ${header}.${payload}.${signature}` } });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('30');
    expect(res.json()).toMatchObject({ type: 'urn:caseclock:problem:identity-provider-unavailable', status: 503 });
    await unreachable.close();
  });
});

describe('the settings', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'caseclock-api-clients-'));
  const write = (name: string, content: unknown): string => {
    const file = path.join(dir, name);
    writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
    return file;
  };
  const env = (file: string) => ({ CASECLOCK_API_ISSUER: 'https://login.council.example/realms/staff', CASECLOCK_API_AUDIENCE: 'api://caseclock', CASECLOCK_API_CLIENTS_FILE: file });

  it('reads a good clients file into the settings, off when no issuer is set', async () => {
    const file = write('good.json', identity.clientsFile);
    const config = await apiAuthConfigFromConfig(parseConfig(env(file)));
    expect(config?.issuer).toBe('https://login.council.example/realms/staff');
    expect(config?.audience).toBe('api://caseclock');
    expect([...(config?.clients.get('ssd-bridge')?.scopes ?? [])]).toEqual(['caseclock:read', 'caseclock:visit']);
    expect(await apiAuthConfigFromConfig(parseConfig({}))).toBeUndefined();
  });

  it.each([
    ['an unknown action', { clients: [{ id: 'a', actions: ['read', 'vist'], teams: 'all' }] }, /clients\.0\.actions\.1: "vist" is not an action; the actions are: read, open/],
    ['no actions', { clients: [{ id: 'a', actions: [], teams: 'all' }] }, /clients\.0\.actions: must list at least one action/],
    ['teams neither all nor a list', { clients: [{ id: 'a', actions: ['read'], teams: 'LOCALITY-NORTH' }] }, /clients\.0\.teams: must be "all" or a list of team codes/],
    ['an empty team list', { clients: [{ id: 'a', actions: ['read'], teams: [] }] }, /clients\.0\.teams: must list at least one team/],
    [
      'a client id twice',
      {
        clients: [
          { id: 'a', actions: ['read'], teams: 'all' },
          { id: 'a', actions: ['visit'], teams: 'all' },
        ],
      },
      /clients\.1\.id: client id "a" appears more than once/,
    ],
    ['a client id that does not fit api.<id>', { clients: [{ id: 'x'.repeat(61), actions: ['read'], teams: 'all' }] }, /clients\.0\.id: must be at most 60 characters/],
    ['a client id with a space', { clients: [{ id: 'my client', actions: ['read'], teams: 'all' }] }, /clients\.0\.id: may contain only letters/],
    ['an unknown field', { clients: [{ id: 'a', actions: ['read'], teams: 'all', role: 'administrator' }] }, /clients\.0: Unrecognized key: "role"/],
    ['not JSON', '{"clients": [', /not valid JSON/],
  ])('refuses %s, naming the file and the field', (_what, content, message) => {
    const file = write('bad.json', content);
    expect(() => readApiClientsFile(file)).toThrow(ApiConfigError);
    expect(() => readApiClientsFile(file)).toThrow(new RegExp(`CASECLOCK_API_CLIENTS_FILE ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: .*${message.source}`));
  });

  it('refuses a missing clients file, and a team the team directory does not list', async () => {
    await expect(apiAuthConfigFromConfig(parseConfig(env(path.join(dir, 'absent.json'))))).rejects.toThrow(/CASECLOCK_API_CLIENTS_FILE .*absent\.json: no such file/);
    const file = write('teams.json', identity.clientsFile);
    const directory = { list: async () => [{ code: 'LOCALITY-SOUTH' }] as never };
    await expect(apiAuthConfigFromConfig(parseConfig(env(file)), directory)).rejects.toThrow(/clients\.1\.teams\.0: LOCALITY-NORTH is not a team in the team directory/);
    const empty = { list: async () => [] };
    expect(await apiAuthConfigFromConfig(parseConfig(env(file)), empty)).toBeDefined();
  });

  it('keeps api.<id> for clients: the users file refuses a password account whose id begins api.', async () => {
    const passwordHash = await hashPassword('a password for this test only');
    const file = write('users.json', { users: [{ id: 'API.ssd-bridge', name: 'Not the bridge', role: 'viewer', passwordHash }] });
    expect(() => readUsersFile(file)).toThrow(/users\.0\.id: must not begin with "api\."/);
    expect(readUsersFile(write('users-ok.json', { users: [{ id: 'apiary', name: 'Bee Keeper', role: 'viewer', passwordHash }] })).users).toHaveLength(1);
  });

  it('refuses an issuer without its audience, an audience without its issuer, and an http issuer off this machine', () => {
    expect(() => parseConfig({ CASECLOCK_API_ISSUER: 'https://login.council.example' })).toThrow(/CASECLOCK_API_AUDIENCE: must be set when CASECLOCK_API_ISSUER is set/);
    expect(() => parseConfig({ CASECLOCK_API_AUDIENCE: 'api://caseclock' })).toThrow(/CASECLOCK_API_ISSUER: must be set when CASECLOCK_API_AUDIENCE is set/);
    expect(() => parseConfig({ CASECLOCK_API_ISSUER: 'http://login.council.example', CASECLOCK_API_AUDIENCE: 'api://caseclock' })).toThrow(ConfigError);
    expect(() => parseConfig({ CASECLOCK_API_ISSUER: 'http://login.council.example', CASECLOCK_API_AUDIENCE: 'api://caseclock' })).toThrow(/CASECLOCK_API_ISSUER: must be an https:\/\/ URL/);
    expect(() => parseConfig({ CASECLOCK_API_ISSUER: 'https://login.council.example', CASECLOCK_API_AUDIENCE: 'api://case clock' })).toThrow(/CASECLOCK_API_AUDIENCE: must be the API's audience/);
  });
});
