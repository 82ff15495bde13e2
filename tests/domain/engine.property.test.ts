import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WorkingDayCalendar } from '../../domain/calendar';
import { localDateOf, toLocalIso } from '../../domain/durations';
import { caseInput } from './case-arbitraries';
import { evaluate, NATIONAL } from './engine-fixtures';

const calendar = WorkingDayCalendar.fromHolidays(NATIONAL.bankHolidays);
const PARAMS = { numRuns: 150 };

describe('deadline engine properties', () => {
  it('no after-trigger deadline falls before its trigger', () => {
    fc.assert(
      fc.property(caseInput, ({ events, now }) => {
        for (const o of evaluate(events, now).obligations) {
          if (NATIONAL.baseline[o.kind]!.direction === 'after-trigger') expect(o.dueAt > o.triggeredAt).toBe(true);
        }
      }),
      PARAMS,
    );
  });

  it('no working-day deadline falls on a non-working day, and each ends at 23:59:59.999 London time', () => {
    fc.assert(
      fc.property(caseInput, ({ events, now }) => {
        for (const o of evaluate(events, now).obligations) {
          if (NATIONAL.baseline[o.kind]!.deadline.workingDays === undefined) continue;
          expect(calendar.isWorkingDay(localDateOf(o.dueAt))).toBe(true);
          expect(toLocalIso(o.dueAt).slice(11, 23)).toBe('23:59:59.999');
        }
      }),
      PARAMS,
    );
  });

  it('nextWakeAt is never at or before now', () => {
    fc.assert(
      fc.property(caseInput, ({ events, now }) => {
        const { nextWakeAt } = evaluate(events, now);
        if (nextWakeAt !== null) expect(nextWakeAt > now).toBe(true);
      }),
      PARAMS,
    );
  });

  it('is deterministic: the same facts give the same answer, in whatever order distinct events were recorded', () => {
    fc.assert(
      fc.property(caseInput, fc.integer(), ({ events, now }, seed) => {
        const first = evaluate(events, now);
        expect(evaluate(events, now)).toEqual(first);
        const distinct = events.filter((e, i) => events.findIndex((f) => f.at === e.at) === i);
        const rotated = [...distinct.slice(Math.abs(seed) % (distinct.length || 1)), ...distinct.slice(0, Math.abs(seed) % (distinct.length || 1))];
        expect(evaluate(rotated, now)).toEqual(evaluate(distinct, now));
      }),
      PARAMS,
    );
  });

  it('never asks again for a message already sent', () => {
    fc.assert(
      fc.property(caseInput, fc.array(fc.boolean(), { maxLength: 50 }), ({ events, now }, picks) => {
        const due = evaluate(events, now).messagesDue.map((m) => m.messageId);
        const sent = due.filter((_, i) => picks[i] ?? true);
        const again = evaluate(events, now, { sent });
        for (const m of again.messagesDue) expect(sent).not.toContain(m.messageId);
        expect(new Set(again.messagesDue.map((m) => m.messageId)).size).toBe(again.messagesDue.length);
      }),
      PARAMS,
    );
  });
});
