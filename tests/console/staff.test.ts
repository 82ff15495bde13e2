/**
 * The staff directory's page (/admin/staff) over HTTP, the console in-process with a directory of
 * this file's own (an embedded store): administrators only, a member of staff added with the form
 * and listed, a bad email refused on its field with nothing written, removal, and the link in the
 * administrators' navigation.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword, writeUsersFile } from '../../client/identity/auth';
import { openStaffDirectory, type StaffDirectory } from '../../store/staff-directory';
import { ConsoleSession, startTestConsole, type TestConsole } from '../support/console';
import { startScriptStore } from '../support/script-store';
import { connectDevServer, type DevServerConnections } from '../support/temporal-env';

const PASSWORDS = { admin: 'ada lists the council staff', manager: 'tess keeps her team on time' };
const SAM = { staffId: 'PROF-1001', name: 'Sam Worker', email: 'sam.worker@council.example', userId: 'sam' };

let dev: DevServerConnections;
let staffStore: Awaited<ReturnType<typeof startScriptStore>>;
let directory: StaffDirectory;
let server: TestConsole;

function signIn(user: string, password: string): Promise<ConsoleSession> {
  return ConsoleSession.signedIn(server.url, user, password);
}

beforeAll(async () => {
  dev = await connectDevServer();
  staffStore = await startScriptStore();
  directory = openStaffDirectory(staffStore.url);
  const usersFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'caseclock-staff-page-')), 'users.json');
  writeUsersFile(usersFile, {
    users: [
      { id: 'ada', name: 'Ada Administrator', role: 'administrator', passwordHash: await hashPassword(PASSWORDS.admin) },
      { id: 'tess', name: 'Tess Manager', role: 'manager', team: 'LOCALITY-NORTH', passwordHash: await hashPassword(PASSWORDS.manager) },
    ],
  });
  server = await startTestConsole({ client: dev.client, usersFile, staff: directory });
}, 180_000);

afterAll(async () => {
  await server?.close();
  await directory?.close();
  await staffStore?.stop();
  await dev?.close();
});

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
