/**
 * Closed to outsiders: Temporal on PostgreSQL started with mTLS (CASECLOCK_TEMPORAL_TLS=1, the
 * certificates from tools/make-certs.sh), a cluster of this test's own. CaseClock's worker
 * and client, configured by the TEMPORAL_TLS_* variables, run a case to its escalation, sent to a
 * real SMTP server; a client without a certificate, and one whose certificate another authority
 * signed, get nothing from Temporal. Runs in the `postgres` test project.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { caseState } from '../../common/cases';
import { parseConfig, temporalConnectionOptions } from '../../common/config';
import { caseWorkflowId } from '../../workflows/messages';
import { caseActivities } from '../support/case-record';
import { openHighRiskCase } from '../support/drill';
import { startMailbox, type Mailbox } from '../support/mailbox';
import { LEVEL_1_ONLY, secondsPolicy } from '../support/seconds-policy';
import { startTemporalCluster, type TemporalCluster } from '../support/temporal-cluster';
import { bundleCaseWorkflows, installTestRuntime, uniqueName } from '../support/temporal-env';

const onPostgres = inject('temporalKind') === 'postgres';
let dir: string;
let cluster: TemporalCluster;
let mailbox: Mailbox;

beforeAll(async () => {
  if (!onPostgres) return;
  installTestRuntime();
  dir = mkdtempSync(path.join(os.tmpdir(), 'caseclock-mtls-'));
  chmodSync(dir, 0o755); // PostgreSQL runs as `postgres` under root and must reach its data
  [cluster, mailbox] = await Promise.all([startTemporalCluster(dir, { tls: true }), startMailbox()]);
}, 600_000);
afterAll(async () => {
  await cluster?.stop();
  await mailbox?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const certs = () => path.join(dir, 'temporal-pg', 'certs');
const tlsConfig = () =>
  parseConfig({
    TEMPORAL_ADDRESS: cluster.address,
    TEMPORAL_TLS_CERT_PATH: path.join(certs(), 'client.pem'),
    TEMPORAL_TLS_KEY_PATH: path.join(certs(), 'client.key'),
    TEMPORAL_TLS_CA_PATH: path.join(certs(), 'ca.pem'),
    TEMPORAL_TLS_SERVER_NAME: 'temporal',
  });

/** What an outsider gets for asking Temporal anything: the error, or "answered". */
async function outsiderAsks(tls?: { serverNameOverride: string; serverRootCACertificate: Buffer; clientCertPair?: { crt: Buffer; key: Buffer } }): Promise<string> {
  try {
    const connection = await Connection.connect({ address: cluster.address, connectTimeout: 5_000, ...(tls ? { tls } : {}) });
    try {
      await new Client({ connection }).workflow.count();
      return 'answered';
    } finally {
      await connection.close();
    }
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

describe.runIf(onPostgres)('Temporal on PostgreSQL with mTLS', () => {
  it('runs a case for holders of the authority’s client certificate, and answers nobody else', async () => {
    const config = tlsConfig();
    const options = temporalConnectionOptions(config);
    const [native, connection, bundle] = await Promise.all([NativeConnection.connect(options), Connection.connect(options), bundleCaseWorkflows()]);
    const client = new Client({ connection });
    const taskQueue = uniqueName('mtls');
    const worker = await Worker.create({ connection: native, taskQueue, workflowBundle: bundle, activities: caseActivities(mailbox) });
    try {
      await worker.runUntil(async () => {
        const caseId = await openHighRiskCase(client, secondsPolicy({ 'initial-visit-high': 'PT3S' }, LEVEL_1_ONLY), { taskQueue, prefix: 'MTLS' });
        await mailbox.waitFor((all) => all.some((m) => m.caseReference === caseId && m.caseMessageId.includes('/escalation/')), 60_000);
        expect((await caseState(client, caseId)).open.find((o) => o.kind === 'initial-visit-high')?.escalationLevel).toBe(1);
        await client.workflow.getHandle(caseWorkflowId(caseId)).terminate('test finished');
      });
    } finally {
      await connection.close();
      await native.close();
    }

    // No certificate at all: plain gRPC, then TLS without a client certificate.
    expect(await outsiderAsks()).not.toBe('answered');
    const ca = readFileSync(path.join(certs(), 'ca.pem'));
    expect(await outsiderAsks({ serverNameOverride: 'temporal', serverRootCACertificate: ca })).not.toBe('answered');
    // A certificate of another authority's.
    const other = path.join(dir, 'other-certs');
    execFileSync('bash', [path.resolve(__dirname, '../../tools/make-certs.sh'), other]);
    const stranger = { crt: readFileSync(path.join(other, 'client.pem')), key: readFileSync(path.join(other, 'client.key')) };
    expect(await outsiderAsks({ serverNameOverride: 'temporal', serverRootCACertificate: ca, clientCertPair: stranger })).not.toBe('answered');
  });
});
