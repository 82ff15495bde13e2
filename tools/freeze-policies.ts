/**
 * Freezes each shipped policy version (domain/policies/*.json) into the policy library that
 * workflows share (domain/policies/frozen/): the snapshot a case starts with, as JSON, and its
 * SHA-256, listed in domain/policies/frozen/index.ts. A case then starts with the version's id and
 * hash instead of a 20 KiB copy, and every cached case shares one copy of it.
 *
 *   npx tsx tools/freeze-policies.ts          # add the versions not frozen yet
 *   npx tsx tools/freeze-policies.ts --check  # only check (tests/domain/policy-library.test.ts)
 *
 * A frozen version never changes: a policy file whose content differs from its frozen version
 * under the same id and version is refused, naming the file; give the change a new version.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { frozenPolicyFiles, FROZEN_DIR, policyVersionHash } from '../domain/policy-refs';
import { loadShippedPolicy, SHIPPED_POLICY_DIR } from '../domain/policy-loader';
import { snapshotPolicy } from '../domain/policy';
import { WorkingDayCalendar } from '../domain/calendar';

export function shippedSnapshots() {
  return readdirSync(SHIPPED_POLICY_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => {
      const policy = loadShippedPolicy(file.replace(/\.json$/, ''));
      const snapshot = snapshotPolicy(policy, WorkingDayCalendar.englandAndWales(policy.extraBankHolidays));
      return { file, snapshot, sha256: policyVersionHash(snapshot) };
    });
}

/** What `--check` finds wrong (empty when the library is complete and unchanged). */
export function libraryProblems(): string[] {
  const frozen = frozenPolicyFiles();
  const problems: string[] = [];
  for (const f of frozen) {
    if (policyVersionHash(f.snapshot) !== f.sha256) problems.push(`${f.file}: its content no longer matches its hash in index.ts: a frozen version never changes`);
  }
  for (const { file, snapshot, sha256 } of shippedSnapshots()) {
    const same = frozen.find((f) => f.snapshot.id === snapshot.id && f.snapshot.version === snapshot.version);
    if (!same) problems.push(`${file}: version ${snapshot.version} is not frozen yet (run npx tsx tools/freeze-policies.ts)`);
    else if (same.sha256 !== sha256) problems.push(`${file}: differs from the frozen ${snapshot.id}@${snapshot.version}: give the change a new version`);
  }
  return problems;
}

function writeIndex(entries: Array<{ id: string; version: string; sha256: string; file: string }>): void {
  const lines = entries
    .sort((a, b) => a.file.localeCompare(b.file))
    .map((e) => `  { id: ${JSON.stringify(e.id)}, version: ${JSON.stringify(e.version)}, sha256: ${JSON.stringify(e.sha256)}, snapshot: require(${JSON.stringify(`./${e.file}`)}) as PolicySnapshot },`);
  writeFileSync(
    path.join(FROZEN_DIR, 'index.ts'),
    `/**
 * The policy library: every frozen policy version, by id, version and SHA-256 of its canonical
 * JSON. Written by tools/freeze-policies.ts; never edit by hand. Workflow-safe (static
 * requires of JSON only), and shared by every workflow (worker/workflow-bundle.ts).
 */
import type { PolicySnapshot } from '../../policy';

export const FROZEN_POLICIES: ReadonlyArray<{ id: string; version: string; sha256: string; snapshot: PolicySnapshot }> = [
${lines.join('\n')}
];
`,
  );
}

function main(): void {
  if (process.argv.includes('--check')) {
    const problems = libraryProblems();
    for (const p of problems) process.stderr.write(`policy library: ${p}\n`);
    process.exit(problems.length === 0 ? 0 : 1);
  }
  const frozen = frozenPolicyFiles();
  const entries = frozen.map((f) => ({ id: f.snapshot.id, version: f.snapshot.version, sha256: f.sha256, file: f.file }));
  for (const { file, snapshot, sha256 } of shippedSnapshots()) {
    const same = entries.find((e) => e.id === snapshot.id && e.version === snapshot.version);
    if (same && same.sha256 !== sha256) {
      process.stderr.write(`policy library: ${file} differs from the frozen ${snapshot.id}@${snapshot.version}: give the change a new version\n`);
      process.exit(1);
    }
    if (same) continue;
    const name = `${snapshot.id}@${snapshot.version}.json`;
    writeFileSync(path.join(FROZEN_DIR, name), `${JSON.stringify(snapshot, null, 1)}\n`);
    entries.push({ id: snapshot.id, version: snapshot.version, sha256, file: name });
    process.stdout.write(`froze ${name} (${sha256.slice(0, 12)}…)\n`);
  }
  writeIndex(entries);
}

if (require.main === module) main();
