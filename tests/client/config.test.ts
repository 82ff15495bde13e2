import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../common/config';

describe('configuration from the environment', () => {
  it('gives working defaults for a laptop', () => {
    const config = parseConfig({});
    expect(config.TEMPORAL_ADDRESS).toBe('127.0.0.1:7233');
    expect(config.TEMPORAL_NAMESPACE).toBe('default');
    expect(config.SMTP_URL).toBe('smtp://127.0.0.1:1025');
    expect(config.CONSOLE_PORT).toBe(8080);
    expect(config.CONSOLE_PUBLIC_URL).toBe('http://localhost:8080');
  });

  it('reads every variable', () => {
    const config = parseConfig({
      TEMPORAL_ADDRESS: 'ns.tmprl.cloud:7233',
      TEMPORAL_NAMESPACE: 'caseclock.abc12',
      TEMPORAL_API_KEY: 'key',
      SMTP_URL: 'smtps://user:pass@mail.council.example:465',
      MAIL_FROM: 'caseclock@council.example',
      CASECLOCK_POLICY: 'domain/policies/national.json',
      CONSOLE_PORT: '9090',
      CONSOLE_PUBLIC_URL: 'https://caseclock.council.example/',
      LOG_LEVEL: 'warn',
    });
    expect(config.CONSOLE_PORT).toBe(9090);
    expect(config.CONSOLE_PUBLIC_URL).toBe('https://caseclock.council.example');
    expect(config.TEMPORAL_API_KEY).toBe('key');
  });

  it.each([
    ['TEMPORAL_ADDRESS', 'http://localhost'],
    ['SMTP_URL', 'http://mail'],
    ['MAIL_FROM', 'not-an-address'],
    ['CONSOLE_PORT', '70000'],
    ['CONSOLE_PUBLIC_URL', 'ftp://x'],
    ['LOG_LEVEL', 'loud'],
    ['TEMPORAL_TLS', 'maybe'],
  ])('refuses a bad %s and names it', (name, value) => {
    expect(() => parseConfig({ [name]: value })).toThrowError(ConfigError);
    expect(() => parseConfig({ [name]: value })).toThrowError(new RegExp(`^CaseClock configuration is not valid:\\n  ${name}: `));
  });

  it('needs a client certificate and key together', () => {
    expect(() => parseConfig({ TEMPORAL_TLS_CERT_PATH: '/x.pem' })).toThrowError(/TEMPORAL_TLS_KEY_PATH: must be set together/);
  });
});
