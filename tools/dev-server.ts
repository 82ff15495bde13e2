/**
 * Starts a local Temporal dev server (`temporal server start-dev`, the CLI chosen by
 * ensure-tools.sh) with CaseClock's custom search attributes registered, and resolves once it
 * answers. Used by `npm start` (tools/run.sh, through the CLI at the bottom) and by the
 * vitest globalSetup (tests/support/global-setup.ts).
 *
 *   npx tsx tools/dev-server.ts --db-file .data/temporal.sqlite --port 7233 --ui-port 8233
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { Command, InvalidArgumentError } from 'commander';
import { CASECLOCK_SEARCH_ATTRIBUTES, CLI_TYPE_NAMES } from '../workflows/search-attributes';
import { readToolsEnv } from './tools-env';

export interface DevServerOptions {
  /** SQLite file that keeps workflows across restarts; omitted means in memory. */
  dbFile?: string;
  /** Interface the gRPC front end binds to (default 127.0.0.1). */
  ip?: string;
  /** gRPC port (the Temporal address is ip:port). */
  port: number;
  /** Web UI port; omitted means no Web UI (`--headless`). */
  uiPort?: number;
  /** The server's stdout and stderr are appended here. */
  logFile: string;
  /** Namespace the server is checked against (default "default", always created). */
  namespace?: string;
  /** Path to the Temporal CLI; default: TEMPORAL_CLI from .tools/env. */
  temporalCli?: string;
  /** How long to wait for the server to answer (default 60 s). */
  readyTimeoutMs?: number;
}

export interface DevServer {
  /** host:port of the gRPC front end, for Connection.connect / NativeConnection.connect. */
  address: string;
  /** The Web UI, when started with a uiPort. */
  uiUrl: string | undefined;
  pid: number;
  /** Settles when the server process has exited, for whatever reason. */
  exited: Promise<void>;
  /** SIGTERM to the server's process group, then SIGKILL after a grace period. Idempotent. */
  stop(): Promise<void>;
}

const STOP_GRACE_MS = 10_000;

/** The start-dev flags for CaseClock's search attributes, from the one definition in workflows/. */
export function searchAttributeFlags(): string[] {
  return CASECLOCK_SEARCH_ATTRIBUTES.flatMap((key) => ['--search-attribute', `${key.name}=${CLI_TYPE_NAMES[key.type]}`]);
}

/** Arguments for `temporal` (exported for inspection and tests). */
export function devServerArgs(options: DevServerOptions): string[] {
  const args = ['server', 'start-dev', '--ip', options.ip ?? '127.0.0.1', '--port', String(options.port)];
  args.push('--namespace', options.namespace ?? 'default');
  if (options.dbFile !== undefined) args.push('--db-filename', options.dbFile);
  if (options.uiPort !== undefined) args.push('--ui-port', String(options.uiPort));
  else args.push('--headless');
  args.push(...searchAttributeFlags());
  args.push('--log-level', 'warn', '--log-format', 'text');
  return args;
}

/**
 * Ports handed out below Linux's ephemeral range (32768-60999 by default): a port the OS picked
 * for `listen(0)` could be picked again, between our check and the server's bind, for any outgoing
 * connection or for one of the dev server's own internal services, and the server then failed to
 * start ("address already in use"). Ports from this range are never handed out by the OS.
 */
const QUIET_PORTS = { from: 20_000, to: 32_000 } as const;

/** A TCP port that was free on 127.0.0.1 a moment ago, outside the OS's ephemeral range. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = QUIET_PORTS.from + Math.floor(Math.random() * (QUIET_PORTS.to - QUIET_PORTS.from));
    if (await canListen(port)) return port;
  }
  throw new Error(`no free TCP port found on 127.0.0.1 between ${QUIET_PORTS.from} and ${QUIET_PORTS.to}`);
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function portIsTaken(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * True once the namespace is served and every CaseClock search attribute is registered
 * (start-dev registers them after the front end starts listening).
 */
async function serverIsReady(address: string, namespace: string): Promise<boolean> {
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ address, connectTimeout: 1_000 });
    await connection.workflowService.describeNamespace({ namespace });
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
    return CASECLOCK_SEARCH_ATTRIBUTES.every((key) => customAttributes?.[key.name] !== undefined);
  } catch {
    return false;
  } finally {
    await connection?.close().catch(() => undefined);
  }
}

function exited(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve()); // e.g. the CLI path does not exist: no 'exit' follows
  });
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal); // the whole group: start-dev was spawned detached
  } catch {
    // already gone
  }
}

export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const ip = options.ip ?? '127.0.0.1';
  const namespace = options.namespace ?? 'default';
  const address = `${ip}:${options.port}`;
  const cli = options.temporalCli ?? readToolsEnv().TEMPORAL_CLI;

  for (const port of [options.port, options.uiPort]) {
    if (port !== undefined && (await portIsTaken(ip, port))) {
      throw new Error(`port ${port} on ${ip} is already in use (another Temporal dev server?); stop it or choose another port`);
    }
  }

  mkdirSync(path.dirname(options.logFile), { recursive: true });
  if (options.dbFile !== undefined) mkdirSync(path.dirname(options.dbFile), { recursive: true });
  const logFd = openSync(options.logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(cli, devServerArgs(options), { detached: true, stdio: ['ignore', logFd, logFd] });
  } finally {
    closeSync(logFd);
  }
  const spawnError = new Promise<never>((_, reject) => child.once('error', reject));
  spawnError.catch(() => undefined);

  // Safety net: a parent that dies without calling stop() still asks the server to go.
  const onParentExit = () => signalGroup(child, 'SIGTERM');
  process.once('exit', onParentExit);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      process.removeListener('exit', onParentExit);
      const gone = exited(child);
      signalGroup(child, 'SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const graceOver = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), STOP_GRACE_MS);
      });
      const outcome = await Promise.race([gone.then(() => 'gone' as const), graceOver]);
      clearTimeout(timer);
      if (outcome === 'timeout') {
        signalGroup(child, 'SIGKILL');
        await gone;
      }
    })();
    return stopping;
  };

  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  try {
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`temporal server start-dev exited (${child.exitCode ?? child.signalCode}) before answering; last lines of ${options.logFile}:\n${tail(options.logFile)}`);
      }
      if (await Promise.race([serverIsReady(address, namespace), spawnError])) break;
      if (Date.now() > deadline) {
        throw new Error(`temporal server start-dev did not answer at ${address} in time; last lines of ${options.logFile}:\n${tail(options.logFile)}`);
      }
      await sleep(200);
    }
  } catch (err) {
    await stop();
    throw err;
  }

  return {
    address,
    uiUrl: options.uiPort !== undefined ? `http://${ip === '0.0.0.0' ? 'localhost' : ip}:${options.uiPort}` : undefined,
    pid: child.pid ?? -1,
    exited: exited(child),
    stop,
  };
}

// --- CLI ------------------------------------------------------------------------------------

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new InvalidArgumentError('must be a port number (1-65535)');
  return port;
}

async function cli(argv: string[]): Promise<void> {
  const program = new Command('dev-server')
    .description("Run a local Temporal dev server with CaseClock's search attributes until SIGINT/SIGTERM")
    .option('--db-file <path>', 'SQLite file (kept across restarts)', '.data/temporal.sqlite')
    .option('--ip <ip>', 'interface for gRPC and the Web UI', '127.0.0.1')
    .option('--port <port>', 'gRPC port', parsePort, 7233)
    .option('--ui-port <port>', 'Web UI port', parsePort, 8233)
    .option('--headless', 'no Web UI')
    .option('--log-file <path>', 'server log', '.data/logs/temporal.log')
    .option('--ready-file <path>', 'write {"address","uiUrl","pid"} as JSON here once the server answers')
    .parse(argv);
  const opts = program.opts<{
    dbFile: string;
    ip: string;
    port: number;
    uiPort: number;
    headless?: boolean;
    logFile: string;
    readyFile?: string;
  }>();

  const server = await startDevServer({
    dbFile: path.resolve(opts.dbFile),
    ip: opts.ip,
    port: opts.port,
    ...(opts.headless ? {} : { uiPort: opts.uiPort }),
    logFile: path.resolve(opts.logFile),
  });
  let shuttingDown = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (shuttingDown) return;
    shuttingDown = true;
    process.stdout.write(`dev-server: ${signal}, stopping Temporal\n`);
    server
      .stop()
      .then(() => {
        if (opts.readyFile) rmSync(opts.readyFile, { force: true });
        process.exit(0);
      })
      .catch((err: unknown) => {
        process.stderr.write(`dev-server: could not stop cleanly: ${String(err)}\n`);
        process.exit(1);
      });
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);

  process.stdout.write(`dev-server: Temporal at ${server.address}${server.uiUrl ? `, Web UI ${server.uiUrl}` : ''} (pid ${server.pid})\n`);
  if (opts.readyFile) {
    writeFileSync(opts.readyFile, JSON.stringify({ address: server.address, uiUrl: server.uiUrl, pid: server.pid }));
  }
  // Stay in the foreground (the child keeps the event loop alive); if the server dies on its own, so do we.
  await server.exited;
  if (!shuttingDown) {
    process.stderr.write(`dev-server: Temporal exited unexpectedly; see ${opts.logFile}\n`);
    process.exit(1);
  }
}

if (require.main === module) {
  cli(process.argv).catch((err: unknown) => {
    process.stderr.write(`dev-server: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
