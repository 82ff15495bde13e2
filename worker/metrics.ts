/**
 * What the worker tells the operations team, in Prometheus's text format, with prom-client.
 *
 * Observed where it costs nothing: the send activity knows each message's kind, level and the
 * instant it was meant for (lateness, escalations by level, messages waiting for the mail server),
 * the store activity knows what it wrote and what waits, the digest activity when it ran. The
 * gauges of open cases and overdue obligations by tier and team are refreshed on an interval from
 * Temporal's visibility store (the search attributes every case keeps current): a listing, never a
 * query, so no workflow is woken. Labels are tiers, team codes, kinds and levels: never a case id
 * or reference, never a name.
 *
 * Figures from the activities are this worker's own (sum them across workers); the visibility
 * gauges are the whole namespace's, the same on every worker (take the max across workers).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApplicationFailure, CancelledFailure, Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CaseRecordActivities } from '../activities/case-record';
import type { DigestActivities } from '../activities/digest';
import type { NotificationActivities } from '../activities/notifications';
import { listCases } from '../common/case-listing';
import type { Readiness } from '../common/health';

/** A message not re-attempted on this worker for this long is no longer counted here (its retries moved on, or it went). */
export const MESSAGE_WAITING_STALE_MS = 3 * 60_000;
/** Likewise for a case's entries waiting for the store (retried for about five minutes, then every five minutes). */
export const STORE_WAITING_STALE_MS = 7 * 60_000;

/** Lateness buckets, in seconds: a second to a day. */
const LATENESS_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 4 * 3600, 24 * 3600];

export interface CaseClockMetrics {
  registry: Registry;
  /** Wraps the worker's activities so that each observes what it did. */
  instrument<A extends Partial<NotificationActivities & CaseRecordActivities & DigestActivities>>(activities: A): A;
  /** Reads the case and digest gauges from visibility now (the refresher calls it on its interval). */
  refresh(client: Client): Promise<void>;
  /** Starts refreshing every `intervalMs`; returns a function that stops it. */
  startRefreshing(client: Client, intervalMs: number): () => void;
}

export function createCaseClockMetrics(options: { now?: () => number } = {}): CaseClockMetrics {
  const now = options.now ?? Date.now;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'caseclock_' });

  // --- from the activities ------------------------------------------------------------------
  const waitingMessages = new Map<string, { intendedAt: number; seenAt: number }>();
  const waitingEntries = new Map<string, { count: number; seenAt: number }>();
  const prune = () => {
    const t = now();
    for (const [id, w] of waitingMessages) if (t - w.seenAt > MESSAGE_WAITING_STALE_MS) waitingMessages.delete(id);
    for (const [id, w] of waitingEntries) if (t - w.seenAt > STORE_WAITING_STALE_MS) waitingEntries.delete(id);
  };

  const lateness = new Histogram({
    name: 'caseclock_message_lateness_seconds',
    help: 'How long after its intended instant each message was accepted by the mail server, by kind (reminder, escalation, notice).',
    labelNames: ['kind'] as const,
    buckets: LATENESS_BUCKETS,
    registers: [registry],
  });
  const escalations = new Counter({
    name: 'caseclock_escalations_sent_total',
    help: 'Escalation emails accepted by the mail server, by escalation level.',
    labelNames: ['level'] as const,
    registers: [registry],
  });
  const sendFailures = new Counter({
    name: 'caseclock_message_send_failures_total',
    help: 'Send attempts that failed: unavailable (the mail server could not be reached or deferred; retried) or refused (5xx; final).',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'caseclock_messages_waiting',
    help: 'Messages whose last send attempt on this worker failed and that have not gone yet (waiting for the mail server).',
    registers: [registry],
    collect() {
      prune();
      this.set(waitingMessages.size);
    },
  });
  new Gauge({
    name: 'caseclock_messages_waiting_oldest_age_seconds',
    help: 'Age of the oldest message waiting for the mail server, from the instant it was meant to go (0 when none waits).',
    registers: [registry],
    collect() {
      prune();
      let oldest: number | undefined;
      for (const w of waitingMessages.values()) oldest = oldest === undefined ? w.intendedAt : Math.min(oldest, w.intendedAt);
      this.set(oldest === undefined ? 0 : Math.max(0, (now() - oldest) / 1000));
    },
  });
  const entriesWritten = new Counter({
    name: 'caseclock_store_entries_written_total',
    help: 'Case-record entries written to the store (entries already there are not counted).',
    registers: [registry],
  });
  const storeFailures = new Counter({
    name: 'caseclock_store_write_failures_total',
    help: 'Case-record writes that failed (store unreachable; retried) or were refused (final).',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'caseclock_store_entries_waiting',
    help: 'Case-record entries in batches whose last write on this worker failed (waiting for the store; at least this many).',
    registers: [registry],
    collect() {
      prune();
      let total = 0;
      for (const w of waitingEntries.values()) total += w.count;
      this.set(total);
    },
  });
  new Gauge({
    name: 'caseclock_store_cases_waiting',
    help: 'Cases whose last case-record write on this worker failed.',
    registers: [registry],
    collect() {
      prune();
      this.set(waitingEntries.size);
    },
  });

  // --- the daily digest ---------------------------------------------------------------------
  let digestLastRun = 0;
  new Gauge({
    name: 'caseclock_digest_last_run_timestamp_seconds',
    help: 'When the daily digest last completed (Unix time; 0 if never seen): from this worker, or any worker as visibility shows it.',
    registers: [registry],
    collect() {
      this.set(digestLastRun);
    },
  });
  const digestRecipients = new Counter({
    name: 'caseclock_digest_recipients_total',
    help: 'Daily digests handled by this worker, by outcome (delivered, undeliverable).',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });

  // --- from visibility ----------------------------------------------------------------------
  const openCases = new Gauge({
    name: 'caseclock_open_cases',
    help: 'Open cases by risk tier and team (from the search attributes in Temporal visibility).',
    labelNames: ['tier', 'team'] as const,
    registers: [registry],
  });
  const overdue = new Gauge({
    name: 'caseclock_obligations_overdue',
    help: "Overdue obligations on open cases by risk tier and team (the sum of each case's CaseClockOverdueCount).",
    labelNames: ['tier', 'team'] as const,
    registers: [registry],
  });
  const refreshedAt = new Gauge({
    name: 'caseclock_visibility_refresh_timestamp_seconds',
    help: 'When the case gauges were last read from visibility (Unix time).',
    registers: [registry],
  });
  const refreshFailures = new Counter({
    name: 'caseclock_visibility_refresh_failures_total',
    help: 'Reads of the case gauges from visibility that failed (the gauges keep their last values).',
    registers: [registry],
  });

  function instrument<A extends Partial<NotificationActivities & CaseRecordActivities & DigestActivities>>(activities: A): A {
    const out = { ...activities } as A;
    const deliver = activities.deliverCaseMessage;
    if (deliver) {
      out.deliverCaseMessage = async (input) => {
        const { message } = input;
        const intendedAt = Date.parse(message.sendAt);
        try {
          const receipt = await deliver(input);
          waitingMessages.delete(message.messageId);
          lateness.observe({ kind: message.type }, Number.isFinite(intendedAt) ? Math.max(0, (now() - intendedAt) / 1000) : 0);
          if (message.type === 'escalation') escalations.inc({ level: String(message.level) });
          return receipt;
        } catch (err) {
          if (err instanceof CancelledFailure) {
            waitingMessages.delete(message.messageId);
          } else if (err instanceof ApplicationFailure && err.nonRetryable) {
            sendFailures.inc({ reason: 'refused' });
            waitingMessages.delete(message.messageId);
          } else {
            sendFailures.inc({ reason: 'unavailable' });
            waitingMessages.set(message.messageId, { intendedAt: Number.isFinite(intendedAt) ? intendedAt : now(), seenAt: now() });
          }
          throw err;
        }
      };
    }
    const store = activities.storeCaseEntries;
    if (store) {
      // Every argument passes through: the case's summary rides with its entries.
      out.storeCaseEntries = async (entries, summary) => {
        const key = Context.current().info.workflowExecution?.workflowId ?? entries[0]?.caseId ?? 'unknown';
        try {
          const result = await store(entries, summary);
          waitingEntries.delete(key);
          entriesWritten.inc(result.stored);
          return result;
        } catch (err) {
          const refused = err instanceof ApplicationFailure && err.nonRetryable;
          storeFailures.inc({ reason: refused ? 'refused' : 'unavailable' });
          waitingEntries.set(key, { count: entries.length, seenAt: now() });
          throw err;
        }
      };
    }
    const recordedSend = activities.deliverAndRecordCaseMessage;
    if (recordedSend) {
      // The send inside is the measured email activity; here only what it wrote to the record counts.
      out.deliverAndRecordCaseMessage = async (input) => {
        const key = Context.current().info.workflowExecution?.workflowId ?? input.record.caseId;
        const result = await recordedSend(input);
        if (result.recorded) {
          waitingEntries.delete(key);
          entriesWritten.inc(result.stored);
        } else {
          storeFailures.inc({ reason: 'unavailable' });
          waitingEntries.set(key, { count: input.record.entries.length + 1, seenAt: now() });
        }
        return result;
      };
    }
    const digest = activities.sendDailyDigests;
    if (digest) {
      out.sendDailyDigests = async (input) => {
        const sent = await digest(input);
        digestLastRun = Math.max(digestLastRun, now() / 1000);
        for (const r of sent.recipients) digestRecipients.inc({ outcome: r.undeliverable ? 'undeliverable' : 'delivered' });
        return sent;
      };
    }
    return out;
  }

  async function refresh(client: Client): Promise<void> {
    try {
      const cases = await listCases(client);
      const byKey = new Map<string, { tier: string; team: string; open: number; overdue: number }>();
      for (const c of cases) {
        const tier = c.tier ?? 'none';
        const team = c.team ?? 'none';
        const key = `${tier}\u0000${team}`;
        const entry = byKey.get(key) ?? { tier, team, open: 0, overdue: 0 };
        entry.open += 1;
        entry.overdue += c.overdueCount;
        byKey.set(key, entry);
      }
      openCases.reset();
      overdue.reset();
      for (const e of byKey.values()) {
        openCases.set({ tier: e.tier, team: e.team }, e.open);
        overdue.set({ tier: e.tier, team: e.team }, e.overdue);
      }
      // The newest completed digest (visibility lists the most recently closed first).
      for await (const wf of client.workflow.list({ query: `WorkflowType = 'dailyDigestWorkflow' AND ExecutionStatus = 'Completed'`, pageSize: 1 })) {
        if (wf.closeTime) digestLastRun = Math.max(digestLastRun, wf.closeTime.getTime() / 1000);
        break;
      }
      refreshedAt.set(now() / 1000);
    } catch {
      refreshFailures.inc();
    }
  }

  function startRefreshing(client: Client, intervalMs: number): () => void {
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    const loop = async () => {
      await refresh(client);
      if (!stopped) timer = setTimeout(() => void loop(), intervalMs);
    };
    void loop();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }

  return { registry, instrument, refresh, startRefreshing };
}

export interface MetricsServerOptions {
  host: string;
  port: number;
  metrics: CaseClockMetrics;
  /** The SDK's own Prometheus endpoint (on 127.0.0.1), appended to /metrics; omitted when it does not run. */
  sdkMetricsUrl?: string;
  /** Whether the process is alive (/healthz). */
  live: () => boolean;
  /** Whether it can do its work (/readyz). */
  ready: () => Promise<Readiness>;
}

/**
 * /metrics (CaseClock's figures, then the SDK's), /healthz (200 while the worker runs) and
 * /readyz (200 when Temporal and the store answer; the body names each check). GET only.
 */
export function createMetricsServer(options: MetricsServerOptions): http.Server {
  const { metrics } = options;
  const sdkUp = new Gauge({
    name: 'caseclock_sdk_metrics_up',
    help: "Whether the Temporal SDK's own figures could be read for this scrape (1) or not (0).",
    registers: [metrics.registry],
  });
  async function sdkText(): Promise<string> {
    if (!options.sdkMetricsUrl) return '';
    try {
      const res = await fetch(options.sdkMetricsUrl, { signal: AbortSignal.timeout(2_000) });
      if (!res.ok) throw new Error(`status ${res.status}`);
      const text = await res.text();
      sdkUp.set(1);
      return text.endsWith('\n') || text === '' ? text : `${text}\n`;
    } catch {
      sdkUp.set(0);
      return '';
    }
  }
  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://metrics').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' }).end('use GET\n');
      return;
    }
    if (path === '/metrics') {
      const sdk = await sdkText();
      const own = await metrics.registry.metrics();
      res.writeHead(200, { 'Content-Type': metrics.registry.contentType, 'Cache-Control': 'no-store' }).end(`${own}${own.endsWith('\n') ? '' : '\n'}${sdk}`);
      return;
    }
    if (path === '/healthz') {
      const live = options.live();
      res.writeHead(live ? 200 : 503, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' }).end(live ? 'ok\n' : 'not running\n');
      return;
    }
    if (path === '/readyz') {
      const answer = await options.ready();
      res.writeHead(answer.ready ? 200 : 503, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }).end(`${JSON.stringify({ status: answer.ready ? 'ready' : 'not ready', checks: answer.checks })}\n`);
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found: /metrics, /healthz or /readyz\n');
  }
  return http.createServer((req, res) => void handle(req, res).catch(() => (res.headersSent ? res.end() : res.writeHead(500).end())));
}

/** Listens; resolves to the address, or rejects (e.g. EADDRINUSE). */
export function listen(server: http.Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}
