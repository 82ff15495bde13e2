/**
 * Against the real dev server: a worker and a client with CaseClock's data converter run a case
 * full of recognisable personal data (staff names and emails, free-text reasons, an SMTP refusal),
 * then a client WITHOUT the codec reads what the server stores. Nothing recognisable may appear
 * in the history, in the raw bytes the server returns, or in the search attributes.
 */
import { Client } from '@temporalio/client';
import { caseActivities } from '../support/case-record';
import { defaultPayloadConverter, METADATA_ENCODING_KEY, type Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { Worker, type WorkflowBundlePath } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseState, openCase, reassign, recordEvent } from '../../common/cases';
import { parseConfig } from '../../common/config';
import { EncryptionCodec } from '../../common/encryption';
import { dataConverter } from '../../common/temporal';
import { caseWorkflowId, type CaseContacts } from '../../workflows/messages';
import { CASECLOCK_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import { startMailbox, type Mailbox } from '../support/mailbox';
import { secondsPolicy } from '../support/seconds-policy';
import { bundleCaseWorkflows, connectDevServer, type DevServerConnections, installTestRuntime, uniqueName } from '../support/temporal-env';
import { encryptionEnv, testKey } from './keys';

const CHILD = 'Child ZEBRA-NAME seen at 12 Secret Street';
const CONTACTS: CaseContacts = {
  'allocated-worker': { name: 'Wilhelmina Xylophone', email: 'wilhelmina.xylophone@council.test' },
  'team-manager': { name: 'Mortimer Quagga', email: 'mortimer.quagga@council.test' },
  'head-of-service': { name: 'Henrietta Okapi', email: 'henrietta.okapi@council.test' },
};
const NEW_WORKER = { name: 'Barnaby Narwhal', email: 'barnaby.narwhal@council.test' };
const NEEDLES = [
  'ZEBRA-NAME',
  'Secret Street',
  'Wilhelmina',
  'Xylophone',
  'wilhelmina.xylophone',
  'Mortimer',
  'mortimer.quagga',
  'Henrietta',
  'henrietta.okapi',
  'Barnaby',
  'barnaby.narwhal',
  'HOLD-REASON-PANGOLIN',
  'CLOSING-REASON-AXOLOTL',
  // The SMTP refusal the email activity turns into a failure message.
  'mailbox unavailable',
];

const key = testKey('test-2026');
const config = parseConfig({ ...encryptionEnv(key) });
const codec = new EncryptionCodec([key], key.id);

let dev: DevServerConnections;
/** Encrypts and decrypts, like the worker, the console and the CLI. */
let client: Client;
/** No codec: sees what the server stores. */
let rawClient: Client;
let mailbox: Mailbox;
let bundle: WorkflowBundlePath;

beforeAll(async () => {
  installTestRuntime();
  [dev, mailbox, bundle] = await Promise.all([connectDevServer(), startMailbox(), bundleCaseWorkflows({ encrypted: true })]);
  rawClient = dev.client;
  client = new Client({ connection: dev.client.connection, dataConverter: dataConverter(config) });
});
afterAll(async () => {
  await dev?.close();
  await mailbox?.close();
});

/** Every event of the run, as the server returns it (payloads untouched). */
async function rawHistoryResponses(workflowId: string): Promise<temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryResponse[]> {
  const pages: temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryResponse[] = [];
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await rawClient.workflowService.getWorkflowExecutionHistory({ namespace: 'default', execution: { workflowId }, nextPageToken });
    pages.push(page);
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken);
  return pages;
}

/** Every Payload in a decoded proto object, with where it was found; search attributes apart. */
function payloadsIn(value: unknown, at = '', out: { at: string; payload: Payload }[] = []): { at: string; payload: Payload }[] {
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return out;
  if (Array.isArray(value)) {
    value.forEach((v, i) => payloadsIn(v, `${at}[${i}]`, out));
    return out;
  }
  const record = value as Record<string, unknown>;
  if ('metadata' in record && 'data' in record && (record.data instanceof Uint8Array || record.data == null) && typeof record.metadata === 'object') {
    out.push({ at, payload: record as Payload });
    return out;
  }
  for (const [k, v] of Object.entries(record)) payloadsIn(v, at ? `${at}.${k}` : k, out);
  return out;
}

/** Every failure in a decoded proto object (activity failures, update failures, causes). */
function failuresIn(value: unknown, out: temporal.api.failure.v1.IFailure[] = []): temporal.api.failure.v1.IFailure[] {
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return out;
  if (Array.isArray(value)) {
    value.forEach((v) => failuresIn(v, out));
    return out;
  }
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if ((k === 'failure' || k === 'cause' || k === 'lastFailure') && v && typeof v === 'object') out.push(v as temporal.api.failure.v1.IFailure);
    failuresIn(v, out);
  }
  return out;
}

const leaks = (bytes: Uint8Array): string[] => NEEDLES.filter((n) => Buffer.from(bytes).includes(n));

describe('case data stored in Temporal', () => {
  it('is encrypted everywhere a client without the codec can read it', async () => {
    const taskQueue = uniqueName('security');
    const caseId = uniqueName('SEC');
    const workflowId = caseWorkflowId(caseId);
    const policy = secondsPolicy({ 'initial-visit-high': 'PT2S' }, [
      { level: 1, role: 'team-manager', after: 'PT0S' },
      { level: 2, role: 'head-of-service', after: 'PT1S', repeatEvery: 'PT24H' },
    ]);
    mailbox.refuse.add(CONTACTS['team-manager']!.email);
    const worker = await Worker.create({
      connection: dev.nativeConnection,
      taskQueue,
      workflowBundle: bundle,
      dataConverter: dataConverter(config),
      activities: caseActivities(mailbox),
    });

    await worker.runUntil(async () => {
      await openCase(client, { caseId, details: { reference: caseId, team: 'LOCALITY-NORTH', contacts: CONTACTS }, openedBy: 'sw-1042', initialTier: { tier: 'HIGH_IMMEDIATE', reason: CHILD } }, policy, { taskQueue });
      // Escalation level 1 to the manager is refused for good (a failed activity); level 2 is delivered.
      await mailbox.waitFor((messages) => messages.some((m) => m.caseReference === caseId && m.to.includes(CONTACTS['head-of-service']!.email)));
      const now = new Date().toISOString();
      await recordEvent(client, caseId, { type: 'contact', at: now, by: 'sw-1042', contactType: 'visit', childSeenAlone: true });
      await recordEvent(client, caseId, { type: 'hold-started', at: now, by: 'sw-1042', holdId: 'H1', reason: `HOLD-REASON-PANGOLIN: ${CHILD}` });
      await recordEvent(client, caseId, { type: 'hold-ended', at: now, by: 'sw-1042', holdId: 'H1' });
      await reassign(client, caseId, { role: 'allocated-worker', contact: NEW_WORKER, by: 'tm-7' });
      // A client without the key cannot read the case: the answer comes back encrypted.
      await expect(caseState(rawClient, caseId)).rejects.toThrow(/binary\/encrypted/);
      expect((await recordEvent(client, caseId, { type: 'case-closed', at: now, by: 'tm-7', reason: `CLOSING-REASON-AXOLOTL: ${CHILD}` })).status).toBe('closed');
      // The codec client reads everything back in clear: the data is there, just not readable without keys.
      const state = await caseState(client, caseId);
      expect(state.undeliverable.map((d) => d.to)).toContain(CONTACTS['team-manager']!.email);
      expect(state.details.contacts['allocated-worker']).toEqual(NEW_WORKER);
      expect(state.status).toBe('closed');
    });

    // 1. The raw bytes of every history page the server returns.
    const pages = await rawHistoryResponses(workflowId);
    const events = pages.flatMap((p) => p.history?.events ?? []);
    expect(events.length).toBeGreaterThan(10);
    for (const page of pages) {
      expect(leaks(temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryResponse.encode(page).finish())).toEqual([]);
    }

    // 2. The history as a codec-less client's fetchHistory() gives it: every payload encrypted, nothing readable.
    const history = await rawClient.workflow.getHandle(workflowId).fetchHistory();
    expect(history.events?.length).toBe(events.length);
    expect(leaks(temporal.api.history.v1.History.encode(history).finish())).toEqual([]);
    const everyPayload = payloadsIn(history.events).filter(({ at }) => !/searchAttributes/i.test(at));
    // patched() markers are written by the SDK's core outside the data converter; a case begun with
    // today's code (CASE_CODE) asks no patch, so there are none.
    const isPatchMarker = (at: string) => /\.markerRecordedEventAttributes\.details\.patch-data\./.test(at);
    expect(everyPayload.filter(({ at }) => isPatchMarker(at))).toEqual([]);
    // One other marker: the opening's write, a local activity in the first task. Its result is
    // encrypted like any other; beside it the SDK's core keeps its own record of the call in plain
    // JSON (sequence, attempt, activity type, times), and that record holds nothing of the case.
    const isCoreRecord = (at: string) => /\.markerRecordedEventAttributes\.details\.data\./.test(at);
    const coreRecords = everyPayload.filter(({ at }) => isCoreRecord(at));
    expect(coreRecords).toHaveLength(1);
    const record = JSON.parse(Buffer.from(coreRecords[0]!.payload.data ?? []).toString()) as Record<string, unknown>;
    expect(Object.keys(record).sort()).toEqual(['activity_id', 'activity_type', 'attempt', 'backoff', 'complete_time', 'original_schedule_time', 'seq']);
    expect(record.activity_type).toBe('storeCaseEntries');
    expect(everyPayload.filter(({ at }) => /\.markerRecordedEventAttributes\./.test(at) && !isCoreRecord(at)).map(({ at }) => at)).toEqual([expect.stringMatching(/\.details\.result\./)]);
    const found = everyPayload.filter(({ at }) => !isCoreRecord(at));
    expect(found.length).toBeGreaterThan(10);
    const notEncrypted = found.filter(({ payload }) => Buffer.from(payload.metadata?.[METADATA_ENCODING_KEY] ?? []).toString() !== 'binary/encrypted');
    expect(notEncrypted.map(({ at }) => at)).toEqual([]);

    // 3. Failures (the refused email) keep their message and stack trace in an encrypted payload.
    const failures = failuresIn(history.events);
    expect(failures.length).toBeGreaterThan(0);
    for (const failure of failures) {
      expect(failure.message).toBe('Encoded failure');
      expect(failure.stackTrace ?? '').toBe('');
    }

    // Control: decrypted with the key, the same history does hold the data the test looks for.
    const clear = (await codec.decode(found.map(({ payload }) => payload))).map((p) => JSON.stringify(defaultPayloadConverter.fromPayload(p)));
    const clearText = clear.join('\n');
    expect(NEEDLES.filter((n) => !clearText.includes(n))).toEqual([]);

    // 4. Describe: search attributes are a team, a tier, a status, a count and an instant; no memo.
    const description = await rawClient.workflow.getHandle(workflowId).describe();
    const all = description.typedSearchAttributes.getAll();
    const ours = new Set<string>(CASECLOCK_SEARCH_ATTRIBUTES.map((k) => k.name));
    const system = (name: string) => name === 'BuildIds' || name.startsWith('Temporal');
    expect(all.map((a) => a.key.name).filter((name) => !ours.has(name) && !system(name))).toEqual([]);
    expect(Object.fromEntries(all.filter((a) => ours.has(a.key.name)).map((a) => [a.key.name, a.value]))).toEqual({
      CaseClockTeam: 'LOCALITY-NORTH',
      CaseClockRiskTier: 'HIGH_IMMEDIATE',
      CaseClockStatus: 'closed',
      CaseClockOverdueCount: 0,
    });
    expect(description.raw.workflowExecutionInfo?.memo?.fields ?? {}).toEqual({});
    expect(leaks(temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse.encode(description.raw).finish())).toEqual([]);
  });
});
