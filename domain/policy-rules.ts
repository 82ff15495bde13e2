/**
 * Resolving a policy's rule for a kind at an instant: the baseline with the overlays in force
 * merged over it. Kept apart from domain/policy.ts (the policy file schemas), since the engine
 * runs inside workflows, whose modules stay free of zod.
 */
import { localDateOf } from './durations';
import type { ObligationKind } from './kinds';
import type { Overlay, ResolvedRule, Rule, RuleSource } from './policy';

/** Whether an overlay is in force on a Europe/London date ('YYYY-MM-DD'). */
export function overlayInForce(overlay: Overlay, localDate: string): boolean {
  return overlay.startDate <= localDate && (overlay.endDate === undefined || localDate <= overlay.endDate);
}

/**
 * The rule for `kind` in force at `atInstant`: the baseline with every overlay in force on that
 * instant's Europe/London date merged over it, in order (a later overlay wins). A field an overlay
 * gives replaces the baseline's whole field; a rule an overlay changes without giving its own
 * basis takes the overlay's basis.
 */
export function resolveRule(policy: RuleSource, kind: ObligationKind, atInstant: string): ResolvedRule {
  return resolveRuleOnDate(policy, kind, localDateOf(atInstant));
}

/** As resolveRule, for a Europe/London date. */
export function resolveRuleOnDate(policy: RuleSource, kind: ObligationKind, localDate: string): ResolvedRule {
  const base: Rule | undefined = policy.baseline[kind];
  // A kind added after this version was frozen: off under it (a later version brings it).
  if (base === undefined) return { ...absentRule(kind), kind, enabled: false, policyId: policy.id, policyVersion: policy.version, overlayIds: [] };
  let rule: Rule = base;
  const overlayIds: string[] = [];
  for (const overlay of policy.overlays) {
    const change = overlay.rules[kind] as Partial<Rule> | undefined;
    if (!change || !overlayInForce(overlay, localDate)) continue;
    rule = { ...rule, ...stripUndefined(change), basis: change.basis ?? overlay.basis };
    overlayIds.push(overlay.id);
  }
  return { ...rule, kind, enabled: rule.enabled !== false, policyId: policy.id, policyVersion: policy.version, overlayIds };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function absentRule(kind: ObligationKind): Rule {
  return {
    title: kind,
    trigger: 'not in this policy version',
    deadline: { workingDays: 1 },
    direction: 'after-trigger',
    basis: { type: 'local-protocol', reference: 'not in this policy version' },
    reminders: [],
    escalation: [],
  };
}
