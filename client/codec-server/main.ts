/**
 * Codec server: lets the Temporal Web UI and the `temporal` CLI show decrypted payloads to staff
 * who are allowed to read them. POST /decode and POST /encode take and return
 * `{ "payloads": [{ "metadata": { key: base64 }, "data": base64 }] }` (protobuf JSON of Payload).
 *
 * Every /encode and /decode request must prove who sends it, in one of two ways:
 * - `Authorization: Bearer <CASECLOCK_CODEC_TOKEN>` (the `temporal` CLI; compared in constant time);
 * - the web console's session cookie (the Temporal Web UI, with "Include cross-origin credentials"
 *   ticked in its Data Encoder settings), checked exactly as the console checks it (the same
 *   signature, the same session in the shared console store, the same expiry and idle limit, the
 *   users file re-read so a removed user, a changed role or a changed password counts at once). Only an administrator may: a payload does not say which case or team
 *   it belongs to, so a manager's own-team limit could not be enforced here (403 for other roles).
 *   The cookie counts only on requests whose Origin is an allowed one, so no other page a
 *   signed-in browser visits can use it.
 * Neither → 401. Browsers may call it only from the origins in CASECLOCK_CODEC_CORS_ORIGINS (the
 * Web UI, default http://localhost:8233), which get the exact origin back with
 * Access-Control-Allow-Credentials (never `*`, which browsers refuse for credentialed requests).
 * CORS preflights (OPTIONS) are answered without credentials, as browsers send them without.
 * It logs who asked for what (user or token, namespace, payload count, status), never payload contents.
 *
 *   npx tsx client/codec-server/main.ts
 *   temporal workflow show -w case:WCF-1 --codec-endpoint http://localhost:8888 --codec-auth "Bearer $CASECLOCK_CODEC_TOKEN"
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { z } from 'zod';
import { type Config, loadConfigOrExit } from '../../common/config';
import { openConsoleStore, type ConsoleStore } from '../../store/console-store';
import type { Person } from '../identity/access';
import { type Role, UserDirectory } from '../identity/auth';
import { consoleCookieChecker, consoleSessionLimits, SESSION_COOKIE } from '../identity/session';
import { encryptionCodecFromConfig } from '../../common/encryption';
import { withoutTrailing } from '../../common/linear-text';
import { type Readiness, readinessProbe, storeReachable } from '../../common/health';
import { componentLogger, configureProcessLogger, type Logger, processLogger } from '../../common/log';

/** Largest request body accepted (a page of history payloads from the Web UI is far smaller). */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

const Base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');
const PayloadsBody = z.object({
  payloads: z.array(
    z.object({
      metadata: z.record(z.string(), Base64).nullish(),
      data: Base64.nullish(),
    }),
  ),
});
type JsonPayload = z.infer<typeof PayloadsBody>['payloads'][number];

function fromJson({ metadata, data }: JsonPayload): Payload {
  return {
    metadata: Object.fromEntries(Object.entries(metadata ?? {}).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'base64'))])),
    data: new Uint8Array(Buffer.from(data ?? '', 'base64')),
  };
}

function toJson({ metadata, data }: Payload): { metadata: Record<string, string>; data: string } {
  return {
    metadata: Object.fromEntries(Object.entries(metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')])),
    data: Buffer.from(data ?? new Uint8Array()).toString('base64'),
  };
}

/** Compares a presented bearer token with the configured one in constant time (any length). */
export function tokenMatches(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

function bearerToken(req: http.IncomingMessage): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  return match?.[1];
}

/** One cookie's value; the first of that name wins, as in the console. */
function cookieValue(req: http.IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * Roles whose console sessions may decode. Decoding shows any case's data and the codec server
 * cannot tell which case (or team) a payload belongs to, so only a role that may read every
 * case's data qualifies: not a manager (own team only) nor a viewer.
 */
export const CODEC_ROLES: ReadonlySet<Role> = new Set<Role>(['administrator']);

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, `request body larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The web console's sign-in, shared with the codec server: who a console session cookie proves is signed in. */
export interface ConsoleSignIn {
  personFor(cookie: string): Promise<Pick<Person, 'id' | 'role'> | undefined>;
}

export interface CodecServerOptions {
  codec: PayloadCodec;
  /** The bearer token the CLI presents; omitted: no token is accepted. */
  token?: string;
  /** Accept the console's session cookie (the Web UI); omitted: no cookie is accepted. */
  consoleSignIn?: ConsoleSignIn;
  /** Browser origins allowed by CORS, e.g. ['http://localhost:8233']. */
  allowedOrigins: readonly string[];
  /** Where the audit trail goes, one line per request (component "codec"); defaults to the process logger. */
  logger?: Logger;
  /** What /readyz checks (the console's session store, when the cookie is accepted); omitted: always ready. */
  ready?: () => Promise<Readiness>;
}

/** The HTTP server (not yet listening). */
export function createCodecServer(options: CodecServerOptions): http.Server {
  if (options.token === undefined && options.consoleSignIn === undefined) {
    throw new Error('the codec server needs a bearer token or the console sign-in: it refuses to run without authentication');
  }
  const log = componentLogger('codec', options.logger ?? processLogger());
  const allowed = new Set(options.allowedOrigins);
  const { token, consoleSignIn } = options;

  // Async for the console sign-in check (the shared session store); anything unexpected is a 500.
  return http.createServer((req, res) => void handle(req, res).catch(() => (res.headersSent ? res.end() : res.writeHead(500).end())));

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const started = Date.now();
    const origin = req.headers.origin;
    const path = withoutTrailing(new URL(req.url ?? '/', 'http://codec').pathname, '/');
    const namespace = req.headers['x-namespace'];
    let payloadCount: number | undefined;
    let caller: Record<string, string> = {};

    const send = (status: number, body?: unknown) => {
      if (body === undefined) {
        res.writeHead(status).end();
      } else {
        res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }).end(JSON.stringify(body));
      }
      log[status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info'](
        {
          method: req.method,
          path,
          status,
          ...(typeof namespace === 'string' ? { namespace } : {}),
          ...(origin ? { origin } : {}),
          ...caller,
          ...(payloadCount !== undefined ? { payloads: payloadCount } : {}),
          ms: Date.now() - started,
        },
        'codec request',
      );
    };

    if (origin && allowed.has(origin)) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
    }
    res.setHeader('Vary', 'Origin');

    if (req.method === 'OPTIONS') {
      if (!origin || !allowed.has(origin)) return send(403);
      res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
      res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type, X-Namespace');
      res.setHeader('Access-Control-Max-Age', '600');
      return send(204);
    }
    if (path === '/healthz' && req.method === 'GET') return send(200, { ok: true });
    if (path === '/readyz' && req.method === 'GET') {
      // Ready or not, nothing more: which check failed goes to the log only.
      const answer = options.ready ? await options.ready() : undefined;
      if (answer && !answer.ready) log.warn({ failing: answer.reasons }, 'codec server not ready');
      return send(answer && !answer.ready ? 503 : 200, { status: answer && !answer.ready ? 'not ready' : 'ready' });
    }
    // The codec protocol routes on the last path segment only, so a proxy may mount it under a prefix.
    const operation = path.slice(path.lastIndexOf('/') + 1);
    if (operation !== 'encode' && operation !== 'decode') return send(404, { error: 'not found' });
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST, OPTIONS');
      return send(405, { error: 'use POST' });
    }
    if (origin && !allowed.has(origin)) return send(403, { error: 'origin not allowed' });

    const presented = bearerToken(req);
    if (presented !== undefined && token !== undefined && tokenMatches(presented, token)) {
      caller = { auth: 'token' };
    } else {
      // The cookie rides along on any request the browser makes, so it counts only from an allowed origin.
      const cookie = consoleSignIn && origin ? cookieValue(req, SESSION_COOKIE) : undefined;
      let user: Pick<Person, 'id' | 'role'> | undefined;
      if (consoleSignIn && cookie !== undefined) {
        try {
          user = await consoleSignIn.personFor(cookie);
        } catch (err) {
          // The users file or the session store cannot be read: nobody can be checked (no secrets in the message).
          log.error({ error: err instanceof Error ? err.message.split('\n')[0] : String(err) }, 'codec cannot check a console sign-in');
          return send(503, { error: 'sign-in cannot be checked just now' });
        }
      }
      if (!user) {
        const ways = [token !== undefined ? 'a valid bearer token' : '', consoleSignIn ? 'a console sign-in' : ''].filter((w) => w !== '');
        res.setHeader('WWW-Authenticate', 'Bearer realm="caseclock-codec"');
        return send(401, { error: `${ways.join(' or ')} is required` });
      }
      caller = { auth: 'session', user: user.id };
      if (!CODEC_ROLES.has(user.role)) {
        return send(403, { error: `${user.id} (role ${user.role}) may not read decoded payloads: only an administrator may, as a payload does not say which case it belongs to` });
      }
    }

    readBody(req)
      .then(async (raw) => {
        let json: unknown;
        try {
          json = JSON.parse(raw);
        } catch {
          throw new HttpError(400, 'body is not JSON');
        }
        const parsed = PayloadsBody.safeParse(json);
        if (!parsed.success) throw new HttpError(400, 'body must be {"payloads":[{"metadata":{...},"data":"<base64>"}]}');
        payloadCount = parsed.data.payloads.length;
        const input = parsed.data.payloads.map(fromJson);
        let output: Payload[];
        try {
          output = operation === 'decode' ? await options.codec.decode(input) : await options.codec.encode(input);
        } catch (err) {
          // Codec errors name a key id at most, never key material or payload contents.
          throw new HttpError(422, err instanceof Error ? err.message : String(err));
        }
        send(200, { payloads: output.map(toJson) });
      })
      .catch((err: unknown) => {
        if (res.headersSent) return;
        if (err instanceof HttpError) return send(err.status, { error: err.message });
        send(500, { error: 'internal error' });
      });
  }
}

/**
 * Why the Web UI would not send the console's cookie, when that is certain. The cookie is
 * host-only and SameSite=Strict: the browser sends it to any port of the console's host name
 * (cookies are not port-isolated), from pages of the same site only. On a loopback console,
 * the Web UI must therefore be opened on the very same host name (localhost and 127.0.0.1 are
 * different hosts, and different sites). Other host names may be same-site without being
 * equal (a shared registrable domain), which is not checked here.
 */
export function cookieWarning(config: Config): string | undefined {
  if (!config.CASECLOCK_SESSION_SECRET) return undefined;
  const consoleHost = new URL(config.CONSOLE_PUBLIC_URL).hostname;
  if (!['localhost', '127.0.0.1', '[::1]'].includes(consoleHost)) return undefined;
  if (config.CASECLOCK_CODEC_CORS_ORIGINS.some((o) => new URL(o).hostname === consoleHost)) return undefined;
  return `the console is on ${consoleHost} but no origin in CASECLOCK_CODEC_CORS_ORIGINS is: browsers will not send the console's sign-in cookie from the Web UI, so only the bearer token works`;
}

/** Starts the codec server from configuration; resolves once it listens. */
export async function startCodecServer(config: Config): Promise<{ server: http.Server; url: string; close(): Promise<void> }> {
  // Plain payloads are shown as they are: this server only shows payloads to authorised staff
  // (a forged one included), it never acts on them.
  const codec = encryptionCodecFromConfig(config, { refuseUnencrypted: false });
  if (!codec) throw new Error('CASECLOCK_ENCRYPTION_KEYS is not set: there is nothing for a codec server to decrypt');
  const token = config.CASECLOCK_CODEC_TOKEN;
  const secret = config.CASECLOCK_SESSION_SECRET;
  if (!token && !secret) {
    throw new Error('neither CASECLOCK_CODEC_TOKEN nor CASECLOCK_SESSION_SECRET is set: the codec server refuses to run without authentication');
  }
  let consoleStore: ConsoleStore | undefined;
  const health = secret ? storeReachable(config.CASECLOCK_STORE_URL) : undefined;
  const server = createCodecServer({
    codec,
    ...(token ? { token } : {}),
    // The console's own settings, so a cookie is valid here exactly when (and as long as) it is there.
    ...(secret
      ? { consoleSignIn: { personFor: consoleCookieChecker((consoleStore = openConsoleStore(config.CASECLOCK_STORE_URL)), new UserDirectory(config.CASECLOCK_USERS_FILE), secret, consoleSessionLimits(config)) } }
      : {}),
    allowedOrigins: config.CASECLOCK_CODEC_CORS_ORIGINS,
    ...(health ? { ready: readinessProbe({ store: health.check }) } : {}),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.CASECLOCK_CODEC_PORT, config.CASECLOCK_CODEC_HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    server,
    url: `http://${host}:${address.port}`,
    close: () => new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))).then(() => Promise.all([consoleStore?.close(), health?.close()]).then(() => undefined)),
  };
}

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const log = componentLogger('codec', configureProcessLogger({ level: config.LOG_LEVEL }));
  const { url, close } = await startCodecServer(config);
  log.info(
    {
      url,
      allowedOrigins: config.CASECLOCK_CODEC_CORS_ORIGINS,
      auth: [...(config.CASECLOCK_CODEC_TOKEN ? ['bearer token'] : []), ...(config.CASECLOCK_SESSION_SECRET ? ['console session (administrators)'] : [])],
      currentKeyId: config.CASECLOCK_ENCRYPTION_KEY_ID,
    },
    'codec server started',
  );
  const warning = cookieWarning(config);
  if (warning) log.warn(warning);
  const stop = () => {
    close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    componentLogger('codec').error({ error: err instanceof Error ? err.message : String(err) }, 'codec server stopped');
    process.exit(1);
  });
}
