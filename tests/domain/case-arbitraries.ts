/**
 * Random cases for property tests: up to 40 events of every kind over two years, with a few
 * meeting, incident, complaint and hold ids so that events refer to each other.
 */
import fc from 'fast-check';
import type { CaseEvent } from '../../domain/facts';
import { CONTACT_TYPES, LEGAL_STATUSES, MEETING_TYPES, OBLIGATION_KINDS, PLACEMENT_TYPES, RISK_TIERS } from '../../domain/kinds';

const START = Date.parse('2025-01-01T00:00:00.000Z');
const SPAN_MINUTES = 2 * 365 * 24 * 60;
const by = 'worker-1';
const reason = 'because';

/** An instant in 2025–2026 to the minute. */
export const instant = fc.integer({ min: 0, max: SPAN_MINUTES }).map((m) => new Date(START + m * 60_000).toISOString());
const meetingId = fc.constantFrom('m1', 'm2', 'm3');
const incidentId = fc.constantFrom('i1', 'i2');
const complaintId = fc.constantFrom('c1', 'c2');
const holdId = fc.constantFrom('h1', 'h2');
const stage = fc.constantFrom(1 as const, 2 as const);
const anyStage = fc.constantFrom(1 as const, 2 as const, 3 as const);
const laterDays = fc.integer({ min: 1, max: 60 });

export const event: fc.Arbitrary<CaseEvent> = fc.oneof(
  fc.record({ at: instant, tier: fc.constantFrom(...RISK_TIERS) }).map((e): CaseEvent => ({ type: 'tier-set', by, reason, ...e })),
  fc.record({ at: instant, contactType: fc.constantFrom(...CONTACT_TYPES) }).map((e): CaseEvent => ({ type: 'contact', by, ...e })),
  fc.record({ at: instant, contactType: fc.constant('visit' as const) }).map((e): CaseEvent => ({ type: 'contact', by, ...e })),
  instant.map((at): CaseEvent => ({ type: 'strategy-discussion', at, by })),
  fc.record({ at: instant, s47Started: fc.boolean() }).map((e): CaseEvent => ({ type: 'strategy-discussion', by, ...e })),
  fc.record({ at: instant, reviewNumber: fc.integer({ min: 1, max: 6 }) }).map((e): CaseEvent => ({ type: 'meeting-held', meetingType: 'cic-review', by, ...e })),
  fc
    .record({
      at: instant,
      meetingType: fc.constantFrom(...MEETING_TYPES),
      outcome: fc.constantFrom('cp-plan' as const, 'no-plan' as const, 'plan-ended' as const, undefined),
      meetingId: fc.option(meetingId, { nil: undefined }),
    })
    .map((e): CaseEvent => ({ type: 'meeting-held', at: e.at, by, meetingType: e.meetingType, ...(e.outcome ? { outcome: e.outcome } : {}), ...(e.meetingId ? { meetingId: e.meetingId } : {}) })),
  fc
    .record({ at: instant, meetingId, meetingType: fc.constantFrom(...MEETING_TYPES), days: laterDays })
    .map((e): CaseEvent => ({ type: 'meeting-scheduled', at: e.at, by, meetingId: e.meetingId, meetingType: e.meetingType, scheduledFor: new Date(Date.parse(e.at) + e.days * 86_400_000).toISOString() })),
  fc
    .record({ at: instant, meetingId, days: laterDays })
    .map((e): CaseEvent => ({ type: 'meeting-postponed', at: e.at, by, meetingId: e.meetingId, reason, newDate: new Date(Date.parse(e.at) + e.days * 86_400_000).toISOString() })),
  fc.record({ at: instant, meetingId }).map((e): CaseEvent => ({ type: 'meeting-cancelled', by, reason, ...e })),
  fc.record({ at: instant, meetingId }).map((e): CaseEvent => ({ type: 'pre-meeting-held', by, ...e })),
  fc.record({ at: instant, meetingId }).map((e): CaseEvent => ({ type: 'report-submitted', by, reportType: 'iro-report', ...e })),
  fc.record({ at: instant, incidentId }).map((e): CaseEvent => ({ type: 'incident-reported', by, ...e })),
  fc.record({ at: instant, incidentId }).map((e): CaseEvent => ({ type: 'incident-notified', by, ...e })),
  fc.record({ at: instant, incidentId }).map((e): CaseEvent => ({ type: 'rapid-review-completed', by, ...e })),
  instant.map((at): CaseEvent => ({ type: 'child-returned', at, by })),
  instant.map((at): CaseEvent => ({ type: 'return-interview-held', at, by })),
  instant.map((at): CaseEvent => ({ type: 'referral-received', at, by })),
  instant.map((at): CaseEvent => ({ type: 'referral-decided', at, by })),
  instant.map((at): CaseEvent => ({ type: 'assessment-completed', at, by })),
  instant.map((at): CaseEvent => ({ type: 'looked-after-started', at, by })),
  instant.map((at): CaseEvent => ({ type: 'looked-after-ended', at, by })),
  instant.map((at): CaseEvent => ({ type: 'placement-started', at, by, placementId: 'p1' })),
  fc
    .record({ at: instant, placementType: fc.constantFrom(...PLACEMENT_TYPES), legalStatus: fc.option(fc.constantFrom(...LEGAL_STATUSES), { nil: undefined }) })
    .map((e): CaseEvent => ({ type: 'placement-started', at: e.at, by, placementId: 'p2', placementType: e.placementType, ...(e.legalStatus ? { legalStatus: e.legalStatus } : {}) })),
  fc.record({ at: instant, complaintId, stage: anyStage }).map((e): CaseEvent => ({ type: 'complaint-received', by, ...e })),
  fc.record({ at: instant, complaintId, stage: anyStage }).map((e): CaseEvent => ({ type: 'complaint-responded', by, ...e })),
  fc.record({ at: instant, complaintId }).map((e): CaseEvent => ({ type: 'complaint-panel-held', by, ...e })),
  fc.record({ at: instant, complaintId }).map((e): CaseEvent => ({ type: 'complaint-panel-reported', by, ...e })),
  fc.record({ at: instant, complaintId, stage }).map((e): CaseEvent => ({ type: 'complaint-extended', by, reason, ...e })),
  fc
    .record({ at: instant, holdId, kind: fc.option(fc.constantFrom(...OBLIGATION_KINDS), { nil: undefined }) })
    .map((e): CaseEvent => ({ type: 'hold-started', at: e.at, by, holdId: e.holdId, reason, ...(e.kind ? { kind: e.kind } : {}) })),
  fc.record({ at: instant, holdId }).map((e): CaseEvent => ({ type: 'hold-ended', by, ...e })),
  fc
    .record({ at: instant, obligationId: fc.constantFrom('complaint-stage-1@c1', 'serious-incident-notification@i1', 'rapid-review@i2'), level: fc.integer({ min: 1, max: 2 }) })
    .map((e): CaseEvent => ({ type: 'escalation-acknowledged', by, ...e })),
  fc.record({ at: instant, obligationId: fc.constantFrom('complaint-stage-1@c1', 'complaint-stage-2@c2', 'rapid-review@i1') }).map((e): CaseEvent => ({ type: 'obligation-waived', by, reason, ...e })),
);

export const caseInput = fc.record({ events: fc.array(event, { maxLength: 40 }), now: instant });
