/**
 * Child protection clocks (Working Together and the local protocol): the initial conference after a
 * strategy discussion, and while a child protection plan lasts the first core group, eight-weekly
 * core groups, the first review conference and six-monthly review conferences.
 * The plan starts when an initial conference's outcome is 'cp-plan' and ends with 'plan-ended'.
 *
 * Conventions 2: the initial conference counts from the strategy discussion at which the section 47
 * enquiry was started (the first, where there were several): a discussion recorded as starting none
 * opens no clock, one that does not say opens it as before, and a later one recorded as starting
 * the enquiry takes the place of a clock opened by one that did not say. The plan's clocks that an
 * overlay switches off are owed again when it ends (./suspensions.ts).
 */
import type { EventOf } from '../facts';
import type { ObligationKind } from '../kinds';
import type { CaseContext } from './context';
import type { Ledger } from './ledger';
import { Suspensions } from './suspensions';
import type { CaseCheckpoint } from './types';

const PLAN_KINDS: ObligationKind[] = ['first-core-group', 'core-group', 'first-review-conference', 'review-conference'];

export function childProtectionClocks(ctx: CaseContext): {
  ledger: Ledger;
  state: () => CaseCheckpoint['families']['childProtection'];
  nextChangeAfter: (now: string) => string | undefined;
} {
  const ledger = ctx.ledgerFor('childProtection');
  const resumed = ctx.checkpoint?.families.childProtection;
  let planActive = resumed?.planActive ?? false;
  /** The open initial conference clock counts from a discussion known to have started the s47 enquiry. */
  let icpcFromS47 = resumed?.icpcFromS47 ?? false;
  const suspensions = new Suspensions(ctx, ledger, PLAN_KINDS, resumed?.suspended);

  const open = (kind: ObligationKind, at: string) => suspensions.open(kind, at);

  const startPlan = (at: string) => {
    ledger.resolveAll('superseded', at, ...PLAN_KINDS);
    suspensions.forget(...PLAN_KINDS);
    planActive = true;
    open('first-core-group', at);
    open('core-group', at);
    open('first-review-conference', at);
  };

  const endPlan = (at: string) => {
    ledger.resolveAll('superseded', at, ...PLAN_KINDS);
    suspensions.forget(...PLAN_KINDS);
    planActive = false;
  };

  const onStrategyDiscussion = (event: EventOf<'strategy-discussion'>) => {
    if (ctx.conventionsAt(event.at) < 2) {
      if (ctx.enabled('icpc', event.at)) ledger.open({ kind: 'icpc', triggeredAt: event.at });
      return;
    }
    if (event.s47Started === false || !ctx.enabled('icpc', event.at)) return;
    const running = ledger.openOf('icpc');
    if (running.length > 0) {
      if (icpcFromS47 || event.s47Started !== true) return;
      ledger.resolveAll('superseded', event.at, 'icpc');
    }
    ledger.open({ kind: 'icpc', triggeredAt: event.at });
    icpcFromS47 = event.s47Started === true;
  };

  const onMeetingHeld = (event: EventOf<'meeting-held'>) => {
    switch (event.meetingType) {
      case 'icpc':
        ledger.resolveAll('met', event.at, 'icpc');
        icpcFromS47 = false;
        if (event.outcome === 'cp-plan') startPlan(event.at);
        break;
      case 'core-group':
        ledger.resolveAll('met', event.at, 'first-core-group', 'core-group');
        if (planActive) {
          suspensions.standIn('core-group', event.at);
          open('core-group', event.at);
        }
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
    suspensions.sweep(event.at);
    if (event.type === 'strategy-discussion') onStrategyDiscussion(event);
    else if (event.type === 'meeting-held') onMeetingHeld(event);
    else if (event.type === 'obligation-waived') onWaiver(event);
  }
  suspensions.sweep(ctx.closedAt ?? ctx.now);
  return {
    ledger,
    state: () => {
      const suspended = suspensions.state();
      return { planActive, ...(icpcFromS47 ? { icpcFromS47 } : {}), ...(suspended.length > 0 ? { suspended } : {}) };
    },
    nextChangeAfter: (now) => (planActive ? suspensions.nextChangeAfter(now) : undefined),
  };
}
