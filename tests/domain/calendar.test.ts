/**
 * The working-day conventions of the README, "How time is counted", with every expected instant
 * worked out by hand (the counting is written beside each case). BST is UTC+1, GMT is UTC+0:
 * the end of a BST day is 22:59:59.999Z, the end of a GMT day 23:59:59.999Z.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BANK_HOLIDAYS_FIRST_YEAR, BANK_HOLIDAYS_LAST_YEAR, ENGLAND_AND_WALES_BANK_HOLIDAYS } from '../../domain/bank-holidays';
import { CalendarCoverageError, WorkingDayCalendar, type BankHoliday } from '../../domain/calendar';
import { BankHolidaySchema } from '../../domain/calendar-schemas';

const calendar = WorkingDayCalendar.englandAndWales();

/** England and Wales 2031, by the standing rules (Easter Sunday 2031 is 13 April). */
const HOLIDAYS_2031: BankHoliday[] = [
  { date: '2031-01-01', name: "New Year's Day" },
  { date: '2031-04-11', name: 'Good Friday' },
  { date: '2031-04-14', name: 'Easter Monday' },
  { date: '2031-05-05', name: 'Early May bank holiday' },
  { date: '2031-05-26', name: 'Spring bank holiday' },
  { date: '2031-08-25', name: 'Summer bank holiday' },
  { date: '2031-12-25', name: 'Christmas Day' },
  { date: '2031-12-26', name: 'Boxing Day' },
];

describe('shipped bank holidays', () => {
  it('cover 2015 to 2030, sorted, one per date, all valid and on weekdays', () => {
    expect(BANK_HOLIDAYS_FIRST_YEAR).toBe(2015);
    expect(BANK_HOLIDAYS_LAST_YEAR).toBe(2030);
    expect(calendar.firstYear).toBe(2015);
    expect(calendar.lastYear).toBe(2030);
    const dates = ENGLAND_AND_WALES_BANK_HOLIDAYS.map((h) => h.date);
    expect(dates).toEqual([...new Set(dates)].sort());
    expect(calendar.holidays).toEqual(ENGLAND_AND_WALES_BANK_HOLIDAYS);
    for (const holiday of ENGLAND_AND_WALES_BANK_HOLIDAYS) {
      expect(BankHolidaySchema.safeParse(holiday).success).toBe(true);
      const weekday = new Date(`${holiday.date}T12:00:00Z`).getUTCDay();
      expect([0, 6], `${holiday.date} ${holiday.name} falls on a weekend`).not.toContain(weekday);
    }
  });

  it('have 8 bank holidays a year, except the one-off years 2022 (10) and 2023 (9)', () => {
    const perYear = new Map<number, number>();
    for (const h of ENGLAND_AND_WALES_BANK_HOLIDAYS) {
      const year = Number(h.date.slice(0, 4));
      perYear.set(year, (perYear.get(year) ?? 0) + 1);
    }
    for (let year = 2015; year <= 2030; year++) {
      expect(perYear.get(year), String(year)).toBe(year === 2022 ? 10 : year === 2023 ? 9 : 8);
    }
  });

  it('holidays are plain JSON that round-trips into an identical calendar', () => {
    const frozen = JSON.parse(JSON.stringify(calendar.holidays)) as BankHoliday[];
    const replayed = WorkingDayCalendar.fromHolidays(frozen);
    expect(replayed.holidays).toEqual(calendar.holidays);
    expect(replayed.addWorkingDays('2026-12-23T16:00:00.000Z', 15)).toBe(calendar.addWorkingDays('2026-12-23T16:00:00.000Z', 15));
  });
});

describe('one-off bank holidays', () => {
  it('2020: VE day Friday 8 May replaced Monday 4 May', () => {
    expect(calendar.bankHolidayName('2020-05-08')).toBe('Early May bank holiday (VE day)');
    expect(calendar.isWorkingDay('2020-05-04')).toBe(true);
    // Thu 7 May 2020 (day 0); Fri 8 holiday; Sat, Sun; Mon 11 May = day 1.
    expect(calendar.addWorkingDays('2020-05-07T08:00:00.000Z', 1)).toBe('2020-05-11T22:59:59.999Z');
  });

  it('2022: spring bank holiday moved to Thursday 2 June, Platinum Jubilee on Friday 3 June', () => {
    expect(calendar.bankHolidayName('2022-06-02')).toBe('Spring bank holiday');
    expect(calendar.isBankHoliday('2022-06-03')).toBe(true);
    expect(calendar.isWorkingDay('2022-05-30')).toBe(true);
    // Wed 1 June 2022 (day 0); Thu 2 and Fri 3 holidays; Mon 6 June = day 1.
    expect(calendar.addWorkingDays('2022-06-01T09:00:00.000Z', 1)).toBe('2022-06-06T22:59:59.999Z');
  });

  it('2022: State Funeral of Queen Elizabeth II on Monday 19 September', () => {
    expect(calendar.bankHolidayName('2022-09-19')).toBe('Bank Holiday for the State Funeral of Queen Elizabeth II');
    // Fri 16 Sep 2022 (day 0); Mon 19 holiday; Tue 20 Sep = day 1.
    expect(calendar.addWorkingDays('2022-09-16T09:00:00.000Z', 1)).toBe('2022-09-20T22:59:59.999Z');
  });

  it('2023: Coronation of King Charles III on Monday 8 May', () => {
    expect(calendar.bankHolidayName('2023-05-08')).toBe('Bank holiday for the coronation of King Charles III');
    expect(calendar.isBankHoliday('2023-05-01')).toBe(true);
    // Fri 5 May 2023 (day 0); Mon 8 holiday; Tue 9 May = day 1.
    expect(calendar.addWorkingDays('2023-05-05T09:00:00.000Z', 1)).toBe('2023-05-09T22:59:59.999Z');
  });
});

describe('Christmas and Boxing Day substitutes', () => {
  it('2021 (Saturday and Sunday): substitutes Monday 27 and Tuesday 28 December, New Year on Monday 3 January', () => {
    expect(calendar.isBankHoliday('2021-12-25')).toBe(false); // a Saturday: not a working day, not the bank holiday
    expect(calendar.isWorkingDay('2021-12-25')).toBe(false);
    expect(calendar.bankHolidayName('2021-12-27')).toBe('Christmas Day (substitute day)');
    expect(calendar.bankHolidayName('2021-12-28')).toBe('Boxing Day (substitute day)');
    expect(calendar.bankHolidayName('2022-01-03')).toBe("New Year's Day (substitute day)");
    // Fri 24 Dec 2021 (day 0); Mon 27, Tue 28 out; Wed 29 (1), Thu 30 (2), Fri 31 (3);
    // Mon 3 Jan out; Tue 4 (4), Wed 5 Jan 2022 (5). GMT.
    expect(calendar.addWorkingDays('2021-12-24T12:00:00.000Z', 5)).toBe('2022-01-05T23:59:59.999Z');
  });

  it('2022 (Sunday and Monday): Boxing Day Monday 26, Christmas substitute Tuesday 27 December', () => {
    expect(calendar.bankHolidayName('2022-12-26')).toBe('Boxing Day');
    expect(calendar.bankHolidayName('2022-12-27')).toBe('Christmas Day (substitute day)');
    expect(calendar.bankHolidayName('2023-01-02')).toBe("New Year's Day (substitute day)");
    // Fri 23 Dec 2022 (day 0); Mon 26, Tue 27 out; Wed 28 (1), Thu 29 (2), Fri 30 (3);
    // Mon 2 Jan out; Tue 3 (4), Wed 4 Jan 2023 (5).
    expect(calendar.addWorkingDays('2022-12-23T12:00:00.000Z', 5)).toBe('2023-01-04T23:59:59.999Z');
    // ... Thu 5 (6), Fri 6 (7), Mon 9 (8), Tue 10 (9), Wed 11 (10), Thu 12 (11), Fri 13 (12),
    // Mon 16 (13), Tue 17 (14), Wed 18 Jan 2023 (15).
    expect(calendar.addWorkingDays('2022-12-23T12:00:00.000Z', 15)).toBe('2023-01-18T23:59:59.999Z');
  });

  it('2026 (Friday and Saturday): Boxing Day substitute Monday 28 December', () => {
    expect(calendar.bankHolidayName('2026-12-28')).toBe('Boxing Day (substitute day)');
    // Wed 23 Dec 2026 16:00 (day 0); Thu 24 (1); Fri 25, Mon 28 out; Tue 29 (2), Wed 30 (3),
    // Thu 31 (4); Fri 1 Jan out; Mon 4 Jan 2027 (5).
    expect(calendar.addWorkingDays('2026-12-23T16:00:00.000Z', 5)).toBe('2027-01-04T23:59:59.999Z');
    // ... Tue 5 (6), Wed 6 (7), Thu 7 (8), Fri 8 (9), Mon 11 (10), Tue 12 (11), Wed 13 (12),
    // Thu 14 (13), Fri 15 (14), Mon 18 Jan 2027 (15).
    expect(calendar.addWorkingDays('2026-12-23T16:00:00.000Z', 15)).toBe('2027-01-18T23:59:59.999Z');
  });
});

describe('Easter', () => {
  it('2024: Good Friday 29 March and Easter Monday 1 April; clocks go forward on Easter Sunday', () => {
    expect(calendar.bankHolidayName('2024-03-29')).toBe('Good Friday');
    expect(calendar.bankHolidayName('2024-04-01')).toBe('Easter Monday');
    // Thu 28 Mar 2024 14:00 GMT (day 0); Fri 29, Mon 1 out; Tue 2 (1), Wed 3 (2), Thu 4 (3),
    // Fri 5 (4), Mon 8 April (5), in BST.
    expect(calendar.addWorkingDays('2024-03-28T14:00:00.000Z', 5)).toBe('2024-04-08T22:59:59.999Z');
  });

  it('2025: Good Friday 18 April and Easter Monday 21 April, then the early May bank holiday', () => {
    expect(calendar.bankHolidayName('2025-04-18')).toBe('Good Friday');
    expect(calendar.bankHolidayName('2025-04-21')).toBe('Easter Monday');
    // Wed 16 Apr 2025 09:00 BST (day 0); Thu 17 (1); Fri 18, Mon 21 out; Tue 22 (2), Wed 23 (3),
    // Thu 24 (4), Fri 25 (5).
    expect(calendar.addWorkingDays('2025-04-16T08:00:00.000Z', 5)).toBe('2025-04-25T22:59:59.999Z');
    // ... Mon 28 (6), Tue 29 (7), Wed 30 (8), Thu 1 May (9), Fri 2 (10); Mon 5 May out;
    // Tue 6 (11), Wed 7 (12), Thu 8 (13), Fri 9 (14), Mon 12 May (15).
    expect(calendar.addWorkingDays('2025-04-16T08:00:00.000Z', 15)).toBe('2025-05-12T22:59:59.999Z');
  });

  it('2026: 5 and 15 working days from Wednesday 1 April', () => {
    // Wed 1 Apr 2026 10:00 BST (day 0); Thu 2 (1); Fri 3, Mon 6 out; Tue 7 (2), Wed 8 (3),
    // Thu 9 (4), Fri 10 (5).
    expect(calendar.addWorkingDays('2026-04-01T09:00:00.000Z', 5)).toBe('2026-04-10T22:59:59.999Z');
    // ... Mon 13 (6) ... Fri 17 (10), Mon 20 (11) ... Fri 24 April (15).
    expect(calendar.addWorkingDays('2026-04-01T09:00:00.000Z', 15)).toBe('2026-04-24T22:59:59.999Z');
  });
});

describe('day 0 is the trigger’s local date, whatever day it is', () => {
  it('trigger on a Saturday evening before the clocks go forward', () => {
    // Sat 28 Mar 2026 20:30 GMT (day 0); Mon 30 Mar (1) in BST.
    expect(calendar.addWorkingDays('2026-03-28T20:30:00.000Z', 1)).toBe('2026-03-30T22:59:59.999Z');
    // Tue 31 (2), Wed 1 Apr (3), Thu 2 (4); Fri 3, Mon 6 out; Tue 7 April (5).
    expect(calendar.addWorkingDays('2026-03-28T20:30:00.000Z', 5)).toBe('2026-04-07T22:59:59.999Z');
  });

  it('trigger on a bank holiday', () => {
    // Good Friday 3 Apr 2026 11:00 BST (day 0); Mon 6 out; Tue 7 April (1).
    expect(calendar.addWorkingDays('2026-04-03T10:00:00.000Z', 1)).toBe('2026-04-07T22:59:59.999Z');
    // n = 0 is the end of the trigger's own day, even a bank holiday.
    expect(calendar.addWorkingDays('2026-04-03T10:00:00.000Z', 0)).toBe('2026-04-03T22:59:59.999Z');
  });

  it('late evening: the local date, not the UTC date, is day 0', () => {
    // 23:30Z on Thu 4 June 2026 is 00:30 BST on Fri 5 June (day 0); Mon 8 June (1).
    expect(calendar.addWorkingDays('2026-06-04T23:30:00.000Z', 1)).toBe('2026-06-08T22:59:59.999Z');
    // 22:30Z on Thu 4 June is 23:30 BST the same Thursday (day 0); Fri 5 June (1).
    expect(calendar.addWorkingDays('2026-06-04T22:30:00.000Z', 1)).toBe('2026-06-05T22:59:59.999Z');
    // In winter 23:30Z is 23:30 GMT: Thu 10 Dec 2026 (day 0); Fri 11 Dec (1).
    expect(calendar.addWorkingDays('2026-12-10T23:30:00.000Z', 1)).toBe('2026-12-11T23:59:59.999Z');
  });

  it('accepts an instant with an offset and reads it on the London clock', () => {
    // 00:30+01:00 on Fri 5 June is the same instant as the late-evening case above.
    expect(calendar.addWorkingDays('2026-06-05T00:30:00+01:00', 1)).toBe('2026-06-08T22:59:59.999Z');
  });
});

describe('end of day across the clock changes', () => {
  it('last Sunday of March (clocks go forward at 01:00 GMT): the day still ends at 23:59:59.999 BST', () => {
    expect(calendar.addWorkingDays('2026-03-29T00:30:00.000Z', 0)).toBe('2026-03-29T22:59:59.999Z');
    expect(calendar.addWorkingDays('2026-03-29T22:30:00.000Z', 0)).toBe('2026-03-29T22:59:59.999Z');
    expect(calendar.subtractWorkingDays('2026-03-29T12:00:00.000Z', 0)).toBe('2026-03-29T22:59:59.999Z');
  });

  it('last Sunday of October (clocks go back at 01:00 GMT): the day still ends at 23:59:59.999 GMT', () => {
    // 23:30Z on Sat 24 Oct 2026 is 00:30 BST on Sunday 25 October.
    expect(calendar.addWorkingDays('2026-10-24T23:30:00.000Z', 0)).toBe('2026-10-25T23:59:59.999Z');
    expect(calendar.addWorkingDays('2026-10-25T23:30:00.000Z', 0)).toBe('2026-10-25T23:59:59.999Z');
    // Fri 23 Oct 2026 (day 0, BST); Mon 26 Oct (1), GMT.
    expect(calendar.addWorkingDays('2026-10-23T15:00:00.000Z', 1)).toBe('2026-10-26T23:59:59.999Z');
  });

  it('counting back across the spring change', () => {
    // Meeting Tue 31 Mar 2026 10:00 BST (day 0); Mon 30 (1), Fri 27 March (2), in GMT.
    expect(calendar.subtractWorkingDays('2026-03-31T09:00:00.000Z', 2)).toBe('2026-03-27T23:59:59.999Z');
  });

  it('endOfWorkingDayOnOrAfter across both changes', () => {
    expect(calendar.endOfWorkingDayOnOrAfter('2026-03-29T12:00:00.000Z')).toBe('2026-03-30T22:59:59.999Z');
    expect(calendar.endOfWorkingDayOnOrAfter('2026-10-25T12:00:00.000Z')).toBe('2026-10-26T23:59:59.999Z');
    // A working day: the end of that same day.
    expect(calendar.endOfWorkingDayOnOrAfter('2026-03-27T08:00:00.000Z')).toBe('2026-03-27T23:59:59.999Z');
    // Christmas Eve 2026 late evening (Thursday, working): that day.
    expect(calendar.endOfWorkingDayOnOrAfter('2026-12-24T23:00:00.000Z')).toBe('2026-12-24T23:59:59.999Z');
    // Christmas Day 2026: Fri 25, Sat, Sun, Mon 28 out → Tue 29.
    expect(calendar.endOfWorkingDayOnOrAfter('2026-12-25T10:00:00.000Z')).toBe('2026-12-29T23:59:59.999Z');
  });
});

describe('counting back from a meeting', () => {
  it('2 working days before a conference just after Easter', () => {
    // Conference Tue 7 Apr 2026 10:00 BST (day 0); Mon 6 and Fri 3 out; Thu 2 (1), Wed 1 April (2).
    expect(calendar.subtractWorkingDays('2026-04-07T09:00:00.000Z', 2)).toBe('2026-04-01T22:59:59.999Z');
  });

  it('2 working days before a conference just after Christmas', () => {
    // Conference Tue 29 Dec 2026 (day 0); Mon 28 and Fri 25 out; Thu 24 (1), Wed 23 December (2).
    expect(calendar.subtractWorkingDays('2026-12-29T10:00:00.000Z', 2)).toBe('2026-12-23T23:59:59.999Z');
  });

  it('counting back from a meeting on a Saturday', () => {
    // Sat 10 Oct 2026 (day 0); Fri 9 (1).
    expect(calendar.subtractWorkingDays('2026-10-10T10:00:00.000Z', 1)).toBe('2026-10-09T22:59:59.999Z');
  });
});

describe('days', () => {
  it('lists Christmas 2026 with weekday, working and bank holiday name', () => {
    expect(calendar.days('2026-12-24', '2026-12-29')).toEqual([
      { date: '2026-12-24', weekday: 'Thursday', working: true },
      { date: '2026-12-25', weekday: 'Friday', working: false, bankHoliday: 'Christmas Day' },
      { date: '2026-12-26', weekday: 'Saturday', working: false },
      { date: '2026-12-27', weekday: 'Sunday', working: false },
      { date: '2026-12-28', weekday: 'Monday', working: false, bankHoliday: 'Boxing Day (substitute day)' },
      { date: '2026-12-29', weekday: 'Tuesday', working: true },
    ]);
  });

  it('a single day, and across a year boundary', () => {
    expect(calendar.days('2027-01-01', '2027-01-01')).toEqual([{ date: '2027-01-01', weekday: 'Friday', working: false, bankHoliday: "New Year's Day" }]);
    expect(calendar.days('2026-12-31', '2027-01-04').map((d) => d.date)).toEqual(['2026-12-31', '2027-01-01', '2027-01-02', '2027-01-03', '2027-01-04']);
  });

  it('refuses a reversed range and impossible dates', () => {
    expect(() => calendar.days('2026-12-29', '2026-12-24')).toThrow(/after/);
    expect(() => calendar.days('2026-02-30', '2026-03-02')).toThrow(/calendar date/);
    expect(() => calendar.isWorkingDay('26-12-25')).toThrow(/calendar date/);
  });
});

describe('coverage', () => {
  it('refuses to count into a year it does not know, naming the year', () => {
    // Fri 20 Dec 2030 + 15 working days runs into 2031.
    expect(() => calendar.addWorkingDays('2030-12-20T12:00:00.000Z', 15)).toThrow(CalendarCoverageError);
    expect(() => calendar.addWorkingDays('2030-12-20T12:00:00.000Z', 15)).toThrow(/no England and Wales bank holidays are known for 2031.*configure the extra bank holidays for 2031/);
    expect(() => calendar.subtractWorkingDays('2015-01-05T12:00:00.000Z', 3)).toThrow(/known for 2014/);
    expect(() => calendar.isWorkingDay('2031-06-02')).toThrow(/2031/);
    expect(() => calendar.isWorkingDay('2031-06-07')).toThrow(/2031/); // even a Saturday: the year is unknown
    expect(() => calendar.days('2030-12-30', '2031-01-02')).toThrow(/2031/);
  });

  it('counts into a later year once its bank holidays are configured', () => {
    const extended = WorkingDayCalendar.englandAndWales(HOLIDAYS_2031);
    expect(extended.lastYear).toBe(2031);
    expect(extended.holidays).toHaveLength(ENGLAND_AND_WALES_BANK_HOLIDAYS.length + HOLIDAYS_2031.length);
    // Fri 20 Dec 2030 (day 0): Mon 23 (1), Tue 24 (2), Fri 27 (3), Mon 30 (4), Tue 31 (5),
    // Thu 2 Jan (6), Fri 3 (7), Mon 6 (8) ... Fri 10 (12), Mon 13 (13), Tue 14 (14), Wed 15 Jan 2031 (15).
    expect(extended.addWorkingDays('2030-12-20T12:00:00.000Z', 15)).toBe('2031-01-15T23:59:59.999Z');
    expect(() => extended.isWorkingDay('2032-01-05')).toThrow(/2032/);
  });

  it('keeps the shipped name when an extra repeats a shipped date, and sorts', () => {
    const extended = WorkingDayCalendar.englandAndWales([{ date: '2031-12-26', name: 'Boxing Day' }, ...HOLIDAYS_2031, { date: '2026-12-25', name: 'Christmas (duplicate)' }]);
    expect(extended.bankHolidayName('2026-12-25')).toBe('Christmas Day');
    const dates = extended.holidays.map((h) => h.date);
    expect(dates).toEqual([...new Set(dates)].sort());
  });

  it('refuses a list with a year missing in the middle, or an invalid entry', () => {
    expect(() => WorkingDayCalendar.englandAndWales([{ date: '2032-01-01', name: "New Year's Day" }])).toThrow(/no bank holidays are given for 2031/);
    expect(() => WorkingDayCalendar.fromHolidays([])).toThrow(/at least one/);
    expect(() => WorkingDayCalendar.englandAndWales([{ date: '2031-02-29', name: 'Leap' }])).toThrow(/bank holiday #132.*date/);
    expect(() => WorkingDayCalendar.englandAndWales([{ date: '2031-01-01', name: '  ' }])).toThrow(/name must not be empty/);
  });

  it('refuses bad counts and instants without an offset', () => {
    expect(() => calendar.addWorkingDays('2026-04-01T09:00:00.000Z', -1)).toThrow(/0 or more/);
    expect(() => calendar.addWorkingDays('2026-04-01T09:00:00.000Z', 1.5)).toThrow(/whole number/);
    expect(() => calendar.subtractWorkingDays('2026-04-01T09:00:00.000Z', Number.NaN)).toThrow(/whole number/);
    expect(() => calendar.addWorkingDays('2026-04-01T09:00:00', 1)).toThrow(/offset/);
    expect(() => calendar.endOfWorkingDayOnOrAfter('not a date')).toThrow(/offset/);
  });
});

describe('properties', () => {
  const YEAR_START = Date.UTC(2015, 0, 1);
  const YEAR_END = Date.UTC(2030, 9, 1); // leaves room for 60 working days before the end of 2030
  const instant = fc.integer({ min: YEAR_START + 120 * 86_400_000, max: YEAR_END }).map((ms) => new Date(ms).toISOString());
  const count = fc.integer({ min: 0, max: 60 });
  const localDate = (iso: string) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(iso));
  const endOfOwnDay = (iso: string) => calendar.addWorkingDays(iso, 0);

  it('addWorkingDays lands on the end of a working day (n >= 1), never before the trigger', () => {
    fc.assert(
      fc.property(instant, count, (from, n) => {
        const due = calendar.addWorkingDays(from, n);
        expect(due >= from).toBe(true);
        expect(due).toBe(endOfOwnDay(due)); // always 23:59:59.999 local
        if (n >= 1) expect(calendar.isWorkingDay(localDate(due))).toBe(true);
      }),
    );
  });

  it('addWorkingDays is strictly increasing in n', () => {
    fc.assert(
      fc.property(instant, count, (from, n) => {
        expect(calendar.addWorkingDays(from, n) < calendar.addWorkingDays(from, n + 1)).toBe(true);
      }),
    );
  });

  it('n + m working days is m working days after n working days', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 30 }), (from, n, m) => {
        expect(calendar.addWorkingDays(calendar.addWorkingDays(from, n), m)).toBe(calendar.addWorkingDays(from, n + m));
      }),
    );
  });

  it('subtractWorkingDays (n >= 1) lands on a working day before D, decreasing in n', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 1, max: 60 }), (before, n) => {
        const by = calendar.subtractWorkingDays(before, n);
        expect(by < before).toBe(true);
        expect(localDate(by) < localDate(before)).toBe(true);
        expect(calendar.isWorkingDay(localDate(by))).toBe(true);
        expect(calendar.subtractWorkingDays(before, n + 1) < by).toBe(true);
      }),
    );
  });

  it('round trip: back n from n working days after a working day gives that day', () => {
    fc.assert(
      fc.property(instant, count, (from, n) => {
        fc.pre(calendar.isWorkingDay(localDate(from)));
        expect(calendar.subtractWorkingDays(calendar.addWorkingDays(from, n), n)).toBe(endOfOwnDay(from));
      }),
    );
  });

  it('round trip: forward n from n working days before D gives the first working day on or after D', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 1, max: 60 }), (before, n) => {
        expect(calendar.addWorkingDays(calendar.subtractWorkingDays(before, n), n)).toBe(calendar.endOfWorkingDayOnOrAfter(before));
      }),
    );
  });

  it('endOfWorkingDayOnOrAfter is 1 working day after the previous working day', () => {
    fc.assert(
      fc.property(instant, (at) => {
        const end = calendar.endOfWorkingDayOnOrAfter(at);
        expect(end >= at).toBe(true);
        expect(calendar.isWorkingDay(localDate(end))).toBe(true);
        expect(calendar.addWorkingDays(calendar.subtractWorkingDays(at, 1), 1)).toBe(end);
      }),
    );
  });

  it('days agrees with isWorkingDay and bankHolidayName', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 0, max: 40 }), (at, span) => {
        const from = localDate(at);
        const to = localDate(new Date(Date.parse(at) + span * 86_400_000).toISOString());
        for (const day of calendar.days(from, to)) {
          expect(day.working).toBe(calendar.isWorkingDay(day.date));
          expect(day.bankHoliday).toBe(calendar.bankHolidayName(day.date));
        }
      }),
      { numRuns: 50 },
    );
  });
});
