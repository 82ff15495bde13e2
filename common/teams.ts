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

/**
 * The known team nearest to what was typed, when it is near enough to be a slip (a letter or two
 * out, swapped, or in lower case): the administrator meant it. Undefined when none is.
 */
export function nearestTeam(codes: readonly string[], typed: string): string | undefined {
  const wanted = typed.toUpperCase();
  // A slip is a small part of the code: two edits in a short one, three in a long one.
  const allowed = Math.min(3, Math.max(1, Math.floor(wanted.length / 5)));
  let best: { code: string; distance: number } | undefined;
  for (const code of codes) {
    const distance = editDistance(code.toUpperCase(), wanted, allowed);
    if (distance <= allowed && (best === undefined || distance < best.distance)) best = { code, distance };
  }
  return best?.code;
}

/**
 * Optimal string alignment distance (insertions, deletions, substitutions and swaps of two
 * neighbouring letters each cost one), giving up once every alignment costs more than `limit`.
 */
export function editDistance(a: string, b: string, limit = Infinity): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let smallest = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min((previous[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, (before[j - 2] ?? 0) + 1);
      row.push(d);
      smallest = Math.min(smallest, d);
    }
    if (smallest > limit) return limit + 1;
    before = previous;
    previous = row;
  }
  return previous[b.length] ?? 0;
}

/**
 * What is wrong with `team`, to follow the team as typed (`"LOCALITY-NROTH" is not a team ...`),
 * or undefined when the directory accepts it: the nearest known team when one is near, the teams it
 * knows, and how to add one.
 */
export function unknownTeam(known: KnownTeams, team: string): string | undefined {
  if (!known.listed || known.codes.includes(team)) return undefined;
  const nearest = nearestTeam(known.codes, team);
  const named = known.codes.slice(0, NAMED).join(', ');
  const more = known.codes.length > NAMED ? ` and ${known.codes.length - NAMED} more` : '';
  const meant = nearest === undefined ? '' : `: did you mean ${nearest}?`;
  return `is not a team in the team directory${meant} (known teams: ${named}${more}); an administrator adds a team at /admin/teams or with caseclock teams set`;
}

/** What is wrong with `team`, naming it, or undefined when the directory accepts it. */
export function teamProblem(known: KnownTeams, team: string): string | undefined {
  const problem = unknownTeam(known, team);
  return problem === undefined ? undefined : `${team} ${problem}`;
}

/** The same, as the refusal of an input whose team is at `field` (`details.team` in the case inputs). */
export function teamRefusal(known: KnownTeams, team: string, field = 'details.team'): RefusalProblem | undefined {
  const message = teamProblem(known, team);
  return message === undefined ? undefined : { field, message };
}
