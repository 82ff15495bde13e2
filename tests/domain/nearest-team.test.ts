/**
 * The team directory's check, in process (common/teams.ts): a team it does not list is refused
 * with the nearest known team when the typed one is a slip of it ("did you mean LOCALITY-NORTH?"),
 * and with no guess when nothing is near.
 */
import { describe, expect, it } from 'vitest';
import { ANY_TEAM, editDistance, nearestTeam, teamProblem, unknownTeam } from '../../common/teams';

const CODES = ['LOCALITY-NORTH', 'LOCALITY-SOUTH', 'CHILD-PROTECTION-1', 'CIC', 'EDT'];
const KNOWN = { listed: true as const, codes: CODES };

describe('nearestTeam', () => {
  it.each([
    ['LOCALITY-NROTH', 'LOCALITY-NORTH'], // two letters swapped
    ['LOCALITY-NRTH', 'LOCALITY-NORTH'], // one left out
    ['LOCALITY-NORTHH', 'LOCALITY-NORTH'], // one too many
    ['locality-north', 'LOCALITY-NORTH'], // lower case
    ['LOCALITY_SOUTH', 'LOCALITY-SOUTH'],
    ['LOCALITY-SUOTH', 'LOCALITY-SOUTH'],
    ['CHILD-PROTECTION-2', 'CHILD-PROTECTION-1'],
    ['CIV', 'CIC'], // a short code: one edit
    ['LOCALITY-EAST', undefined], // another team, not a slip
    ['LOCALITY-NOWHERE', undefined],
    ['CICS-X', undefined], // two edits from a three-letter code is no slip
    ['ZZZ', undefined],
  ])('%s → %s', (typed, nearest) => {
    expect(nearestTeam(CODES, typed)).toBe(nearest);
  });

  it('prefers the nearer of two near codes', () => {
    expect(nearestTeam(['LOCALITY-NORTH', 'LOCALITY-NORTH-2'], 'LOCALITY-NORTH-2X')).toBe('LOCALITY-NORTH-2');
  });
});

describe('editDistance', () => {
  it.each([
    ['', '', 0],
    ['ABC', 'ABC', 0],
    ['ABC', 'ACB', 1],
    ['ABC', 'AC', 1],
    ['ABC', 'XYZ', 3],
    ['KITTEN', 'SITTING', 3],
  ])('%s, %s: %i', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
    expect(editDistance(b, a)).toBe(d);
  });

  it('gives up past its limit, with any answer over it', () => {
    expect(editDistance('A'.repeat(40), 'B'.repeat(40), 2)).toBe(3);
    expect(editDistance('SHORT', 'A-MUCH-LONGER-CODE', 2)).toBe(3);
  });
});

describe('the refusal', () => {
  it.each([
    [
      'LOCALITY-NROTH',
      'is not a team in the team directory: did you mean LOCALITY-NORTH? (known teams: LOCALITY-NORTH, LOCALITY-SOUTH, CHILD-PROTECTION-1, CIC, EDT); an administrator adds a team at /admin/teams or with caseclock teams set',
    ],
    ['LOCALITY-EAST', 'is not a team in the team directory (known teams: LOCALITY-NORTH, LOCALITY-SOUTH, CHILD-PROTECTION-1, CIC, EDT); an administrator adds a team at /admin/teams or with caseclock teams set'],
  ])('%s', (typed, says) => {
    expect(unknownTeam(KNOWN, typed)).toBe(says);
    expect(teamProblem(KNOWN, typed)).toBe(`${typed} ${says}`);
  });

  it('a listed team, and any team while the directory lists none, are accepted', () => {
    expect(unknownTeam(KNOWN, 'LOCALITY-NORTH')).toBeUndefined();
    expect(unknownTeam(ANY_TEAM, 'LOCALITY-NROTH')).toBeUndefined();
    // Exactly as listed: a lower-case code is suggested, not taken.
    expect(unknownTeam(KNOWN, 'locality-north')).toMatch(/did you mean LOCALITY-NORTH\?/);
  });
});
