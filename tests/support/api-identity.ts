/**
 * The council's identity provider for the integration API, in the test process: oidc-provider on
 * 127.0.0.1 and a free port, giving integration clients JWT access tokens by the client credentials
 * grant for a resource indicator, the API's audience (RFC 8707, RFC 9068), signed RS256 with its
 * own key. A second provider (another issuer, another key) gives tokens the API must refuse.
 *
 *   const identity = await startApiIdentity({ clients: { 'ssd-bridge': { actions: ['read', 'visit'], teams: 'all' } } });
 *   app.get('/api/v1/cases', { preHandler: apiAuthentication(identity.config) }, ...);
 *   const token = await identity.token('ssd-bridge');   // every scope of its actions
 *
 * Every client in `clients` is registered at both providers and listed in `config.clients`; one in
 * `unlisted` only at the providers (a client the council registered but CaseClock was not told of).
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { importJWK, SignJWT } from 'jose';
import { Provider } from 'oidc-provider';
import { API_ACTIONS, apiClients, ApiClientsFile, scopeFor, type ApiAuthConfig, type ApiClientEntry } from '../../client/console/api/clients';

export interface ApiIdentityOptions {
  /** Client id → the actions and teams the clients file gives it. */
  clients: Record<string, Omit<ApiClientEntry, 'id'>>;
  /** Registered at the provider, absent from the clients file. */
  unlisted?: string[];
}

export interface TokenOptions {
  /** Another audience (resource indicator) than the API's: a token for some other service. */
  audience?: string;
}

export interface ApiIdentity {
  /** http://127.0.0.1:<port> */
  issuer: string;
  /** The API's audience: the resource indicator its tokens are asked for. */
  audience: string;
  /** Another service's audience that this provider also issues tokens for. */
  otherAudience: string;
  /** What apiAuthentication needs: issuer, audience and the clients file's entries. */
  config: ApiAuthConfig;
  /** The clients file these settings came from, to write as JSON where a test needs a file. */
  clientsFile: ApiClientsFile;
  /** An access token by the client credentials grant; `scopes` unset: every `caseclock:` scope of the client's configured actions. */
  token(clientId: string, scopes?: readonly string[], options?: TokenOptions): Promise<string>;
  /** A token that expired (1 s lifetime) more than the config's clock tolerance ago: waits about 3 s. */
  expiredToken(clientId: string, scopes?: readonly string[]): Promise<string>;
  /** A token for the same client and audience from another identity provider (another issuer and key). */
  otherIssuerToken(clientId: string, scopes?: readonly string[]): Promise<string>;
  /**
   * A token signed with the API's provider's own key, with whatever claims another provider would
   * put in (Entra ID's `azp` and `roles`, no `client_id`, say): `iss`, `aud`, `iat` and `exp`
   * (ten minutes) are filled in unless `claims` sets them (undefined leaves one out).
   */
  signed(claims: Record<string, unknown>): Promise<string>;
  /** How many times the API's provider served its key set (jwks_uri). */
  jwksFetches(): number;
  close(): Promise<void>;
}

const AUDIENCE = 'api://caseclock-test';
const OTHER_AUDIENCE = 'api://another-service';
/** Kept small so an expired token is not long in coming; the API's default is 30 s. */
const CLOCK_TOLERANCE_SECONDS = 1;

interface RunningProvider {
  issuer: string;
  server: Server;
  jwksFetches: () => number;
  /** Signs a JWT access token with the provider's own key (RS256, its key id). */
  sign(claims: Record<string, unknown>): Promise<string>;
  /** The next token's lifetime in seconds (600 unless a test shortens it). */
  setTtl(seconds: number): void;
}

async function startProvider(clientIds: readonly string[], secretOf: (id: string) => string, kid: string): Promise<RunningProvider> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const apiScopes = API_ACTIONS.map(scopeFor).join(' ');
  let ttl = 600;

  const provider = new Provider(issuer, {
    clients: clientIds.map((id) => ({
      client_id: id,
      client_secret: secretOf(id),
      grant_types: ['client_credentials'],
      redirect_uris: [],
      response_types: [],
      token_endpoint_auth_method: 'client_secret_basic',
    })),
    features: {
      clientCredentials: { enabled: true },
      devInteractions: { enabled: false },
      resourceIndicators: {
        enabled: true,
        // The client credentials grant must name its resource: no token without an audience.
        defaultResource: () => undefined,
        getResourceServerInfo: (_ctx: unknown, resource: string) => {
          if (resource !== AUDIENCE && resource !== OTHER_AUDIENCE) throw new Error(`unknown resource ${resource}`);
          return { scope: apiScopes, audience: resource, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } };
        },
      },
    },
    jwks: { keys: [{ ...signingKey, kid, alg: 'RS256', use: 'sig' }] },
    cookies: { keys: [randomBytes(32).toString('base64')] },
    ttl: { ClientCredentials: () => ttl, Session: 3600, Interaction: 600, Grant: 3600, AccessToken: 600, IdToken: 600 },
  });
  let jwksFetches = 0;
  server.on('request', (req: IncomingMessage) => {
    if (req.url === '/jwks') jwksFetches += 1;
  });
  server.on('request', provider.callback());
  return {
    issuer,
    server,
    jwksFetches: () => jwksFetches,
    sign: async (claims) => new SignJWT(claims).setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid }).sign(await importJWK(signingKey, 'RS256')),
    setTtl: (seconds) => {
      ttl = seconds;
    },
  };
}

async function requestToken(issuer: string, clientId: string, secret: string, scopes: readonly string[], audience: string): Promise<string> {
  const response = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', resource: audience, scope: scopes.join(' ') }).toString(),
  });
  const body = (await response.json()) as { access_token?: string; error?: string; error_description?: string };
  if (!response.ok || body.access_token === undefined) throw new Error(`the test identity provider refused a token to ${clientId}: ${body.error ?? response.status} ${body.error_description ?? ''}`);
  return body.access_token;
}

function close(server: Server): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.close((err) => (err ? reject(err) : resolve()));
    server.closeAllConnections();
  });
}

export async function startApiIdentity(options: ApiIdentityOptions): Promise<ApiIdentity> {
  const clientsFile = ApiClientsFile.parse({ clients: Object.entries(options.clients).map(([id, entry]) => ({ id, ...entry })) });
  const ids = [...clientsFile.clients.map((c) => c.id), ...(options.unlisted ?? [])];
  const secrets = new Map(ids.map((id) => [id, randomBytes(24).toString('base64url')]));
  const secretOf = (id: string): string => {
    const secret = secrets.get(id);
    if (secret === undefined) throw new Error(`${id} is not a client of the test identity provider (add it to clients or unlisted)`);
    return secret;
  };
  const [main, other] = await Promise.all([startProvider(ids, secretOf, 'caseclock-test'), startProvider(ids, secretOf, 'elsewhere')]);
  const config: ApiAuthConfig = { issuer: main.issuer, audience: AUDIENCE, clients: apiClients(clientsFile), clockToleranceSeconds: CLOCK_TOLERANCE_SECONDS };
  // Unset scopes: every scope the clients file gives the client (an unlisted client: read).
  const scopesOf = (clientId: string, scopes: readonly string[] | undefined): readonly string[] => scopes ?? [...(config.clients.get(clientId)?.scopes ?? [scopeFor('read')])];
  // One short-lived token at a time: the lifetime is the provider's for its next token.
  let expiring: Promise<unknown> = Promise.resolve();

  return {
    issuer: main.issuer,
    audience: AUDIENCE,
    otherAudience: OTHER_AUDIENCE,
    config,
    clientsFile,
    token: (clientId, scopes, tokenOptions) => requestToken(main.issuer, clientId, secretOf(clientId), scopesOf(clientId, scopes), tokenOptions?.audience ?? AUDIENCE),
    expiredToken(clientId, scopes) {
      const next = expiring.then(async () => {
        main.setTtl(1);
        let token: string;
        try {
          token = await requestToken(main.issuer, clientId, secretOf(clientId), scopesOf(clientId, scopes), AUDIENCE);
        } finally {
          main.setTtl(600);
        }
        const { exp } = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp: number };
        // Past exp by more than the tolerance, counted in whole seconds as the check does.
        const wait = (exp + CLOCK_TOLERANCE_SECONDS + 1) * 1000 - Date.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        return token;
      });
      expiring = next.catch(() => undefined);
      return next;
    },
    otherIssuerToken: (clientId, scopes) => requestToken(other.issuer, clientId, secretOf(clientId), scopesOf(clientId, scopes), AUDIENCE),
    signed(claims) {
      const now = Math.floor(Date.now() / 1000);
      const all: Record<string, unknown> = { iss: main.issuer, aud: AUDIENCE, iat: now, exp: now + 600, ...claims };
      return main.sign(Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined)));
    },
    jwksFetches: main.jwksFetches,
    close: async () => {
      await Promise.all([close(main.server), close(other.server)]);
    },
  };
}
