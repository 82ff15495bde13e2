/**
 * The risk tier from a column of the case system, for councils that keep one (docs/ssd.md, "Risk
 * tier"): pure, no I/O. The SSD itself has no risk tier, and CaseClock's is its own (a manager sets it
 * on the case); where CASECLOCK_SSD_TIER_COLUMN names a column and CASECLOCK_SSD_TIER_CODES maps its
 * codes to tiers, each of the child's rows in that table says the child's tier from the row's date.
 *
 * Each row is an entry of its own, `<table>.<column>:<row id>` beside the row's own entry, so turning
 * the setting on corrects no row already read, and a row read twice is recorded once like any other.
 * It holds a `tier-set` only where the tier changes for the child: the first tier in a case, and each
 * different one after it. A code the setting does not map is reported, never guessed.
 */
import type { EventOf } from '../facts';
import { RISK_TIERS, type RiskTier } from '../kinds';
import { instantOfSsdDate } from './dates';
import type { ReadLedger } from './diff';
import type { SourceKey, SsdEntry, SsdEpisode, SsdReading, SsdWarning } from './events';
import { SsdCode } from './rows';

/** Codes of the configured column to CaseClock's risk tiers, upper-cased as SsdCode reads them. */
export type TierCodes = Readonly<Record<string, RiskTier>>;

/** One row's value of the configured column, as the source reads it. */
export interface SsdTierValue {
  rowId: string;
  personId: string;
  /** The row's date (its own, or its episode's start); null where the table or the row has none. */
  date: string | null;
  /** The code, already read as an SsdCode; null where the column is blank. */
  code: string | null;
}

export interface TierColumnOptions {
  /** An SSD table's name (every one starts ssd_). */
  table: `ssd_${string}`;
  column: string;
  /** The row's date column, named in a warning when its date cannot be read; null where the table has none. */
  dateColumn: string | null;
  codes: TierCodes;
  /** Who the events are recorded by (the sync's own user id). */
  by: string;
  /** When the read is: a row with no date sets the tier from the start of the child's case open then. */
  at: string;
}

/**
 * `H=HIGH_IMMEDIATE,P=PRIORITY,V=VULNERABLE` as codes to tiers; the problem in words (naming no
 * child) where an entry is not `code=TIER`, a code is no SSD code, a tier is not CaseClock's, or a
 * code is mapped twice.
 */
export function parseTierCodes(text: string): { codes: TierCodes } | { problem: string } {
  const entries = text
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  if (entries.length === 0) return { problem: `must map at least one code to a risk tier, e.g. H=HIGH_IMMEDIATE,P=PRIORITY,V=VULNERABLE` };
  const codes: Record<string, RiskTier> = {};
  for (const [i, entry] of entries.entries()) {
    const at = `entry ${i + 1}`;
    const eq = entry.indexOf('=');
    const code = SsdCode.safeParse(eq < 0 ? '' : entry.slice(0, eq));
    const tier = eq < 0 ? '' : entry.slice(eq + 1).trim();
    if (eq < 0 || !code.success) return { problem: `${at}: must be a code (letters, digits, dash, underscore), = and a risk tier, e.g. H=HIGH_IMMEDIATE` };
    if (!(RISK_TIERS as readonly string[]).includes(tier)) return { problem: `${at}: the tier must be one of ${RISK_TIERS.join(', ')}` };
    if (Object.hasOwn(codes, code.data)) return { problem: `${at}: the code ${code.data} is mapped twice` };
    codes[code.data] = tier as RiskTier;
  }
  return { codes };
}

/**
 * When the child's case open at `at` began: the earliest start among the episodes open then and
 * those that ran into them, as the sync opens a case (./plan.ts); undefined when none is open.
 */
function caseStartAt(episodes: readonly SsdEpisode[], personId: string, at: string): string | undefined {
  const own = episodes.filter((e) => e.personId === personId);
  let start: string | undefined;
  for (const e of own) if (e.openedAt <= at && (e.closedAt === undefined || e.closedAt > at) && (start === undefined || e.openedAt < start)) start = e.openedAt;
  if (start === undefined) return undefined;
  for (let earlier = true; earlier;) {
    earlier = false;
    for (const e of own) {
      if (e.openedAt < start && (e.closedAt === undefined || e.closedAt >= start)) {
        start = e.openedAt;
        earlier = true;
      }
    }
  }
  return start;
}

const tierOfCode = (codes: TierCodes, code: string): RiskTier | undefined => (Object.hasOwn(codes, code) ? codes[code] : undefined);

/** The tier entries of one read, with what they could not say. */
export function tierEntries(values: readonly SsdTierValue[], episodes: readonly SsdEpisode[], options: TierColumnOptions): { entries: SsdEntry[]; warnings: SsdWarning[] } {
  const { table, column, dateColumn, codes, by, at } = options;
  const warnings: SsdWarning[] = [];
  type Read = { sourceKey: SourceKey; personId: string; when?: string; tier?: RiskTier; code: string | null };
  const byPerson = new Map<string, Read[]>();
  for (const v of values) {
    const sourceKey: SourceKey = `${table}.${column}:${v.rowId}`;
    let when: string | undefined;
    if (v.date === null) when = caseStartAt(episodes, v.personId, at);
    else {
      const read = instantOfSsdDate(v.date);
      if ('instant' in read) when = read.instant;
      else warnings.push({ problem: 'unreadable-date', sourceKey, column: dateColumn ?? column, reason: read.problem });
    }
    const tier = v.code === null ? undefined : tierOfCode(codes, v.code);
    if (v.code !== null && tier === undefined) warnings.push({ problem: 'unknown-code', sourceKey, column, code: v.code });
    const list = byPerson.get(v.personId) ?? [];
    list.push({ sourceKey, personId: v.personId, code: v.code, ...(when === undefined ? {} : { when }), ...(tier === undefined ? {} : { tier }) });
    byPerson.set(v.personId, list);
  }
  const entries: SsdEntry[] = [];
  for (const [personId, reads] of byPerson) {
    reads.sort((a, b) => ((a.when ?? '') < (b.when ?? '') ? -1 : (a.when ?? '') > (b.when ?? '') ? 1 : a.sourceKey < b.sourceKey ? -1 : 1));
    // A case begins with the episode that opens it: a re-referral's case gets its tier again, even the same.
    let caseStart: string | undefined;
    let current: RiskTier | undefined;
    for (const r of reads) {
      const events: EventOf<'tier-set'>[] = [];
      if (r.when !== undefined && r.tier !== undefined) {
        const start = caseStartAt(episodes, personId, r.when);
        if (start !== caseStart) current = undefined;
        caseStart = start;
        if (r.tier !== current) {
          events.push({ type: 'tier-set', at: r.when, by, tier: r.tier, reason: `risk tier from the case system (${table}.${column} = ${r.code})` });
          current = r.tier;
        }
      }
      entries.push({ sourceKey: r.sourceKey, personId, events });
    }
  }
  return { entries, warnings };
}

/** A read with the configured column's tiers among its entries, in source key order, and their warnings. */
export function withRiskTiers(reading: SsdReading, values: readonly SsdTierValue[], options: TierColumnOptions): SsdReading {
  const tiers = tierEntries(values, reading.episodes, options);
  const entries = [...reading.entries, ...tiers.entries].sort((a, b) => (a.sourceKey < b.sourceKey ? -1 : a.sourceKey > b.sourceKey ? 1 : 0));
  return { ...reading, entries, warnings: [...reading.warnings, ...tiers.warnings] };
}

/** The column a tier entry's source key names (`<table>.<column>`), or undefined for a row's own key. */
export function tierColumnOfKey(sourceKey: string): string | undefined {
  const table = sourceKey.slice(0, sourceKey.indexOf(':'));
  return table.includes('.') ? table : undefined;
}

/**
 * The last read's ledger as this read is compared with it: without the tier entries of a column not
 * configured now (any, when none is), so turning the setting off, or to another column, notes nothing
 * on any case. Those entries stay in the ledger, and are compared again if the column comes back.
 */
export function ledgerForTierColumn(ledger: ReadLedger, column: { table: string; column: string } | undefined): ReadLedger {
  const configured = column === undefined ? undefined : `${column.table}.${column.column}`;
  const kept: ReadLedger = Object.fromEntries(
    Object.entries(ledger).filter(([key]) => {
      const of = tierColumnOfKey(key);
      return of === undefined || of === configured;
    }),
  );
  return kept;
}
