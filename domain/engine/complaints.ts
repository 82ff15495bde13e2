/**
 * Complaints (Children Act 1989 Representations Procedure (England) Regulations 2006): a response
 * to each stage within its working days, or within the extended limit once extended.
 */
import type { ObligationKind } from '../kinds';
import type { CaseContext } from './context';
import type { Ledger } from './ledger';

const stageKind = (stage: 1 | 2): ObligationKind => (stage === 1 ? 'complaint-stage-1' : 'complaint-stage-2');

export function complaintClocks(ctx: CaseContext): Ledger {
  const ledger = ctx.ledgerFor('complaints');
  const find = (complaintId: string, stage: 1 | 2) =>
    ledger.openOf(stageKind(stage)).find((d) => d.complaintId === complaintId);

  for (const event of ctx.events) {
    switch (event.type) {
      case 'complaint-received': {
        const kind = stageKind(event.stage);
        if (ctx.enabled(kind, event.at)) {
          ledger.open({ id: `${kind}@${event.complaintId}`, kind, triggeredAt: event.at, complaintId: event.complaintId });
        }
        break;
      }
      case 'complaint-extended': {
        const draft = find(event.complaintId, event.stage);
        if (draft) draft.variant = 'extended';
        else ctx.warnings.push(`complaint-extended at ${event.at}: no open stage ${event.stage} complaint "${event.complaintId}"; ignored`);
        break;
      }
      case 'complaint-responded': {
        const draft = find(event.complaintId, event.stage);
        if (draft) ledger.resolve(draft, 'met', event.at);
        break;
      }
      case 'obligation-waived':
        ledger.waive(event.obligationId, event.at);
        break;
      default:
        break;
    }
  }
  return ledger;
}
