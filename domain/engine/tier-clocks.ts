/**
 * Risk-tier clocks (the local visiting protocol of 2020): the visit within 24 hours of a High and Immediate rating,
 * the initial planned visit and fortnightly visits of a Priority case, and keeping-in-touch calls.
 *
 * A change of tier supersedes the old tier's open clocks and starts the new tier's at the change;
 * re-setting the same tier changes nothing. Recurring clocks restart from the moment the last
 * occurrence was actually met (or waived).
 */
import type { EventOf } from '../facts';
import type { RiskTier } from '../kinds';
import type { CaseContext } from './context';
import type { Ledger } from './ledger';
import type { CaseCheckpoint } from './types';

const TIER_KINDS = ['initial-visit-high', 'initial-visit-priority', 'visit-priority', 'kit-call'] as const;

export function riskTierClocks(ctx: CaseContext): { ledger: Ledger; state: () => CaseCheckpoint['families']['tier'] } {
  const ledger = ctx.ledgerFor('tier');
  let tier: RiskTier | undefined = ctx.checkpoint?.families.tier.tier;

  const kitRuns = (at: string) => tier !== undefined && (ctx.ruleAt('kit-call', at)?.tiers ?? []).includes(tier);
  const startKit = (at: string) => {
    if (kitRuns(at)) ledger.open({ kind: 'kit-call', triggeredAt: at });
  };
  const startPriorityVisits = (at: string) => {
    if (tier === 'PRIORITY' && ctx.enabled('visit-priority', at)) ledger.open({ kind: 'visit-priority', triggeredAt: at });
  };

  const onTierSet = (event: EventOf<'tier-set'>) => {
    if (event.tier === tier) return;
    ledger.resolveAll('superseded', event.at, ...TIER_KINDS);
    tier = event.tier;
    if (tier === 'HIGH_IMMEDIATE' && ctx.enabled('initial-visit-high', event.at)) {
      ledger.open({ kind: 'initial-visit-high', triggeredAt: event.at });
    }
    if (tier === 'PRIORITY' && ctx.enabled('initial-visit-priority', event.at)) {
      ledger.open({ kind: 'initial-visit-priority', triggeredAt: event.at });
    }
    startKit(event.at);
  };

  const onContact = (event: EventOf<'contact'>) => {
    if (tier === undefined) return;
    if (event.contactType === 'visit') {
      ledger.resolveAll('met', event.at, 'initial-visit-high', 'initial-visit-priority', 'visit-priority');
      startPriorityVisits(event.at);
    }
    const keepsInTouch = event.contactType !== 'other' || ctx.ruleAt('kit-call', event.at)?.countOtherContacts === true;
    const openKit = ledger.openOf('kit-call');
    if (keepsInTouch && (openKit.length > 0 || kitRuns(event.at))) {
      ledger.resolveAll('met', event.at, 'kit-call');
      startKit(event.at);
    }
  };

  const onWaiver = (event: EventOf<'obligation-waived'>) => {
    const waived = ledger.waive(event.obligationId, event.at);
    if (!waived) return;
    if (waived.kind === 'kit-call') startKit(event.at);
    if (waived.kind === 'visit-priority' || waived.kind === 'initial-visit-priority') startPriorityVisits(event.at);
  };

  for (const event of ctx.events) {
    if (event.type === 'tier-set') onTierSet(event);
    else if (event.type === 'contact') onContact(event);
    else if (event.type === 'obligation-waived') onWaiver(event);
  }
  return { ledger, state: () => (tier === undefined ? {} : { tier }) };
}
