/**
 * The web console in the test process, on a random port of 127.0.0.1: the real Fastify app with
 * its sessions, failed sign-ins and record of views in the run's case-record store.
 */
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { createConsole, type ConsoleOptions } from '../../client/console/app';
import { UserDirectory } from '../../client/identity/auth';
import { openCaseRecordStore } from '../../store/case-record-store';
import { openCaseSummaries } from '../../store/case-summaries';
import { openConsoleStore, type ConsoleStore } from '../../store/console-store';
import { openFeedStore } from '../../store/feed-store';
import { expect } from 'vitest';
import { storeUrl, testStore } from './case-record';

export const TEST_SESSION_SECRET = 'console-test-session-secret-0123456789abcdef';

export interface TestConsole {
  app: FastifyInstance;
  url: string;
  port: number;
  consoleStore: ConsoleStore;
  close(): Promise<void>;
}

/** `storeUrl`: a case-record store of the test's own for everything the console keeps and reads (default: the run's). */
export async function startTestConsole(
  options: { client: Client; usersFile: string } & Partial<Omit<ConsoleOptions, 'client' | 'users' | 'store' | 'consoleStore'>> & { host?: string; storeUrl?: string },
): Promise<TestConsole> {
  const { usersFile, host, storeUrl: ownStore, ...rest } = options;
  const url = ownStore ?? storeUrl();
  const consoleStore = openConsoleStore(url);
  const feedStore = openFeedStore(url);
  // The cases' summaries where the run's workers write them (a test may pass a store of its own).
  const summaries = openCaseSummaries(url);
  const record = ownStore ? openCaseRecordStore(ownStore) : testStore();
  const app = await createConsole({
    store: record,
    summaries,
    consoleStore,
    feedStore,
    users: new UserDirectory(usersFile),
    sessionSecret: TEST_SESSION_SECRET,
    limits: { lifetimeMs: 3_600_000, idleMs: 1_800_000 },
    logLevel: 'silent',
    ...rest,
  });
  await app.listen({ port: 0, host: host ?? '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    app,
    port,
    url: `http://127.0.0.1:${port}`,
    consoleStore,
    async close() {
      await app.close();
      await consoleStore.close();
      await feedStore.close();
      await summaries.close();
      if (ownStore) await record.close();
    },
  };
}

/** A browser's session with a console: one session cookie, the latest CSRF token from its pages. */
export class ConsoleSession {
  cookie = '';
  csrf = '';
  constructor(private readonly baseUrl: string) {}

  /** Signs in with the password form, as a browser would: the form, the post (a 303), then the home page. */
  static async signedIn(baseUrl: string, user: string, password: string): Promise<ConsoleSession> {
    const s = new ConsoleSession(baseUrl);
    await s.request('/login');
    const answer = await s.request('/login', { user, password, next: '/' });
    expect(answer.status, answer.body.slice(0, 500)).toBe(303);
    await s.request('/');
    return s;
  }

  /** GET a page, or POST a form (with the CSRF token); redirects are answered, not followed. */
  async request(p: string, form?: Record<string, string>): Promise<{ status: number; location: string | null; body: string }> {
    const res = await fetch(`${this.baseUrl}${p}`, {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: { ...(this.cookie ? { cookie: this.cookie } : {}), ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      ...(form ? { body: new URLSearchParams({ csrf: this.csrf, ...form }).toString() } : {}),
    });
    const set = res.headers.getSetCookie().find((c) => c.startsWith('caseclock_session='));
    if (set) this.cookie = set.split(';')[0] ?? '';
    const body = await res.text();
    const token = /name="csrf" value="([^"]+)"/.exec(body)?.[1];
    if (token) this.csrf = token;
    return { status: res.status, location: res.headers.get('location'), body };
  }
}
