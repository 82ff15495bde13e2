/**
 * The upgrade to case summaries, on the real dev server with a real store and SMTP server: a
 * running case with no summary (as one begun before summaries) is found from Temporal's
 * visibility and the store alone, and writes its summary when `summaries backfill` asks, with
 * nothing added to its record; a dry run only counts. And a new case: its summary written at once
 * even with nothing to record, its search attributes set by the client that starts it, so its first
 * workflow task upserts none.
 */
import type { Client } from '@temporalio/client';
import { type NativeConnection, Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCase, recordEvent } from '../../common/cases';
import { backfillSummaries, unsummarised } from '../../common/summary-backfill';
import { loadDefaultSnapshot } from '../../domain/policy-loader';
import { pooledTransactions } from '../../store/case-record-store';
import { openCaseSummaries, type CaseSummaries } from '../../store/case-summaries';
import { caseActivities, storeUrl, testStore } from '../support/case-record';
import { startMailbox, type Mailbox } from '../support/mailbox';
import { bundleCaseWorkflows, connectDevServer, type DevServerConnections, uniqueName } from '../support/temporal-env';
import { CONTACTS } from './harness';
import { NextDueAtAttribute, RiskTierAttribute, StatusAttribute, TeamAttribute } from '../../workflows/search-attributes';

let mailbox: Mailbox;
let dev: DevServerConnections;
let connection: NativeConnection;
let client: Client;
let summaries: CaseSummaries;
let owner: ReturnType<typeof pooledTransactions>;

beforeAll(async () => {
  mailbox = await startMailbox();
  dev = await connectDevServer();
  ({ nativeConnection: connection, client } = dev);
  summaries = openCaseSummaries(storeUrl());
  // As the store's owner: takes a summary away, as for a case begun before summaries.
  owner = pooledTransactions(storeUrl(), { applicationName: 'caseclock-test', missingTable: 'case_summaries' });
});
afterAll(async () => {
  await owner?.close();
  await summaries?.close();
  await dev?.close();
  await mailbox?.close();
});

const now = () => new Date().toISOString();

async function eventually<T>(read: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const value = await read();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`never saw ${what}`);
}

describe('summaries backfill', () => {
  it('asks each running case without a summary to write one, and only those; nothing is added to the record', async () => {
    const taskQueue = uniqueName('backfill');
    const worker = await Worker.create({ connection, taskQueue, workflowBundle: await bundleCaseWorkflows(), activities: caseActivities(mailbox) });
    const [bare, summarised, closed] = [uniqueName('WCF'), uniqueName('WCF'), uniqueName('WCF')];
    await worker.runUntil(async () => {
      for (const caseId of [bare, summarised, closed]) {
        await openCase(client, { caseId, details: { reference: caseId, team: 'LOCALITY-NORTH', contacts: CONTACTS }, openedBy: 'admin1', initialTier: { tier: 'PRIORITY', reason: 'rated' } }, loadDefaultSnapshot(), {
          taskQueue,
        });
      }
      for (const caseId of [bare, summarised, closed]) await eventually(() => summaries.get('case', caseId, now()), `${caseId}'s first summary`);
      await recordEvent(client, closed, { type: 'case-closed', at: now(), by: 'admin1', reason: 'finished' });
      await eventually(async () => ((await summaries.get('case', closed, now()))?.status === 'closed' ? true : undefined), 'the closed summary');
      await owner.inTransaction(false, (c) => c.query('DELETE FROM case_summaries WHERE case_id = $1', [bare]));

      // Visibility lists a running case a moment after it starts (and a closed one a moment after it ends).
      const found = await eventually(async () => {
        const u = await unsummarised(client, summaries, now(), taskQueue);
        return u.running === 2 ? u : undefined;
      }, 'two running cases in visibility');
      expect(found.missing).toEqual([{ id: bare, subject: 'case' }]);

      const dry = await backfillSummaries(client, summaries, { by: 'admin1', dryRun: true, taskQueue });
      expect(dry).toMatchObject({ running: 2, summarised: 1, asked: 1, failed: [] });
      expect(await summaries.get('case', bare, now())).toBeUndefined();

      const done = await backfillSummaries(client, summaries, { by: 'admin1', taskQueue });
      expect(done).toMatchObject({ running: 2, summarised: 1, asked: 1, failed: [] });
      const written = await eventually(() => summaries.get('case', bare, now()), 'the backfilled summary');
      expect(written).toMatchObject({ caseId: bare, status: 'open', tier: 'PRIORITY', waitingForStore: 0 });
      expect(written.open.length).toBeGreaterThan(0);
      const events = (await testStore().caseRecord(bare)).filter((e) => e.kind === 'event').map((e) => (e.data.event as { type: string }).type);
      expect(events).toEqual(['tier-set']);
      expect((await unsummarised(client, summaries, now(), taskQueue)).missing).toEqual([]);

      for (const caseId of [bare, summarised]) await recordEvent(client, caseId, { type: 'case-closed', at: now(), by: 'admin1', reason: 'finished' });
    });
  });
});

describe('a new case', () => {
  it('writes its summary at once with nothing to record, and its first workflow task upserts no search attribute the client set', async () => {
    const taskQueue = uniqueName('opening');
    const worker = await Worker.create({ connection, taskQueue, workflowBundle: await bundleCaseWorkflows(), activities: caseActivities(mailbox) });
    const [unrated, rated] = [uniqueName('WCF'), uniqueName('WCF')];
    await worker.runUntil(async () => {
      await openCase(client, { caseId: unrated, details: { reference: unrated, team: 'LOCALITY-NORTH', contacts: CONTACTS }, openedBy: 'admin1' }, loadDefaultSnapshot(), { taskQueue });
      await openCase(
        client,
        { caseId: rated, details: { reference: rated, team: 'LOCALITY-NORTH', contacts: CONTACTS }, openedBy: 'admin1', initialTier: { tier: 'HIGH_IMMEDIATE', reason: 'rated' } },
        loadDefaultSnapshot(),
        { taskQueue },
      );
      // No tier, no event: nothing for the record, and still a summary for every reader.
      expect(await eventually(() => summaries.get('case', unrated, now()), 'the unrated case’s summary')).toMatchObject({ caseId: unrated, status: 'open', tier: null, waitingForStore: 0 });
      const summary = await eventually(() => summaries.get('case', rated, now()), 'the rated case’s summary');
      expect(summary.nextDueAt).not.toBeNull();

      for (const caseId of [unrated, rated]) {
        const handle = client.workflow.getHandle(`case:${caseId}`);
        const history = await handle.fetchHistory();
        // Nothing is upserted: not CaseClock's attributes (the client set them), and not the SDK's
        // TemporalChangeVersion either (a case begun with today's code asks no patch).
        const upserted = (history.events ?? [])
          .filter((e) => Number(e.eventType) === temporal.api.enums.v1.EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES)
          .flatMap((e) => Object.keys(e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {}));
        expect(upserted, caseId).toEqual([]);
        // What the client set is what the case stands at.
        const attrs = (await handle.describe()).typedSearchAttributes;
        expect(attrs.get(TeamAttribute)).toBe('LOCALITY-NORTH');
        expect(attrs.get(StatusAttribute)).toBe('open');
      }
      const attrs = (await client.workflow.getHandle(`case:${rated}`).describe()).typedSearchAttributes;
      expect(attrs.get(RiskTierAttribute)).toBe('HIGH_IMMEDIATE');
      expect(attrs.get(NextDueAtAttribute)?.toISOString()).toBe(summary.nextDueAt);
      expect((await client.workflow.getHandle(`case:${unrated}`).describe()).typedSearchAttributes.get(RiskTierAttribute)).toBe('UNRATED');

      for (const caseId of [unrated, rated]) await recordEvent(client, caseId, { type: 'case-closed', at: now(), by: 'admin1', reason: 'finished' });
    });
  });
});
