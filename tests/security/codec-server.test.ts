/**
 * The codec server over real HTTP on a random port: bearer-token authentication, CORS for the
 * Temporal Web UI, and the `{payloads:[...]}` JSON the UI and the `temporal` CLI send.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type http from 'node:http';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../client/config';
import { createCodecServer, startCodecServer, tokenMatches } from '../../client/codec-server';
import { EncryptionCodec } from '../../client/encryption';
import { freePort } from '../../worker/tools/dev-server';
import { encryptionEnv, testKey } from './keys';

const UI_ORIGIN = 'http://localhost:8233';
const TOKEN = randomBytes(32).toString('base64url');
const SECRET = { reason: 'Child ZEBRA-NAME seen at 12 Secret Street' };
const codec = new EncryptionCodec([testKey('k1')], 'k1');

let server: http.Server;
let base: string;
const audit: Record<string, unknown>[] = [];

const toJson = (p: Payload) => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v!).toString('base64')])),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});
const fromJson = (p: { metadata: Record<string, string>; data: string }): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(p.data, 'base64'),
});

function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: UI_ORIGIN, 'X-Namespace': 'default', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}
const auth = { Authorization: `Bearer ${TOKEN}` };

beforeAll(async () => {
  server = createCodecServer({ codec, token: TOKEN, allowedOrigins: [UI_ORIGIN], log: (e) => audit.push(e) });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server?.close(() => resolve()));
});

describe('the codec server', () => {
  it('refuses /decode and /encode without the right bearer token', async () => {
    const body = { payloads: [toJson((await codec.encode([defaultPayloadConverter.toPayload(SECRET)]))[0]!)] };
    const attempts: Record<string, string>[] = [{}, { Authorization: 'Bearer wrong-token' }, { Authorization: `Basic ${TOKEN}` }, { Authorization: `Bearer ${TOKEN}x` }];
    for (const headers of attempts) {
      const decode = await post('/decode', body, headers);
      expect(decode.status).toBe(401);
      expect(decode.headers.get('www-authenticate')).toMatch(/^Bearer/);
      const text = await decode.text();
      expect(text).not.toContain('ZEBRA');
      expect((await post('/encode', body, headers)).status).toBe(401);
    }
  });

  it('answers the Web UI preflight with the headers it sends', async () => {
    const res = await fetch(`${base}/decode`, {
      method: 'OPTIONS',
      headers: { Origin: UI_ORIGIN, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization,content-type,x-namespace' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
    expect(res.headers.get('access-control-allow-methods')).toMatch(/POST/);
    const allowed = (res.headers.get('access-control-allow-headers') ?? '').toLowerCase().split(/,\s*/);
    expect(allowed).toEqual(expect.arrayContaining(['authorization', 'content-type', 'x-namespace']));
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
  });

  it('gives other origins no CORS access', async () => {
    const preflight = await fetch(`${base}/decode`, { method: 'OPTIONS', headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' } });
    expect(preflight.status).toBe(403);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const res = await post('/decode', { payloads: [] }, { ...auth, Origin: 'https://evil.example' });
    expect(res.status).toBe(403);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('decodes what the worker encrypted, for a caller with the token', async () => {
    const encrypted = await codec.encode([defaultPayloadConverter.toPayload(SECRET), defaultPayloadConverter.toPayload(7)]);
    const plain = defaultPayloadConverter.toPayload('written before encryption');
    const res = await post('/decode', { payloads: [...encrypted, plain].map(toJson) }, auth);
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
    const { payloads } = (await res.json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
    expect(payloads.map((p) => defaultPayloadConverter.fromPayload(fromJson(p)))).toEqual([SECRET, 7, 'written before encryption']);
    expect(audit.at(-1)).toMatchObject({ msg: 'codec request', path: '/decode', status: 200, namespace: 'default', payloads: 3 });
    expect(JSON.stringify(audit)).not.toContain('ZEBRA');
  });

  it('encodes for a caller with the token (the UI sends signal and query input this way)', async () => {
    const res = await post('/encode', { payloads: [toJson(defaultPayloadConverter.toPayload(SECRET))] }, auth);
    expect(res.status).toBe(200);
    const { payloads } = (await res.json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
    expect(Buffer.from(payloads[0]!.metadata.encoding!, 'base64').toString()).toBe('binary/encrypted');
    expect(Buffer.from(payloads[0]!.data, 'base64').includes('ZEBRA')).toBe(false);
    expect((await codec.decode(payloads.map(fromJson))).map((p) => defaultPayloadConverter.fromPayload(p))).toEqual([SECRET]);
  });

  it('says which key is missing, and refuses malformed bodies', async () => {
    const foreign = await new EncryptionCodec([testKey('other-deployment')], 'other-deployment').encode([defaultPayloadConverter.toPayload(SECRET)]);
    const missing = await post('/decode', { payloads: foreign.map(toJson) }, auth);
    expect(missing.status).toBe(422);
    expect(((await missing.json()) as { error: string }).error).toMatch(/"other-deployment" is not configured/);
    expect((await post('/decode', 'not json', auth)).status).toBe(400);
    expect((await post('/decode', { payloads: [{ data: '***' }] }, auth)).status).toBe(400);
    expect((await post('/decode', { nothing: [] }, auth)).status).toBe(400);
    expect((await fetch(`${base}/decode`, { headers: auth })).status).toBe(405);
    expect((await post('/elsewhere', { payloads: [] }, auth)).status).toBe(404);
  });

  it('compares tokens in constant time whatever their length', () => {
    expect(tokenMatches(TOKEN, TOKEN)).toBe(true);
    expect(tokenMatches('', TOKEN)).toBe(false);
    expect(tokenMatches(TOKEN.slice(0, -1), TOKEN)).toBe(false);
  });

  it('starts from configuration only with keys and a token', async () => {
    const keys = encryptionEnv(testKey('k1'));
    await expect(startCodecServer(parseConfig({ CASECLOCK_CODEC_PORT: '1' }))).rejects.toThrow(/CASECLOCK_ENCRYPTION_KEYS is not set/);
    await expect(startCodecServer(parseConfig({ ...keys }))).rejects.toThrow(/CASECLOCK_CODEC_TOKEN is not set/);
    const started = await startCodecServer(parseConfig({ ...keys, CASECLOCK_CODEC_TOKEN: TOKEN, CASECLOCK_CODEC_PORT: String(await freePort()) }));
    try {
      const res = await fetch(`${started.url}/decode`, { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: '{"payloads":[]}' });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ payloads: [] });
    } finally {
      await started.close();
    }
  });
});
