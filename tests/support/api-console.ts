/**
 * The console with its integration API on, in the test process: the real app (startTestConsole)
 * with the real token check against the test identity provider (api-identity.ts) and the real
 * idempotency keys in the run's store; and a small JSON client for it.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { apiAuthentication } from '../../client/console/api/auth';
import { writeUsersFile } from '../../client/identity/auth';
import { openApiIdempotencyStore } from '../../store/api-idempotency-store';
import type { ApiIdentity } from './api-identity';
import { storeUrl } from './case-record';
import { startTestConsole, type TestConsole } from './console';

/** Every action a client can be given: read, open, and every case action of the registry. */
export async function startApiConsole(options: { client: Client; identity: ApiIdentity; taskQueue: string; perClientPerMinute?: number; answerTimeoutMs?: number }): Promise<TestConsole> {
  // The console needs a users file; the API's callers are not in it.
  const usersFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'caseclock-api-')), 'users.json');
  writeUsersFile(usersFile, { users: [] });
  const idempotency = openApiIdempotencyStore(storeUrl());
  const server = await startTestConsole({
    client: options.client,
    usersFile,
    taskQueue: options.taskQueue,
    answerTimeoutMs: options.answerTimeoutMs ?? 20_000,
    api: {
      authenticate: apiAuthentication(options.identity.config),
      idempotency,
      ...(options.perClientPerMinute !== undefined ? { perClientPerMinute: options.perClientPerMinute } : {}),
    },
  });
  return {
    ...server,
    async close() {
      await server.close();
      await idempotency.close();
    },
  };
}

export interface ApiAnswer {
  status: number;
  headers: Headers;
  /** The body as JSON (undefined when it is not). */
  json: unknown;
  text: string;
}

/** One call to the API at `baseUrl`: JSON in and out, a bearer token when given. */
export async function callApi(baseUrl: string, method: 'GET' | 'POST', p: string, options: { token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<ApiAnswer> {
  const res = await fetch(`${baseUrl}/api/v1${p}`, {
    method,
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...options.headers,
    },
    ...(options.body !== undefined ? { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) } : {}),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, json, text };
}
