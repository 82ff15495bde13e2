/**
 * The SSD's personal columns reach nothing of CaseClock's. A synthetic council whose names, dates of
 * birth, NHS numbers, addresses, postcodes, pupil numbers and free text are canaries
 * (tools/ssd/personal.ts) is synced in full from a real PostgreSQL 15 (skipped, saying so, where
 * Debian's PostgreSQL 15 is absent), read as a role the server refuses every personal column; then
 * no canary is found in any workflow history on the drill's task queue (payloads decoded), any table
 * of CaseClock's store, the log lines of the process that ran the worker and the sync, any email
 * the cases sent, or a team's calendar feed. Each search first finds what it should, so a search
 * that reads nothing cannot pass.
 */
import pLimit from 'p-limit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCalendar } from '../../client/console/routes/feeds';
import { caseState } from '../../common/cases';
import { listCases } from '../../common/case-listing';
import { configureProcessLogger } from '../../common/log';
import { installTemporalRuntime } from '../../common/log-temporal';
import { selectAllSql, selectChildSql, SSD_CHILD_TABLES, SSD_SOURCE_COLUMNS, SSD_SOURCE_TABLE_NAMES } from '../../store/ssd-source';
import { PERSONAL_COLUMNS } from '../../tools/ssd/personal';
import { SSD_SYNC_WORKFLOW } from '../../workflows/ssd-sync';
import type { CaseState } from '../../workflows/messages';
import { postgresAvailable, withClient } from '../store/postgres-cluster';
import { waitUntil } from '../support/drill';
import { canariesIn, SSD_READER_ROLE, startSsdDrill, stringsOf, teamCode, type SsdDrill } from '../support/ssd-drill';
import { uniqueName } from '../support/temporal-env';

const available = postgresAvailable();
if (!available) process.stdout.write('tests/drills/ssd-canaries.test.ts skipped: Debian PostgreSQL 15 is not installed (/usr/lib/postgresql/15/bin)\n');

const PERSONAL: readonly string[] = Object.values(PERSONAL_COLUMNS).flat();

describe.skipIf(!available)('no canary from the SSD reaches CaseClock', () => {
  let drill: SsdDrill;
  /** Every line this process logged (the worker's, the sync's, the SDK's), from before the worker started. */
  const logged: string[] = [];
  const writes = { stdout: process.stdout.write.bind(process.stdout), stderr: process.stderr.write.bind(process.stderr) };
  let syncWorkflowId: string;

  beforeAll(async () => {
    const capture = (chunk: string | Uint8Array): boolean => {
      logged.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    };
    process.stdout.write = capture as typeof process.stdout.write;
    process.stderr.write = capture as typeof process.stderr.write;
    // The SDK's lines (worker, activities, workflows) through the process logger, as worker/main.ts installs it.
    installTemporalRuntime('debug');
    configureProcessLogger({ level: 'debug', to: 'stdout and stderr' });
    drill = await startSsdDrill({ name: 'ssd-canaries', seed: 'canaries', children: 100 });
    // A full sync as the schedule starts it: the sync's own workflow, then the cases it opens.
    syncWorkflowId = uniqueName('ssd-sync-canaries');
    const handle = await drill.client.workflow.start(SSD_SYNC_WORKFLOW, { workflowId: syncWorkflowId, taskQueue: drill.taskQueue, args: [] });
    const result = (await handle.result()) as { counts: { opened: number } };
    expect(result.counts.opened).toBeGreaterThan(20);
    // The cases' overdue clocks escalate at once: wait for their emails and their record.
    await drill.mailbox.waitFor((messages) => messages.length >= 20, 60_000);
    await waitUntil('the cases have recorded what they sent', async () => withClient(drill.storeUrl, async (c) => ((await c.query("SELECT 1 FROM case_record_entries WHERE kind = 'message' LIMIT 1")).rowCount ?? 0) > 0));
  }, 180_000);

  afterAll(async () => {
    await drill?.close();
    process.stdout.write = writes.stdout as typeof process.stdout.write;
    process.stderr.write = writes.stderr as typeof process.stderr.write;
  });

  it('the source holds canaries, and the SQL the sync sends names its columns, none of them personal, as the server enforces', async () => {
    const held = await withClient(drill.sourceUrl, async (c) => (await c.query<{ n: number }>("SELECT count(*)::int AS n FROM ssd_person WHERE pers_forename LIKE 'CANARY-%'")).rows[0]!.n);
    expect(held).toBe(drill.council.tables.ssd_person.length);
    // The search finds a child's canaries where they are: the name and the NHS-like number.
    const child = drill.council.tables.ssd_person[0]!;
    expect(canariesIn(JSON.stringify(child))).toEqual(expect.arrayContaining([child.pers_forename, child.pers_common_child_id]));
    // The role the sync read as may not read a personal column: a SELECT * or a stray column would have failed the sync.
    const readerUrl = drill.readerUrl;
    await expect(withClient(readerUrl, (c) => c.query('SELECT pers_forename FROM ssd_person LIMIT 1'))).rejects.toThrow(/permission denied/);
    await expect(withClient(readerUrl, (c) => c.query('SELECT * FROM ssd_person LIMIT 1'))).rejects.toThrow(/permission denied/);
    expect(SSD_READER_ROLE).toBe(new URL(readerUrl).username);
    for (const table of SSD_SOURCE_TABLE_NAMES) {
      const sql = selectAllSql(table);
      expect(sql, table).not.toContain('*');
      expect(sql.startsWith(`SELECT ${SSD_SOURCE_COLUMNS[table].join(', ')} FROM ${table} `), sql).toBe(true);
      for (const column of PERSONAL) expect(sql, `${table} reads ${column}`).not.toMatch(new RegExp(`\\b${column}\\b`));
    }
    for (const table of SSD_CHILD_TABLES) {
      const sql = selectChildSql(table);
      expect(sql, table).not.toContain('*');
      for (const column of PERSONAL) expect(sql, `${table} reads ${column}`).not.toMatch(new RegExp(`\\b${column}\\b`));
    }
  });

  it('no canary in any workflow history: the cases and the sync, payloads decoded', async () => {
    const ids: string[] = [];
    for await (const wf of drill.client.workflow.list({ query: `TaskQueue = '${drill.taskQueue}'` })) ids.push(wf.workflowId);
    expect(ids).toContain(syncWorkflowId);
    expect(ids.filter((id) => id.startsWith('case:')).length).toBeGreaterThan(20);
    const found: string[] = [];
    let decoded = 0;
    await pLimit(8).map(ids, async (id) => {
      const history = await drill.client.workflow.getHandle(id).fetchHistory();
      const text = stringsOf(history).join('\n');
      // The payloads were read as text: a case's own events and ids are there.
      if (id.startsWith('case:') && text.includes(`"caseId":"${id.slice('case:'.length)}"`) && text.includes('"type":"referral-received"')) decoded++;
      found.push(...canariesIn(text).map((c) => `${id}: ${c}`));
    });
    expect(decoded).toBeGreaterThan(20);
    expect(found).toEqual([]);
  }, 120_000);

  it("no canary in any table of CaseClock's store", async () => {
    const rows = await rowsOf(drill.storeUrl);
    // The sync's ledger, its cases and the case record are among what was read.
    expect(rows.some((row) => row.startsWith('public.ssd_ledger '))).toBe(true);
    expect(rows.some((row) => row.startsWith('public.ssd_cases '))).toBe(true);
    expect(rows.some((row) => row.startsWith('public.case_record_entries ') && row.includes('"kind":"message"'))).toBe(true);
    expect(rows.flatMap((row) => canariesIn(row).map((c) => `${row.slice(0, 60)}…: ${c}`))).toEqual([]);
  });

  it('no canary in the log lines of the process that ran the worker and the sync', () => {
    const text = logged.join('');
    expect(text).toContain('SSD sync finished');
    expect(text).toContain('SSD sync run');
    expect(canariesIn(text)).toEqual([]);
  });

  it('no canary in any email the cases sent', () => {
    expect(drill.mailbox.messages.length).toBeGreaterThanOrEqual(20);
    const found = drill.mailbox.messages.flatMap((m) => canariesIn([m.subject, m.text, m.html, m.to.join(' '), m.caseReference].join('\n')));
    expect(found).toEqual([]);
  });

  it("no canary in a team's calendar feed", async () => {
    const known = [...(await drill.syncStore.knownCases()).values()];
    const teams = [...new Set(known.map((k) => k.team))];
    const busiest = teams.sort((a, b) => known.filter((k) => k.team === b).length - known.filter((k) => k.team === a).length)[0]!;
    expect(busiest.startsWith(teamCode(drill.prefix, ''))).toBe(true);
    let states: CaseState[] = [];
    await waitUntil('the team’s cases are listed', async () => {
      const listings = await listCases(drill.client, { team: busiest });
      states = await Promise.all(listings.map((l) => caseState(drill.client, l.caseId)));
      return states.length === known.filter((k) => k.team === busiest && k.status === 'open').length;
    });
    const calendar = buildCalendar({ name: `CaseClock · Team ${busiest}`, consoleUrl: 'https://caseclock.council.test', cases: states.filter((s) => s.status === 'open') });
    expect(calendar).toContain('BEGIN:VEVENT');
    expect(canariesIn(calendar)).toEqual([]);
  });
});

/** Every row of every table in the store, each as `schema.table {json}`. */
async function rowsOf(url: string): Promise<string[]> {
  return withClient(url, async (c) => {
    const tables = await c.query<{ schema: string; name: string }>(
      "SELECT table_schema AS schema, table_name AS name FROM information_schema.tables WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2",
    );
    const rows: string[] = [];
    for (const t of tables.rows) {
      const result = await c.query<{ row: string }>(`SELECT row_to_json(t)::text AS row FROM "${t.schema}"."${t.name}" t`);
      for (const r of result.rows) rows.push(`${t.schema}.${t.name} ${r.row}`);
    }
    return rows;
  });
}
