/**
 * SSD dates as CaseClock's instants. The SSD's `datetime` columns hold UK wall-clock time without an
 * offset, so each is read in Europe/London and stored in UTC (the legal time zone of every deadline).
 * - A date alone, or midnight, is the start of that day in UK time (as the CSV import reads a date).
 * - A time that does not exist (01:30 on the last Sunday of March) is moved forward by the hour the
 *   clocks skip: 02:30 BST, the first instant the wall clock shows at or after it.
 * - A time that happens twice (01:30 on the last Sunday of October) is the first of the two (BST):
 *   the earlier reading never makes a deadline later than the record allows.
 */
import { DateTime } from 'luxon';
import { EARLIEST_INSTANT, LATEST_INSTANT } from '../facts';
import { LEGAL_ZONE } from '../time-zone';

export type SsdInstant = { instant: string } | { problem: 'not-a-date' | 'out-of-range' };

/**
 * Each run reads the same dates again (every visit of every child, every 15 minutes), and working
 * out the UK offset is the costly part: the answers are kept, up to a bound, for the process's life.
 */
const known = new Map<string, SsdInstant>();
const KEEP_AT_MOST = 500_000;

export function instantOfSsdDate(value: string): SsdInstant {
  const kept = known.get(value);
  if (kept !== undefined) return kept;
  const read = readSsdDate(value);
  if (known.size >= KEEP_AT_MOST) known.clear();
  known.set(value, read);
  return read;
}

function readSsdDate(value: string): SsdInstant {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?)?$/.exec(value.trim());
  if (!m) return { problem: 'not-a-date' };
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '0'] = m;
  const parts = {
    year: Number(y),
    month: Number(mo),
    day: Number(d),
    hour: Number(h),
    minute: Number(mi),
    second: Number(s),
    millisecond: Math.floor(Number(`0.${frac}`) * 1000),
  };
  const local = DateTime.fromObject(parts, { zone: LEGAL_ZONE });
  if (!local.isValid) return { problem: 'not-a-date' };
  // The wall clock read as BST and as GMT: where both show it (the repeated hour), the earlier.
  const wall = DateTime.fromObject(parts, { zone: 'UTC' });
  const readings = [wall.minus({ hours: 1 }), wall].filter((utc) => {
    const back = utc.setZone(LEGAL_ZONE);
    return back.day === parts.day && back.hour === parts.hour && back.minute === parts.minute;
  });
  // Neither (the skipped hour): luxon's reading, the wall clock moved forward by the gap.
  const chosen = readings[0] ?? local;
  const instant = chosen.toUTC().toISO();
  if (instant === null) return { problem: 'not-a-date' };
  if (instant < EARLIEST_INSTANT || instant >= LATEST_INSTANT) return { problem: 'out-of-range' };
  return { instant };
}
