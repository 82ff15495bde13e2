/**
 * Looked-after children (Care Planning, Placement and Case Review Regulations 2010):
 * reviews (reg 33: 20 working days, then 3 months, then every 6 months) and statutory visits
 * (reg 28: within a week of any placement starting, then every 6 weeks in the placement's first
 * year, then every 3 months). Ending the looked-after episode ends them all.
 */
import { addIsoDuration } from '../durations';
import type { ObligationKind } from '../kinds';
import type { CaseContext } from './context';
import type { Ledger } from './ledger';
import type { CaseCheckpoint } from './types';

const REVIEW_CHAIN: ObligationKind[] = ['cic-review-first', 'cic-review-second', 'cic-review'];
const VISIT_KINDS: ObligationKind[] = ['cic-visit-first', 'cic-visit'];

export function lookedAfterClocks(ctx: CaseContext): { ledger: Ledger; state: () => CaseCheckpoint['families']['lookedAfter'] } {
  const ledger = ctx.ledgerFor('lookedAfter');
  const resumed = ctx.checkpoint?.families.lookedAfter;
  let lookedAfter = resumed?.lookedAfter ?? false;
  /** How many reviews of this episode are behind us (held or waived). */
  let reviewsDone = resumed?.reviewsDone ?? 0;
  let placementStart: string | undefined = resumed?.placementStart;

  const openNextReview = (at: string) => {
    const kind = REVIEW_CHAIN[Math.min(reviewsDone, REVIEW_CHAIN.length - 1)] ?? 'cic-review';
    if (ctx.enabled(kind, at)) ledger.open({ kind, triggeredAt: at });
  };

  const openNextVisit = (at: string) => {
    if (placementStart === undefined) return;
    const rule = ctx.ruleAt('cic-visit', at);
    if (!rule) return;
    const longTermFrom = rule.longTerm ? addIsoDuration(placementStart, rule.longTerm.after) : undefined;
    const variant = longTermFrom !== undefined && at >= longTermFrom ? 'long-term' : 'standard';
    ledger.open({ kind: 'cic-visit', triggeredAt: at, variant });
  };

  for (const event of ctx.events) {
    switch (event.type) {
      case 'looked-after-started':
        if (lookedAfter) break;
        lookedAfter = true;
        reviewsDone = 0;
        openNextReview(event.at);
        break;
      case 'meeting-held':
        if (event.meetingType !== 'cic-review' || !lookedAfter) break;
        ledger.resolveAll('met', event.at, ...REVIEW_CHAIN);
        reviewsDone++;
        openNextReview(event.at);
        break;
      case 'placement-started':
        ledger.resolveAll('superseded', event.at, ...VISIT_KINDS);
        placementStart = event.at;
        if (ctx.enabled('cic-visit-first', event.at)) ledger.open({ kind: 'cic-visit-first', triggeredAt: event.at });
        break;
      case 'contact':
        if (event.contactType !== 'visit' || placementStart === undefined) break;
        ledger.resolveAll('met', event.at, ...VISIT_KINDS);
        openNextVisit(event.at);
        break;
      case 'looked-after-ended':
        ledger.resolveAll('superseded', event.at, ...REVIEW_CHAIN, ...VISIT_KINDS);
        lookedAfter = false;
        placementStart = undefined;
        break;
      case 'obligation-waived': {
        const waived = ledger.waive(event.obligationId, event.at);
        if (!waived) break;
        if (REVIEW_CHAIN.includes(waived.kind)) {
          reviewsDone++;
          openNextReview(event.at);
        } else {
          openNextVisit(event.at);
        }
        break;
      }
      default:
        break;
    }
  }
  return { ledger, state: () => ({ lookedAfter, reviewsDone, ...(placementStart === undefined ? {} : { placementStart }) }) };
}
