/**
 * One-off clocks started by a single event: serious incident notification and rapid review
 * (Working Together), the return interview after a missing episode (DfE 2014), and the
 * referral decision and child and family assessment (Working Together).
 */
import type { CaseContext } from './context';
import type { Ledger } from './ledger';

export function seriousIncidentClocks(ctx: CaseContext): Ledger {
  const ledger = ctx.ledgerFor('seriousIncident');
  for (const event of ctx.events) {
    switch (event.type) {
      case 'incident-reported':
        if (ctx.enabled('serious-incident-notification', event.at)) {
          ledger.open({
            id: `serious-incident-notification@${event.incidentId}`,
            kind: 'serious-incident-notification',
            triggeredAt: event.at,
            incidentId: event.incidentId,
          });
        }
        break;
      case 'incident-notified':
        for (const d of ledger.openOf('serious-incident-notification')) {
          if (d.incidentId === event.incidentId) ledger.resolve(d, 'met', event.at);
        }
        if (ctx.enabled('rapid-review', event.at)) {
          ledger.open({ id: `rapid-review@${event.incidentId}`, kind: 'rapid-review', triggeredAt: event.at, incidentId: event.incidentId });
        }
        break;
      case 'rapid-review-completed':
        for (const d of ledger.openOf('rapid-review')) {
          if (d.incidentId === event.incidentId) ledger.resolve(d, 'met', event.at);
        }
        break;
      case 'obligation-waived':
        ledger.waive(event.obligationId, event.at);
        break;
      default:
        break;
    }
  }
  return ledger;
}

export function missingChildClocks(ctx: CaseContext): Ledger {
  const ledger = ctx.ledgerFor('missing');
  for (const event of ctx.events) {
    if (event.type === 'child-returned' && ctx.enabled('return-interview', event.at)) {
      ledger.open({ kind: 'return-interview', triggeredAt: event.at });
    } else if (event.type === 'return-interview-held') {
      ledger.resolveAll('met', event.at, 'return-interview');
    } else if (event.type === 'obligation-waived') {
      ledger.waive(event.obligationId, event.at);
    }
  }
  return ledger;
}

export function referralClocks(ctx: CaseContext): Ledger {
  const ledger = ctx.ledgerFor('referral');
  for (const event of ctx.events) {
    switch (event.type) {
      case 'referral-received':
        if (ctx.enabled('referral-decision', event.at)) ledger.open({ kind: 'referral-decision', triggeredAt: event.at });
        if (ctx.enabled('assessment', event.at)) ledger.open({ kind: 'assessment', triggeredAt: event.at });
        break;
      case 'referral-decided':
        ledger.resolveAll('met', event.at, 'referral-decision');
        break;
      case 'assessment-completed':
        ledger.resolveAll('met', event.at, 'assessment');
        break;
      case 'obligation-waived':
        ledger.waive(event.obligationId, event.at);
        break;
      default:
        break;
    }
  }
  return ledger;
}
