/**
 * The policy a case counts under, as the console shows it, and its dated local protocols
 * (overlays) as they stand today.
 *
 * A case names its policy by version only (`CaseState.policyVersion`: the last version applied,
 * else the one it started with), so the snapshot is found by that version in the policy library
 * (domain/policies/frozen/, every shipped version) or, for a council's own policy file, in the
 * configured default (CASECLOCK_POLICY). A version found nowhere, or under more than one policy
 * id, is said so: its overlays are never guessed.
 *
 * Administrators are told of cases whose policy has an overlay still in force past its review
 * date (`pastReview`): no search attribute carries a case's policy, so `readCasePolicies` reads it
 * as the daily digest reads its cases: the visibility listing, then each case's state query.
 */
import type { Client } from '@temporalio/client';
import { localDateOf } from '../../domain/durations';
import type { Overlay, PolicySnapshot } from '../../domain/policy';
import { FROZEN_POLICIES } from '../../domain/policies/frozen';
import { overlayInForce } from '../../domain/policy-rules';
import { stateQuery, TASK_QUEUE } from '../../workflows/messages';
import { policySnapshotFor } from '../actions/case-actions';

/** Where an overlay stands on a date: not yet in force, in force, in force past its review date (no end date set), or ended. */
export type OverlayStanding = 'not-yet' | 'in-force' | 'past-review' | 'ended';

/** Today's Europe/London date ('YYYY-MM-DD'), as overlays are dated. */
export function londonToday(now: Date = new Date()): string {
  return localDateOf(now.toISOString());
}

export function overlayStanding(overlay: Overlay, today: string): OverlayStanding {
  if (overlayInForce(overlay, today)) return isPastReview(overlay, today) ? 'past-review' : 'in-force';
  return today < overlay.startDate ? 'not-yet' : 'ended';
}

/** In force with no end date, and its review date has passed: someone should decide whether it ends. */
function isPastReview(overlay: Overlay, today: string): boolean {
  return overlay.endDate === undefined && overlay.reviewDate !== undefined && overlay.reviewDate < today && overlayInForce(overlay, today);
}

/** The overlays of a policy in force past their review date on `today`. */
export function pastReview(snapshot: PolicySnapshot, today: string): Overlay[] {
  return snapshot.overlays.filter((o) => isPastReview(o, today));
}

/**
 * The configured default policy file (CASECLOCK_POLICY) as a snapshot, for a case on a council's
 * own policy version that the library does not hold: read only when asked, so a changed file is
 * read as it is now.
 */
export function configuredSnapshot(file: string | undefined): () => PolicySnapshot | undefined {
  return () => (file === undefined ? undefined : policySnapshotFor('default', file));
}

/** What the console knows of the policy version a case reports. */
export type CasePolicy =
  | { found: 'one'; snapshot: PolicySnapshot; source: 'library' | 'configured' }
  | { found: 'none'; version: string }
  | { found: 'several'; version: string; ids: string[] };

/**
 * The policy a case counts under, from the version it reports ("2020.06", or "id@version"): the
 * library's versions first, then `configured()` (the configured default policy file, read only
 * when the library has no such version; a file that cannot be read counts as not found).
 */
export function casePolicy(version: string, configured?: () => PolicySnapshot | undefined): CasePolicy {
  const names = (p: { id: string; version: string }) => p.version === version || `${p.id}@${p.version}` === version;
  const library = FROZEN_POLICIES.filter(names);
  if (library.length === 1) return { found: 'one', snapshot: library[0]!.snapshot, source: 'library' };
  if (library.length > 1) return { found: 'several', version, ids: library.map((p) => p.id).sort() };
  let own: PolicySnapshot | undefined;
  try {
    own = configured?.();
  } catch {
    own = undefined;
  }
  return own && names(own) ? { found: 'one', snapshot: own, source: 'configured' } : { found: 'none', version };
}

/** What the open cases report as their policy version. */
export interface CasePolicies {
  /** Policy version → the open cases that count under it, by case id. */
  byVersion: Map<string, string[]>;
  /** Cases read. */
  read: number;
  /** Cases that did not answer their state query in time (no worker, or a busy one). */
  unreadable: number;
  /** Cases listed but not asked, because the page ran out of time. */
  notAsked: number;
}

/**
 * The policy version every open case on `taskQueue` counts under: the visibility listing, then
 * each case's state query, `concurrency` at a time, each within `queryTimeoutMs`, none started
 * after `budgetMs` (what was not read is counted, never silently left out).
 */
export async function readCasePolicies(
  client: Client,
  options: { taskQueue?: string; concurrency?: number; queryTimeoutMs?: number; budgetMs?: number; listTimeoutMs?: number } = {},
): Promise<CasePolicies> {
  const taskQueue = (options.taskQueue ?? TASK_QUEUE).replace(/['\\]/g, '');
  const concurrency = options.concurrency ?? 8;
  const queryTimeoutMs = options.queryTimeoutMs ?? 10_000;
  const stopAt = Date.now() + (options.budgetMs ?? 60_000);
  const ids: string[] = [];
  const query = `WorkflowType = 'caseWorkflow' AND ExecutionStatus = 'Running' AND TaskQueue = '${taskQueue}'`;
  await client.withDeadline(Date.now() + (options.listTimeoutMs ?? 20_000), async () => {
    for await (const wf of client.workflow.list({ query })) ids.push(wf.workflowId);
  });
  const byVersion = new Map<string, string[]>();
  let read = 0;
  let unreadable = 0;
  let notAsked = 0;
  let next = 0;
  const readOne = async (workflowId: string): Promise<void> => {
    try {
      const state = await client.withDeadline(Date.now() + queryTimeoutMs, () => client.workflow.getHandle(workflowId).query(stateQuery));
      read++;
      if (state.status !== 'open' || state.subject !== 'case') return;
      const cases = byVersion.get(state.policyVersion) ?? [];
      cases.push(state.caseId);
      byVersion.set(state.policyVersion, cases);
    } catch {
      unreadable++;
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(concurrency, ids.length) }, async () => {
      while (next < ids.length) {
        const id = ids[next++]!;
        if (Date.now() >= stopAt) notAsked++;
        else await readOne(id);
      }
    }),
  );
  for (const cases of byVersion.values()) cases.sort();
  return { byVersion, read, unreadable, notAsked };
}

/** One overlay in force past its review date, with the open cases that count under its policy version. */
export interface ReviewDue {
  policy: { id: string; version: string; name: string };
  overlay: Overlay;
  caseIds: string[];
}

/**
 * From what the cases report: each overlay in force past its review date on `today`, with its
 * cases (by policy, then overlay), and the versions the console could not resolve.
 */
export function reviewsDue(
  byVersion: ReadonlyMap<string, readonly string[]>,
  today: string,
  configured?: () => PolicySnapshot | undefined,
): { due: ReviewDue[]; unresolved: Array<{ version: string; caseIds: string[]; why: string }> } {
  const due = new Map<string, ReviewDue>();
  const unresolved: Array<{ version: string; caseIds: string[]; why: string }> = [];
  for (const [version, caseIds] of byVersion) {
    const policy = casePolicy(version, configured);
    if (policy.found !== 'one') {
      unresolved.push({ version, caseIds: [...caseIds], why: policy.found === 'none' ? 'not in the policy library' : `more than one policy has this version (${policy.ids.join(', ')})` });
      continue;
    }
    const { id, version: v, name } = policy.snapshot;
    for (const overlay of pastReview(policy.snapshot, today)) {
      const key = `${id}@${v}#${overlay.id}`;
      const entry = due.get(key) ?? { policy: { id, version: v, name }, overlay, caseIds: [] };
      entry.caseIds.push(...caseIds);
      due.set(key, entry);
    }
  }
  const sorted = [...due.values()].sort((a, b) => `${a.policy.id}@${a.policy.version}`.localeCompare(`${b.policy.id}@${b.policy.version}`) || a.overlay.name.localeCompare(b.overlay.name));
  for (const d of sorted) d.caseIds.sort();
  return { due: sorted, unresolved: unresolved.sort((a, b) => a.version.localeCompare(b.version)) };
}
