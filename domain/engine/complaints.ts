/**
 * Complaints (Children Act 1989 Representations Procedure (England) Regulations 2006): a response
 * to stage 1 and stage 2 within their working days, or within the extended limit once extended;
 * at stage 3, the review panel within 30 working days of the request (regulation 19(4)), its report
 * within 5 working days of meeting, and the authority's response within 15 working days of
 * receiving the report (regulation 20).
 */
import type { ObligationKind } from '../kinds';
import type { CaseContext } from './context';
import type { Ledger } from './ledger';

/** The clock each stage's request opens (stage 3: the panel, then the report and response in turn). */
const stageKind = (stage: 1 | 2 | 3): ObligationKind => (stage === 1 ? 'complaint-stage-1' : stage === 2 ? 'complaint-stage-2' : 'complaint-stage-3-panel');
/** The clock a stage's response meets. */
const responseKind = (stage: 1 | 2 | 3): ObligationKind => (stage === 3 ? 'complaint-stage-3-response' : stageKind(stage));

export function complaintClocks(ctx: CaseContext): Ledger {
  const ledger = ctx.ledgerFor('complaints');
  const find = (complaintId: string, kind: ObligationKind) => ledger.openOf(kind).find((d) => d.complaintId === complaintId);
  const open = (kind: ObligationKind, complaintId: string, at: string) => {
    if (ctx.enabled(kind, at)) ledger.open({ id: `${kind}@${complaintId}`, kind, triggeredAt: at, complaintId });
    else if (!ctx.known(kind, at)) ctx.warnings.push(`${kind} for complaint ${complaintId}: not in the policy version this case counts under (apply a later version to count it)`);
  };
  const meet = (complaintId: string, kind: ObligationKind, at: string) => {
    const draft = find(complaintId, kind);
    if (draft) ledger.resolve(draft, 'met', at);
  };

  for (const event of ctx.events) {
    switch (event.type) {
      case 'complaint-received':
        open(stageKind(event.stage), event.complaintId, event.at);
        break;
      case 'complaint-extended': {
        const draft = find(event.complaintId, stageKind(event.stage));
        if (draft) draft.variant = 'extended';
        else ctx.warnings.push(`complaint-extended at ${event.at}: no open stage ${event.stage} complaint "${event.complaintId}"; ignored`);
        break;
      }
      case 'complaint-panel-held':
        meet(event.complaintId, 'complaint-stage-3-panel', event.at);
        open('complaint-stage-3-report', event.complaintId, event.at);
        break;
      case 'complaint-panel-reported':
        meet(event.complaintId, 'complaint-stage-3-report', event.at);
        open('complaint-stage-3-response', event.complaintId, event.at);
        break;
      case 'complaint-responded':
        meet(event.complaintId, responseKind(event.stage), event.at);
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
