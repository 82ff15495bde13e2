/**
 * Whether a calendar feed still reads: its creator's access as the users file says now, or for
 * someone who signs in through single sign-on, as the provider gave it at their last sign-in within
 * SSO_FEED_ACCESS_DAYS days (the route, end to end, is in feeds.test.ts).
 */
import { describe, expect, it } from 'vitest';
import type { ConsoleUser } from '../../client/identity/auth';
import { creatorAccess, SSO_FEED_ACCESS_DAYS } from '../../client/console/routes/feeds';
import { ssoUserId } from '../../common/sso-identity';
import type { SsoAccess } from '../../store/console-store';

const user = (u: Partial<ConsoleUser> & Pick<ConsoleUser, 'id' | 'role'>): ConsoleUser => ({ name: u.id, passwordHash: 'x', ...u }) as ConsoleUser;
const directory = (...users: ConsoleUser[]) => ({ find: (id: string) => users.find((u) => u.id === id) });
const teamFeed = (createdBy: string, team = 'NORTH') => ({ createdBy, subject: { kind: 'team' as const, team } });
const workerFeed = (createdBy: string, team = 'NORTH') => ({ createdBy, subject: { kind: 'worker' as const, team, email: 'sam@council.test' } });

describe('a feed reads while its creator can read its team', () => {
  it('by the creator as they are now', () => {
    const users = directory(
      user({ id: 'tess', role: 'manager', team: 'NORTH' }),
      user({ id: 'mo', role: 'manager', team: 'SOUTH' }),
      user({ id: 'val', role: 'viewer', team: 'NORTH' }),
      user({ id: 'hal', role: 'head-of-service', teams: ['EAST', 'NORTH'] }),
      user({ id: 'ada', role: 'administrator' }),
    );
    expect(creatorAccess(users, teamFeed('tess'))).toBe('ok');
    expect(creatorAccess(users, workerFeed('tess'))).toBe('ok');
    expect(creatorAccess(users, teamFeed('val'))).toBe('ok');
    expect(creatorAccess(users, teamFeed('hal'))).toBe('ok');
    expect(creatorAccess(users, teamFeed('ada', 'ANY'))).toBe('ok');
    expect(creatorAccess(users, teamFeed('mo'))).toBe('creator-cannot-read-team');
    expect(creatorAccess(users, workerFeed('hal', 'WEST'))).toBe('creator-cannot-read-team');
    expect(creatorAccess(users, teamFeed('gone'))).toBe('creator-removed');
  });

  it('a disabled account counts as removed', () => {
    const users = directory({ ...user({ id: 'tess', role: 'manager', team: 'NORTH' }), disabled: true } as ConsoleUser);
    expect(creatorAccess(users, teamFeed('tess'))).toBe('creator-removed');
  });
});

describe('a feed whose creator signs in through single sign-on reads by their last sign-in', () => {
  const now = new Date('2026-12-01T09:00:00Z');
  const daysAgo = (days: number) => new Date(now.getTime() - days * 24 * 60 * 60_000).toISOString();
  /** Who signs in through single sign-on: `sso.` ids of the provider's subjects. */
  const id = (subject: string) => ssoUserId('https://login.council.example', subject);
  const sso = (entries: Record<string, Omit<SsoAccess, 'userId'>>) => new Map(Object.entries(entries).map(([subject, a]) => [id(subject), { userId: id(subject), ...a }]));
  const nobody = directory();

  it('reads while the last sign-in is recent and its access reads the team', () => {
    const record = sso({
      meg: { role: 'manager', team: 'NORTH', signedInAt: daysAgo(1) },
      vic: { role: 'viewer', team: 'NORTH', signedInAt: daysAgo(SSO_FEED_ACCESS_DAYS - 0.01) },
      hal: { role: 'head-of-service', teams: ['EAST', 'NORTH'], signedInAt: daysAgo(SSO_FEED_ACCESS_DAYS) },
      ada: { role: 'administrator', signedInAt: daysAgo(0) },
    });
    expect(SSO_FEED_ACCESS_DAYS).toBe(30);
    expect(creatorAccess(nobody, teamFeed(id('meg')), record, now)).toBe('ok');
    expect(creatorAccess(nobody, workerFeed(id('meg')), record, now)).toBe('ok');
    expect(creatorAccess(nobody, teamFeed(id('vic')), record, now)).toBe('ok');
    expect(creatorAccess(nobody, teamFeed(id('hal')), record, now)).toBe('ok');
    expect(creatorAccess(nobody, teamFeed(id('ada'), 'ANY'), record, now)).toBe('ok');
  });

  it('stops once the last sign-in is older than SSO_FEED_ACCESS_DAYS days, whatever the access', () => {
    const record = sso({ meg: { role: 'manager', team: 'NORTH', signedInAt: daysAgo(SSO_FEED_ACCESS_DAYS + 0.01) }, ada: { role: 'administrator', signedInAt: daysAgo(90) } });
    expect(creatorAccess(nobody, teamFeed(id('meg')), record, now)).toBe('creator-sso-sign-in-too-old');
    expect(creatorAccess(nobody, teamFeed(id('ada')), record, now)).toBe('creator-sso-sign-in-too-old');
  });

  it('stops when the access given at the last sign-in does not read the team (moved, or a head of service without it)', () => {
    const record = sso({ meg: { role: 'manager', team: 'SOUTH', signedInAt: daysAgo(1) }, hal: { role: 'head-of-service', teams: ['EAST'], signedInAt: daysAgo(1) }, vic: { role: 'viewer', signedInAt: daysAgo(1) } });
    expect(creatorAccess(nobody, teamFeed(id('meg')), record, now)).toBe('creator-cannot-read-team');
    expect(creatorAccess(nobody, workerFeed(id('hal')), record, now)).toBe('creator-cannot-read-team');
    expect(creatorAccess(nobody, teamFeed(id('vic')), record, now)).toBe('creator-cannot-read-team');
  });

  it('stops for someone neither in the users file nor ever signed in through single sign-on', () => {
    expect(creatorAccess(nobody, teamFeed(id('meg')), new Map(), now)).toBe('creator-removed');
    expect(creatorAccess(nobody, teamFeed(id('meg')))).toBe('creator-removed');
  });

  it('the users file decides for anyone in it, a disabled account even with a recent sign-in through single sign-on', () => {
    const record = new Map([['tess', { userId: 'tess', role: 'administrator' as const, signedInAt: daysAgo(0) }]]);
    expect(creatorAccess(directory(user({ id: 'tess', role: 'manager', team: 'SOUTH' })), teamFeed('tess'), record, now)).toBe('creator-cannot-read-team');
    expect(creatorAccess(directory({ ...user({ id: 'tess', role: 'manager', team: 'NORTH' }), disabled: true } as ConsoleUser), teamFeed('tess'), record, now)).toBe('creator-removed');
  });

  it('single sign-on never speaks for a password account id, nor the users file for a single sign-on id', () => {
    // Access recorded under a plain id (as single sign-on once keyed people) reads nothing: the account is removed.
    const old = new Map([['tess', { userId: 'tess', role: 'administrator' as const, signedInAt: daysAgo(0) }]]);
    expect(creatorAccess(nobody, teamFeed('tess'), old, now)).toBe('creator-removed');
    // A users file entry under an sso. id (which the users file refuses anyway) reads nothing either.
    const meg = id('meg');
    expect(creatorAccess(directory(user({ id: meg, role: 'administrator' })), teamFeed(meg), new Map(), now)).toBe('creator-removed');
  });
});
