/**
 * The one logger of every CaseClock process (worker, console, codec server, store, command line):
 * pino, one JSON object a line, `"level":"info"` as a word and `time` in ISO 8601, as operations
 * read them. Logs carry case references, message ids and staff ids, never what could name or
 * locate a child: the keys in REDACTED_KEYS are censored wherever a call site (or a library)
 * puts them, top level or one object down.
 *
 * Where the lines go: debug and info to stdout, warn and error to stderr (both land in the same
 * file under `npm start`), or everything to stderr for the command line, whose stdout is its
 * answer (`--json`). Each part of a process logs through `componentLogger(name)`, a child with a
 * `component` field. Workflow code keeps Temporal's workflow `log`, which reaches this logger
 * through the worker's runtime (common/log-temporal.ts).
 */
import pino, { type DestinationStream, type Logger } from 'pino';
import type { Config } from './config';

export type { Logger } from 'pino';
export type LogLevel = Config['LOG_LEVEL'];

/**
 * What could name or locate a child (or is free text typed about one), and secrets. CaseClock's
 * own records hold none of these, so a value here means something upstream leaked: it is replaced
 * by "[redacted]" rather than dropped, so the leak can be seen and fixed.
 */
export const REDACTED_KEYS: readonly string[] = [
  'name',
  'childName',
  'firstName',
  'lastName',
  'surname',
  'fullName',
  'givenName',
  'familyName',
  'preferredName',
  'dateOfBirth',
  'dob',
  'address',
  'homeAddress',
  'postalAddress',
  'postcode',
  'nhsNumber',
  'note',
  'notes',
  'text',
  'html',
  'body',
  'password',
  'passwordHash',
  'secret',
  'token',
];

/** Request headers that carry credentials (the console's session cookie, a bearer token): removed, as the console always did. */
const REMOVED_PATHS: readonly string[] = ['req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]'];

export const REDACT_PATHS: readonly string[] = [...REMOVED_PATHS, ...REDACTED_KEYS.flatMap((key) => [key, `*.${key}`])];

const removed = new Set(REMOVED_PATHS.map((p) => p.replace(/\["(.*)"\]$/, '.$1')));

function censor(_value: unknown, path: readonly unknown[]): unknown {
  // An undefined value is left out of the JSON line: the header is gone, not censored. (String():
  // pino's path may hold a symbol, which join would throw on, and a throwing censor loses the line.)
  return removed.has(path.map((p) => String(p)).join('.')) ? undefined : '[redacted]';
}

/** The SDK's log entries carry their own time; see `atTime`. */
let eventTimeMs: number | undefined;

/**
 * Writes lines logged inside `fn` with the given time instead of now: Temporal buffers its log
 * entries (about 100 ms, to put them in order), and the line should say when the thing happened.
 */
export function atTime(timeMs: number, fn: () => void): void {
  eventTimeMs = timeMs;
  try {
    fn();
  } finally {
    eventTimeMs = undefined;
  }
}

let everythingToStderr = false;

/**
 * stdout and stderr of this process, chosen for each line by its level, looked up at each write
 * (so a test's spy on process.stderr.write sees the lines, and the command line can switch
 * everything to stderr whenever it starts).
 */
function standardStreams(): pino.DestinationStreamWithMetadata {
  const warn = pino.levels.values['warn'] ?? 40;
  const stream = {
    [pino.symbols.needsMetadataGsym]: true as const,
    lastLevel: 0,
    lastTime: '',
    lastMsg: '',
    lastObj: {},
    lastLogger: undefined as unknown as Logger,
    write(line: string): void {
      (everythingToStderr || stream.lastLevel >= warn ? process.stderr : process.stdout).write(line);
    },
  };
  return stream;
}

/** A logger with CaseClock's format and redaction; by default on this process's stdout and stderr. */
export function createLogger(options: { level: LogLevel | 'silent'; destination?: DestinationStream }): Logger {
  return pino(
    {
      level: options.level,
      redact: { paths: [...REDACT_PATHS], censor },
      formatters: { level: (label) => ({ level: label }) },
      timestamp: () => `,"time":"${new Date(eventTimeMs ?? Date.now()).toISOString()}"`,
      // Errors under `error` (Temporal's own meta, call sites) keep their type and message instead of `{}`.
      serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
    },
    options.destination ?? standardStreams(),
  );
}

let root: Logger | undefined;

/** The process's logger; at "info" until `configureProcessLogger` is given the configuration's LOG_LEVEL. */
export function processLogger(): Logger {
  root ??= createLogger({ level: 'info' });
  return root;
}

/**
 * Sets the process's level from the configuration (children made earlier follow it) and, for the
 * command line, sends every line to stderr.
 */
export function configureProcessLogger(options: { level?: LogLevel; to?: 'stdout and stderr' | 'stderr' }): Logger {
  const logger = processLogger();
  if (options.level !== undefined) logger.level = options.level;
  if (options.to !== undefined) everythingToStderr = options.to === 'stderr';
  return logger;
}

/** The logger for one part of a process: every line says which, in `component`. */
export function componentLogger(component: string, parent: Logger = processLogger()): Logger {
  return parent.child({ component });
}
