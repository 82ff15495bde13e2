/**
 * Console passwords: the policy on its own, then as users.ts applies it (add, passwd,
 * --must-change), and the first administrator's password kept out of the log.
 */
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureFirstUser, firstAdminPasswordFile, readUsersFile, usersFileNotice, verifyPassword } from '../../client/identity/auth';
import { checkNewPassword, commonPasswordList, MAX_PASSWORD_BYTES } from '../../client/identity/password-policy';
import { run as usersCommand } from '../../client/cli/users';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'caseclock-passwords-'));
const SAM = { userId: 'sam.worker', name: 'Sam Worker' };

describe('checkNewPassword', () => {
  it.each([
    ['password1234', /common/],
    ['aaaaaaaaaaaa', /too few different characters/],
    ['            ', /only spaces/],
    ['\t \t \t \t \t \t ', /control characters|only spaces/],
    ['short', /at least 12 characters/],
    ['Password123!', /common/],
    ['P@ssw0rd2026', /common/],
    ['iloveyou2026', /common/],
    ['Welcome12345', /common/],
    ['summer2026!!', /common/],
    ['mypassword12', /common/],
    ['qwertyuiop12', /common/],
    ['123456789012', /run of keys/],
    ['abcdefghijkl', /run of keys/],
    ['lkjhgfdsapoi', /run of keys/],
    ['1qaz2wsx3edc', /run of keys/],
    ['abcdabcdabcd', /repeated/],
    ['sam.worker2026!', /user id/],
    ['SAM.WORKER-xyz-123', /user id/],
    ['Worker-secret-99', /your name/],
    ['x'.repeat(MAX_PASSWORD_BYTES + 1), /at most 256 bytes/],
    ['é'.repeat(129), /at most 256 bytes/], // 258 bytes in UTF-8, 129 characters
  ])('refuses %j', (password, reason) => {
    expect(checkNewPassword(password, SAM)).toMatch(reason);
  });

  it.each(['correct horse battery staple', 'purple-tuesday-lamp', 'Tr0ub4dor&3xyz', 'a long enough password', 'Grüße aus Köln 2026', 'x7#Lq9!vR2@m'])('accepts %j', (password) => {
    expect(checkNewPassword(password, SAM)).toBeUndefined();
  });

  it('counts characters, not bytes, for the minimum, and bytes after NFKC for the maximum', () => {
    expect(checkNewPassword('ﬁ'.repeat(6), SAM)).toMatch(/too few different/); // NFKC makes each ligature two letters: long enough, but weak
    expect(checkNewPassword('ﬁ'.repeat(5), SAM)).toMatch(/at least 12/);
    expect(checkNewPassword('rouge-vert-bleu-jaune'.padEnd(MAX_PASSWORD_BYTES, 'z'), SAM)).toBeUndefined();
  });

  it('asks more of an administrator', () => {
    expect(checkNewPassword('x7#Lq9!vR2@m', { userId: 'ada', role: 'administrator' })).toMatch(/at least 15 characters for an administrator/);
    expect(checkNewPassword('x7#Lq9!vR2@mZ4k', { userId: 'ada', role: 'administrator' })).toBeUndefined();
  });

  it('ships a deny-list of a few hundred common passwords', () => {
    const list = commonPasswordList();
    expect(list.size).toBeGreaterThan(400);
    for (const p of ['123456', 'password', 'qwerty', 'iloveyou', 'letmein']) expect(list.has(p)).toBe(true);
  });
});

describe('users.ts applies the policy', () => {
  it('refuses a weak password for anyone, administrators included, and writes nothing', async () => {
    const file = path.join(tmp(), 'users.json');
    for (const weak of ['password1234', 'aaaaaaaaaaaa', ' '.repeat(12), 'x'.repeat(300)]) {
      await expect(usersCommand(['add', 'ada', '--role', 'administrator'], file, async () => weak)).rejects.toThrow(/nothing was written/);
      await expect(usersCommand(['add', 'val', '--role', 'viewer'], file, async () => weak)).rejects.toThrow(/nothing was written/);
    }
    await expect(usersCommand(['list'], file)).resolves.toBe('(no users)');
  });

  it('adds with --must-change, and passwd sets a checked password and clears it', async () => {
    const file = path.join(tmp(), 'users.json');
    expect(await usersCommand(['add', 'tess', '--role', 'manager', '--team', 'NORTH', '--name', 'Tess Manager', '--must-change'], file, async () => 'given by the admin 42')).toMatch(
      /added tess .*must change the password/,
    );
    expect(readUsersFile(file).users[0]).toMatchObject({ id: 'tess', mustChangePassword: true });
    expect(await usersCommand(['list'], file)).toMatch(/must change password/);

    await expect(usersCommand(['passwd', 'tess'], file, async () => 'tess-manager-1234')).rejects.toThrow(/user id|name/);
    await expect(usersCommand(['passwd', 'nobody'], file, async () => 'purple-tuesday-lamp')).rejects.toThrow(/no user nobody/);
    expect(readUsersFile(file).users[0]?.mustChangePassword).toBe(true);

    expect(await usersCommand(['passwd', 'tess'], file, async () => 'purple-tuesday-lamp')).toMatch(/changed the password of tess/);
    const [tess] = readUsersFile(file).users;
    expect(tess?.mustChangePassword).toBeUndefined();
    expect(tess).toMatchObject({ role: 'manager', team: 'NORTH', name: 'Tess Manager' });
    expect(await verifyPassword('purple-tuesday-lamp', tess?.passwordHash ?? '')).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});

describe('the first administrator', () => {
  it('gets a password in an owner-only file, and must change it', async () => {
    const dir = tmp();
    const file = path.join(dir, 'data', 'users.json');
    const first = await ensureFirstUser(file, 'development');
    if (!first.created) throw new Error('expected a first user');
    expect(first.passwordFile).toBe(firstAdminPasswordFile(file));
    expect(first.passwordFile).toBe(path.join(dir, 'data', 'first-admin-password.txt'));
    expect(statSync(first.passwordFile).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(readFileSync(first.passwordFile, 'utf8')).toContain(first.password);
    const [admin] = readUsersFile(file).users;
    expect(admin).toMatchObject({ id: 'admin', role: 'administrator', mustChangePassword: true });
    expect(await verifyPassword(first.password, admin?.passwordHash ?? '')).toBe(true);
  });

  it('is announced at each start while the password is unchanged, by where it is, never what', async () => {
    const file = path.join(tmp(), 'users.json');
    const first = await ensureFirstUser(file, 'development');
    if (!first.created) throw new Error('expected a first user');
    for (const notice of [await usersFileNotice(file), await usersFileNotice(file)]) {
      expect(notice.firstRun).toBe(true);
      expect(notice.line).toMatch(/^FIRST RUN: the console's first user is admin, its password in /);
      expect(notice.line).toContain(first.passwordFile);
      expect(notice.line).not.toContain(first.password);
    }
    // users.ts first-run (what npm start prints) says the same, and makes no second administrator.
    const before = readFileSync(file, 'utf8');
    expect(await usersCommand(['first-run'], file)).toBe((await usersFileNotice(file)).line);
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('choosing a new password deletes the password file, and the notice stops', async () => {
    const file = path.join(tmp(), 'users.json');
    const first = await ensureFirstUser(file, 'development');
    if (!first.created) throw new Error('expected a first user');
    // Another user's new password leaves it: it is still the administrator's.
    await usersCommand(['add', 'tess', '--role', 'manager', '--team', 'NORTH'], file, async () => 'given by the admin 42');
    await usersCommand(['passwd', 'tess'], file, async () => 'purple-tuesday-lamp');
    expect(existsSync(first.passwordFile)).toBe(true);
    expect(await usersCommand(['passwd', 'admin'], file, async () => 'correct horse battery staple')).toMatch(/deleted .*first-admin-password\.txt: the first password no longer works/);
    expect(existsSync(first.passwordFile)).toBe(false);
    expect(await usersFileNotice(file)).toEqual({ firstRun: false, line: `users file ${file}: 2 users` });
    expect(await usersCommand(['first-run'], file)).toBe(`users file ${file}: 2 users`);
  });

  it('leaves a password file that no longer holds the first password, and says no FIRST RUN for it', async () => {
    const file = path.join(tmp(), 'users.json');
    const first = await ensureFirstUser(file, 'development');
    if (!first.created) throw new Error('expected a first user');
    const edited = 'user: admin\npassword: something I wrote here myself\n';
    writeFileSync(first.passwordFile, edited);
    expect((await usersFileNotice(file)).firstRun).toBe(false);
    expect(await usersCommand(['passwd', 'admin'], file, async () => 'correct horse battery staple')).toBe(`changed the password of admin in ${file}`);
    expect(readFileSync(first.passwordFile, 'utf8')).toBe(edited);
  });
});
