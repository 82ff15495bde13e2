/**
 * The daily digest's pure parts: which days send, the window of what is due soon, who receives
 * what in which order, and the words of the email (no child's name, a link to each case).
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../common/config';
import { WorkingDayCalendar } from '../../domain/calendar';
import { buildDigests, digestDay, digestWindowEnd, renderDigest, ukDateOf, type DigestCase } from '../../domain/digest';

const calendar = WorkingDayCalendar.englandAndWales();

const manager = (n: string) => ({ name: `Manager ${n}`, email: `manager.${n}@council.test` });
const head = { name: 'Hal Head', email: 'Head@Council.test' };

function kase(id: string, team: string, managerOf: string, open: DigestCase['open']): DigestCase {
  return {
    caseId: id,
    reference: `REF-${id}`,
    team,
    tier: 'PRIORITY',
    contacts: { 'allocated-worker': { name: 'Sam Worker', email: 'worker@council.test' }, 'team-manager': manager(managerOf), 'head-of-service': head },
    open,
  };
}

const generatedAt = '2026-12-01T08:00:00.000Z'; // Tuesday
const dueBy = digestWindowEnd(calendar, '2026-12-01', 3);

const cases: DigestCase[] = [
  kase('A', 'NORTH', 'north', [
    { id: 'a1', title: 'Initial visit', dueAt: '2026-11-30T10:00:00.000Z' }, // 22 h overdue
    { id: 'a2', title: 'KIT call', dueAt: '2026-12-03T12:00:00.000Z' }, // due soon
    { id: 'a3', title: 'Review conference', dueAt: '2027-01-20T12:00:00.000Z' }, // beyond the window
  ]),
  kase('B', 'NORTH', 'north', [
    { id: 'b1', title: 'Core group', dueAt: '2026-11-20T10:00:00.000Z' }, // most overdue
    { id: 'b2', title: 'Visit', dueAt: '2026-12-01T09:00:00.000Z', onHold: true }, // soonest due
  ]),
  kase('C', 'SOUTH', 'south', [{ id: 'c1', title: 'Assessment', dueAt: '2026-12-07T09:00:00.000Z' }]), // next Monday: after the window
  kase('D', 'SOUTH', 'south', [{ id: 'd1', title: 'Assessment', dueAt: '2026-12-04T12:00:00.000Z' }]),
];

describe('which days have a digest', () => {
  it('sends on working days, not on weekends or bank holidays, and says why', () => {
    expect(digestDay(calendar, '2026-12-01')).toEqual({ send: true });
    expect(digestDay(calendar, '2026-12-05')).toEqual({ send: false, reason: 'no digest on 2026-12-05: Saturday, not a working day' });
    expect(digestDay(calendar, '2026-12-25')).toEqual({ send: false, reason: 'no digest on 2026-12-25: bank holiday (Christmas Day)' });
    expect(digestDay(calendar, '2026-12-28')).toMatchObject({ send: false, reason: expect.stringContaining('bank holiday') });
  });

  it('takes the UK date of a scheduled time, across the clock change', () => {
    expect(ukDateOf('2026-07-01T23:30:00Z')).toBe('2026-07-02'); // 00:30 BST
    expect(ukDateOf(new Date('2026-12-01T08:00:00Z'))).toBe('2026-12-01');
  });

  it('looks ahead in working days, skipping weekends and bank holidays', () => {
    expect(digestWindowEnd(calendar, '2026-12-01', 3)).toBe('2026-12-04T23:59:59.999Z'); // Tue → Fri
    expect(digestWindowEnd(calendar, '2026-12-04', 1)).toBe('2026-12-07T23:59:59.999Z'); // Fri → Mon
    expect(digestWindowEnd(calendar, '2026-12-23', 2)).toBe('2026-12-29T23:59:59.999Z'); // over Christmas
    expect(digestWindowEnd(calendar, '2026-12-01', 0)).toBe('2026-12-01T23:59:59.999Z');
  });
});

describe('building the digests', () => {
  const digests = buildDigests(cases, { generatedAt, dueBy });

  it('gives each manager and head of service one digest, grouped by address', () => {
    expect(digests.map((d) => d.email)).toEqual(['head@council.test', 'manager.north@council.test', 'manager.south@council.test']);
    expect(digests.find((d) => d.email === 'head@council.test')).toMatchObject({ roles: ['head-of-service'], teams: ['NORTH', 'SOUTH'] });
    // Allocated workers get none.
    expect(digests.some((d) => d.email.startsWith('worker'))).toBe(false);
  });

  it('lists the most overdue first, then the soonest due, and leaves out what is beyond the window', () => {
    const north = digests.find((d) => d.email === 'manager.north@council.test')!;
    expect(north.overdue.map((i) => i.obligationId)).toEqual(['b1', 'a1']);
    expect(north.dueSoon.map((i) => i.obligationId)).toEqual(['b2', 'a2']);
    const headDigest = digests.find((d) => d.email === 'head@council.test')!;
    expect([...headDigest.overdue, ...headDigest.dueSoon].map((i) => i.obligationId)).toEqual(['b1', 'a1', 'b2', 'a2', 'd1']);
  });

  it('sends nothing to someone with nothing overdue or due', () => {
    const quiet = buildDigests([kase('E', 'EAST', 'east', [{ id: 'e1', title: 'Visit', dueAt: '2027-02-01T10:00:00.000Z' }])], { generatedAt, dueBy });
    expect(quiet).toEqual([]);
  });

  it('lists an obligation once for someone who is both manager and head of service on a case', () => {
    const both = kase('F', 'WEST', 'west', [{ id: 'f1', title: 'Visit', dueAt: '2026-11-30T10:00:00.000Z' }]);
    both.contacts['team-manager'] = { name: 'Hal Head', email: 'head@council.test' };
    const [only] = buildDigests([both], { generatedAt, dueBy });
    expect(only).toMatchObject({ email: 'head@council.test', roles: ['team-manager', 'head-of-service'] });
    expect(only!.overdue).toHaveLength(1);
  });
});

describe('the digest email', () => {
  const north = buildDigests(cases, { generatedAt, dueBy }).find((d) => d.email === 'manager.north@council.test')!;
  const email = renderDigest(north, { forDate: '2026-12-01', generatedAt, dueBy, workingDays: 3, consoleUrl: 'https://caseclock.council.test' });

  it('says how many are overdue and due, and lists each with a link to its case, in order', () => {
    expect(email.subject).toBe('[CaseClock] Daily digest 2026-12-01: 2 overdue, 2 due in the next 3 working days');
    const refs = [...email.text.matchAll(/^- (REF-\w+) \(team NORTH\): ([^,]+),/gm)].map((m) => `${m[1]} ${m[2]}`);
    expect(refs).toEqual(['REF-B Core group', 'REF-A Initial visit', 'REF-B Visit', 'REF-A KIT call']);
    expect(email.text).toContain('https://caseclock.council.test/cases/A');
    expect(email.text).toContain('Tue 1 Dec 2026, 09:00 GMT, due in 1 hour (on hold)');
    expect(email.text).toContain('10 days 22 hours overdue');
    expect(email.html).toContain('<a href="https://caseclock.council.test/cases/B">open case REF-B</a>');
  });

  it('names no one but the staff member it is for', () => {
    expect(email.text).toContain('as team manager for team NORTH');
    expect(email.text).not.toMatch(/Sam Worker|Hal Head|Manager north/);
  });
});

describe('the digest configuration', () => {
  it('defaults to 08:00 and three working days, takes off, and names a bad value', () => {
    expect(parseConfig({})).toMatchObject({ CASECLOCK_DIGEST_TIME: '08:00', CASECLOCK_DIGEST_WORKING_DAYS: 3 });
    expect(parseConfig({ CASECLOCK_DIGEST_TIME: '07:45', CASECLOCK_DIGEST_WORKING_DAYS: '5' })).toMatchObject({ CASECLOCK_DIGEST_TIME: '07:45', CASECLOCK_DIGEST_WORKING_DAYS: 5 });
    expect(parseConfig({ CASECLOCK_DIGEST_TIME: 'off' }).CASECLOCK_DIGEST_TIME).toBe('off');
    expect(() => parseConfig({ CASECLOCK_DIGEST_TIME: '8am' })).toThrow(/CASECLOCK_DIGEST_TIME: must be a time HH:MM/);
    expect(() => parseConfig({ CASECLOCK_DIGEST_TIME: '24:00' })).toThrow(/CASECLOCK_DIGEST_TIME/);
    expect(() => parseConfig({ CASECLOCK_DIGEST_WORKING_DAYS: '21' })).toThrow(/CASECLOCK_DIGEST_WORKING_DAYS: must be between 0 and 20/);
  });
});
