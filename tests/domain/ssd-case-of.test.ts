/** A child's case from the SSD (domain/ssd/case-of.ts): ids, reference, team and worker, or typed failures. */
import { describe, expect, it } from 'vitest';
import { SsdCaseConfig, caseIdOf, caseOf, type SsdCaseRows } from '../../domain/ssd/case-of';
import { DepartmentRow, InvolvementRow, PersonRow, ProfessionalRow } from '../../domain/ssd/rows';

const config = SsdCaseConfig.parse({
  caseIdPrefix: 'ssd-',
  reference: 'person-id',
  allocatedWorkerRoles: ['ALLOC'],
  teams: { 'DEPT-N': 'LOCALITY-NORTH', 'DEPT-S': 'LOCALITY-SOUTH' },
});

const involvement = (id: string, over: Partial<Record<string, string | null>> = {}) =>
  InvolvementRow.parse({
    invo_involvements_id: id,
    invo_professional_id: 'PRO-1',
    invo_professional_role_id: 'alloc',
    invo_professional_team: 'DEPT-N',
    invo_involvement_start_date: '2026-01-05',
    invo_involvement_end_date: null,
    invo_person_id: 'P1',
    ...over,
  });

const rows = (over: Partial<SsdCaseRows> = {}): SsdCaseRows => ({
  person: PersonRow.parse({ pers_person_id: 'P1', pers_legacy_id: 'LCS-000123' }),
  involvements: [involvement('INV-1')],
  professionals: [ProfessionalRow.parse({ prof_professional_id: 'PRO-1', prof_staff_id: 'STAFF-42' })],
  departments: [DepartmentRow.parse({ dept_team_id: 'DEPT-N', dept_team_parent_id: 'CSC' }), DepartmentRow.parse({ dept_team_id: 'DEPT-X', dept_team_parent_id: null })],
  ...over,
});

const AT = '2026-06-01T09:00:00.000Z';

describe('caseOf', () => {
  it('the case id is the prefix and the person id; the team is CaseClock’s code for the SSD team; the worker is known by staff id', () => {
    expect(caseOf('P1', rows(), config, AT)).toEqual({
      ok: true,
      case: { caseId: 'ssd-P1', personId: 'P1', reference: 'P1', team: 'LOCALITY-NORTH', ssdTeamId: 'DEPT-N', worker: { professionalId: 'PRO-1', staffId: 'STAFF-42' }, involvementId: 'INV-1' },
    });
  });

  it('the reference can be the case system’s legacy id, and a child without one is a typed failure', () => {
    const legacy = { ...config, reference: 'legacy-id' as const };
    expect(caseOf('P1', rows(), legacy, AT)).toMatchObject({ ok: true, case: { reference: 'LCS-000123' } });
    expect(caseOf('P1', rows({ person: PersonRow.parse({ pers_person_id: 'P1', pers_legacy_id: null }) }), legacy, AT)).toEqual({
      ok: false,
      failures: [{ failure: 'no-legacy-id', personId: 'P1' }],
    });
  });

  it('a team not in ssd_department is an unknown team (a value, not a message)', () => {
    expect(caseOf('P1', rows({ involvements: [involvement('INV-1', { invo_professional_team: 'DEPT-GONE' })] }), config, AT)).toEqual({
      ok: false,
      failures: [{ failure: 'unknown-team', personId: 'P1', teamId: 'DEPT-GONE' }],
    });
  });

  it('a team in the SSD that CaseClock does not list is refused, never invented', () => {
    expect(caseOf('P1', rows({ involvements: [involvement('INV-1', { invo_professional_team: 'DEPT-X' })] }), config, AT)).toEqual({
      ok: false,
      failures: [{ failure: 'team-not-in-caseclock', personId: 'P1', teamId: 'DEPT-X' }],
    });
  });

  it('an unknown worker and an unknown team are both reported at once', () => {
    expect(caseOf('P1', rows({ involvements: [involvement('INV-1', { invo_professional_team: 'DEPT-GONE', invo_professional_id: 'PRO-9' })] }), config, AT)).toEqual({
      ok: false,
      failures: [
        { failure: 'unknown-team', personId: 'P1', teamId: 'DEPT-GONE' },
        { failure: 'unknown-worker', personId: 'P1', professionalId: 'PRO-9' },
      ],
    });
  });

  it('a worker with no staff identifier is unknown; an allocation with no worker or no team says which', () => {
    expect(caseOf('P1', rows({ professionals: [ProfessionalRow.parse({ prof_professional_id: 'PRO-1', prof_staff_id: null })] }), config, AT)).toEqual({
      ok: false,
      failures: [{ failure: 'unknown-worker', personId: 'P1', professionalId: 'PRO-1' }],
    });
    expect(caseOf('P1', rows({ involvements: [involvement('INV-1', { invo_professional_team: null, invo_professional_id: null })] }), config, AT)).toEqual({
      ok: false,
      failures: [
        { failure: 'no-team', personId: 'P1', involvementId: 'INV-1' },
        { failure: 'no-worker', personId: 'P1', involvementId: 'INV-1' },
      ],
    });
  });

  it('a role named as the case system writes it (the SSD example: Allocated Case Worker) matches whatever its case and spacing; a role with other characters is refused', () => {
    const named = SsdCaseConfig.parse({ ...config, allocatedWorkerRoles: ['Allocated Case Worker'] });
    const allocation = involvement('INV-1', { invo_professional_role_id: ' allocated  case worker ' });
    expect(allocation.invo_professional_role_id).toBe('ALLOCATED CASE WORKER');
    expect(caseOf('P1', rows({ involvements: [allocation] }), named, AT)).toMatchObject({ ok: true, case: { involvementId: 'INV-1' } });
    expect(caseOf('P1', rows({ involvements: [involvement('INV-1', { invo_professional_role_id: 'Independent Reviewing Officer' })] }), named, AT)).toEqual({
      ok: false,
      failures: [{ failure: 'no-allocation', personId: 'P1' }],
    });
    expect(InvolvementRow.safeParse({ ...allocation, invo_professional_role_id: 'Worker; see notes: "x"' }).success).toBe(false);
  });

  it('only the allocation in force counts: an ended one or another role is no allocation; two at once are refused', () => {
    const ended = involvement('INV-0', { invo_involvement_end_date: '2026-03-01' });
    const otherRole = involvement('INV-2', { invo_professional_role_id: 'IRO' });
    expect(caseOf('P1', rows({ involvements: [ended, otherRole] }), config, AT)).toEqual({ ok: false, failures: [{ failure: 'no-allocation', personId: 'P1' }] });
    expect(caseOf('P1', rows({ involvements: [ended, involvement('INV-1')] }), config, AT)).toMatchObject({ ok: true, case: { involvementId: 'INV-1' } });
    expect(caseOf('P1', rows({ involvements: [involvement('INV-1'), involvement('INV-3', { invo_involvement_start_date: '2026-05-01' })] }), config, AT)).toEqual({
      ok: false,
      failures: [{ failure: 'several-allocations', personId: 'P1', involvementIds: ['INV-1', 'INV-3'] }],
    });
  });

  it('an allocation whose end date cannot be read is taken as ended, never as current', () => {
    const unreadableEnd = involvement('INV-0', { invo_involvement_end_date: '2026-02-31' });
    expect(caseOf('P1', rows({ involvements: [unreadableEnd] }), config, AT)).toEqual({ ok: false, failures: [{ failure: 'no-allocation', personId: 'P1' }] });
  });

  it('the legacy id comes from this child’s own row only', () => {
    const legacy = { ...config, reference: 'legacy-id' as const };
    const another = rows({ person: PersonRow.parse({ pers_person_id: 'P2', pers_legacy_id: 'LCS-999' }) });
    expect(caseOf('P1', another, legacy, AT)).toEqual({ ok: false, failures: [{ failure: 'no-legacy-id', personId: 'P1' }] });
  });

  it('an allocation starts at its UK date: 1 July starts at 23:00 UTC on 30 June', () => {
    const julyOn = rows({ involvements: [involvement('INV-1', { invo_involvement_start_date: '2026-07-01' })] });
    expect(caseOf('P1', julyOn, config, '2026-06-30T22:59:59.999Z')).toMatchObject({ ok: false, failures: [{ failure: 'no-allocation' }] });
    expect(caseOf('P1', julyOn, config, '2026-06-30T23:00:00.000Z')).toMatchObject({ ok: true });
  });

  it('a person id that would make no case id (too long, or path syntax) is a typed failure', () => {
    expect(caseIdOf('P'.repeat(48), { caseIdPrefix: 'ssd-children-abc' })).toEqual({ caseId: `ssd-children-abc${'P'.repeat(48)}` });
    expect(caseIdOf('P'.repeat(61), { caseIdPrefix: 'ssd-' })).toMatchObject({ failure: 'invalid-case-id' });
    expect(caseOf('a/b', rows(), config, AT)).toEqual({
      ok: false,
      failures: [
        { failure: 'invalid-case-id', personId: 'a/b', caseId: 'ssd-a/b' },
        { failure: 'no-allocation', personId: 'a/b' },
      ],
    });
    expect(SsdCaseConfig.safeParse({ ...config, caseIdPrefix: 'a/b' }).success).toBe(false);
  });
});
