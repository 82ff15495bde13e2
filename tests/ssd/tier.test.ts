/**
 * The risk tier from a configured column of the case system, end to end (docs/ssd.md, "Risk tier"):
 * a synthetic council's CSV extracts with one extra column on the child in need episodes
 * (cine_referral_priority), the sync configured from the environment as the worker has it, a private
 * embedded store, the run's dev server with a worker running the case workflows. A case opens with the
 * tier the column gives; a code the setting does not map is reported and sets nothing; a later change
 * of the code is recorded once however often it is read; without the setting nothing changes.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSsdSync, SSD_SYNC_USER, ssdSettingsOf, type SsdSyncSettings } from '../../activities/ssd-sync';
import { caseState, caseTimeline } from '../../common/cases';
import { parseConfig } from '../../common/config';
import { caseKindAt, readSsd } from '../../domain/ssd/events';
import { instantOfSsdDate } from '../../domain/ssd/dates';
import { ssdRowsOf, type SsdSourceRows } from '../../store/ssd-source';
import type { SsdSyncStore } from '../../store/ssd-sync-store';
import { generateCouncil, type SsdTables } from '../../tools/ssd/council';
import { writeSsdCsv } from '../../tools/ssd/io';
import { SSD_COLUMNS } from '../../tools/ssd/schemas';
import { seedCouncilDirectories, startSsdHarness, type SsdHarness } from '../support/ssd-harness';
import { uniqueName } from '../support/temporal-env';

let h: SsdHarness;
let client: Client;
let store: SsdSyncStore;
const prefix = `t${uniqueName('').slice(-6)}-`;
const COLUMN = 'ssd_cin_episodes.cine_referral_priority';

const today = new Date().toISOString().slice(0, 10);
const council = generateCouncil({ seed: 'tier-test', children: 16, years: 1, asOf: today });
const csvDir = () => h.csvDir;

/** The settings as the worker reads them from the environment: with the tier's column, or without. */
const settingsOf = (tier: boolean): SsdSyncSettings =>
  ssdSettingsOf(
    parseConfig({
      CASECLOCK_SSD_SOURCE: `csv:${csvDir()}`,
      CASECLOCK_SSD_CASE_PREFIX: prefix,
      ...(tier ? { CASECLOCK_SSD_TIER_COLUMN: COLUMN, CASECLOCK_SSD_TIER_CODES: 'H=HIGH_IMMEDIATE,P=PRIORITY,V=VULNERABLE' } : {}),
    }),
  )!;

const deps = (tier = true) => h.deps({ settings: settingsOf(tier) });

/**
 * Children whose case opens with their one child in need episode, open now: its referral date is
 * the case's opening, so the tier its row gives is the case's first.
 */
function openedByTheirEpisode(tables: SsdTables): string[] {
  const reading = readSsd(ssdRowsOf(tables as unknown as SsdSourceRows), { by: SSD_SYNC_USER });
  const now = new Date().toISOString();
  return [...new Set(reading.episodes.map((e) => e.personId))]
    .filter((p) => caseKindAt(reading.episodes, p, now) !== undefined)
    .filter((p) => {
      const own = reading.episodes.filter((e) => e.personId === p);
      const cin = own.filter((e) => e.kind === 'child-in-need');
      return cin.length === 1 && cin[0]!.closedAt === undefined && own.every((e) => e.openedAt >= cin[0]!.openedAt);
    })
    .sort();
}

const episodeOf = (personId: string) => council.tables.ssd_cin_episodes.find((e) => e.cine_person_id === personId && e.cine_close_date === null)!;

/** The extracts with the council's own priority column on ssd_cin_episodes: a code for some referrals, blank for the rest. */
async function writeExtracts(codes: Record<string, string>): Promise<void> {
  await writeSsdCsv(council.tables, csvDir());
  const columns = [...SSD_COLUMNS.ssd_cin_episodes, 'cine_referral_priority'];
  const field = (v: unknown): string => (v === null || v === undefined ? '' : /[",\r\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
  const lines = council.tables.ssd_cin_episodes.map((e) => [...SSD_COLUMNS.ssd_cin_episodes.map((c) => field((e as Record<string, unknown>)[c])), field(codes[e.cine_referral_id])].join(','));
  writeFileSync(path.join(csvDir(), 'ssd_cin_episodes.csv'), `${[columns.join(','), ...lines].join('\r\n')}\r\n`);
}

beforeAll(async () => {
  h = await startSsdHarness({ name: 'ssd-tier', prefix });
  ({ client, store } = h);
  await seedCouncilDirectories(h, council.tables);
  await h.startWorker(deps());
}, 120_000);

afterAll(() => h?.stop());

const caseIdOf = (personId: string) => `${prefix}${personId}`;
/** The tier-set events on a child's case, as `<tier> <at> <by>: <reason>`. */
const tiersSet = async (personId: string): Promise<string[]> =>
  (await caseTimeline(client, caseIdOf(personId))).flatMap((t) => (t.event?.type === 'tier-set' ? [`${t.event.tier} ${t.event.at} ${t.event.by}: ${t.event.reason}`] : []));
/** Everything the sync wrote on a child's case. */
const fromSync = async (personId: string): Promise<string[]> => (await caseTimeline(client, caseIdOf(personId))).filter((t) => t.by === SSD_SYNC_USER).map((t) => `${t.at} ${t.entry} ${t.summary}`);

describe('the risk tier from a configured column of the case system', () => {
  const [child, unmapped, blank] = openedByTheirEpisode(council.tables) as [string, string, string];
  const episode = episodeOf(child);
  const referredAt = (instantOfSsdDate(episode.cine_referral_date!) as { instant: string }).instant;

  it('opens a case with the tier its column gives, and reports a code the setting does not map', async () => {
    expect([child, unmapped, blank].every(Boolean)).toBe(true);
    await writeExtracts({ [episode.cine_referral_id]: 'H', [episodeOf(unmapped).cine_referral_id]: 'Z9' });
    const result = await runSsdSync(deps());
    expect(result.counts.opened).toBeGreaterThanOrEqual(3);
    expect(await tiersSet(child)).toEqual([`HIGH_IMMEDIATE ${referredAt} ${SSD_SYNC_USER}: risk tier from the case system (${COLUMN} = H)`]);
    expect((await caseState(client, caseIdOf(child))).tier).toBe('HIGH_IMMEDIATE');
    // Never guessed: the unmapped code and the blank set no tier, and the unmapped one is reported by its row.
    expect(await tiersSet(unmapped)).toEqual([]);
    expect(await tiersSet(blank)).toEqual([]);
    const [run] = await store.recentRuns(1);
    expect(run!.report).toContainEqual({ problem: 'unknown-code', sourceKey: `${COLUMN}:${episodeOf(unmapped).cine_referral_id}`, detail: 'cine_referral_priority' });
  }, 240_000);

  it('records a later change of the code once, however often it is read', async () => {
    await writeExtracts({ [episode.cine_referral_id]: 'P', [episodeOf(unmapped).cine_referral_id]: 'Z9' });
    const before = await fromSync(child);
    const changed = await runSsdSync(deps());
    expect(changed.counts).toMatchObject({ opened: 0, recorded: 1, noted: 1 });
    expect(await tiersSet(child)).toEqual([
      `HIGH_IMMEDIATE ${referredAt} ${SSD_SYNC_USER}: risk tier from the case system (${COLUMN} = H)`,
      `PRIORITY ${referredAt} ${SSD_SYNC_USER}: risk tier from the case system (${COLUMN} = P)`,
    ]);
    expect((await caseState(client, caseIdOf(child))).tier).toBe('PRIORITY');
    const after = await fromSync(child);
    expect(after.filter((line) => !before.includes(line)).some((line) => line.includes(`Corrected in the case system (${COLUMN}:${episode.cine_referral_id}): tier-set on ${referredAt.slice(0, 10)} changed`))).toBe(true);

    const again = await runSsdSync(deps());
    expect(again.counts).toMatchObject({ opened: 0, recorded: 0, noted: 0 });
    expect(await fromSync(child)).toEqual(after);
  }, 240_000);

  it('without the setting, changes nothing: the column is not read and no case is told', async () => {
    const before = await Promise.all([child, unmapped, blank].map(fromSync));
    await writeExtracts({ [episode.cine_referral_id]: 'V', [episodeOf(blank).cine_referral_id]: 'H' });
    const off = await runSsdSync(deps(false));
    expect(off.counts).toMatchObject({ opened: 0, recorded: 0, noted: 0 });
    expect(await Promise.all([child, unmapped, blank].map(fromSync))).toEqual(before);
    expect((await caseState(client, caseIdOf(child))).tier).toBe('PRIORITY');
  }, 240_000);
});
