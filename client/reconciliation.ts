/**
 * The reconciliation of the case system (SSD) with CaseClock, as the console's page and CSV and the
 * command line read it: the inputs gathered here, compared by domain/ssd/reconcile.ts.
 *
 * The source's planned review dates are read from the source itself when asked, not from a table the
 * sync writes: they are then as the case system holds them now (a review it moved this morning shows
 * at once, not after the next run), the sync needs no change, and only three small tables are read, in
 * batches (ssd_cla_reviews, ssd_cla_episodes to find each review's child, ssd_cp_reviews). The cost:
 * whatever reads the reconciliation needs the source's settings (CASECLOCK_SSD_SOURCE, which the
 * console's configuration carries too) and waits on the council's database while it reads.
 * CaseClock's deadlines are the case record's obligation outcomes, as the KPI reads them; never a
 * query to a case's workflow.
 */
import { SSD_SYNC_USER, ssdSettingsOf } from '../activities/ssd-sync';
import type { Config } from '../common/config';
import { EARLIEST_INSTANT, LATEST_INSTANT } from '../domain/facts';
import { countBySection, plannedReviewsOf, RECONCILED_OBLIGATION_KINDS, reconcile, type ReconciliationRow, type ReconciliationSection } from '../domain/ssd/reconcile';
import type { CaseRecordStore } from '../store/case-record-store';
import { openReconciliationStore, type ReconciliationStore } from '../store/reconciliation-store';
import { openSsdSource, type SsdSource, type SsdSourceRow, type SsdSourceTable } from '../store/ssd-source';
import { openSsdSyncStore, type SsdSyncStore } from '../store/ssd-sync-store';

export interface ReconciliationSources {
  /** The case record: CaseClock's deadlines (obligation outcomes). */
  records: Pick<CaseRecordStore, 'obligationOutcomes'>;
  store: ReconciliationStore;
  /** The sync's runs: the last complete run's report. */
  runs: Pick<SsdSyncStore, 'lastSuccess'>;
  /** Opens the council's source; each reading opens and closes it. */
  openSource: () => SsdSource;
}

export interface Reconciliation {
  rows: ReconciliationRow[];
  counts: Record<ReconciliationSection, number>;
  /** When it was read. */
  readAt: string;
  /** The sync run whose report the third section comes from, if any has finished. */
  run?: { id: number; finishedAt?: string; sourceKind: string };
}

/** Every row of one table of the source. */
export async function readTable<T extends SsdSourceTable>(source: SsdSource, table: T): Promise<SsdSourceRow<T>[]> {
  const rows: SsdSourceRow<T>[] = [];
  for await (const batch of source.read(table)) rows.push(...batch.rows);
  return rows;
}

const LAST_INSTANT = new Date(Date.parse(LATEST_INSTANT) - 1).toISOString();

export async function readReconciliation(sources: ReconciliationSources, now: Date = new Date()): Promise<Reconciliation> {
  const source = sources.openSource();
  let planned;
  try {
    planned = plannedReviewsOf({
      claReviews: await readTable(source, 'ssd_cla_reviews'),
      claEpisodes: await readTable(source, 'ssd_cla_episodes'),
      cpReviews: await readTable(source, 'ssd_cp_reviews'),
    });
  } finally {
    await source.close();
  }
  const children = await sources.store.syncedChildren();
  const synced = new Set(children.map((c) => c.caseId));
  const outcomes = await sources.records.obligationOutcomes({ kinds: [...RECONCILED_OBLIGATION_KINDS], dueBetween: [EARLIEST_INSTANT, LAST_INSTANT] });
  const deadlines = outcomes.filter((o) => synced.has(o.caseId)).map((o) => ({ caseId: o.caseId, kind: o.obligation.kind, dueAt: o.obligation.dueAt, status: o.obligation.status }));
  const recorded = await sources.store.recordedByPeople(SSD_SYNC_USER);
  const personOf = new Map(children.map((c) => [c.caseId, c.personId]));
  const ledger = await sources.store.ledgerEvents([...new Set(recorded.flatMap((e) => personOf.get(e.caseId) ?? []))]);
  const run = await sources.runs.lastSuccess();
  const rows = reconcile({ children, planned, deadlines, recorded, ledger, report: run?.report ?? [], syncUser: SSD_SYNC_USER });
  return {
    rows,
    counts: countBySection(rows),
    readAt: now.toISOString(),
    ...(run ? { run: { id: run.id, sourceKind: run.sourceKind, ...(run.finishedAt ? { finishedAt: run.finishedAt } : {}) } } : {}),
  };
}

/** The reconciliation's sources from the validated environment; undefined when no SSD source is configured. */
export function openReconciliationSources(
  config: Pick<Config, 'CASECLOCK_STORE_URL' | 'CASECLOCK_SSD_SOURCE' | 'CASECLOCK_SSD_CASE_PREFIX' | 'CASECLOCK_SSD_REFERENCE' | 'CASECLOCK_SSD_WORKER_ROLES'>,
  records: ReconciliationSources['records'],
): (ReconciliationSources & { close(): Promise<void> }) | undefined {
  const settings = ssdSettingsOf(config);
  if (!settings) return undefined;
  const store = openReconciliationStore(config.CASECLOCK_STORE_URL);
  const runs = openSsdSyncStore(config.CASECLOCK_STORE_URL);
  return {
    records,
    store,
    runs,
    openSource: () => openSsdSource(settings.source),
    close: async () => {
      await Promise.all([store.close(), runs.close()]);
    },
  };
}

/** A CSV cell: quoted when needed, and never read as a formula by a spreadsheet. */
function cell(value: string | number | null): string {
  // A number is written as it is: a negative one is not a formula.
  if (typeof value === 'number') return String(value);
  let s = value === null ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const RECONCILIATION_CSV_HEADER = ['section', 'problem', 'case_id', 'person_id', 'team', 'what', 'source_date', 'caseclock_date', 'days'] as const;

export function reconciliationCsv(rows: readonly ReconciliationRow[]): string {
  const lines = rows.map((r) => [r.section, r.problem, r.caseId, r.personId, r.team, r.what, r.sourceDate, r.caseclockDate, r.days].map(cell).join(','));
  return `${[RECONCILIATION_CSV_HEADER.join(','), ...lines].join('\r\n')}\r\n`;
}
