/**
 * Cross-checks the shipped bank holiday table, year by year, against the date-holidays package.
 *
 * Why date-holidays is a fair independent source: it is a separate, widely used open-source
 * project (commenthol/date-holidays) whose England data is kept as rules in its own YAML
 * (Easter computus for Good Friday and Easter Monday, "1st monday in May", "1st monday before
 * 06-01", "substitutes 12-25 if saturday then next monday ...") plus separately entered one-off
 * days. Our table is a literal list written from gov.uk and the royal proclamations. The two are
 * produced in different ways by different people, so agreement on every date of every year is
 * real evidence, and a typo in our table (or a wrong substitute rule) shows up as a difference.
 * date-holidays is a devDependency: it is used here only, never at run time.
 *
 * The two sources describe substitute days differently: gov.uk (and our table) lists only the
 * days off, while date-holidays lists the holiday itself even when it falls on a weekend (e.g.
 * Christmas Day on Saturday 25 December 2021) as well as its substitute day (Monday 27). A
 * weekend date is never a working day anyway, so we compare Monday-to-Friday dates, and check
 * separately that every weekend holiday of date-holidays has its substitute day in our table.
 */
import Holidays from 'date-holidays';
import { describe, expect, it } from 'vitest';
import { BANK_HOLIDAYS_FIRST_YEAR, BANK_HOLIDAYS_LAST_YEAR, ENGLAND_AND_WALES_BANK_HOLIDAYS } from '../../domain/bank-holidays';

const reference = new Holidays('GB', 'ENG');

function isWeekend(date: string): boolean {
  const day = new Date(`${date}T12:00:00Z`).getUTCDay();
  return day === 0 || day === 6;
}

/** date-holidays' public holidays of England for one year (it returns 'YYYY-MM-DD 00:00:00'). */
function referenceHolidays(year: number): Array<{ date: string; name: string; substitute: boolean }> {
  return reference
    .getHolidays(year)
    .filter((h) => h.type === 'public')
    .map((h) => ({ date: h.date.slice(0, 10), name: h.name, substitute: h.substitute === true }));
}

function shippedHolidays(year: number): Array<{ date: string; name: string }> {
  return ENGLAND_AND_WALES_BANK_HOLIDAYS.filter((h) => h.date.startsWith(`${year}-`));
}

const YEARS = Array.from({ length: BANK_HOLIDAYS_LAST_YEAR - BANK_HOLIDAYS_FIRST_YEAR + 1 }, (_, i) => BANK_HOLIDAYS_FIRST_YEAR + i);

describe('shipped bank holidays agree with date-holidays (GB, ENG, public)', () => {
  it.each(YEARS)('%i: the same weekday bank holidays', (year) => {
    const theirs = referenceHolidays(year)
      .filter((h) => !isWeekend(h.date))
      .map((h) => h.date)
      .sort();
    const ours = shippedHolidays(year).map((h) => h.date);
    expect(ours).toEqual(theirs);
  });

  it.each(YEARS)('%i: every weekend holiday has its substitute day, and ours is named as one', (year) => {
    const theirs = referenceHolidays(year);
    const ours = new Map(shippedHolidays(year).map((h) => [h.date, h.name]));
    for (const holiday of theirs.filter((h) => isWeekend(h.date))) {
      const substitute = theirs.find((h) => h.substitute && h.name.startsWith(holiday.name));
      expect(substitute, `${holiday.date} ${holiday.name} has no substitute day in date-holidays`).toBeDefined();
      expect(ours.get(substitute?.date ?? ''), `substitute for ${holiday.name} ${holiday.date}`).toBe(`${holiday.name} (substitute day)`);
    }
  });

  it('the shipped table holds nothing outside its declared years', () => {
    const inYears = YEARS.flatMap((year) => shippedHolidays(year));
    expect(inYears).toEqual([...ENGLAND_AND_WALES_BANK_HOLIDAYS]);
  });
});
