/**
 * Records the daily digest's replay fixtures (tests/replay/replay.test.ts replays them with the
 * case histories): `dailyDigestWorkflow` on a throwaway dev server, with its real activity sending
 * to an in-process SMTP server, run for a working day and for a bank holiday. The digest checks
 * visibility for running cases, which the time-skipping server that records the case histories does
 * not offer; no case is open here (the summaries it reads are none, with no store), so the working
 * day's digest reads none and sends none, which still records every command the workflow issues.
 *
 *   npx tsx tests/replay/record-digest-histories.ts
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createDigestActivities } from '../../activities/digest';
import { caseBundleOptions } from '../../worker/workflow-bundle';
import { freePort, startDevServer } from '../../tools/dev-server';
import { startMailbox } from '../support/mailbox';
import { historyToJsonValue } from './history-json';
import { HISTORIES_DIR, type HistoryFixture } from './record-histories';

const SCENARIOS = [
  { scenario: 'daily-digest-working-day', forDate: '2026-12-01', description: 'The daily digest for a working day (Tuesday 1 December 2026): its one activity reads the open cases (none) and sends nothing.' },
  { scenario: 'daily-digest-bank-holiday', forDate: '2026-12-25', description: 'The daily digest for a bank holiday (Christmas Day 2026): nothing read, nothing sent, the reason returned.' },
];

/** No case, so no summary: the recording needs no store. */
const NO_SUMMARIES = { list: () => Promise.resolve([]), get: () => Promise.resolve(undefined) };

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'caseclock-digest-record-'));
  const server = await startDevServer({ port: await freePort(), dbFile: path.join(dir, 'temporal.sqlite'), logFile: path.join(dir, 'temporal.log') });
  const mailbox = await startMailbox();
  try {
    const [nativeConnection, connection, bundle] = await Promise.all([
      NativeConnection.connect({ address: server.address }),
      Connection.connect({ address: server.address }),
      bundleWorkflowCode(caseBundleOptions({ logger: new DefaultLogger('WARN') })),
    ]);
    const client = new Client({ connection, identity: 'caseclock-replay-recorder' });
    const taskQueue = 'replay-recorder-digest';
    const worker = await Worker.create({
      connection: nativeConnection,
      taskQueue,
      identity: 'caseclock-replay-recorder',
      workflowBundle: bundle,
      activities: createDigestActivities({ client, summaries: NO_SUMMARIES, transport: mailbox.transport(), from: 'caseclock@example.test', consoleUrl: 'https://caseclock.example.test', taskQueue }),
    });
    await worker.runUntil(async () => {
      for (const s of SCENARIOS) {
        const workflowId = `replay-${s.scenario}`;
        const handle = await client.workflow.start('dailyDigestWorkflow', { taskQueue, workflowId, args: [{ forDate: s.forDate }] });
        const result = await handle.result();
        const fixture: HistoryFixture = {
          scenario: s.scenario,
          description: s.description,
          workflowType: 'dailyDigestWorkflow',
          workflowId,
          savedWhile: 'completed',
          recordedWith: `@temporalio/worker ${require('@temporalio/worker/package.json').version as string}`,
          history: historyToJsonValue(await handle.fetchHistory()),
        };
        writeFileSync(path.join(HISTORIES_DIR, `${s.scenario}.json`), `${JSON.stringify(fixture, null, 1)}\n`);
        process.stdout.write(`${s.scenario}: ${JSON.stringify(result)}\n`);
      }
    });
    await connection.close();
    await nativeConnection.close();
  } finally {
    await mailbox.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
