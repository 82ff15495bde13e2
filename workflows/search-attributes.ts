/**
 * Custom search attributes: what the console and the Temporal Web UI filter cases by.
 * They hold no personal data: a tier, a team code, a status, an instant and a count.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

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
