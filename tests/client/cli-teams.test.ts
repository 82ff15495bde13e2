/**
 * `caseclock teams list|set|remove` end to end: the real bin in a child process, against an
 * embedded store of this file's own (a directory listing teams would refuse the other files' cases
 * their arbitrary team codes), with a users file of an administrator, a manager and a viewer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTeamDirectory, type Team } from '../../store/team-directory';
import { type DirectoryCli, expectRefused, startDirectoryCli } from '../support/directory-tests';

let cli: DirectoryCli;
const caseclock = (args: string[], extra: Record<string, string> = {}) => cli.caseclock(args, extra);

async function listed(): Promise<Team[]> {
  const teams = openTeamDirectory(cli.storeUrl);
  try {
    return await teams.list();
  } finally {
    await teams.close();
  }
}

const NORTH = ['teams', 'set', 'LOCALITY-NORTH', '--name', 'Locality North', '--service-area', 'Family Support North', '--manager', 'tess', '--head', 'hal', '--source-id', 'DEPT-101'];

beforeAll(async () => {
  cli = await startDirectoryCli('cli-teams');
});
afterAll(() => cli?.stop());

describe('caseclock teams', () => {
  it('lists an empty directory and says what that means', async () => {
    const run = await caseclock(['teams', 'list']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^no teams listed: cases may be opened in any team/);
    const json = await caseclock(['teams', 'list', '--json']);
    expect(JSON.parse(json.stdout)).toEqual({ teams: [] });
  });

  it('an administrator adds, changes and removes a team; list shows it, readable and as JSON', async () => {
    const added = await caseclock(NORTH);
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toMatch(/^team LOCALITY-NORTH recorded by ada: LOCALITY-NORTH {2}Locality North \(Family Support North\): manager tess, head of service hal, source DEPT-101/);
    // Set again without --source-id: the team no longer has one.
    const changed = await caseclock([...NORTH.slice(0, 10), 'hana', '--json']);
    expect(changed.code, changed.stderr).toBe(0);
    const team = (JSON.parse(changed.stdout) as { team: Team }).team;
    expect(team).toMatchObject({ code: 'LOCALITY-NORTH', head: 'hana', changedBy: 'ada' });
    expect(team.sourceId).toBeUndefined();
    const list = await caseclock(['teams', 'list', '--json']);
    const teams = (JSON.parse(list.stdout) as { teams: Team[] }).teams;
    expect(teams.map((t) => [t.code, t.name, t.serviceArea, t.manager, t.head, t.changedBy])).toEqual([['LOCALITY-NORTH', 'Locality North', 'Family Support North', 'tess', 'hana', 'ada']]);
    const text = await caseclock(['teams', 'list']);
    expect(text.stdout).toMatch(/^LOCALITY-NORTH {2}Locality North \(Family Support North\): manager tess, head of service hana; changed by ada at 20/);
    const removed = await caseclock(['teams', 'remove', 'LOCALITY-NORTH']);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toBe('team LOCALITY-NORTH removed from the directory by ada\n');
    expect(await listed()).toEqual([]);
    expectRefused(await caseclock(['teams', 'remove', 'LOCALITY-NORTH']), /^caseclock: <code> "LOCALITY-NORTH": no such team in the directory: nothing was changed/);
  });

  it('refuses a manager or a viewer, and bad input naming the option, writing nothing', async () => {
    await caseclock(NORTH);
    const before = await listed();
    expect(before).toHaveLength(1);
    expectRefused(await caseclock([...NORTH, '--as', 'tess']), /--as "tess" is not an administrator: only an administrator may change the team directory, nothing was changed/);
    expectRefused(await caseclock(['teams', 'remove', 'LOCALITY-NORTH', '--as', 'tess']), /"tess" is not an administrator/);
    expectRefused(await caseclock(['teams', 'remove', 'LOCALITY-NORTH'], { CASECLOCK_USER: 'val' }), /CASECLOCK_USER "val" has read-only access/);
    const south = ['teams', 'set', 'LOCALITY-SOUTH', '--name', 'Locality South', '--service-area', 'Family Support South', '--manager', 'tess', '--head', 'hal'];
    expectRefused(await caseclock(south.slice(0, 9)), /--head is required/);
    expectRefused(await caseclock(['teams', 'set', 'LOCALITY SOUTH', ...south.slice(3)]), /^caseclock: <code> "LOCALITY SOUTH": may contain only letters, digits, dot, dash and underscore/);
    expectRefused(await caseclock([...south.slice(0, 5), '--service-area', '  ', ...south.slice(7)]), /^caseclock: --service-area "  ": must not be empty/);
    expectRefused(await caseclock([...south.slice(0, 7), '--manager', 'tess manager', ...south.slice(9)]), /^caseclock: --manager "tess manager": may contain only letters/);
    expectRefused(await caseclock([...south, '--source-id', 'DEPT-101']), /--source-id: DEPT-101 is already the source id of another team: nothing was changed/);
    expect(await listed()).toEqual(before);
    // Control: the same comparison notices a write.
    const added = await caseclock(south);
    expect(added.code, added.stderr).toBe(0);
    expect(await listed()).not.toEqual(before);
  });

  it('only an administrator may ask cases to write their summaries (summaries backfill), and says so', async () => {
    expectRefused(await caseclock(['summaries', 'backfill', '--as', 'tess']), /--as "tess" is not an administrator: only an administrator may ask cases to write their summaries, nothing was changed/);
  });
});
