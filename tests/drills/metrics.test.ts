/**
 * What the operations team scrapes, on the real dev server in real time: the production worker
 * (worker/main.ts) in a process of its own with its metrics endpoint on a free port, a real SMTP
 * server stopped and brought back, and a High and Immediate case whose visit deadline passes while
 * mail is down. /metrics carries the SDK's figures and CaseClock's, and they move: the case is
 * counted open for its tier and team, then overdue, the escalation waits for the mail server (the
 * waiting gauge and its age rise), and once mail returns it goes, counted by level with its
 * lateness. /healthz and /readyz answer on the same port; the console and the codec server answer
 * /readyz too, and say nothing but ready or not.
 */
import { randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCodecServer } from '../../client/codec-server/main';
import { openCase, recordEvent } from '../../common/cases';
import { readinessProbe, storeReachable, temporalReachable } from '../../common/health';
import { EncryptionKey } from '../../common/config';
import { EncryptionCodec } from '../../common/encryption';
import { createLogger } from '../../common/log';
import { TASK_QUEUE, caseWorkflowId } from '../../workflows/messages';
import { freePort } from '../../tools/dev-server';
import { listen } from '../../worker/metrics';
import { CONTACTS, waitUntilClosed } from '../case/harness';
import { storeUrl } from '../support/case-record';
import { openCaseSummaries } from '../../store/case-summaries';
import { startTestConsole } from '../support/console';
import { startWorkerProcess, waitUntil, type WorkerProcess } from '../support/drill';
import { startMailbox, type Mailbox } from '../support/mailbox';
import { LEVEL_1_ONLY, secondsPolicy } from '../support/seconds-policy';
import { connectDevServer, createPrivateNamespace, devServerAddress, type DevServerConnections, uniqueName } from '../support/temporal-env';

let mailbox: Mailbox;
let dev: DevServerConnections;
let client: Client;
let worker: WorkerProcess | undefined;
let metricsUrl: string;

/** One sample from Prometheus text: `name{labels} value`, the labels given all matching. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const found = Object.fromEntries([...(m[2] ?? '').matchAll(/([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1]!, l[2]!]));
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(m[3]);
  }
  return undefined;
}

const scrape = async (): Promise<string> => (await fetch(`${metricsUrl}/metrics`)).text();

beforeAll(async () => {
  mailbox = await startMailbox();
  dev = await connectDevServer();
  // worker/main.ts polls the production task queue, and its gauges count the whole namespace: a
  // namespace of this file's own, as other files run meanwhile.
  const namespace = await createPrivateNamespace(dev.connection, 'caseclock-metrics');
  client = new Client({ connection: dev.connection, namespace });
  const [port, sdkPort] = [await freePort(), await freePort()];
  metricsUrl = `http://127.0.0.1:${port}`;
  worker = startWorkerProcess(devServerAddress(), mailbox.url, {
    CASECLOCK_METRICS_PORT: String(port),
    CASECLOCK_SDK_METRICS_PORT: String(sdkPort),
    CASECLOCK_METRICS_REFRESH_SECONDS: '1',
    TEMPORAL_NAMESPACE: namespace,
  });
  await worker.started;
});
afterAll(async () => {
  await worker?.stop('SIGTERM');
  await dev?.close();
  await mailbox?.close();
});

describe('the worker metrics endpoint', () => {
  it('shows the case open, overdue, its escalation waiting for the mail server, then sent with its lateness', async () => {
    await waitUntil('the worker is ready', async () => (await fetch(`${metricsUrl}/readyz`).catch(() => undefined))?.status === 200, 30_000);
    expect(await (await fetch(`${metricsUrl}/readyz`)).json()).toEqual({ status: 'ready', checks: { temporal: 'ok', store: 'ok', worker: 'ok' } });
    const live = await fetch(`${metricsUrl}/healthz`);
    expect([live.status, await live.text()]).toEqual([200, 'ok\n']);
    expect((await fetch(`${metricsUrl}/nothing`)).status).toBe(404);

    // The SDK's own figures come through the same endpoint: free slots per worker type.
    let text = await scrape();
    expect(sample(text, 'temporal_worker_task_slots_available', { worker_type: 'WorkflowWorker', task_queue: TASK_QUEUE })).toBeGreaterThan(0);
    expect(sample(text, 'caseclock_sdk_metrics_up')).toBe(1);
    expect(text).toMatch(/^# TYPE caseclock_message_lateness_seconds histogram$/m);

    // A case whose visit falls due 12 s after it opens, on a team of its own, escalating at the deadline.
    const team = `METRICS-${randomUUID().slice(0, 8)}`;
    const caseId = uniqueName('METRICS');
    await openCase(
      client,
      { caseId, details: { reference: caseId, team, contacts: CONTACTS }, openedBy: 'admin1', initialTier: { tier: 'HIGH_IMMEDIATE', reason: 'metrics drill' } },
      secondsPolicy({ 'initial-visit-high': 'PT12S' }, LEVEL_1_ONLY),
      { taskQueue: TASK_QUEUE },
    );
    const openedAt = Date.now();
    const mine = { tier: 'HIGH_IMMEDIATE', team };
    await waitUntil('the case is counted open for its tier and team', async () => sample(await scrape(), 'caseclock_open_cases', mine) === 1, 20_000);
    text = await scrape();
    expect(sample(text, 'caseclock_obligations_overdue', mine)).toBe(0);
    // The SDK's schedule-to-start latency, in seconds (the alert on its p99 reads it).
    expect(sample(text, 'temporal_workflow_task_schedule_to_start_latency_count', { task_queue: TASK_QUEUE })).toBeGreaterThan(0);

    // Mail down before the deadline: the escalation waits, and the figures say so.
    const smtpPort = mailbox.port;
    await mailbox.close();
    await waitUntil(
      'the escalation is waiting for the mail server and the case counts as overdue',
      async () => {
        const t = await scrape();
        return (sample(t, 'caseclock_messages_waiting') ?? 0) >= 1 && sample(t, 'caseclock_obligations_overdue', mine) === 1;
      },
      40_000,
    );
    text = await scrape();
    expect(Date.now() - openedAt).toBeGreaterThanOrEqual(12_000);
    expect(sample(text, 'caseclock_message_send_failures_total', { reason: 'unavailable' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'caseclock_escalations_sent_total', { level: '1' }) ?? 0).toBe(0);
    const age = sample(text, 'caseclock_messages_waiting_oldest_age_seconds')!;
    expect(age).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(sample(await scrape(), 'caseclock_messages_waiting_oldest_age_seconds')).toBeGreaterThan(age);

    // Mail back: the escalation goes at its next retry, counted at level 1 with its lateness.
    mailbox = await startMailbox(smtpPort);
    await mailbox.waitFor((all) => all.some((m) => m.caseReference === caseId && m.caseMessageId.includes('/escalation/L1/')), 70_000);
    await waitUntil('the escalation is counted', async () => sample(await scrape(), 'caseclock_escalations_sent_total', { level: '1' }) === 1, 10_000);
    text = await scrape();
    expect(sample(text, 'caseclock_messages_waiting')).toBe(0);
    expect(sample(text, 'caseclock_messages_waiting_oldest_age_seconds')).toBe(0);
    expect(sample(text, 'caseclock_message_lateness_seconds_count', { kind: 'escalation' })).toBe(1);
    expect(sample(text, 'caseclock_message_lateness_seconds_sum', { kind: 'escalation' })).toBeGreaterThanOrEqual(5);
    expect(sample(text, 'caseclock_message_lateness_seconds_bucket', { kind: 'escalation', le: '1' })).toBe(0);
    expect(sample(text, 'caseclock_store_entries_written_total')).toBeGreaterThan(0);
    // No case id or reference in any label.
    expect(text).not.toContain(caseId);
    // The production worker's instrumented store write passes the case's summary through: readers
    // see the escalation and whom it went to.
    const summaries = openCaseSummaries(storeUrl());
    try {
      await waitUntil('the summary shows the escalation sent', async () => (await summaries.get('case', caseId, new Date().toISOString()))?.open.some((o) => o.escalatedTo?.role === 'team-manager') === true, 20_000);
    } finally {
      await summaries.close();
    }

    await recordEvent(client, caseId, { type: 'case-closed', at: new Date().toISOString(), by: 'admin1', reason: 'drill finished' });
    await waitUntilClosed(client.workflow.getHandle(caseWorkflowId(caseId)));
    await waitUntil('the closed case is no longer counted', async () => sample(await scrape(), 'caseclock_open_cases', mine) === undefined, 20_000);
  });

  it('the console and the codec server answer /readyz, ready or not, and reveal nothing else', async () => {
    const down = `postgres://postgres@127.0.0.1:${await freePort()}/postgres`;
    const goodStore = storeReachable(storeUrl());
    const badStore = storeReachable(down);
    const usersFile = `/nonexistent/${uniqueName('users')}.json`;
    const ready = await startTestConsole({ client, usersFile, readiness: readinessProbe({ temporal: temporalReachable(client), store: goodStore.check }) });
    const notReady = await startTestConsole({ client, usersFile, readiness: readinessProbe({ temporal: temporalReachable(client), store: badStore.check }) });
    const codec = createCodecServer({
      codec: new EncryptionCodec([new EncryptionKey('k1', Buffer.alloc(32, 1))], 'k1'),
      token: 'x'.repeat(40),
      allowedOrigins: [],
      logger: createLogger({ level: 'silent' }),
      ready: readinessProbe({ store: badStore.check }),
    });
    const codecAt = await listen(codec, 0, '127.0.0.1');
    try {
      const a = await fetch(`${ready.url}/readyz`);
      expect([a.status, await a.text()]).toEqual([200, 'ready']);
      const b = await fetch(`${notReady.url}/readyz`);
      expect([b.status, await b.text()]).toEqual([503, 'not ready']);
      expect((await fetch(`${ready.url}/healthz`)).status).toBe(200);
      const c = await fetch(`http://127.0.0.1:${codecAt.port}/readyz`);
      expect([c.status, await c.json()]).toEqual([503, { status: 'not ready' }]);
    } finally {
      await ready.close();
      await notReady.close();
      await new Promise((r) => codec.close(r));
      await goodStore.close();
      await badStore.close();
    }
  });
});
