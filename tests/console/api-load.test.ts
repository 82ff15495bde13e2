/**
 * The integration API under load, bounded and on loopback only: two clients post a thousand
 * keeping-in-touch calls between them, spread over ten cases and two consoles sharing the store
 * (as two replicas do), sixteen at a time; a tenth of them are sent again at once to the other
 * console. Every post is answered 200, every retry with its first answer, and every call is on its
 * case's timeline exactly once, by the client that sent it.
 */
import type { Client } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startApiIdentity, type ApiIdentity } from '../support/api-identity';
import { type ApiAnswer, callApi, startApiConsole } from '../support/api-console';
import { openingForm } from '../support/bad-input-rows';
import { caseActivities } from '../support/case-record';
import type { TestConsole } from '../support/console';
import { startMailbox, type Mailbox } from '../support/mailbox';
import { bundleCaseWorkflows, connectDevServer, endTestWorkflows, type DevServerConnections, uniqueName } from '../support/temporal-env';
import { caseWorkflowId } from '../../workflows/messages';

const POSTS_PER_CLIENT = 500;
const CASES = 10;
const IN_FLIGHT = 16;
/** Every tenth post is sent again, at once, to the other console. */
const RETRY_EVERY = 10;
const CLIENT_IDS = ['bridge-a', 'bridge-b'] as const;

let dev: DevServerConnections;
let client: Client;
let mailbox: Mailbox;
let worker: Worker;
let workerRun: Promise<void>;
let identity: ApiIdentity;
const consoles: TestConsole[] = [];
const tokens: Record<string, string> = {};
const caseIds: string[] = [];

beforeAll(async () => {
  const bundle = bundleCaseWorkflows();
  [dev, mailbox, identity] = await Promise.all([
    connectDevServer(),
    startMailbox(),
    startApiIdentity({ clients: Object.fromEntries(CLIENT_IDS.map((id) => [id, { actions: ['read', 'open', 'kit-call'], teams: 'all' as const }])) }),
  ]);
  client = dev.client;
  const taskQueue = uniqueName('api-load');
  worker = await Worker.create({ connection: dev.nativeConnection, taskQueue, workflowBundle: await bundle, activities: caseActivities(mailbox, { consoleUrl: 'https://caseclock.test' }) });
  workerRun = worker.run();
  for (let i = 0; i < 2; i++) consoles.push(await startApiConsole({ client, identity, taskQueue, perClientPerMinute: 100_000 }));
  for (const id of CLIENT_IDS) tokens[id] = await identity.token(id);
  for (let i = 0; i < CASES; i++) {
    const id = uniqueName('LOAD');
    const a = await callApi(consoles[0]?.url ?? '', 'POST', '/cases', { token: tokens['bridge-a'], body: { ...openingForm(id), tier: '', reason: '', eventId: `open-${id}` } });
    expect(a.status, a.text).toBe(201);
    caseIds.push(id);
  }
}, 120_000);

afterAll(async () => {
  for (const c of consoles) await c.close();
  await endTestWorkflows(
    client,
    [...caseIds].map((id) => caseWorkflowId(id)),
    { worker, run: workerRun },
  );
  await dev?.close();
  await mailbox?.close();
  await identity?.close();
});

interface Post {
  clientId: string;
  caseId: string;
  eventId: string;
  console: number;
}

/** Runs `work` over `items`, `limit` at a time. */
async function pool<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      for (let i = next++; i < items.length; i = next++) results[i] = await work(items[i] as T);
    }),
  );
  return results;
}

it(`${POSTS_PER_CLIENT * CLIENT_IDS.length} event posts from two clients through two consoles: every one recorded once`, async () => {
  const posts: Post[] = [];
  for (let i = 0; i < POSTS_PER_CLIENT; i++) {
    for (const [c, clientId] of CLIENT_IDS.entries()) {
      posts.push({ clientId, caseId: caseIds[i % CASES] ?? '', eventId: `${clientId}-${i}`, console: (i + c) % 2 });
    }
  }
  const send = (p: Post, to: number): Promise<ApiAnswer> => callApi(consoles[to]?.url ?? '', 'POST', `/cases/${p.caseId}/actions/kit-call`, { token: tokens[p.clientId] ?? '', body: { eventId: p.eventId } });

  const startedAt = Date.now();
  const answers = await pool(posts, IN_FLIGHT, async (p) => {
    const retried = Number(p.eventId.split('-').at(-1)) % RETRY_EVERY === 0;
    // A retry sent at once to the other console: it waits for the first and gives its answer.
    const [first, again] = await Promise.all([send(p, p.console), retried ? send(p, 1 - p.console) : Promise.resolve(undefined)]);
    return { p, first, again };
  });
  const seconds = (Date.now() - startedAt) / 1000;

  for (const { p, first, again } of answers) {
    expect(first.status, `${p.eventId}: ${first.text}`).toBe(200);
    if (again) {
      expect(again.status, `${p.eventId} again: ${again.text}`).toBe(200);
      expect(again.json).toEqual(first.json);
      // One of the two ran and the other was given its answer.
      expect([first.headers.get('idempotent-replayed'), again.headers.get('idempotent-replayed')].filter((h) => h === 'true')).toHaveLength(1);
    }
  }
  const retries = answers.filter((a) => a.again).length;

  // Each case's timeline, once the store has everything the cases wrote: 50 calls from each client, once each.
  const expected = POSTS_PER_CLIENT / CASES;
  const counts = new Map<string, number>();
  for (const caseId of caseIds) {
    for (let attempt = 0; attempt < 300; attempt++) {
      const a = await callApi(consoles[0]?.url ?? '', 'GET', `/cases/${caseId}/timeline`, { token: tokens['bridge-a'] ?? '' });
      expect(a.status, a.text.slice(0, 300)).toBe(200);
      const timeline = (a.json as { timeline: Array<{ by: string; event?: { type: string; contactType?: string } }> }).timeline;
      for (const clientId of CLIENT_IDS) counts.set(`${caseId} ${clientId}`, timeline.filter((t) => t.by === `api.${clientId}` && t.event?.type === 'contact').length);
      if (CLIENT_IDS.every((c) => (counts.get(`${caseId} ${c}`) ?? 0) >= expected)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  for (const [key, n] of counts) expect(n, key).toBe(expected);

  process.stdout.write(
    `api load: ${posts.length} posts and ${retries} retries from ${CLIENT_IDS.length} clients through 2 consoles in ${seconds.toFixed(1)} s (${(posts.length / seconds).toFixed(0)} posts/s, ${IN_FLIGHT} in flight)\n`,
  );
}, 600_000);
