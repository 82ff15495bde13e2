/**
 * The policy library inside workflows: frozen policy versions by id, version and content hash
 * (domain/policies/frozen/, written by tools/freeze-policies.ts). Zod-free and pure, and
 * shared by every workflow (worker/workflow-bundle.ts), so a thousand cached cases on one version
 * hold one copy of it.
 */
import type { PolicySnapshot } from './policy';
import { FROZEN_POLICIES } from './policies/frozen';

/** A frozen policy version: what a case carries instead of the snapshot itself. */
export interface PolicyRef {
  id: string;
  version: string;
  /** SHA-256 of the snapshot's canonical JSON: the content, not just the name. */
  sha256: string;
}

/**
 * The snapshot a reference names. Throws when this worker's library lacks it (a worker older than
 * the case): the workflow task then fails and is retried, and a worker that has it runs the case.
 */
export function frozenPolicy(ref: PolicyRef): PolicySnapshot {
  const entry = FROZEN_POLICIES.find((p) => p.id === ref.id && p.version === ref.version);
  if (!entry) throw new Error(`policy ${ref.id}@${ref.version} is not in this worker's policy library`);
  if (entry.sha256 !== ref.sha256) {
    throw new Error(`policy ${ref.id}@${ref.version} in this worker's library is not the content the case started with (hash ${ref.sha256.slice(0, 12)}…)`);
  }
  return entry.snapshot;
}
