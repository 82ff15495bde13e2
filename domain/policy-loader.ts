/**
 * Reads policy files from disk and validates them (the only file in domain/ allowed to do I/O;
 * never import it from workflow code: workflows receive a PolicySnapshot instead).
 *
 * A file with a mistake is refused with one message naming the file, the field path and the
 * reason, e.g. `policy file x.json: rules.kit-call.deadline.duration: must be an ISO-8601 duration such as P14D`.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { WorkingDayCalendar } from './calendar';
import { policyFromDocument, PolicyError, snapshotPolicy, type Policy, type PolicySnapshot } from './policy';

/** Where the shipped policy files live. */
export const SHIPPED_POLICY_DIR = path.join(__dirname, 'policies');
export const DEFAULT_POLICY_FILE = path.join(SHIPPED_POLICY_DIR, 'national.json');

function readJson(file: string, shownAs: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : 'cannot be read';
    throw new PolicyError(shownAs, [reason]);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new PolicyError(shownAs, [`not valid JSON (${err instanceof Error ? err.message : String(err)})`]);
  }
}

/**
 * Loads and validates a policy file. A file that `"extends": "<id>"` another has it read from
 * `<id>.json` in the same folder (or, failing that, from the shipped policies).
 * Throws PolicyError (one-line message) when anything is wrong.
 */
export function loadPolicyFile(file: string): Policy {
  const dir = path.dirname(path.resolve(file));
  const loadParent = (id: string) => {
    const candidates = [path.join(dir, `${id}.json`), path.join(SHIPPED_POLICY_DIR, `${id}.json`)];
    const found = candidates.find((candidate) => {
      try {
        readFileSync(candidate);
        return true;
      } catch {
        return false;
      }
    });
    const chosen = found ?? candidates[0] ?? `${id}.json`;
    return { raw: readJson(chosen, `${id}.json`), source: `${id}.json` };
  };
  return policyFromDocument(readJson(file, file), file, loadParent);
}

/** The national baseline shipped with CaseClock. */
export function loadDefaultPolicy(): Policy {
  return loadPolicyFile(DEFAULT_POLICY_FILE);
}

/** The national baseline frozen with the shipped bank holidays (plus its extras): what a new case starts with. */
export function loadDefaultSnapshot(): PolicySnapshot {
  return loadCaseSnapshot(undefined);
}

/** The policy a new case is frozen with: a policy file, else the national baseline, with the England and Wales bank holidays (plus the policy's extras). */
export function loadCaseSnapshot(file: string | undefined): PolicySnapshot {
  const policy = file === undefined ? loadDefaultPolicy() : loadPolicyFile(file);
  return snapshotPolicy(policy, WorkingDayCalendar.englandAndWales(policy.extraBankHolidays));
}

/** A shipped policy by id, e.g. 'national' or 'worcestershire-phase2'. */
export function loadShippedPolicy(id: string): Policy {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(id)) throw new PolicyError(`${id}.json`, ['not a shipped policy id']);
  return loadPolicyFile(path.join(SHIPPED_POLICY_DIR, `${id}.json`));
}

export { PolicyError };
