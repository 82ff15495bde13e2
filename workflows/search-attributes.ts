/**
 * Custom search attributes: what the console and the Temporal Web UI filter cases by.
 * They hold no personal data: a tier, a team code, a status, an instant and a count.
 */
import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair, type TypedSearchAttributes } from '@temporalio/common';

export const RiskTierAttribute = defineSearchAttributeKey('CaseClockRiskTier', SearchAttributeType.KEYWORD);
export const TeamAttribute = defineSearchAttributeKey('CaseClockTeam', SearchAttributeType.KEYWORD);
export const StatusAttribute = defineSearchAttributeKey('CaseClockStatus', SearchAttributeType.KEYWORD);
export const NextDueAtAttribute = defineSearchAttributeKey('CaseClockNextDueAt', SearchAttributeType.DATETIME);
export const OverdueCountAttribute = defineSearchAttributeKey('CaseClockOverdueCount', SearchAttributeType.INT);

/** Every custom attribute, for registering them with a server (`temporal ... --search-attribute`). */
export const CASECLOCK_SEARCH_ATTRIBUTES = [RiskTierAttribute, TeamAttribute, StatusAttribute, NextDueAtAttribute, OverdueCountAttribute] as const;

/** The CLI's names for attribute types, as `temporal operator search-attribute create --type` takes them. */
export const CLI_TYPE_NAMES: Record<SearchAttributeType, string> = {
  [SearchAttributeType.TEXT]: 'Text',
  [SearchAttributeType.KEYWORD]: 'Keyword',
  [SearchAttributeType.INT]: 'Int',
  [SearchAttributeType.DOUBLE]: 'Double',
  [SearchAttributeType.BOOL]: 'Bool',
  [SearchAttributeType.DATETIME]: 'Datetime',
  [SearchAttributeType.KEYWORD_LIST]: 'KeywordList',
};

/** What a case's attributes say, as plain values (an instant as ISO text). */
export interface CaseAttributes {
  tier: string;
  team: string;
  status: 'open' | 'overdue' | 'closed';
  nextDueAt: string | null;
  overdueCount: number;
}
export const CASE_ATTRIBUTE_NAMES = ['tier', 'team', 'status', 'nextDueAt', 'overdueCount'] as const satisfies ReadonlyArray<keyof CaseAttributes>;

/** A case's attributes from where it stands: the same for the client that starts it and the case itself. */
export function caseAttributes(c: { closed: boolean; tier: string | null; team: string; overdueCount: number; nextDueAt: string | null }): CaseAttributes {
  return { tier: c.tier ?? 'UNRATED', team: c.team, status: c.closed ? 'closed' : c.overdueCount > 0 ? 'overdue' : 'open', nextDueAt: c.nextDueAt, overdueCount: c.overdueCount };
}

/** The attributes to send, all or only the named ones. */
export function attributePairs(a: CaseAttributes, only: ReadonlyArray<keyof CaseAttributes> = CASE_ATTRIBUTE_NAMES): SearchAttributePair[] {
  const pairs: Record<keyof CaseAttributes, SearchAttributePair> = {
    tier: { key: RiskTierAttribute, value: a.tier },
    team: { key: TeamAttribute, value: a.team },
    status: { key: StatusAttribute, value: a.status },
    nextDueAt: { key: NextDueAtAttribute, value: a.nextDueAt === null ? null : new Date(a.nextDueAt) },
    overdueCount: { key: OverdueCountAttribute, value: a.overdueCount },
  } as unknown as Record<keyof CaseAttributes, SearchAttributePair>;
  return only.map((k) => pairs[k]);
}

/** What a run's attributes already say (set when it started, or carried from its previous run); a missing one is absent. */
export function attributesFrom(typed: TypedSearchAttributes): Partial<CaseAttributes> {
  const out: Partial<CaseAttributes> = {};
  const tier = typed.get(RiskTierAttribute);
  if (tier !== undefined) out.tier = tier;
  const team = typed.get(TeamAttribute);
  if (team !== undefined) out.team = team;
  const status = typed.get(StatusAttribute);
  if (status === 'open' || status === 'overdue' || status === 'closed') out.status = status;
  // No deadline is no attribute (Temporal keeps no null), once the run has any of its own.
  const next = typed.get(NextDueAtAttribute);
  if (next !== undefined) out.nextDueAt = next.toISOString();
  else if (out.team !== undefined) out.nextDueAt = null;
  const overdue = typed.get(OverdueCountAttribute);
  if (overdue !== undefined) out.overdueCount = overdue;
  return out;
}
