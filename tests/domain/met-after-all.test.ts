/** Met after all (domain/met-after-all.ts): who is told, once, that an escalated obligation was met by its deadline. */
import { describe, expect, it } from 'vitest';
import type { Obligation } from '../../domain/engine';
import { metAfterAllMessageId, metAfterAllOwed, type SentRecord } from '../../domain/met-after-all';

const obligation = (over: Partial<Obligation>): Obligation =>
  ({
    id: 'cic-visit-first@2026-12-01T10:00:00.000Z',
    kind: 'cic-visit-first',
    title: 'First visit',
    basis: { reference: 'r' },
    triggeredAt: '2026-12-01T10:00:00.000Z',
    dueAt: '2026-12-08T10:00:00.000Z',
    status: 'met',
    onHold: false,
    resolvedAt: '2026-12-08T09:00:00.000Z',
    ...over,
  }) as Obligation;
const escalation = (role: string, outcome = 'delivered', obligationId = obligation({}).id): SentRecord => ({ messageId: `${obligationId}/escalation/${role}`, type: 'escalation', obligationId, role, outcome });
const NOW = '2026-12-09T10:00:00.000Z';
const none = () => false;

describe('met after all', () => {
  it('owes each role an escalation reached one notice, when the obligation was met by its deadline', () => {
    const owed = metAfterAllOwed([obligation({})], [escalation('team-manager'), escalation('head-of-service'), escalation('team-manager')], none, NOW);
    expect(owed.map((o) => o.due)).toEqual([
      { messageId: metAfterAllMessageId(obligation({}).id, 'head-of-service'), kind: 'cic-visit-first', type: 'notice', level: 0, repeat: 0, role: 'head-of-service', sendAt: NOW },
      { messageId: metAfterAllMessageId(obligation({}).id, 'team-manager'), kind: 'cic-visit-first', type: 'notice', level: 0, repeat: 0, role: 'team-manager', sendAt: NOW },
    ]);
  });

  it('owes nothing for an obligation met late, still open or waived, never escalated, or an escalation that never arrived', () => {
    expect(metAfterAllOwed([obligation({ resolvedAt: '2026-12-08T11:00:00.000Z' })], [escalation('team-manager')], none, NOW)).toEqual([]);
    expect(metAfterAllOwed([obligation({ status: 'open', resolvedAt: undefined })], [escalation('team-manager')], none, NOW)).toEqual([]);
    expect(metAfterAllOwed([obligation({ status: 'waived' })], [escalation('team-manager')], none, NOW)).toEqual([]);
    expect(metAfterAllOwed([obligation({})], [], none, NOW)).toEqual([]);
    expect(metAfterAllOwed([obligation({})], [escalation('team-manager', 'undeliverable')], none, NOW)).toEqual([]);
  });

  it('owes it once: not again once sent, nor while it is being sent', () => {
    const id = metAfterAllMessageId(obligation({}).id, 'team-manager');
    expect(metAfterAllOwed([obligation({})], [escalation('team-manager'), { messageId: id, type: 'notice', role: 'team-manager', outcome: 'delivered' }], none, NOW)).toEqual([]);
    expect(metAfterAllOwed([obligation({})], [escalation('team-manager')], (m) => m === id, NOW)).toEqual([]);
  });
});
