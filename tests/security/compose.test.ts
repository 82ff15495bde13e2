/**
 * The production stack as docker-compose.yml describes it (no Docker daemon here, so the file is
 * checked as data): Temporal is reached over mTLS only, by CaseClock's containers holding the
 * client certificate; nothing is published beyond this host; and the Temporal server is the one
 * the tests run on (v1.32.0 built from Go modules, set up by tools/temporal-cluster.sh);
 * and CaseClock's processes reach the case record as their own least-privileged roles.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = path.resolve(__dirname, '../..');
interface Service {
  image?: string;
  build?: { dockerfile_inline?: string } | string;
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  command?: string[] | string;
  depends_on?: Record<string, { condition: string }>;
}
const compose = parse(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, Service> };
const services = compose.services;
const CASECLOCK = ['worker', 'console', 'codec'];

describe('docker-compose.yml', () => {
  it('publishes nothing beyond this host, and no Temporal port at all', () => {
    const published = Object.entries(services).flatMap(([name, s]) => (s.ports ?? []).map((p) => `${name} ${p}`));
    expect(published.length).toBeGreaterThan(0);
    for (const p of published) expect(p).toMatch(/^\S+ 127\.0\.0\.1:\d+:\d+$/);
    expect(services.temporal?.ports).toBeUndefined();
    expect(published.some((p) => /:(7233|1025)$/.test(p))).toBe(false);
  });

  it('runs Temporal with mTLS, and gives every CaseClock container and the Web UI the client certificate', () => {
    expect(services.temporal?.environment?.CASECLOCK_TEMPORAL_TLS).toBe('1');
    for (const name of CASECLOCK) {
      const env = services[name]?.environment ?? {};
      expect(env, name).toMatchObject({
        TEMPORAL_TLS_CERT_PATH: '/certs/client.pem',
        TEMPORAL_TLS_KEY_PATH: '/certs/client.key',
        TEMPORAL_TLS_CA_PATH: '/certs/ca.pem',
        TEMPORAL_TLS_SERVER_NAME: 'temporal',
      });
      expect(services[name]?.volumes ?? [], name).toContain('./.data/certs:/certs:ro');
    }
    expect(services['temporal-ui']?.environment).toMatchObject({ TEMPORAL_TLS_CERT: '/certs/client.pem', TEMPORAL_TLS_CA: '/certs/ca.pem' });
  });

  it('builds the Temporal server the tests use, and sets it up with the same script', () => {
    const build = services.temporal?.build;
    const dockerfile = typeof build === 'object' ? (build.dockerfile_inline ?? '') : '';
    expect(dockerfile).toContain('bash tools/ensure-temporal-server.sh');
    expect(readFileSync(path.join(ROOT, 'tools/ensure-temporal-server.sh'), 'utf8')).toMatch(/^TEMPORAL_SERVER_VERSION=1\.32\.0$/m);
    expect(JSON.stringify(services.temporal?.command)).toContain('tools/temporal-cluster.sh start');
    expect(Object.values(services).some((s) => /auto-setup|admin-tools/.test(s.image ?? ''))).toBe(false);
  });

  it('connects the workers and the console to the record as their own roles, never as the superuser', () => {
    const raw = readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8');
    // No default password for anyone: compose refuses to start until each is set.
    expect(raw).not.toMatch(/PASSWORD:-/);
    expect(services.worker?.environment?.CASECLOCK_STORE_URL).toMatch(/^postgres:\/\/caseclock_worker:\$\{CASECLOCK_WORKER_DB_PASSWORD:\?/);
    for (const name of ['console', 'codec']) {
      expect(services[name]?.environment?.CASECLOCK_STORE_URL, name).toMatch(/^postgres:\/\/caseclock_console:\$\{CASECLOCK_CONSOLE_DB_PASSWORD:\?/);
    }
    for (const name of CASECLOCK) {
      expect(JSON.stringify(services[name]?.environment), name).not.toContain('POSTGRES_PASSWORD');
      expect(services[name]?.depends_on?.['store-setup'], name).toEqual({ condition: 'service_completed_successfully' });
    }
    // The one CaseClock container with the owner's password provisions and exits.
    expect(JSON.stringify(services['store-setup']?.command)).toMatch(/store\/provision/);
    expect(services['store-setup']?.environment?.CASECLOCK_STORE_OWNER_URL).toMatch(/^postgres:\/\/temporal:\$\{POSTGRES_PASSWORD:\?/);
  });
});
