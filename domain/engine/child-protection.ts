/**
 * Child protection clocks (Working Together and the local protocol): the initial conference after a
 * strategy discussion, and while a child protection plan lasts the first core group, eight-weekly
 * core groups, the first review conference and six-monthly review conferences.
 * The plan starts when an initial conference's outcome is 'cp-plan' and ends with 'plan-ended'.
 */
import type { EventOf } from '../facts';
import type { ObligationKind } from '../kinds';
import type { CaseContext } from './context';
import type { Ledger } from './ledger';
import type { CaseCheckpoint } from './types';

const PLAN_KINDS: ObligationKind[] = ['first-core-group', 'core-group', 'first-review-conference', 'review-conference'];

export function childProtectionClocks(ctx: CaseContext): { ledger: Ledger; state: () => CaseCheckpoint['families']['childProtection'] } {
  const ledger = ctx.ledgerFor('childProtection');
  let planActive = ctx.checkpoint?.families.childProtection.planActive ?? false;

  const open = (kind: ObligationKind, at: string) => {
    if (ctx.enabled(kind, at)) ledger.open({ kind, triggeredAt: at });
  };

  const startPlan = (at: string) => {
    ledger.resolveAll('superseded', at, ...PLAN_KINDS);
    planActive = true;
    open('first-core-group', at);
    open('core-group', at);
    open('first-review-conference', at);
  };

  const endPlan = (at: string) => {
    ledger.resolveAll('superseded', at, ...PLAN_KINDS);
    planActive = false;
  };

  const onMeetingHeld = (event: EventOf<'meeting-held'>) => {
    switch (event.meetingType) {
      case 'icpc':
        ledger.resolveAll('met', event.at, 'icpc');
        if (event.outcome === 'cp-plan') startPlan(event.at);
        break;
      case 'core-group':
        ledger.resolveAll('met', event.at, 'first-core-group', 'core-group');
        if (planActive) open('core-group', event.at);
        break;
      case 'review-conference':
        ledger.resolveAll('met', event.at, 'first-review-conference', 'review-conference');
        if (planActive) open('review-conference', event.at);
        break;
      case 'cic-review':
        break;
    }
    if (event.outcome === 'plan-ended') endPlan(event.at);
  };

  const onWaiver = (event: EventOf<'obligation-waived'>) => {
    const waived = ledger.waive(event.obligationId, event.at);
    if (!waived || !planActive) return;
    if (waived.kind === 'core-group') open('core-group', event.at);
    if (waived.kind === 'first-review-conference' || waived.kind === 'review-conference') open('review-conference', event.at);
  };

  for (const event of ctx.events) {
    if (event.type === 'strategy-discussion') open('icpc', event.at);
    else if (event.type === 'meeting-held') onMeetingHeld(event);
    else if (event.type === 'obligation-waived') onWaiver(event);
  }
  return { ledger, state: () => ({ planActive }) };
}
