/**
 * Test keys for the security tests: generated per run, never stored, never real.
 * `env(...)` builds the two encryption variables as an operator would write them.
 */
import { randomBytes } from 'node:crypto';
import { EncryptionKey } from '../../common/config';

export function testKey(id: string): EncryptionKey {
  return new EncryptionKey(id, randomBytes(32));
}

/** CASECLOCK_ENCRYPTION_KEYS / CASECLOCK_ENCRYPTION_KEY_ID for these keys, the first being current. */
export function encryptionEnv(current: EncryptionKey, ...older: EncryptionKey[]): Record<string, string> {
  return {
    CASECLOCK_ENCRYPTION_KEYS: [current, ...older].map((k) => `${k.id}:${k.material.toString('base64')}`).join(','),
    CASECLOCK_ENCRYPTION_KEY_ID: current.id,
  };
}
