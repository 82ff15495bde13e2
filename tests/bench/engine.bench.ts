/**
 * How fast the deadline engine answers (a plain script, no assertions):
 *   npx tsx tests/bench/engine.bench.ts   (or npm run bench)
 * Single-rule due computations, and whole-case evaluations of a realistic two-year case
 * (fortnightly visits and KIT calls, a child protection plan with core groups and reviews,
 * conferences with pre-meetings, a complaint, holds and sent messages).
 */
import { WorkingDayCalendar } from '../../domain/calendar';
import { dueFor, evaluateCase } from '../../domain/engine';
import type { CaseEvent, CaseFacts } from '../../domain/facts';
import type { ObligationKind } from '../../domain/kinds';
import { loadDefaultPolicy, loadDefaultSnapshot } from '../../domain/policy-loader';
import { FROZEN_POLICIES } from '../../domain/policies/frozen';
import type { PolicySnapshot } from '../../domain/policy';

const DAY = 86_400_000;
const START = Date.parse('2024-01-08T10:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const by = 'worker-1';

function twoYearCase(): CaseFacts {
  const events: CaseEvent[] = [
    { type: 'referral-received', at: iso(START), by },
    { type: 'referral-decided', at: iso(START + 0.2 * DAY), by },
    { type: 'tier-set', at: iso(START), by, tier: 'PRIORITY', reason: 'rated' },
    { type: 'strategy-discussion', at: iso(START + DAY), by },
    { type: 'meeting-scheduled', at: iso(START + 2 * DAY), by, meetingId: 'icpc-1', meetingType: 'icpc', scheduledFor: iso(START + 14 * DAY) },
    { type: 'pre-meeting-held', at: iso(START + 10 * DAY), by, meetingId: 'icpc-1' },
    { type: 'meeting-held', at: iso(START + 14 * DAY), by, meetingId: 'icpc-1', meetingType: 'icpc', outcome: 'cp-plan' },
    { type: 'assessment-completed', at: iso(START + 40 * DAY), by },
    { type: 'complaint-received', at: iso(START + 100 * DAY), by, complaintId: 'cmp-1', stage: 1 },
    { type: 'complaint-responded', at: iso(START + 108 * DAY), by, complaintId: 'cmp-1', stage: 1 },
    { type: 'hold-started', at: iso(START + 200 * DAY), by, holdId: 'h1', reason: 'child in hospital' },
    { type: 'hold-ended', at: iso(START + 210 * DAY), by, holdId: 'h1' },
  ];
  for (let d = 3; d < 730; d += 13) events.push({ type: 'contact', at: iso(START + d * DAY + 3600_000), by, contactType: 'visit' });
  for (let d = 7; d < 730; d += 12) events.push({ type: 'contact', at: iso(START + d * DAY), by, contactType: 'kit-call' });
  for (let d = 20; d < 730; d += 50) events.push({ type: 'meeting-held', at: iso(START + d * DAY), by, meetingType: 'core-group' });
  for (let d = 95, n = 0; d < 730; d += 170, n++) {
    const meetingId = `rcpc-${n}`;
    events.push({ type: 'meeting-scheduled', at: iso(START + (d - 20) * DAY), by, meetingId, meetingType: 'review-conference', scheduledFor: iso(START + d * DAY) });
    events.push({ type: 'pre-meeting-held', at: iso(START + (d - 4) * DAY), by, meetingId });
    events.push({ type: 'meeting-held', at: iso(START + d * DAY), by, meetingId, meetingType: 'review-conference' });
  }
  return { caseId: 'BENCH-1', openedAt: iso(START), events, sent: [] };
}

function measure(label: string, seconds: number, run: () => void): void {
  for (let i = 0; i < 20; i++) run();
  let count = 0;
  const start = process.hrtime.bigint();
  const budget = BigInt(Math.round(seconds * 1e9));
  let elapsed = 0n;
  while (elapsed < budget) {
    run();
    count++;
    elapsed = process.hrtime.bigint() - start;
  }
  const perSecond = count / (Number(elapsed) / 1e9);
  console.log(`${label.padEnd(58)} ${perSecond.toFixed(0).padStart(9)} /s  (${(1000 / perSecond).toFixed(3)} ms each)`);
}

const policy = loadDefaultPolicy();
const calendar = WorkingDayCalendar.englandAndWales();
const snapshot = loadDefaultSnapshot();
const kinds: ObligationKind[] = ['initial-visit-high', 'kit-call', 'icpc', 'assessment', 'conference-pre-meeting', 'cic-review'];
let i = 0;
measure('single-rule due (mixed kinds, dueFor)', 2, () => {
  const kind = kinds[i % kinds.length]!;
  dueFor(policy, kind, iso(START + (i++ % 500) * 3600_000), calendar);
});

const facts = twoYearCase();
const now = iso(START + 735 * DAY);
// Side by side in one run: the version before counting conventions 2 (the baseline), the current
// one, and the current one with a protocol that switches review conferences off for four months.
const previous = FROZEN_POLICIES.find((p) => p.id === 'national' && p.version === '2026.1')!.snapshot;
const ending: PolicySnapshot = {
  ...snapshot,
  version: `${snapshot.version}+ending-protocol`,
  overlays: [
    {
      id: 'bench-protocol',
      name: 'A protocol that ends',
      basis: { type: 'local-protocol', reference: 'benchmark protocol' },
      startDate: '2024-06-01',
      endDate: '2024-09-30',
      rules: { 'review-conference': { enabled: false, standIn: 'core-group' } },
    },
  ],
};
for (const [label, policies] of [
  ['national 2026.1, conventions 1 (baseline)', [previous]],
  ['national 2026.2, conventions 2', [snapshot]],
  ['2026.2 with a protocol that ends', [ending]],
] as const) {
  const result = evaluateCase({ facts, policies, now });
  console.log(`two-year case under ${label}: ${facts.events.length} events, ${result.obligations.length} obligations, ${result.messagesDue.length} messages due`);
  measure(`  whole-case evaluation, all messages unsent`, 3, () => {
    evaluateCase({ facts, policies, now });
  });
  const sentFacts: CaseFacts = { ...facts, sent: result.messagesDue.map((m) => ({ messageId: m.messageId, sentAt: now })) };
  measure(`  whole-case evaluation, all messages sent`, 3, () => {
    evaluateCase({ facts: sentFacts, policies, now });
  });
}
