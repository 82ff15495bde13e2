/**
 * The team directory (store/team-directory.ts): `teams list|set|remove`. Anyone may list it;
 * only administrators change it (client/identity/access.ts, mayManageTeams). Once it lists any
 * team, cases and incidents are refused a team not in it (docs/teams.md). `teams unmapped` lists
 * the case system's teams it does not yet, as the console's Teams page does (client/unmapped-teams.ts).
 */
import type { Command } from 'commander';
import type { UnmappedTeam } from '../../../domain/ssd/unmapped-teams';
import { SsdSourceError } from '../../../store/ssd-source';
import { openTeamDirectory, TeamCode, TeamInput, type Team, type TeamDirectory } from '../../../store/team-directory';
import { readUnmappedTeams, teamFeedOf, type UnmappedTeams } from '../../unmapped-teams';
import { CliError, output } from '../support';
import { administratorActor, commonOptions, type CommonOptions, firstLine, loadConfig, parseOptions, quoted, withDirectory } from './common';

/** The directory's fields as the options that set them. */
const FLAGS: Record<string, string> = {
  code: '<code>',
  name: '--name',
  serviceArea: '--service-area',
  manager: '--manager',
  head: '--head',
  sourceId: '--source-id',
  changedBy: '--as',
  team: '<code>',
};

/** Opens the directory, runs `fn`, always closes it; a bad field is one line naming its option. */
const withTeams = <T>(fn: (teams: TeamDirectory) => Promise<T>): Promise<T> => withDirectory('team directory', openTeamDirectory, FLAGS, fn);

function teamLine(t: Team): string {
  const source = t.sourceId === undefined ? '' : `, source ${t.sourceId}`;
  return `${t.code}  ${t.name} (${t.serviceArea}): manager ${t.manager}, head of service ${t.head}${source}; changed by ${t.changedBy} at ${t.changedAt}`;
}

/** A word as a POSIX shell reads it back: plain, or in single quotes. */
const shellWord = (s: string): string => (/^[A-Za-z0-9._\/-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** The `teams set` that adds it, the manager and head of service left for the administrator. */
function addCommand(t: UnmappedTeam): string {
  const { code, name, serviceArea, sourceId } = t.suggestion;
  const words = ['caseclock teams set', shellWord(code), '--name', name === '' ? '<name>' : shellWord(name), '--service-area', serviceArea === '' ? '<area>' : shellWord(serviceArea)];
  return [...words, '--manager <userId> --head <userId> --source-id', shellWord(sourceId)].join(' ');
}

function unmappedText(result: UnmappedTeams): string {
  if (result.teams.length === 0) return `every team in the case system (${result.departments} departments, read at ${result.readAt}) is in the team directory`;
  const lines = [`read from the case system at ${result.readAt}: ${result.teams.length} of its ${result.departments} departments are in no team's --source-id (most children first)`];
  for (const t of result.teams) {
    const area = t.parentId === null ? 'no service area' : `service area ${t.parentName ?? '(no name)'} (${t.parentId})`;
    lines.push(`${t.teamId}  ${t.name ?? '(no name)'}, ${area}: ${t.children} ${t.children === 1 ? 'child' : 'children'} allocated now`, `  add with: ${addCommand(t)}`);
  }
  return lines.join('\n');
}

type SetOptions = CommonOptions & { name?: string; serviceArea?: string; manager?: string; head?: string; sourceId?: string };

export function register(program: Command): void {
  const teams = program.command('teams').description("the council's teams CaseClock knows (once any is listed, cases may be opened only in a listed team)");

  commonOptions(teams.command('list').description('every team in the directory'), false).action(async (o: { json?: boolean }) => {
    const list = await withTeams((t) => t.list());
    output(o.json === true, { teams: list }, () => (list.length === 0 ? 'no teams listed: cases may be opened in any team until one is added (caseclock teams set)' : list.map(teamLine).join('\n')));
  });

  commonOptions(teams.command('unmapped').description("the case system's teams (ssd_department) no team in the directory has as its source id, with the children allocated to each now"), false).action(
    async (o: { json?: boolean }) => {
      const config = loadConfig();
      const feed = teamFeedOf(config);
      if (!feed) throw new CliError('CASECLOCK_SSD_SOURCE is not set: there is no case system to read teams from', 78);
      const result = await withTeams(async (directory) => {
        try {
          return await readUnmappedTeams(feed, directory);
        } catch (err) {
          if (err instanceof SsdSourceError) throw new CliError(`cannot read the case system: ${firstLine(err)}`, 69);
          throw err;
        }
      });
      output(o.json === true, result, () => unmappedText(result));
    },
  );

  commonOptions(
    teams
      .command('set')
      .description('add a team, or change what is recorded for it (administrators)')
      .argument('<code>', 'the team code cases carry, e.g. LOCALITY-NORTH')
      .option('--name <name>', 'how the team is shown, e.g. "Locality North" (required)')
      .option('--service-area <area>', 'its service area (required)')
      .option('--manager <userId>', "the team manager's console user id (required)")
      .option('--head <userId>', "the head of service's console user id (required)")
      .option('--source-id <id>', "ssd_department.dept_team_id in the council's case system"),
  ).action(async (code: string, o: SetOptions) => {
    const changedBy = administratorActor(o);
    // Refused by option before the store is reached; the store checks the same schema again.
    const input = parseOptions(TeamInput, { code, name: o.name, serviceArea: o.serviceArea, manager: o.manager, head: o.head, ...(o.sourceId !== undefined ? { sourceId: o.sourceId } : {}), changedBy }, FLAGS);
    const team = await withTeams((t) => t.upsert(input));
    output(o.json === true, { team }, () => `team ${team.code} recorded by ${changedBy}: ${teamLine(team)}`);
  });

  commonOptions(teams.command('remove').description('take a team out of the directory (administrators; its cases keep their team code)').argument('<code>', 'the team code')).action(
    async (code: string, o: CommonOptions) => {
      const by = administratorActor(o);
      parseOptions(TeamCode, code, { '': '<code>' });
      const removed = await withTeams((t) => t.remove(code));
      if (!removed) throw new CliError(`<code> ${quoted(code)}: no such team in the directory: nothing was changed`);
      output(o.json === true, { removed: code, by }, () => `team ${code} removed from the directory by ${by}`);
    },
  );
}
