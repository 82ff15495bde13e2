/**
 * The encryption and codec-server variables: what the configuration accepts, the messages that
 * name a bad variable, and what each process gets as its data converter with and without keys.
 */
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, parseConfig } from '../../common/config';
import { EncryptionCodec } from '../../common/encryption';
import { dataConverter, FAILURE_CONVERTER_PATH } from '../../common/temporal';
import { encryptionEnv, testKey } from './keys';

const b64 = (bytes: number) => randomBytes(bytes).toString('base64');
const refusal = (env: Record<string, string>) => {
  try {
    parseConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('configuration was accepted');
};

describe('encryption configuration', () => {
  it('reads keys and the current key id, and never shows key material', () => {
    const current = testKey('2026-01');
    const old = testKey('2025-01');
    const config = parseConfig(encryptionEnv(current, old));
    expect(config.CASECLOCK_ENCRYPTION_KEYS?.map((k) => k.id)).toEqual(['2026-01', '2025-01']);
    expect(config.CASECLOCK_ENCRYPTION_KEYS?.[1]?.material.equals(old.material)).toBe(true);
    expect(config.CASECLOCK_ENCRYPTION_KEY_ID).toBe('2026-01');
    const shown = JSON.stringify(config) + inspect(config, { depth: 5 });
    expect(shown).not.toContain(current.material.toString('base64'));
    expect(shown).not.toContain(old.material.toString('base64'));
  });

  it.each([
    ['a key that is not 32 bytes', { CASECLOCK_ENCRYPTION_KEYS: `k1:${b64(16)}`, CASECLOCK_ENCRYPTION_KEY_ID: 'k1' }, /CASECLOCK_ENCRYPTION_KEYS: key "k1" must be 32 bytes \(AES-256\), got 16/],
    ['a key that is not base64', { CASECLOCK_ENCRYPTION_KEYS: `k1:not*base64!`, CASECLOCK_ENCRYPTION_KEY_ID: 'k1' }, /CASECLOCK_ENCRYPTION_KEYS: key "k1" is not valid base64/],
    ['an entry without an id', { CASECLOCK_ENCRYPTION_KEYS: b64(32), CASECLOCK_ENCRYPTION_KEY_ID: 'k1' }, /CASECLOCK_ENCRYPTION_KEYS: entry 1 must be keyId:base64key/],
    ['a key id given twice', { CASECLOCK_ENCRYPTION_KEYS: `k1:${b64(32)},k1:${b64(32)}`, CASECLOCK_ENCRYPTION_KEY_ID: 'k1' }, /CASECLOCK_ENCRYPTION_KEYS: key id "k1" appears more than once/],
    [
      'a current id that is not a configured key',
      { CASECLOCK_ENCRYPTION_KEYS: `k1:${b64(32)}`, CASECLOCK_ENCRYPTION_KEY_ID: 'k9' },
      /CASECLOCK_ENCRYPTION_KEY_ID: "k9" is not one of the ids in CASECLOCK_ENCRYPTION_KEYS \(k1\)/,
    ],
    ['keys without a current id', { CASECLOCK_ENCRYPTION_KEYS: `k1:${b64(32)}` }, /CASECLOCK_ENCRYPTION_KEY_ID: must name the key that encrypts new data, one of: k1/],
    ['a current id without keys', { CASECLOCK_ENCRYPTION_KEY_ID: 'k1' }, /CASECLOCK_ENCRYPTION_KEY_ID: is set but CASECLOCK_ENCRYPTION_KEYS is empty/],
    ['production without keys', { NODE_ENV: 'production' }, /CASECLOCK_ENCRYPTION_KEYS: must be set when NODE_ENV=production/],
    ['a short codec token', { CASECLOCK_CODEC_TOKEN: 'letmein' }, /CASECLOCK_CODEC_TOKEN: must be at least 32 characters/],
    ['a codec origin with a path', { CASECLOCK_CODEC_CORS_ORIGINS: 'http://localhost:8233/namespaces' }, /CASECLOCK_CODEC_CORS_ORIGINS: "http:\/\/localhost:8233\/namespaces" is not an origin/],
    ['a bad codec port', { CASECLOCK_CODEC_PORT: '0' }, /CASECLOCK_CODEC_PORT: must be between 1 and 65535/],
    ['plain payloads accepted with a value other than migrate', { ...encryptionEnv(testKey('k1')), CASECLOCK_ACCEPT_PLAIN_PAYLOADS: 'yes' }, /CASECLOCK_ACCEPT_PLAIN_PAYLOADS: must be migrate, or empty/],
    ['plain payloads accepted without keys', { CASECLOCK_ACCEPT_PLAIN_PAYLOADS: 'migrate' }, /CASECLOCK_ACCEPT_PLAIN_PAYLOADS: is set but CASECLOCK_ENCRYPTION_KEYS is empty/],
  ])('refuses %s and names the variable', (_label, env, message) => {
    const text = refusal(env);
    expect(text).toMatch(message);
    expect(text).not.toMatch(/[A-Za-z0-9+/]{43}=/); // no key material in the message
  });

  it('runs in production with keys, and gives the codec server its defaults', () => {
    const config = parseConfig({ NODE_ENV: 'production', ...encryptionEnv(testKey('k1')) });
    expect(config.CASECLOCK_CODEC_PORT).toBe(8888);
    expect(config.CASECLOCK_CODEC_HOST).toBe('127.0.0.1');
    expect(config.CASECLOCK_CODEC_CORS_ORIGINS).toEqual(['http://localhost:8233']);
    expect(parseConfig({ CASECLOCK_CODEC_CORS_ORIGINS: 'http://localhost:8233/, https://temporal.council.example' }).CASECLOCK_CODEC_CORS_ORIGINS).toEqual(['http://localhost:8233', 'https://temporal.council.example']);
  });
});

it('treats the empty values of a copied .env.example as unset', () => {
  const config = parseConfig({
    CASECLOCK_ENCRYPTION_KEYS: '',
    CASECLOCK_ENCRYPTION_KEY_ID: '',
    CASECLOCK_CODEC_TOKEN: '',
    CASECLOCK_CODEC_HOST: '',
    CASECLOCK_CODEC_CORS_ORIGINS: '',
    CASECLOCK_ACCEPT_PLAIN_PAYLOADS: '',
  });
  expect(config.CASECLOCK_ENCRYPTION_KEYS).toBeUndefined();
  expect(config.CASECLOCK_ACCEPT_PLAIN_PAYLOADS).toBeUndefined();
  expect(config.CASECLOCK_ENCRYPTION_KEY_ID).toBeUndefined();
  expect(config.CASECLOCK_CODEC_TOKEN).toBeUndefined();
  expect(config.CASECLOCK_CODEC_HOST).toBe('127.0.0.1');
  expect(config.CASECLOCK_CODEC_CORS_ORIGINS).toEqual(['http://localhost:8233']);
});

describe('the data converter of every process', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('encrypts payloads and failure messages when keys are configured', () => {
    const converter = dataConverter(parseConfig(encryptionEnv(testKey('k1'))));
    expect(converter.payloadCodecs).toHaveLength(1);
    expect(converter.payloadCodecs?.[0]).toBeInstanceOf(EncryptionCodec);
    expect((converter.payloadCodecs?.[0] as EncryptionCodec).currentKeyId).toBe('k1');
    expect(converter.failureConverterPath).toBe(FAILURE_CONVERTER_PATH);
    const { failureConverter } = require(FAILURE_CONVERTER_PATH) as { failureConverter: { options: { encodeCommonAttributes: boolean } } };
    expect(failureConverter.options.encodeCommonAttributes).toBe(true);
  });

  it('runs unencrypted in development only after a loud warning, once per process', () => {
    const writes: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      writes.push(String(chunk));
      return true;
    });
    const config = parseConfig({ NODE_ENV: 'development' });
    expect(dataConverter(config)).toEqual({});
    expect(dataConverter(config)).toEqual({});
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatch(/PAYLOAD ENCRYPTION IS OFF/);
    expect(writes[0]).toMatch(/CASECLOCK_ENCRYPTION_KEYS/);
  });

  it('refuses plain payloads whenever keys are configured, whatever NODE_ENV says', () => {
    for (const NODE_ENV of [undefined, 'development', 'test', 'production']) {
      const config = parseConfig({ ...(NODE_ENV ? { NODE_ENV } : {}), ...encryptionEnv(testKey('k1')) });
      expect((dataConverter(config).payloadCodecs?.[0] as EncryptionCodec).options.refuseUnencrypted).toBe(true);
    }
  });

  it('reads plain payloads only with CASECLOCK_ACCEPT_PLAIN_PAYLOADS=migrate, after a loud warning naming it, once per process', () => {
    const writes: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      writes.push(String(chunk));
      return true;
    });
    const config = parseConfig({ NODE_ENV: 'production', CASECLOCK_ACCEPT_PLAIN_PAYLOADS: 'migrate', ...encryptionEnv(testKey('k1')) });
    expect(config.CASECLOCK_ACCEPT_PLAIN_PAYLOADS).toBe('migrate');
    expect((dataConverter(config).payloadCodecs?.[0] as EncryptionCodec).options.refuseUnencrypted).toBe(false);
    dataConverter(config);
    expect(writes).toHaveLength(1);
    expect(JSON.parse(writes[0] ?? '{}')).toMatchObject({ level: 'warn', setting: 'CASECLOCK_ACCEPT_PLAIN_PAYLOADS' });
    expect(writes[0]).toMatch(/CASECLOCK_ACCEPT_PLAIN_PAYLOADS=migrate: UNENCRYPTED PAYLOADS ARE ACCEPTED/);
  });
});
