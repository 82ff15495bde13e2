/**
 * One place that turns configuration into Temporal connections, for the console, the command
 * line and the worker alike, so every process talks to Temporal the same way.
 */
import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { type Config, temporalConnectionOptions } from './config';

/** The data converter every CaseClock process uses (payload codecs are added here). */
export function dataConverter(_config: Config): DataConverter {
  return {};
}

export async function connectClient(config: Config): Promise<{ client: Client; close(): Promise<void> }> {
  const connection = await Connection.connect(temporalConnectionOptions(config));
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter: dataConverter(config) });
  return { client, close: () => connection.close() };
}
