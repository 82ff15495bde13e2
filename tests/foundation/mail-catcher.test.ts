/**
 * The mail catcher that `npm start` runs (tools/mail-catcher.sh: MailDev), started the way
 * run.sh starts it: an email sent by CaseClock's own email activity, through a transport made from
 * an smtp:// URL as worker/main.ts makes it, shows in MailDev's API and web inbox; both ports
 * listen on 127.0.0.1 only; caught mail survives a restart; its log names no staff address.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNotificationActivities } from '../../activities/notifications';
import type { CaseMessage } from '../../activities/render-message';
import { freePort } from '../../tools/dev-server';

const SCRIPT = path.resolve(__dirname, '../../tools/mail-catcher.sh');

/** The fields of MailDev's GET /api/email this test reads. */
interface CaughtEmail {
  id: string;
  subject: string;
  to: { address: string; name: string }[];
  headers: Record<string, string>;
}

const reminder: CaseMessage = {
  messageId: 'MC-1/visit@2026-03-20T10:00:00.000Z/reminder/0',
  caseId: 'MC-1',
  caseReference: 'MC-1',
  team: 'LOCALITY-NORTH',
  type: 'reminder',
  level: 0,
  repeat: 0,
  role: 'allocated-worker',
  sendAt: '2026-03-19T10:00:00.000Z',
  obligation: {
    id: 'visit@2026-03-20T10:00:00.000Z',
    kind: 'visit',
    title: 'Visit',
    dueAt: '2026-03-20T10:00:00.000Z',
    basis: 'test',
  },
};

let dir: string;
let smtpPort: number;
let webPort: number;
let catcher: ChildProcess | undefined;
let output = '';

async function startCatcher(): Promise<void> {
  output = '';
  const child = spawn('bash', [SCRIPT, String(smtpPort), String(webPort), path.join(dir, 'mail')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  catcher = child;
  await until(async () => (await fetch(`http://127.0.0.1:${webPort}/api/email`)).ok, 30_000, 'MailDev did not answer');
}

/** Stops it with SIGTERM, as run.sh's Ctrl-C does, and waits for it to exit. */
async function stopCatcher(): Promise<void> {
  const child = catcher;
  catcher = undefined;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // not listening yet
    }
    if (catcher && catcher.exitCode !== null) throw new Error(`${what}: it exited (${catcher.exitCode}): ${output}`);
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms: ${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function caught(): Promise<CaughtEmail[]> {
  const res = await fetch(`http://127.0.0.1:${webPort}/api/email`);
  expect(res.status).toBe(200);
  return (await res.json()) as CaughtEmail[];
}

/** Local addresses listening on `port` (Linux /proc/net/tcp{,6}; hex address:port). */
function listeners(port: number): string[] {
  const found: string[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue; // no IPv6
    }
    for (const line of text.split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (!local || state !== '0A') continue; // 0A: LISTEN
      const [address, hexPort] = local.split(':');
      if (address && parseInt(hexPort ?? '', 16) === port) found.push(address);
    }
  }
  return found;
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'caseclock-mail-catcher-'));
  smtpPort = await freePort();
  do webPort = await freePort();
  while (webPort === smtpPort);
  await startCatcher();
});

afterAll(async () => {
  await stopCatcher();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the mail catcher of npm start (MailDev)', () => {
  it('catches an email from CaseClock and shows it in its API and web inbox', async () => {
    const activities = createNotificationActivities({
      transport: nodemailer.createTransport(`smtp://127.0.0.1:${smtpPort}`),
      from: 'caseclock@localhost',
      consoleUrl: 'http://localhost:8080',
    });
    await new MockActivityEnvironment().run(activities.deliverCaseMessage, {
      message: reminder,
      to: { email: 'worker@council.test', name: 'Sam Worker' },
    });

    let mails: CaughtEmail[] = [];
    await until(async () => (mails = await caught()).length === 1, 10_000, 'the email did not show in /api/email');
    const [mail] = mails;
    expect(mail?.to.map((t) => t.address)).toEqual(['worker@council.test']);
    expect(mail?.subject).toMatch(/^\[CaseClock\]/);
    expect(mail?.headers['x-caseclock-case']).toBe('MC-1');
    // What npm start writes to .data/logs/mail.log: the email was received, without its addresses.
    await until(async () => output.includes('Received: an email (addresses not logged)'), 10_000, 'the catcher did not log the email');
    expect(output).not.toMatch(/worker@council\.test|caseclock@localhost/);

    // The inbox page a browser gets (it asks for text/html), and the script it loads.
    const page = await fetch(`http://127.0.0.1:${webPort}/`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    const html = await page.text();
    const script = html.match(/<script[^>]+src="\.?\/?([^"]+\.js)"/)?.[1];
    expect(script).toBeDefined();
    const js = await fetch(`http://127.0.0.1:${webPort}/${script}`);
    expect(js.status).toBe(200);
    expect((await js.arrayBuffer()).byteLength).toBeGreaterThan(10_000);
  });

  it('listens on 127.0.0.1 only, both ports', () => {
    const loopback = '0100007F'; // 127.0.0.1 as /proc/net/tcp writes it
    expect(listeners(smtpPort)).toEqual([loopback]);
    expect(listeners(webPort)).toEqual([loopback]);
  });

  it('keeps caught mail across a restart', async () => {
    await stopCatcher();
    await startCatcher();
    let mails: CaughtEmail[] = [];
    await until(async () => (mails = await caught()).length === 1, 10_000, 'the caught email did not come back');
    expect(mails[0]?.headers['x-caseclock-case']).toBe('MC-1');
  });
});
