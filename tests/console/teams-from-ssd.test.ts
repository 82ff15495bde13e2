/**
 * The Teams page's "Teams in the case system not yet in CaseClock" (/admin/teams) over HTTP: a
 * synthetic council written as CSV extracts, a team directory of this file's own (an embedded
 * store) listing all but two of the council's teams children are allocated to. The page lists
 * every department no team has as its source id, with its service area and the children allocated
 * to it now, most first; Add fills the form in without a manager or head of service, and nothing
 * is added until the administrator chooses them; a source that cannot be read costs one line.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword, writeUsersFile } from '../../client/identity/auth';
import { openSsdSource } from '../../store/ssd-source';
import { openTeamDirectory, type TeamDirectory } from '../../store/team-directory';
import { generateCouncil } from '../../tools/ssd/council';
import { writeSsdCsv } from '../../tools/ssd/io';
import { ConsoleSession, startTestConsole, type TestConsole } from '../support/console';
import { startScriptStore } from '../support/script-store';
import { connectDevServer, type DevServerConnections } from '../support/temporal-env';

const PASSWORD = 'ada adds the council teams';

// Yesterday's extract: every allocation in it started before now, and those ended, ended before now.
const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
const council = generateCouncil({ seed: 'teams-from-ssd', children: 60, years: 1, asOf: yesterday });
const departments = council.tables.ssd_department;
const nameOf = new Map(departments.map((d) => [d.dept_team_id, d.dept_team_name]));

/** Children allocated to each team now, counted from the extract's rows here, not by the code under test. */
const childrenOf = new Map<string, number>();
for (const d of departments) {
  const open = council.tables.ssd_involvements.filter((i) => i.invo_professional_team === d.dept_team_id && i.invo_professional_role_id === 'Allocated Case Worker' && i.invo_involvement_end_date === null);
  childrenOf.set(d.dept_team_id, new Set(open.map((i) => i.invo_person_id)).size);
}
const allocated = departments.filter((d) => childrenOf.get(d.dept_team_id)! > 0);
/** The two allocated teams left out of the directory. */
const left = allocated.slice(-2).map((d) => d.dept_team_id);

let dev: DevServerConnections;
let store: Awaited<ReturnType<typeof startScriptStore>>;
let directory: TeamDirectory;
let server: TestConsole;
let dir: string;
let sourceDir: string;

const decode = (html: string): string =>
  html
    .replace(/&#39;|&#x27;|&apos;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');

/** The section's rows as [id, name, service area, children]. */
function rowsOf(body: string): string[][] {
  const table = /<table class="data" id="unmapped-teams-list">([\s\S]*?)<\/table>/.exec(body)?.[1] ?? '';
  return [...table.matchAll(/<tr id="unmapped-[^"]+">([\s\S]*?)<\/tr>/g)].map((m) => [...m[1]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].slice(0, 4).map((c) => decode(c[1]!)));
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'caseclock-teams-from-ssd-'));
  sourceDir = path.join(dir, 'ssd');
  [dev, store] = await Promise.all([connectDevServer(), startScriptStore()]);
  directory = openTeamDirectory(store.url);
  for (const d of allocated) {
    if (left.includes(d.dept_team_id)) continue;
    await directory.upsert({ code: `TEAM-${d.dept_team_id}`, name: d.dept_team_name!, serviceArea: 'Children', manager: 'tess', head: 'hal', sourceId: d.dept_team_id, changedBy: 'admin' });
  }
  await writeSsdCsv(council.tables, sourceDir);
  const usersFile = path.join(dir, 'users.json');
  writeUsersFile(usersFile, { users: [{ id: 'ada', name: 'Ada Administrator', role: 'administrator', passwordHash: await hashPassword(PASSWORD) }] });
  server = await startTestConsole({
    client: dev.client,
    usersFile,
    teams: directory,
    // Read as the console's main.ts has it from CASECLOCK_SSD_SOURCE; the folder is this file's to break.
    teamFeed: { openSource: () => openSsdSource({ kind: 'csv', dir: sourceDir }), allocatedWorkerRoles: ['Allocated Case Worker'] },
  });
}, 180_000);

afterAll(async () => {
  await server?.close();
  await directory?.close();
  await store?.stop();
  await dev?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("the case system's teams on the Teams page", () => {
  it('lists each department no team has as its source id, with its service area and the children allocated to it now, most first', async () => {
    expect(left).toHaveLength(2);
    const ada = await ConsoleSession.signedIn(server.url, 'ada', PASSWORD);
    const page = await ada.request('/admin/teams');
    expect(page.status).toBe(200);
    expect(page.body).toContain('Teams in the case system not yet in CaseClock');
    const mapped = new Set((await directory.list()).map((t) => t.sourceId));
    const expected = departments
      .filter((d) => !mapped.has(d.dept_team_id))
      .map((d) => {
        const parent = d.dept_team_parent_id;
        return [d.dept_team_id, d.dept_team_name!, parent === null ? '' : `${nameOf.get(parent)!} (${parent})`, String(childrenOf.get(d.dept_team_id))];
      })
      .sort((a, b) => Number(b[3]) - Number(a[3]) || a[1]!.localeCompare(b[1]!, 'en-GB'));
    expect(rowsOf(page.body)).toEqual(expected);
    // The two left out come first: children are waiting for them; service areas have none.
    expect(
      expected
        .slice(0, 2)
        .map((r) => r[0])
        .sort(),
    ).toEqual([...left].sort());
    expect(Number(expected[0]![3])).toBeGreaterThan(0);
    expect(page.body).toContain(`href="/admin/teams?add=${expected[0]![0]}#team-form"`);
  });

  it('Add fills the form in from the case system and adds nothing until the manager and head of service are chosen', async () => {
    const ada = await ConsoleSession.signedIn(server.url, 'ada', PASSWORD);
    const [id] = left;
    const team = departments.find((d) => d.dept_team_id === id)!;
    const code = team.dept_team_name!.toUpperCase().replace(/[^A-Z0-9]+/g, '-');
    const area = nameOf.get(team.dept_team_parent_id!)!;
    const form = await ada.request(`/admin/teams?add=${id}`);
    expect(form.status).toBe(200);
    expect(form.body).toContain(`Filled in from the case system's team ${id}, with ${childrenOf.get(id!)}`);
    const field = (name: string): string | undefined => {
      const tag = new RegExp(`<input[^>]*id="team-${name}"[^>]*>`).exec(form.body)?.[0] ?? '';
      const value = /value="([^"]*)"/.exec(tag)?.[1];
      return value === undefined ? undefined : decode(value);
    };
    expect([field('code'), field('name'), field('serviceArea'), field('sourceId')]).toEqual([code, team.dept_team_name, area, id]);
    expect([field('manager') ?? '', field('head') ?? '']).toEqual(['', '']);
    const before = await directory.list();

    // Submitted as filled in: refused on the manager, nothing saved, the section still there.
    const filled = { code, name: team.dept_team_name!, serviceArea: area, manager: '', head: '', sourceId: id! };
    const refused = await ada.request('/admin/teams', filled);
    expect(refused.status).toBe(400);
    expect(refused.body).toMatch(/id="team-manager"[^>]*aria-invalid="true"/);
    expect(refused.body).toContain(`id="unmapped-${id}"`);
    expect(await directory.list()).toEqual(before);

    const added = await ada.request('/admin/teams', { ...filled, manager: 'tess', head: 'hal' });
    expect(added.status, added.body.slice(0, 1000)).toBe(303);
    expect(await directory.get(code)).toMatchObject({ code, name: team.dept_team_name, serviceArea: area, sourceId: id, manager: 'tess', head: 'hal', changedBy: 'ada' });
    const after = await ada.request(added.location!);
    expect(after.body).toContain(`Team ${code} saved.`);
    expect(after.body).not.toContain(`id="unmapped-${id}"`);
    expect(rowsOf(after.body).map((r) => r[0])).toContain(left[1]);

    // A team added already, or no team of the case system: the form is empty and says so.
    const gone = await ada.request(`/admin/teams?add=${id}`);
    expect(gone.body).toContain(`The case system's team ${id} is not among its teams CaseClock does not list`);
    expect(gone.body).not.toContain('Filled in from the case system');
  });

  it('says in one line when the case system cannot be read, and the rest of the page works', async () => {
    const ada = await ConsoleSession.signedIn(server.url, 'ada', PASSWORD);
    const readable = sourceDir;
    // A folder without its extracts, as a half-set-up export would leave it.
    sourceDir = mkdirSync(path.join(dir, 'empty-extract'), { recursive: true })!;
    try {
      const page = await ada.request('/admin/teams');
      expect(page.status).toBe(200);
      const line = /<p id="unmapped-teams-unread">([^<]*)<\/p>/.exec(page.body)?.[1];
      expect(line).toMatch(/^The case system could not be read just now, so its teams not yet in CaseClock are not shown: .*ssd_department/);
      expect(page.body).not.toContain('id="unmapped-teams-list"');
      expect(page.body).toContain(`id="team-TEAM-${allocated[0]!.dept_team_id}"`);
      expect(page.body).toContain('id="team-form"');
      const added = await ada.request('/admin/teams', { code: 'LOCALITY-NORTH', name: 'Locality North', serviceArea: 'Family Support North', manager: 'tess', head: 'hal', sourceId: '' });
      expect(added.status).toBe(303);
      expect(await directory.get('LOCALITY-NORTH')).toBeDefined();
    } finally {
      sourceDir = readable;
    }
    // Control: readable again, the section is back.
    expect((await ada.request('/admin/teams')).body).toContain('id="unmapped-teams-list"');
  });
});
