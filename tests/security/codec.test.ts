/**
 * The AES-256-GCM payload codec on its own: what it stores, rotation by key id, and what it
 * refuses (unknown key id, altered ciphertext).
 */
import { defaultPayloadConverter, METADATA_ENCODING_KEY, type Payload } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { ENCRYPTED_ENCODING, EncryptionCodec, METADATA_ENCRYPTION_KEY_ID, PayloadDecryptionError } from '../../common/encryption';
import { testKey } from './keys';

const SECRET = { reason: 'Child ZEBRA-NAME seen at 12 Secret Street', worker: 'quentin.quokka@council.test' };
const payloadOf = (value: unknown): Payload => defaultPayloadConverter.toPayload(value);
const valueOf = (payload: Payload | undefined): unknown => defaultPayloadConverter.fromPayload(payload!);
const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? new Uint8Array()).toString('utf8');

describe('the encryption codec', () => {
  it('round-trips payloads, metadata included', async () => {
    const codec = new EncryptionCodec([testKey('k1')], 'k1');
    const original = [payloadOf(SECRET), payloadOf(null), payloadOf(42)];
    const decoded = await codec.decode(await codec.encode(original));
    expect(decoded.map(valueOf)).toEqual([SECRET, null, 42]);
    expect(text(decoded[0]?.metadata?.[METADATA_ENCODING_KEY])).toBe('json/plain');
  });

  it('stores only the encrypted encoding, the key id and ciphertext, with a fresh IV each time', async () => {
    const codec = new EncryptionCodec([testKey('k1')], 'k1');
    const [a, b] = await codec.encode([payloadOf(SECRET), payloadOf(SECRET)]);
    expect(Object.keys(a?.metadata ?? {}).sort()).toEqual([METADATA_ENCODING_KEY, METADATA_ENCRYPTION_KEY_ID].sort());
    expect(text(a?.metadata?.[METADATA_ENCODING_KEY])).toBe(ENCRYPTED_ENCODING);
    expect(text(a?.metadata?.[METADATA_ENCRYPTION_KEY_ID])).toBe('k1');
    for (const needle of ['ZEBRA-NAME', 'Secret Street', 'quentin.quokka', 'json/plain']) {
      expect(Buffer.from(a!.data!).includes(needle)).toBe(false);
    }
    // Same plaintext, different IV, different ciphertext.
    expect(Buffer.from(a!.data!).subarray(0, 12).equals(Buffer.from(b!.data!).subarray(0, 12))).toBe(false);
    expect(Buffer.from(a!.data!).equals(Buffer.from(b!.data!))).toBe(false);
  });

  it('keeps old histories readable after rotation, and encrypts new data with the new key', async () => {
    const old = testKey('2025-01');
    const current = testKey('2026-01');
    const before = await new EncryptionCodec([old], old.id).encode([payloadOf(SECRET)]);

    const rotated = new EncryptionCodec([current, old], current.id);
    expect((await rotated.decode(before)).map(valueOf)).toEqual([SECRET]);
    const after = await rotated.encode([payloadOf(SECRET)]);
    expect(text(after[0]?.metadata?.[METADATA_ENCRYPTION_KEY_ID])).toBe('2026-01');
    expect((await rotated.decode(after)).map(valueOf)).toEqual([SECRET]);
    // A process that still has only the old key cannot read the new data, and says which key it lacks.
    await expect(new EncryptionCodec([old], old.id).decode(after)).rejects.toThrow(/"2026-01"/);
  });

  it('refuses a payload whose key id is not configured, naming the key id', async () => {
    const encoded = await new EncryptionCodec([testKey('retired-2024')], 'retired-2024').encode([payloadOf(SECRET)]);
    const codec = new EncryptionCodec([testKey('k1')], 'k1');
    await expect(codec.decode(encoded)).rejects.toThrow(PayloadDecryptionError);
    await expect(codec.decode(encoded)).rejects.toThrow(/encryption key id "retired-2024" is not configured/);
  });

  it('rejects altered ciphertext, IV, tag or key id', async () => {
    const k1 = testKey('k1');
    const k2 = testKey('k2');
    const codec = new EncryptionCodec([k1, k2], 'k1');
    const [good] = await codec.encode([payloadOf(SECRET)]);
    const flipAt = (index: number): Payload => {
      const data = Buffer.from(good!.data!);
      const at = index < 0 ? data.length + index : index;
      data[at] = (data[at] ?? 0) ^ 0x01;
      return { metadata: good!.metadata, data };
    };
    for (const altered of [flipAt(0), flipAt(20), flipAt(-1)]) {
      await expect(codec.decode([altered])).rejects.toThrow(/key "k1": authentication failed/);
    }
    const relabelled: Payload = { data: good!.data, metadata: { ...good!.metadata, [METADATA_ENCRYPTION_KEY_ID]: Buffer.from('k2') } };
    await expect(codec.decode([relabelled])).rejects.toThrow(/key "k2": authentication failed/);
    const truncated: Payload = { metadata: good!.metadata, data: good!.data!.subarray(0, 20) };
    await expect(codec.decode([truncated])).rejects.toThrow(/too short/);
  });

  it('passes through payloads that were never encrypted (histories from before encryption)', async () => {
    const codec = new EncryptionCodec([testKey('k1')], 'k1');
    const plain = [payloadOf(SECRET), payloadOf(undefined), { data: new Uint8Array([1, 2, 3]) }];
    const decoded = await codec.decode(plain);
    expect(decoded).toEqual(plain);
    expect(valueOf(decoded[0])).toEqual(SECRET);
  });

  it('refuses to be built with a bad key set', () => {
    const k1 = testKey('k1');
    expect(() => new EncryptionCodec([k1], 'k2')).toThrow(/"k2" is not among the configured keys/);
    expect(() => new EncryptionCodec([k1, testKey('k1')], 'k1')).toThrow(/configured twice/);
    expect(() => new EncryptionCodec([{ ...k1, id: 'short', material: Buffer.alloc(16) } as typeof k1], 'short')).toThrow(/32 bytes/);
  });
});
