/**
 * Whether a calendar feed still reads: its creator's access as the users file says now (the route,
 * end to end, is in feeds.test.ts).
 */
import { describe, expect, it } from 'vitest';
import type { ConsoleUser } from '../../client/console/auth';
import { creatorAccess } from '../../client/console/routes/feeds';

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
