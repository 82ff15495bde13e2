/**
 * Policy versions by reference (Node side: hashing and reading the library's files). A case
 * started with a shipped policy version carries `{ id, version, sha256 }` instead of the whole
 * snapshot; the workflow finds the snapshot in the policy library (domain/policy-library.ts).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { canonicalJson } from './canonical-json';
import type { PolicySnapshot } from './policy';
import { FROZEN_POLICIES } from './policies/frozen';
import type { PolicyRef } from './policy-library';

export const FROZEN_DIR = path.join(__dirname, 'policies', 'frozen');

/** The SHA-256 of a snapshot's canonical JSON: what names its content. */
export function policyVersionHash(snapshot: PolicySnapshot): string {
  return createHash('sha256').update(canonicalJson(snapshot)).digest('hex');
}

/** The library's reference for this exact snapshot, or undefined (a policy of the council's own, say). */
export function policyRefFor(snapshot: PolicySnapshot): PolicyRef | undefined {
  const sha256 = policyVersionHash(snapshot);
  const entry = FROZEN_POLICIES.find((p) => p.id === snapshot.id && p.version === snapshot.version && p.sha256 === sha256);
  return entry ? { id: entry.id, version: entry.version, sha256 } : undefined;
}

/** Every frozen version as read from its file, with the hash index.ts gives it. */
export function frozenPolicyFiles(): Array<{ file: string; snapshot: PolicySnapshot; sha256: string }> {
  const listed = new Map(FROZEN_POLICIES.map((p) => [`${p.id}@${p.version}.json`, p.sha256]));
  return readdirSync(FROZEN_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((file) => ({ file, snapshot: JSON.parse(readFileSync(path.join(FROZEN_DIR, file), 'utf8')) as PolicySnapshot, sha256: listed.get(file) ?? '(not listed)' }));
}
