/** The SSD's rows as CaseClock events (domain/ssd/events.ts): every table's mapping, in UK time. */
import { describe, expect, it } from 'vitest';
import { CaseEvent } from '../../domain/facts';
import { OpenCaseInput, openingOf } from '../../workflows/inputs';
import { instantOfSsdDate } from '../../domain/ssd/dates';
import { caseKindAt, readSsd, type SsdEntry, type SsdReading } from '../../domain/ssd/events';
import {
  CinEpisodeRow,
  CinVisitRow,
  ClaEpisodeRow,
  ClaPlacementRow,
  ClaReviewRow,
  ClaVisitRow,
  CpPlanRow,
  CpReviewRow,
  CpVisitRow,
  InitialCpConferenceRow,
  LegalStatusRow,
  MissingRow,
  S47EnquiryRow,
  emptySsdRows,
  type SsdRows,
} from '../../domain/ssd/rows';

const BY = 'ssd-sync';
const read = (rows: Partial<SsdRows>): SsdReading => readSsd({ ...emptySsdRows(), ...rows }, { by: BY });
const entry = (reading: SsdReading, key: string): SsdEntry | undefined => reading.entries.find((e) => e.sourceKey === key);
const eventsOf = (reading: SsdReading, key: string) => entry(reading, key)?.events.map(({ by: _by, ...e }) => e);

describe('SSD dates are UK wall-clock time', () => {
  it.each([
    ['a winter date alone is midnight GMT', '2026-01-15', '2026-01-15T00:00:00.000Z'],
    ['a summer date alone is midnight BST', '2026-07-15', '2026-07-14T23:00:00.000Z'],
    ['a winter time is GMT', '2026-01-15 10:15:00', '2026-01-15T10:15:00.000Z'],
    ['a summer time is BST', '2026-07-15 10:15:00.000', '2026-07-15T09:15:00.000Z'],
    ['with a T and seven fraction digits (SQL Server datetime2)', '2026-07-15T10:15:00.1234567', '2026-07-15T09:15:00.123Z'],
    ['the day the clocks go forward starts in GMT', '2026-03-29', '2026-03-29T00:00:00.000Z'],
    ['00:59 before they go forward is GMT', '2026-03-29 00:59', '2026-03-29T00:59:00.000Z'],
    ['01:30 never happens that day: 02:30 BST, the hour skipped', '2026-03-29 01:30', '2026-03-29T01:30:00.000Z'],
    ['02:00 after they went forward is BST', '2026-03-29 02:00', '2026-03-29T01:00:00.000Z'],
    ['the day the clocks go back starts in BST', '2026-10-25', '2026-10-24T23:00:00.000Z'],
    ['01:30 happens twice: the first, BST', '2026-10-25 01:30', '2026-10-25T00:30:00.000Z'],
    ['02:00 after they went back is GMT', '2026-10-25 02:00', '2026-10-25T02:00:00.000Z'],
  ])('%s', (_name, value, instant) => {
    expect(instantOfSsdDate(value)).toEqual({ instant });
  });

  it.each([
    ['2026-02-30', 'not-a-date'],
    ['30/01/2026', 'not-a-date'],
    ['1999-12-31', 'out-of-range'],
  ])('%s is refused (%s)', (value, problem) => {
    expect(instantOfSsdDate(value)).toEqual({ problem });
  });
});

describe('visits', () => {
  it('a CIN visit with the child seen alone is a visit, seen alone, at its UK time', () => {
    const r = read({
      cinVisits: [CinVisitRow.parse({ cinv_cin_visit_id: 'CINV-1', cinv_person_id: 'P1', cinv_cin_visit_date: '2026-06-01 14:00', cinv_cin_visit_seen: 'Y', cinv_cin_visit_seen_alone: 'Y' })],
    });
    expect(entry(r, 'ssd_cin_visits:CINV-1')?.personId).toBe('P1');
    expect(eventsOf(r, 'ssd_cin_visits:CINV-1')).toEqual([{ type: 'contact', at: '2026-06-01T13:00:00.000Z', contactType: 'visit', childSeenAlone: true }]);
    expect(r.warnings).toEqual([]);
  });

  it('a CP visit with the child seen but not alone says so', () => {
    const r = read({
      cpVisits: [
        CpVisitRow.parse({
          cppv_cp_visit_id: 'CPV-123',
          cppv_person_id: 'P1',
          cppv_cp_plan_id: 'PLAN-1',
          cppv_cp_visit_date: '2026-01-10 09:00',
          cppv_cp_visit_seen: 'y',
          cppv_cp_visit_seen_alone: 'N',
        }),
      ],
    });
    expect(eventsOf(r, 'ssd_cp_visits:CPV-123')).toEqual([{ type: 'contact', at: '2026-01-10T09:00:00.000Z', contactType: 'visit', childSeenAlone: false }]);
  });

  it('a CLA visit in which the child was not seen is contact with the family, not a visit', () => {
    const r = read({
      claVisits: [ClaVisitRow.parse({ clav_cla_visit_id: 'CLAV-9', clav_cla_id: 'CLA-1', clav_person_id: 'P2', clav_cla_visit_date: '2026-02-02', clav_cla_visit_seen: 'N', clav_cla_visit_seen_alone: null })],
    });
    expect(eventsOf(r, 'ssd_cla_visits:CLAV-9')).toEqual([{ type: 'contact', at: '2026-02-02T00:00:00.000Z', contactType: 'other' }]);
  });

  it('a visit with "child seen" blank counts as a visit and is reported', () => {
    const r = read({
      claVisits: [ClaVisitRow.parse({ clav_cla_visit_id: 'CLAV-10', clav_cla_id: null, clav_person_id: 'P2', clav_cla_visit_date: '2026-02-02', clav_cla_visit_seen: null, clav_cla_visit_seen_alone: null })],
    });
    expect(eventsOf(r, 'ssd_cla_visits:CLAV-10')).toEqual([{ type: 'contact', at: '2026-02-02T00:00:00.000Z', contactType: 'visit' }]);
    expect(r.warnings).toEqual([{ problem: 'child-seen-unrecorded', sourceKey: 'ssd_cla_visits:CLAV-10' }]);
  });

  it('a visit with no date is an entry with no events (its later date is then a correction); an unreadable date is reported', () => {
    const r = read({
      cinVisits: [
        CinVisitRow.parse({ cinv_cin_visit_id: 'CINV-2', cinv_person_id: 'P1', cinv_cin_visit_date: null, cinv_cin_visit_seen: 'Y', cinv_cin_visit_seen_alone: 'Y' }),
        CinVisitRow.parse({ cinv_cin_visit_id: 'CINV-3', cinv_person_id: 'P1', cinv_cin_visit_date: '2026-02-31', cinv_cin_visit_seen: 'Y', cinv_cin_visit_seen_alone: 'Y' }),
      ],
    });
    expect(eventsOf(r, 'ssd_cin_visits:CINV-2')).toEqual([]);
    expect(eventsOf(r, 'ssd_cin_visits:CINV-3')).toEqual([]);
    expect(r.warnings).toEqual([{ problem: 'unreadable-date', sourceKey: 'ssd_cin_visits:CINV-3', column: 'cinv_cin_visit_date', reason: 'not-a-date' }]);
  });
});

describe('child protection', () => {
  const rows: Partial<SsdRows> = {
    s47Enquiries: [S47EnquiryRow.parse({ s47e_s47_enquiry_id: 'S47-1', s47e_person_id: 'P3', s47e_s47_start_date: '2026-03-27 16:00', s47e_s47_end_date: '2026-04-10' })],
    initialCpConferences: [
      InitialCpConferenceRow.parse({
        icpc_icpc_id: 'ICPC-1',
        icpc_icpc_meeting_id: 'MTG-77',
        icpc_s47_enquiry_id: 'S47-1',
        icpc_person_id: 'P3',
        icpc_cp_plan_id: 'PLAN-1',
        icpc_icpc_date: '2026-04-16 10:00',
        icpc_icpc_outcome_cp_flag: 'Y',
        icpc_icpc_transfer_in: 'N',
      }),
      InitialCpConferenceRow.parse({
        icpc_icpc_id: 'ICPC-2',
        icpc_icpc_meeting_id: null,
        icpc_s47_enquiry_id: null,
        icpc_person_id: 'P4',
        icpc_cp_plan_id: null,
        icpc_icpc_date: '2026-01-05 10:00',
        icpc_icpc_outcome_cp_flag: 'N',
        icpc_icpc_transfer_in: null,
      }),
    ],
    cpPlans: [
      CpPlanRow.parse({ cppl_cp_plan_id: 'PLAN-1', cppl_person_id: 'P3', cppl_icpc_id: 'ICPC-1', cppl_cp_plan_start_date: '2026-04-16', cppl_cp_plan_end_date: '2026-11-20' }),
      CpPlanRow.parse({ cppl_cp_plan_id: 'PLAN-9', cppl_person_id: 'P5', cppl_icpc_id: null, cppl_cp_plan_start_date: '2026-02-01', cppl_cp_plan_end_date: null }),
    ],
    cpReviews: [
      CpReviewRow.parse({
        cppr_cp_review_id: 'CPR-1',
        cppr_person_id: 'P3',
        cppr_cp_plan_id: 'PLAN-1',
        cppr_cp_review_date: '2026-07-16 10:00',
        cppr_cp_review_meeting_id: null,
        cppr_cp_review_outcome_continue_cp: 'Y',
      }),
      CpReviewRow.parse({
        cppr_cp_review_id: 'CPR-2',
        cppr_person_id: 'P3',
        cppr_cp_plan_id: 'PLAN-1',
        cppr_cp_review_date: '2026-11-20 10:00',
        cppr_cp_review_meeting_id: 'MTG-90',
        cppr_cp_review_outcome_continue_cp: 'N',
      }),
    ],
  };
  const r = read(rows);

  it('a section 47 enquiry is the strategy discussion that started it, at its start', () => {
    expect(eventsOf(r, 'ssd_s47_enquiry:S47-1')).toEqual([{ type: 'strategy-discussion', at: '2026-03-27T16:00:00.000Z', s47Started: true }]);
  });

  it("an initial conference held, and whether it made a plan (no meetingId: the SSD's meeting ids are not meetings scheduled in CaseClock)", () => {
    expect(eventsOf(r, 'ssd_initial_cp_conference:ICPC-1')).toEqual([{ type: 'meeting-held', at: '2026-04-16T09:00:00.000Z', meetingType: 'icpc', outcome: 'cp-plan' }]);
    expect(eventsOf(r, 'ssd_initial_cp_conference:ICPC-2')).toEqual([{ type: 'meeting-held', at: '2026-01-05T10:00:00.000Z', meetingType: 'icpc', outcome: 'no-plan' }]);
  });

  it('review conferences held; the one deciding the plan should not continue ends it', () => {
    expect(eventsOf(r, 'ssd_cp_reviews:CPR-1')).toEqual([{ type: 'meeting-held', at: '2026-07-16T09:00:00.000Z', meetingType: 'review-conference' }]);
    expect(eventsOf(r, 'ssd_cp_reviews:CPR-2')).toEqual([{ type: 'meeting-held', at: '2026-11-20T10:00:00.000Z', meetingType: 'review-conference', outcome: 'plan-ended' }]);
  });

  it('a plan gives no event of its own, and one no conference names is reported', () => {
    expect(eventsOf(r, 'ssd_cp_plans:PLAN-1')).toEqual([]);
    expect(r.warnings).toEqual([{ problem: 'plan-without-conference', sourceKey: 'ssd_cp_plans:PLAN-9' }]);
  });

  it('the plan makes the case a child protection case while it lasts', () => {
    expect(caseKindAt(r.episodes, 'P3', '2026-05-01T00:00:00.000Z')).toBe('child-protection');
    expect(caseKindAt(r.episodes, 'P3', '2026-12-01T00:00:00.000Z')).toBeUndefined();
  });
});

describe('looked-after children', () => {
  const rows: Partial<SsdRows> = {
    claEpisodes: [
      // Period of care: starts (S), changes placement (P), ends (E4A).
      ClaEpisodeRow.parse({
        clae_cla_episode_id: 'E1',
        clae_person_id: 'P6',
        clae_cla_id: 'CLA-6',
        clae_cla_episode_start_date: '2026-03-02',
        clae_cla_episode_start_reason: 'S',
        clae_cla_episode_ceased_date: '2026-05-11',
        clae_cla_episode_ceased_reason: 'X1',
        clae_entered_care_date: '2026-03-02',
      }),
      ClaEpisodeRow.parse({
        clae_cla_episode_id: 'E2',
        clae_person_id: 'P6',
        clae_cla_id: 'CLA-6',
        clae_cla_episode_start_date: '2026-05-11',
        clae_cla_episode_start_reason: 'P',
        clae_cla_episode_ceased_date: '2026-10-30',
        clae_cla_episode_ceased_reason: 'E4A',
        clae_entered_care_date: '2026-03-02',
      }),
    ],
    claPlacements: [
      ClaPlacementRow.parse({
        clap_cla_placement_id: 'PL-1',
        clap_cla_id: 'CLA-6',
        clap_person_id: null,
        clap_cla_placement_start_date: '2026-03-02 17:30',
        clap_cla_placement_type: 'U6',
        clap_cla_placement_end_date: '2026-05-11',
      }),
      ClaPlacementRow.parse({
        clap_cla_placement_id: 'PL-2',
        clap_cla_id: 'CLA-6',
        clap_person_id: 'P6',
        clap_cla_placement_start_date: '2026-05-11 12:00',
        clap_cla_placement_type: 'P1',
        clap_cla_placement_end_date: null,
      }),
      ClaPlacementRow.parse({
        clap_cla_placement_id: 'PL-T',
        clap_cla_id: 'CLA-6',
        clap_person_id: 'P6',
        clap_cla_placement_start_date: '2026-08-01',
        clap_cla_placement_type: 't2',
        clap_cla_placement_end_date: '2026-08-08',
      }),
      ClaPlacementRow.parse({
        clap_cla_placement_id: 'PL-X',
        clap_cla_id: 'CLA-UNKNOWN',
        clap_person_id: null,
        clap_cla_placement_start_date: '2026-08-01',
        clap_cla_placement_type: 'U1',
        clap_cla_placement_end_date: null,
      }),
    ],
    legalStatuses: [
      LegalStatusRow.parse({ lega_legal_status_id: 'LS-1', lega_person_id: 'P6', lega_legal_status: 'V2', lega_legal_status_start_date: '2026-03-02', lega_legal_status_end_date: '2026-06-01' }),
      LegalStatusRow.parse({ lega_legal_status_id: 'LS-2', lega_person_id: 'P6', lega_legal_status: 'C1', lega_legal_status_start_date: '2026-06-01', lega_legal_status_end_date: null }),
      LegalStatusRow.parse({ lega_legal_status_id: 'LS-3', lega_person_id: 'P6', lega_legal_status: 'ZZ', lega_legal_status_start_date: '2026-09-01', lega_legal_status_end_date: null }),
    ],
    claReviews: [
      ClaReviewRow.parse({ clar_cla_review_id: 'R1', clar_cla_id: 'CLA-6', clar_cla_review_date: '2026-03-27 10:00', clar_cla_review_cancelled: 'N' }),
      ClaReviewRow.parse({ clar_cla_review_id: 'R2', clar_cla_id: 'CLA-6', clar_cla_review_date: '2026-06-20 10:00', clar_cla_review_cancelled: 'Y' }),
      ClaReviewRow.parse({ clar_cla_review_id: 'R3', clar_cla_id: 'CLA-NONE', clar_cla_review_date: '2026-06-20 10:00', clar_cla_review_cancelled: null }),
    ],
  };
  const r = read(rows);

  it('a period of care starts at an episode started for reason S and ends at one that ceased for a reason other than X1', () => {
    expect(eventsOf(r, 'ssd_cla_episodes:E1')).toEqual([{ type: 'looked-after-started', at: '2026-03-02T00:00:00.000Z' }]);
    expect(eventsOf(r, 'ssd_cla_episodes:E2')).toEqual([{ type: 'looked-after-ended', at: '2026-10-30T00:00:00.000Z' }]);
    expect(r.episodes.filter((e) => e.kind === 'looked-after')).toEqual([
      { sourceKey: 'ssd_cla_episodes:E1', personId: 'P6', kind: 'looked-after', openedAt: '2026-03-02T00:00:00.000Z', closedAt: '2026-10-30T00:00:00.000Z' },
    ]);
    expect(caseKindAt(r.episodes, 'P6', '2026-07-01T00:00:00.000Z')).toBe('looked-after');
  });

  it('without reasons: an episode starting the day the child entered care starts the period; one ceasing the day another starts does not end it', () => {
    const blank = read({
      claEpisodes: [
        ClaEpisodeRow.parse({
          clae_cla_episode_id: 'B1',
          clae_person_id: 'P7',
          clae_cla_id: null,
          clae_cla_episode_start_date: '2026-01-05',
          clae_cla_episode_start_reason: null,
          clae_cla_episode_ceased_date: '2026-02-01',
          clae_cla_episode_ceased_reason: null,
          clae_entered_care_date: '2026-01-05',
        }),
        ClaEpisodeRow.parse({
          clae_cla_episode_id: 'B2',
          clae_person_id: 'P7',
          clae_cla_id: null,
          clae_cla_episode_start_date: '2026-02-01',
          clae_cla_episode_start_reason: null,
          clae_cla_episode_ceased_date: '2026-04-01',
          clae_cla_episode_ceased_reason: null,
          clae_entered_care_date: '2026-01-05',
        }),
      ],
    });
    expect(eventsOf(blank, 'ssd_cla_episodes:B1')).toEqual([{ type: 'looked-after-started', at: '2026-01-05T00:00:00.000Z' }]);
    expect(eventsOf(blank, 'ssd_cla_episodes:B2')).toEqual([{ type: 'looked-after-ended', at: '2026-03-31T23:00:00.000Z' }]);
  });

  it('a placement starts with its regulation 28 type and the legal status in force that day, the child found through the period of care', () => {
    expect(entry(r, 'ssd_cla_placement:PL-1')?.personId).toBe('P6');
    expect(eventsOf(r, 'ssd_cla_placement:PL-1')).toEqual([{ type: 'placement-started', at: '2026-03-02T17:30:00.000Z', placementId: 'PL-1', placementType: 'general', legalStatus: 'accommodated' }]);
    expect(eventsOf(r, 'ssd_cla_placement:PL-2')).toEqual([{ type: 'placement-started', at: '2026-05-11T11:00:00.000Z', placementId: 'PL-2', placementType: 'with-parent', legalStatus: 'accommodated' }]);
  });

  it('a temporary move starts no placement; a placement whose child cannot be found is reported, not guessed', () => {
    expect(eventsOf(r, 'ssd_cla_placement:PL-T')).toEqual([]);
    expect(entry(r, 'ssd_cla_placement:PL-X')).toBeUndefined();
    expect(r.warnings).toContainEqual({ problem: 'unknown-cla-id', sourceKey: 'ssd_cla_placement:PL-X', claId: 'CLA-UNKNOWN' });
  });

  it('an interim care order beginning while the child lives with a parent restarts the placement under it (regulation 28(4)); an unknown status is reported', () => {
    expect(eventsOf(r, 'ssd_legal_status:LS-2')).toEqual([{ type: 'placement-started', at: '2026-05-31T23:00:00.000Z', placementId: 'PL-2', placementType: 'with-parent', legalStatus: 'interim-care-order' }]);
    expect(eventsOf(r, 'ssd_legal_status:LS-1')).toEqual([]);
    expect(eventsOf(r, 'ssd_legal_status:LS-3')).toEqual([]);
    expect(r.warnings).toContainEqual({ problem: 'unknown-code', sourceKey: 'ssd_legal_status:LS-3', column: 'lega_legal_status', code: 'ZZ' });
  });

  it('a change of legal status in a general placement gives no event (it would restart the first-visit clock for nothing)', () => {
    const general = read({
      claPlacements: [
        ClaPlacementRow.parse({
          clap_cla_placement_id: 'PL-G',
          clap_cla_id: null,
          clap_person_id: 'P8',
          clap_cla_placement_start_date: '2026-01-10',
          clap_cla_placement_type: 'K2',
          clap_cla_placement_end_date: null,
        }),
      ],
      legalStatuses: [LegalStatusRow.parse({ lega_legal_status_id: 'LS-G', lega_person_id: 'P8', lega_legal_status: 'C2', lega_legal_status_start_date: '2026-04-01', lega_legal_status_end_date: null })],
    });
    expect(eventsOf(general, 'ssd_legal_status:LS-G')).toEqual([]);
  });

  it('a child in care review held; a cancelled one is an entry with no event; one whose period of care is unknown is reported', () => {
    expect(eventsOf(r, 'ssd_cla_reviews:R1')).toEqual([{ type: 'meeting-held', at: '2026-03-27T10:00:00.000Z', meetingType: 'cic-review' }]);
    expect(entry(r, 'ssd_cla_reviews:R1')?.personId).toBe('P6');
    expect(eventsOf(r, 'ssd_cla_reviews:R2')).toEqual([]);
    expect(r.warnings).toContainEqual({ problem: 'unknown-cla-id', sourceKey: 'ssd_cla_reviews:R3', claId: 'CLA-NONE' });
  });
});

describe('missing episodes', () => {
  it('missing at the start, returned at the end; an accepted return interview has no date in the SSD and is reported', () => {
    const r = read({
      missing: [
        MissingRow.parse({
          miss_table_id: 'M-1',
          miss_person_id: 'P9',
          miss_missing_episode_start_date: '2026-10-24 22:00',
          miss_missing_episode_end_date: '2026-10-25 01:30',
          miss_missing_rhi_offered: 'Y',
          miss_missing_rhi_accepted: 'Y',
        }),
        MissingRow.parse({
          miss_table_id: 'M-2',
          miss_person_id: 'P9',
          miss_missing_episode_start_date: '2026-11-02 20:00',
          miss_missing_episode_end_date: null,
          miss_missing_rhi_offered: 'NA',
          miss_missing_rhi_accepted: null,
        }),
      ],
    });
    expect(eventsOf(r, 'ssd_missing:M-1')).toEqual([
      { type: 'missing-started', at: '2026-10-24T21:00:00.000Z' },
      { type: 'child-returned', at: '2026-10-25T00:30:00.000Z' },
    ]);
    expect(eventsOf(r, 'ssd_missing:M-2')).toEqual([{ type: 'missing-started', at: '2026-11-02T20:00:00.000Z' }]);
    expect(r.warnings).toEqual([{ problem: 'return-interview-undated', sourceKey: 'ssd_missing:M-1' }]);
  });

  it('a return dated before the child went missing (a date typed without its time) is a return when they went, and is reported', () => {
    const r = read({
      missing: [
        MissingRow.parse({
          miss_table_id: 'M-3',
          miss_person_id: 'P9',
          miss_missing_episode_start_date: '2026-02-02 15:00',
          miss_missing_episode_end_date: '2026-02-02 00:00',
          miss_missing_rhi_offered: null,
          miss_missing_rhi_accepted: null,
        }),
      ],
    });
    expect(eventsOf(r, 'ssd_missing:M-3')).toEqual([
      { type: 'missing-started', at: '2026-02-02T15:00:00.000Z' },
      { type: 'child-returned', at: '2026-02-02T15:00:00.000Z' },
    ]);
    expect(r.warnings).toEqual([{ problem: 'return-before-start', sourceKey: 'ssd_missing:M-3' }]);
  });
});

describe('child in need episodes', () => {
  it('the referral opens the episode and its closure closes the case with the CIN census reason in words', () => {
    const r = read({
      cinEpisodes: [
        CinEpisodeRow.parse({
          cine_referral_id: 'REF-1',
          cine_person_id: 'P10',
          cine_referral_date: '2026-02-03 11:00',
          cine_close_reason: 'rc8',
          cine_close_date: '2026-04-01',
          cine_referral_team: 'T1',
          cine_referral_worker_id: 'W1',
        }),
        CinEpisodeRow.parse({
          cine_referral_id: 'REF-2',
          cine_person_id: 'P11',
          cine_referral_date: '2026-02-03',
          cine_close_reason: 'RC99',
          cine_close_date: '2026-03-01',
          cine_referral_team: null,
          cine_referral_worker_id: null,
        }),
      ],
    });
    expect(eventsOf(r, 'ssd_cin_episodes:REF-1')).toEqual([
      { type: 'referral-received', at: '2026-02-03T11:00:00.000Z' },
      { type: 'case-closed', at: '2026-03-31T23:00:00.000Z', reason: 'child in need episode closed: RC8 (case closed after assessment, no further action)' },
    ]);
    expect(eventsOf(r, 'ssd_cin_episodes:REF-2')?.[1]).toEqual({ type: 'case-closed', at: '2026-03-01T00:00:00.000Z', reason: 'child in need episode closed: RC99' });
    expect(r.warnings).toEqual([{ problem: 'unknown-code', sourceKey: 'ssd_cin_episodes:REF-2', column: 'cine_close_reason', code: 'RC99' }]);
    expect(r.episodes[0]).toEqual({
      sourceKey: 'ssd_cin_episodes:REF-1',
      personId: 'P10',
      kind: 'child-in-need',
      openedAt: '2026-02-03T11:00:00.000Z',
      closedAt: '2026-03-31T23:00:00.000Z',
      closeReason: 'case closed after assessment, no further action',
    });
    expect(caseKindAt(r.episodes, 'P10', '2026-03-01T00:00:00.000Z')).toBe('child-in-need');
  });
});

describe('the row shapes', () => {
  it('refuse an id that could not be part of a case id or a source key', () => {
    expect(CinVisitRow.safeParse({ cinv_cin_visit_id: 'a/b', cinv_person_id: 'P1', cinv_cin_visit_date: null, cinv_cin_visit_seen: null, cinv_cin_visit_seen_alone: null }).success).toBe(false);
  });

  it('read nothing CaseClock must never hold: the names of columns with names, dates of birth or addresses are not in them', () => {
    const shapes = [CinEpisodeRow, CinVisitRow, CpVisitRow, ClaVisitRow, CpPlanRow, CpReviewRow, InitialCpConferenceRow, S47EnquiryRow, ClaEpisodeRow, ClaPlacementRow, ClaReviewRow, LegalStatusRow, MissingRow];
    const columns = shapes.flatMap((s) => Object.keys(s.shape));
    for (const banned of ['name', 'dob', 'postcode', 'address', 'common_child_id', 'upn', 'desc', 'json', 'provider', 'urn']) {
      expect(columns.filter((c) => c.includes(banned))).toEqual([]);
    }
    // Zod strips what a shape does not name: a row read with extra columns keeps none of them.
    expect(
      Object.keys(
        MissingRow.parse({
          miss_table_id: 'M',
          miss_person_id: 'P',
          miss_missing_episode_start_date: null,
          miss_missing_episode_end_date: null,
          pers_forename: 'x',
          miss_missing_rhi_offered: null,
          miss_missing_rhi_accepted: null,
        }),
      ),
    ).not.toContain('pers_forename');
  });

  it('every event the mapping makes is a valid CaseClock event', () => {
    const r = read({
      missing: [
        MissingRow.parse({
          miss_table_id: 'M-1',
          miss_person_id: 'P9',
          miss_missing_episode_start_date: '2026-10-24',
          miss_missing_episode_end_date: '2026-10-25',
          miss_missing_rhi_offered: null,
          miss_missing_rhi_accepted: null,
        }),
      ],
      cinEpisodes: [
        CinEpisodeRow.parse({
          cine_referral_id: 'R',
          cine_person_id: 'P',
          cine_referral_date: '2026-01-01',
          cine_close_reason: null,
          cine_close_date: '2026-02-01',
          cine_referral_team: null,
          cine_referral_worker_id: null,
        }),
      ],
    });
    for (const e of r.entries.flatMap((x) => x.events)) expect(CaseEvent.safeParse(e).success).toBe(true);
  });
});

describe('a child’s rows open a case CaseClock accepts', () => {
  it('the events of a looked-after child’s rows, in date order, meet the rules every recorded event meets', () => {
    const r = read({
      cinEpisodes: [
        CinEpisodeRow.parse({ cine_referral_id: 'REF-1', cine_person_id: 'P6', cine_referral_date: '2026-02-20', cine_close_reason: null, cine_close_date: null, cine_referral_team: null, cine_referral_worker_id: null }),
      ],
      claEpisodes: [
        ClaEpisodeRow.parse({
          clae_cla_episode_id: 'E1',
          clae_person_id: 'P6',
          clae_cla_id: 'CLA-6',
          clae_cla_episode_start_date: '2026-03-02',
          clae_cla_episode_start_reason: 'S',
          clae_cla_episode_ceased_date: null,
          clae_cla_episode_ceased_reason: null,
          clae_entered_care_date: '2026-03-02',
        }),
      ],
      claPlacements: [
        ClaPlacementRow.parse({
          clap_cla_placement_id: 'PL-1',
          clap_cla_id: 'CLA-6',
          clap_person_id: 'P6',
          clap_cla_placement_start_date: '2026-03-02 17:30',
          clap_cla_placement_type: 'U4',
          clap_cla_placement_end_date: null,
        }),
      ],
      legalStatuses: [LegalStatusRow.parse({ lega_legal_status_id: 'LS-1', lega_person_id: 'P6', lega_legal_status: 'C2', lega_legal_status_start_date: '2026-03-02', lega_legal_status_end_date: null })],
      claVisits: [ClaVisitRow.parse({ clav_cla_visit_id: 'V1', clav_cla_id: 'CLA-6', clav_person_id: 'P6', clav_cla_visit_date: '2026-03-06 15:00', clav_cla_visit_seen: 'Y', clav_cla_visit_seen_alone: 'Y' })],
      claReviews: [ClaReviewRow.parse({ clar_cla_review_id: 'R1', clar_cla_id: 'CLA-6', clar_cla_review_date: '2026-03-27 10:00', clar_cla_review_cancelled: 'N' })],
    });
    const recorded = r.entries.filter((e) => e.personId === 'P6').flatMap((e) => e.events);
    expect(recorded.map((e) => e.type).sort()).toEqual(['contact', 'looked-after-started', 'meeting-held', 'placement-started', 'referral-received']);
    const opened = openingOf(OpenCaseInput.parse({ caseId: 'ssd-P6', details: { reference: 'P6', team: 'LOCALITY-NORTH', contacts: {} }, openedBy: BY, recorded }), new Date('2026-04-01T00:00:00Z'));
    expect(opened.problems).toEqual([]);
    expect(opened.events.map((e) => e.type)).toEqual(['referral-received', 'looked-after-started', 'placement-started', 'contact', 'meeting-held']);
    expect(opened.events.find((e) => e.type === 'placement-started')).toMatchObject({ placementType: 'until-18', legalStatus: 'care-order' });
  });
});
