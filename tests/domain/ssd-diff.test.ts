/** What changed in the SSD between two reads (domain/ssd/diff.ts): new rows, corrections, removals. */
import { describe, expect, it } from 'vitest';
import { applyDiff, composeDiffs, diffReads, isEmptyDiff, ledgerOf, type ReadLedger } from '../../domain/ssd/diff';
import { readSsd } from '../../domain/ssd/events';
import { CinEpisodeRow, CpVisitRow, MissingRow, emptySsdRows, type SsdRows } from '../../domain/ssd/rows';

const ledger = (rows: Partial<SsdRows>, by = 'ssd-sync'): ReadLedger => ledgerOf(readSsd({ ...emptySsdRows(), ...rows }, { by }).entries).ledger;

const visit = (id: string, date: string | null, seen: 'Y' | 'N' | null = 'Y', person = 'P1') =>
  CpVisitRow.parse({ cppv_cp_visit_id: id, cppv_person_id: person, cppv_cp_plan_id: null, cppv_cp_visit_date: date, cppv_cp_visit_seen: seen, cppv_cp_visit_seen_alone: 'Y' });

describe('diff of two reads', () => {
  const first = ledger({ cpVisits: [visit('CPV-1', '2026-03-10 10:00'), visit('CPV-2', '2026-03-24 10:00')] });

  it('the same rows read twice: nothing new, nothing corrected, nothing removed', () => {
    const again = ledger({ cpVisits: [visit('CPV-1', '2026-03-10 10:00'), visit('CPV-2', '2026-03-24 10:00')] });
    expect(isEmptyDiff(diffReads(first, again))).toBe(true);
  });

  it('a new row is new, with its events', () => {
    const d = diffReads(first, ledger({ cpVisits: [visit('CPV-1', '2026-03-10 10:00'), visit('CPV-2', '2026-03-24 10:00'), visit('CPV-3', '2026-04-07 10:00')] }));
    expect(d.added.map((e) => e.sourceKey)).toEqual(['ssd_cp_visits:CPV-3']);
    expect(d.added[0]?.events).toMatchObject([{ type: 'contact', at: '2026-04-07T09:00:00.000Z' }]);
    expect(d.corrected).toEqual([]);
    expect(d.removed).toEqual([]);
  });

  it('a corrected date is one correction: the event moved, from and to', () => {
    const d = diffReads(first, ledger({ cpVisits: [visit('CPV-1', '2026-03-11 10:00'), visit('CPV-2', '2026-03-24 10:00')] }));
    expect(d.added).toEqual([]);
    expect(d.removed).toEqual([]);
    expect(d.corrected).toHaveLength(1);
    expect(d.corrected[0]).toMatchObject({
      sourceKey: 'ssd_cp_visits:CPV-1',
      personChanged: false,
      changes: [{ change: 'moved', entryKey: 'ssd_cp_visits:CPV-1/contact', before: { at: '2026-03-10T10:00:00.000Z' }, after: { at: '2026-03-11T10:00:00.000Z' } }],
    });
  });

  it('corrected content at the same date is a change; a date filled in later adds the event', () => {
    const d = diffReads(ledger({ cpVisits: [visit('CPV-1', '2026-03-10 10:00'), visit('CPV-9', null)] }), ledger({ cpVisits: [visit('CPV-1', '2026-03-10 10:00', 'N'), visit('CPV-9', '2026-03-12')] }));
    expect(d.corrected.map((c) => c.changes.map((x) => x.change))).toEqual([['changed'], ['added']]);
  });

  it('an episode closed since the last read: the closure is added to the row, the referral unchanged', () => {
    const cin = (close: string | null) =>
      CinEpisodeRow.parse({
        cine_referral_id: 'REF-1',
        cine_person_id: 'P1',
        cine_referral_date: '2026-01-05',
        cine_close_reason: close ? 'RC8' : null,
        cine_close_date: close,
        cine_referral_team: null,
        cine_referral_worker_id: null,
      });
    const d = diffReads(ledger({ cinEpisodes: [cin(null)] }), ledger({ cinEpisodes: [cin('2026-02-20')] }));
    expect(d.corrected).toHaveLength(1);
    expect(d.corrected[0]?.changes).toMatchObject([{ change: 'added', entryKey: 'ssd_cin_episodes:REF-1/case-closed', event: { type: 'case-closed', at: '2026-02-20T00:00:00.000Z' } }]);
  });

  it('a deleted row is one removal, with what it had said', () => {
    const d = diffReads(first, ledger({ cpVisits: [visit('CPV-2', '2026-03-24 10:00')] }));
    expect(d.added).toEqual([]);
    expect(d.corrected).toEqual([]);
    expect(d.removed.map((e) => e.sourceKey)).toEqual(['ssd_cp_visits:CPV-1']);
    expect(d.removed[0]?.events).toMatchObject([{ type: 'contact', at: '2026-03-10T10:00:00.000Z' }]);
  });

  it('a row moved to another child is a correction that says so', () => {
    const d = diffReads(first, ledger({ cpVisits: [visit('CPV-1', '2026-03-10 10:00', 'Y', 'P2'), visit('CPV-2', '2026-03-24 10:00')] }));
    expect(d.corrected.map((c) => [c.sourceKey, c.personChanged, c.changes])).toEqual([['ssd_cp_visits:CPV-1', true, []]]);
  });

  it('who the sync records as is no change to the rows', () => {
    expect(isEmptyDiff(diffReads(first, ledger({ cpVisits: [visit('CPV-1', '2026-03-10 10:00'), visit('CPV-2', '2026-03-24 10:00')] }, 'another-sync-user')))).toBe(true);
  });

  it('a source key read twice in one read is reported, the first kept', () => {
    const entries = readSsd({ ...emptySsdRows(), cpVisits: [visit('CPV-1', '2026-03-10'), visit('CPV-1', '2026-03-11')] }, { by: 's' }).entries;
    const { ledger: l, duplicates } = ledgerOf(entries);
    expect(duplicates).toEqual(['ssd_cp_visits:CPV-1']);
    expect(Object.keys(l)).toEqual(['ssd_cp_visits:CPV-1']);
  });
});

// --- Properties, over reads made by a small seeded generator (no property-testing library) ---------

/** mulberry32: a seeded generator, so a failure names the seed that reproduces it. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A read of a few children's visits and missing episodes: rows come and go, dates and flags change. */
function randomRead(next: () => number): ReadLedger {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const dates = [null, '2026-03-28', '2026-03-29 01:30', '2026-03-29 10:00', '2026-10-25 01:30', '2026-11-01 09:00'];
  const flags = ['Y', 'N', null] as const;
  const people = ['P1', 'P2', 'P3'];
  const cpVisits = ['V1', 'V2', 'V3', 'V4', 'V5', 'V6']
    .filter(() => next() < 0.6)
    .map((id) => CpVisitRow.parse({ cppv_cp_visit_id: id, cppv_person_id: pick(people), cppv_cp_plan_id: null, cppv_cp_visit_date: pick(dates), cppv_cp_visit_seen: pick(flags), cppv_cp_visit_seen_alone: pick(flags) }));
  const missing = ['M1', 'M2', 'M3']
    .filter(() => next() < 0.6)
    .map((id) =>
      MissingRow.parse({
        miss_table_id: id,
        miss_person_id: pick(people),
        miss_missing_episode_start_date: pick(dates),
        miss_missing_episode_end_date: pick(dates),
        miss_missing_rhi_offered: null,
        miss_missing_rhi_accepted: pick(flags),
      }),
    );
  return ledger({ cpVisits, missing });
}

const SEEDS = Array.from({ length: 200 }, (_, i) => 0x5eed + i);

describe('diff properties (200 seeded runs)', () => {
  it('the diff of a read with itself is empty', () => {
    for (const seed of SEEDS) {
      const a = randomRead(random(seed));
      expect(isEmptyDiff(diffReads(a, a)), `seed ${seed}`).toBe(true);
    }
  });

  it('applying the diff to the last read gives this read', () => {
    for (const seed of SEEDS) {
      const next = random(seed);
      const a = randomRead(next);
      const b = randomRead(next);
      expect(applyDiff(a, diffReads(a, b)), `seed ${seed}`).toEqual(b);
    }
  });

  it('applying diffs in sequence equals diffing first to last, and the diffs composed are that diff', () => {
    let nonEmpty = 0;
    for (const seed of SEEDS) {
      const next = random(seed);
      const reads = Array.from({ length: 5 }, () => randomRead(next));
      const first = reads[0] as ReadLedger;
      const last = reads[reads.length - 1] as ReadLedger;
      let state = first;
      let composed = diffReads(first, first);
      for (let i = 1; i < reads.length; i++) {
        const d = diffReads(reads[i - 1] as ReadLedger, reads[i] as ReadLedger);
        state = applyDiff(state, d);
        composed = composeDiffs(composed, d);
      }
      const direct = diffReads(first, last);
      expect(state, `seed ${seed}`).toEqual(applyDiff(first, direct));
      expect(state, `seed ${seed}`).toEqual(last);
      expect(composed, `seed ${seed}`).toEqual(direct);
      if (!isEmptyDiff(direct)) nonEmpty++;
    }
    // The generator must make real changes, or the property says nothing.
    expect(nonEmpty).toBeGreaterThan(SEEDS.length / 2);
  });
});
