/**
 * The national policy with chosen clocks counted in seconds, for tests on the real dev server,
 * where time cannot be skipped: a deadline passes in the test's own real time.
 */
import type { ObligationKind } from '../../domain/kinds';
import type { EscalationStep, PolicySnapshot, Rule } from '../../domain/policy';
import { loadDefaultSnapshot } from '../../domain/policy-loader';

/**
 * `deadlines` maps each kind to its new deadline (e.g. PT3S); those kinds send no reminders and,
 * when `escalation` is given, escalate along it instead of the national ladder.
 */
export function secondsPolicy(deadlines: Partial<Record<ObligationKind, string>>, escalation?: EscalationStep[]): PolicySnapshot {
  const policy = loadDefaultSnapshot();
  policy.version = `${policy.version}+seconds`;
  // Each kind's rule has its own schema; here only the fields every rule shares change.
  const rules = policy.baseline as Record<ObligationKind, Rule>;
  for (const [kind, duration] of Object.entries(deadlines) as Array<[ObligationKind, string]>) {
    rules[kind] = {
      ...rules[kind],
      deadline: { duration },
      reminders: [],
      ...(escalation ? { escalation } : {}),
    };
  }
  return policy;
}

/** Level 1 to the team manager at the deadline; level 2 far enough off not to arrive in a test. */
export const LEVEL_1_ONLY: EscalationStep[] = [
  { level: 1, role: 'team-manager', after: 'PT0S' },
  { level: 2, role: 'head-of-service', after: 'PT1H', repeatEvery: 'PT24H' },
];
