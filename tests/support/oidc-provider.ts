/**
 * A real OpenID Connect provider (oidc-provider) in the test process, on 127.0.0.1 and a free
 * port, for the console's single sign-on: one confidential client, the caller's accounts, and
 * oidc-provider's own development login page (type an account id; any password).
 *
 * Driving the login page (a browser test, or fetch):
 * - GET the authorization URL → 303 to `/interaction/<uid>`, a form
 *   `form[action$="/interaction/<uid>"]` with `input[name="login"]`, `input[name="password"]`
 *   (required by the page, never checked) and `button[type="submit"]`;
 * - submitting it → 303 to `/auth/<uid>` → 303 to the client's redirect URI with `code`, `state`
 *   and `iss`. Consent is granted without a page: this is the council's own first-party client.
 * An account id that is not in `accounts` gets the provider's error page instead.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Provider, type OidcAccount, type OidcContext } from 'oidc-provider';

/** Claims of one account, besides `sub` (the account id): name, groups or roles, team, teams... */
export type AccountClaims = Record<string, unknown>;

export interface TestProviderOptions {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  /** Account id → claims. */
  accounts: Record<string, AccountClaims>;
  /**
   * Put the accounts' claims in the ID token too. Off by default: oidc-provider then follows the
   * specification strictly and gives them only at the userinfo endpoint (for the code flow).
   */
  claimsInIdToken?: boolean;
}

export interface TestProvider {
  /** http://127.0.0.1:<port> */
  issuer: string;
  /** How many times the discovery document was read. */
  discoveries(): number;
  close(): Promise<void>;
}

export async function startTestProvider(options: TestProviderOptions): Promise<TestProvider> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  // Every claim any account has is released with the openid scope, except the standard profile ones.
  const profileClaims = ['name', 'preferred_username'];
  const otherClaims = [...new Set(Object.values(options.accounts).flatMap((claims) => Object.keys(claims)))].filter((c) => c !== 'sub' && !profileClaims.includes(c));

  const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: options.clientId,
        client_secret: options.clientSecret,
        redirect_uris: [options.redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    async findAccount(_ctx: OidcContext, id: string): Promise<OidcAccount | undefined> {
      const claims = Object.hasOwn(options.accounts, id) ? options.accounts[id] : undefined;
      if (claims === undefined) return undefined;
      return { accountId: id, claims: async () => ({ ...claims, sub: id }) };
    },
    claims: { openid: ['sub', ...otherClaims], profile: profileClaims },
    conformIdTokenClaims: options.claimsInIdToken !== true,
    // First-party client: grant what it asks for instead of showing a consent page.
    async loadExistingGrant(ctx: OidcContext) {
      const { client, session, result } = ctx.oidc;
      if (client === undefined || session?.accountId === undefined) return undefined;
      const existing = result?.consent?.grantId ?? session.grantIdFor(client.clientId);
      if (existing !== undefined) return ctx.oidc.provider.Grant.find(existing);
      const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
      grant.addOIDCScope([...ctx.oidc.requestParamScopes].join(' '));
      await grant.save();
      return grant;
    },
    features: { devInteractions: { enabled: true } },
    pkce: { required: () => true },
    jwks: { keys: [{ ...signingKey, kid: 'test', alg: 'RS256', use: 'sig' }] },
    cookies: { keys: [randomBytes(32).toString('base64')] },
    // Short lifetimes, set so the provider does not warn about its defaults.
    ttl: { Session: 3600, Interaction: 600, Grant: 3600, AuthorizationCode: 60, AccessToken: 600, IdToken: 600 },
  });
  let discoveries = 0;
  server.on('request', (req: IncomingMessage) => {
    if (req.url === '/.well-known/openid-configuration') discoveries += 1;
  });
  server.on('request', provider.callback());

  return {
    issuer,
    discoveries: () => discoveries,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
