/**
 * Looked-after children (Care Planning, Placement and Case Review Regulations 2010):
 * reviews (reg 33: 20 working days, then 3 months, then every 6 months) and statutory visits
 * (reg 28). Ending the looked-after episode ends them all.
 *
 * Conventions 1: every placement is visited within a week, then six-weekly, then, once the
 * placement is a year old, at the rule's long-term interval.
 * Conventions 2, regulation 28 in full, by the placement's type and the child's legal status:
 * - 28(2): within a week of any placement, six-weekly in its first year, then three-monthly only
 *   where the placement is intended to last until the child is 18 (`until-18`), else six-weekly;
 * - 28(3): placed with a parent before assessment (regulation 19): weekly until the child's first
 *   review, then six-weekly;
 * - 28(4): a connected person temporarily approved (regulation 24), or living with a parent under
 *   an interim care order: weekly until the first review, then four-weekly;
 * - 28(5): living with a parent under a care order: within a week of the order (recorded as the
 *   placement's start), then six-weekly.
 * "The first review" is the child's first review under reg 33; where it is already behind the
 * child, such a placement's first visit is still due within a week (28(2)(a)).
 * Reviews that an overlay switches off are owed again when it ends (./suspensions.ts).
 */
import { addIsoDuration } from '../durations';
import type { EventOf } from '../facts';
import type { LegalStatus, ObligationKind, PlacementType } from '../kinds';
import type { CaseContext } from './context';
import type { Ledger } from './ledger';
import { Suspensions } from './suspensions';
import type { CaseCheckpoint } from './types';

const REVIEW_CHAIN: ObligationKind[] = ['cic-review-first', 'cic-review-second', 'cic-review'];
const VISIT_KINDS: ObligationKind[] = ['cic-visit-first', 'cic-visit', 'cic-visit-weekly', 'cic-visit-four-weekly', 'cic-visit-with-parent'];

type LookedAfterState = CaseCheckpoint['families']['lookedAfter'];

/** The visiting rhythm of regulation 28 for a placement: weekly until the first review, and what follows. */
function rhythmOf(type: PlacementType | undefined, legalStatus: LegalStatus | undefined): { weeklyUntilFirstReview: boolean; then: ObligationKind } {
  if (type === 'with-parent-before-assessment') return { weeklyUntilFirstReview: true, then: 'cic-visit-with-parent' };
  if (type === 'connected-person-temporary') return { weeklyUntilFirstReview: true, then: 'cic-visit-four-weekly' };
  if (type === 'with-parent' && legalStatus === 'interim-care-order') return { weeklyUntilFirstReview: true, then: 'cic-visit-four-weekly' };
  if (type === 'with-parent' && legalStatus === 'care-order') return { weeklyUntilFirstReview: false, then: 'cic-visit-with-parent' };
  return { weeklyUntilFirstReview: false, then: 'cic-visit' };
}

export function lookedAfterClocks(ctx: CaseContext): { ledger: Ledger; state: () => LookedAfterState; nextChangeAfter: (now: string) => string | undefined } {
  const ledger = ctx.ledgerFor('lookedAfter');
  const resumed = ctx.checkpoint?.families.lookedAfter;
  let lookedAfter = resumed?.lookedAfter ?? false;
  /** How many reviews of this episode are behind us (held or waived). */
  let reviewsDone = resumed?.reviewsDone ?? 0;
  let placementStart: string | undefined = resumed?.placementStart;
  let placementType: PlacementType | undefined = resumed?.placementType;
  let legalStatus: LegalStatus | undefined = resumed?.legalStatus;
  /** Conventions 2: the last visit in this placement (a change of rhythm counts from it). */
  let lastVisitAt: string | undefined = resumed?.lastVisitAt;
  const suspensions = new Suspensions(ctx, ledger, REVIEW_CHAIN, resumed?.suspended);

  const openNextReview = (at: string) => {
    const kind = REVIEW_CHAIN[Math.min(reviewsDone, REVIEW_CHAIN.length - 1)] ?? 'cic-review';
    suspensions.open(kind, at);
  };

  const openIfEnabled = (kind: ObligationKind, at: string, variant?: 'long-term') => {
    if (ctx.enabled(kind, at)) ledger.open({ kind, triggeredAt: at, ...(variant === undefined ? {} : { variant }) });
  };

  /** The next visit after one made (or waived) at `at`. */
  const openNextVisit = (at: string) => {
    if (placementStart === undefined) return;
    if (ctx.conventionsAt(at) < 2) {
      const rule = ctx.ruleAt('cic-visit', at);
      if (!rule) return;
      const longTermFrom = rule.longTerm ? addIsoDuration(placementStart, rule.longTerm.after) : undefined;
      const variant = longTermFrom !== undefined && at >= longTermFrom ? 'long-term' : 'standard';
      ledger.open({ kind: 'cic-visit', triggeredAt: at, variant });
      return;
    }
    const rhythm = rhythmOf(placementType, legalStatus);
    if (rhythm.weeklyUntilFirstReview && reviewsDone === 0) return openIfEnabled('cic-visit-weekly', at);
    if (rhythm.then !== 'cic-visit' || placementType !== 'until-18') return openIfEnabled(rhythm.then, at);
    const rule = ctx.ruleAt('cic-visit', at);
    const longTermFrom = rule?.longTerm ? addIsoDuration(placementStart, rule.longTerm.after) : undefined;
    openIfEnabled('cic-visit', at, longTermFrom !== undefined && at >= longTermFrom ? 'long-term' : undefined);
  };

  const onPlacementStarted = (event: EventOf<'placement-started'>) => {
    ledger.resolveAll('superseded', event.at, ...VISIT_KINDS);
    placementStart = event.at;
    placementType = event.placementType;
    legalStatus = event.legalStatus;
    if (ctx.conventionsAt(event.at) < 2) {
      openIfEnabled('cic-visit-first', event.at);
      return;
    }
    lastVisitAt = undefined;
    const weekly = rhythmOf(placementType, legalStatus).weeklyUntilFirstReview && reviewsDone === 0;
    openIfEnabled(weekly ? 'cic-visit-weekly' : 'cic-visit-first', event.at);
  };

  /** Conventions 2: the first review ends a weekly rhythm; the next visit counts from the last one under the rhythm that follows. */
  const afterFirstReview = (at: string) => {
    if (placementStart === undefined || ctx.conventionsAt(at) < 2) return;
    const weekly = ledger.openOf('cic-visit-weekly');
    if (weekly.length === 0) return;
    for (const draft of weekly) ledger.resolve(draft, 'superseded', at);
    const rhythm = rhythmOf(placementType, legalStatus);
    openIfEnabled(rhythm.then, lastVisitAt ?? placementStart);
  };

  const onReview = (at: string, reviewNumber: number | undefined) => {
    const before = reviewsDone;
    ledger.resolveAll('met', at, ...REVIEW_CHAIN);
    reviewsDone = reviewNumber ?? reviewsDone + 1;
    openNextReview(at);
    if (before === 0 && reviewsDone > 0) afterFirstReview(at);
  };

  for (const event of ctx.events) {
    suspensions.sweep(event.at);
    switch (event.type) {
      case 'looked-after-started':
        if (lookedAfter) break;
        lookedAfter = true;
        reviewsDone = 0;
        openNextReview(event.at);
        break;
      case 'meeting-held':
        if (event.meetingType !== 'cic-review' || !lookedAfter) break;
        onReview(event.at, event.reviewNumber);
        break;
      case 'placement-started':
        onPlacementStarted(event);
        break;
      case 'contact':
        if (event.contactType !== 'visit' || placementStart === undefined) break;
        ledger.resolveAll('met', event.at, ...VISIT_KINDS);
        if (ctx.conventionsAt(event.at) >= 2) lastVisitAt = event.at;
        openNextVisit(event.at);
        break;
      case 'looked-after-ended':
        ledger.resolveAll('superseded', event.at, ...REVIEW_CHAIN, ...VISIT_KINDS);
        suspensions.forget(...REVIEW_CHAIN);
        lookedAfter = false;
        placementStart = undefined;
        placementType = undefined;
        legalStatus = undefined;
        lastVisitAt = undefined;
        break;
      case 'obligation-waived': {
        const waived = ledger.waive(event.obligationId, event.at);
        if (!waived) break;
        if (REVIEW_CHAIN.includes(waived.kind)) {
          const before = reviewsDone;
          reviewsDone++;
          openNextReview(event.at);
          if (before === 0) afterFirstReview(event.at);
        } else {
          openNextVisit(event.at);
        }
        break;
      }
      default:
        break;
    }
  }
  suspensions.sweep(ctx.closedAt ?? ctx.now);
  return {
    ledger,
    state: () => {
      const suspended = suspensions.state();
      return {
        lookedAfter,
        reviewsDone,
        ...(placementStart === undefined ? {} : { placementStart }),
        ...(placementType === undefined ? {} : { placementType }),
        ...(legalStatus === undefined ? {} : { legalStatus }),
        ...(lastVisitAt === undefined ? {} : { lastVisitAt }),
        ...(suspended.length > 0 ? { suspended } : {}),
      };
    },
    nextChangeAfter: (now) => (lookedAfter ? suspensions.nextChangeAfter(now) : undefined),
  };
}
