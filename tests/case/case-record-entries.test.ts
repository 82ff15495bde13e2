/**
 * A case's store entry ids: the outbox's batches and the timeline's "not yet in the record" part
 * name every entry alike (two ids for one entry would show it twice on the timeline), across
 * batches, settling and continue-as-new. Pure: no Temporal.
 */
import { describe, expect, it } from 'vitest';
import { loadDefaultSnapshot } from '../../domain/policy-loader';
import { CaseRecord, settle, STORE_BATCH_ENTRIES } from '../../workflows/case-record';
import type { CaseWorkflowInput } from '../../workflows/messages';

const OPENED = '2025-01-06T09:00:00.000Z';
const DAY = 86_400_000;
const plus = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();

/** A case with `days` daily visits, a delivery and a note every tenth day, all recorded. */
function busyCase(subject: 'case' | 'incident', days: number): CaseRecord {
  const input: CaseWorkflowInput = {
    subject,
    caseId: 'ENT-1',
    details: { reference: 'ENT-1', team: 'LOCALITY-NORTH', contacts: {} },
    openedAt: OPENED,
    openedBy: 'admin1',
    policies: [loadDefaultSnapshot()],
    events: [],
    deliveries: [],
    notes: [],
  };
  const kase = new CaseRecord(input);
  kase.outbox.keepsRecord = true;
  for (let day = 0; day < days; day++) {
    const at = plus(OPENED, day * DAY + 3_600_000);
    kase.facts.recordEvent({ type: 'contact', contactType: 'visit', at, by: 'sw1' }, at);
    if (day % 10 === 0) {
      kase.facts.recordDelivery({ messageId: `ENT-1/m${day}`, type: 'reminder', level: 0, role: 'allocated-worker', sentAt: at, outcome: 'delivered', to: 'w@council.example' });
      kase.facts.recordNote({ at, recordedAt: at, by: 'tm1', entry: 'details', summary: 'Case details and contacts updated' });
    }
  }
  return kase;
}

/** Writes every batch as the store would take it; the ids written, outcomes left out. */
function drain(kase: CaseRecord): string[] {
  const written: string[] = [];
  for (let batch = kase.outbox.nextBatch(); batch; batch = kase.outbox.nextBatch()) {
    expect(batch.entries.length).toBeLessThanOrEqual(STORE_BATCH_ENTRIES);
    written.push(...batch.entries.filter((e) => e.kind !== 'outcome').map((e) => e.entryId));
    kase.outbox.batchStored(batch);
  }
  return written;
}

const pending = (kase: CaseRecord) => kase.outbox.notYetInRecord().map((e) => e.entryId);

describe('store entry ids', () => {
  it('are the same in the batches written and in what the timeline shows as not yet written', () => {
    const kase = busyCase('case', 450);
    const shown = pending(kase);
    expect(shown).toHaveLength(450 + 45 + 45);
    expect(shown[0]).toBe('case:ENT-1:event:0');
    expect(shown).toContain('case:ENT-1:message:44');
    expect(shown).toContain('case:ENT-1:note:44');
    const written = drain(kase);
    expect(written.length).toBeGreaterThan(2 * STORE_BATCH_ENTRIES);
    expect(written).toEqual(shown);
    expect(pending(kase)).toEqual([]);
    expect(kase.outbox.waiting).toBe(0);
  });

  it('go on where they were after the case settles and continues as new', () => {
    const kase = busyCase('incident', 200);
    const before = drain(kase);
    const now = plus(OPENED, 200 * DAY);
    expect(settle(kase, plus(now, -90 * DAY), now)).toBe(true);
    const next = new CaseRecord(JSON.parse(JSON.stringify(kase.toInput())) as CaseWorkflowInput);
    next.outbox.keepsRecord = true;
    const at = plus(now, 60_000);
    next.facts.recordEvent({ type: 'contact', contactType: 'kit-call', at, by: 'sw1' }, at);
    next.facts.recordNote({ at, recordedAt: at, by: 'tm1', entry: 'details', summary: 'Case details and contacts updated' });
    const shown = pending(next);
    expect(shown).toEqual(['incident:ENT-1:event:200', 'incident:ENT-1:note:20']);
    expect(drain(next)).toEqual(shown);
    expect(before).not.toContain(shown[0]);
  });
});
