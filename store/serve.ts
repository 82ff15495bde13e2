/**
 * The embedded case-record store as a process of its own: PGlite persisted in --data-dir, served
 * over the PostgreSQL protocol on 127.0.0.1:--port, migrated before it says where it listens.
 *
 *   npx tsx store/serve.ts --data-dir .data/store --port 5433
 *
 * Prints exactly one line on stdout once it is ready: `store listening on postgres://...`.
 * SIGTERM or SIGINT closes every connection and the database, then exits 0. A bad argument or a
 * failure to start prints one line naming it on stderr and exits 1.
 */
import { Command, InvalidArgumentError } from 'commander';
import { migrateCaseRecordStore, startEmbeddedStore, type EmbeddedStore } from './case-record-store';

function portNumber(value: string): number {
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) {
    throw new InvalidArgumentError('must be a port number, 0 to 65535 (0: any free port)');
  }
  return Number(value);
}

async function main(): Promise<void> {
  const program = new Command('store/serve.ts')
    .description("Serves CaseClock's embedded case-record store (PGlite) over the PostgreSQL protocol on 127.0.0.1")
    .requiredOption('--data-dir <dir>', 'where the database lives (created when missing)')
    .requiredOption('--port <port>', 'TCP port on 127.0.0.1 (0: any free port)', portNumber)
    .option('--host <host>', 'loopback address to listen on', '127.0.0.1')
    .configureOutput({ outputError: (text, write) => write(text.split('\n')[0] + '\n') })
    .showHelpAfterError(false)
    .parse();
  const opts = program.opts<{ dataDir: string; port: number; host: string }>();

  let store: EmbeddedStore | undefined;
  let stopping: Promise<void> | undefined;
  const stop = (signal: NodeJS.Signals): void => {
    stopping ??= (async () => {
      try {
        await store?.stop();
        process.exit(0);
      } catch (error) {
        process.stderr.write(`store: stopping on ${signal} failed: ${(error as Error).message}\n`);
        process.exit(1);
      }
    })();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);

  store = await startEmbeddedStore({ dataDir: opts.dataDir, port: opts.port, host: opts.host });
  try {
    await migrateCaseRecordStore(store.url);
  } catch (error) {
    await store.stop();
    throw error;
  }
  if (!stopping) process.stdout.write(`store listening on ${store.url}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`store: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
