/** The case system's teams the team directory does not list yet (domain/ssd/unmapped-teams.ts), and the code suggested for each. */
import { describe, expect, it } from 'vitest';
import { DepartmentRow, InvolvementRow } from '../../domain/ssd/rows';
import { suggestedTeamCode, teamCodeOfName, unmappedTeams, type UnmappedTeamsInput } from '../../domain/ssd/unmapped-teams';

const department = (id: string, name: string | null, parent: string | null) => DepartmentRow.parse({ dept_team_id: id, dept_team_name: name, dept_team_parent_id: parent });

let involvementId = 0;
const allocation = (person: string, team: string | null, over: Partial<Record<string, string | null>> = {}) =>
  InvolvementRow.parse({
    invo_involvements_id: `INV-${(involvementId += 1)}`,
    invo_professional_id: 'PRO-1',
    invo_professional_role_id: 'Allocated Case Worker',
    invo_professional_team: team,
    invo_involvement_start_date: '2026-01-05 09:00:00',
    invo_involvement_end_date: null,
    invo_person_id: person,
    ...over,
  });

const AT = '2026-06-01T09:00:00.000Z';

const DEPARTMENTS = [
  department('100', "Children's Services", null),
  department('101', 'Safeguarding and Family Support', '100'),
  department('102', 'Children in Care', '100'),
  department('103', 'Family Support Team 1', '101'),
  department('104', 'Child Protection Team 2', '101'),
  department('105', 'Children in Care Team 1', '102'),
  department('106', null, 'GONE'),
];

const input = (over: Partial<UnmappedTeamsInput> = {}): UnmappedTeamsInput => ({
  departments: DEPARTMENTS,
  involvements: [
    allocation('P1', '104'),
    allocation('P2', '104'),
    // A child counted once for a team, however many allocations to it are in force.
    allocation('P2', '104'),
    allocation('P3', '105'),
    allocation('P4', '103'),
    // Not counted: ended, not started yet, another role, no team.
    allocation('P5', '105', { invo_involvement_end_date: '2026-05-01 17:00:00' }),
    allocation('P6', '105', { invo_involvement_start_date: '2026-07-01' }),
    allocation('P7', '105', { invo_professional_role_id: 'Independent Reviewing Officer' }),
    allocation('P8', null),
  ],
  teams: [{ code: 'FAMILY-SUPPORT-1', sourceId: '103' }, { code: 'LOCALITY-NORTH' }],
  allocatedWorkerRoles: ['allocated  case worker'],
  at: AT,
  ...over,
});

describe('unmappedTeams', () => {
  it('lists each department no team has as its source id, with its name, service area and children allocated now, most children first', () => {
    const found = unmappedTeams(input());
    expect(found.map((t) => [t.teamId, t.name, t.parentId, t.parentName, t.children])).toEqual([
      ['104', 'Child Protection Team 2', '101', 'Safeguarding and Family Support', 2],
      ['105', 'Children in Care Team 1', '102', 'Children in Care', 1],
      // No children: by name, a department without a name last.
      ['102', 'Children in Care', '100', "Children's Services", 0],
      ['100', "Children's Services", null, null, 0],
      ['101', 'Safeguarding and Family Support', '100', "Children's Services", 0],
      ['106', null, 'GONE', null, 0],
    ]);
    expect(found[0]!.suggestion).toEqual({ code: 'CHILD-PROTECTION-TEAM-2', name: 'Child Protection Team 2', serviceArea: 'Safeguarding and Family Support', sourceId: '104' });
    // Nothing known is left blank for the administrator, never made up.
    expect(found[5]!.suggestion).toEqual({ code: 'TEAM-106', name: '', serviceArea: '', sourceId: '106' });
  });

  it('lists nothing once every department is a team, and counts a child moved to a listed team no longer', () => {
    const all = DEPARTMENTS.map((d, i) => ({ code: `T${i}`, sourceId: d.dept_team_id }));
    expect(unmappedTeams(input({ teams: all }))).toEqual([]);
    const moved = input({ involvements: [allocation('P1', '104', { invo_involvement_end_date: '2026-03-01' }), allocation('P1', '103', { invo_involvement_start_date: '2026-03-01' })] });
    expect(unmappedTeams(moved).find((t) => t.teamId === '104')?.children).toBe(0);
  });

  it('never suggests a code the directory has, nor one code twice', () => {
    const twins = [department('201', 'Edge of Care Team', null), department('202', 'Edge of Care Team', null), department('203', 'Locality North', null)];
    const found = unmappedTeams(input({ departments: twins, involvements: [allocation('P1', '202')] }));
    expect(found.map((t) => [t.teamId, t.suggestion.code])).toEqual([
      ['202', 'EDGE-OF-CARE-TEAM'],
      ['201', 'EDGE-OF-CARE-TEAM-201'],
      ['203', 'LOCALITY-NORTH-203'],
    ]);
  });
});

describe('the suggested team code', () => {
  it('is the name in capitals with dashes for anything but letters and digits', () => {
    expect(teamCodeOfName('Child Protection Team 2')).toBe('CHILD-PROTECTION-TEAM-2');
    expect(teamCodeOfName("  Children's Services (North) ")).toBe('CHILDREN-S-SERVICES-NORTH');
    expect(teamCodeOfName('Équipe Sûre')).toBe('EQUIPE-SURE');
    expect(teamCodeOfName('---')).toBe('');
  });

  it('is a valid team code however long the name and id, and the id follows a code already taken', () => {
    const long = 'Safeguarding and Family Support Team for the North and East Localities';
    const code = suggestedTeamCode(long, 'D'.repeat(48), new Set());
    expect(code).toBe('SAFEGUARDING-AND-FAMILY-SUPPORT-TEAM-FOR-THE-NOR');
    expect(code).toMatch(/^[A-Z0-9][A-Z0-9-]*[A-Z0-9]$/);
    const taken = suggestedTeamCode(long, 'D'.repeat(48), new Set([code]));
    expect(taken.length).toBeLessThanOrEqual(64);
    expect(taken.endsWith('D'.repeat(48))).toBe(true);
    expect(suggestedTeamCode(null, '7', new Set())).toBe('TEAM-7');
    expect(suggestedTeamCode('Permanence Team', '7', new Set(['PERMANENCE-TEAM', 'PERMANENCE-TEAM-7']))).toBe('PERMANENCE-TEAM-7-2');
  });
});

describe("a department's name as read", () => {
  it('is one line of at most 200 characters, and a name that is no text is none: the row itself is never refused for its name', () => {
    const read = (name: unknown) => DepartmentRow.parse({ dept_team_id: '300', dept_team_name: name, dept_team_parent_id: null }).dept_team_name;
    expect(read('  Permanence\r\nTeam\t1 ')).toBe('Permanence Team 1');
    expect(read('x'.repeat(500))).toHaveLength(200);
    expect(read('   ')).toBeNull();
    expect(read(42)).toBeNull();
    expect(read(undefined)).toBeNull();
  });
});
