/**
 * `caseclock calendar --from <date> --to <date> [--json]`: the working days and England and Wales
 * bank holidays between two dates, as the deadline engine counts them.
 */
import type { Command } from 'commander';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { CalendarCoverageError, WorkingDayCalendar, type IsoDate } from '../../../domain/calendar';
import { CliError, output } from '../support';
import { quoted } from './common';

/** Longest range listed at once, in days (inclusive): one leap year. */
export const MAX_RANGE_DAYS = 366;

const dateOption = (flag: string) =>
  z.string({ error: (issue) => (issue.input === undefined ? `${flag} is required, e.g. ${flag} 2026-12-21` : undefined) }).pipe(
    z.iso.date({
      error: (issue) => `${flag} ${quoted(String(issue.input))} is not a calendar date; write YYYY-MM-DD, e.g. 2026-12-21`,
    }),
  );

const CalendarOptions = z
  .object({
    from: dateOption('--from'),
    to: dateOption('--to'),
    json: z.boolean().default(false),
  })
  .check((ctx) => {
    const { from, to } = ctx.value;
    if (from > to) {
      ctx.issues.push({ code: 'custom', input: ctx.value, message: `--from ${from} is after --to ${to}` });
      return;
    }
    const days = inclusiveDays(from, to);
    if (days > MAX_RANGE_DAYS) {
      ctx.issues.push({
        code: 'custom',
        input: ctx.value,
        message: `the range ${from} to ${to} is ${days} days; list at most ${MAX_RANGE_DAYS} days at a time`,
      });
    }
  });

function inclusiveDays(from: IsoDate, to: IsoDate): number {
  const start = DateTime.fromISO(from, { zone: 'utc' });
  const end = DateTime.fromISO(to, { zone: 'utc' });
  return Math.round(end.diff(start, 'days').days) + 1;
}

export interface CalendarReport {
  from: IsoDate;
  to: IsoDate;
  workingDays: number;
  bankHolidays: Array<{ date: IsoDate; name: string }>;
  days: Array<{ date: IsoDate; weekday: string; working: boolean; bankHoliday?: string }>;
}

/** Validates the options and builds the report; throws CliError with one line on bad input. */
export function calendarReport(rawOptions: unknown, calendar = WorkingDayCalendar.englandAndWales()): CalendarReport {
  const parsed = CalendarOptions.safeParse(rawOptions);
  if (!parsed.success) throw new CliError(parsed.error.issues[0]?.message ?? 'invalid options');
  const { from, to } = parsed.data;
  let days: CalendarReport['days'];
  try {
    days = calendar.days(from, to);
  } catch (err) {
    if (err instanceof CalendarCoverageError) {
      const flag = Number(from.slice(0, 4)) === err.year ? `--from ${from}` : `--to ${to}`;
      throw new CliError(`${flag}: ${err.year} is outside the bank holiday calendar shipped with CaseClock (${err.firstYear} to ${err.lastYear})`);
    }
    throw err;
  }
  return {
    from,
    to,
    workingDays: days.filter((d) => d.working).length,
    bankHolidays: days.flatMap((d) => (d.bankHoliday === undefined ? [] : [{ date: d.date, name: d.bankHoliday }])),
    days,
  };
}

function asText(report: CalendarReport): string {
  const lines = [`England and Wales, ${report.from} to ${report.to}`, ''];
  lines.push('Date        Day        Status');
  for (const day of report.days) {
    const status = day.bankHoliday !== undefined ? `bank holiday: ${day.bankHoliday}` : day.working ? 'working day' : 'weekend';
    lines.push(`${day.date}  ${day.weekday.padEnd(9)}  ${status}`);
  }
  const weekend = report.days.filter((d) => !d.working && d.bankHoliday === undefined).length;
  lines.push('');
  lines.push(
    `${report.workingDays} working day${report.workingDays === 1 ? '' : 's'}, ` +
      `${report.bankHolidays.length} bank holiday${report.bankHolidays.length === 1 ? '' : 's'}, ` +
      `${weekend} weekend day${weekend === 1 ? '' : 's'}`,
  );
  return lines.join('\n');
}

export function register(program: Command): void {
  program
    .command('calendar')
    .description('list working days and England and Wales bank holidays between two dates (inclusive)')
    .option('--from <date>', 'first date, YYYY-MM-DD')
    .option('--to <date>', 'last date, YYYY-MM-DD')
    .option('--json', 'print one JSON document instead of a table')
    // Commander puts "(Did you mean --from?)" on a second line; errors here are one line.
    .showSuggestionAfterError(false)
    .action((options: { from?: string; to?: string; json?: boolean }) => {
      const report = calendarReport(options);
      output(options.json === true, report, () => asText(report));
    });
}
