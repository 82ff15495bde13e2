/**
 * Who calls the integration API: an OAuth 2.0 client of the council's identity provider (client
 * credentials grant) presenting a JWT access token as `Authorization: Bearer`. The token must be
 * signed by one of the keys the provider publishes (its JWKS, found through
 * `<issuer>/.well-known/openid-configuration`, cached, and fetched again when a token names a key
 * not yet seen), with an asymmetric algorithm, from the configured issuer, for the API's audience,
 * and within its `exp` and `nbf` (30 s of leeway). Its client id (`client_id`, else `azp`, `appid`
 * or `sub`) must be in the clients file (clients.ts), and the scopes it may use are those the token
 * carries and the clients file gives it, both. docs/api-clients.md says how a council registers one.
 *
 * A refusal is an RFC 9457 problem document: 401 with `WWW-Authenticate: Bearer` (RFC 6750) for no
 * token or a bad one, 403 for a client CaseClock does not know, a scope it lacks or a team it may
 * not use, 503 when the provider's keys cannot be fetched. The token itself is never logged or
 * repeated; only why it was refused and, once verified, the client's id.
 */
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { createRemoteJWKSet, decodeJwt, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { z } from 'zod';
import { apiClientUserId } from '../../../common/api-identity';
import type { ApiCaller, ApiProblem } from './caller';
import { scopeFor, type ApiAuthConfig } from './clients';

export type { ApiAuthConfig } from './clients';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by apiAuthentication once the caller's token is verified; undefined on every other route. */
    apiCaller?: ApiCaller;
  }
}

/** Signatures from a key pair only: `none` and shared-secret (HS*) tokens are refused. */
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];
const DEFAULT_CLOCK_TOLERANCE_SECONDS = 30;
const DEFAULT_KEY_REFRESH_COOLDOWN_SECONDS = 30;
const FETCH_TIMEOUT_MS = 5_000;
/** What the API calls itself in WWW-Authenticate. */
const REALM = 'CaseClock API';

/** A problem document's `type`: `urn:caseclock:problem:<name>`. */
export const problemType = (name: string): string => `urn:caseclock:problem:${name}`;

/** Sends a problem document (RFC 9457), with WWW-Authenticate for 401 and a lacking scope's 403 (RFC 6750). */
export function sendProblem(reply: FastifyReply, problem: ApiProblem, challenge?: string): FastifyReply {
  if (challenge !== undefined) void reply.header('www-authenticate', challenge);
  // Never cached: a refusal is about this token at this moment.
  return reply.code(problem.status).header('cache-control', 'no-store').type('application/problem+json; charset=utf-8').send(JSON.stringify(problem));
}

function unauthorized(request: FastifyRequest, reply: FastifyReply, reason: Refusal): FastifyReply {
  request.log.info({ apiAuth: reason.code }, `integration API: refused (${reason.detail})`);
  const problem: ApiProblem =
    reason.code === 'no-token'
      ? { type: problemType('unauthenticated'), title: 'An access token is required', status: 401, detail: reason.detail }
      : { type: problemType('invalid-token'), title: 'The access token is not valid', status: 401, detail: reason.detail };
  // No error code when no token came (RFC 6750, section 3.1); the description carries no token.
  const challenge = reason.code === 'no-token' ? `Bearer realm="${REALM}"` : `Bearer realm="${REALM}", error="invalid_token", error_description="${reason.detail.replace(/["\\]/g, '')}"`;
  return sendProblem(reply, problem, challenge);
}

interface Refusal {
  code: 'no-token' | 'malformed' | 'signature' | 'issuer' | 'audience' | 'expired' | 'not-yet-valid' | 'algorithm' | 'claims';
  detail: string;
}

/** The identity provider could not be reached: not the caller's fault, so not a 401. */
class ProviderUnavailable extends Error {
  override name = 'ProviderUnavailable';
}

const Discovery = z.object({ issuer: z.string().min(1), jwks_uri: z.url({ protocol: /^https?$/ }) });

function isLoopback(url: string): boolean {
  return ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url).hostname);
}

/** The provider's signing keys, found once through discovery (tried again after a failure). */
function providerKeys(issuer: string, cooldownSeconds: number): () => Promise<ReturnType<typeof createRemoteJWKSet>> {
  let keys: Promise<ReturnType<typeof createRemoteJWKSet>> | undefined;
  const discover = async (): Promise<ReturnType<typeof createRemoteJWKSet>> => {
    const url = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
    let body: unknown;
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), headers: { accept: 'application/json' } });
      if (!response.ok) throw new Error(`answered HTTP ${response.status}`);
      body = await response.json();
    } catch (err) {
      throw new ProviderUnavailable(`could not read ${url}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    const metadata = Discovery.safeParse(body);
    if (!metadata.success) throw new ProviderUnavailable(`${url} gives no issuer and jwks_uri`);
    // The issuer a token carries must be exactly the discovered one (OpenID Connect Discovery, 4.3).
    if (metadata.data.issuer !== issuer) throw new ProviderUnavailable(`${url} says the issuer is ${metadata.data.issuer}, not ${issuer}: set CASECLOCK_API_ISSUER to exactly that`);
    const jwksUri = new URL(metadata.data.jwks_uri);
    if (jwksUri.protocol !== 'https:' && !isLoopback(jwksUri.href)) throw new ProviderUnavailable(`the provider's jwks_uri ${jwksUri.href} is not https://`);
    // Cached for 10 minutes; a key id not in the cache (the provider rotated its keys) fetches the
    // set again, at most once a cooldown, so forged key ids cannot make CaseClock hammer the provider.
    return createRemoteJWKSet(jwksUri, { timeoutDuration: FETCH_TIMEOUT_MS, cooldownDuration: cooldownSeconds * 1000, cacheMaxAge: 600_000 });
  };
  return () => {
    keys ??= discover().catch((err: unknown) => {
      keys = undefined; // the provider may be back for the next request
      throw err;
    });
    return keys;
  };
}

/** Why a token from jose was refused, in words for the caller and the log. */
function refusalOf(err: unknown, config: ApiAuthConfig): Refusal | undefined {
  if (err instanceof joseErrors.JWTExpired) return { code: 'expired', detail: 'the access token has expired' };
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    if (err.claim === 'iss') return { code: 'issuer', detail: `the access token was not issued by ${config.issuer}` };
    if (err.claim === 'aud') return { code: 'audience', detail: `the access token is not for this API (its audience must include ${config.audience})` };
    if (err.claim === 'nbf') return { code: 'not-yet-valid', detail: 'the access token is not valid yet (nbf)' };
    return { code: 'claims', detail: `the access token's "${err.claim}" claim is missing or not valid` };
  }
  if (err instanceof joseErrors.JOSEAlgNotAllowed || err instanceof joseErrors.JOSENotSupported) return { code: 'algorithm', detail: `the access token must be signed with one of ${ALGORITHMS.join(', ')}` };
  if (err instanceof joseErrors.JWSSignatureVerificationFailed || err instanceof joseErrors.JWKSNoMatchingKey || err instanceof joseErrors.JWKSMultipleMatchingKeys) {
    return { code: 'signature', detail: "the access token's signature does not match the identity provider's keys" };
  }
  if (err instanceof joseErrors.JWSInvalid || err instanceof joseErrors.JWTInvalid) return { code: 'malformed', detail: 'the access token is not a signed JWT' };
  return undefined;
}

const StringOrList = z.union([z.string(), z.array(z.string())]);

/** Every scope the token grants: `scope` (RFC 9068), `scp` (Entra ID's delegated scopes), `roles` (Entra ID's application permissions). */
function tokenScopes(payload: JWTPayload): Set<string> {
  const scopes = new Set<string>();
  for (const claim of ['scope', 'scp', 'roles']) {
    const value = StringOrList.safeParse(payload[claim]);
    if (!value.success) continue;
    for (const s of typeof value.data === 'string' ? value.data.split(' ') : value.data) if (s !== '') scopes.add(s);
  }
  return scopes;
}

/**
 * The client's id: `client_id` (RFC 9068), else `azp` (Keycloak, Entra ID v2), else `appid`
 * (Entra ID v1), else `sub` (RFC 9068 makes it the client's id for this grant; Keycloak and Entra
 * ID put the client's service account there instead, hence last).
 */
function clientIdOf(payload: JWTPayload): string | undefined {
  for (const claim of ['client_id', 'azp', 'appid', 'sub']) {
    const value = payload[claim];
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}

const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/**
 * A Fastify preHandler for the integration API's routes: verifies the bearer token and sets
 * `request.apiCaller`, or replies 401 (no token, a bad one), 403 (a client not in the clients
 * file) or 503 (the provider's keys cannot be fetched) as a problem document. What each route
 * may do is then authorize()'s to say.
 */
export function apiAuthentication(config: ApiAuthConfig): preHandlerAsyncHookHandler {
  const keys = providerKeys(config.issuer, config.keyRefreshCooldownSeconds ?? DEFAULT_KEY_REFRESH_COOLDOWN_SECONDS);
  const clockTolerance = config.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS;

  return async function apiAuthenticationHandler(request, reply) {
    const header = request.headers.authorization;
    if (header === undefined || !/^Bearer(\s|$)/i.test(header)) {
      return unauthorized(request, reply, { code: 'no-token', detail: 'send an access token from the identity provider as Authorization: Bearer <token>' });
    }
    const token = BEARER.exec(header)?.[1];
    if (token === undefined) return unauthorized(request, reply, { code: 'malformed', detail: 'the Authorization header must be Bearer and one token' });

    // Read unverified first only to refuse another issuer's token in its own words, without
    // fetching our provider's keys for it; everything is verified below.
    let claimed: JWTPayload;
    try {
      claimed = decodeJwt(token);
    } catch {
      return unauthorized(request, reply, { code: 'malformed', detail: 'the access token is not a signed JWT' });
    }
    if (claimed.iss !== config.issuer) return unauthorized(request, reply, { code: 'issuer', detail: `the access token was not issued by ${config.issuer}` });

    let payload: JWTPayload;
    try {
      const jwks = await keys();
      ({ payload } = await jwtVerify(token, jwks, { issuer: config.issuer, audience: config.audience, algorithms: ALGORITHMS, clockTolerance, requiredClaims: ['exp'] }));
    } catch (err) {
      const refusal = refusalOf(err, config);
      if (refusal !== undefined) return unauthorized(request, reply, refusal);
      // The provider's discovery document or keys could not be had: say so, retry next time.
      request.log.error({ apiAuth: 'provider-unavailable', err: err instanceof Error ? err.message : String(err) }, 'integration API: the identity provider could not be reached');
      return sendProblem(reply.header('retry-after', '30'), {
        type: problemType('identity-provider-unavailable'),
        title: "The identity provider's keys could not be fetched",
        status: 503,
        detail: 'CaseClock could not check the access token; try again shortly',
      });
    }

    const clientId = clientIdOf(payload);
    if (clientId === undefined) return unauthorized(request, reply, { code: 'claims', detail: 'the access token names no client (client_id, azp or sub)' });
    const client = config.clients.get(clientId);
    if (client === undefined) {
      request.log.warn({ apiAuth: 'unknown-client', apiClient: clientId }, 'integration API: a client not in the clients file was refused');
      return sendProblem(reply, {
        type: problemType('client-not-registered'),
        title: 'This client may not use the CaseClock API',
        status: 403,
        detail: `the client ${clientId} is not in CaseClock's clients file (CASECLOCK_API_CLIENTS_FILE)`,
      });
    }
    const granted = tokenScopes(payload);
    request.apiCaller = {
      clientId,
      by: apiClientUserId(clientId),
      scopes: new Set([...client.scopes].filter((s) => granted.has(s))),
      teams: client.teams,
    };
  };
}

/**
 * Whether `caller` may take `action` (`read`, or a change such as `visit`) on a case of `team`
 * (undefined where no single team is concerned, e.g. a list, which the route narrows to
 * `caller.teams` itself): undefined when it may, else the 403 problem to send. It needs the scope
 * `caseclock:<action>` in its token and the clients file, and the team among its teams.
 */
export function authorize(caller: ApiCaller, action: string, team: string | undefined): ApiProblem | undefined {
  const scope = scopeFor(action);
  if (!caller.scopes.has(scope)) {
    return {
      type: problemType('insufficient-scope'),
      title: 'The access token does not allow this',
      status: 403,
      detail: `the client ${caller.clientId} needs the scope ${scope}, granted both by the identity provider and in CaseClock's clients file`,
    };
  }
  if (team !== undefined && caller.teams !== 'all' && !caller.teams.has(team)) {
    return {
      type: problemType('team-not-allowed'),
      title: "Not one of this client's teams",
      status: 403,
      detail: `the client ${caller.clientId} may not use cases of team ${team}`,
    };
  }
  return undefined;
}

/** The WWW-Authenticate challenge for a 403 that authorize() gave for a lacking scope (RFC 6750, section 3.1). */
export function insufficientScopeChallenge(problem: ApiProblem, action: string): string | undefined {
  return problem.type === problemType('insufficient-scope') ? `Bearer realm="${REALM}", error="insufficient_scope", scope="${scopeFor(action)}"` : undefined;
}

/** The caller a route's preHandler verified; a route without apiAuthentication is a programming error. */
export function apiCallerOf(request: FastifyRequest): ApiCaller {
  if (request.apiCaller === undefined) throw new Error(`${request.routeOptions.url ?? request.url} has no apiAuthentication preHandler`);
  return request.apiCaller;
}
