/**
 * `caseclock staff list|set|remove` end to end: the real bin in a child process, against an
 * embedded store of this file's own, with a users file of an administrator, a manager and a viewer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStaffDirectory, type StaffMember } from '../../store/staff-directory';
import { type DirectoryCli, expectRefused, startDirectoryCli } from '../support/directory-tests';

let cli: DirectoryCli;
const caseclock = (args: string[], extra: Record<string, string> = {}) => cli.caseclock(args, extra);

async function listed(): Promise<StaffMember[]> {
  const staff = openStaffDirectory(cli.storeUrl);
  try {
    return await staff.list();
  } finally {
    await staff.close();
  }
}

const SAM = ['staff', 'set', 'PROF-1001', '--name', 'Sam Worker', '--email', 'sam.worker@council.example', '--user', 'sam'];

beforeAll(async () => {
  cli = await startDirectoryCli('cli-staff');
});
afterAll(() => cli?.stop());

describe('caseclock staff', () => {
  it('lists an empty directory', async () => {
    const run = await caseclock(['staff', 'list']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('no staff listed (caseclock staff set adds one)\n');
    const json = await caseclock(['staff', 'list', '--json']);
    expect(JSON.parse(json.stdout)).toEqual({ staff: [] });
  });

  it('an administrator adds, changes and removes a member of staff; list shows them, readable and as JSON', async () => {
    const added = await caseclock(SAM);
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toMatch(/^staff PROF-1001 recorded by ada: PROF-1001 {2}Sam Worker <sam\.worker@council\.example>, console user sam; changed by ada at 20/);
    // Set again without --user: they no longer have one.
    const changed = await caseclock([...SAM.slice(0, 5), '--email', 'sam.w@council.example', '--json']);
    expect(changed.code, changed.stderr).toBe(0);
    const member = (JSON.parse(changed.stdout) as { member: StaffMember }).member;
    expect(member).toMatchObject({ staffId: 'PROF-1001', email: 'sam.w@council.example', changedBy: 'ada' });
    expect(member.userId).toBeUndefined();
    const list = await caseclock(['staff', 'list', '--json']);
    const staff = (JSON.parse(list.stdout) as { staff: StaffMember[] }).staff;
    expect(staff.map((s) => [s.staffId, s.name, s.email, s.changedBy])).toEqual([['PROF-1001', 'Sam Worker', 'sam.w@council.example', 'ada']]);
    const text = await caseclock(['staff', 'list']);
    expect(text.stdout).toMatch(/^PROF-1001 {2}Sam Worker <sam\.w@council\.example>; changed by ada at 20/);
    const removed = await caseclock(['staff', 'remove', 'PROF-1001']);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toBe('staff PROF-1001 removed from the directory by ada\n');
    expect(await listed()).toEqual([]);
    expectRefused(await caseclock(['staff', 'remove', 'PROF-1001']), /^caseclock: <staffId> "PROF-1001": no such member of staff in the directory: nothing was changed/);
  });

  it('refuses a manager or a viewer, and bad input naming the option, writing nothing', async () => {
    await caseclock(SAM);
    const before = await listed();
    expect(before).toHaveLength(1);
    expectRefused(await caseclock([...SAM, '--as', 'tess']), /--as "tess" is not an administrator: only an administrator may change the staff directory, nothing was changed/);
    expectRefused(await caseclock(['staff', 'remove', 'PROF-1001', '--as', 'tess']), /"tess" is not an administrator: only an administrator may change the staff directory/);
    expectRefused(await caseclock(['staff', 'remove', 'PROF-1001'], { CASECLOCK_USER: 'val' }), /CASECLOCK_USER "val" has read-only access/);
    const kit = ['staff', 'set', 'PROF-1002', '--name', 'Kit Worker', '--email', 'kit@council.example'];
    expectRefused(await caseclock(kit.slice(0, 5)), /^caseclock: --email is required$/);
    expectRefused(await caseclock(['staff', 'set', 'PROF 1002', ...kit.slice(3)]), /^caseclock: <staffId> "PROF 1002": may contain only letters, digits, dot, dash and underscore/);
    expectRefused(await caseclock([...kit.slice(0, 5), '--email', 'kit at council']), /^caseclock: --email "kit at council": must be an email address$/);
    expectRefused(await caseclock([...kit, '--user', 'kit worker']), /^caseclock: --user "kit worker": may contain only letters/);
    expectRefused(await caseclock([...kit, '--user', 'sam']), /^caseclock: --user: sam is already the user id of another member of staff: nothing was changed$/);
    expect(await listed()).toEqual(before);
    // Control: the same comparison notices a write.
    const added = await caseclock(kit);
    expect(added.code, added.stderr).toBe(0);
    expect(await listed()).not.toEqual(before);
  });
});
