/**
 * How fresh CaseClock's copy of the case system is (domain/ssd/freshness.ts): what the console
 * shows, which email a run's end sends, and what the email says (no child, where to look).
 */
import { describe, expect, it } from 'vitest';
import { ssdAlertEmail, ssdAlertToSend, ssdFreshness, type SsdRunSeen } from '../../domain/ssd/freshness';

const INTERVAL = 900; // 15 minutes
const at = (minutes: number) => new Date(Date.UTC(2026, 2, 10, 11, 0) + minutes * 60_000).toISOString();
const ok = (start: number, refreshedAt?: string): SsdRunSeen => ({ startedAt: at(start), finishedAt: at(start + 1), outcome: 'succeeded', ...(refreshedAt ? { refreshedAt } : {}) });
const failed = (start: number, problem = '/srv/ssd/ssd_person.csv: not found'): SsdRunSeen => ({ startedAt: at(start), finishedAt: at(start), outcome: 'failed', problem });

describe('ssdFreshness', () => {
  it('says nothing while the sync has never run', () => {
    expect(ssdFreshness([], undefined, at(0), INTERVAL)).toBeUndefined();
  });

  it('gives the last read and the source refresh time, with no warning while within two intervals', () => {
    const last = ok(0, at(-30));
    expect(ssdFreshness([last], last, at(31), INTERVAL)).toEqual({ lastRead: { at: at(1), refreshedAt: at(-30) } });
  });

  it('warns when the last read is older than two intervals, even with no failure', () => {
    const last = ok(0);
    expect(ssdFreshness([last], last, at(32), INTERVAL)).toEqual({ lastRead: { at: at(1) }, warning: { stale: true } });
  });

  it('warns when the latest finished run failed, saying what and since when', () => {
    const last = ok(0);
    const runs: SsdRunSeen[] = [{ startedAt: at(45), outcome: 'running' }, failed(30, 'later problem'), failed(15), last];
    expect(ssdFreshness(runs, last, at(46), INTERVAL)).toEqual({ lastRead: { at: at(1) }, warning: { failed: { at: at(30), problem: 'later problem' }, failingSince: at(15), stale: true } });
    expect(ssdFreshness([failed(15), last], last, at(16), INTERVAL)?.warning).toEqual({ failed: { at: at(15), problem: '/srv/ssd/ssd_person.csv: not found' }, failingSince: at(15), stale: false });
  });

  it('a first run still going is not a warning; a first run that failed is', () => {
    expect(ssdFreshness([{ startedAt: at(0), outcome: 'running' }], undefined, at(50), INTERVAL)).toEqual({});
    expect(ssdFreshness([failed(0)], undefined, at(1), INTERVAL)?.warning).toEqual({ failed: { at: at(0), problem: '/srv/ssd/ssd_person.csv: not found' }, stale: true });
  });

  it('says since when runs have failed only when the last success is among the runs looked at', () => {
    const last = ok(0);
    expect(ssdFreshness([failed(30), failed(15)], last, at(31), INTERVAL)?.warning).toEqual({ failed: { at: at(30), problem: '/srv/ssd/ssd_person.csv: not found' }, stale: false });
  });
});

describe('ssdAlertToSend', () => {
  const run = (outcome: 'succeeded' | 'failed', start = 60) => ({ runId: 7, startedAt: at(start), outcome, ...(outcome === 'failed' ? { problem: 'x' } : {}) });
  it('tells a failing streak once, and its end once', () => {
    expect(ssdAlertToSend({ run: run('failed'), lastReadBefore: at(50), intervalSeconds: INTERVAL })).toBe('failing');
    expect(ssdAlertToSend({ run: run('failed'), lastReadBefore: at(50), lastAlert: 'recovered', intervalSeconds: INTERVAL })).toBe('failing');
    expect(ssdAlertToSend({ run: run('failed'), lastReadBefore: at(50), lastAlert: 'failing', intervalSeconds: INTERVAL })).toBeUndefined();
    expect(ssdAlertToSend({ run: run('succeeded'), lastReadBefore: at(50), lastAlert: 'failing', intervalSeconds: INTERVAL })).toBe('recovered');
    expect(ssdAlertToSend({ run: run('succeeded'), lastReadBefore: at(50), lastAlert: 'recovered', intervalSeconds: INTERVAL })).toBeUndefined();
    expect(ssdAlertToSend({ run: run('succeeded'), intervalSeconds: INTERVAL })).toBeUndefined();
  });

  it('a run that finds the last success more than two intervals old has found a streak: one email as it succeeds', () => {
    expect(ssdAlertToSend({ run: run('succeeded', 60), lastReadBefore: at(29), intervalSeconds: INTERVAL })).toBe('recovered');
    expect(ssdAlertToSend({ run: run('succeeded', 60), lastReadBefore: at(30), intervalSeconds: INTERVAL })).toBeUndefined();
  });
});

describe('ssdAlertEmail', () => {
  it('says what failed, when the source was last read and where to look, and names no child', () => {
    const email = ssdAlertEmail({
      kind: 'failing',
      run: { runId: 42, startedAt: at(60), outcome: 'failed', problem: '/srv/ssd/ssd_person.csv: not found' },
      lastRead: { at: at(1), refreshedAt: at(-30) },
      intervalSeconds: INTERVAL,
      consoleUrl: 'https://caseclock.council.example',
      now: at(61),
    });
    expect(email.subject).toBe('CaseClock: the sync from the case system is failing');
    expect(email.text).toContain('What failed: /srv/ssd/ssd_person.csv: not found');
    expect(email.text).toContain('Last read successfully: Tue 10 Mar 2026, 11:01 GMT (59 minutes before this sync started).');
    expect(email.text).toContain("The case system's own data was last refreshed Tue 10 Mar 2026, 10:30 GMT.");
    expect(email.text).toContain('https://caseclock.council.example/dashboard');
    expect(email.text).toContain('sync run 42');
  });

  it('says when it works again and how long it had not been read', () => {
    const email = ssdAlertEmail({ kind: 'recovered', run: { runId: 43, startedAt: at(75), outcome: 'succeeded' }, lastRead: { at: at(1) }, intervalSeconds: INTERVAL, consoleUrl: 'https://c.example', now: at(76) });
    expect(email.subject).toBe('CaseClock: the sync from the case system is working again');
    expect(email.text).toContain('It had not been read from Tue 10 Mar 2026, 11:01 GMT until Tue 10 Mar 2026, 12:16 GMT (1 hour 15 minutes).');
  });
});
