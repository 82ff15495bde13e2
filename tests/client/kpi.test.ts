/**
 * The visiting KPI (client/kpi.ts), without Temporal: which occurrences count in a period, what
 * each counts as, and the median lateness.
 */
import { describe, expect, it } from 'vitest';
import type { ObligationKind } from '../../domain/kinds';
import { formatKpiReport } from '../../client/cli/commands/report';
import { classify, computeKpi, type KpiCase, KPI_KINDS, median } from '../../client/kpi';

const HOUR = 3_600_000;
const NOW = '2026-04-30T12:00:00.000Z';
const APRIL = { from: '2026-04-01', to: '2026-04-30' };

type Ob = KpiCase['obligations'][number];
const met = (kind: ObligationKind, dueAt: string, lateByMs = 0): Ob => ({
  kind,
  dueAt,
  status: 'met',
  resolvedAt: new Date(Date.parse(dueAt) + lateByMs - (lateByMs > 0 ? 0 : HOUR)).toISOString(),
  ...(lateByMs > 0 ? { lateByMs } : {}),
});
const open = (kind: ObligationKind, dueAt: string): Ob => ({ kind, dueAt, status: 'open' });
const superseded = (kind: ObligationKind, dueAt: string, resolvedAt: string): Ob => ({ kind, dueAt, status: 'superseded', resolvedAt });
const waived = (kind: ObligationKind, dueAt: string): Ob => ({ kind, dueAt, status: 'waived', resolvedAt: dueAt });

describe('classify', () => {
  it.each<[string, Ob, ReturnType<typeof classify>]>([
    ['met before the deadline', met('kit-call', '2026-04-10T10:00:00.000Z'), 'onTime'],
    ['met after the deadline', met('kit-call', '2026-04-10T10:00:00.000Z', 2 * HOUR), 'late'],
    ['open past its deadline (still possible: overdue, not missed)', open('kit-call', '2026-04-10T10:00:00.000Z'), 'overdue'],
    ['open, not yet due', open('kit-call', '2026-05-10T10:00:00.000Z'), 'pending'],
    ['superseded after its deadline passed', superseded('initial-visit-high', '2026-04-10T10:00:00.000Z', '2026-04-11T10:00:00.000Z'), 'missed'],
    ['superseded before its deadline', superseded('initial-visit-high', '2026-04-10T10:00:00.000Z', '2026-04-09T10:00:00.000Z'), 'notCounted'],
    ['waived', waived('visit-priority', '2026-04-10T10:00:00.000Z'), 'waived'],
  ])('%s', (_name, obligation, outcome) => {
    expect(classify(obligation, NOW)).toBe(outcome);
  });
});

describe('median', () => {
  it('odd, even and empty', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNull();
  });
});

describe('computeKpi', () => {
  const north: KpiCase = {
    team: 'NORTH',
    tier: 'PRIORITY',
    obligations: [
      met('initial-visit-priority', '2026-04-02T09:00:00.000Z'),
      met('visit-priority', '2026-04-16T09:00:00.000Z', 1 * HOUR),
      met('visit-priority', '2026-04-20T09:00:00.000Z', 5 * HOUR),
      met('visit-priority', '2026-04-24T09:00:00.000Z', 3 * HOUR),
      open('visit-priority', '2026-04-28T09:00:00.000Z'),
      open('kit-call', '2026-05-03T09:00:00.000Z'),
      // Not visiting obligations: never counted.
      met('core-group', '2026-04-10T09:00:00.000Z', 10 * HOUR),
      // Outside the period.
      met('visit-priority', '2026-03-31T09:00:00.000Z', 10 * HOUR),
    ],
  };
  const south: KpiCase = {
    team: 'SOUTH',
    tier: 'HIGH_IMMEDIATE',
    obligations: [
      superseded('initial-visit-high', '2026-04-05T09:00:00.000Z', '2026-04-06T09:00:00.000Z'),
      superseded('initial-visit-high', '2026-04-07T09:00:00.000Z', '2026-04-07T08:00:00.000Z'),
      waived('kit-call', '2026-04-12T09:00:00.000Z'),
    ],
  };

  it('counts by team, tier and kind, with the median lateness of the late ones', () => {
    expect(computeKpi([south, north], APRIL, NOW)).toEqual([
      { team: 'NORTH', tier: 'PRIORITY', kind: 'initial-visit-priority', due: 1, onTime: 1, late: 0, missed: 0, overdue: 0, waived: 0, pending: 0, medianLateByMs: null, onTimeRate: 1 },
      { team: 'NORTH', tier: 'PRIORITY', kind: 'visit-priority', due: 4, onTime: 0, late: 3, missed: 0, overdue: 1, waived: 0, pending: 0, medianLateByMs: 3 * HOUR, onTimeRate: 0 },
      { team: 'SOUTH', tier: 'HIGH_IMMEDIATE', kind: 'initial-visit-high', due: 1, onTime: 0, late: 0, missed: 1, overdue: 0, waived: 0, pending: 0, medianLateByMs: null, onTimeRate: 0 },
      { team: 'SOUTH', tier: 'HIGH_IMMEDIATE', kind: 'kit-call', due: 0, onTime: 0, late: 0, missed: 0, overdue: 0, waived: 1, pending: 0, medianLateByMs: null, onTimeRate: null },
    ]);
  });

  it('pending occurrences in the period are shown but not counted as due', () => {
    const rows = computeKpi([north], { from: '2026-05-01', to: '2026-05-31' }, NOW);
    expect(rows).toEqual([expect.objectContaining({ kind: 'kit-call', due: 0, pending: 1, onTimeRate: null })]);
  });

  it('period ends are UK dates: a deadline at 23:30 UTC on 30 April is 1 May in BST', () => {
    const late = { team: 'T', tier: 'VULNERABLE', obligations: [met('kit-call', '2026-04-30T23:30:00.000Z')] };
    expect(computeKpi([late], APRIL, '2026-05-02T00:00:00.000Z')).toEqual([]);
    expect(computeKpi([late], { from: '2026-05-01', to: '2026-05-01' }, '2026-05-02T00:00:00.000Z')).toHaveLength(1);
  });

  it('two cases of the same team and tier add up', () => {
    const a = { team: 'T', tier: 'VULNERABLE', obligations: [met('kit-call', '2026-04-10T09:00:00.000Z', 2 * HOUR)] };
    const b = { team: 'T', tier: 'VULNERABLE', obligations: [met('kit-call', '2026-04-11T09:00:00.000Z', 4 * HOUR)] };
    expect(computeKpi([a, b], APRIL, NOW)).toEqual([expect.objectContaining({ due: 2, late: 2, medianLateByMs: 3 * HOUR })]);
  });
});

describe('the KPI report as text', () => {
  it('a table by team, tier and obligation, in words', () => {
    const text = formatKpiReport({
      period: { from: '2026-04-01', to: '2026-04-30', zone: 'Europe/London' },
      filter: { team: 'NORTH' },
      generatedAt: NOW,
      kinds: KPI_KINDS,
      casesRead: 2,
      rows: computeKpi([{ team: 'NORTH', tier: 'PRIORITY', obligations: [met('visit-priority', '2026-04-16T09:00:00.000Z', 26 * HOUR), met('visit-priority', '2026-04-18T09:00:00.000Z')] }], APRIL, NOW),
    });
    expect(text.split('\n')).toEqual([
      'Visits and keeping-in-touch calls due 2026-04-01 to 2026-04-30 (UK dates), team NORTH',
      '2 cases read',
      '',
      'team   tier      obligation                    due  on time  late  overdue  missed  waived  pending  on time %  median late',
      'NORTH  Priority  Fortnightly visit (priority)  2    1        1     0        0       0       0        50%        1 day 2 hours',
    ]);
  });
});
