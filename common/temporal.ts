/**
 * One place that turns configuration into Temporal connections and the data converter, for the
 * console, the command line and the worker alike, so every process talks to Temporal the same way
 * and every process encrypts case data the same way.
 */
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { type Config, temporalConnectionOptions } from './config';
import { encryptionCodecFromConfig } from './encryption';
import { componentLogger } from './log';

/**
 * The failure converter module used with encryption (failure messages and stack traces become an
 * encrypted payload). A prebuilt workflow bundle must be built with it too:
 * `bundleWorkflowCode({ workflowsPath, failureConverterPath: FAILURE_CONVERTER_PATH })`.
 */
export const FAILURE_CONVERTER_PATH = path.resolve(__dirname, 'failure-converter.js');

let warnedUnencrypted = false;
let warnedPlainAccepted = false;

/**
 * The data converter every CaseClock process uses. With keys configured: the AES-256-GCM payload
 * codec, plus a failure converter that puts failure messages in (encrypted) payloads; the codec
 * refuses unencrypted payloads (a forged plain update is rejected) whatever NODE_ENV says, unless
 * CASECLOCK_ACCEPT_PLAIN_PAYLOADS=migrate, which every process (the command line too) warns about
 * loudly, once. Without keys (allowed outside production only; the configuration refuses it in
 * production): nothing, after a loud warning in the log (stderr), once per process.
 */
export function dataConverter(config: Config, options: { warnIfUnencrypted?: boolean } = {}): DataConverter {
  const codec = encryptionCodecFromConfig(config);
  if (codec && !codec.options.refuseUnencrypted && !warnedPlainAccepted) {
    warnedPlainAccepted = true;
    componentLogger('encryption').warn(
      { setting: 'CASECLOCK_ACCEPT_PLAIN_PAYLOADS', nodeEnv: config.NODE_ENV },
      'CASECLOCK_ACCEPT_PLAIN_PAYLOADS=migrate: UNENCRYPTED PAYLOADS ARE ACCEPTED. Anyone who can reach Temporal can send a case update in plain JSON and it will be read. Use it only while cases started before encryption still run, then unset it and restart.',
    );
  }
  if (!codec) {
    if (!warnedUnencrypted && options.warnIfUnencrypted !== false) {
      warnedUnencrypted = true;
      componentLogger('encryption').warn(
        { nodeEnv: config.NODE_ENV },
        'PAYLOAD ENCRYPTION IS OFF: case data is stored in Temporal in plain text. Set CASECLOCK_ENCRYPTION_KEYS and CASECLOCK_ENCRYPTION_KEY_ID (see .env.example); NODE_ENV=production refuses to start without them.',
      );
    }
    return {};
  }
  return { payloadCodecs: [codec], failureConverterPath: FAILURE_CONVERTER_PATH };
}

/**
 * A client for one CaseClock process. Long-running processes warn when encryption is off; the
 * command line passes `warnIfUnencrypted: false` so each error stays one line (the worker and
 * console logs carry the warning).
 */
export async function connectClient(config: Config, options: { warnIfUnencrypted?: boolean } = {}): Promise<{ client: Client; close(): Promise<void> }> {
  const converter = dataConverter(config, options);
  const connection = await Connection.connect(temporalConnectionOptions(config));
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter: converter });
  return { client, close: () => connection.close() };
}
