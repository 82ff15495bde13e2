/**
 * Holds on working-day clocks (conventions 2), against an independent count: for random triggers,
 * clocks of 1 to 45 working days and random overlapping holds, the deadline is the end of the
 * (N + L)th working day after the trigger's date, where L is the working days the holds covered
 * (each working day's share of its own local length, summed, rounded up). The reference counts
 * with luxon day by day and the date-holidays package's England holidays, not the engine's
 * calendar or its bank-holiday table.
 */
import Holidays from 'date-holidays';
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import type { CaseEvent } from '../../domain/facts';
import { evaluate } from './engine-fixtures';

const ZONE = 'Europe/London';
const england = new Holidays('GB', 'ENG');
const holidays = new Set<string>();
for (let year = 2025; year <= 2028; year++) {
  for (const h of england.getHolidays(year)) if (h.type === 'public') holidays.add(h.date.slice(0, 10));
}

const isWorking = (day: DateTime) => day.weekday <= 5 && !holidays.has(day.toISODate()!);
const localDay = (instant: string) => DateTime.fromISO(instant, { zone: ZONE }).startOf('day');

/** The end (23:59:59.999 London) of the nth working day after the instant's London date. */
function endOfNthWorkingDay(instant: string, n: number): string {
  let day = localDay(instant);
  for (let counted = 0; counted < n;) {
    day = day.plus({ days: 1 });
    if (isWorking(day)) counted++;
  }
  return day.endOf('day').toUTC().toISO()!;
}

/** Working days a period covers: each working day's share of its own length (23, 24 or 25 hours). */
function workingDaysCovered(start: number, end: number): number {
  let covered = 0;
  for (let day = localDay(new Date(start).toISOString()); day.toMillis() < end; day = day.plus({ days: 1 })) {
    if (!isWorking(day)) continue;
    const next = day.plus({ days: 1 }).toMillis();
    const overlap = Math.min(end, next) - Math.max(start, day.toMillis());
    if (overlap > 0) covered += overlap / (next - day.toMillis());
  }
  return covered;
}

/** Overlapping holds count once. */
function union(periods: Array<[number, number]>): Array<[number, number]> {
  const sorted = [...periods].sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const [s, e] of sorted) {
    const last = merged[merged.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else merged.push([s, e]);
  }
  return merged;
}

const by = 'worker-1';
const MINUTE = 60_000;
const START = Date.parse('2026-01-01T00:00:00.000Z');

/** Each a working-day clock of the national policy and the event that starts it. */
const CLOCKS = [
  { kind: 'referral-decision', workingDays: 1, start: (at: string): CaseEvent => ({ type: 'referral-received', at, by }) },
  { kind: 'complaint-stage-1', workingDays: 10, start: (at: string): CaseEvent => ({ type: 'complaint-received', at, by, complaintId: 'c1', stage: 1 }) },
  { kind: 'icpc', workingDays: 15, start: (at: string): CaseEvent => ({ type: 'strategy-discussion', at, by }) },
  { kind: 'complaint-stage-3-panel', workingDays: 30, start: (at: string): CaseEvent => ({ type: 'complaint-received', at, by, complaintId: 'c3', stage: 3 }) },
  { kind: 'assessment', workingDays: 45, start: (at: string): CaseEvent => ({ type: 'referral-received', at, by }) },
] as const;

const scenario = fc.record({
  clock: fc.constantFrom(...CLOCKS),
  trigger: fc.integer({ min: 0, max: 2 * 365 * 24 * 60 }).map((m) => START + m * MINUTE),
  holds: fc.array(fc.record({ offset: fc.integer({ min: -5 * 24 * 60, max: 60 * 24 * 60 }), length: fc.integer({ min: 1, max: 12 * 24 * 60 }) }), { maxLength: 4 }),
});

describe('a hold on a working-day clock gives back the working days it covered', () => {
  it('matches an independent working-day count', () => {
    fc.assert(
      fc.property(scenario, ({ clock, trigger, holds }) => {
        const at = new Date(trigger).toISOString();
        const periods = holds.map(({ offset, length }): [number, number] => [trigger + offset * MINUTE, trigger + (offset + length) * MINUTE]);
        const events: CaseEvent[] = [clock.start(at)];
        periods.forEach(([s, e], i) => {
          events.push({ type: 'hold-started', at: new Date(s).toISOString(), by, holdId: `h${i}`, reason: 'child in hospital' });
          events.push({ type: 'hold-ended', at: new Date(e).toISOString(), by, holdId: `h${i}` });
        });
        const now = new Date(trigger + 200 * 24 * 60 * MINUTE).toISOString();
        const found = evaluate(events, now).obligations.find((o) => o.kind === clock.kind);
        expect(found, `${clock.kind} should be open`).toBeDefined();

        // Time on hold counts only after the trigger (a hold begun before it pauses the clock from its start).
        const covered = union(periods.map(([s, e]): [number, number] => [Math.max(s, trigger), e]).filter(([s, e]) => e > s)).reduce((sum, [s, e]) => sum + workingDaysCovered(s, e), 0);
        const lost = Math.ceil(covered - 1e-9);
        const expected = endOfNthWorkingDay(at, clock.workingDays + lost);
        expect(found!.dueAt).toBe(expected);
        expect(found!.dueAt >= endOfNthWorkingDay(at, clock.workingDays)).toBe(true);
      }),
      { numRuns: 400 },
    );
  });
});
