/**
 * The embedded case-record store as a process of its own: PGlite persisted in --data-dir, served
 * over the PostgreSQL protocol on a Unix socket in --socket-dir (a folder only this user may
 * enter, 0700; <data-dir>.socket by default), migrated before it says where it listens.
 *
 *   npx tsx store/serve.ts --data-dir .data/store      # socket .data/store.socket/.s.PGSQL.5432
 *
 * The store has no authentication: whoever reaches it is its superuser. The socket folder keeps
 * every other local account out. --port serves it on 127.0.0.1 instead, for tools only: then any
 * local account can connect (it says so on stderr).
 * Everything it makes is this user's only (umask 077; the data dir is made private at start and stop).
 *
 * Prints exactly one line on stdout once it is ready: `store listening on postgres://...`.
 * SIGTERM or SIGINT closes every connection and the database, then exits 0. A bad argument or a
 * failure to start prints one line naming it on stderr and exits 1.
 */
import { Command, InvalidArgumentError } from 'commander';
import { migrateCaseRecordStore, startEmbeddedStore, type EmbeddedStore } from './case-record-store';

// Case records: every file and folder made from here on is this user's only.
process.umask(0o077);

function portNumber(value: string): number {
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) {
    throw new InvalidArgumentError('must be a port number, 0 to 65535 (0: any free port)');
  }
  return Number(value);
}

async function main(): Promise<void> {
  const program = new Command('store/serve.ts')
    .description("Serves CaseClock's embedded case-record store (PGlite) over the PostgreSQL protocol on a Unix socket only this user can reach")
    .requiredOption('--data-dir <dir>', 'where the database lives (created when missing)')
    .option('--socket-dir <dir>', 'folder of the Unix socket, made 0700 (default: <data-dir>.socket)')
    .option('--port <port>', 'TCP on 127.0.0.1 instead of the socket, for tools: any local account can then connect (0: any free port)', portNumber)
    .option('--host <host>', 'loopback address to listen on with --port')
    .configureOutput({ outputError: (text, write) => write(text.split('\n')[0] + '\n') })
    .showHelpAfterError(false)
    .parse();
  const opts = program.opts<{ dataDir: string; socketDir?: string; port?: number; host?: string }>();
  if (opts.port !== undefined && opts.socketDir !== undefined) throw new Error('--socket-dir and --port: a socket or TCP, not both');
  if (opts.port === undefined && opts.host !== undefined) throw new Error('--host only with --port');

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

  store = await startEmbeddedStore(
    opts.port === undefined
      ? { dataDir: opts.dataDir, ...(opts.socketDir === undefined ? {} : { socketDir: opts.socketDir }) }
      : { dataDir: opts.dataDir, port: opts.port, ...(opts.host === undefined ? {} : { host: opts.host }) },
  );
  if (store.port !== undefined) {
    process.stderr.write(`store: warning: listening on TCP ${store.url}, without authentication: any account on this machine can connect as superuser\n`);
  }
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
