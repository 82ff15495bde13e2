/**
 * Codec server: lets the Temporal Web UI and the `temporal` CLI show decrypted payloads to staff
 * who are allowed to read them. POST /decode and POST /encode take and return
 * `{ "payloads": [{ "metadata": { key: base64 }, "data": base64 }] }` (protobuf JSON of Payload).
 *
 * Every /encode and /decode request needs `Authorization: Bearer <CASECLOCK_CODEC_TOKEN>`
 * (compared in constant time; 401 otherwise). Browsers may call it only from the origins in
 * CASECLOCK_CODEC_CORS_ORIGINS (the Web UI, default http://localhost:8233); CORS preflights
 * (OPTIONS) are answered without a token, as browsers send them without credentials.
 * It logs who asked for what (namespace, payload count, status), never payload contents.
 *
 *   npx tsx client/codec-server.ts
 *   temporal workflow show -w case:WCF-1 --codec-endpoint http://127.0.0.1:8888 --codec-auth "Bearer $CASECLOCK_CODEC_TOKEN"
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { z } from 'zod';
import { type Config, loadConfigOrExit } from './config';
import { encryptionCodecFromConfig } from './encryption';

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

export interface CodecServerOptions {
  codec: PayloadCodec;
  /** The bearer token callers must present. */
  token: string;
  /** Browser origins allowed by CORS, e.g. ['http://localhost:8233']. */
  allowedOrigins: readonly string[];
  /** One JSON object per request (audit trail); defaults to stdout. */
  log?: (entry: Record<string, unknown>) => void;
}

/** The HTTP server (not yet listening). */
export function createCodecServer(options: CodecServerOptions): http.Server {
  const log = options.log ?? ((entry) => process.stdout.write(`${JSON.stringify(entry)}\n`));
  const allowed = new Set(options.allowedOrigins);

  return http.createServer((req, res) => {
    const started = Date.now();
    const origin = req.headers.origin;
    const path = new URL(req.url ?? '/', 'http://codec').pathname.replace(/\/+$/, '');
    const namespace = req.headers['x-namespace'];
    let payloadCount: number | undefined;

    const send = (status: number, body?: unknown) => {
      if (body === undefined) {
        res.writeHead(status).end();
      } else {
        res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }).end(JSON.stringify(body));
      }
      log({
        level: status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info',
        msg: 'codec request',
        method: req.method,
        path,
        status,
        ...(typeof namespace === 'string' ? { namespace } : {}),
        ...(origin ? { origin } : {}),
        ...(payloadCount !== undefined ? { payloads: payloadCount } : {}),
        ms: Date.now() - started,
      });
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
    if (path !== '/encode' && path !== '/decode') return send(404, { error: 'not found' });
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST, OPTIONS');
      return send(405, { error: 'use POST' });
    }
    if (origin && !allowed.has(origin)) return send(403, { error: 'origin not allowed' });
    const presented = bearerToken(req);
    if (presented === undefined || !tokenMatches(presented, options.token)) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="caseclock-codec"');
      return send(401, { error: 'a valid bearer token is required' });
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
          output = path === '/decode' ? await options.codec.decode(input) : await options.codec.encode(input);
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
  });
}

/** Starts the codec server from configuration; resolves once it listens. */
export async function startCodecServer(config: Config): Promise<{ server: http.Server; url: string; close(): Promise<void> }> {
  const codec = encryptionCodecFromConfig(config);
  if (!codec) throw new Error('CASECLOCK_ENCRYPTION_KEYS is not set: there is nothing for a codec server to decrypt');
  const token = config.CASECLOCK_CODEC_TOKEN;
  if (!token) throw new Error('CASECLOCK_CODEC_TOKEN is not set: the codec server refuses to run without authentication');
  const server = createCodecServer({ codec, token, allowedOrigins: config.CASECLOCK_CODEC_CORS_ORIGINS });
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
    close: () => new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  };
}

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const { url, close } = await startCodecServer(config);
  process.stdout.write(
    `${JSON.stringify({ level: 'info', msg: 'codec server started', url, allowedOrigins: config.CASECLOCK_CODEC_CORS_ORIGINS, currentKeyId: config.CASECLOCK_ENCRYPTION_KEY_ID })}\n`,
  );
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
    process.stderr.write(`${JSON.stringify({ level: 'error', msg: 'codec server stopped', error: err instanceof Error ? err.message : String(err) })}\n`);
    process.exit(1);
  });
}
