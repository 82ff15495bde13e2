/**
 * The team directory's page (/admin/teams) over HTTP, the console in-process with a directory of
 * this file's own (an embedded store): administrators only, a notice while no team is listed, a
 * team added and changed with the form (CSRF as every form), bad input refused on its field with
 * nothing written, a team removed, and the link in the administrators' navigation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTeamDirectory, type TeamDirectory } from '../../store/team-directory';
import type { ConsoleSession } from '../support/console';
import { type DirectoryPage, startDirectoryPage } from '../support/directory-tests';

const PASSWORDS = { admin: 'ada lists the council teams', manager: 'tess keeps her team on time' };
const TEAM = { code: 'LOCALITY-NORTH', name: 'Locality North', serviceArea: 'Family Support North', manager: 'tess', head: 'hal', sourceId: 'DEPT-101' };

let page: DirectoryPage<TeamDirectory>;
let directory: TeamDirectory;

function signIn(user: string, password: string): Promise<ConsoleSession> {
  return page.signIn(user, password);
}

beforeAll(async () => {
  page = await startDirectoryPage({ name: 'teams-page', open: openTeamDirectory, consoleWith: (teams) => ({ teams }), passwords: PASSWORDS, managerTeam: TEAM.code });
  ({ directory } = page);
}, 180_000);

afterAll(() => page?.stop());

describe('the team directory page', () => {
  it('is for administrators only: a manager gets 403 for the page and the form, and no menu item', async () => {
    const tess = await signIn('tess', PASSWORDS.manager);
    const home = await tess.request('/');
    expect(home.body).not.toContain('href="/admin/teams"');
    expect((await tess.request('/admin/teams')).status).toBe(403);
    const posted = await tess.request('/admin/teams', TEAM);
    expect(posted.status).toBe(403);
    expect(posted.body).toContain('Only an administrator may keep the team directory');
    expect(await directory.list()).toEqual([]);
  });

  it('says while it is empty that every team is accepted; adds, changes and removes a team', async () => {
    const ada = await signIn('ada', PASSWORDS.admin);
    const empty = await ada.request('/admin/teams');
    expect(empty.status).toBe(200);
    expect(empty.body).toContain('<a href="/admin/teams" aria-current="page">Teams</a>');
    expect(empty.body).toMatch(/id="teams-empty">\s*No teams are listed yet, so cases may be opened in any team/);
    // No case system configured: no section of its teams.
    expect(empty.body).not.toContain('Teams in the case system');
    expect(empty.body).not.toContain('unmapped-teams');

    const added = await ada.request('/admin/teams', TEAM);
    expect(added.status, added.body.slice(0, 1000)).toBe(303);
    expect(added.location).toBe('/admin/teams?done=LOCALITY-NORTH');
    expect(await directory.get(TEAM.code)).toMatchObject({ ...TEAM, changedBy: 'ada' });
    const listed = await ada.request('/admin/teams?done=LOCALITY-NORTH');
    expect(listed.body).not.toContain('id="teams-empty"');
    expect(listed.body).toContain('Team LOCALITY-NORTH saved.');
    expect(listed.body).toMatch(/<tr id="team-LOCALITY-NORTH"><td>LOCALITY-NORTH<\/td><td>Locality North<\/td><td>Family Support North<\/td><td>tess<\/td><td>hal<\/td><td>DEPT-101<\/td>/);

    // The edit form comes filled in; a change without the source id clears it.
    const edit = await ada.request('/admin/teams?edit=LOCALITY-NORTH');
    expect(edit.body).toContain('Change team LOCALITY-NORTH');
    expect(edit.body).toMatch(/id="team-serviceArea"[^>]*value="Family Support North"/);
    const changed = await ada.request('/admin/teams', { ...TEAM, head: 'hana', sourceId: '' });
    expect(changed.status).toBe(303);
    const after = await directory.get(TEAM.code);
    expect(after).toMatchObject({ head: 'hana' });
    expect(after?.sourceId).toBeUndefined();
    expect((await ada.request('/admin/teams?edit=NO-SUCH-TEAM')).status).toBe(404);

    await ada.request('/admin/teams');
    const removed = await ada.request('/admin/teams/LOCALITY-NORTH/remove', {});
    expect(removed.status).toBe(303);
    expect(await directory.list()).toEqual([]);
    await ada.request('/admin/teams');
    expect((await ada.request('/admin/teams/LOCALITY-NORTH/remove', {})).status).toBe(404);
  });

  it('refuses bad input on its field and a form without its CSRF token, writing nothing', async () => {
    const ada = await signIn('ada', PASSWORDS.admin);
    await ada.request('/admin/teams');
    await ada.request('/admin/teams', { ...TEAM, code: 'LOCALITY-EAST', sourceId: 'DEPT-7' });
    const before = await directory.list();
    const bad: Array<[Record<string, string>, string]> = [
      [{ code: 'LOCALITY SOUTH' }, 'code'],
      [{ name: '   ' }, 'name'],
      [{ manager: 'tess manager' }, 'manager'],
      [{ head: '' }, 'head'],
      [{ sourceId: 'DEPT-7' }, 'sourceId'],
    ];
    for (const [change, field] of bad) {
      const answer = await ada.request('/admin/teams', { ...TEAM, code: 'LOCALITY-SOUTH', ...change });
      expect(answer.status, field).toBe(400);
      expect(answer.body).toContain('Nothing was saved');
      expect(answer.body, field).toMatch(new RegExp(`id="team-${field}"[^>]*aria-invalid="true"`));
    }
    ada.csrf = 'not-the-token';
    expect((await ada.request('/admin/teams', { ...TEAM, code: 'LOCALITY-SOUTH' })).status).toBe(403);
    expect(await directory.list()).toEqual(before);
  });
});
