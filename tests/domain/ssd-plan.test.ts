/** What one read asks of each child's case (domain/ssd/plan.ts): open, record, note, close, a re-referral's new case. */
import { describe, expect, it } from 'vitest';
import { diffReads, ledgerOf, type ReadEntry, type ReadLedger } from '../../domain/ssd/diff';
import { readSsd } from '../../domain/ssd/events';
import { planChildren, type KnownCase } from '../../domain/ssd/plan';
import { CinEpisodeRow, CinVisitRow, MissingRow, emptySsdRows, type SsdRows } from '../../domain/ssd/rows';

const AT = '2026-06-30T12:00:00.000Z';

const episode = (id: string, referral: string, closed: string | null = null, person = 'P1') =>
  CinEpisodeRow.parse({ cine_referral_id: id, cine_person_id: person, cine_referral_date: referral, cine_close_date: closed, cine_close_reason: closed ? 'RC1' : null, cine_referral_nfa: 'N' });
const visit = (id: string, date: string, person = 'P1') => CinVisitRow.parse({ cinv_cin_visit_id: id, cinv_person_id: person, cinv_cin_visit_date: date, cinv_cin_visit_seen: 'Y', cinv_cin_visit_seen_alone: 'N' });

function read(rows: Partial<SsdRows>) {
  const reading = readSsd({ ...emptySsdRows(), ...rows }, { by: 'ssd-sync' });
  return { reading, ledger: ledgerOf(reading.entries).ledger };
}

function plan(last: ReadLedger, rows: Partial<SsdRows>, known: Record<string, KnownCase> = {}) {
  const { reading, ledger } = read(rows);
  const entries = Object.values(ledger).filter((e): e is ReadEntry => e !== undefined);
  return planChildren({ at: AT, episodes: reading.episodes, entriesOf: (p) => entries.filter((e) => e.personId === p), diff: diffReads(last, ledger), known: new Map(Object.entries(known)) });
}

describe("each child's plan from a read", () => {
  it("opens a child's case from the open episode's start, with what the source records since and nothing from an earlier episode", () => {
    const plans = plan({}, { cinEpisodes: [episode('R1', '2025-01-10 09:00', '2025-04-01 09:00'), episode('R2', '2026-05-01 09:00')], cinVisits: [visit('V1', '2025-02-01 10:00'), visit('V2', '2026-05-20 10:00')] });
    expect(plans).toHaveLength(1);
    expect(plans[0]).toMatchObject({ action: 'open', personId: 'P1', kind: 'child-in-need', openedAt: '2026-05-01T08:00:00.000Z' });
    const events = plans[0]!.action === 'open' ? plans[0]!.events : [];
    expect(events.map((e) => `${e.sourceKey} ${e.event.type}`)).toEqual(['ssd_cin_episodes:R2 referral-received', 'ssd_cin_visits:V2 contact']);
    // Every row is kept in the ledger, the earlier episode's too.
    expect(plans[0]!.rows.map((r) => r.sourceKey).sort()).toEqual(['ssd_cin_episodes:R1', 'ssd_cin_episodes:R2', 'ssd_cin_visits:V1', 'ssd_cin_visits:V2']);
  });

  it('a child with no open episode and no case: the rows are only kept', () => {
    expect(plan({}, { cinEpisodes: [episode('R1', '2025-01-10 09:00', '2025-04-01 09:00')] })).toMatchObject([{ action: 'ledger-only', personId: 'P1' }]);
  });

  it('records what is new, notes a corrected date and a removed row, and records the corrected date too', () => {
    const before = { cinEpisodes: [episode('R1', '2026-05-01 09:00')], cinVisits: [visit('V1', '2026-05-10 10:00'), visit('V2', '2026-05-20 10:00')] };
    const { ledger } = read(before);
    const plans = plan(ledger, { cinEpisodes: before.cinEpisodes, cinVisits: [visit('V1', '2026-05-11 10:00'), visit('V3', '2026-06-01 10:00')] }, { P1: { caseId: 'ssd-P1', status: 'open' } });
    expect(plans).toHaveLength(1);
    const p = plans[0]!;
    if (p.action !== 'update') throw new Error(`expected an update, got ${p.action}`);
    expect(p.events.map((e) => `${e.sourceKey} ${e.event.at}`)).toEqual(['ssd_cin_visits:V1 2026-05-11T09:00:00.000Z', 'ssd_cin_visits:V3 2026-06-01T09:00:00.000Z']);
    expect(p.notes.map((n) => n.summary)).toEqual([
      'Corrected in the case system (ssd_cin_visits:V1): contact moved from 2026-05-10 to 2026-05-11',
      'Removed from the case system (ssd_cin_visits:V2): it recorded contact on 2026-05-20',
    ]);
    expect(p.removed).toEqual(['ssd_cin_visits:V2']);
    expect(p.close).toBeUndefined();
  });

  it('closes the case when its last episode closes, with the reason, and never from a row while another episode runs', () => {
    const { ledger } = read({ cinEpisodes: [episode('R1', '2026-05-01 09:00')] });
    const closed = plan(ledger, { cinEpisodes: [episode('R1', '2026-05-01 09:00', '2026-06-20 09:00')] }, { P1: { caseId: 'ssd-P1', status: 'open' } });
    expect(closed[0]).toMatchObject({ action: 'update', close: { at: '2026-06-20T08:00:00.000Z' } });
    if (closed[0]?.action === 'update') {
      expect(closed[0].close?.reason).toContain('child in need episode closed in the case system');
      expect(closed[0].events.map((e) => e.event.type)).not.toContain('case-closed');
    }
  });

  it('a re-referral after the case closed opens a new case; an episode open since before the close is reported, not reopened', () => {
    const first = { cinEpisodes: [episode('R1', '2026-01-05 09:00', '2026-03-01 09:00')] };
    const { ledger } = read(first);
    const known = { P1: { caseId: 'ssd-P1', status: 'closed' as const, closedAt: '2026-03-01T09:00:00.000Z' } };
    const again = plan(ledger, { cinEpisodes: [...first.cinEpisodes, episode('R2', '2026-06-01 09:00')] }, known);
    expect(again[0]).toMatchObject({ action: 'open', openedAt: '2026-06-01T08:00:00.000Z', reopening: { previousCaseId: 'ssd-P1' } });
    // Closed in CaseClock by staff on 1 March while the case system's episode (from January) stays open.
    const stillOpen = read({ cinEpisodes: [episode('R1', '2026-01-05 09:00')] });
    const reported = plan(stillOpen.ledger, { cinEpisodes: [episode('R1', '2026-01-05 09:00')], cinVisits: [visit('V9', '2026-06-02 10:00')] }, known);
    expect(reported).toMatchObject([{ action: 'ledger-only', openWhileClosed: true }]);
  });

  it('a row that runs into the case comes whole: missing before the case opened and back after', () => {
    const missing = MissingRow.parse({
      miss_table_id: 'M1',
      miss_person_id: 'P1',
      miss_missing_episode_start_date: '2026-04-28 20:00',
      miss_missing_episode_end_date: '2026-05-02 09:00',
      miss_missing_rhi_offered: null,
      miss_missing_rhi_accepted: null,
    });
    const plans = plan({}, { cinEpisodes: [episode('R1', '2026-05-01 09:00')], missing: [missing] });
    const events = plans[0]?.action === 'open' ? plans[0].events.map((e) => e.event.type) : [];
    expect(events).toEqual(['missing-started', 'referral-received', 'child-returned']);
  });

  it('a case a stopped run was opening is opened again, with what came since its opening rows were written', () => {
    const first = { cinEpisodes: [episode('R1', '2026-05-01 09:00')], cinVisits: [visit('V1', '2026-05-10 10:00')] };
    const { ledger } = read(first);
    const plans = plan(ledger, { ...first, cinVisits: [visit('V1', '2026-05-10 10:00'), visit('V2', '2026-06-10 10:00')] }, { P1: { caseId: 'ssd-P1', status: 'opening' } });
    expect(plans).toHaveLength(1);
    const p = plans[0]!;
    if (p.action !== 'open') throw new Error(`expected open, got ${p.action}`);
    expect(p.resume?.caseId).toBe('ssd-P1');
    expect(p.resume?.pending.map((e) => e.sourceKey)).toEqual(['ssd_cin_visits:V2']);
    // Opened afresh if it never opened: everything the source records.
    expect(p.events.map((e) => e.sourceKey)).toEqual(['ssd_cin_episodes:R1', 'ssd_cin_visits:V1', 'ssd_cin_visits:V2']);
  });

  it('a row dated after the read waits, out of the ledger, until its date has come', () => {
    const rows = { cinEpisodes: [episode('R1', '2026-05-01 09:00')], cinVisits: [visit('V1', '2026-05-10 10:00'), visit('V9', '2026-07-15 10:00')] };
    const plans = plan({}, rows);
    expect(plans[0]!.rows.map((r) => r.sourceKey)).not.toContain('ssd_cin_visits:V9');
    const events = plans[0]!.action === 'open' ? plans[0]!.events.map((e) => e.sourceKey) : [];
    expect(events).not.toContain('ssd_cin_visits:V9');
  });

  it('a case a stopped run was opening, whose episode has closed since, is closed', () => {
    const { ledger } = read({ cinEpisodes: [episode('R1', '2026-05-01 09:00')] });
    const plans = plan(ledger, { cinEpisodes: [episode('R1', '2026-05-01 09:00', '2026-06-20 09:00')] }, { P1: { caseId: 'ssd-P1', status: 'opening' } });
    expect(plans[0]).toMatchObject({ action: 'update', close: { at: '2026-06-20T08:00:00.000Z' } });
  });
});
