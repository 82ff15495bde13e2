/**
 * What the console and the command line read from the case-record store (never by replaying a
 * case): a case's timeline, its whole record for export, and the visiting KPI.
 */
import { localDateOf } from '../domain/durations';
import { openCaseRecordStore, type CaseRecordEntry, type CaseRecordStore } from '../store/case-record-store';
import type { Delivery, TimelineEntry } from '../workflows/messages';
import type { CaseEvent } from '../domain/facts';
import { computeKpi, KPI_KINDS, type KpiCase, type KpiPeriod, type KpiRow } from './kpi';
import type { Config } from '../common/config';

export function openStore(config: Pick<Config, 'CASECLOCK_STORE_URL'>): CaseRecordStore {
  return openCaseRecordStore(config.CASECLOCK_STORE_URL);
}

/** A stored entry as the timeline shows it; obligation outcomes are for reports, not the timeline. */
function toTimelineEntry(e: CaseRecordEntry): TimelineEntry | undefined {
  const common = { entryId: e.entryId, at: e.at, recordedAt: e.recordedAt, by: e.by, summary: e.summary };
  switch (e.kind) {
    case 'event':
      return { ...common, entry: 'event', event: e.data.event as unknown as CaseEvent };
    case 'policy':
      return { ...common, entry: 'policy', event: e.data.event as unknown as CaseEvent };
    case 'message':
      return { ...common, entry: 'message', delivery: e.data.delivery as unknown as Delivery };
    case 'note':
      return { ...common, entry: e.data.entry === 'message' ? 'message' : 'details' };
    case 'outcome':
      return undefined;
  }
}

/** The timeline of a case or incident from the store, oldest first: what its page and `show` list. */
export async function storedTimeline(store: CaseRecordStore, id: string, subject: 'case' | 'incident'): Promise<TimelineEntry[]> {
  return (await storedRecord(store, id, subject)).timeline;
}

/**
 * The timeline, and the title of every obligation the case has had, as its outcomes recorded it
 * (the policy's own title, so a met or waived obligation keeps the name it had while open): one
 * read of the store.
 */
export async function storedRecord(store: CaseRecordStore, id: string, subject: 'case' | 'incident'): Promise<{ timeline: TimelineEntry[]; titles: Array<{ id: string; title: string }> }> {
  const entries = (await store.caseRecord(id)).filter((e) => e.subject === subject);
  const titles = new Map<string, string>();
  for (const e of entries) {
    const o = e.kind === 'outcome' ? (e.data as { obligation?: { id?: unknown; title?: unknown } }).obligation : undefined;
    if (typeof o?.id === 'string' && typeof o.title === 'string') titles.set(o.id, o.title);
  }
  return { timeline: entries.flatMap((e) => toTimelineEntry(e) ?? []), titles: [...titles].map(([oid, title]) => ({ id: oid, title })) };
}

/** Everything the store holds of a case or incident: what `caseclock export` writes, as JSON. */
export interface CaseExport {
  subject: 'case' | 'incident';
  caseId: string;
  exportedAt: string;
  entries: CaseRecordEntry[];
}

export async function exportCaseRecord(store: CaseRecordStore, id: string, subject: 'case' | 'incident', now: string): Promise<CaseExport> {
  const entries = (await store.caseRecord(id)).filter((e) => e.subject === subject);
  return { subject, caseId: id, exportedAt: now, entries };
}

const DAY_MS = 86_400_000;

/**
 * The visiting KPI from the obligation outcomes in the store: one query, whatever the number of
 * cases. Deadlines are asked for with a day's margin either side (UK dates against UTC instants);
 * computeKpi then keeps exactly the period's dates.
 */
export async function kpiFromStore(store: CaseRecordStore, filter: { team?: string; tier?: string }, period: KpiPeriod, now: string): Promise<{ rows: KpiRow[]; casesRead: number }> {
  const from = new Date(Date.parse(`${period.from}T00:00:00Z`) - DAY_MS).toISOString();
  const to = new Date(Date.parse(`${period.to}T00:00:00Z`) + 2 * DAY_MS).toISOString();
  const outcomes = await store.obligationOutcomes({ kinds: [...KPI_KINDS], ...filter, dueBetween: [from, to] });
  const cases: KpiCase[] = outcomes.map((o) => ({ team: o.team, tier: o.tier, obligations: [o.obligation as KpiCase['obligations'][number]] }));
  const casesRead = new Set(outcomes.filter((o) => localDateOf(o.obligation.dueAt) >= period.from && localDateOf(o.obligation.dueAt) <= period.to).map((o) => o.caseId)).size;
  return { rows: computeKpi(cases, period, now), casesRead };
}
