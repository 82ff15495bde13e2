/**
 * The team directory (store/team-directory.ts): `teams list|set|remove`. Anyone may list it;
 * only administrators change it (client/identity/access.ts, mayManageTeams). Once it lists any
 * team, cases and incidents are refused a team not in it (docs/teams.md).
 */
import type { Command } from 'commander';
import { redactUrl } from '../../../store/case-record-store';
import { openTeamDirectory, TeamCode, TeamDirectoryInvalid, TeamInput, type Team, type TeamDirectory } from '../../../store/team-directory';
import { CliError, output } from '../support';
import { administratorActor, commonOptions, type CommonOptions, firstLine, loadConfig, parseOptions, quoted } from './common';

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
async function withTeams<T>(fn: (teams: TeamDirectory) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const teams = openTeamDirectory(config.CASECLOCK_STORE_URL);
  try {
    return await fn(teams);
  } catch (err) {
    if (err instanceof CliError) throw err;
    if (err instanceof TeamDirectoryInvalid) throw new CliError(`${FLAGS[err.field] ?? err.field}: ${err.problem}: nothing was changed`);
    throw new CliError(`cannot reach the team directory at ${redactUrl(config.CASECLOCK_STORE_URL)}: ${firstLine(err)}`, 69);
  } finally {
    await teams.close().catch(() => undefined);
  }
}

function teamLine(t: Team): string {
  const source = t.sourceId === undefined ? '' : `, source ${t.sourceId}`;
  return `${t.code}  ${t.name} (${t.serviceArea}): manager ${t.manager}, head of service ${t.head}${source}; changed by ${t.changedBy} at ${t.changedAt}`;
}

type SetOptions = CommonOptions & { name?: string; serviceArea?: string; manager?: string; head?: string; sourceId?: string };

export function register(program: Command): void {
  const teams = program.command('teams').description("the council's teams CaseClock knows (once any is listed, cases may be opened only in a listed team)");

  commonOptions(teams.command('list').description('every team in the directory'), false).action(async (o: { json?: boolean }) => {
    const list = await withTeams((t) => t.list());
    output(o.json === true, { teams: list }, () => (list.length === 0 ? 'no teams listed: cases may be opened in any team until one is added (caseclock teams set)' : list.map(teamLine).join('\n')));
  });

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
