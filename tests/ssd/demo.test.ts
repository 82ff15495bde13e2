/**
 * The synthetic council `npm start` syncs from (tools/ssd/demo.ts), in process: the extracts are
 * written once and kept, each directory is seeded from them only while it is empty, so a second
 * start changes nothing; every team children are allocated to has its source id, and the staff
 * directory has every staff id under a made-up name, never the SSD's. The directories here keep
 * their entries in memory, each checked by the store's own schema.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StaffInput } from '../../store/staff-directory';
import { TeamInput } from '../../store/team-directory';
import { SSD_TABLE_NAMES } from '../../tools/ssd/council';
import { DEMO_COUNCIL, DEMO_USER, DEMO_USER_STAFF, EXAMPLE_TEAMS, prepareDemo, TRY_IT_TEAM, type DemoDirectories } from '../../tools/ssd/demo';
import { readSsdCsv } from '../../tools/ssd/io';

type Stored<T> = T & { changedAt: string };

/** A directory in memory that refuses what the store's schema refuses. */
function directories() {
  const teams = new Map<string, Stored<TeamInput>>();
  const staff = new Map<string, Stored<StaffInput>>();
  let writes = 0;
  const dirs: DemoDirectories = {
    teams: {
      list: () => Promise.resolve([...teams.values()]),
      upsert: (input) => {
        const team = TeamInput.parse(input);
        writes++;
        const stored = { ...team, changedAt: new Date().toISOString() };
        teams.set(team.code, stored);
        return Promise.resolve(stored);
      },
    },
    staff: {
      list: () => Promise.resolve([...staff.values()]),
      set: (input) => {
        const member = StaffInput.parse(input);
        writes++;
        const stored = { ...member, changedAt: new Date().toISOString() };
        staff.set(member.staffId, stored);
        return Promise.resolve(stored);
      },
    },
  };
  return { dirs, teams, staff, writes: () => writes };
}

/** Every file of the extract with its content's hash and its modification time. */
const filesOf = (dir: string): Record<string, string> =>
  Object.fromEntries(
    readdirSync(dir).map((f) => [
      f,
      `${createHash('sha256')
        .update(readFileSync(path.join(dir, f)))
        .digest('hex')} ${statSync(path.join(dir, f)).mtimeMs}`,
    ]),
  );

const roots: string[] = [];
const tmp = (): string => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'caseclock-ssd-demo-'));
  roots.push(root);
  return path.join(root, 'ssd-demo');
};
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

const asOf = '2026-06-30';

describe("npm start's synthetic council", () => {
  it('writes the extracts and seeds both directories on the first start, and changes nothing on the next', async () => {
    const dir = tmp();
    const d = directories();
    const first = await prepareDemo({ dir, asOf, ...d.dirs });
    expect(first.extracts).toBe('written');
    expect(readdirSync(dir).sort()).toEqual(SSD_TABLE_NAMES.map((t) => `${t}.csv`).sort());
    const tables = readSsdCsv(dir);
    expect(tables.ssd_person).toHaveLength(DEMO_COUNCIL.children);
    expect(first.teams).toBe(d.teams.size);
    expect(first.staff).toBe(d.staff.size);

    const files = filesOf(dir);
    const teams = structuredClone([...d.teams.values()]);
    const staff = structuredClone([...d.staff.values()]);
    const writes = d.writes();
    const again = await prepareDemo({ dir, asOf: '2026-07-01', ...d.dirs });
    expect(again).toEqual({ dir, extracts: 'kept', teams: 'kept', staff: 'kept' });
    expect(filesOf(dir)).toEqual(files);
    expect(d.writes()).toBe(writes);
    expect([...d.teams.values()]).toEqual(teams);
    expect([...d.staff.values()]).toEqual(staff);
  });

  it("lists every team a child is allocated to by its source id, run by the console's admin, and the documentation's example teams", async () => {
    const dir = tmp();
    const d = directories();
    await prepareDemo({ dir, asOf, ...d.dirs });
    const tables = readSsdCsv(dir);
    const sourceIds = new Set([...d.teams.values()].map((t) => t.sourceId));
    const allocatedTo = new Set(tables.ssd_involvements.map((i) => i.invo_professional_team).filter((t) => t !== null));
    expect(allocatedTo.size).toBeGreaterThan(1);
    for (const team of allocatedTo) expect(sourceIds, team).toContain(team);
    for (const team of d.teams.values()) expect(team).toMatchObject({ manager: DEMO_USER, head: DEMO_USER });
    expect(d.teams.get(TRY_IT_TEAM.code)).toMatchObject({ ...TRY_IT_TEAM });
    // The README's Try it and docs/import.md's example file run as written against the directory.
    expect(EXAMPLE_TEAMS.map((t) => t.code)).toEqual(['LOCALITY-NORTH', 'LOCALITY-SOUTH']);
    for (const team of EXAMPLE_TEAMS) expect(d.teams.get(team.code)).toMatchObject({ ...team });
  });

  it('names every professional with a staff id under a made-up name and a council.example address, never as the SSD names them', async () => {
    const dir = tmp();
    const d = directories();
    await prepareDemo({ dir, asOf, ...d.dirs });
    const tables = readSsdCsv(dir);
    const staffIds = tables.ssd_professionals.map((p) => p.prof_staff_id).filter((s) => s !== null);
    expect(staffIds.length).toBeGreaterThan(5);
    expect([...d.staff.keys()].sort()).toEqual([...staffIds, DEMO_USER_STAFF.staffId].sort());
    const ssdNames = tables.ssd_professionals.map((p) => p.prof_professional_name).filter((n) => n !== null);
    expect(ssdNames.length).toBeGreaterThan(0);
    const members = [...d.staff.values()];
    for (const member of members) {
      expect(member.email).toMatch(/^[a-z.0-9]+@council\.example$/);
      for (const name of ssdNames) {
        expect(member.name).not.toBe(name);
        for (const part of name.split(' ')) expect(`${member.name} ${member.email}`.toLowerCase()).not.toContain(part.toLowerCase());
      }
    }
    expect(new Set(members.map((m) => m.email)).size).toBe(members.length);
    // Escalations to a team's manager and head of service (the console's admin) reach someone.
    expect(members.filter((m) => m.userId === DEMO_USER)).toHaveLength(1);
  });

  it('leaves a directory that lists anyone as it is, and writes a whole extract over a part of one', async () => {
    const dir = tmp();
    const d = directories();
    await d.dirs.teams.upsert({ code: 'OWN-TEAM', name: 'Own team', serviceArea: 'Own', manager: 'tess', head: 'hal', changedBy: 'admin' });
    await prepareDemo({ dir, asOf, ...d.dirs });
    rmSync(path.join(dir, 'ssd_cin_visits.csv'));
    const outcome = await prepareDemo({ dir, asOf, ...d.dirs });
    expect(outcome).toMatchObject({ extracts: 'written', teams: 'kept', staff: 'kept' });
    expect([...d.teams.keys()]).toEqual(['OWN-TEAM']);
    expect(readdirSync(dir)).toContain('ssd_cin_visits.csv');
  });
});
