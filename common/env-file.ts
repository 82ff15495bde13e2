/**
 * Reads `.env` into the environment for processes started by hand (`npx caseclock`,
 * `users.ts`), so they see the settings `npm start` gives its children. Same rules as
 * tools/run.sh, on purpose, so one .env means one thing: KEY=VALUE lines (optionally
 * `export KEY=VALUE`), trailing blanks dropped, one pair of surrounding quotes removed, anything
 * else (comments, blank lines) ignored, and a variable already in the environment wins, even empty.
 * (Node's process.loadEnvFile parses quotes and comments differently, and overrides.)
 * It is the only .env reader: run.sh asks it too (the command at the end of this file).
 */
import { chmodSync, existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * The top of the checkout: the nearest folder above this file with a package.json, so it is the
 * same from the sources (common/) and from the compiled code (dist/common/, or /app/dist/common/
 * in the image).
 */
export const REPO_ROOT = checkoutRoot(__dirname);

function checkoutRoot(from: string): string {
  for (let dir = from; path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
  }
  return path.resolve(from, '..');
}

/** The .env read: CASECLOCK_ENV_FILE, else .env at the top of the checkout (where `npm start` reads it). */
export function envFilePath(env: Record<string, string | undefined> = process.env): string {
  const given = env['CASECLOCK_ENV_FILE'];
  return given !== undefined && given !== '' ? path.resolve(given) : path.join(REPO_ROOT, '.env');
}

const LINE = /^[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/;

/** The KEY=VALUE pairs of a .env text, in order. */
export function parseEnvText(text: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (const line of text.split(/\r?\n/)) {
    const m = LINE.exec(line);
    if (!m?.[1]) continue;
    let value = (m[2] ?? '').replace(/[ \t]+$/, '');
    const quoted = /^"(.*)"$/.exec(value) ?? /^'(.*)'$/.exec(value);
    if (quoted) value = quoted[1] ?? '';
    pairs.push([m[1], value]);
  }
  return pairs;
}

/**
 * Loads the .env file, if there is one, into `env` without overriding anything already set, and
 * makes it readable by its owner only (it holds the encryption keys and secrets). Returns the
 * names set, or undefined when there is no file.
 */
export function loadEnvFile(file: string = envFilePath(), env: Record<string, string | undefined> = process.env): string[] | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  keepPrivate(file);
  const set: string[] = [];
  for (const [key, value] of parseEnvText(text)) {
    if (key in env) continue;
    env[key] = value;
    set.push(key);
  }
  return set;
}

/** chmod 600 when group or others may read the file and it is ours (someone else's is left alone). */
function keepPrivate(file: string): void {
  try {
    const st = statSync(file);
    if ((st.mode & 0o077) !== 0 && typeof process.getuid === 'function' && st.uid === process.getuid()) chmodSync(file, 0o600);
  } catch {
    // Reading the settings matters more than tightening them; run.sh says so at `npm start`.
  }
}

/**
 * `node --import tsx common/env-file.ts [FILE]` (FILE defaults to envFilePath()): how
 * tools/run.sh reads .env, so npm start and the processes started by hand read it by one
 * parser. Prints KEY=VALUE for each setting of the file the environment lacks, in file order,
 * each ended by a NUL byte (bash's `read -d ''`), and sets nothing itself.
 */
if (require.main === module) {
  const file = process.argv[2] ?? envFilePath();
  const env: Record<string, string | undefined> = { ...process.env };
  try {
    const set = loadEnvFile(file, env) ?? [];
    process.stdout.write(set.map((key) => `${key}=${env[key] ?? ''}\0`).join(''));
  } catch (err) {
    process.stderr.write(`env-file: cannot read ${file}: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  }
}
