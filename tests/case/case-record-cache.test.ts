/**
 * The case's state class evaluates the engine at most once per wake-up: an evaluation is reused
 * until its next wake-up instant or the next change, and what it answers is always what a fresh
 * evaluation would (checked against the engine itself at every minute of a day). Pure: no Temporal.
 */
import { describe, expect, it } from 'vitest';
import { evaluateCase } from '../../domain/engine';
import { loadDefaultSnapshot } from '../../domain/policy-loader';
import { CaseRecord } from '../../workflows/case-record';
import type { CaseWorkflowInput } from '../../workflows/messages';

const OPENED = '2026-03-02T09:00:00.000Z';
const policy = loadDefaultSnapshot();

function highRiskCase(): CaseRecord {
  const input: CaseWorkflowInput = {
    caseId: 'CACHE-1',
    details: { reference: 'CACHE-1', team: 'LOCALITY-NORTH', contacts: {} },
    openedAt: OPENED,
    openedBy: 'admin1',
    policies: [policy],
    events: [{ type: 'tier-set', at: OPENED, by: 'tm1', tier: 'HIGH_IMMEDIATE', reason: 'rated' }],
    deliveries: [],
    notes: [],
  };
  return new CaseRecord(input);
}

const plus = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();
const HOUR = 3_600_000;

describe('one evaluation per wake-up', () => {
  it('reuses an evaluation until its next wake-up, and not after', () => {
    const kase = highRiskCase();
    const first = kase.clocks.evaluate(plus(OPENED, HOUR));
    expect(first.nextWakeAt).toBe(plus(OPENED, 12 * HOUR)); // the 12-hour reminder
    expect(kase.clocks.evaluate(plus(OPENED, 5 * HOUR))).toBe(first);
    expect(kase.clocks.evaluate(plus(OPENED, 12 * HOUR))).not.toBe(first);
  });

  it('evaluates again after any change', () => {
    const kase = highRiskCase();
    const first = kase.clocks.evaluate(plus(OPENED, HOUR));
    kase.facts.recordEvent({ type: 'contact', contactType: 'kit-call', at: plus(OPENED, 2 * HOUR), by: 'sw1' }, plus(OPENED, 2 * HOUR));
    expect(kase.clocks.evaluate(plus(OPENED, 2 * HOUR))).not.toBe(first);
  });

  it('does not reuse while an occurrence is on hold (its deadline moves with time)', () => {
    const kase = highRiskCase();
    kase.facts.recordEvent({ type: 'hold-started', holdId: 'H1', at: plus(OPENED, HOUR), by: 'tm1', reason: 'in hospital' }, plus(OPENED, HOUR));
    const first = kase.clocks.evaluate(plus(OPENED, 2 * HOUR));
    expect(first.open.some((o) => o.onHold)).toBe(true);
    expect(kase.clocks.evaluate(plus(OPENED, 3 * HOUR))).not.toBe(first);
  });

  it('answers at every minute of two days as a fresh evaluation would', () => {
    const kase = highRiskCase();
    for (let minute = 0; minute <= 48 * 60; minute += 7) {
      const now = plus(OPENED, minute * 60_000);
      const fresh = evaluateCase({ facts: { caseId: 'CACHE-1', openedAt: OPENED, events: kase.facts.events, sent: kase.facts.deliveries }, policies: [policy], now });
      const reused = kase.clocks.evaluate(now);
      expect({ ...reused, warnings: [] }).toEqual({ ...fresh, warnings: [] });
    }
  });
});
