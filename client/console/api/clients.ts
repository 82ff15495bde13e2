/**
 * The integration API's settings: which identity provider's tokens it accepts, for which audience,
 * and the clients file (CASECLOCK_API_CLIENTS_FILE), which says what each integration client may
 * do. The identity provider says who a client is and which scopes it was granted; the clients file
 * says what CaseClock lets it use, so a client gets only what both give it (auth.ts).
 *
 * The clients file, JSON, read once at start (a change needs a restart):
 *
 *   { "clients": [
 *     { "id": "ssd-bridge", "name": "Case system bridge", "actions": ["read", "visit"], "teams": "all" },
 *     { "id": "0b6f...-guid", "actions": ["read"], "teams": ["LOCALITY-NORTH"] } ] }
 *
 * A mistake stops the start with a message naming the file and the field (docs/api-clients.md).
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { MAX_API_CLIENT_ID_LENGTH } from '../../../common/api-identity';
import type { Config } from '../../../common/config';
import { knownTeams } from '../../../common/teams';
import { FreeText, SafeId } from '../../../domain/facts';
import type { TeamDirectory } from '../../../store/team-directory';
import { CASE_ACTIONS } from '../../actions/case-actions';

/**
 * Everything a client may be given, each as the scope `caseclock:<action>`: `read` (cases,
 * timelines, incidents), `open` (a case), `incident-report`, and every change to a case or
 * incident by the slug its console form and command have (visit, kit-call, close, ...).
 */
export const API_ACTIONS: readonly string[] = ['read', 'open', 'incident-report', ...CASE_ACTIONS.map((a) => a.slug)];

export const SCOPE_PREFIX = 'caseclock:';

/** The scope a token must carry for `action`. */
export const scopeFor = (action: string): string => `${SCOPE_PREFIX}${action}`;

/** A client's id at the identity provider: it must fit `api.<id>` in a case event's `by`. */
const ClientId = SafeId.max(MAX_API_CLIENT_ID_LENGTH, `must be at most ${MAX_API_CLIENT_ID_LENGTH} characters (it is recorded as api.<id>)`);

const Action = z.string().refine((a) => API_ACTIONS.includes(a), { error: (issue) => `"${String(issue.input)}" is not an action; the actions are: ${API_ACTIONS.join(', ')}` });

export const ApiClientEntry = z.strictObject({
  /** The client's id as the identity provider puts it in its tokens (client_id, azp or sub). */
  id: ClientId,
  /** Who it is, for people reading the file (e.g. "Case system bridge"). */
  name: FreeText(200).optional(),
  actions: z.array(Action).min(1, 'must list at least one action, e.g. ["read"]').max(API_ACTIONS.length),
  /** `all`, or the team codes whose cases it may read and change. */
  teams: z.union([z.literal('all'), z.array(SafeId).min(1, 'must list at least one team, or be "all"').max(1000)], { error: 'must be "all" or a list of team codes, e.g. ["LOCALITY-NORTH"]' }),
});
export type ApiClientEntry = z.infer<typeof ApiClientEntry>;

export const ApiClientsFile = z.strictObject({ clients: z.array(ApiClientEntry).max(1000) }).check((ctx) => {
  const seen = new Set<string>();
  ctx.value.clients.forEach((c, i) => {
    if (seen.has(c.id)) ctx.issues.push({ code: 'custom', input: c.id, path: ['clients', i, 'id'], message: `client id "${c.id}" appears more than once` });
    seen.add(c.id);
  });
});
export type ApiClientsFile = z.infer<typeof ApiClientsFile>;

/** What CaseClock lets one integration client use. */
export interface ApiClient {
  id: string;
  name?: string;
  /** The actions given to it, as scopes (`caseclock:read`, `caseclock:visit`). */
  scopes: ReadonlySet<string>;
  teams: 'all' | ReadonlySet<string>;
}

/** How the integration API checks who calls it (apiAuthentication in auth.ts). */
export interface ApiAuthConfig {
  /** The identity provider's issuer identifier, exactly as its discovery document gives it. */
  issuer: string;
  /** What a token's `aud` must contain: the API's application id URI or resource indicator. */
  audience: string;
  /** Client id → what it may use. A client not here is refused whatever its token says. */
  clients: ReadonlyMap<string, ApiClient>;
  /** Leeway for `exp` and `nbf` between CaseClock's clock and the provider's; 30 s when unset. */
  clockToleranceSeconds?: number;
  /** A token naming a key not in the cached set fetches the set again, at most this often; 30 s when unset. */
  keyRefreshCooldownSeconds?: number;
}

export class ApiConfigError extends Error {
  override name = 'ApiConfigError';
}

/** The clients file's entries as the token check uses them. */
export function apiClients(file: ApiClientsFile): ReadonlyMap<string, ApiClient> {
  return new Map(
    file.clients.map((c) => [
      c.id,
      {
        id: c.id,
        ...(c.name !== undefined ? { name: c.name } : {}),
        scopes: new Set(c.actions.map(scopeFor)),
        teams: c.teams === 'all' ? 'all' : new Set(c.teams),
      } satisfies ApiClient,
    ]),
  );
}

/** Reads and validates a clients file; a mistake is one message naming the file, the field and why. */
export function readApiClientsFile(file: string): ApiClientsFile {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file (docs/api-clients.md says what goes in it)' : err instanceof SyntaxError ? `not valid JSON (${err.message})` : 'cannot be read';
    throw new ApiConfigError(`CASECLOCK_API_CLIENTS_FILE ${file}: ${why}`);
  }
  const parsed = ApiClientsFile.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`).join('; ');
    throw new ApiConfigError(`CASECLOCK_API_CLIENTS_FILE ${file}: ${problems}`);
  }
  return parsed.data;
}

/**
 * The integration API's settings from the environment and the clients file, or undefined when the
 * API is off (no CASECLOCK_API_ISSUER). With a team directory, every team a client is given must
 * be in it once it lists any (common/teams.ts), so a typo is found at start, not by a refusal.
 * Throws ApiConfigError naming the setting or the file's field.
 */
export async function apiAuthConfigFromConfig(
  config: Pick<Config, 'CASECLOCK_API_ISSUER' | 'CASECLOCK_API_AUDIENCE' | 'CASECLOCK_API_CLIENTS_FILE'>,
  teams?: Pick<TeamDirectory, 'list'>,
): Promise<ApiAuthConfig | undefined> {
  const issuer = config.CASECLOCK_API_ISSUER;
  if (issuer === undefined) return undefined;
  const audience = config.CASECLOCK_API_AUDIENCE;
  if (audience === undefined) throw new ApiConfigError('CASECLOCK_API_AUDIENCE: must be set when CASECLOCK_API_ISSUER is set (the integration API is on)');
  const file = readApiClientsFile(config.CASECLOCK_API_CLIENTS_FILE);
  if (teams !== undefined) {
    const known = await knownTeams(teams);
    if (known.listed) {
      const problems = file.clients.flatMap((c, i) => (c.teams === 'all' ? [] : c.teams.flatMap((t, j) => (known.codes.includes(t) ? [] : [`clients.${i}.teams.${j}: ${t} is not a team in the team directory`]))));
      if (problems.length > 0) throw new ApiConfigError(`CASECLOCK_API_CLIENTS_FILE ${config.CASECLOCK_API_CLIENTS_FILE}: ${problems.join('; ')}`);
    }
  }
  return { issuer, audience, clients: apiClients(file) };
}
