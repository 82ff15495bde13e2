/**
 * The one logger (common/log.ts): JSON lines with the level as a word, a component on every part,
 * LOG_LEVEL honoured, warnings on stderr, and nothing that could name or locate a child: such
 * keys are censored wherever they appear, credential headers removed. The Temporal SDK's lines
 * reach it through the runtime adapter (common/log-temporal.ts) with the SDK's own time, and the
 * console's request lines through Fastify.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { LogTimestamp } from '@temporalio/worker';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { hashPassword, writeUsersFile } from '../../client/identity/auth';
import { componentLogger, configureProcessLogger, createLogger, type Logger, processLogger } from '../../common/log';
import { temporalLoggerFor } from '../../common/log-temporal';
import { startTestConsole } from '../support/console';

/** A logger whose lines are kept, parsed, in `lines`. */
function capture(level: Parameters<typeof createLogger>[0]['level'] = 'debug'): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  return { lines, logger: createLogger({ level, destination: { write: (line) => void lines.push(JSON.parse(line) as Record<string, unknown>) } }) };
}

const CHILD = { childName: 'Jayden Example', dateOfBirth: '2015-03-02', address: '1 High Street, Anytown', postcode: 'AB1 2CD' };

describe('the format', () => {
  it('writes one JSON object a line: the level as a word, an ISO time, msg, and the component', () => {
    const { logger, lines } = capture();
    componentLogger('worker', logger).info({ caseId: 'WCF-1', messageId: 'm-1' }, 'message delivered');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'info', component: 'worker', caseId: 'WCF-1', messageId: 'm-1', msg: 'message delivered' });
    expect(new Date(String(lines[0]?.['time'])).toISOString()).toBe(lines[0]?.['time']);
  });

  it("keeps an error's type and message under `error` instead of {}", () => {
    const { logger, lines } = capture();
    logger.warn({ error: new TypeError('store unreachable') }, 'not migrated');
    expect(lines[0]?.['error']).toMatchObject({ type: 'TypeError', message: 'store unreachable' });
  });
});

describe('nothing that could name or locate a child', () => {
  it("censors names, dates of birth and addresses at the top, one object down and in a child logger's fields", () => {
    const { logger, lines } = capture();
    logger.info({ caseId: 'WCF-2', ...CHILD }, 'top level');
    logger.info({ caseId: 'WCF-2', details: { reference: 'REF-2', ...CHILD, name: 'Jayden' } }, 'one down');
    logger.child({ component: 'import', name: 'Jayden Example' }).info({ caseId: 'WCF-2' }, 'in bindings');
    const text = lines.map((l) => JSON.stringify(l)).join('\n');
    for (const value of [...Object.values(CHILD), 'Jayden']) expect(text).not.toContain(value);
    expect(lines[0]).toMatchObject({ caseId: 'WCF-2', childName: '[redacted]', dateOfBirth: '[redacted]', address: '[redacted]', postcode: '[redacted]' });
    expect(lines[1]).toMatchObject({ caseId: 'WCF-2', details: { reference: 'REF-2', childName: '[redacted]', name: '[redacted]' } });
    expect(lines[2]).toMatchObject({ caseId: 'WCF-2', component: 'import', name: '[redacted]' });
  });

  it("removes the console's session cookie and a bearer token from request headers, as the console always did", () => {
    const { logger, lines } = capture();
    logger.info({ req: { method: 'GET', url: '/cases/WCF-3', headers: { cookie: 'caseclock_session=s3cret', authorization: 'Bearer t0ken', accept: 'text/html' } } }, 'request');
    expect(JSON.stringify(lines)).not.toMatch(/s3cret|t0ken/);
    expect(lines[0]).toMatchObject({ req: { url: '/cases/WCF-3', headers: { accept: 'text/html' } } });
    expect(lines[0]?.['req']).not.toHaveProperty('headers.cookie');
    expect(lines[0]?.['req']).not.toHaveProperty('headers.authorization');
  });
});

describe('the process logger', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    configureProcessLogger({ level: 'info', to: 'stdout and stderr' });
  });

  function spyOnStreams(): { out: string[]; err: string[] } {
    const out: string[] = [];
    const err: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (out.push(String(chunk)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (err.push(String(chunk)), true));
    return { out, err };
  }

  it('takes LOG_LEVEL from the configuration, and a component made earlier follows it', () => {
    const early = componentLogger('digest');
    const { out } = spyOnStreams();
    early.debug('not at info');
    configureProcessLogger({ level: 'debug' });
    early.debug('at debug');
    configureProcessLogger({ level: 'warn' });
    early.info('not at warn');
    expect(out.map((l) => JSON.parse(l) as { msg: string; component: string })).toEqual([expect.objectContaining({ msg: 'at debug', component: 'digest' })]);
    expect(processLogger().level).toBe('warn');
  });

  it('writes info to stdout and warnings and errors to stderr; the command line sends everything to stderr', () => {
    const { out, err } = spyOnStreams();
    const log = componentLogger('worker');
    log.info('worker started');
    log.warn('daily digest schedule not set up');
    log.error('worker stopped');
    expect(out.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(['worker started']);
    expect(err.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(['daily digest schedule not set up', 'worker stopped']);
    configureProcessLogger({ to: 'stderr' });
    log.info('case opened');
    expect(out).toHaveLength(1);
    expect(err.map((l) => (JSON.parse(l) as { level: string }).level)).toEqual(['warn', 'error', 'info']);
  });
});

describe("the Temporal SDK's lines", () => {
  it("arrive at their level with the SDK's meta and the time the SDK stamped, below the level dropped, child data censored", () => {
    const { logger, lines } = capture('info');
    const sdk = temporalLoggerFor(componentLogger('temporal', logger));
    const at = Date.parse('2026-12-07T09:30:00.123Z');
    sdk.log('WARN', 'Activity failed', { [LogTimestamp]: BigInt(at) * 1_000_000n, sdkComponent: 'activity', activityType: 'sendNotification', caseId: 'WCF-4', childName: 'Jayden Example' });
    sdk.debug('Workflow activation', { sdkComponent: 'worker' });
    sdk.trace('core detail');
    sdk.error('Worker failed', { sdkComponent: 'worker', error: new Error('connection refused') });
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      level: 'warn',
      component: 'temporal',
      time: '2026-12-07T09:30:00.123Z',
      sdkComponent: 'activity',
      activityType: 'sendNotification',
      caseId: 'WCF-4',
      childName: '[redacted]',
      msg: 'Activity failed',
    });
    expect(lines[1]).toMatchObject({ level: 'error', msg: 'Worker failed', error: { type: 'Error', message: 'connection refused' } });
    expect(Date.now() - Date.parse(String(lines[1]?.['time']))).toBeLessThan(60_000); // no stamp: now
  });
});

describe("the console's request lines", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'caseclock-log-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('go through the shared logger: component console, a refused sign-in names the user id and address, never the password or the cookie', async () => {
    const usersFile = path.join(dir, 'users.json');
    writeUsersFile(usersFile, { users: [{ id: 'ada', name: 'Ada Administrator', role: 'administrator', passwordHash: await hashPassword('the right password 1') }] });
    const client = new Proxy({}, { get: () => () => Promise.reject(new Error('Temporal must not be called')) }) as unknown as Client;
    const { logger, lines } = capture('info');
    const console_ = await startTestConsole({ client, usersFile, logger, logLevel: 'info' });
    try {
      const form = await fetch(`${console_.url}/login`);
      const cookie = (form.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
      const csrf = /name="csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? '';
      const res = await fetch(`${console_.url}/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
        body: new URLSearchParams({ csrf, user: 'ada', password: 'a wrong password 123', next: '/' }),
      });
      expect(res.status).toBe(401);
    } finally {
      await console_.close();
    }
    expect(lines.length).toBeGreaterThan(2);
    expect(lines.every((l) => l['component'] === 'console')).toBe(true);
    expect(lines.find((l) => l['msg'] === 'sign-in refused')).toMatchObject({ level: 'warn', user: 'ada', ip: '127.0.0.1' });
    const text = JSON.stringify(lines);
    expect(text).not.toContain('a wrong password');
    expect(text).not.toContain('caseclock_session=');
  });
});
