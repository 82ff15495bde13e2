/**
 * One name per obligation (domain/obligation-names.ts), what to do next for every kind, and the
 * timeline in words (client/timeline-words.ts): people by name and role, obligations by their one
 * name, the import's placeholder ids left out.
 */
import { describe, expect, it } from 'vitest';
import { timelineText } from '../../client/timeline-words';
import { OBLIGATION_KINDS } from '../../domain/kinds';
import { describeCaseEvent, kindLabel, nextStep, recordSummaryOfEvent } from '../../domain/labels';
import { obligationNamer } from '../../domain/obligation-names';
import { loadDefaultSnapshot } from '../../domain/policy-loader';
import { localTime } from '../../domain/wording';
import type { TimelineEntry } from '../../workflows/messages';

const policy = loadDefaultSnapshot();
const at = '2026-03-20T10:00:00Z';
const visitId = `initial-visit-high@${at}`;
const policyTitle = policy.baseline['initial-visit-high']!.title;
const contacts = { 'allocated-worker': { name: 'Sam Worker' }, 'team-manager': { name: 'Tess Manager' }, 'head-of-service': { name: 'Hal Head' } };

describe('one name per obligation', () => {
  it('is the title the case gave it, else its policy title for the kind, else the kind label', () => {
    expect(policyTitle).not.toBe(kindLabel('initial-visit-high')); // the two names this module reconciles
    expect(obligationNamer({ titled: [{ id: visitId, title: 'Visit within 3 minutes (demonstration)' }], policy })(visitId)).toBe('Visit within 3 minutes (demonstration)');
    expect(obligationNamer({ policy })(visitId)).toBe(policyTitle);
    expect(obligationNamer({ policy })('initial-visit-high', 'initial-visit-high')).toBe(policyTitle);
    expect(obligationNamer({})(visitId)).toBe(kindLabel('initial-visit-high'));
    // A code no table knows is shown as it is, never hidden.
    expect(obligationNamer({ policy })('something-new@x')).toBe('something-new@x');
  });

  it('names the acknowledged obligation in the timeline by that name', () => {
    const name = obligationNamer({ policy });
    expect(describeCaseEvent({ type: 'escalation-acknowledged', at, by: 'tess', obligationId: visitId, level: 1 }, { localTime, obligationTitle: name })).toBe(`Escalation level 1 of ${policyTitle} acknowledged`);
  });

  it('has what to do next for every kind', () => {
    for (const kind of OBLIGATION_KINDS) expect(nextStep(kind), kind).toMatch(/^[A-Z].*, then record /);
    expect(nextStep('not-a-kind')).toBeUndefined();
  });
});

describe('the timeline in words', () => {
  const name = obligationNamer({ policy });
  const entry = (e: Partial<TimelineEntry>): TimelineEntry => ({ at, recordedAt: at, by: 'caseclock', entry: 'message', summary: '', ...e });

  it('says whom a message went to by name and role, and about which obligation by its one name', () => {
    const delivery = { messageId: 'm1', sentAt: at, type: 'escalation' as const, level: 2, role: 'head-of-service', obligationId: visitId, kind: 'initial-visit-high', outcome: 'delivered' as const };
    const text = timelineText(entry({ summary: 'Escalation level 2 sent to head-of-service (initial-visit-high)', delivery }), contacts, name);
    expect(text).toBe(`Escalation level 2 sent to Hal Head (head of service): ${policyTitle}`);
  });

  it("puts a note's role codes in words", () => {
    expect(timelineText(entry({ entry: 'details', summary: 'team-manager reassigned' }), contacts, name)).toBe('Tess Manager (team manager) reassigned');
    expect(timelineText(entry({ summary: 'Reminder to allocated-worker withdrawn before the mail server accepted it: no longer needed' }), contacts, name)).toBe(
      'Reminder to Sam Worker (allocated worker) withdrawn before the mail server accepted it: no longer needed',
    );
  });

  it("leaves out the ids an import gives what the previous system knew by none, but keeps the record's own words", () => {
    const placement = { type: 'placement-started' as const, at, by: 'import', placementId: 'IMPORTED', placementType: 'general' as const };
    expect(describeCaseEvent(placement, { localTime })).toBe('Placement started (placement (general))');
    expect(describeCaseEvent({ ...placement, placementId: 'PL-1' }, { localTime })).toBe('Placement PL-1 started (placement (general))');
    const conference = { type: 'meeting-scheduled' as const, at, by: 'import', meetingId: 'CONF-IMPORTED', meetingType: 'icpc' as const, scheduledFor: '2026-04-01T09:00:00Z' };
    expect(describeCaseEvent(conference, { localTime })).toBe(`Initial child protection conference scheduled for ${localTime('2026-04-01T09:00:00Z')}`);
    // The store's summary of an entry is never reworded (domain/labels.ts, recordSummaryOfEvent).
    expect(recordSummaryOfEvent(conference)).toBe('icpc CONF-IMPORTED scheduled for 2026-04-01T09:00:00Z');
  });
});
