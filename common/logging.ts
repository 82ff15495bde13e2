/**
 * Structured logs: one JSON object a line, with case references and message ids only.
 * Workflow and activity code log through Temporal's logger, which lands here too.
 */
import { DefaultLogger, type LogLevel, Runtime } from '@temporalio/worker';

/**
 * Installs the SDK runtime with the JSON logger and, when `prometheusBindAddress` is given, the
 * SDK's own Prometheus exporter there (durations in seconds). Resolves to whether the exporter
 * runs: when it cannot bind (the port is taken), the runtime is installed without it and the
 * reason is returned, so the worker runs without the SDK's figures rather than not at all.
 */
export function installJsonLogger(level: LogLevel, options: { prometheusBindAddress?: string } = {}): { sdkMetrics: boolean; error?: string } {
  const logger = new DefaultLogger(level, (entry) => {
    const { message, level: lvl, meta, timestampNanos } = entry;
    const line = {
      time: new Date(Number(timestampNanos / 1_000_000n)).toISOString(),
      level: lvl.toLowerCase(),
      msg: message,
      ...(meta ?? {}),
    };
    process.stdout.write(`${JSON.stringify(line)}\n`);
  });
  if (options.prometheusBindAddress !== undefined) {
    try {
      Runtime.install({
        logger,
        telemetryOptions: { metrics: { prometheus: { bindAddress: options.prometheusBindAddress, useSecondsForDurations: true } } },
      });
      return { sdkMetrics: true };
    } catch (err) {
      Runtime.install({ logger });
      return { sdkMetrics: false, error: err instanceof Error ? err.message : String(err) };
    }
  }
  Runtime.install({ logger });
  return { sdkMetrics: false };
}
