/**
 * The case list from Temporal's visibility (search attributes) alone: no case is opened and no
 * workflow asked to answer. The worker's metrics count cases with it; the console and the command
 * line list cases from their summaries in the store instead (common/case-reads.ts).
 */
import type { Client } from '@temporalio/client';
import { NextDueAtAttribute, OverdueCountAttribute, RiskTierAttribute, StatusAttribute, TeamAttribute } from '../workflows/search-attributes';

export interface CaseListing {
  caseId: string;
  team?: string;
  tier?: string;
  status?: string;
  nextDueAt?: string;
  overdueCount: number;
}

const quote = (s: string) => `'${s.replace(/['\\]/g, '')}'`;

/** Lists cases from search attributes alone: no case is opened to answer. */
export async function listCases(client: Client, filter: { team?: string; tier?: string; overdueOnly?: boolean; includeClosed?: boolean } = {}): Promise<CaseListing[]> {
  const clauses = [`WorkflowType = 'caseWorkflow'`, `ExecutionStatus = 'Running'`];
  if (filter.includeClosed) clauses.pop();
  if (filter.team) clauses.push(`${TeamAttribute.name} = ${quote(filter.team)}`);
  if (filter.tier) clauses.push(`${RiskTierAttribute.name} = ${quote(filter.tier)}`);
  if (filter.overdueOnly) clauses.push(`${OverdueCountAttribute.name} > 0`);
  const listings: CaseListing[] = [];
  for await (const wf of client.workflow.list({ query: clauses.join(' AND ') })) {
    const attrs = wf.typedSearchAttributes;
    const nextDue = attrs.get(NextDueAtAttribute);
    listings.push({
      caseId: wf.workflowId.replace(/^case:/, ''),
      team: attrs.get(TeamAttribute),
      tier: attrs.get(RiskTierAttribute),
      status: attrs.get(StatusAttribute),
      ...(nextDue ? { nextDueAt: nextDue.toISOString() } : {}),
      overdueCount: attrs.get(OverdueCountAttribute) ?? 0,
    });
  }
  return listings.sort((a, b) => b.overdueCount - a.overdueCount || (a.nextDueAt ?? '~').localeCompare(b.nextDueAt ?? '~'));
}
