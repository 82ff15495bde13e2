/**
 * One name per obligation, wherever it is shown: the title the case's policy gives it, as `show`,
 * the emails, the case list and the case page's obligations already call it. An open obligation
 * carries that title, and the case record keeps it with each outcome (met, waived); otherwise it is
 * named from the policy the case counts under, by the rule for its kind as it stood when the
 * obligation was triggered; the kind's label
 * (domain/labels.ts) only where neither is known. Timelines, acknowledgements and the command
 * line's answers all name obligations through `obligationNamer`, so none of them says "Initial
 * visit (high and immediate risk)" of what the rest calls "Visit within 24 hours".
 * Pure and free of zod, like domain/policy-rules.ts.
 */
import { kindLabel, kindOfObligation, OBLIGATION_KIND_LABELS } from './labels';
import type { ObligationKind } from './kinds';
import type { RuleSource } from './policy';
import { resolveRule } from './policy-rules';

export interface KnownObligations {
  /** Obligations with the title the case gave them: its open ones, and those its record holds outcomes of. */
  titled?: ReadonlyArray<{ id: string; title: string }>;
  /** The policy the case counts under, when it is known. */
  policy?: RuleSource;
}

/** `kit-call@2026-03-20T10:00:00Z` → the instant it was triggered, when its id carries one. */
function triggeredAt(obligationId: string): string | undefined {
  return obligationId
    .split('@')
    .slice(1)
    .find((part) => /^\d{4}-\d{2}-\d{2}T/.test(part) && !Number.isNaN(Date.parse(part)));
}

const isKind = (k: string): k is ObligationKind => Object.prototype.hasOwnProperty.call(OBLIGATION_KIND_LABELS, k);

/** The policy's title for a kind (at `at`, else its baseline's), or undefined when the policy has no rule for it. */
function policyTitle(policy: RuleSource | undefined, kind: ObligationKind, at: string | undefined): string | undefined {
  if (!policy) return undefined;
  if (at !== undefined) {
    const rule = resolveRule(policy, kind, at);
    if (rule.title) return rule.title;
  }
  return policy.baseline[kind]?.title;
}

/**
 * Names obligations by id (or by kind alone, for a message that names no obligation): the title
 * the case gave it, else the policy's title for its kind, else the kind's label.
 */
export function obligationNamer(known: KnownObligations): (obligationIdOrKind: string, kind?: string) => string {
  const titles = new Map((known.titled ?? []).map((o) => [o.id, o.title] as const));
  return (idOrKind, kindGiven) => {
    const open = titles.get(idOrKind);
    if (open !== undefined) return open;
    const kind = kindGiven ?? kindOfObligation(idOrKind) ?? idOrKind;
    if (!isKind(kind)) return kindLabel(kind);
    return policyTitle(known.policy, kind, triggeredAt(idOrKind)) ?? kindLabel(kind);
  };
}
