/**
 * What the real-time fault drills share: a High and Immediate case on a seconds-counted policy,
 * and the production worker (worker/main.ts) as a process of its own, to be stopped or killed.
 */
import { storeWorkerUrl } from './case-record';
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { openCase } from '../../common/cases';
import type { PolicySnapshot } from '../../domain/policy';
import { CONTACTS } from '../case/harness';
import { uniqueName } from './temporal-env';

/** Polls `check` (in real time) until it holds; fails after `timeoutMs`, naming what it waited for. */
export async function waitUntil(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Opens a case rated High and Immediate now, under `policy`; resolves to its id. */
export async function openHighRiskCase(client: Client, policy: PolicySnapshot, options: { taskQueue: string; prefix?: string; historyLimit?: number }): Promise<string> {
  const caseId = uniqueName(options.prefix ?? 'DRILL');
  await openCase(
    client,
    {
      caseId,
      details: { reference: caseId, team: 'LOCALITY-DRILL', contacts: CONTACTS },
      openedBy: 'admin1',
      initialTier: { tier: 'HIGH_IMMEDIATE', reason: 'drill' },
    },
    policy,
    { taskQueue: options.taskQueue, ...(options.historyLimit ? { historyLimit: options.historyLimit } : {}) },
  );
  return caseId;
}

export interface WorkerProcess {
  child: ChildProcess;
  /** Resolves once the worker polls Temporal (its "worker started" line at info on stdout says so; the worker logs at info for it). */
  started: Promise<void>;
  /** Stops it: SIGTERM drains in-flight work; SIGKILL ends it at once, mid-task. */
  stop(signal: 'SIGTERM' | 'SIGKILL'): Promise<void>;
}

/** The production worker in a process of its own, on `temporalAddress`, sending mail to `smtpUrl` (`env`: more settings). */
export function startWorkerProcess(temporalAddress: string, smtpUrl: string, env: Record<string, string> = {}): WorkerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', path.resolve(__dirname, '../../worker/main.ts')], {
    env: { ...process.env, TEMPORAL_ADDRESS: temporalAddress, SMTP_URL: smtpUrl, CASECLOCK_STORE_URL: storeWorkerUrl(), NODE_ENV: 'development', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const started = new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('"msg":"worker started"')) resolve();
    });
    child.once('exit', (code, signal) => reject(new Error(`worker exited (${code ?? signal}) before it started: ${stderr}`)));
  });
  started.catch(() => undefined); // reported to whoever awaits it
  return {
    child,
    started,
    stop(signal) {
      if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill(signal);
      return exited;
    },
  };
}
