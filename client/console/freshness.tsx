/**
 * How fresh CaseClock's copy of the council's case system is, where the SSD sync is in use (it has
 * run at least once): a line on the case list and case pages ("Case system read 11:42, 3 minutes
 * ago"), and on the overdue dashboard a warning when the latest run failed or the last successful
 * read is older than two sync intervals, saying what failed and since when. In words, never by
 * colour alone (domain/ssd/freshness.ts decides; docs/ssd.md).
 */
import { DateTime } from 'luxon';
import { type SsdFreshness, ssdFreshness, STALE_AFTER_INTERVALS, agoInWords } from '../../domain/ssd/freshness';
import { LEGAL_ZONE } from '../../domain/time-zone';
import { durationInWords, localTime } from '../../domain/wording';
import type { Logger } from '../../common/log';
import type { ConsoleOptions } from './context';
import { Notice } from './views/layout';

/** The runs looked at for when a failing streak began. */
const RUNS_LOOKED_AT = 10;

export interface FreshnessShown {
  freshness: SsdFreshness;
  intervalSeconds: number;
  now: string;
}

/** Read now from the sync's runs; undefined where the sync is not in use, or its runs cannot be read (logged). */
export async function readFreshness(options: Pick<ConsoleOptions, 'ssdSync'>, log: Pick<Logger, 'warn'>, now = new Date()): Promise<FreshnessShown | undefined> {
  const sync = options.ssdSync;
  if (!sync) return undefined;
  try {
    const [runs, last] = await Promise.all([sync.store.recentRuns(RUNS_LOOKED_AT), sync.store.lastSuccess()]);
    const freshness = ssdFreshness(runs, last, now.toISOString(), sync.intervalSeconds);
    return freshness ? { freshness, intervalSeconds: sync.intervalSeconds, now: now.toISOString() } : undefined;
  } catch (err) {
    // A page is still shown: how fresh the copy is is said where it can be read.
    log.warn({ error: err instanceof Error ? err.message : String(err) }, 'SSD sync runs not read: freshness not shown');
    return undefined;
  }
}

/** "11:42" today (UK time), else "Tue 10 Mar 2026, 11:42 GMT", in a <time> element. */
function When({ at, now }: { at: string; now: string }) {
  const local = DateTime.fromISO(at, { zone: 'utc' }).setZone(LEGAL_ZONE);
  const today = DateTime.fromISO(now, { zone: 'utc' }).setZone(LEGAL_ZONE);
  return <time datetime={at}>{local.hasSame(today, 'day') ? local.toFormat('HH:mm') : localTime(at)}</time>;
}

function LastRead({ shown }: { shown: FreshnessShown }) {
  const { lastRead } = shown.freshness;
  if (!lastRead) return <>The case system has not yet been read successfully.</>;
  return (
    <>
      Case system read <When at={lastRead.at} now={shown.now} />, {agoInWords(lastRead.at, shown.now)}.
      {lastRead.refreshedAt && (
        <>
          {' '}
          Its own data was last refreshed <When at={lastRead.refreshedAt} now={shown.now} />.
        </>
      )}
    </>
  );
}

/** The case list's and case page's line; out of date, it says so and links the dashboard. */
export function FreshnessLine({ shown }: { shown: FreshnessShown | undefined }) {
  if (!shown) return null;
  return (
    <p class="small" id="ssd-freshness">
      <LastRead shown={shown} />
      {shown.freshness.warning && (
        <>
          {' '}
          <strong>Out of date:</strong> see the <a href="/dashboard">overdue dashboard</a>.
        </>
      )}
    </p>
  );
}

/** The dashboard's: the warning when out of date, else the line. */
export function FreshnessNotice({ shown }: { shown: FreshnessShown | undefined }) {
  if (!shown) return null;
  const { warning, lastRead } = shown.freshness;
  if (!warning) return <FreshnessLine shown={shown} />;
  const every = durationInWords(shown.intervalSeconds * 1000);
  return (
    <Notice kind="warn">
      <section id="ssd-freshness" aria-labelledby="ssd-freshness-heading">
        <h2 id="ssd-freshness-heading">Warning: CaseClock's copy of the case system is out of date</h2>
        {warning.failed && (
          <p>
            The latest sync from the case system, started <When at={warning.failed.at} now={shown.now} />, failed: <span id="ssd-problem">{warning.failed.problem}</span>.
            {warning.failingSince && warning.failingSince !== warning.failed.at && (
              <>
                {' '}
                Syncs have failed since <When at={warning.failingSince} now={shown.now} />.
              </>
            )}
          </p>
        )}
        <p>
          {lastRead ? (
            <>
              It was last read successfully <When at={lastRead.at} now={shown.now} />, {agoInWords(lastRead.at, shown.now)}
              {warning.stale ? `: more than ${STALE_AFTER_INTERVALS} sync intervals ago (the sync runs every ${every}).` : '.'}
              {lastRead.refreshedAt && (
                <>
                  {' '}
                  The case system's own data was then last refreshed <When at={lastRead.refreshedAt} now={shown.now} />.
                </>
              )}
            </>
          ) : (
            'It has never been read successfully.'
          )}
        </p>
        <p>Cases opened, changed or closed in the case system since then are not yet in CaseClock, so what this dashboard shows for them may be out of date.</p>
      </section>
    </Notice>
  );
}
