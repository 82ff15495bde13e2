/**
 * The one check every way in (opening a case, reporting an incident, changing a case's team; in
 * the console, the command line and the import) makes of a team: once the team directory
 * (store/team-directory.ts) lists any team, a team not in it is refused, naming the field `team`,
 * the teams it knows and how to add one. A directory that lists no team refuses nothing: the
 * council has not listed its teams yet (docs/teams.md).
 */
import type { TeamDirectory } from '../store/team-directory';
import type { RefusalProblem } from '../workflows/messages';

/** The teams a case may be in, as the directory listed them when asked. */
export type KnownTeams = { listed: false } | { listed: true; codes: readonly string[] };

/** No directory, or one that lists no team: every team is accepted. */
export const ANY_TEAM: KnownTeams = { listed: false };

/** The directory's teams, read once for a form, a command or a whole import. */
export async function knownTeams(directory: Pick<TeamDirectory, 'list'>): Promise<KnownTeams> {
  const codes = (await directory.list()).map((t) => t.code);
  return codes.length === 0 ? ANY_TEAM : { listed: true, codes };
}

/** Known teams named in a refusal: enough to spot a typo, never a page of them. */
const NAMED = 12;

/** What is wrong with `team`, or undefined when the directory accepts it. */
export function teamProblem(known: KnownTeams, team: string): string | undefined {
  if (!known.listed || known.codes.includes(team)) return undefined;
  const named = known.codes.slice(0, NAMED).join(', ');
  const more = known.codes.length > NAMED ? ` and ${known.codes.length - NAMED} more` : '';
  return `${team} is not a team in the team directory (known teams: ${named}${more}); an administrator adds a team at /admin/teams or with caseclock teams set`;
}

/** The same, as the refusal of an input whose team is at `field` (`details.team` in the case inputs). */
export function teamRefusal(known: KnownTeams, team: string, field = 'details.team'): RefusalProblem | undefined {
  const message = teamProblem(known, team);
  return message === undefined ? undefined : { field, message };
}
