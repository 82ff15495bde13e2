/**
 * `caseclock teams unmapped [--json]` end to end: the real bin in a child process, a synthetic
 * council written as CSV extracts (CASECLOCK_SSD_SOURCE=csv:...), and an embedded store of this
 * file's own whose team directory lists all but two of the council's teams children are allocated
 * to. It lists every department no team has as its source id, most children first, each with the
 * `teams set` that adds it once the manager and head of service are filled in; it is refused while
 * no source is set, and says in one line when the source cannot be read.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UnmappedTeams } from '../../client/unmapped-teams';
import { hashPassword, writeUsersFile } from '../../client/identity/auth';
import { migrateCaseRecordStore, startEmbeddedStore, type EmbeddedStore } from '../../store/case-record-store';
import { openTeamDirectory, type Team } from '../../store/team-directory';
import { generateCouncil } from '../../tools/ssd/council';
import { writeSsdCsv } from '../../tools/ssd/io';
import { CASECLOCK_BIN, runCaseclock, type CliRun } from '../support/caseclock-bin';

const dir = mkdtempSync(path.join(os.tmpdir(), 'caseclock-cli-teams-unmapped-'));
const USERS = path.join(dir, 'users.json');
const SOURCE = path.join(dir, 'ssd');
let store: EmbeddedStore;

// Yesterday's extract: every allocation in it started before now, and those ended, ended before now.
const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
const council = generateCouncil({ seed: 'cli-teams-unmapped', children: 60, years: 1, asOf: yesterday });
const departments = council.tables.ssd_department;

/** Children allocated to each team now, counted from the extract's rows here, not by the code under test. */
const childrenOf = new Map<string, number>();
for (const d of departments) {
  const open = council.tables.ssd_involvements.filter((i) => i.invo_professional_team === d.dept_team_id && i.invo_professional_role_id === 'Allocated Case Worker' && i.invo_involvement_end_date === null);
  childrenOf.set(d.dept_team_id, new Set(open.map((i) => i.invo_person_id)).size);
}
const allocated = departments.filter((d) => childrenOf.get(d.dept_team_id)! > 0);
const left = allocated.slice(0, 2).map((d) => d.dept_team_id);

const env = (extra: Record<string, string> = {}) => ({ CASECLOCK_STORE_URL: store.url, CASECLOCK_USERS_FILE: USERS, CASECLOCK_OPERATOR: '', CASECLOCK_USER: 'ada', CASECLOCK_SSD_SOURCE: `csv:${SOURCE}`, ...extra });
const caseclock = (args: string[], extra: Record<string, string> = {}): Promise<CliRun> => runCaseclock(args, env(extra));

async function listed(): Promise<Team[]> {
  const teams = openTeamDirectory(store.url);
  try {
    return await teams.list();
  } finally {
    await teams.close();
  }
}

/** A line as a person pastes it into a POSIX shell, `caseclock` being the checkout's bin. */
function inShell(line: string): Promise<CliRun> {
  return new Promise((resolve) => {
    const script = `caseclock() { "${process.execPath}" "${CASECLOCK_BIN}" "$@"; }\n${line}\n`;
    execFile('sh', ['-c', script], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env() } }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  store = await startEmbeddedStore({ dataDir: path.join(dir, 'store') });
  await migrateCaseRecordStore(store.url);
  writeUsersFile(USERS, { users: [{ id: 'ada', name: 'Ada Administrator', role: 'administrator', passwordHash: await hashPassword('purple-tuesday-lamp') }] });
  const teams = openTeamDirectory(store.url);
  try {
    for (const d of allocated) {
      if (left.includes(d.dept_team_id)) continue;
      await teams.upsert({ code: `TEAM-${d.dept_team_id}`, name: d.dept_team_name!, serviceArea: 'Children', manager: 'tess', head: 'hal', sourceId: d.dept_team_id, changedBy: 'admin' });
    }
  } finally {
    await teams.close();
  }
  await writeSsdCsv(council.tables, SOURCE);
}, 120_000);
afterAll(async () => {
  await store?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('caseclock teams unmapped', () => {
  it("lists the case system's departments no team has as its source id, most children first, as text and JSON", async () => {
    expect(left).toHaveLength(2);
    const json = await caseclock(['teams', 'unmapped', '--json']);
    expect(json.code, json.stderr).toBe(0);
    const result = JSON.parse(json.stdout) as UnmappedTeams;
    expect(result.departments).toBe(departments.length);
    const mapped = new Set((await listed()).map((t) => t.sourceId));
    const expected = departments.filter((d) => !mapped.has(d.dept_team_id));
    expect(result.teams.map((t) => t.teamId).sort()).toEqual(expected.map((d) => d.dept_team_id).sort());
    for (const t of result.teams) expect(t.children, t.teamId).toBe(childrenOf.get(t.teamId));
    expect(result.teams.map((t) => t.children)).toEqual(result.teams.map((t) => t.children).sort((a, b) => b - a));
    expect(
      result.teams
        .slice(0, 2)
        .map((t) => t.teamId)
        .sort(),
    ).toEqual([...left].sort());

    const text = await caseclock(['teams', 'unmapped']);
    expect(text.code, text.stderr).toBe(0);
    const lines = text.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^read from the case system at 20\\S+: ${expected.length} of its ${departments.length} departments are in no team's --source-id \\(most children first\\)$`));
    const first = result.teams[0]!;
    expect(lines[1]).toBe(`${first.teamId}  ${first.name}, service area ${first.parentName} (${first.parentId}): ${first.children} ${first.children === 1 ? 'child' : 'children'} allocated now`);
    expect(lines[2]).toMatch(/^ {2}add with: caseclock teams set \S+ --name .* --manager <userId> --head <userId> --source-id \S+$/);
    expect(lines).toHaveLength(1 + 2 * expected.length);
  });

  it('its add-with line adds the team as listed once the manager and head of service are filled in, a service area with an apostrophe too', async () => {
    const before = JSON.parse((await caseclock(['teams', 'unmapped', '--json'])).stdout) as UnmappedTeams;
    const text = await caseclock(['teams', 'unmapped']);
    const adds = text.stdout
      .split('\n')
      .filter((l) => l.startsWith('  add with: '))
      .map((l) => l.slice('  add with: '.length));
    expect(adds).toHaveLength(before.teams.length);
    // The team with most children, and a service area under "Children's Services".
    const under = before.teams.findIndex((t) => t.parentName === "Children's Services");
    expect(under).toBeGreaterThan(0);
    expect(adds[under]).toContain(`--service-area 'Children'\\''s Services'`);
    for (const k of [0, under]) {
      const run = await inShell(adds[k]!.replace('<userId>', 'tess').replace('<userId>', 'hal'));
      expect(run.code, run.stderr).toBe(0);
    }
    const teams = await listed();
    for (const t of [before.teams[0]!, before.teams[under]!]) {
      expect(teams.find((x) => x.sourceId === t.teamId)).toMatchObject({ ...t.suggestion, manager: 'tess', head: 'hal', changedBy: 'ada' });
    }
    const after = JSON.parse((await caseclock(['teams', 'unmapped', '--json'])).stdout) as UnmappedTeams;
    expect(after.teams.map((t) => t.teamId)).toEqual(before.teams.filter((_, k) => k !== 0 && k !== under).map((t) => t.teamId));
  });

  it('is refused while no source is set, and says in one line when the source cannot be read', async () => {
    const unset = await caseclock(['teams', 'unmapped'], { CASECLOCK_SSD_SOURCE: '' });
    expect(unset.code).toBe(78);
    expect(unset.stdout).toBe('');
    expect(unset.stderr).toBe('caseclock: CASECLOCK_SSD_SOURCE is not set: there is no case system to read teams from\n');
    const empty = path.join(dir, 'empty-extract');
    mkdirSync(empty);
    const unread = await caseclock(['teams', 'unmapped'], { CASECLOCK_SSD_SOURCE: `csv:${empty}` });
    expect(unread.code).toBe(69);
    expect(unread.stdout).toBe('');
    expect(unread.stderr.trim().split('\n')).toHaveLength(1);
    expect(unread.stderr).toMatch(/^caseclock: cannot read the case system: .*ssd_department/);
  });
});
