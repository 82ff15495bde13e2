/**
 * Fault drills for email, under time skipping with a real SMTP server: the server down for an
 * hour, and the server answering "try again later" for an hour. In both, the escalation that fell
 * due meanwhile is delivered exactly once when mail works again, and the timeline records it once.
 * A message the server refuses for good is shown on the case and in the web console, not retried
 * forever.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword, writeUsersFile } from '../../client/identity/auth';
import { SESSION_COOKIE } from '../../client/identity/session';
import { startTestConsole } from '../support/console';
import { startMailbox, type Mailbox } from '../support/mailbox';
import { CaseUnderTest, startHarness, type Harness } from '../case/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const HOUR = 3600_000;
const l1Of = (mailbox: Mailbox, kase: CaseUnderTest) => mailbox.messages.filter((m) => m.caseReference === kase.caseId && m.caseMessageId.includes('/escalation/L1/'));

async function deliveredEscalations(kase: CaseUnderTest) {
  return (await kase.timeline()).filter((t) => t.delivery?.type === 'escalation' && t.delivery.outcome === 'delivered');
}

/** The case page of the web console, as a viewer of the case's team (LOCALITY-NORTH, as the harness opens cases) who signed in through its sign-in form sees it. */
async function consoleCasePage(client: Client, caseId: string): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'caseclock-console-'));
  const usersFile = path.join(dir, 'users.json');
  const password = 'a long enough password';
  writeUsersFile(usersFile, { users: [{ id: 'viewer1', name: 'Viewer', role: 'viewer', team: 'LOCALITY-NORTH', passwordHash: await hashPassword(password) }] });
  const console_ = await startTestConsole({ client, usersFile });
  try {
    const sessionCookie = (res: Response) => (res.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`)) ?? '').split(';')[0] ?? '';
    const form = await fetch(`${console_.url}/login`);
    const csrf = /name="csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? '';
    const signedIn = await fetch(`${console_.url}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: sessionCookie(form) },
      body: new URLSearchParams({ csrf, user: 'viewer1', password, next: '/' }),
    });
    expect(signedIn.status).toBe(303);
    const res = await fetch(`${console_.url}/cases/${encodeURIComponent(caseId)}`, { headers: { cookie: sessionCookie(signedIn) }, redirect: 'manual' });
    expect(res.status).toBe(200);
    return await res.text();
  } finally {
    await console_.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('email fault drills', () => {
  it('SMTP server down for an hour across a deadline: the escalation arrives once when it is back', async () => {
    const kase = await CaseUnderTest.open(h, { tier: 'HIGH_IMMEDIATE' });
    let back: Mailbox | undefined;
    await kase.run(async () => {
      await kase.advance('PT23H');
      const port = h.mailbox.port;
      await h.mailbox.close(); // down
      await h.env.sleep(2 * HOUR); // the deadline passes an hour in; the email keeps failing
      expect(l1Of(h.mailbox, kase)).toEqual([]);
      back = await startMailbox(port);
      await h.env.sleep(15 * 60_000); // the next retry finds it
      await back.waitFor(() => l1Of(back!, kase).length >= 1);
      await kase.settle();
      expect(l1Of(back, kase).map((m) => m.to[0])).toEqual(['manager@council.test']);
      expect(await deliveredEscalations(kase)).toHaveLength(1);
    });
    h.mailbox = back!; // the rest of the file uses the server that is up
  });

  it('SMTP server answering "try again later" for an hour: delivered once afterwards', async () => {
    const kase = await CaseUnderTest.open(h, { tier: 'HIGH_IMMEDIATE' });
    await kase.run(async () => {
      await kase.advance('PT23H');
      h.mailbox.busy = true;
      await h.env.sleep(2 * HOUR);
      expect(l1Of(h.mailbox, kase)).toEqual([]);
      h.mailbox.busy = false;
      await h.env.sleep(15 * 60_000);
      await h.mailbox.waitFor(() => l1Of(h.mailbox, kase).length >= 1);
      await kase.settle();
      expect(l1Of(h.mailbox, kase)).toHaveLength(1);
      expect(await deliveredEscalations(kase)).toHaveLength(1);
    });
  });

  it('an address refused for good is shown on the case as undeliverable, and not retried', async () => {
    h.mailbox.refuse.add('manager@council.test');
    const kase = await CaseUnderTest.open(h, { tier: 'HIGH_IMMEDIATE' });
    try {
      await kase.run(async () => {
        await kase.advance('PT24H');
        const state = await kase.state();
        expect(state.undeliverable.map((d) => [d.type, d.level, d.role, d.to])).toEqual([['escalation', 1, 'team-manager', 'manager@council.test']]);
        expect(state.undeliverable[0]?.reason).toMatch(/550/);
        const page = await consoleCasePage(h.env.client, kase.caseId);
        expect(page).toContain('Messages that could not be delivered');
        // The rebuilt console names the person and role, and the obligation by its one name (its policy's title).
        expect(page).toMatch(/Escalation level 1 to [^<(]*\(team manager\) \(Visit within 24 hours \(High and Immediate risk\)\): [^<]*550/);
        await kase.advance('PT12H'); // level 2 still reaches the head of service
        expect(h.mailbox.messages.filter((m) => m.caseReference === kase.caseId && m.caseMessageId.includes('/L2/')).map((m) => m.to[0])).toEqual(['head@council.test']);
        const handle = h.env.client.workflow.getHandle(`case:${kase.caseId}`);
        expect((await handle.describe()).raw.pendingActivities ?? []).toEqual([]);
      });
    } finally {
      h.mailbox.refuse.clear();
    }
  });
});
