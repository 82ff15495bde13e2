import { describe, expect, it } from 'vitest';
import { ConfigError, HEAP_PER_CACHED_CASE_BYTES, parseConfig, workerCacheSize } from '../../common/config';
import { SSD_NEVER_READ_COLUMNS } from '../../store/ssd-source';
import { PERSONAL_COLUMNS } from '../../tools/ssd/personal';

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

describe('the risk tier from a configured column of the case system', () => {
  const TIER = { CASECLOCK_SSD_TIER_COLUMN: 'ssd_cin_episodes.cine_referral_priority', CASECLOCK_SSD_TIER_CODES: 'H=HIGH_IMMEDIATE,P=PRIORITY,V=VULNERABLE' };
  const refusal = (env: Record<string, string>) => {
    try {
      parseConfig(env);
    } catch (err) {
      if (err instanceof ConfigError) return err.message;
    }
    return 'accepted';
  };

  it('reads the column with its row date, and the codes as tiers', () => {
    const config = parseConfig(TIER);
    expect(config.CASECLOCK_SSD_TIER_COLUMN).toEqual({ table: 'ssd_cin_episodes', column: 'cine_referral_priority', dateColumn: 'cine_referral_date' });
    expect(config.CASECLOCK_SSD_TIER_CODES).toEqual({ H: 'HIGH_IMMEDIATE', P: 'PRIORITY', V: 'VULNERABLE' });
    expect(parseConfig({ ...TIER, CASECLOCK_SSD_TIER_COLUMN: 'ssd_person.pers_priority' }).CASECLOCK_SSD_TIER_COLUMN).toEqual({ table: 'ssd_person', column: 'pers_priority', dateColumn: null });
    const unset = parseConfig({});
    expect([unset.CASECLOCK_SSD_TIER_COLUMN, unset.CASECLOCK_SSD_TIER_CODES]).toEqual([undefined, undefined]);
  });

  // Every personal column the synthetic council fills with canaries (tools/ssd/personal.ts), and others of the SSD.
  const personal = [
    ...Object.entries(PERSONAL_COLUMNS).flatMap(([table, columns]) => columns.map((c) => `${table}.${c}`)),
    'ssd_professionals.prof_professional_name',
    'ssd_cin_episodes.cine_referral_source_desc',
    'ssd_person.pers_expected_dob',
  ];
  it.each(personal)('refuses %s by name: personal data is never read', (column) => {
    expect(refusal({ ...TIER, CASECLOCK_SSD_TIER_COLUMN: column })).toMatch(new RegExp(`^CaseClock configuration is not valid:\\n  CASECLOCK_SSD_TIER_COLUMN: ${column.split('.')[1]} holds personal data or free text`));
  });

  it('keeps the list of columns never read outside tools/, holding every personal column the council fills', () => {
    for (const columns of Object.values(PERSONAL_COLUMNS)) for (const c of columns) expect(SSD_NEVER_READ_COLUMNS.has(c)).toBe(true);
  });

  it.each([
    ['a council column named like a name or free text', 'ssd_cin_episodes.cine_child_name', /cine_child_name holds personal data or free text/],
    ['a table the sync does not read', 'ssd_contacts.cont_priority', /ssd_contacts is not a table the sync reads keyed to the child \(one of: ssd_person, ssd_involvements, ssd_cin_episodes/],
    ['a table not keyed to the child', 'ssd_department.dept_priority', /ssd_department is not a table the sync reads keyed to the child/],
    ['no table', 'cine_referral_priority', /must be <table>\.<column>/],
    ['anything but a plain name', 'ssd_cin_episodes.priority; DROP TABLE x', /must be <table>\.<column>/],
  ])('refuses %s', (_what, column, problem) => {
    expect(refusal({ ...TIER, CASECLOCK_SSD_TIER_COLUMN: column })).toMatch(problem);
  });

  it('refuses malformed codes, and either setting without the other', () => {
    expect(refusal({ ...TIER, CASECLOCK_SSD_TIER_CODES: 'H=HIGH' })).toMatch(/CASECLOCK_SSD_TIER_CODES: entry 1: the tier must be one of HIGH_IMMEDIATE, PRIORITY, VULNERABLE/);
    expect(refusal({ ...TIER, CASECLOCK_SSD_TIER_CODES: 'H=PRIORITY,H=VULNERABLE' })).toMatch(/CASECLOCK_SSD_TIER_CODES: entry 2: the code H is mapped twice/);
    expect(refusal({ CASECLOCK_SSD_TIER_COLUMN: TIER.CASECLOCK_SSD_TIER_COLUMN })).toMatch(/CASECLOCK_SSD_TIER_CODES: must be set together with CASECLOCK_SSD_TIER_COLUMN/);
    expect(refusal({ CASECLOCK_SSD_TIER_CODES: TIER.CASECLOCK_SSD_TIER_CODES })).toMatch(/CASECLOCK_SSD_TIER_COLUMN: must be set together with CASECLOCK_SSD_TIER_CODES/);
  });
});

describe("the worker's cache of cases", () => {
  const GiB = 2 ** 30;
  it('holds a council’s open caseload by default: half the heap at about 150 KiB a case, at most 20,000', () => {
    const unset = parseConfig({});
    expect(unset.CASECLOCK_WORKER_CACHED_CASES).toBeUndefined();
    expect(workerCacheSize(unset, 4 * GiB)).toBe(Math.floor((2 * GiB) / HEAP_PER_CACHED_CASE_BYTES));
    expect(workerCacheSize(unset, 4 * GiB)).toBeGreaterThan(10_000);
    expect(workerCacheSize(unset, 1 * GiB)).toBeLessThan(4_000);
    expect(workerCacheSize(unset, 64 * GiB)).toBe(20_000);
    expect(workerCacheSize(unset, 1024)).toBe(100);
  });

  it('takes CASECLOCK_WORKER_CACHED_CASES as it is, and refuses what is not a number of cases by name', () => {
    expect(workerCacheSize(parseConfig({ CASECLOCK_WORKER_CACHED_CASES: '5000' }), 4 * GiB)).toBe(5000);
    for (const bad of ['0', '5.5', 'lots', '300000']) {
      expect(() => parseConfig({ CASECLOCK_WORKER_CACHED_CASES: bad }), bad).toThrow(/CASECLOCK_WORKER_CACHED_CASES: must be/);
    }
  });
});
