import { describe, expect, it } from 'vitest';
import { IsoDurationSchema, PositiveIsoDurationSchema } from '../../domain/duration-schemas';
import { addIsoDuration, parseIsoDuration, subtractIsoDuration, toLocalIso } from '../../domain/durations';

describe('hour parts are elapsed time', () => {
  it('24 hours after 20:30 on the Saturday before the clocks go forward is 21:30 BST on the Sunday', () => {
    // Sat 28 Mar 2026 20:30 GMT; clocks go forward at 01:00 GMT on Sun 29 Mar.
    const due = addIsoDuration('2026-03-28T20:30:00.000Z', 'PT24H');
    expect(due).toBe('2026-03-29T20:30:00.000Z');
    expect(toLocalIso(due)).toBe('2026-03-29T21:30:00.000+01:00');
  });

  it('24 hours after 20:30 BST on the Saturday before the clocks go back is 19:30 GMT on the Sunday', () => {
    // Sat 24 Oct 2026 20:30 BST = 19:30Z; clocks go back at 01:00 GMT on Sun 25 Oct.
    const due = addIsoDuration('2026-10-24T19:30:00.000Z', 'PT24H');
    expect(due).toBe('2026-10-25T19:30:00.000Z');
    expect(toLocalIso(due)).toBe('2026-10-25T19:30:00.000+00:00');
  });

  it('48 hours before a Monday 10:00 BST review, across the spring change, is Saturday 09:00 GMT', () => {
    expect(subtractIsoDuration('2026-03-30T09:00:00.000Z', 'PT48H')).toBe('2026-03-28T09:00:00.000Z');
    expect(toLocalIso('2026-03-28T09:00:00.000Z')).toBe('2026-03-28T09:00:00.000+00:00');
  });

  it('72 hours and 15 minutes are plain elapsed time', () => {
    expect(addIsoDuration('2026-10-23T12:00:00.000Z', 'PT72H')).toBe('2026-10-26T12:00:00.000Z');
    expect(addIsoDuration('2026-03-29T00:50:00.000Z', 'PT15M')).toBe('2026-03-29T01:05:00.000Z');
  });
});

describe('day, week and month parts keep the local wall-clock time', () => {
  it('a KIT call at 10:00 BST is next due at 10:00 GMT fourteen days later', () => {
    // Tue 20 Oct 2026 10:00 BST = 09:00Z → Tue 3 Nov 2026 10:00 GMT = 10:00Z.
    expect(addIsoDuration('2026-10-20T09:00:00.000Z', 'P14D')).toBe('2026-11-03T10:00:00.000Z');
  });

  it('a visit at 10:00 GMT is next due at 10:00 BST fourteen days later', () => {
    expect(addIsoDuration('2026-03-20T10:00:00.000Z', 'P14D')).toBe('2026-04-03T09:00:00.000Z');
  });

  it('eight weeks and one week are multiples of seven calendar days', () => {
    expect(addIsoDuration('2026-02-02T10:00:00.000Z', 'P8W')).toBe('2026-03-30T09:00:00.000Z');
    expect(addIsoDuration('2026-10-22T14:00:00.000Z', 'P1W')).toBe('2026-10-29T15:00:00.000Z');
  });

  it('subtracting days keeps wall-clock time too', () => {
    expect(subtractIsoDuration('2026-11-03T10:00:00.000Z', 'P14D')).toBe('2026-10-20T09:00:00.000Z');
  });
});

describe('months are calendar months clamped at month end', () => {
  it('31 August + 6 months is 28 February in a common year', () => {
    expect(addIsoDuration('2025-08-31T09:00:00.000Z', 'P6M')).toBe('2026-02-28T10:00:00.000Z');
  });
  it('31 August + 6 months is 29 February in a leap year', () => {
    expect(addIsoDuration('2023-08-31T09:00:00.000Z', 'P6M')).toBe('2024-02-29T10:00:00.000Z');
  });
  it('30 November + 3 months is 28 February, and 29 February + 1 year is 28 February', () => {
    expect(addIsoDuration('2026-11-30T10:00:00.000Z', 'P3M')).toBe('2027-02-28T10:00:00.000Z');
    expect(addIsoDuration('2024-02-29T10:00:00.000Z', 'P1Y')).toBe('2025-02-28T10:00:00.000Z');
  });
  it('31 May + 3 months is 31 August at the same BST time', () => {
    expect(addIsoDuration('2026-05-31T08:00:00.000Z', 'P3M')).toBe('2026-08-31T08:00:00.000Z');
  });
  it('a deadline landing in the missing spring hour moves forward an hour', () => {
    // 01:30 GMT on Sat 28 Mar 2026 + 1 day → 01:30 local Sun 29 Mar does not exist → 02:30 BST.
    expect(addIsoDuration('2026-03-28T01:30:00.000Z', 'P1D')).toBe('2026-03-29T01:30:00.000Z');
  });
});

describe('ISO-8601 duration schema', () => {
  it.each(['PT24H', 'PT48H', 'PT72H', 'P14D', 'P8W', 'P3M', 'P6M', 'P1W', 'PT0S', 'PT15M', 'P1Y', 'P2DT15H'])('accepts %s', (d) => {
    expect(IsoDurationSchema.safeParse(d).success).toBe(true);
  });

  it.each(['', 'P', 'PT', 'P1DT', '14D', 'P-1D', '-P1D', 'P1.5D', 'PT1.5H', 'p14d', 'P14 D', 'P1H', 'PT1D', 'P14DX', 'P20Y'])('refuses %j', (d) => {
    expect(IsoDurationSchema.safeParse(d).success).toBe(false);
  });

  it('refuses zero where a positive duration is required, and says why', () => {
    const result = PositiveIsoDurationSchema.safeParse('PT0S');
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe('must be longer than zero');
    expect(PositiveIsoDurationSchema.safeParse('P0D').success).toBe(false);
    expect(PositiveIsoDurationSchema.safeParse('PT1S').success).toBe(true);
  });

  it('names the expected form in its message', () => {
    expect(IsoDurationSchema.safeParse('fortnight').error?.issues[0]?.message).toMatch(/ISO-8601 duration such as P14D/);
  });

  it('parses every part', () => {
    expect(parseIsoDuration('P1Y2M3W4DT5H6M7S')).toEqual({ years: 1, months: 2, weeks: 3, days: 4, hours: 5, minutes: 6, seconds: 7 });
  });

  it('refuses to add nonsense instead of guessing', () => {
    expect(() => addIsoDuration('2026-01-01T00:00:00.000Z', 'two weeks')).toThrow(/ISO-8601 duration/);
    expect(() => addIsoDuration('not a date', 'P1D')).toThrow(/instant/);
  });
});

describe('agrees with luxon on Europe/London arithmetic', () => {
  it('for any instant from 2000 to 2099 and any calendar or elapsed duration', async () => {
    const fc = (await import('fast-check')).default;
    const { DateTime } = await import('luxon');
    const { localDateOf } = await import('../../domain/durations');
    const instant = fc.integer({ min: Date.parse('2000-01-01T00:00:00Z') / 60_000, max: Date.parse('2099-01-01T00:00:00Z') / 60_000 }).map((m) => new Date(m * 60_000).toISOString());
    // Bias towards the clock-change nights and month ends.
    const near = fc
      .record({ year: fc.integer({ min: 2000, max: 2098 }), which: fc.constantFrom('03-2', '03-3', '10-2', '10-3', '08-31', '01-31', '02-29'), minutes: fc.integer({ min: -3000, max: 3000 }) })
      .map(({ year, which, minutes }) => {
        const base = Date.parse(`${year}-${which.length === 4 ? `${which}5` : which}T01:00:00Z`);
        return new Date((Number.isNaN(base) ? Date.parse(`${year}-03-01T01:00:00Z`) : base) + minutes * 60_000).toISOString();
      });
    const duration = fc.constantFrom('P1D', 'P14D', 'P1W', 'P8W', 'P3M', 'P6M', 'P1Y', 'P1M', 'P2DT15H', 'PT24H', 'PT72H', 'P1DT1H', 'P1Y2M3W4DT5H6M7S');
    fc.assert(
      fc.property(fc.oneof(instant, near), duration, (at, iso) => {
        const p = parseIsoDuration(iso)!;
        const start = DateTime.fromISO(at, { zone: 'Europe/London' });
        const calendar = { years: p.years, months: p.months, weeks: p.weeks, days: p.days };
        const elapsed = ((p.hours * 60 + p.minutes) * 60 + p.seconds) * 1000;
        const plus = new Date(start.plus(calendar).toMillis() + elapsed).toISOString();
        const minus = new Date(start.minus(calendar).toMillis() - elapsed).toISOString();
        expect(addIsoDuration(at, iso)).toBe(plus);
        expect(subtractIsoDuration(at, iso)).toBe(minus);
        expect(localDateOf(at)).toBe(start.toFormat('yyyy-MM-dd'));
      }),
      { numRuns: 3000 },
    );
  });
});
