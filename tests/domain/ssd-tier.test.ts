/** The risk tier from a configured column of the case system (domain/ssd/tier.ts): codes, changes, cases. */
import { describe, expect, it } from 'vitest';
import { CaseEvent } from '../../domain/facts';
import { readSsd, type SsdEpisode } from '../../domain/ssd/events';
import { CinEpisodeRow, emptySsdRows } from '../../domain/ssd/rows';
import { ledgerOf } from '../../domain/ssd/diff';
import { ledgerForTierColumn, parseTierCodes, tierEntries, withRiskTiers, type SsdTierValue, type TierColumnOptions } from '../../domain/ssd/tier';

const CODES = { H: 'HIGH_IMMEDIATE', P: 'PRIORITY', V: 'VULNERABLE' } as const;
const OPTIONS: TierColumnOptions = { table: 'ssd_cin_visits', column: 'cinv_priority', dateColumn: 'cinv_cin_visit_date', codes: CODES, by: 'ssd-sync', at: '2026-06-30T12:00:00.000Z' };
const episode = (personId: string, openedAt: string, closedAt?: string): SsdEpisode => ({
  sourceKey: `ssd_cin_episodes:E-${openedAt.slice(0, 10)}`,
  personId,
  kind: 'child-in-need',
  openedAt,
  ...(closedAt ? { closedAt } : {}),
});
const value = (rowId: string, date: string | null, code: string | null, personId = 'P1'): SsdTierValue => ({ rowId, personId, date, code });
/** Each entry's events as `<source key> <tier> <day>`. */
const tiersOf = (values: SsdTierValue[], episodes: SsdEpisode[], options: TierColumnOptions = OPTIONS) => {
  const { entries, warnings } = tierEntries(values, episodes, options);
  return { set: entries.flatMap((e) => e.events.map((ev) => `${e.sourceKey} ${ev.type === 'tier-set' ? ev.tier : ev.type} ${ev.at.slice(0, 10)}`)), keys: entries.map((e) => e.sourceKey), warnings };
};

describe('the codes of the tier column', () => {
  it('reads code=TIER pairs, codes upper-cased as every SSD code', () => {
    expect(parseTierCodes(' h=HIGH_IMMEDIATE, P = PRIORITY ,V=VULNERABLE,')).toEqual({ codes: CODES });
  });

  it.each([
    ['', /at least one code/],
    ['H', /entry 1: must be a code/],
    ['H=HIGH_IMMEDIATE,=PRIORITY', /entry 2: must be a code/],
    ['H=HIGH', /entry 1: the tier must be one of HIGH_IMMEDIATE, PRIORITY, VULNERABLE/],
    ['H=high_immediate', /the tier must be one of/],
    ['H=HIGH_IMMEDIATE,h=PRIORITY', /entry 2: the code H is mapped twice/],
    ['a child=PRIORITY', /entry 1: must be a code/],
  ])('refuses %j', (text, problem) => {
    const parsed = parseTierCodes(text);
    expect('problem' in parsed && parsed.problem).toMatch(problem);
  });
});

describe('tier-set events from the column', () => {
  const episodes = [episode('P1', '2026-01-05T00:00:00.000Z')];

  it('sets the tier at the row date where it changes for the child, and says where it came from', () => {
    const { entries } = tierEntries([value('V1', '2026-01-05', 'H'), value('V2', '2026-02-01 10:00', 'H'), value('V3', '2026-03-01', 'P')], episodes, OPTIONS);
    expect(entries.map((e) => e.sourceKey)).toEqual(['ssd_cin_visits.cinv_priority:V1', 'ssd_cin_visits.cinv_priority:V2', 'ssd_cin_visits.cinv_priority:V3']);
    expect(entries.map((e) => e.events.length)).toEqual([1, 0, 1]);
    const [first] = entries[0]!.events;
    expect(first).toEqual({ type: 'tier-set', at: '2026-01-05T00:00:00.000Z', by: 'ssd-sync', tier: 'HIGH_IMMEDIATE', reason: 'risk tier from the case system (ssd_cin_visits.cinv_priority = H)' });
    // Every event is one the case record takes.
    for (const e of entries.flatMap((x) => x.events)) expect(CaseEvent.safeParse(e).success).toBe(true);
  });

  it('orders by date, not by the order read, and tells children apart', () => {
    const { set } = tiersOf(
      [value('V3', '2026-03-01', 'P'), value('V1', '2026-01-05', 'H'), value('W1', '2026-01-10', 'H', 'P2'), value('V2', '2026-02-01', 'P')],
      [...episodes, episode('P2', '2026-01-10T00:00:00.000Z')],
    );
    expect(set.sort()).toEqual(['ssd_cin_visits.cinv_priority:V1 HIGH_IMMEDIATE 2026-01-05', 'ssd_cin_visits.cinv_priority:V2 PRIORITY 2026-02-01', 'ssd_cin_visits.cinv_priority:W1 HIGH_IMMEDIATE 2026-01-10']);
  });

  it('reports a code the setting does not map and never guesses; the tier before it holds', () => {
    const { set, keys, warnings } = tiersOf([value('V1', '2026-01-05', 'H'), value('V2', '2026-02-01', 'X9'), value('V3', '2026-03-01', 'H')], episodes);
    expect(set).toEqual(['ssd_cin_visits.cinv_priority:V1 HIGH_IMMEDIATE 2026-01-05']);
    expect(keys).toContain('ssd_cin_visits.cinv_priority:V2');
    expect(warnings).toEqual([{ problem: 'unknown-code', sourceKey: 'ssd_cin_visits.cinv_priority:V2', column: 'cinv_priority', code: 'X9' }]);
  });

  it('keeps a blank as an entry without events, so a code filled in later is seen as a correction', () => {
    const { set, keys, warnings } = tiersOf([value('V1', '2026-01-05', null)], episodes);
    expect({ set, keys, warnings }).toEqual({ set: [], keys: ['ssd_cin_visits.cinv_priority:V1'], warnings: [] });
  });

  it('sets the tier again in a new case after a re-referral, even the same one', () => {
    const twice = [episode('P1', '2026-01-05T00:00:00.000Z', '2026-02-01T00:00:00.000Z'), episode('P1', '2026-03-02T00:00:00.000Z')];
    const { set } = tiersOf([value('V1', '2026-01-05', 'H'), value('V2', '2026-03-02', 'H'), value('V3', '2026-03-20', 'H')], twice);
    expect(set).toEqual(['ssd_cin_visits.cinv_priority:V1 HIGH_IMMEDIATE 2026-01-05', 'ssd_cin_visits.cinv_priority:V2 HIGH_IMMEDIATE 2026-03-02']);
  });

  it('reads a row without a date (ssd_person) from the start of the case open at the read', () => {
    const person: TierColumnOptions = { ...OPTIONS, table: 'ssd_person', column: 'pers_priority', dateColumn: null };
    const { set } = tiersOf([value('P1', null, 'V')], episodes, person);
    expect(set).toEqual(['ssd_person.pers_priority:P1 VULNERABLE 2026-01-05']);
  });

  it('reports a date it cannot read by its column', () => {
    const { set, warnings } = tiersOf([value('V1', '2026-02-30', 'H')], episodes);
    expect(set).toEqual([]);
    expect(warnings).toEqual([{ problem: 'unreadable-date', sourceKey: 'ssd_cin_visits.cinv_priority:V1', column: 'cinv_cin_visit_date', reason: 'not-a-date' }]);
  });

  it('adds the tier entries to a read beside the rows, which stay as they were', () => {
    const rows = { ...emptySsdRows(), cinEpisodes: [CinEpisodeRow.parse({ cine_referral_id: 'R1', cine_person_id: 'P1', cine_referral_date: '2026-01-05' })] };
    const reading = readSsd(rows, { by: 'ssd-sync' });
    const withTiers = withRiskTiers(reading, [value('R1', '2026-01-05', 'P')], { ...OPTIONS, table: 'ssd_cin_episodes', column: 'cine_referral_priority', dateColumn: 'cine_referral_date' });
    expect(withTiers.entries.map((e) => e.sourceKey)).toEqual(['ssd_cin_episodes.cine_referral_priority:R1', 'ssd_cin_episodes:R1']);
    expect(withTiers.entries[1]).toEqual(reading.entries[0]);
    expect(withTiers.episodes).toEqual(reading.episodes);
  });
});

describe('the last read as the tier setting now has it', () => {
  it('leaves out the entries of a column no longer configured, so turning it off notes nothing; keeps every row', () => {
    const rows = { ...emptySsdRows(), cinEpisodes: [CinEpisodeRow.parse({ cine_referral_id: 'R1', cine_person_id: 'P1', cine_referral_date: '2026-01-05' })] };
    const options: TierColumnOptions = { ...OPTIONS, table: 'ssd_cin_episodes', column: 'cine_referral_priority', dateColumn: 'cine_referral_date' };
    const { ledger } = ledgerOf(withRiskTiers(readSsd(rows, { by: 'ssd-sync' }), [value('R1', '2026-01-05', 'P')], options).entries);
    expect(Object.keys(ledgerForTierColumn(ledger, { table: 'ssd_cin_episodes', column: 'cine_referral_priority' })).sort()).toEqual(['ssd_cin_episodes.cine_referral_priority:R1', 'ssd_cin_episodes:R1']);
    expect(Object.keys(ledgerForTierColumn(ledger, undefined))).toEqual(['ssd_cin_episodes:R1']);
    expect(Object.keys(ledgerForTierColumn(ledger, { table: 'ssd_cin_episodes', column: 'cine_other' }))).toEqual(['ssd_cin_episodes:R1']);
  });
});
