/**
 * What the console's browser tests share (tests/console/browser.test.ts and accessibility.test.ts):
 * a worker for the cases they open on the run's dev server, the console's people, headless
 * Debian Chromium (/usr/bin/chromium through playwright-core; no browser is downloaded) on a fresh
 * profile, signing in with the password form, and axe-core's WCAG checks injected into a page.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { hashPassword, writeUsersFile } from '../../client/identity/auth';
import { caseActivities } from './case-record';
import { startMailbox, type Mailbox } from './mailbox';
import { bundleCaseWorkflows, connectDevServer, type DevServerConnections, uniqueName } from './temporal-env';

export const CHROMIUM = process.env.CASECLOCK_CHROMIUM ?? '/usr/bin/chromium';

/** The console's people in these tests: their passwords and user ids. */
export const PASSWORDS = { admin: 'ada keeps the clocks honest', manager: 'tess keeps her team on time', viewer: 'val reads but never writes', head: 'hal oversees two localities' };
export type TestUserKey = keyof typeof PASSWORDS;
export const USER_IDS: Readonly<Record<TestUserKey, string>> = { admin: 'ada', manager: 'tess', viewer: 'val', head: 'hal' };

/** Ada the administrator, Tess (manager) and Val (viewer) of `north`, Hal head of service of `north` and `south`. */
export async function writeConsoleUsers(file: string, teams: { north: string; south: string }): Promise<void> {
  writeUsersFile(file, {
    users: [
      { id: 'ada', name: 'Ada Administrator', role: 'administrator', passwordHash: await hashPassword(PASSWORDS.admin) },
      { id: 'tess', name: 'Tess Manager', role: 'manager', team: teams.north, passwordHash: await hashPassword(PASSWORDS.manager) },
      { id: 'val', name: 'Val Viewer', role: 'viewer', team: teams.north, passwordHash: await hashPassword(PASSWORDS.viewer) },
      { id: 'hal', name: 'Hal Head', role: 'head-of-service', teams: [teams.north, teams.south], passwordHash: await hashPassword(PASSWORDS.head) },
    ],
  });
}

export interface CaseWorker {
  temporal: DevServerConnections;
  client: Client;
  mailbox: Mailbox;
  taskQueue: string;
  close(): Promise<void>;
}

/** A worker in this process on a queue of its own, sending to a real SMTP mailbox. */
export async function startCaseWorker(prefix: string): Promise<CaseWorker> {
  const [temporal, mailbox, bundle] = await Promise.all([connectDevServer(), startMailbox(), bundleCaseWorkflows()]);
  const taskQueue = uniqueName(prefix);
  const worker = await Worker.create({ connection: temporal.nativeConnection, taskQueue, workflowBundle: bundle, activities: caseActivities(mailbox) });
  const running = worker.run();
  return {
    temporal,
    client: temporal.client,
    mailbox,
    taskQueue,
    async close() {
      worker.shutdown();
      await running;
      await temporal.close();
      await mailbox.close();
    },
  };
}

export interface TestBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/**
 * One persistent context on a fresh profile; each user signs in after its cookies are cleared.
 * `bypassCSP` lets a test inject a script of its own (axe-core): the console's Content-Security-Policy
 * allows only its own /static files.
 */
export async function launchChromium(options: { bypassCSP?: boolean } = {}): Promise<TestBrowser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}: the console's browser tests need Debian's chromium package. ` +
        'Install it with `apt-get install -y chromium` (tools/ensure-tools.sh does this for `npm test`), or set CASECLOCK_CHROMIUM to its path.',
    );
  }
  const profile = mkdtempSync(path.join(os.tmpdir(), 'caseclock-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    bypassCSP: options.bypassCSP === true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      // --user-data-dir is the fresh `profile` directory, passed by launchPersistentContext.
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A new page signed in as `user` with the password form, on the case list. */
export async function signedIn(context: BrowserContext, base: string, user: TestUserKey): Promise<Page> {
  await context.clearCookies();
  const page = await context.newPage();
  await page.goto(`${base}/`);
  await page.waitForURL((u) => u.pathname === '/login');
  await page.fill('#login-user', USER_IDS[user]);
  await page.fill('#login-password', PASSWORDS[user]);
  await page.click('button:has-text("Sign in")');
  await page.waitForURL(`${base}/`);
  return page;
}

export async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`never saw ${what}`);
}

/** WCAG 2.0, 2.1 and 2.2, levels A and AA: what the console is held to (docs/decisions/0009-console-accessibility.md). */
export const WCAG_AA_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] as const;

let axeSource: string | undefined;

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/** axe-core's violations of WCAG A and AA on the page as it is now (the package's own script, injected). */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  axeSource ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  await page.addScriptTag({ content: axeSource });
  return page.evaluate(
    async (tags) => {
      const axe = (window as unknown as { axe: { run(context: Document, options: unknown): Promise<{ violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown[] }> }> }> } })
        .axe;
      const result = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
      return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.map(String).join(' ')) }));
    },
    [...WCAG_AA_TAGS],
  );
}

/** One line per violation: its rule, how bad, and where. */
export function describeViolations(violations: readonly AxeViolation[]): string {
  return violations.map((v) => `${v.id} (${v.impact ?? 'unknown'}): ${v.help} at ${v.targets.join(', ')}`).join('\n');
}
