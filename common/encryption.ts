/**
 * Payload encryption: case data is encrypted before it leaves the worker or a client, so the
 * Temporal server (and anyone who reads its database or history exports) holds ciphertext only.
 *
 * AES-256-GCM with a random 12-byte IV per payload. The whole payload (metadata and data) is
 * serialised and encrypted; the stored payload keeps only `encoding: binary/encrypted` and
 * `encryption-key-id: <id>`, and its data is `IV || ciphertext || 16-byte tag` (the layout of
 * Temporal's encryption sample, so its codec servers and tools read it too).
 *
 * Key rotation: encode always uses the current key; decode picks the key named by the payload,
 * so histories written under an older key stay readable as long as that key stays configured.
 * Payloads without the encrypted encoding (written before encryption was switched on) pass
 * through unchanged only where the codec is told to (`refuseUnencrypted: false`: the codec server,
 * which only shows them, and CASECLOCK_ACCEPT_PLAIN_PAYLOADS=migrate while histories from before
 * encryption still run). Everywhere else they are refused: anyone who can reach Temporal could
 * otherwise send a case update in plain JSON that the workflow accepts. A refused payload is not
 * an error here, since a throwing codec would fail the workflow task and leave the case stuck
 * retrying it: it becomes a payload of an encoding no converter reads (REFUSED_ENCODING), so the
 * update is rejected inside the workflow, nothing is written, and the case's clocks keep running.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec, ValueError } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { EncryptionKey } from './config';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const METADATA_ENCRYPTION_KEY_ID = 'encryption-key-id';
/** What an unencrypted payload becomes where the codec refuses them: no payload converter reads it. */
export const REFUSED_ENCODING = 'binary/refused-not-encrypted';

const CIPHER = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

const text = new TextEncoder();
const untext = new TextDecoder();

/** Why a payload could not be decrypted; the message names the key id, never key material. */
export class PayloadDecryptionError extends ValueError {
  override name = 'PayloadDecryptionError';
}

export class EncryptionCodec implements PayloadCodec {
  private readonly keys: ReadonlyMap<string, Buffer>;

  /** `keys`: every key that may have encrypted stored data; `currentKeyId`: the one that encrypts. */
  constructor(
    keys: readonly EncryptionKey[],
    readonly currentKeyId: string,
    readonly options: { refuseUnencrypted?: boolean } = {},
  ) {
    const map = new Map<string, Buffer>();
    for (const k of keys) {
      if (k.material.length !== KEY_BYTES) throw new ValueError(`encryption key "${k.id}" must be ${KEY_BYTES} bytes, got ${k.material.length}`);
      if (map.has(k.id)) throw new ValueError(`encryption key id "${k.id}" is configured twice`);
      map.set(k.id, Buffer.from(k.material));
    }
    if (!map.has(currentKeyId)) throw new ValueError(`current encryption key id "${currentKeyId}" is not among the configured keys`);
    this.keys = map;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const key = this.keys.get(this.currentKeyId)!; // checked in the constructor
    return payloads.map((payload) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv(CIPHER, key, iv, { authTagLength: TAG_BYTES });
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return {
        metadata: {
          [METADATA_ENCODING_KEY]: text.encode(ENCRYPTED_ENCODING),
          [METADATA_ENCRYPTION_KEY_ID]: text.encode(this.currentKeyId),
        },
        data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.decodeOne(payload));
  }

  private decodeOne(payload: Payload): Payload {
    const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
    if (!encoding || untext.decode(encoding) !== ENCRYPTED_ENCODING) {
      return this.options.refuseUnencrypted ? { metadata: { [METADATA_ENCODING_KEY]: text.encode(REFUSED_ENCODING) }, data: new Uint8Array() } : payload;
    }
    const keyIdBytes = payload.metadata?.[METADATA_ENCRYPTION_KEY_ID];
    if (!keyIdBytes) throw new PayloadDecryptionError(`cannot decrypt payload: it has no ${METADATA_ENCRYPTION_KEY_ID}`);
    const keyId = untext.decode(keyIdBytes);
    const key = this.keys.get(keyId);
    if (!key) {
      throw new PayloadDecryptionError(
        `cannot decrypt payload: encryption key id "${keyId}" is not configured ` + `(CASECLOCK_ENCRYPTION_KEYS has ${[...this.keys.keys()].join(', ')}); keep retired keys configured while histories use them`,
      );
    }
    const data = payload.data ?? new Uint8Array();
    if (data.byteLength < IV_BYTES + TAG_BYTES) {
      throw new PayloadDecryptionError(`cannot decrypt payload encrypted with key "${keyId}": data is too short`);
    }
    const iv = data.subarray(0, IV_BYTES);
    const tag = data.subarray(data.byteLength - TAG_BYTES);
    const ciphertext = data.subarray(IV_BYTES, data.byteLength - TAG_BYTES);
    let plain: Buffer;
    try {
      const decipher = createDecipheriv(CIPHER, key, iv, { authTagLength: TAG_BYTES });
      decipher.setAuthTag(tag);
      plain = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
    } catch {
      throw new PayloadDecryptionError(`cannot decrypt payload encrypted with key "${keyId}": authentication failed (the data was altered, or the key with this id is not the one that encrypted it)`);
    }
    return temporal.api.common.v1.Payload.decode(plain);
  }
}

/**
 * The codec for a configuration, or undefined when no keys are configured. It refuses unencrypted
 * payloads unless CASECLOCK_ACCEPT_PLAIN_PAYLOADS=migrate, whatever NODE_ENV says; `options`
 * overrides that (the codec server, which only shows payloads to authorised staff).
 */
export function encryptionCodecFromConfig(
  config: {
    CASECLOCK_ENCRYPTION_KEYS?: readonly EncryptionKey[] | undefined;
    CASECLOCK_ENCRYPTION_KEY_ID?: string | undefined;
    CASECLOCK_ACCEPT_PLAIN_PAYLOADS?: 'migrate' | undefined;
  },
  options: { refuseUnencrypted?: boolean } = {},
): EncryptionCodec | undefined {
  const keys = config.CASECLOCK_ENCRYPTION_KEYS;
  if (!keys || keys.length === 0) return undefined;
  if (config.CASECLOCK_ENCRYPTION_KEY_ID === undefined) throw new ValueError('CASECLOCK_ENCRYPTION_KEY_ID is not set');
  const refuseUnencrypted = options.refuseUnencrypted ?? config.CASECLOCK_ACCEPT_PLAIN_PAYLOADS !== 'migrate';
  return new EncryptionCodec(keys, config.CASECLOCK_ENCRYPTION_KEY_ID, { refuseUnencrypted });
}
