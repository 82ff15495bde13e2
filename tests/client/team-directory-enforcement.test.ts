/**
 * Once the team directory lists a team, every way in refuses a team it does not list, naming the
 * field `team`, and starts nothing: the command line's `open`, `incident report` and `import` (its
 * dry run too, as the real bin in a child process), and the console's forms and import page over
 * HTTP. A directory of this file's own (an embedded store), so the other files' arbitrary team
 * codes meet the run's empty directory; a worker on the production queue in this process.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { CaseActionError, caseState, caseTimeline, updateDetails } from '../../common/cases';
import { hashPassword, writeUsersFile } from '../../client/identity/auth';
import { IMPORT_COLUMNS, readImportFile, withKnownTeams } from '../../client/import/rows';
import { ANY_TEAM, knownTeams, teamProblem } from '../../common/teams';
import { openTeamDirectory, type TeamDirectory } from '../../store/team-directory';
import { caseWorkflowId, incidentWorkflowId } from '../../workflows/messages';
import { startCliWorker, throwawayEncryptionEnv, type CliWorker } from '../support/cli-worker';
import { ConsoleSession, startTestConsole, type TestConsole } from '../support/console';
import { startScriptStore } from '../support/script-store';
import { devServerAddress, uniqueName, workflowExists } from '../support/temporal-env';
import { runCaseclock, type CliRun } from '../support/caseclock-bin';

const ENCRYPTION_ENV = throwawayEncryptionEnv();
const KNOWN = 'LOCALITY-KNOWN';
const UNKNOWN = 'LOCALITY-NOWHERE';
const PASSWORD = 'ada keeps the council teams listed';
const DIR = mkdtempSync(path.join(os.tmpdir(), 'caseclock-team-enforcement-'));
/** The refusal after the team (as typed, quoted where an import or the command line echoes it). */
const NOT_LISTED = `is not a team in the team directory \\(known teams: ${KNOWN}\\); an administrator adds a team at /admin/teams or with caseclock teams set`;
const REFUSED = new RegExp(`${UNKNOWN} ${NOT_LISTED}`);
/** A slip of the known team: refused all the same, with the team meant. */
const SLIP = 'LOCALITY-KNWON';

let cliWorker: CliWorker;
let teamStore: Awaited<ReturnType<typeof startScriptStore>>;
let directory: TeamDirectory;
let server: TestConsole;

type Run = CliRun;

function caseclock(...args: string[]): Promise<Run> {
  return runCaseclock(args, { ...ENCRYPTION_ENV, TEMPORAL_ADDRESS: devServerAddress(), TEMPORAL_NAMESPACE: cliWorker.namespace, CASECLOCK_STORE_URL: teamStore.url, CASECLOCK_USER: 'admin1', CASECLOCK_POLICY: '' });
}

const CONTACTS = ['--worker', 'Sam Worker <worker@council.test>', '--manager', 'Tess Manager <manager@council.test>', '--head', 'Hal Head <head@council.test>'];

function csv(rows: ReadonlyArray<{ caseId: string; team: string }>): string {
  const cells = (r: { caseId: string; team: string }): Record<string, string> => ({
    caseId: r.caseId,
    reference: r.caseId.slice(0, 40),
    team: r.team,
    worker: 'Sam Worker <worker@council.test>',
    manager: 'Tess Manager <manager@council.test>',
    head: 'Hal Head <head@council.test>',
  });
  return `${[IMPORT_COLUMNS.join(','), ...rows.map((r) => IMPORT_COLUMNS.map((c) => cells(r)[c] ?? '').join(','))].join('\n')}\n`;
}

function signIn(): Promise<ConsoleSession> {
  return ConsoleSession.signedIn(server.url, 'ada', PASSWORD);
}

beforeAll(async () => {
  cliWorker = await startCliWorker(ENCRYPTION_ENV);
  teamStore = await startScriptStore();
  directory = openTeamDirectory(teamStore.url);
  await directory.upsert({ code: KNOWN, name: 'Locality Known', serviceArea: 'Family Support', manager: 'tess', head: 'hal', changedBy: 'ada' });
  const usersFile = path.join(DIR, 'users.json');
  writeUsersFile(usersFile, { users: [{ id: 'ada', name: 'Ada Administrator', role: 'administrator', passwordHash: await hashPassword(PASSWORD) }] });
  server = await startTestConsole({ client: cliWorker.client, usersFile, teams: directory, answerTimeoutMs: 15_000 });
}, 180_000);

afterAll(async () => {
  await server?.close();
  await directory?.close();
  await teamStore?.stop();
  await cliWorker?.close();
});

describe('the one check (common/teams.ts)', () => {
  it('an empty directory refuses nothing; a listed one refuses any other team, naming the known ones', async () => {
    expect(teamProblem(ANY_TEAM, 'ANY-TEAM-AT-ALL')).toBeUndefined();
    const known = await knownTeams(directory);
    expect(known).toEqual({ listed: true, codes: [KNOWN] });
    expect(teamProblem(known, KNOWN)).toBeUndefined();
    expect(teamProblem(known, UNKNOWN)).toMatch(REFUSED);
    const many = { listed: true as const, codes: Array.from({ length: 20 }, (_, i) => `T-${i}`) };
    expect(teamProblem(many, 'X')).toMatch(/known teams: T-0, .*, T-11 and 8 more\)/);
    // The import's rows: a row in an unknown team becomes a bad `team` cell.
    const file = readImportFile(
      csv([
        { caseId: 'ROW-A', team: KNOWN },
        { caseId: 'ROW-B', team: UNKNOWN },
      ]),
      'ada',
      new Date(),
    );
    expect(withKnownTeams(file, ANY_TEAM)).toBe(file);
    const checked = withKnownTeams(file, known);
    expect(checked.rows.map((r) => r.caseId)).toEqual(['ROW-A']);
    expect(checked.problems).toEqual([{ line: 3, column: 'team', value: UNKNOWN, message: expect.stringMatching(new RegExp(`^"${UNKNOWN}" ${NOT_LISTED}$`)) as string }]);
    expect([...checked.badLines]).toEqual([[3, 'ROW-B']]);
  });
});

describe('moving a case to another team', () => {
  it('updateDetails refuses a team the directory does not list, on details.team, and the case keeps its team', async () => {
    const caseId = uniqueName('MOVETEAM');
    const opened = await caseclock('open', caseId, '--reference', 'WCF-M1', '--team', KNOWN, ...CONTACTS, '--json');
    expect(opened.code, opened.stderr).toBe(0);
    const teams = await knownTeams(directory);
    const before = await caseState(cliWorker.client, caseId);
    const move = updateDetails(cliWorker.client, caseId, { details: { ...before.details, team: UNKNOWN }, by: 'admin1' }, { teams });
    const refused = await move.catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(CaseActionError);
    expect(refused).toMatchObject({ kind: 'invalid', problems: [{ field: 'details.team', message: expect.stringMatching(REFUSED) as string }] });
    expect((await caseState(cliWorker.client, caseId)).details.team).toBe(KNOWN);
  });
});

describe('the command line', () => {
  it('open and incident report refuse a team the directory does not list, by --team, and start nothing', async () => {
    const caseId = uniqueName('TEAMCHK');
    const open = await caseclock('open', caseId, '--reference', 'WCF-T1', '--team', UNKNOWN, ...CONTACTS);
    expect(open.code, open.stderr).toBe(2);
    expect(open.stdout).toBe('');
    expect(open.stderr.trim().split('\n')).toHaveLength(1);
    expect(open.stderr).toMatch(new RegExp(`^caseclock: --team "${UNKNOWN}" ${NOT_LISTED}: nothing was changed$`, 'm'));
    expect(await workflowExists(cliWorker.client, caseWorkflowId(caseId))).toBe(false);

    const incidentId = uniqueName('SI-TEAMCHK');
    const incident = await caseclock('incident', 'report', incidentId, '--team', UNKNOWN, ...CONTACTS);
    expect(incident.code, incident.stderr).toBe(2);
    expect(incident.stderr).toMatch(new RegExp(`^caseclock: --team "${UNKNOWN}" ${NOT_LISTED}`));

    // A slip of a known team: the one meant is named.
    const slip = await caseclock('open', caseId, '--reference', 'WCF-T1', '--team', SLIP, ...CONTACTS);
    expect(slip.code, slip.stderr).toBe(2);
    expect(slip.stderr).toBe(
      `caseclock: --team "${SLIP}" is not a team in the team directory: did you mean ${KNOWN}? (known teams: ${KNOWN}); an administrator adds a team at /admin/teams or with caseclock teams set: nothing was changed\n`,
    );
    expect(await workflowExists(cliWorker.client, caseWorkflowId(caseId))).toBe(false);
    expect(await workflowExists(cliWorker.client, incidentWorkflowId(incidentId))).toBe(false);

    // Control: the same commands in a listed team start their clocks.
    const opened = await caseclock('open', caseId, '--reference', 'WCF-T1', '--team', KNOWN, ...CONTACTS, '--json');
    expect(opened.code, opened.stderr).toBe(0);
    expect(await workflowExists(cliWorker.client, caseWorkflowId(caseId))).toBe(true);
    const reported = await caseclock('incident', 'report', incidentId, '--team', KNOWN, ...CONTACTS, '--json');
    expect(reported.code, reported.stderr).toBe(0);
    expect(await workflowExists(cliWorker.client, incidentWorkflowId(incidentId))).toBe(true);
  });

  it('import refuses the rows of an unknown team by their team cell, in the dry run and the import', async () => {
    const good = uniqueName('IMPTEAM-OK');
    const bad = uniqueName('IMPTEAM-NO');
    const file = path.join(DIR, `${uniqueName('teams')}.csv`);
    writeFileSync(
      file,
      csv([
        { caseId: good, team: KNOWN },
        { caseId: bad, team: UNKNOWN },
      ]),
    );

    const dry = await caseclock('import', file, '--dry-run');
    expect(dry.code, dry.stderr).toBe(1);
    expect(dry.stdout).toMatch(new RegExp(`^line 3, team: "${UNKNOWN}" ${NOT_LISTED}$`, 'm'));
    expect(dry.stdout).toContain('2 rows, 1 good, 1 bad; nothing started (dry run)');
    expect(await workflowExists(cliWorker.client, caseWorkflowId(good))).toBe(false);

    const run = await caseclock('import', file, '--no-summary-emails', '--json');
    expect(run.code, run.stderr).toBe(1);
    const summary = JSON.parse(run.stdout) as { started: number; refused: number; refusals: Array<{ line: number; caseId: string; reason: string }> };
    expect(summary).toMatchObject({ started: 1, refused: 1 });
    expect(summary.refusals).toEqual([{ line: 3, caseId: bad, outcome: 'refused', reason: expect.stringMatching(new RegExp(`^team: "${UNKNOWN}" ${NOT_LISTED}$`)) as string }]);
    expect(await workflowExists(cliWorker.client, caseWorkflowId(good))).toBe(true);
    expect(await workflowExists(cliWorker.client, caseWorkflowId(bad))).toBe(false);
  });
});

describe('the command line takes UK local time, as the import does', () => {
  /** A moment `hours` ago, typed as an administrator in the UK types it. */
  const typedAgo = (hours: number) => DateTime.now().minus({ hours }).setZone('Europe/London').toFormat('dd/MM/yyyy HH:mm');
  const instantOf = (typed: string) => DateTime.fromFormat(typed, 'dd/MM/yyyy HH:mm', { zone: 'Europe/London' }).toUTC().toISO();

  it('--rated-at and --at as day/month/year in UK time; a month/day date is refused as typed and writes nothing', async () => {
    const caseId = uniqueName('UKTIME');
    const ratedAt = typedAgo(3);
    const opened = await caseclock('open', caseId, '--reference', 'WCF-UK1', '--team', KNOWN, '--tier', 'PRIORITY', '--reason', 'rated at the strategy meeting', '--rated-at', ratedAt, ...CONTACTS, '--json');
    expect(opened.code, opened.stderr).toBe(0);
    const tierSet = (await caseTimeline(cliWorker.client, caseId)).find((t) => t.event?.type === 'tier-set');
    expect(tierSet?.event?.at).toBe(instantOf(ratedAt));

    const visitAt = typedAgo(1);
    const visit = await caseclock('visit', caseId, '--at', visitAt, '--json');
    expect(visit.code, visit.stderr).toBe(0);
    expect((JSON.parse(visit.stdout) as { event: { at: string } }).event.at).toBe(instantOf(visitAt));

    const before = await caseTimeline(cliWorker.client, caseId);
    const us = await caseclock('visit', caseId, '--at', '11/30/2026 10:30');
    expect(us.code).toBe(2);
    expect(us.stderr).toBe('caseclock: --at "11/30/2026 10:30" is month/day/year (30 cannot be a month): dates are day/month/year, so write it 30/11/2026 10:30\n');
    expect(await caseTimeline(cliWorker.client, caseId)).toEqual(before);
  });
});

describe('the console', () => {
  it('the open-case and incident forms refuse an unknown team on the team field, and start nothing', async () => {
    const ada = await signIn();
    // The form offers the directory's teams.
    const form0 = await ada.request('/cases/new');
    expect(form0.body).toMatch(new RegExp(`<datalist id="case-team-list"><option value="${KNOWN}"`));
    const caseId = uniqueName('CONTEAM');
    const form = { caseId, reference: 'WCF-C1', team: UNKNOWN, policy: 'default', worker: 'Sam Worker <worker@council.test>' };
    const refused = await ada.request('/cases', form);
    expect(refused.status).toBe(409);
    expect(refused.body).toContain('Nothing was recorded');
    expect(refused.body).toMatch(REFUSED);
    expect(refused.body).toMatch(/id="case-team"[^>]*aria-invalid="true"/);
    expect(await workflowExists(cliWorker.client, caseWorkflowId(caseId))).toBe(false);
    // A slip of a known team: the one meant is named beside the field.
    await ada.request('/cases/new');
    const slip = await ada.request('/cases', { ...form, team: SLIP });
    expect(slip.status).toBe(409);
    expect(slip.body).toContain(`${SLIP} is not a team in the team directory: did you mean ${KNOWN}?`);
    expect(await workflowExists(cliWorker.client, caseWorkflowId(caseId))).toBe(false);

    await ada.request('/incidents/new');
    const incidentId = uniqueName('SI-CONTEAM');
    const incident = await ada.request('/incidents', { incidentId, team: UNKNOWN, policy: 'default' });
    expect(incident.status).toBe(409);
    expect(incident.body).toMatch(REFUSED);
    expect(await workflowExists(cliWorker.client, incidentWorkflowId(incidentId))).toBe(false);

    // Control: the same form in a listed team opens the case.
    await ada.request('/cases/new');
    const opened = await ada.request('/cases', { ...form, team: KNOWN });
    expect(opened.status, opened.body.slice(0, 2000)).toBe(303);
    expect(await workflowExists(cliWorker.client, caseWorkflowId(caseId))).toBe(true);
  });

  it("the import page's check names the team cell of an unknown team's row", async () => {
    const ada = await signIn();
    await ada.request('/admin/import');
    const bad = uniqueName('PAGETEAM');
    const body = new FormData();
    body.append('csrf', ada.csrf);
    body.append('action', 'check');
    body.append('file', new Blob([csv([{ caseId: bad, team: UNKNOWN }])], { type: 'text/csv' }), 'teams.csv');
    const res = await fetch(`${server.url}/admin/import`, { method: 'POST', body, headers: { cookie: ada.cookie }, redirect: 'manual' });
    const page = await res.text();
    expect(res.status).toBe(200);
    expect(page).toContain('0 good, 1 bad');
    expect(page).toMatch(new RegExp(`(&quot;|")${UNKNOWN}(&quot;|") ${NOT_LISTED}`));
    expect(await workflowExists(cliWorker.client, caseWorkflowId(bad))).toBe(false);
  });
});
