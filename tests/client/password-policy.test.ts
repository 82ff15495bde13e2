/**
 * Console passwords: the policy on its own, then as users.ts applies it (add, passwd,
 * --must-change), and the first administrator's password kept out of the log.
 */
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureFirstUser, firstAdminPasswordFile, readUsersFile, verifyPassword } from '../../client/identity/auth';
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

  it('is announced in the console log without the password', () => {
    const main = readFileSync(path.join(__dirname, '../../client/console/main.ts'), 'utf8');
    const firstRun = main.slice(main.indexOf('FIRST RUN'), main.indexOf('readUsersFile(usersFile)'));
    expect(firstRun).toContain('first.passwordFile');
    expect(firstRun).not.toMatch(/first\.password\b(?!File)/);
  });
});
