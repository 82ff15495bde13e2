/**
 * Dates and times as an administrator types them (domain/as-typed.ts), the one reading the import
 * and the command line share: UK local day/month/year, ISO local in UK time, an instant with an
 * offset; each refusal in words, with the expected form, and a month/day date called so.
 */
import { describe, expect, it } from 'vitest';
import { DATE_FORMS, quoted, readsBothWays, readUkDateTime, writtenMonthDay } from '../../domain/as-typed';

describe('readUkDateTime: what it reads', () => {
  it.each([
    // typed, the instant, a date alone, day and month as typed
    ['30/11/2026', '2026-11-30T00:00:00.000Z', true, { day: 30, month: 11 }],
    ['30/11/2026 10:30', '2026-11-30T10:30:00.000Z', false, { day: 30, month: 11 }],
    ['1/7/2026 9:05', '2026-07-01T08:05:00.000Z', false, { day: 1, month: 7 }], // BST
    ['01.07.2026 09:05:30', '2026-07-01T08:05:30.000Z', false, { day: 1, month: 7 }],
    ['30-11-2026', '2026-11-30T00:00:00.000Z', true, { day: 30, month: 11 }],
    ['12/03/2026 10:00', '2026-03-12T10:00:00.000Z', false, { day: 12, month: 3 }],
    ['  28/03/2026, 10:00  ', '2026-03-28T10:00:00.000Z', false, { day: 28, month: 3 }],
    ['2026-11-30', '2026-11-30T00:00:00.000Z', true, undefined],
    ['2026-07-01T10:00', '2026-07-01T09:00:00.000Z', false, undefined],
    ['2026-07-01 10:00:15', '2026-07-01T09:00:15.000Z', false, undefined],
    ['2026-07-01T10:00:00Z', '2026-07-01T10:00:00.000Z', false, undefined],
    ['2026-07-01T10:00:00+01:00', '2026-07-01T09:00:00.000Z', false, undefined],
    // The hour the clocks go back happens twice: luxon reads the second of them (GMT).
    ['25/10/2026 01:30', '2026-10-25T01:30:00.000Z', false, { day: 25, month: 10 }],
  ])('%j is %s', (typed, instant, dateOnly, dayMonth) => {
    expect(readUkDateTime(typed)).toEqual({ ok: true, instant, dateOnly, ...(dayMonth ? { dayMonth } : {}) });
    expect(writtenMonthDay(typed)).toBe(false);
  });
});

describe('readUkDateTime: what it refuses, and how it says so', () => {
  it.each([
    // The US date with a time: month/day, named as such, with the day/month form to write.
    ['11/30/2026 10:30', /^is month\/day\/year \(30 cannot be a month\): dates are day\/month\/year, so write it 30\/11\/2026 10:30$/, true],
    ['11/30/2026', /^is month\/day\/year \(30 cannot be a month\): dates are day\/month\/year, so write it 30\/11\/2026$/, true],
    ['31/06/2026', new RegExp(`^is not a real date: ${DATE_FORMS.replace(/[/()]/g, '\\$&')}$`), false],
    ['32/13/2026', /^is not a real date: dates are day\/month\/year/, false],
    ['30/11/2026 25:00', /^is not a real time: times are 24-hour hh:mm, e\.g\. 30\/11\/2026 14:30$/, false],
    ['29/03/2026 01:30', /^does not exist in UK time \(the clocks go forward that night\)$/, false],
    ['2026-30-11T10:30', /^is not a real date: ISO dates are year-month-day, e\.g\. 2026-11-30T10:30$/, false],
    ['2026-02-30T10:00:00Z', /^is not a real date and time: an instant with an offset is year-month-day/, false],
    ['30/11/26', /^has a two-digit year: write the year in full, e\.g\. 30\/11\/2026$/, false],
    ['9999-01-01T10:00:00Z', /^is not a date CaseClock takes: the year must be from 2000 to 2099$/, false],
    ['01/01/1999', /^is not a date CaseClock takes/, false],
    ['next tuesday', /^is not a date: dates are day\/month\/year, e\.g\. 30\/11\/2026/, false],
    ['', /^is empty: dates are day\/month\/year/, false],
    ['x'.repeat(100_000), /^is too long for a date: /, false],
  ])('%j', (typed, says, monthDay) => {
    const read = readUkDateTime(typed);
    expect(read.ok).toBe(false);
    if (read.ok) return;
    expect(read.problem).toMatch(says);
    expect(read.monthDay === true).toBe(monthDay);
    // The import's look over a whole file for month/day dates, by pattern alone, agrees.
    expect(writtenMonthDay(typed)).toBe(monthDay);
  });

  it('reads a long run of spaces in linear time', () => {
    const began = performance.now();
    expect(readUkDateTime(`1/1/2026${' '.repeat(35)}x`).ok).toBe(false);
    expect(performance.now() - began).toBeLessThan(50);
  });
});

describe('readsBothWays: a day/month date that would be another date month/day', () => {
  it.each([
    ['11/02/2026', true],
    ['02/11/2026 10:00', true],
    ['05/05/2026', false], // the same either way
    ['30/11/2026', false], // 30 is no month
    ['2026-02-11', false], // ISO is never ambiguous
  ])('%j: %s', (typed, both) => {
    const read = readUkDateTime(typed);
    if (!read.ok) throw new Error(read.problem);
    expect(readsBothWays(read)).toBe(both);
  });
});

describe('quoted: a value as an error shows it', () => {
  it.each([
    ['LOCALITY-NROTH', '"LOCALITY-NROTH"'],
    ['say "hi"', '"say \\"hi\\""'],
    ['\u001b[31mred', '"\\u001b[31mred"'],
    ['WCF\u202e321', '"WCF\\u202e321"'],
    ['x'.repeat(100), `"${'x'.repeat(60)}…"`],
  ])('%j is %s', (value, shown) => {
    expect(quoted(value)).toBe(shown);
  });
});
