/**
 * Closed to outsiders: with encryption keys configured the worker's codec refuses unencrypted
 * payloads, whatever NODE_ENV says, so someone
 * who can reach Temporal's port and sends a case update in plain JSON (as `temporal workflow
 * update execute --input '{...}'` would) is refused. On the dev server, with a real SMTP server:
 * nothing is written to the case's history, its state or its timeline; no workflow task fails
 * (the case is not left stuck retrying one); and the case goes on taking real updates. A forged
 * signal reaches history (the server writes a signal before any worker sees it) but changes
 * nothing and fails nothing. A plain update is read only with CASECLOCK_ACCEPT_PLAIN_PAYLOADS=migrate
 * (while histories from before encryption are still running).
 */
import { Client, WorkflowUpdateFailedError } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { Worker, type WorkflowBundlePath } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseState, openCase, recordEvent } from '../../common/cases';
import { parseConfig } from '../../common/config';
import { EncryptionCodec, REFUSED_ENCODING } from '../../common/encryption';
import { dataConverter } from '../../common/temporal';
import { caseWorkflowId, type CaseContacts } from '../../workflows/messages';
import { caseActivities } from '../support/case-record';
import { startMailbox, type Mailbox } from '../support/mailbox';
import { secondsPolicy } from '../support/seconds-policy';
import { bundleCaseWorkflows, connectDevServer, type DevServerConnections, installTestRuntime, uniqueName } from '../support/temporal-env';
import { encryptionEnv, testKey } from './keys';

const CONTACTS: CaseContacts = {
  'allocated-worker': { name: 'Fictitious Worker', email: 'worker@council.test' },
  'team-manager': { name: 'Fictitious Manager', email: 'manager@council.test' },
};
const key = testKey('forged-2026');
const production = parseConfig({ NODE_ENV: 'production', ...encryptionEnv(key) });
const development = parseConfig({ NODE_ENV: 'development', ...encryptionEnv(key) });
const unsetNodeEnv = parseConfig({ ...encryptionEnv(key) });
const migrating = parseConfig({ NODE_ENV: 'development', CASECLOCK_ACCEPT_PLAIN_PAYLOADS: 'migrate', ...encryptionEnv(key) });
const { EventType } = temporal.api.enums.v1;

let dev: DevServerConnections;
let bundle: WorkflowBundlePath;
let mailbox: Mailbox;
/** Encrypts like the console and the CLI. */
let client: Client;
/** No codec: an outsider who can reach Temporal's port. */
let outsider: Client;
/** Sends plain payloads like an outsider, but reads the encrypted answers (to see why it was refused). */
let plainSenderWithKey: Client;

beforeAll(async () => {
  installTestRuntime();
  [dev, mailbox, bundle] = await Promise.all([connectDevServer(), startMailbox(), bundleCaseWorkflows({ encrypted: true })]);
  outsider = dev.client;
  client = new Client({ connection: dev.client.connection, dataConverter: dataConverter(production) });
  const codec = new EncryptionCodec([key], key.id);
  plainSenderWithKey = new Client({
    connection: dev.client.connection,
    dataConverter: { payloadCodecs: [{ encode: async (payloads) => payloads, decode: (payloads) => codec.decode(payloads) }] },
  });
});
afterAll(async () => {
  await dev?.close();
  await mailbox?.close();
});

/** A worker configured as `NODE_ENV` says, a case opened at high and immediate risk, and `fn` run while the worker runs. */
async function withCase(config: typeof production, fn: (caseId: string) => Promise<void>): Promise<void> {
  const taskQueue = uniqueName('forged');
  const caseId = uniqueName('FORGED');
  const worker = await Worker.create({
    connection: dev.nativeConnection,
    taskQueue,
    workflowBundle: bundle,
    dataConverter: dataConverter(config),
    activities: caseActivities(mailbox),
  });
  await worker.runUntil(async () => {
    const policy = secondsPolicy({ 'initial-visit-high': 'PT1H' }, [{ level: 1, role: 'team-manager', after: 'PT0S' }]);
    await openCase(client, { caseId, details: { reference: caseId, team: 'LOCALITY-NORTH', contacts: CONTACTS }, openedBy: 'sw1', initialTier: { tier: 'HIGH_IMMEDIATE', reason: 'test' } }, policy, { taskQueue });
    try {
      await fn(caseId);
    } finally {
      await client.workflow.getHandle(caseWorkflowId(caseId)).terminate('test finished');
    }
  });
}

async function historyOf(caseId: string): Promise<string[]> {
  const history = await outsider.workflow.getHandle(caseWorkflowId(caseId)).fetchHistory();
  return (history.events ?? []).map((e) => EventType[Number(e.eventType)] ?? String(e.eventType));
}

/** Waits until the case's workflow tasks are done (its history stops growing). */
async function settled(caseId: string): Promise<string[]> {
  let last: string[] = [];
  for (let i = 0; i < 50; i++) {
    const now = await historyOf(caseId);
    if (now.length === last.length && now.at(-1) === 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED') return now;
    last = now;
    await new Promise((r) => setTimeout(r, 200));
  }
  return last;
}

const timelineOf = (caseId: string) => client.workflow.getHandle(caseWorkflowId(caseId)).query<unknown[]>('timeline');

const forgedVisit = () => ({ type: 'contact', contactType: 'visit', childSeenAlone: true, at: new Date().toISOString(), by: 'outsider' });

describe('a forged plain update', () => {
  it('in production is refused, writes nothing, fails no workflow task, and the case goes on', async () => {
    await withCase(production, async (caseId) => {
      const handle = outsider.workflow.getHandle(caseWorkflowId(caseId));
      const before = await settled(caseId);
      const stateBefore = await caseState(client, caseId);
      const timelineBefore = await timelineOf(caseId);
      expect(stateBefore.open.map((o) => o.kind)).toContain('initial-visit-high');

      // The refusal comes back encrypted, so the outsider cannot even read why.
      const refusal = await handle.executeUpdate('recordEvent', { args: [forgedVisit()] }).catch((err: unknown) => err);
      expect(refusal).toBeInstanceOf(Error);
      // Sent plain again by a client that holds the key to read the answer: rejected, because its input was not encrypted.
      const readable = await plainSenderWithKey.workflow
        .getHandle(caseWorkflowId(caseId))
        .executeUpdate('recordEvent', { args: [forgedVisit()] })
        .catch((err: unknown) => err);
      expect(readable).toBeInstanceOf(WorkflowUpdateFailedError);
      expect(String((readable as WorkflowUpdateFailedError).cause)).toMatch(new RegExp(`Unknown encoding: ${REFUSED_ENCODING}`));
      // Nothing written: the real server drops a rejected update's workflow task.
      expect(await settled(caseId)).toEqual(before);
      const stateAfter = await caseState(client, caseId);
      expect(stateAfter.open).toEqual(stateBefore.open);
      expect(await timelineOf(caseId)).toEqual(timelineBefore);

      // A forged signal: in history (the server writes it), but it changes nothing and fails nothing.
      await handle.signal('recordEvent', forgedVisit());
      const withSignal = await settled(caseId);
      expect(withSignal).toContain('EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED');
      expect(withSignal.filter((e) => e === 'EVENT_TYPE_WORKFLOW_TASK_FAILED')).toEqual([]);
      expect((await caseState(client, caseId)).open).toEqual(stateBefore.open);
      expect(await timelineOf(caseId)).toEqual(timelineBefore);

      // The case still takes real updates: the visit meets the 24-hour clock.
      const answer = await recordEvent(client, caseId, { type: 'contact', contactType: 'visit', childSeenAlone: true, at: new Date().toISOString(), by: 'sw1' });
      expect(answer.status).toBe('open');
      expect((await caseState(client, caseId)).open.map((o) => o.kind)).not.toContain('initial-visit-high');
      expect((await historyOf(caseId)).filter((e) => e === 'EVENT_TYPE_WORKFLOW_TASK_FAILED')).toEqual([]);
      expect((await handle.describe()).status.name).toBe('RUNNING');
    });
  });

  it.each([
    ['NODE_ENV unset', unsetNodeEnv],
    ['NODE_ENV=development', development],
  ])('with keys configured and %s is refused just the same: nothing reaches the timeline', async (_label, config) => {
    expect(config.CASECLOCK_ACCEPT_PLAIN_PAYLOADS).toBeUndefined();
    await withCase(config, async (caseId) => {
      const before = await settled(caseId);
      const stateBefore = await caseState(client, caseId);
      const timelineBefore = await timelineOf(caseId);
      const forged = { ...forgedVisit(), by: 'FORGEDbyProbe' };
      const refusal = await outsider.workflow
        .getHandle(caseWorkflowId(caseId))
        .executeUpdate('recordEvent', { args: [forged] })
        .catch((err: unknown) => err);
      expect(refusal).toBeInstanceOf(Error);
      const readable = await plainSenderWithKey.workflow
        .getHandle(caseWorkflowId(caseId))
        .executeUpdate('recordEvent', { args: [forged] })
        .catch((err: unknown) => err);
      expect(readable).toBeInstanceOf(WorkflowUpdateFailedError);
      expect(String((readable as WorkflowUpdateFailedError).cause)).toMatch(new RegExp(`Unknown encoding: ${REFUSED_ENCODING}`));
      const after = await settled(caseId);
      expect(after).toEqual(before);
      expect(after).not.toContain('EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED');
      const timeline = await timelineOf(caseId);
      expect(timeline).toEqual(timelineBefore);
      expect(JSON.stringify(timeline)).not.toContain('FORGEDbyProbe');
      expect((await caseState(client, caseId)).open).toEqual(stateBefore.open);
    });
  });

  it('is read only with CASECLOCK_ACCEPT_PLAIN_PAYLOADS=migrate (reading histories from before encryption)', async () => {
    expect(migrating.CASECLOCK_ACCEPT_PLAIN_PAYLOADS).toBe('migrate');
    await withCase(migrating, async (caseId) => {
      // Accepted: the answer comes back encrypted, which the outsider cannot read.
      const answered = await outsider.workflow
        .getHandle(caseWorkflowId(caseId))
        .executeUpdate('recordEvent', { args: [forgedVisit()] })
        .catch((err: unknown) => err);
      expect(String(answered)).toMatch(/Unknown encoding: binary\/encrypted/);
      expect(await historyOf(caseId)).toContain('EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED');
      expect((await caseState(client, caseId)).open.map((o) => o.kind)).not.toContain('initial-visit-high');
    });
  });
});
