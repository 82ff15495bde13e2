/**
 * Single sign-on for the web console (OpenID Connect, authorization code flow with PKCE S256,
 * state and nonce), independent of the web framework: the console keeps `pending` in its session
 * between `begin()` and `finish()`, and turns the user `finish()` returns into its own session.
 *
 * The identity provider says who someone is; CaseClock decides what they may do, from claims
 * named in the settings: a role claim (groups or roles) whose values map to CaseClock roles
 * through a configured table, a team claim for managers and viewers, and a service-area claim
 * (the teams they oversee) for heads of service. Anyone whose claims map to no role is refused.
 *
 * Who someone is in CaseClock is the provider's issuer and subject (`sub`), as a user id of its
 * own (common/sso-identity.ts: `sso.` and a hash) that no password account can have; the name
 * claim is how they are shown, and the user claim (preferred_username by default) only a label.
 * So nobody becomes a password account by the name the provider gives them.
 *
 * Nothing here logs; the reasons returned name claims and the user's sign-in name (or id), never
 * tokens or other claim values, so the caller may log them.
 */
import * as oidc from 'openid-client';
import { z } from 'zod';
import { SSO_ROLES, type Config } from '../../common/config';
import { ssoUserId } from '../../common/sso-identity';
import { FreeText, SafeId } from '../../domain/facts';

export const CaseClockRole = z.enum(SSO_ROLES);
export type CaseClockRole = z.infer<typeof CaseClockRole>;

/** When several of someone's groups map to roles, the one that may do most wins. */
const PRECEDENCE: readonly CaseClockRole[] = ['administrator', 'head-of-service', 'manager', 'viewer'];

export const DEFAULT_ROLE_MAP: Readonly<Record<string, CaseClockRole>> = {
  'cc-admins': 'administrator',
  'cc-hos': 'head-of-service',
  'cc-managers': 'manager',
  'cc-viewers': 'viewer',
};

const ClaimName = z
  .string()
  .trim()
  .regex(/^[\x21-\x7E]{1,200}$/, 'must be a claim name (no spaces)');

const HttpUrl = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' });

export const OidcSettings = z
  .object({
    /** The provider's issuer identifier; discovery reads `${issuer}/.well-known/openid-configuration`. */
    issuer: HttpUrl,
    clientId: z.string().min(1, 'must not be empty'),
    clientSecret: z.string().min(1, 'must not be empty'),
    /** The console's `/auth/callback`, exactly as registered with the provider. */
    redirectUrl: HttpUrl,
    scopes: z
      .union([z.string(), z.array(z.string())])
      .transform((s) => (typeof s === 'string' ? s.split(/[\s,]+/) : s).filter((e) => e !== ''))
      .refine((list) => list.includes('openid'), 'must include openid')
      .default(['openid', 'profile']),
    claims: z
      .object({
        /**
         * The sign-in name, a label only (logs, and the name when the provider sends none); unset:
         * `preferred_username`. Never the CaseClock user id, which comes from issuer and `sub`.
         */
        user: ClaimName.optional(),
        name: ClaimName.default('name'),
        /** Holds a group or role name, or a list of them, looked up in `roleMap`. */
        role: ClaimName.default('groups'),
        /** Managers' and viewers' team. */
        team: ClaimName.default('team'),
        /** Heads of service: the teams they oversee (a list, or one string separated by commas or spaces). */
        area: ClaimName.default('caseclock_teams'),
      })
      .prefault({}),
    /** Role-claim value → CaseClock role. */
    roleMap: z.record(z.string().min(1), CaseClockRole).default({ ...DEFAULT_ROLE_MAP }),
  })
  .superRefine((s, ctx) => {
    // http is for a provider on this machine only (tests, development); anywhere else the code,
    // tokens and client secret would cross the network in clear.
    if (new URL(s.issuer).protocol === 'http:' && !isLoopback(s.issuer)) {
      ctx.addIssue({ code: 'custom', path: ['issuer'], message: 'must be https:// (http:// only for localhost or 127.0.0.1)' });
    }
  });
export type OidcSettings = z.input<typeof OidcSettings>;
type ParsedSettings = z.output<typeof OidcSettings>;

/** The settings from the environment, or undefined when single sign-on is off (no issuer). */
export function oidcSettingsFromConfig(config: Config): ParsedSettings | undefined {
  if (config.CASECLOCK_OIDC_ISSUER === undefined) return undefined;
  return OidcSettings.parse({
    issuer: config.CASECLOCK_OIDC_ISSUER,
    clientId: config.CASECLOCK_OIDC_CLIENT_ID,
    clientSecret: config.CASECLOCK_OIDC_CLIENT_SECRET,
    redirectUrl: config.CASECLOCK_OIDC_REDIRECT_URL ?? `${config.CONSOLE_PUBLIC_URL}/auth/callback`,
    scopes: config.CASECLOCK_OIDC_SCOPES,
    claims: {
      user: config.CASECLOCK_OIDC_USER_CLAIM,
      name: config.CASECLOCK_OIDC_NAME_CLAIM,
      role: config.CASECLOCK_OIDC_ROLE_CLAIM,
      team: config.CASECLOCK_OIDC_TEAM_CLAIM,
      area: config.CASECLOCK_OIDC_AREA_CLAIM,
    },
    roleMap: config.CASECLOCK_OIDC_ROLE_MAP,
  });
}

/** What the caller keeps in its session between begin() and finish(); never shown to the browser. */
export const PendingSignIn = z.object({
  state: z.string().min(1),
  nonce: z.string().min(1),
  codeVerifier: z.string().min(43).max(128),
});
export type PendingSignIn = z.infer<typeof PendingSignIn>;

export interface OidcUser {
  /** `sso.` and a hash of issuer and subject (ssoUserId): never a password account's id. */
  id: string;
  /** How they are shown: the name claim (else the sign-in name, else the id). */
  name: string;
  /** Who the provider says they are: its issuer and their subject. */
  issuer: string;
  subject: string;
  /** The sign-in name the provider gave (the user claim), when it gave one. */
  username?: string;
  role: CaseClockRole;
  /** Managers (always) and viewers (when the provider gives one). */
  team?: string;
  /** Heads of service: the teams they oversee (at least one). */
  teams?: string[];
}

export type SignInResult = { ok: true; user: OidcUser } | { ok: false; reason: string };

export interface OidcSignIn {
  /** Where to send the browser, and what to keep in the session until it comes back. */
  begin(): Promise<{ url: string; pending: PendingSignIn }>;
  /**
   * The browser is back at the redirect URL (`callbackUrl`, with its query). Refusals (a state
   * that does not match, a wrong nonce, the provider's error, claims that give no role) come back
   * as `{ ok: false, reason }`; only an unreachable provider (discovery) throws.
   */
  finish(callbackUrl: URL, pending: PendingSignIn): Promise<SignInResult>;
}

/** The provider could not be discovered; the message names the issuer. */
export class OidcDiscoveryError extends Error {
  override name = 'OidcDiscoveryError';
}

function isLoopback(url: string): boolean {
  return ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url).hostname);
}

export function createOidcSignIn(input: OidcSettings): OidcSignIn {
  const settings = OidcSettings.parse(input);
  let discovered: Promise<oidc.Configuration> | undefined;

  const configuration = (): Promise<oidc.Configuration> => {
    discovered ??= oidc
      .discovery(
        new URL(settings.issuer),
        settings.clientId,
        { client_secret: settings.clientSecret },
        oidc.ClientSecretBasic(settings.clientSecret),
        // openid-client refuses http; a provider on this machine (tests, development) may use it,
        // as nothing then crosses a network. Anywhere else the settings require https.
        isLoopback(settings.issuer) ? { execute: [oidc.allowInsecureRequests] } : {},
      )
      .catch((err: unknown) => {
        // Forget the failure so the next sign-in tries again (the provider may be back).
        discovered = undefined;
        throw new OidcDiscoveryError(`single sign-on: could not discover the identity provider at ${settings.issuer}: ${describe(err)}`, { cause: err });
      });
    return discovered;
  };

  return {
    async begin() {
      const config = await configuration();
      const pending: PendingSignIn = {
        state: oidc.randomState(),
        nonce: oidc.randomNonce(),
        codeVerifier: oidc.randomPKCECodeVerifier(),
      };
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: settings.redirectUrl,
        response_type: 'code',
        scope: settings.scopes.join(' '),
        state: pending.state,
        nonce: pending.nonce,
        code_challenge: await oidc.calculatePKCECodeChallenge(pending.codeVerifier),
        code_challenge_method: 'S256',
      });
      return { url: url.href, pending };
    },

    async finish(callbackUrl, pendingInput) {
      const pending = PendingSignIn.safeParse(pendingInput);
      if (!pending.success) return { ok: false, reason: 'no sign-in was in progress in this session (start again)' };
      const config = await configuration();
      // The provider redirects to the registered URL; the console may see it under another
      // host (a proxy), so the code is redeemed against the configured URL with this query.
      const current = new URL(settings.redirectUrl);
      current.search = callbackUrl.search;
      let claims: Record<string, unknown>;
      try {
        const tokens = await oidc.authorizationCodeGrant(config, current, { pkceCodeVerifier: pending.data.codeVerifier, expectedState: pending.data.state, expectedNonce: pending.data.nonce, idTokenExpected: true });
        const idToken = tokens.claims();
        if (idToken === undefined) return { ok: false, reason: 'the identity provider returned no ID token' };
        claims = { ...idToken };
        // Providers following the specification strictly put profile and group claims only in
        // the userinfo response for the code flow; fetch it when the ID token lacks any of them.
        const wanted = [settings.claims.user ?? 'preferred_username', settings.claims.name, settings.claims.role, settings.claims.team, settings.claims.area];
        if (wanted.some((c) => claims[c] === undefined) && config.serverMetadata().userinfo_endpoint !== undefined) {
          const info = await oidc.fetchUserInfo(config, tokens.access_token, idToken.sub);
          // The signed ID token wins where both say something.
          claims = { ...info, ...idToken };
        }
      } catch (err) {
        return { ok: false, reason: `the sign-in could not be completed: ${describe(err)}` };
      }
      return mapClaims(claims, settings);
    },
  };
}

/** An error as one line, without tokens: openid-client's messages name parameters, not values. */
function describe(err: unknown): string {
  if (err instanceof oidc.AuthorizationResponseError || err instanceof oidc.ResponseBodyError) {
    return `the identity provider answered ${err.error}${err.error_description ? ` (${err.error_description})` : ''}`;
  }
  if (err instanceof Error) {
    const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
    return `${err.message}${cause}`;
  }
  return String(err);
}

const StringOrList = z.union([z.string(), z.array(z.string())]);

/** Maps validated claims to a CaseClock user, or a reason for refusing. Exported for tests. */
export function mapClaims(claims: Record<string, unknown>, settings: ParsedSettings): SignInResult {
  const c = settings.claims;
  const subject = z.string().min(1).max(255).safeParse(claims['sub']);
  if (!subject.success) return { ok: false, reason: 'the identity provider sent no usable "sub" claim (who the person is)' };
  // The ID token's issuer (checked by openid-client against the discovered one); the configured one otherwise.
  const issuer = typeof claims['iss'] === 'string' && claims['iss'] !== '' ? claims['iss'] : settings.issuer;
  const id = ssoUserId(issuer, subject.data);
  const userClaim = c.user ?? 'preferred_username';
  const label = FreeText(200).safeParse(claims[userClaim]);
  const username = label.success ? label.data : undefined;
  const who = `user ${username ?? id}`;
  const refuse = (reason: string): SignInResult => ({ ok: false, reason: `${who}: ${reason}` });

  const name = FreeText(200).safeParse(claims[c.name]);

  const rawRoles = claims[c.role] === undefined ? { success: true as const, data: [] as string[] } : StringOrList.safeParse(claims[c.role]);
  if (!rawRoles.success) return refuse(`the claim "${c.role}" must be a string or a list of strings`);
  const values = typeof rawRoles.data === 'string' ? [rawRoles.data] : rawRoles.data;
  const mapped = new Set(values.flatMap((v) => (Object.hasOwn(settings.roleMap, v) ? [settings.roleMap[v] as CaseClockRole] : [])));
  const role = PRECEDENCE.find((r) => mapped.has(r));
  if (role === undefined) {
    return refuse(
      claims[c.role] === undefined
        ? `the identity provider sent no "${c.role}" claim, so there is no CaseClock role to give`
        : `none of the values of the claim "${c.role}" maps to a CaseClock role (expected one of: ${Object.keys(settings.roleMap).join(', ') || 'nothing is configured'})`,
    );
  }
  const shown = name.success ? name.data : (username ?? id);
  const user: OidcUser = { id, name: shown, role, issuer, subject: subject.data, ...(username !== undefined ? { username } : {}) };

  if (role === 'manager' || role === 'viewer') {
    const raw = claims[c.team];
    const team = z
      .union([
        SafeId,
        z
          .array(SafeId)
          .length(1)
          .transform((l) => l[0] as string),
      ])
      .safeParse(raw);
    if (raw === undefined) {
      if (role === 'manager') return refuse(`a manager needs a team, and the claim "${c.team}" is missing`);
    } else if (!team.success) {
      return refuse(`the claim "${c.team}" must be one team code (letters, digits, dot, dash and underscore)`);
    } else {
      user.team = team.data;
    }
  }

  if (role === 'head-of-service') {
    const raw = claims[c.area];
    const list = StringOrList.transform((v) => (typeof v === 'string' ? v.split(/[\s,]+/) : v).filter((t) => t !== ''))
      .pipe(z.array(SafeId).min(1))
      .safeParse(raw);
    if (raw === undefined) return refuse(`a head of service needs the teams they oversee, and the claim "${c.area}" is missing`);
    if (!list.success) return refuse(`the claim "${c.area}" must list at least one team code (letters, digits, dot, dash and underscore)`);
    user.teams = [...new Set(list.data)];
  }

  return { ok: true, user };
}
