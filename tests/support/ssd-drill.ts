/**
 * What the SSD sync's drills share (tests/drills/ssd-*.test.ts): a synthetic council in a real
 * PostgreSQL 15 source (a throwaway cluster that can be halted and resumed), read as a role that may
 * not select the personal columns, as a council would grant it; CaseClock's own store (embedded,
 * on a port of its own, stoppable and started again on the same data) holding both the case record
 * and the sync's ledger, as in production; the team and staff directories seeded from the council;
 * a real SMTP server; and a worker on the run's dev server running the case workflows and the sync.
 */
import type { Client } from '@temporalio/client';
import { SSD_SYNC_USER, type SsdSyncDependencies } from '../../activities/ssd-sync';
import { ledgerOf, diffReads, type ReadEntry } from '../../domain/ssd/diff';
import { readSsd } from '../../domain/ssd/events';
import { planChildren } from '../../domain/ssd/plan';
import type { CaseRecordStore } from '../../store/case-record-store';
import { ssdRowsOf, type SsdSourceRows } from '../../store/ssd-source';
import type { SsdSyncStore } from '../../store/ssd-sync-store';
import type { StaffDirectory } from '../../store/staff-directory';
import type { TeamDirectory } from '../../store/team-directory';
import { freePort } from '../../tools/dev-server';
import { generateCouncil, type Council, type SsdTables } from '../../tools/ssd/council';
import { writeSsdPostgres } from '../../tools/ssd/io';
import { CANARY, isCanaryText, PERSONAL_COLUMNS } from '../../tools/ssd/personal';
import { SSD_COLUMNS, type SsdTableName } from '../../tools/ssd/schemas';
import { startPostgresCluster, withClient, type PostgresCluster } from '../store/postgres-cluster';
import type { Mailbox } from './mailbox';
import { seedCouncilDirectories, startSsdHarness, teamCode } from './ssd-harness';
import { type DevServerConnections, uniqueName } from './temporal-env';

export { teamCode };

/** The login the sync reads the source as: every SSD column but the personal ones (tools/ssd/personal.ts). */
export const SSD_READER_ROLE = 'caseclock_ssd_reader';

export interface SsdDrill {
  council: Council;
  cluster: PostgresCluster;
  /** The source database, as its owner (for the drill's own questions). */
  sourceUrl: string;
  /** The source database as SSD_READER_ROLE: what the sync is given. */
  readerUrl: string;
  /** CaseClock's store: the case record, the sync's ledger and runs, the directories. */
  storeUrl: string;
  caseStore: CaseRecordStore;
  syncStore: SsdSyncStore;
  teams: TeamDirectory;
  staff: StaffDirectory;
  mailbox: Mailbox;
  dev: DevServerConnections;
  client: Client;
  taskQueue: string;
  /** Case ids are `${prefix}${personId}`, team codes `T${prefix}${deptTeamId}`. */
  prefix: string;
  deps(): SsdSyncDependencies;
  /** Stops CaseClock's store (every connection to it fails) and starts it again on the same port and data. */
  stopStore(): Promise<void>;
  startStore(): Promise<void>;
  close(): Promise<void>;
}

/** Grants the reader role SELECT on each SSD table's columns except the personal ones: a `SELECT *` or a personal column is refused by the server. */
async function createReaderRole(url: string): Promise<void> {
  await withClient(url, async (c) => {
    await c.query(`CREATE ROLE ${SSD_READER_ROLE} LOGIN`);
    for (const [table, columns] of Object.entries(SSD_COLUMNS) as [SsdTableName, readonly string[]][]) {
      const personal: readonly string[] = (PERSONAL_COLUMNS as Partial<Record<SsdTableName, readonly string[]>>)[table] ?? [];
      const readable = columns.filter((column) => !personal.includes(column));
      await c.query(`GRANT SELECT (${readable.join(', ')}) ON ${table} TO ${SSD_READER_ROLE}`);
    }
  });
}

export async function startSsdDrill(options: { name: string; seed: string; children: number; years?: number }): Promise<SsdDrill> {
  const today = new Date().toISOString().slice(0, 10);
  const council = generateCouncil({ seed: options.seed, children: options.children, years: options.years ?? 1, asOf: today });
  const prefix = `d${uniqueName('').slice(-6)}-`;
  let cluster: PostgresCluster | undefined;
  // The council's database and CaseClock's store are made side by side: each takes seconds.
  const source = (async () => {
    cluster = await startPostgresCluster();
    const url = await cluster.createDatabase('ssd');
    await writeSsdPostgres(council.tables, url);
    await createReaderRole(url);
    return url;
  })();
  const store = (async () => {
    const h = await startSsdHarness({
      name: options.name,
      prefix,
      caseRecord: true,
      // On a port of its own, so that the drill can stop it and start it again on the same data.
      storePort: await freePort(),
      // A drill's end never waits long on an activity left retrying against a store or source it stopped.
      worker: { shutdownGraceTime: '2 seconds', shutdownForceTime: '20 seconds' },
      // The source first: an activity still reading it (a check before an escalation) then ends at once.
      stopWithWorker: async () => {
        await cluster?.stop();
      },
    });
    // Every team that has allocations, with a manager and head who are in the staff directory, and every worker with a staff id.
    await seedCouncilDirectories(h, council.tables, (d) => council.tables.ssd_involvements.some((i) => i.invo_professional_team === d.dept_team_id)).catch(async (e: unknown) => {
      await h.stop();
      throw e;
    });
    return h;
  })();
  const [s, t] = await Promise.allSettled([source, store]);
  if (s.status === 'rejected' || t.status === 'rejected') {
    // Nothing left running behind a set-up that failed half-way.
    await Promise.allSettled([cluster?.stop(), t.status === 'fulfilled' ? t.value.stop() : undefined]);
    throw s.status === 'rejected' ? s.reason : (t as PromiseRejectedResult).reason;
  }
  const [sourceUrl, h] = [s.value, t.value];
  const started = cluster!;
  const readerUrl = sourceUrl.replace('postgres://postgres@', `postgres://${SSD_READER_ROLE}@`);
  const deps = (): SsdSyncDependencies => h.deps({ settings: { source: { kind: 'postgres', url: readerUrl }, cases: { caseIdPrefix: prefix, reference: 'person-id', allocatedWorkerRoles: ['Allocated Case Worker'] } } });
  const close = async () => {
    try {
      await h.stop();
    } finally {
      await started.stop().catch(() => undefined);
    }
  };
  await h.startWorker(deps()).catch(async (e: unknown) => {
    await close();
    throw e;
  });

  return {
    council,
    cluster: started,
    sourceUrl,
    readerUrl,
    storeUrl: h.storeUrl,
    caseStore: h.records,
    syncStore: h.store,
    teams: h.teams,
    staff: h.staff,
    mailbox: h.mailbox,
    dev: h.dev,
    client: h.client,
    taskQueue: h.taskQueue,
    prefix,
    deps,
    stopStore: () => h.stopStore(),
    startStore: () => h.startStore(),
    close,
  };
}

/** One event a child's case should hold: `type at`, and the row it comes from. */
export interface ExpectedEvent {
  line: string;
  sourceKey: string;
}

/**
 * What a first read of these rows asks of each child whose case it would open, by the domain's own
 * reading (domain/ssd/plan.ts): one line per event the source records for the child.
 */
export function expectedOpenings(tables: SsdTables, at: string): Map<string, ExpectedEvent[]> {
  const reading = readSsd(ssdRowsOf(tables as unknown as SsdSourceRows), { by: SSD_SYNC_USER });
  const { ledger } = ledgerOf(reading.entries);
  const byPerson = new Map<string, ReadEntry[]>();
  for (const entry of Object.values(ledger)) if (entry) byPerson.set(entry.personId, [...(byPerson.get(entry.personId) ?? []), entry]);
  const plans = planChildren({ at, episodes: reading.episodes, entriesOf: (p) => byPerson.get(p) ?? [], diff: diffReads({}, ledger), known: new Map() });
  const openings = new Map<string, ExpectedEvent[]>();
  for (const plan of plans)
    if (plan.action === 'open')
      openings.set(
        plan.personId,
        plan.events.map((s) => ({ line: `${s.event.type} ${s.event.at}`, sourceKey: s.sourceKey })),
      );
  return openings;
}

/** The problems a run reports for a child it did not open a case for (activities/ssd-sync.ts, domain/ssd/case-of.ts). */
export const NOT_OPENED = new Set(['case-refused', 'invalid-case-id', 'no-legacy-id', 'no-allocation', 'several-allocations', 'no-team', 'unknown-team', 'team-not-in-caseclock', 'no-worker', 'unknown-worker']);

/** Every string in a value, Uint8Arrays (a history's payloads) decoded as UTF-8: what a search for text must look through. */
export function stringsOf(value: unknown, into: string[] = [], seen = new Set<object>()): string[] {
  if (typeof value === 'string') into.push(value);
  else if (value instanceof Uint8Array) into.push(Buffer.from(value).toString('utf8'));
  else if (typeof value === 'object' && value !== null && !seen.has(value)) {
    seen.add(value);
    for (const v of Array.isArray(value) ? value : Object.values(value)) stringsOf(v, into, seen);
  }
  return into;
}

/** The canaries in a text: the CANARY marker's words, and NHS-like numbers in the test range that pass the check digit. */
export function canariesIn(text: string): string[] {
  const found = text.includes(CANARY) ? [...text.matchAll(/CANARY-[A-Za-z0-9-]*/g)].map((m) => m[0]) : [];
  for (const m of text.matchAll(/(?<!\d)999\d{7}(?!\d)/g)) if (isCanaryText(m[0])) found.push(m[0]);
  return found;
}
