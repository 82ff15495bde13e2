/**
 * The staff directory's page (/admin/staff) over HTTP, the console in-process with a directory of
 * this file's own (an embedded store): administrators only, a member of staff added with the form
 * and listed, a bad email refused on its field with nothing written, removal, and the link in the
 * administrators' navigation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStaffDirectory, type StaffDirectory } from '../../store/staff-directory';
import type { ConsoleSession } from '../support/console';
import { type DirectoryPage, startDirectoryPage } from '../support/directory-tests';

const PASSWORDS = { admin: 'ada lists the council staff', manager: 'tess keeps her team on time' };
const SAM = { staffId: 'PROF-1001', name: 'Sam Worker', email: 'sam.worker@council.example', userId: 'sam' };

let page: DirectoryPage<StaffDirectory>;
let directory: StaffDirectory;

function signIn(user: string, password: string): Promise<ConsoleSession> {
  return page.signIn(user, password);
}

beforeAll(async () => {
  page = await startDirectoryPage({ name: 'staff-page', open: openStaffDirectory, consoleWith: (staff) => ({ staff }), passwords: PASSWORDS, managerTeam: 'LOCALITY-NORTH' });
  ({ directory } = page);
}, 180_000);

afterAll(() => page?.stop());

describe('the staff directory page', () => {
  it('is for administrators only: a manager gets 403 for the page and the form, and no menu item', async () => {
    const tess = await signIn('tess', PASSWORDS.manager);
    expect((await tess.request('/')).body).not.toContain('href="/admin/staff"');
    expect((await tess.request('/admin/staff')).status).toBe(403);
    const posted = await tess.request('/admin/staff', SAM);
    expect(posted.status).toBe(403);
    expect(posted.body).toContain('Only an administrator may keep the staff directory');
    expect(await directory.list()).toEqual([]);
  });

  it('adds a member of staff and lists them, refuses a bad email on its field writing nothing, and removes them', async () => {
    const ada = await signIn('ada', PASSWORDS.admin);
    const empty = await ada.request('/admin/staff');
    expect(empty.status).toBe(200);
    expect(empty.body).toContain('<a href="/admin/staff" aria-current="page">Staff</a>');
    expect(empty.body).toContain('No staff listed.');

    const added = await ada.request('/admin/staff', SAM);
    expect(added.status, added.body.slice(0, 1000)).toBe(303);
    expect(added.location).toBe('/admin/staff?done=PROF-1001');
    expect(await directory.find(SAM.staffId)).toMatchObject({ ...SAM, changedBy: 'ada' });
    const listed = await ada.request('/admin/staff?done=PROF-1001');
    expect(listed.body).toContain('Staff member PROF-1001 saved.');
    expect(listed.body).toMatch(/<tr id="staff-PROF-1001"><td>PROF-1001<\/td><td>Sam Worker<\/td><td>sam.worker@council.example<\/td><td>sam<\/td>/);

    const before = await directory.list();
    const bad = await ada.request('/admin/staff', { ...SAM, staffId: 'PROF-1002', userId: '', email: 'kit at council' });
    expect(bad.status).toBe(400);
    expect(bad.body).toContain('Nothing was saved');
    expect(bad.body).toMatch(/id="staff-email"[^>]*aria-invalid="true"/);
    expect(bad.body).toContain('must be an email address');
    expect(await directory.list()).toEqual(before);

    const removed = await ada.request('/admin/staff/PROF-1001/remove', {});
    expect(removed.status).toBe(303);
    expect(removed.location).toBe('/admin/staff?removed=PROF-1001');
    expect(await directory.list()).toEqual([]);
    await ada.request('/admin/staff');
    expect((await ada.request('/admin/staff/PROF-1001/remove', {})).status).toBe(404);
  });
});
