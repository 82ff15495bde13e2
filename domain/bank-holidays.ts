/**
 * England and Wales bank holidays shipped with CaseClock (the README, "How time is counted": the
 * machines have no internet, so the calendar is data in the software, never fetched at run time).
 *
 * Written out as a literal table so that it can be audited line by line against
 * https://www.gov.uk/bank-holidays (the official list, which gives only the days off: a
 * Christmas Day that falls on a Sunday is not listed, its substitute day is). Every date here is
 * a Monday to Friday; the weekday is noted beside each line.
 *
 * Sources: the Banking and Financial Dealings Act 1971 (Good Friday and Christmas Day by common
 * law) and the royal proclamations that move or add days:
 * - 2020: early May bank holiday moved from Monday 4 May to Friday 8 May (75th anniversary of VE day);
 * - 2022: spring bank holiday moved from Monday 30 May to Thursday 2 June, and Friday 3 June added
 *   (Platinum Jubilee); Monday 19 September added (State Funeral of Queen Elizabeth II);
 * - 2023: Monday 8 May added (Coronation of King Charles III).
 * Years after the last one gov.uk had published follow the standing pattern; a future
 * proclamation is added here (or configured as an extra bank holiday) when it is made.
 * tests/domain/calendar-crosscheck.test.ts checks every year against the date-holidays package.
 *
 * Pure data: safe inside Temporal workflows.
 */
import type { BankHoliday } from './calendar';

/** First calendar year for which the shipped list is complete. */
export const BANK_HOLIDAYS_FIRST_YEAR = 2015;
/** Last calendar year for which the shipped list is complete; later years need configured extras. */
export const BANK_HOLIDAYS_LAST_YEAR = 2030;

export const ENGLAND_AND_WALES_BANK_HOLIDAYS: readonly BankHoliday[] = Object.freeze([
  // 2015
  { date: '2015-01-01', name: "New Year's Day" }, // Thu
  { date: '2015-04-03', name: 'Good Friday' }, // Fri
  { date: '2015-04-06', name: 'Easter Monday' }, // Mon
  { date: '2015-05-04', name: 'Early May bank holiday' }, // Mon
  { date: '2015-05-25', name: 'Spring bank holiday' }, // Mon
  { date: '2015-08-31', name: 'Summer bank holiday' }, // Mon
  { date: '2015-12-25', name: 'Christmas Day' }, // Fri
  { date: '2015-12-28', name: 'Boxing Day (substitute day)' }, // Mon
  // 2016
  { date: '2016-01-01', name: "New Year's Day" }, // Fri
  { date: '2016-03-25', name: 'Good Friday' }, // Fri
  { date: '2016-03-28', name: 'Easter Monday' }, // Mon
  { date: '2016-05-02', name: 'Early May bank holiday' }, // Mon
  { date: '2016-05-30', name: 'Spring bank holiday' }, // Mon
  { date: '2016-08-29', name: 'Summer bank holiday' }, // Mon
  { date: '2016-12-26', name: 'Boxing Day' }, // Mon
  { date: '2016-12-27', name: 'Christmas Day (substitute day)' }, // Tue
  // 2017
  { date: '2017-01-02', name: "New Year's Day (substitute day)" }, // Mon
  { date: '2017-04-14', name: 'Good Friday' }, // Fri
  { date: '2017-04-17', name: 'Easter Monday' }, // Mon
  { date: '2017-05-01', name: 'Early May bank holiday' }, // Mon
  { date: '2017-05-29', name: 'Spring bank holiday' }, // Mon
  { date: '2017-08-28', name: 'Summer bank holiday' }, // Mon
  { date: '2017-12-25', name: 'Christmas Day' }, // Mon
  { date: '2017-12-26', name: 'Boxing Day' }, // Tue
  // 2018
  { date: '2018-01-01', name: "New Year's Day" }, // Mon
  { date: '2018-03-30', name: 'Good Friday' }, // Fri
  { date: '2018-04-02', name: 'Easter Monday' }, // Mon
  { date: '2018-05-07', name: 'Early May bank holiday' }, // Mon
  { date: '2018-05-28', name: 'Spring bank holiday' }, // Mon
  { date: '2018-08-27', name: 'Summer bank holiday' }, // Mon
  { date: '2018-12-25', name: 'Christmas Day' }, // Tue
  { date: '2018-12-26', name: 'Boxing Day' }, // Wed
  // 2019
  { date: '2019-01-01', name: "New Year's Day" }, // Tue
  { date: '2019-04-19', name: 'Good Friday' }, // Fri
  { date: '2019-04-22', name: 'Easter Monday' }, // Mon
  { date: '2019-05-06', name: 'Early May bank holiday' }, // Mon
  { date: '2019-05-27', name: 'Spring bank holiday' }, // Mon
  { date: '2019-08-26', name: 'Summer bank holiday' }, // Mon
  { date: '2019-12-25', name: 'Christmas Day' }, // Wed
  { date: '2019-12-26', name: 'Boxing Day' }, // Thu
  // 2020
  { date: '2020-01-01', name: "New Year's Day" }, // Wed
  { date: '2020-04-10', name: 'Good Friday' }, // Fri
  { date: '2020-04-13', name: 'Easter Monday' }, // Mon
  { date: '2020-05-08', name: 'Early May bank holiday (VE day)' }, // Fri
  { date: '2020-05-25', name: 'Spring bank holiday' }, // Mon
  { date: '2020-08-31', name: 'Summer bank holiday' }, // Mon
  { date: '2020-12-25', name: 'Christmas Day' }, // Fri
  { date: '2020-12-28', name: 'Boxing Day (substitute day)' }, // Mon
  // 2021
  { date: '2021-01-01', name: "New Year's Day" }, // Fri
  { date: '2021-04-02', name: 'Good Friday' }, // Fri
  { date: '2021-04-05', name: 'Easter Monday' }, // Mon
  { date: '2021-05-03', name: 'Early May bank holiday' }, // Mon
  { date: '2021-05-31', name: 'Spring bank holiday' }, // Mon
  { date: '2021-08-30', name: 'Summer bank holiday' }, // Mon
  { date: '2021-12-27', name: 'Christmas Day (substitute day)' }, // Mon
  { date: '2021-12-28', name: 'Boxing Day (substitute day)' }, // Tue
  // 2022
  { date: '2022-01-03', name: "New Year's Day (substitute day)" }, // Mon
  { date: '2022-04-15', name: 'Good Friday' }, // Fri
  { date: '2022-04-18', name: 'Easter Monday' }, // Mon
  { date: '2022-05-02', name: 'Early May bank holiday' }, // Mon
  { date: '2022-06-02', name: 'Spring bank holiday' }, // Thu
  { date: '2022-06-03', name: 'Platinum Jubilee bank holiday' }, // Fri
  { date: '2022-08-29', name: 'Summer bank holiday' }, // Mon
  { date: '2022-09-19', name: 'Bank Holiday for the State Funeral of Queen Elizabeth II' }, // Mon
  { date: '2022-12-26', name: 'Boxing Day' }, // Mon
  { date: '2022-12-27', name: 'Christmas Day (substitute day)' }, // Tue
  // 2023
  { date: '2023-01-02', name: "New Year's Day (substitute day)" }, // Mon
  { date: '2023-04-07', name: 'Good Friday' }, // Fri
  { date: '2023-04-10', name: 'Easter Monday' }, // Mon
  { date: '2023-05-01', name: 'Early May bank holiday' }, // Mon
  { date: '2023-05-08', name: 'Bank holiday for the coronation of King Charles III' }, // Mon
  { date: '2023-05-29', name: 'Spring bank holiday' }, // Mon
  { date: '2023-08-28', name: 'Summer bank holiday' }, // Mon
  { date: '2023-12-25', name: 'Christmas Day' }, // Mon
  { date: '2023-12-26', name: 'Boxing Day' }, // Tue
  // 2024
  { date: '2024-01-01', name: "New Year's Day" }, // Mon
  { date: '2024-03-29', name: 'Good Friday' }, // Fri
  { date: '2024-04-01', name: 'Easter Monday' }, // Mon
  { date: '2024-05-06', name: 'Early May bank holiday' }, // Mon
  { date: '2024-05-27', name: 'Spring bank holiday' }, // Mon
  { date: '2024-08-26', name: 'Summer bank holiday' }, // Mon
  { date: '2024-12-25', name: 'Christmas Day' }, // Wed
  { date: '2024-12-26', name: 'Boxing Day' }, // Thu
  // 2025
  { date: '2025-01-01', name: "New Year's Day" }, // Wed
  { date: '2025-04-18', name: 'Good Friday' }, // Fri
  { date: '2025-04-21', name: 'Easter Monday' }, // Mon
  { date: '2025-05-05', name: 'Early May bank holiday' }, // Mon
  { date: '2025-05-26', name: 'Spring bank holiday' }, // Mon
  { date: '2025-08-25', name: 'Summer bank holiday' }, // Mon
  { date: '2025-12-25', name: 'Christmas Day' }, // Thu
  { date: '2025-12-26', name: 'Boxing Day' }, // Fri
  // 2026
  { date: '2026-01-01', name: "New Year's Day" }, // Thu
  { date: '2026-04-03', name: 'Good Friday' }, // Fri
  { date: '2026-04-06', name: 'Easter Monday' }, // Mon
  { date: '2026-05-04', name: 'Early May bank holiday' }, // Mon
  { date: '2026-05-25', name: 'Spring bank holiday' }, // Mon
  { date: '2026-08-31', name: 'Summer bank holiday' }, // Mon
  { date: '2026-12-25', name: 'Christmas Day' }, // Fri
  { date: '2026-12-28', name: 'Boxing Day (substitute day)' }, // Mon
  // 2027
  { date: '2027-01-01', name: "New Year's Day" }, // Fri
  { date: '2027-03-26', name: 'Good Friday' }, // Fri
  { date: '2027-03-29', name: 'Easter Monday' }, // Mon
  { date: '2027-05-03', name: 'Early May bank holiday' }, // Mon
  { date: '2027-05-31', name: 'Spring bank holiday' }, // Mon
  { date: '2027-08-30', name: 'Summer bank holiday' }, // Mon
  { date: '2027-12-27', name: 'Christmas Day (substitute day)' }, // Mon
  { date: '2027-12-28', name: 'Boxing Day (substitute day)' }, // Tue
  // 2028
  { date: '2028-01-03', name: "New Year's Day (substitute day)" }, // Mon
  { date: '2028-04-14', name: 'Good Friday' }, // Fri
  { date: '2028-04-17', name: 'Easter Monday' }, // Mon
  { date: '2028-05-01', name: 'Early May bank holiday' }, // Mon
  { date: '2028-05-29', name: 'Spring bank holiday' }, // Mon
  { date: '2028-08-28', name: 'Summer bank holiday' }, // Mon
  { date: '2028-12-25', name: 'Christmas Day' }, // Mon
  { date: '2028-12-26', name: 'Boxing Day' }, // Tue
  // 2029
  { date: '2029-01-01', name: "New Year's Day" }, // Mon
  { date: '2029-03-30', name: 'Good Friday' }, // Fri
  { date: '2029-04-02', name: 'Easter Monday' }, // Mon
  { date: '2029-05-07', name: 'Early May bank holiday' }, // Mon
  { date: '2029-05-28', name: 'Spring bank holiday' }, // Mon
  { date: '2029-08-27', name: 'Summer bank holiday' }, // Mon
  { date: '2029-12-25', name: 'Christmas Day' }, // Tue
  { date: '2029-12-26', name: 'Boxing Day' }, // Wed
  // 2030
  { date: '2030-01-01', name: "New Year's Day" }, // Tue
  { date: '2030-04-19', name: 'Good Friday' }, // Fri
  { date: '2030-04-22', name: 'Easter Monday' }, // Mon
  { date: '2030-05-06', name: 'Early May bank holiday' }, // Mon
  { date: '2030-05-27', name: 'Spring bank holiday' }, // Mon
  { date: '2030-08-26', name: 'Summer bank holiday' }, // Mon
  { date: '2030-12-25', name: 'Christmas Day' }, // Wed
  { date: '2030-12-26', name: 'Boxing Day' }, // Thu
]);
