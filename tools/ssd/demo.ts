/**
 * The synthetic council `npm start` runs with (tools/run.sh), so that a newcomer sees cases arrive
 * from a case system on their own: about 60 children over one year up to today, written once as
 * CSV extracts (one `<table>.csv` per SSD table) into a folder under .data/, and the team and
 * staff directories seeded to match while they are empty. The worker then syncs from the folder
 * (CASECLOCK_SSD_SOURCE=csv:<folder>) like it would from a council's extracts (docs/ssd.md).
 *
 * Everything here is idempotent: extracts already written are kept (the folder survives restarts,
 * and the sync's ledger remembers what it read of them), and a directory that lists anyone is
 * left as it is. The teams' manager and head of service are `admin`, the one console user
 * `npm start` creates (client/identity/auth.ts, ensureFirstUser), and the staff directory names
 * each SSD professional by their staff id with a made-up name and a council.example address that
 * the mail catcher receives: never a name from the SSD, as CaseClock itself never reads one.
 *
 *   CASECLOCK_STORE_URL=postgres://... npx tsx tools/ssd/demo.ts --dir .data/ssd-demo
 */
import { existsSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { teamCodeOfName } from '../../domain/ssd/unmapped-teams';
import { migrateCaseRecordStore } from '../../store/case-record-store';
import { openStaffDirectory, type StaffDirectory, type StaffInput } from '../../store/staff-directory';
import { openTeamDirectory, type TeamDirectory, type TeamInput } from '../../store/team-directory';
import { generateCouncil, SSD_TABLE_NAMES, type CouncilOptions, type SsdTables } from './council';
import { readSsdCsv, writeSsdCsv } from './io';

/** The council `npm start` generates: small enough to read in seconds, a year of history up to the day it is made. */
export const DEMO_COUNCIL: Omit<CouncilOptions, 'asOf'> = { seed: 'npm-start', children: 60, years: 1 };

/** The console user every seeded team names as its manager and head of service, and who seeded them. */
export const DEMO_USER = 'admin';

/** The staff directory's entry for DEMO_USER, so the escalations a manager or head of service receives reach the mail catcher. */
export const DEMO_USER_STAFF: Omit<StaffInput, 'changedBy'> = { staffId: 'CASECLOCK-ADMIN', name: 'Demo Administrator', email: 'admin@council.example', userId: DEMO_USER };

/** The team the README's "Try it" opens its case in: a directory that lists teams refuses any other. */
export const TRY_IT_TEAM: Omit<TeamInput, 'changedBy'> = { code: 'LOCALITY-NORTH', name: 'Locality North', serviceArea: 'Demonstration', manager: DEMO_USER, head: DEMO_USER };

/** The teams of the documentation's examples (the README's "Try it", docs/import.md's example file), so each runs as written. */
export const EXAMPLE_TEAMS: ReadonlyArray<Omit<TeamInput, 'changedBy'>> = [TRY_IT_TEAM, { code: 'LOCALITY-SOUTH', name: 'Locality South', serviceArea: 'Demonstration', manager: DEMO_USER, head: DEMO_USER }];

/** Today in the council's time zone, as YYYY-MM-DD. */
export const londonToday = (now: Date = new Date()): string => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);

/** Whether `dir` holds a whole extract: one file per SSD table. */
export const hasExtracts = (dir: string): boolean => SSD_TABLE_NAMES.every((table) => existsSync(path.join(dir, `${table}.csv`)));

/**
 * Writes the demo council's extracts to `dir` unless a whole extract is there already. Written
 * beside it and then renamed, so an interrupted first start never leaves half an extract for the
 * sync to read as the council's truth.
 */
export async function ensureDemoExtracts(dir: string, asOf: string): Promise<'written' | 'kept'> {
  if (hasExtracts(dir)) return 'kept';
  const council = generateCouncil({ ...DEMO_COUNCIL, asOf });
  const partial = `${dir}.partial`;
  rmSync(partial, { recursive: true, force: true });
  await writeSsdCsv(council.tables, partial);
  rmSync(dir, { recursive: true, force: true });
  renameSync(partial, dir);
  return 'written';
}

/**
 * The directory's teams for an extract: each department no other department sits under (the teams
 * children are allocated to, not the service areas above them), with its SSD id as the source id,
 * and the Try it team beside them.
 */
export function demoTeams(tables: Pick<SsdTables, 'ssd_department'>): Omit<TeamInput, 'changedBy'>[] {
  const parents = new Set(tables.ssd_department.map((d) => d.dept_team_parent_id).filter((id) => id !== null));
  const teams: Omit<TeamInput, 'changedBy'>[] = [];
  const codes = new Set(EXAMPLE_TEAMS.map((t) => t.code));
  for (const d of tables.ssd_department) {
    if (parents.has(d.dept_team_id)) continue;
    let code = teamCodeOfName(d.dept_team_name ?? '') || `TEAM-${d.dept_team_id}`;
    if (codes.has(code)) code = `${code}-${d.dept_team_id}`.slice(0, 64);
    codes.add(code);
    teams.push({ code, name: d.dept_team_name ?? code, serviceArea: d.dept_team_parent_name ?? "Children's Services", manager: DEMO_USER, head: DEMO_USER, sourceId: d.dept_team_id });
  }
  return [...teams, ...EXAMPLE_TEAMS];
}

// Made up for the demonstration, and none of them a name the synthetic council gives its professionals.
const GIVEN = ['Alex', 'Bobbie', 'Casey', 'Dana', 'Eden', 'Frankie', 'Gale', 'Harper', 'Indigo', 'Jules', 'Kai', 'Logan'];
const FAMILY = ['Ashdown', 'Birchall', 'Coombe', 'Dunmore', 'Elsworth', 'Fairley', 'Garside', 'Holloway', 'Ingleby', 'Jarrow', 'Kettering', 'Lowther'];

/**
 * The staff directory for an extract: each professional with a staff id, under a made-up name and
 * an @council.example address (never the SSD's name for them), and DEMO_USER's own entry.
 */
export function demoStaff(tables: Pick<SsdTables, 'ssd_professionals'>): Omit<StaffInput, 'changedBy'>[] {
  const staffIds = [...new Set(tables.ssd_professionals.map((p) => p.prof_staff_id?.trim()).filter((id): id is string => id !== undefined && id !== ''))].sort();
  const staff = staffIds.map((staffId, i) => {
    const given = GIVEN[i % GIVEN.length]!;
    const family = FAMILY[Math.floor(i / GIVEN.length) % FAMILY.length]!;
    const round = Math.floor(i / (GIVEN.length * FAMILY.length));
    const local = `${given}.${family}${round > 0 ? `.${round + 1}` : ''}`.toLowerCase();
    return { staffId, name: `${given} ${family}`, email: `${local}@council.example` };
  });
  return [...staff, DEMO_USER_STAFF];
}

export interface DemoDirectories {
  teams: Pick<TeamDirectory, 'list' | 'upsert'>;
  staff: Pick<StaffDirectory, 'list' | 'set'>;
}

export interface DemoOutcome {
  dir: string;
  extracts: 'written' | 'kept';
  /** How many were added, or 'kept' when the directory already listed someone. */
  teams: number | 'kept';
  staff: number | 'kept';
}

/** The extracts once, and each directory seeded from them while it is empty. */
export async function prepareDemo(options: { dir: string; asOf: string } & DemoDirectories): Promise<DemoOutcome> {
  const extracts = await ensureDemoExtracts(options.dir, options.asOf);
  // Seeded from the extracts themselves, so a store wiped while .data/ssd-demo stayed still matches them.
  const tables = readSsdCsv(options.dir);
  let teams: DemoOutcome['teams'] = 'kept';
  if ((await options.teams.list()).length === 0) {
    const seeded = demoTeams(tables);
    for (const team of seeded) await options.teams.upsert({ ...team, changedBy: DEMO_USER });
    teams = seeded.length;
  }
  let staff: DemoOutcome['staff'] = 'kept';
  if ((await options.staff.list()).length === 0) {
    const seeded = demoStaff(tables);
    for (const member of seeded) await options.staff.set({ ...member, changedBy: DEMO_USER });
    staff = seeded.length;
  }
  return { dir: options.dir, extracts, teams, staff };
}

/** What run.sh prints of an outcome, one line each. */
export function describeDemo(outcome: DemoOutcome, asOf: string): string[] {
  return [
    outcome.extracts === 'written'
      ? `demo SSD: wrote a synthetic council's extracts (${DEMO_COUNCIL.children} children, ${DEMO_COUNCIL.years} year to ${asOf}) to ${outcome.dir}`
      : `demo SSD: kept the extracts in ${outcome.dir}`,
    outcome.teams === 'kept' ? 'demo SSD: the team directory already lists teams: left as it is' : `demo SSD: added ${outcome.teams} teams to the team directory (manager and head of service: ${DEMO_USER})`,
    outcome.staff === 'kept' ? 'demo SSD: the staff directory already lists staff: left as it is' : `demo SSD: added ${outcome.staff} members of staff to the staff directory (made-up names, @council.example)`,
  ];
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { dir: { type: 'string' }, 'as-of': { type: 'string' } } });
  if (!values.dir) throw new Error('say where the extracts go: --dir DIR');
  const url = process.env['CASECLOCK_STORE_URL'];
  if (!url) throw new Error('CASECLOCK_STORE_URL must name the case record store, where the directories are');
  const asOf = values['as-of'] ?? londonToday();
  // The worker migrates too, but starts after this: the directories' tables must be there first.
  await migrateCaseRecordStore(url);
  const teams = openTeamDirectory(url);
  const staff = openStaffDirectory(url);
  try {
    const outcome = await prepareDemo({ dir: path.resolve(values.dir), asOf, teams, staff });
    for (const line of describeDemo(outcome, asOf)) process.stdout.write(`${line}\n`);
  } finally {
    await Promise.all([teams.close(), staff.close()]);
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`demo SSD: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
