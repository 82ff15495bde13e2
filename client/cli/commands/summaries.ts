/**
 * The case summaries in the store (store/case-summary.ts), which every reader uses: `summaries
 * status` counts the running cases and incidents without one; `summaries backfill` asks each of
 * those to write it now (common/summary-backfill.ts), the one step after upgrading a council's
 * CaseClock to summaries (docs/operations.md). Administrators and operators only.
 */
import type { Command } from 'commander';
import { z } from 'zod';
import { backfillSummaries, unsummarised } from '../../../common/summary-backfill';
import { redactUrl } from '../../../store/case-record-store';
import { openCaseSummaries } from '../../../store/case-summaries';
import { CliError, output } from '../support';
import { administratorActor, commonOptions, type CommonOptions, firstLine, numeric, parseOptions, withClient } from './common';

const BackfillOptions = z.strictObject({ concurrency: z.number().int().min(1, 'must be from 1 to 64').max(64, 'must be from 1 to 64').default(8) });

export function register(program: Command): void {
  const summaries = program.command('summaries').description("each case's summary in the case record store, which the console and every read command read");

  commonOptions(summaries.command('status').description('how many running cases and incidents have not yet written a summary (nothing is woken)'), false).action(async (o: { json?: boolean }) => {
    const counts = await withClient(async (client, config) => {
      const store = openCaseSummaries(config.CASECLOCK_STORE_URL);
      try {
        return await unsummarised(client, store, new Date().toISOString());
      } catch (err) {
        throw new CliError(`cannot read the case summaries from ${redactUrl(config.CASECLOCK_STORE_URL)}: ${firstLine(err)}`, 69);
      } finally {
        await store.close().catch(() => undefined);
      }
    });
    const result = { running: counts.running, withoutSummary: counts.missing.length, missing: counts.missing };
    output(o.json === true, result, () =>
      result.withoutSummary === 0
        ? `all ${result.running} running cases and incidents have a summary`
        : `${result.withoutSummary} of ${result.running} running cases and incidents have no summary yet: run caseclock summaries backfill`,
    );
  });

  commonOptions(summaries.command('backfill').description('ask each running case and incident without a summary to write one now (after upgrading)'))
    .option('--concurrency <n>', 'cases asked at a time (default 8)')
    .option('--dry-run', 'only count them')
    .action(async (o: CommonOptions & { concurrency?: string; dryRun?: boolean }) => {
      const by = administratorActor(o, process.env, undefined, 'summaries');
      const { concurrency } = parseOptions(BackfillOptions, { ...(o.concurrency !== undefined ? { concurrency: numeric(o.concurrency) } : {}) }, { concurrency: '--concurrency' });
      const counts = await withClient(
        async (client, config) => {
          const store = openCaseSummaries(config.CASECLOCK_STORE_URL);
          try {
            return await backfillSummaries(client, store, {
              by,
              concurrency,
              dryRun: o.dryRun === true,
              progress: (done, of) => {
                if (o.json !== true && (done % 100 === 0 || done === of)) process.stderr.write(`backfill: ${done} of ${of}\n`);
              },
            });
          } finally {
            await store.close().catch(() => undefined);
          }
        },
        { timeoutMs: 24 * 3600_000 },
      );
      output(o.json === true, counts, () =>
        [
          `${counts.running} running cases and incidents, ${counts.summarised} with a summary already; ${o.dryRun === true ? 'would ask' : 'asked'} ${counts.asked} to write one`,
          ...counts.failed.map((f) => `  ${f.subject} ${f.id}: ${f.reason}`),
        ].join('\n'),
      );
      if (counts.failed.length > 0) process.exitCode = 1;
    });
}
