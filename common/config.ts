/**
 * CaseClock's configuration: every setting comes from the environment and is parsed once, at
 * start-up, by one zod schema. A bad value stops the process with a message naming the variable.
 * Shared by the worker and the console; `.env.example` documents every variable.
 */
import { REPO_ROOT } from './env-file';
import { withoutTrailing } from './linear-text';
import { parseTierCodes, type TierCodes } from '../domain/ssd/tier';
import { ssdTierColumnOf, type SsdTierColumn } from '../store/ssd-source';
import { readFileSync } from 'node:fs';
import path from 'node:path';
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

/**
 * One payload-encryption key: an id (stored with every payload it encrypts, so old histories
 * stay readable after rotation) and 32 bytes of AES-256 key material. The material never
 * appears when the configuration is logged or inspected.
 */
export class EncryptionKey {
  constructor(
    readonly id: string,
    readonly material: Buffer,
  ) {}
  toJSON(): { id: string; material: string } {
    return { id: this.id, material: '[redacted]' };
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `EncryptionKey(${this.id})`;
  }
}

const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** `keyId:base64key,keyId:base64key`: every key 32 bytes, every id unique. */
const encryptionKeys = z
  .string()
  .optional()
  .transform((raw, ctx): EncryptionKey[] | undefined => {
    const entries = (raw ?? '')
      .split(',')
      .map((e) => e.trim())
      .filter((e) => e !== '');
    if (entries.length === 0) return undefined;
    const keys: EncryptionKey[] = [];
    entries.forEach((entry, i) => {
      const at = `entry ${i + 1}`;
      const colon = entry.indexOf(':');
      const id = colon < 0 ? '' : entry.slice(0, colon).trim();
      const encoded = colon < 0 ? '' : entry.slice(colon + 1).trim();
      if (colon < 0 || !KEY_ID.test(id)) {
        ctx.addIssue({ code: 'custom', message: `${at} must be keyId:base64key, the id made of letters, digits, dot, dash and underscore` });
      } else if (!STRICT_BASE64.test(encoded)) {
        ctx.addIssue({ code: 'custom', message: `key "${id}" is not valid base64 (generate one with \`openssl rand -base64 32\`)` });
      } else {
        const material = Buffer.from(encoded, 'base64');
        if (material.length !== 32) {
          ctx.addIssue({ code: 'custom', message: `key "${id}" must be 32 bytes (AES-256), got ${material.length} (generate one with \`openssl rand -base64 32\`)` });
        } else if (keys.some((k) => k.id === id)) {
          ctx.addIssue({ code: 'custom', message: `key id "${id}" appears more than once` });
        } else {
          keys.push(new EncryptionKey(id, material));
        }
      }
    });
    return keys;
  });

const DEFAULT_CODEC_ORIGIN = 'http://localhost:8233';
/** Browser origins allowed to call the codec server (the Temporal Web UI), comma-separated. */
const origins = z
  .string()
  .optional()
  .transform((raw, ctx): string[] => {
    const list: string[] = [];
    for (const entry of (raw?.trim() ? raw : DEFAULT_CODEC_ORIGIN)
      .split(',')
      .map((e) => e.trim())
      .filter((e) => e !== '')) {
      let url: URL | undefined;
      try {
        url = new URL(entry);
      } catch {
        url = undefined;
      }
      if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.origin !== withoutTrailing(entry, '/')) {
        ctx.addIssue({ code: 'custom', message: `"${entry}" is not an origin (scheme://host[:port], no path), e.g. http://localhost:8233` });
      } else {
        list.push(url.origin);
      }
    }
    return list;
  });

/** The roles a single sign-on user can be given (CASECLOCK_OIDC_ROLE_MAP's values). */
export const SSO_ROLES = ['administrator', 'head-of-service', 'manager', 'viewer'] as const;

/** An identity provider's issuer: https, or http only on this machine (a test or development provider). */
const oidcIssuer = optionalText.refine((s) => {
  if (s === undefined) return true;
  try {
    const u = new URL(s);
    return u.protocol === 'https:' || (u.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname));
  } catch {
    return false;
  }
}, 'must be an https:// URL (http:// only for localhost or 127.0.0.1), e.g. https://login.council.example/realms/staff');

/** A claim name: printable characters without spaces (namespaced claims may be URLs). */
const claimName = optionalText.refine((s) => s === undefined || /^[\x21-\x7E]{1,200}$/.test(s), 'must be a claim name (no spaces), e.g. groups');

/** `{"idp group or role": "caseclock role", ...}` as JSON. */
const oidcRoleMap = optionalText.transform((raw, ctx): Record<string, (typeof SSO_ROLES)[number]> | undefined => {
  if (raw === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be JSON, e.g. {"cc-admins":"administrator","cc-managers":"manager"}' });
    return z.NEVER;
  }
  const result = z.record(z.string().min(1), z.enum(SSO_ROLES)).safeParse(parsed);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const at = issue.path.length > 0 ? `"${issue.path.join('.')}"` : 'the value';
      const message = issue.code === 'invalid_value' ? `must map to one of: ${SSO_ROLES.join(', ')}` : 'must be a JSON object of strings';
      ctx.addIssue({ code: 'custom', message: `${at} ${message}` });
    }
    return z.NEVER;
  }
  return result.data;
});

/**
 * An email address for MAIL_FROM. Not z.email(): that wants a dotted domain, and the development
 * default `caseclock@localhost` (the mail catcher's) has none. Letters, digits and the usual
 * symbols only, so nothing can be smuggled into the From header.
 */
const MAIL_ADDRESS = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** A host name or IP address to listen on. */
const listenHost = (fallback: string) => optionalText.refine((s) => s === undefined || /^[A-Za-z0-9.:-]+$/.test(s), 'must be a host name or IP address, e.g. 127.0.0.1').transform((s) => s ?? fallback);

const port = (fallback: number) => z.coerce.number({ error: 'must be a port number' }).int('must be a whole number').min(1, 'must be between 1 and 65535').max(65535, 'must be between 1 and 65535').default(fallback);

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
    MAIL_FROM: z.string().trim().regex(MAIL_ADDRESS, 'must be an email address, e.g. caseclock@council.example').default('caseclock@localhost'),
    /** A policy file (JSON); the national baseline when unset. */
    CASECLOCK_POLICY: optionalText,
    /**
     * The case-record store (PostgreSQL): every case's record, kept for as long as the council
     * keeps records. By default the embedded store (PGlite) that `npm start` runs on a Unix socket
     * in .data/store.socket/ (a 0700 folder: this user's processes only), named by its folder as
     * the URL's host, percent-encoded; `postgresql://postgres@/postgres?host=/abs/folder` says the same.
     */
    CASECLOCK_STORE_URL: z.preprocess(
      (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), // empty (as in .env.example): the default
      z
        .string()
        .trim()
        .regex(/^postgres(ql)?:\/\/\S+$/, 'must be a PostgreSQL URL, e.g. postgres://caseclock@127.0.0.1:5432/caseclock')
        .default(`postgres://postgres@${encodeURIComponent(path.join(REPO_ROOT, '.data', 'store.socket'))}/postgres`),
    ),
    /**
     * The daily digest to team managers and heads of service: the UK local time it goes each
     * working day ('HH:MM', 24-hour; `off` for none), and how many working days ahead it lists
     * what falls due.
     */
    CASECLOCK_DIGEST_TIME: optionalText.refine((s) => s === undefined || /^(?:[01]\d|2[0-3]):[0-5]\d$|^off$/.test(s), 'must be a time HH:MM (24-hour, UK local time), e.g. 08:00, or off').transform((s) => s ?? '08:00'),
    CASECLOCK_DIGEST_WORKING_DAYS: z.coerce
      .number({ error: 'must be a number of working days' })
      .int('must be a whole number of working days')
      .min(0, 'must be between 0 and 20')
      .max(20, 'must be between 0 and 20')
      .default(3),
    /**
     * The sync from the council's Standard Safeguarding Dataset (docs/ssd.md): where it reads
     * (a PostgreSQL URL, or `csv:` and the folder of CSV extracts; unset: no sync), how often
     * (`15m`, `1h`, `30s`; default 15 minutes), the prefix of the case ids it opens (before the
     * SSD person id), whether staff know a child by the person id or the case system's legacy id,
     * and the involvement roles that mean the allocated worker (comma-separated).
     */
    CASECLOCK_SSD_SOURCE: optionalText.refine(
      (s) => s === undefined || /^postgres(ql)?:\/\/\S+$/.test(s) || /^csv:.+/.test(s),
      'must be a PostgreSQL URL (postgres://...) or csv: and a folder of CSV extracts, e.g. csv:/srv/ssd',
    ),
    CASECLOCK_SSD_INTERVAL: optionalText
      .refine((s) => s === undefined || /^\d{1,5}\s*(s|m|h)$/.test(s), 'must be a number and s, m or h, e.g. 15m')
      .transform((s) => {
        const m = /^(\d+)\s*(s|m|h)$/.exec(s ?? '15m');
        return m ? Number(m[1]) * { s: 1, m: 60, h: 3600 }[m[2] as 's' | 'm' | 'h'] : 900;
      })
      .refine((n) => n >= 10 && n <= 86_400, 'must be from 10s to 24h'),
    CASECLOCK_SSD_CASE_PREFIX: optionalText.refine((s) => s === undefined || /^[A-Za-z0-9._-]{0,16}$/.test(s), 'may contain only letters, digits, dot, dash and underscore (at most 16)').transform((s) => s ?? 'ssd-'),
    CASECLOCK_SSD_REFERENCE: z.enum(['person-id', 'legacy-id'], { error: 'must be person-id or legacy-id' }).default('person-id'),
    CASECLOCK_SSD_WORKER_ROLES: optionalText
      .transform((s) =>
        (s ?? 'Allocated Case Worker')
          .split(',')
          .map((r) => r.trim())
          .filter((r) => r !== ''),
      )
      .refine((roles) => roles.length > 0 && roles.every((r) => r.length <= 64), 'must name at least one involvement role, comma-separated, each at most 64 characters'),
    /**
     * The risk tier from the case system, for councils that keep one (docs/ssd.md, "Risk tier"): the
     * column, `<table>.<column>` of a table the sync reads keyed to the child (never a column of
     * personal data), and its codes as CaseClock's tiers, `H=HIGH_IMMEDIATE,P=PRIORITY,V=VULNERABLE`.
     * Both or neither; unset, the tier is CaseClock's own, set by managers.
     */
    CASECLOCK_SSD_TIER_COLUMN: optionalText.transform((s, ctx): SsdTierColumn | undefined => {
      if (s === undefined) return undefined;
      const found = ssdTierColumnOf(s);
      if ('column' in found) return found.column;
      ctx.addIssue({ code: 'custom', message: found.problem });
      return z.NEVER;
    }),
    CASECLOCK_SSD_TIER_CODES: optionalText.transform((s, ctx): TierCodes | undefined => {
      if (s === undefined) return undefined;
      const found = parseTierCodes(s);
      if ('codes' in found) return found.codes;
      ctx.addIssue({ code: 'custom', message: found.problem });
      return z.NEVER;
    }),
    /**
     * The worker's Prometheus endpoint (/metrics, with /healthz and /readyz): CaseClock's own
     * figures and the Temporal SDK's, on this host and port (`off` for none). The SDK serves its
     * own figures on CASECLOCK_SDK_METRICS_PORT, on 127.0.0.1 only, and /metrics includes them.
     * The case and digest gauges are refreshed from Temporal's visibility every
     * CASECLOCK_METRICS_REFRESH_SECONDS.
     */
    CASECLOCK_METRICS_HOST: listenHost('127.0.0.1'),
    CASECLOCK_METRICS_PORT: z
      .union([z.literal('off'), z.coerce.number({ error: 'must be a port number or off' }).int('must be a whole number').min(1, 'must be between 1 and 65535, or off').max(65535, 'must be between 1 and 65535, or off')], {
        error: 'must be a port number or off',
      })
      .default(9464),
    CASECLOCK_SDK_METRICS_PORT: port(9465),
    CASECLOCK_METRICS_REFRESH_SECONDS: z.coerce
      .number({ error: 'must be a number of seconds' })
      .int('must be a whole number of seconds')
      .min(1, 'must be between 1 and 3600')
      .max(3600, 'must be between 1 and 3600')
      .default(60),
    /**
     * How many cases the worker keeps in memory between their wake-ups (Temporal's workflow cache).
     * A case not in it is replayed from its history before it can take an update: a day's changes
     * from the case system touch cases all over the caseload, so a cache smaller than the open
     * caseload makes each of them wait seconds. Unset: sized to this process's heap (workerCacheSize).
     */
    CASECLOCK_WORKER_CACHED_CASES: z.coerce
      .number({ error: 'must be a number of cases' })
      .int('must be a whole number of cases')
      .min(10, 'must be between 10 and 200000')
      .max(200_000, 'must be between 10 and 200000')
      .optional(),
    CONSOLE_PORT: port(8080),
    /** Where the console listens: this machine only by default, like every other CaseClock port; 0.0.0.0 behind a proxy or in a container. */
    CONSOLE_HOST: listenHost('127.0.0.1'),
    CONSOLE_PUBLIC_URL: z
      .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
      .default('http://localhost:8080')
      .transform((s) => withoutTrailing(s, '/')),
    /**
     * Payload encryption (AES-256-GCM): every key that may have encrypted stored data, as
     * `keyId:base64key,...`, and the id of the one that encrypts from now on. Required in
     * production; in development CaseClock runs unencrypted with a warning when unset.
     */
    CASECLOCK_ENCRYPTION_KEYS: encryptionKeys,
    CASECLOCK_ENCRYPTION_KEY_ID: optionalText,
    /**
     * With keys configured, unencrypted payloads are refused (a forged plain update is rejected),
     * whatever NODE_ENV says. `migrate` reads them instead, for as long as cases started before
     * encryption was switched on still run; every process warns at start-up while it is set.
     */
    CASECLOCK_ACCEPT_PLAIN_PAYLOADS: optionalText.pipe(z.enum(['migrate'], { error: 'must be migrate, or empty (plain payloads refused)' }).optional()),
    /**
     * Codec server for the Temporal Web UI / CLI: bearer token (the CLI; optional when
     * CASECLOCK_SESSION_SECRET is set, as the Web UI signs in with the console's cookie instead),
     * listen address, allowed origins.
     */
    CASECLOCK_CODEC_TOKEN: optionalText.refine((s) => s === undefined || s.length >= 32, {
      message: 'must be at least 32 characters (generate one with `openssl rand -base64 32`)',
    }),
    CASECLOCK_CODEC_HOST: optionalText.refine((s) => s === undefined || /^[A-Za-z0-9.:-]+$/.test(s), 'must be a host name or IP address, e.g. 127.0.0.1').transform((s) => s ?? '127.0.0.1'),
    CASECLOCK_CODEC_PORT: port(8888),
    CASECLOCK_CODEC_CORS_ORIGINS: origins,
    /**
     * Web console sign-in: the users file (JSON, password hashes only; `npx tsx client/cli/users.ts add`),
     * the secret that signs session cookies (required in production; in development a random one is
     * made at start-up, so sessions end when the console restarts), and how long a session lasts.
     * The codec server reads the same three to accept an administrator's console cookie.
     */
    CASECLOCK_USERS_FILE: optionalText.transform((s) => s ?? '.data/users.json'),
    CASECLOCK_SESSION_SECRET: optionalText.refine((s) => s === undefined || s.length >= 32, {
      message: 'must be at least 32 characters (generate one with `openssl rand -base64 32`)',
    }),
    CONSOLE_SESSION_HOURS: z.coerce.number({ error: 'must be a number of hours' }).int('must be a whole number of hours').min(1, 'must be between 1 and 24').max(24, 'must be between 1 and 24').default(8),
    /** A console session unused this long is signed out (minutes). */
    CONSOLE_IDLE_MINUTES: z.coerce.number({ error: 'must be a number of minutes' }).int('must be a whole number of minutes').min(5, 'must be between 5 and 480').max(480, 'must be between 5 and 480').default(30),
    /**
     * Behind a reverse proxy: which proxy to believe about the client's address (X-Forwarded-For),
     * e.g. 127.0.0.1 or 10.0.0.0/8; unset, the address is the connection's. Sign-in throttles and
     * logs use it.
     */
    CONSOLE_TRUST_PROXY: optionalText,
    /**
     * Single sign-on (OpenID Connect): on when CASECLOCK_OIDC_ISSUER is set, and then the client id
     * and secret are required. The redirect URL defaults to CONSOLE_PUBLIC_URL + /auth/callback;
     * the claim names and role map say how the provider's claims become a CaseClock user
     * (client/console/oidc.ts gives the defaults).
     */
    CASECLOCK_OIDC_ISSUER: oidcIssuer,
    CASECLOCK_OIDC_CLIENT_ID: optionalText,
    CASECLOCK_OIDC_CLIENT_SECRET: optionalText,
    CASECLOCK_OIDC_REDIRECT_URL: optionalText.refine((s) => {
      if (s === undefined) return true;
      try {
        return ['http:', 'https:'].includes(new URL(s).protocol);
      } catch {
        return false;
      }
    }, 'must be an http:// or https:// URL, e.g. https://caseclock.council.example/auth/callback'),
    CASECLOCK_OIDC_SCOPES: optionalText.transform((s) => s?.split(/[\s,]+/).filter((e) => e !== '')).refine((list) => list === undefined || list.includes('openid'), 'must include openid, e.g. "openid profile"'),
    CASECLOCK_OIDC_USER_CLAIM: claimName,
    CASECLOCK_OIDC_NAME_CLAIM: claimName,
    CASECLOCK_OIDC_ROLE_CLAIM: claimName,
    CASECLOCK_OIDC_ROLE_MAP: oidcRoleMap,
    CASECLOCK_OIDC_TEAM_CLAIM: claimName,
    CASECLOCK_OIDC_AREA_CLAIM: claimName,
    /**
     * The integration API (OAuth 2.0 client credentials): on when CASECLOCK_API_ISSUER is set. Its
     * access tokens (JWTs) must be signed by that issuer's published keys and carry the audience;
     * the clients file says which actions and teams each client id may use
     * (client/console/api/clients.ts, docs/api-clients.md).
     */
    CASECLOCK_API_ISSUER: oidcIssuer,
    CASECLOCK_API_AUDIENCE: optionalText.refine((s) => s === undefined || /^[\x21-\x7E]{1,500}$/.test(s), "must be the API's audience (no spaces), e.g. api://caseclock"),
    CASECLOCK_API_CLIENTS_FILE: optionalText.transform((s) => s ?? '.data/api-clients.json'),
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  })
  .superRefine((c, ctx) => {
    if (c.CASECLOCK_METRICS_PORT === c.CASECLOCK_SDK_METRICS_PORT) {
      ctx.addIssue({ code: 'custom', path: ['CASECLOCK_SDK_METRICS_PORT'], message: 'must differ from CASECLOCK_METRICS_PORT' });
    }
    if ((c.CASECLOCK_SSD_TIER_COLUMN === undefined) !== (c.CASECLOCK_SSD_TIER_CODES === undefined)) {
      const [missing, set] = c.CASECLOCK_SSD_TIER_COLUMN === undefined ? ['CASECLOCK_SSD_TIER_COLUMN', 'CASECLOCK_SSD_TIER_CODES'] : ['CASECLOCK_SSD_TIER_CODES', 'CASECLOCK_SSD_TIER_COLUMN'];
      ctx.addIssue({ code: 'custom', path: [missing], message: `must be set together with ${set}` });
    }
    const hasCert = c.TEMPORAL_TLS_CERT_PATH !== undefined;
    const hasKey = c.TEMPORAL_TLS_KEY_PATH !== undefined;
    if (hasCert !== hasKey) {
      ctx.addIssue({
        code: 'custom',
        path: [hasCert ? 'TEMPORAL_TLS_KEY_PATH' : 'TEMPORAL_TLS_CERT_PATH'],
        message: 'must be set together with ' + (hasCert ? 'TEMPORAL_TLS_CERT_PATH' : 'TEMPORAL_TLS_KEY_PATH'),
      });
    }
    if (c.CASECLOCK_OIDC_ISSUER !== undefined) {
      for (const name of ['CASECLOCK_OIDC_CLIENT_ID', 'CASECLOCK_OIDC_CLIENT_SECRET'] as const) {
        if (c[name] === undefined) {
          ctx.addIssue({ code: 'custom', path: [name], message: 'must be set when CASECLOCK_OIDC_ISSUER is set (single sign-on is on)' });
        }
      }
    }
    if (c.CASECLOCK_API_ISSUER !== undefined && c.CASECLOCK_API_AUDIENCE === undefined) {
      ctx.addIssue({ code: 'custom', path: ['CASECLOCK_API_AUDIENCE'], message: 'must be set when CASECLOCK_API_ISSUER is set (the integration API is on), e.g. api://caseclock' });
    }
    if (c.CASECLOCK_API_ISSUER === undefined && c.CASECLOCK_API_AUDIENCE !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['CASECLOCK_API_ISSUER'], message: 'must be set when CASECLOCK_API_AUDIENCE is set: the identity provider whose tokens the integration API accepts' });
    }
    const keys = c.CASECLOCK_ENCRYPTION_KEYS;
    const currentId = c.CASECLOCK_ENCRYPTION_KEY_ID;
    if (keys === undefined) {
      if (currentId !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['CASECLOCK_ENCRYPTION_KEY_ID'], message: 'is set but CASECLOCK_ENCRYPTION_KEYS is empty' });
      }
      if (c.CASECLOCK_ACCEPT_PLAIN_PAYLOADS !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['CASECLOCK_ACCEPT_PLAIN_PAYLOADS'],
          message: 'is set but CASECLOCK_ENCRYPTION_KEYS is empty: without keys every payload is plain anyway (set it only while moving to encryption)',
        });
      }
      if (c.NODE_ENV === 'production') {
        ctx.addIssue({
          code: 'custom',
          path: ['CASECLOCK_ENCRYPTION_KEYS'],
          message: 'must be set when NODE_ENV=production: case data is encrypted before it leaves the worker (see .env.example)',
        });
      }
    } else if (keys.length > 0) {
      if (currentId === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['CASECLOCK_ENCRYPTION_KEY_ID'],
          message: `must name the key that encrypts new data, one of: ${keys.map((k) => k.id).join(', ')}`,
        });
      } else if (!keys.some((k) => k.id === currentId)) {
        ctx.addIssue({
          code: 'custom',
          path: ['CASECLOCK_ENCRYPTION_KEY_ID'],
          message: `"${currentId}" is not one of the ids in CASECLOCK_ENCRYPTION_KEYS (${keys.map((k) => k.id).join(', ')})`,
        });
      }
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

/**
 * A cached case's share of the worker's heap, with room to spare: measured at 0.08 to 0.09 MiB
 * (`npm run bench:case`, docs/scale.md), where Temporal's own default assumes about 1.7 MiB a
 * workflow (2,395 cases for a 4 GiB heap, fewer than a council of 10,000 children has open).
 */
export const HEAP_PER_CACHED_CASE_BYTES = 150 * 1024;
/** Half the heap for cached cases; the rest for the activities, the sync and the store's pool. */
const CACHE_SHARE_OF_HEAP = 0.5;
const DEFAULT_CACHED_CASES_CEILING = 20_000;

/** How many cases the worker caches: CASECLOCK_WORKER_CACHED_CASES, else half of `heapLimitBytes` at HEAP_PER_CACHED_CASE_BYTES each, at most 20,000. */
export function workerCacheSize(config: Pick<Config, 'CASECLOCK_WORKER_CACHED_CASES'>, heapLimitBytes: number): number {
  if (config.CASECLOCK_WORKER_CACHED_CASES !== undefined) return config.CASECLOCK_WORKER_CACHED_CASES;
  return Math.max(100, Math.min(DEFAULT_CACHED_CASES_CEILING, Math.floor((heapLimitBytes * CACHE_SHARE_OF_HEAP) / HEAP_PER_CACHED_CASE_BYTES)));
}
