/**
 * CaseClock's configuration: every setting comes from the environment and is parsed once, at
 * start-up, by one zod schema. A bad value stops the process with a message naming the variable.
 * Shared by the worker and the console; `.env.example` documents every variable.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const optionalText = z
  .string()
  .trim()
  .transform((s) => (s === '' ? undefined : s))
  .optional();

const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .optional()
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const port = (fallback: number) =>
  z.coerce
    .number({ error: 'must be a port number' })
    .int('must be a whole number')
    .min(1, 'must be between 1 and 65535')
    .max(65535, 'must be between 1 and 65535')
    .default(fallback);

export const ConfigSchema = z
  .object({
    TEMPORAL_ADDRESS: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, 'must be host:port, e.g. 127.0.0.1:7233')
      .default('127.0.0.1:7233'),
    TEMPORAL_NAMESPACE: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9._-]{1,200}$/, 'must be a Temporal namespace name')
      .default('default'),
    /** Temporal Cloud: an API key, or mTLS with a client certificate and key. */
    TEMPORAL_API_KEY: optionalText,
    TEMPORAL_TLS: booleanFlag,
    TEMPORAL_TLS_CERT_PATH: optionalText,
    TEMPORAL_TLS_KEY_PATH: optionalText,
    TEMPORAL_TLS_CA_PATH: optionalText,
    TEMPORAL_TLS_SERVER_NAME: optionalText,
    SMTP_URL: z
      .string()
      .trim()
      .refine((s) => {
        try {
          const u = new URL(s);
          return (u.protocol === 'smtp:' || u.protocol === 'smtps:') && u.hostname !== '';
        } catch {
          return false;
        }
      }, 'must be an smtp:// or smtps:// URL, e.g. smtp://127.0.0.1:1025')
      .default('smtp://127.0.0.1:1025'),
    MAIL_FROM: z
      .string()
      .trim()
      .pipe(z.email({ error: 'must be an email address, e.g. caseclock@council.example' }))
      .default('caseclock@localhost'),
    /** A policy file (JSON); the national baseline when unset. */
    CASECLOCK_POLICY: optionalText,
    CONSOLE_PORT: port(8080),
    CONSOLE_PUBLIC_URL: z
      .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
      .default('http://localhost:8080')
      .transform((s) => s.replace(/\/+$/, '')),
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  })
  .superRefine((c, ctx) => {
    const hasCert = c.TEMPORAL_TLS_CERT_PATH !== undefined;
    const hasKey = c.TEMPORAL_TLS_KEY_PATH !== undefined;
    if (hasCert !== hasKey) {
      ctx.addIssue({
        code: 'custom',
        path: [hasCert ? 'TEMPORAL_TLS_KEY_PATH' : 'TEMPORAL_TLS_CERT_PATH'],
        message: 'must be set together with ' + (hasCert ? 'TEMPORAL_TLS_CERT_PATH' : 'TEMPORAL_TLS_KEY_PATH'),
      });
    }
  });

export type Config = z.infer<typeof ConfigSchema>;

/** Thrown when the environment is wrong; the message names every bad variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses an environment (pure apart from reading the object it is given). */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const result = ConfigSchema.safeParse(env);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => `  ${issue.path.join('.') || '(environment)'}: ${issue.message}`);
  throw new ConfigError(`CaseClock configuration is not valid:\n${lines.join('\n')}`);
}

/** For process entry points: parse process.env or exit with the message (no stack trace). */
export function loadConfigOrExit(env: Record<string, string | undefined> = process.env): Config {
  try {
    return parseConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
}

/** Connection options for @temporalio/client and @temporalio/worker NativeConnection alike. */
export function temporalConnectionOptions(config: Config): {
  address: string;
  tls?: boolean | { serverNameOverride?: string; serverRootCACertificate?: Buffer; clientCertPair?: { crt: Buffer; key: Buffer } };
  apiKey?: string;
} {
  const { TEMPORAL_TLS_CERT_PATH: certPath, TEMPORAL_TLS_KEY_PATH: keyPath, TEMPORAL_TLS_CA_PATH: caPath } = config;
  const wantsTls = config.TEMPORAL_TLS || certPath !== undefined || config.TEMPORAL_API_KEY !== undefined;
  if (!wantsTls) return { address: config.TEMPORAL_ADDRESS };
  return {
    address: config.TEMPORAL_ADDRESS,
    tls: {
      ...(config.TEMPORAL_TLS_SERVER_NAME ? { serverNameOverride: config.TEMPORAL_TLS_SERVER_NAME } : {}),
      ...(caPath ? { serverRootCACertificate: readFileSync(caPath) } : {}),
      ...(certPath && keyPath ? { clientCertPair: { crt: readFileSync(certPath), key: readFileSync(keyPath) } } : {}),
    },
    ...(config.TEMPORAL_API_KEY ? { apiKey: config.TEMPORAL_API_KEY } : {}),
  };
}
