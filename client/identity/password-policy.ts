/**
 * What a new console password must be, for `users.ts add`, `users.ts passwd` and the console's
 * change-password page alike. Length is what protects a password most (NIST SP 800-63B), so the
 * rules are few: long enough, not absurdly long, and not one of the guesses an attacker tries first
 * (a common password, a keyboard walk, one character repeated, the user's own id or name).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const MIN_PASSWORD_CHARACTERS = 12;
/** Administrators can do everything, so their passwords must be longer. */
export const MIN_ADMINISTRATOR_PASSWORD_CHARACTERS = 15;
/** Bytes of UTF-8 after NFKC: bounds the work scrypt is given, and no real passphrase is longer. */
export const MAX_PASSWORD_BYTES = 256;

export const COMMON_PASSWORDS_FILE = path.join(__dirname, 'common-passwords.txt');

let commonPasswords: Set<string> | undefined;
/** The deny-list, read once (lower case, one a line, # comments). */
export function commonPasswordList(): ReadonlySet<string> {
  commonPasswords ??= new Set(
    readFileSync(COMMON_PASSWORDS_FILE, 'utf8')
      .split('\n')
      .map((l) => l.trim().toLowerCase())
      .filter((l) => l !== '' && !l.startsWith('#')),
  );
  return commonPasswords;
}

/** Keyboard rows and digit runs, doubled so a walk that wraps round (`7890123`) is found too. */
const WALKS = ['1234567890', 'qwertyuiop', 'qwertyuiopasdfghjklzxcvbnm', 'asdfghjkl', 'zxcvbnm', 'qwertzuiop', 'azertyuiop', 'abcdefghijklmnopqrstuvwxyz', '1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p'].flatMap((w) => [
  w + w,
  [...(w + w)].reverse().join(''),
]);

/** Undoes the usual letter-for-symbol swaps (p@ssw0rd), so they do not hide a common password. */
const LEET: Record<string, string> = { '@': 'a', '4': 'a', '8': 'b', '3': 'e', '1': 'i', '!': 'i', '0': 'o', $: 's', '5': 's', '7': 't', '+': 't', '2': 'z' };
const unleet = (s: string) => [...s].map((c) => LEET[c] ?? c).join('');

/** The same unit repeated (`aaaa`, `abcabcabc`, `passwordpassword`). */
function repeats(s: string): boolean {
  const n = s.length;
  for (let unit = 1; unit <= n / 2; unit++) {
    if (n % unit === 0 && s.slice(0, unit).repeat(n / unit) === s) return true;
  }
  return false;
}

/** A run along the keyboard or the alphabet, either way, or the same step between every character. */
function trivialSequence(s: string): boolean {
  if (s.length < 3) return true;
  if (WALKS.some((w) => w.includes(s))) return true;
  const cps = [...s].map((c) => c.codePointAt(0) ?? 0);
  const step = (cps[1] ?? 0) - (cps[0] ?? 0);
  return Math.abs(step) <= 2 && cps.every((c, i) => i === 0 || c - (cps[i - 1] ?? 0) === step);
}

/** Trivial on its own: a run, a repetition, or digits and symbols only. */
const trivial = (s: string) => s.length < 6 || repeats(s) || trivialSequence(s) || /^[^\p{L}]*$/u.test(s);

/**
 * Why `password` may not be used as a new password by this user, in words for the person
 * choosing it; undefined when it is acceptable. Passwords are compared after NFKC, as they are
 * hashed (auth.ts), so a look-alike spelling counts as the same password.
 */
export function checkNewPassword(password: string, context: { userId: string; name?: string; role?: string }): string | undefined {
  const normal = password.normalize('NFKC');
  const characters = [...normal].length;
  const min = context.role === 'administrator' ? MIN_ADMINISTRATOR_PASSWORD_CHARACTERS : MIN_PASSWORD_CHARACTERS;
  if (characters < min) {
    return `the password must be at least ${min} characters${context.role === 'administrator' ? ' for an administrator' : ''} (a few unrelated words make a good one)`;
  }
  if (Buffer.byteLength(normal, 'utf8') > MAX_PASSWORD_BYTES) return `the password must be at most ${MAX_PASSWORD_BYTES} bytes`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001F\u007F-\u009F]/.test(normal)) return 'the password must not contain control characters';
  if (normal.trim() === '') return 'the password must not be only spaces';
  const lower = normal.toLowerCase();
  const compact = lower.replace(/\s+/g, '');
  if (new Set(compact).size < 4) return 'the password uses too few different characters';
  if (repeats(compact)) return 'the password must not be one thing repeated';
  if (trivialSequence(compact)) return 'the password must not be a run of keys or letters (like 123456 or qwerty)';

  const id = context.userId.toLowerCase();
  if (id.length >= 3 && (compact.includes(id) || unleet(compact).includes(id))) return 'the password must not contain your user id';
  const nameParts = (context.name ?? '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((p) => p.length >= 4);
  const fullName = (context.name ?? '').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');
  if ([fullName, ...nameParts].some((p) => p.length >= 4 && (compact.includes(p) || unleet(compact).includes(p)))) {
    return 'the password must not contain your name';
  }

  const common = commonPasswordList();
  // The word inside the usual decoration: `Password1234!` is `password`.
  const core = unleet(compact.replace(/^[^\p{L}]+|[^\p{L}]+$/gu, ''));
  if (common.has(compact) || common.has(unleet(compact)) || common.has(core)) return 'the password is one of the most common passwords';
  // A common password with a little added (`mypassword12`, `iloveyou2026`) is guessed nearly as soon.
  for (const form of new Set([compact, unleet(compact)])) {
    for (const word of common) {
      if (word.length >= 5 && form.includes(word) && trivial(form.replace(word, ''))) {
        return 'the password is a common password with little added';
      }
    }
  }
  return undefined;
}
