/**
 * Structured logs: one JSON object a line, with case references and message ids only.
 * Workflow and activity code log through Temporal's logger, which lands here too.
 */
import { DefaultLogger, type LogLevel, Runtime } from '@temporalio/worker';

export function installJsonLogger(level: LogLevel): void {
  Runtime.install({
    logger: new DefaultLogger(level, (entry) => {
      const { message, level: lvl, meta, timestampNanos } = entry;
      const line = {
        time: new Date(Number(timestampNanos / 1_000_000n)).toISOString(),
        level: lvl.toLowerCase(),
        msg: message,
        ...(meta ?? {}),
      };
      process.stdout.write(`${JSON.stringify(line)}\n`);
    }),
  });
}
