/**
 * Readiness for every long-running process (worker, console, codec server): named checks, each
 * with a deadline, answered from a short cache so a probe hammered from outside costs Temporal
 * and the store at most one call each per `cacheMs`. The answer says which checks fail; the
 * console and codec server only say ready or not (the reason goes to their logs).
 */
import type { Client } from '@temporalio/client';
import { pooledTransactions } from '../store/case-record-store';
import { answerWithin } from './deadline';

export type Check = () => Promise<unknown>;

export interface Readiness {
  ready: boolean;
  /** Every check by name: 'ok', or 'failing'. */
  checks: Record<string, 'ok' | 'failing'>;
  /** Why each failing check failed (for logs; never sent to a stranger). */
  reasons: Record<string, string>;
}

export function readinessProbe(checks: Record<string, Check>, options: { timeoutMs?: number; cacheMs?: number } = {}): () => Promise<Readiness> {
  const timeoutMs = options.timeoutMs ?? 3_000;
  const cacheMs = options.cacheMs ?? 2_000;
  let last: { at: number; answer: Promise<Readiness> } | undefined;
  const runOne = async (check: Check): Promise<string | undefined> => {
    try {
      await answerWithin(timeoutMs, check(), () => new Error(`no answer within ${timeoutMs} ms`));
      return undefined;
    } catch (err) {
      return err instanceof Error ? (err.message.split('\n')[0] ?? 'failed') : String(err);
    }
  };
  const evaluate = async (): Promise<Readiness> => {
    const names = Object.keys(checks);
    const failures = await Promise.all(names.map((name) => runOne(checks[name]!)));
    const answer: Readiness = { ready: true, checks: {}, reasons: {} };
    names.forEach((name, i) => {
      const failure = failures[i];
      answer.checks[name] = failure === undefined ? 'ok' : 'failing';
      if (failure !== undefined) {
        answer.ready = false;
        answer.reasons[name] = failure;
      }
    });
    return answer;
  };
  return () => {
    const now = Date.now();
    if (!last || now - last.at >= cacheMs) last = { at: now, answer: evaluate() };
    return last.answer;
  };
}

/** Temporal answers this client (a cheap system-info call, with a deadline). */
export function temporalReachable(client: Client, timeoutMs = 3_000): Check {
  return () => client.withDeadline(Date.now() + timeoutMs, () => client.workflowService.getSystemInfo({}));
}

/** The case-record store answers `SELECT 1` on a connection of its own (one, kept open between checks). */
export function storeReachable(url: string): { check: Check; close(): Promise<void> } {
  const { inTransaction, close } = pooledTransactions(url, { poolSize: 1, applicationName: 'caseclock-health', missingTable: 'case_record_entries' });
  return { check: () => inTransaction(true, (client) => client.query('SELECT 1')), close };
}
