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
 * Administrators are told of a case whose policy has an overlay still in force past its review
 * date on the case's page, and of every such protocol in the policies the console knows on
 * /admin/protocols (`protocolsPastReview`), which reads no case.
 */
import { localDateOf } from '../../domain/durations';
import type { Overlay, PolicySnapshot } from '../../domain/policy';
import { FROZEN_POLICIES } from '../../domain/policies/frozen';
import { overlayInForce } from '../../domain/policy-rules';
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
export type CasePolicy = { found: 'one'; snapshot: PolicySnapshot; source: 'library' | 'configured' } | { found: 'none'; version: string } | { found: 'several'; version: string; ids: string[] };

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

/** One local protocol in force past its review date, in one policy version. */
export interface ReviewDue {
  policy: { id: string; version: string; name: string };
  overlay: Overlay;
  source: 'library' | 'configured';
}

/**
 * Every local protocol in force past its review date on `today`, in the policy library (every
 * version shipped) and the configured policy file, by policy then protocol. Read from the
 * policies alone: no case is asked (each case that counts under one says so on its own page).
 */
export function protocolsPastReview(today: string, configured?: () => PolicySnapshot | undefined): ReviewDue[] {
  const due: ReviewDue[] = [];
  const add = (snapshot: PolicySnapshot, source: ReviewDue['source']) => {
    for (const overlay of pastReview(snapshot, today)) due.push({ policy: { id: snapshot.id, version: snapshot.version, name: snapshot.name }, overlay, source });
  };
  for (const entry of FROZEN_POLICIES) add(entry.snapshot, 'library');
  let own: PolicySnapshot | undefined;
  try {
    own = configured?.();
  } catch {
    own = undefined;
  }
  if (own && !FROZEN_POLICIES.some((p) => p.id === own.id && p.version === own.version)) add(own, 'configured');
  return due.sort((a, b) => `${a.policy.id}@${a.policy.version}`.localeCompare(`${b.policy.id}@${b.policy.version}`) || a.overlay.name.localeCompare(b.overlay.name));
}
