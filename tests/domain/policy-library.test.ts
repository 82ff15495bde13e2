/**
 * The policy library: every shipped policy version frozen, by id, version and content hash; a
 * case started on one carries the reference, and a reference is honoured only for the exact
 * content it names.
 */
import { describe, expect, it } from 'vitest';
import { loadDefaultSnapshot } from '../../domain/policy-loader';
import { frozenPolicy } from '../../domain/policy-library';
import { policyRefFor, policyVersionHash } from '../../domain/policy-refs';
import { libraryProblems } from '../../tools/freeze-policies';

describe('the policy library', () => {
  it('holds every shipped policy version, each unchanged since it was frozen', () => {
    expect(libraryProblems()).toEqual([]);
  });

  it('names the national baseline by id, version and hash, and gives back the same snapshot', () => {
    const snapshot = loadDefaultSnapshot();
    const ref = policyRefFor(snapshot);
    expect(ref).toEqual({ id: 'national', version: snapshot.version, sha256: policyVersionHash(snapshot) });
    expect(frozenPolicy(ref!)).toEqual(snapshot);
    expect(JSON.stringify(ref).length).toBeLessThan(200);
  });

  it('a snapshot changed under the same version is not the library version: it travels whole', () => {
    const snapshot = loadDefaultSnapshot();
    const changed = { ...snapshot, bankHolidays: snapshot.bankHolidays.slice(1) };
    expect(policyRefFor(changed)).toBeUndefined();
  });

  it('refuses a reference whose content this library does not hold', () => {
    const ref = policyRefFor(loadDefaultSnapshot())!;
    expect(() => frozenPolicy({ ...ref, sha256: '0'.repeat(64) })).toThrow(/is not the content the case started with/);
    expect(() => frozenPolicy({ ...ref, version: '1999.1' })).toThrow(/policy national@1999\.1 is not in this worker's policy library/);
  });
});
