/**
 * The Temporal SDK's logs on the process's pino logger: the worker's lifecycle, activity `log`,
 * workflow `log` (through the SDK's sink) and the Rust core's own lines (forwarded instead of
 * printed by the core in its own format), so worker.log is one JSON object a line throughout.
 */
import type { LogLevel as TemporalLogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import { LogTimestamp, Runtime } from '@temporalio/worker';
import { atTime, componentLogger, type Logger, type LogLevel } from './log';

const PINO_LEVEL = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const satisfies Record<TemporalLogLevel, string>;

/** The SDK's Logger interface over a pino logger; each line keeps the time the SDK stamped it. */
export function temporalLoggerFor(logger: Logger): TemporalLogger {
  const write = (level: TemporalLogLevel, message: string, meta?: LogMetadata): void => {
    const method = PINO_LEVEL[level];
    if (!logger.isLevelEnabled(method)) return;
    const nanos: unknown = meta?.[LogTimestamp];
    const fields = { ...(meta ?? {}) };
    if (typeof nanos === 'bigint') atTime(Number(nanos / 1_000_000n), () => logger[method](fields, message));
    else logger[method](fields, message);
  };
  return {
    log: write,
    trace: (message, meta) => write('TRACE', message, meta),
    debug: (message, meta) => write('DEBUG', message, meta),
    info: (message, meta) => write('INFO', message, meta),
    warn: (message, meta) => write('WARN', message, meta),
    error: (message, meta) => write('ERROR', message, meta),
  };
}

/**
 * Installs the SDK runtime with the process logger (component "temporal") and, when
 * `prometheusBindAddress` is given, the SDK's own Prometheus exporter there (durations in
 * seconds). Resolves to whether the exporter runs: when it cannot bind (the port is taken), the
 * runtime is installed without it and the reason is returned, so the worker runs without the
 * SDK's figures rather than not at all. The core's lines are kept to warnings (other libraries'
 * to errors), as before they were forwarded, unless LOG_LEVEL asks for errors only.
 */
export function installTemporalRuntime(level: LogLevel, options: { prometheusBindAddress?: string } = {}): { sdkMetrics: boolean; error?: string } {
  const logger = temporalLoggerFor(componentLogger('temporal'));
  const core = level === 'error' ? 'ERROR' : 'WARN';
  const logging = { forward: {}, filter: { core, other: 'ERROR' } } as const;
  if (options.prometheusBindAddress !== undefined) {
    try {
      Runtime.install({
        logger,
        telemetryOptions: { logging, metrics: { prometheus: { bindAddress: options.prometheusBindAddress, useSecondsForDurations: true } } },
      });
      return { sdkMetrics: true };
    } catch (err) {
      Runtime.install({ logger, telemetryOptions: { logging } });
      return { sdkMetrics: false, error: err instanceof Error ? err.message : String(err) };
    }
  }
  Runtime.install({ logger, telemetryOptions: { logging } });
  return { sdkMetrics: false };
}
