/**
 * The Web UI's way of calling the codec server, in headless Chromium (Debian's /usr/bin/chromium,
 * as tests/console/browser.test.ts): sign in to the console on localhost, then, from a page of
 * another origin on the same host (standing in for the Temporal Web UI), `fetch` the codec server
 * on a third port with `credentials: 'include'` and the headers the Web UI sends. This is what
 * proves the console's host-only SameSite=Strict cookie reaches the codec server across ports,
 * and that the browser accepts the CORS answers. The console is the real Fastify app
 * (startTestConsole); the codec server checks its cookie as production does
 * (consoleCookieChecker against the shared console store).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCodecServer } from '../../client/codec-server/main';
import { hashPassword, UserDirectory, writeUsersFile } from '../../client/identity/auth';
import { consoleCookieChecker } from '../../client/identity/session';
import { EncryptionCodec } from '../../common/encryption';
import { createLogger } from '../../common/log';
import { openConsoleStore, type ConsoleStore } from '../../store/console-store';
import { storeUrl } from '../support/case-record';
import { startTestConsole, TEST_SESSION_SECRET, type TestConsole } from '../support/console';
import { testKey } from './keys';

const CHROMIUM = process.env.CASECLOCK_CHROMIUM ?? '/usr/bin/chromium';
const PASSWORD = 'codec browser password 1';
const SECRET = { reason: 'Child ZEBRA-NAME seen at 12 Secret Street' };
const codec = new EncryptionCodec([testKey('k1')], 'k1');

const servers: http.Server[] = [];
let console_: TestConsole | undefined;
let codecStore: ConsoleStore | undefined;
let dir: string | undefined;
let profile: string | undefined;
let browser: BrowserContext | undefined;
let consoleUrl: string;
let codecUrl: string;
let uiPort: number;
let encryptedBody: string;

async function listen(server: http.Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM}: this test needs Debian's chromium package (or CASECLOCK_CHROMIUM).`);
  }
  dir = mkdtempSync(path.join(os.tmpdir(), 'caseclock-codec-browser-'));
  const usersFile = path.join(dir, 'users.json');
  const passwordHash = await hashPassword(PASSWORD);
  writeUsersFile(usersFile, {
    users: [
      { id: 'ada', name: 'Ada Administrator', role: 'administrator', passwordHash },
      { id: 'val', name: 'Val Viewer', role: 'viewer', passwordHash },
    ],
  });
  const client = new Proxy({}, { get: () => () => Promise.reject(new Error('Temporal must not be called')) }) as unknown as Client;
  console_ = await startTestConsole({ client, usersFile });
  consoleUrl = `http://localhost:${console_.port}`;
  codecStore = openConsoleStore(storeUrl());

  // The stand-in Web UI: an empty page; the test runs the Web UI's fetch in it.
  uiPort = await listen(http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>Web UI</title>')));
  codecUrl = `http://localhost:${await listen(
    createCodecServer({
      codec,
      consoleSignIn: { personFor: consoleCookieChecker(codecStore, new UserDirectory(usersFile), TEST_SESSION_SECRET, { lifetimeMs: 3_600_000, idleMs: 1_800_000 }) },
      // 127.0.0.1 is allowed by CORS too, to show that SameSite (not CORS) is what stops the cookie there.
      allowedOrigins: [`http://localhost:${uiPort}`, `http://127.0.0.1:${uiPort}`],
      logger: createLogger({ level: 'silent' }),
    }),
  )}`;
  const toJson = (p: Payload) => ({
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v!).toString('base64')])),
    data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
  });
  encryptedBody = JSON.stringify({ payloads: (await codec.encode([defaultPayloadConverter.toPayload(SECRET)])).map(toJson) });

  profile = mkdtempSync(path.join(os.tmpdir(), 'caseclock-chromium-'));
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

afterAll(async () => {
  await browser?.close();
  for (const server of servers) await new Promise<void>((resolve) => server.close(() => resolve()));
  await console_?.close();
  await codecStore?.close();
  for (const d of [profile, dir]) if (d) rmSync(d, { recursive: true, force: true });
});

async function signIn(page: Page, user: string): Promise<void> {
  // A fresh browser session: the console sends someone already signed in from /login to the cases.
  await page.context().clearCookies();
  await page.goto(`${consoleUrl}/login`);
  await page.fill('#login-user', user);
  await page.fill('#login-password', PASSWORD);
  await Promise.all([page.waitForURL((url) => !url.pathname.startsWith('/login')), page.click('button.primary')]);
}

/** The Web UI's codec call (temporalio/ui data-encoder: POST, JSON, X-Namespace, credentials when ticked). */
async function decodeFrom(page: Page, uiOrigin: string, includeCredentials: boolean): Promise<{ status: number; text: string }> {
  await page.goto(`${uiOrigin}/`);
  return page.evaluate(
    async ({ url, body, include }) => {
      const res = await fetch(`${url}/decode`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Namespace': 'default' },
        body,
        ...(include ? { credentials: 'include' as const } : {}),
      });
      return { status: res.status, text: await res.text() };
    },
    { url: codecUrl, body: encryptedBody, include: includeCredentials },
  );
}

describe('the codec server called as the Temporal Web UI calls it, in Chromium', () => {
  it('decodes for an administrator signed in to the console, only with "include credentials"', async () => {
    const page = await browser!.newPage();
    try {
      await signIn(page, 'ada');
      const ui = `http://localhost:${uiPort}`;
      const withCredentials = await decodeFrom(page, ui, true);
      expect(withCredentials.status).toBe(200);
      const { payloads } = JSON.parse(withCredentials.text) as { payloads: { metadata: Record<string, string>; data: string }[] };
      const plain = payloads.map((p) =>
        defaultPayloadConverter.fromPayload({
          metadata: Object.fromEntries(Object.entries(p.metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
          data: Buffer.from(p.data, 'base64'),
        }),
      );
      expect(plain).toEqual([SECRET]);
      // Without the Web UI's "Include cross-origin credentials" the cookie stays home.
      expect((await decodeFrom(page, ui, false)).status).toBe(401);
      // A Web UI opened as 127.0.0.1 is another site than localhost: SameSite=Strict withholds the cookie.
      expect((await decodeFrom(page, `http://127.0.0.1:${uiPort}`, true)).status).toBe(401);
    } finally {
      await page.close();
    }
  });

  it('refuses a viewer signed in to the console with 403', async () => {
    const page = await browser!.newPage();
    try {
      await signIn(page, 'val');
      const res = await decodeFrom(page, `http://localhost:${uiPort}`, true);
      expect(res.status).toBe(403);
      expect(res.text).not.toContain('ZEBRA');
    } finally {
      await page.close();
    }
  });
});
