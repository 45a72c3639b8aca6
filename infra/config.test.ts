import { describe, expect, it } from 'vitest';
import { loadConfig } from './config';

describe('the guard settings in the environment', () => {
  it('trusts no proxy by default, and the proxies TRUST_PROXY names (never any client: true is refused)', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8, ::1' }).trustProxy).toEqual(['loopback', '10.0.0.0/8', '::1']);
    expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY=true would believe any client/);
    expect(() => loadConfig({ TRUST_PROXY: 'proxy.local' })).toThrow(/TRUST_PROXY: 'proxy.local' is not an address/);
    expect(() => loadConfig({ TRUST_PROXY: '10.0.0.0/8/1' })).toThrow(/TRUST_PROXY/);
  });

  it('allows no other origin by default, and exactly the origins CORS_ORIGINS lists', () => {
    expect(loadConfig({}).corsOrigins).toEqual([]);
    expect(loadConfig({ CORS_ORIGINS: 'https://app.example.com, http://localhost:5173/' }).corsOrigins).toEqual([
      'https://app.example.com',
      'http://localhost:5173',
    ]);
    for (const bad of ['*', 'app.example.com', 'https://app.example.com/path', 'ftp://files.example.com', 'https://*.example.com']) {
      expect(() => loadConfig({ CORS_ORIGINS: bad }), bad).toThrow(/CORS_ORIGINS: .* is not an origin/);
    }
  });

  it('reads the limits as whole numbers, refusing anything else by name', () => {
    const { limits } = loadConfig({ RATE_LIMIT_PER_IP: '50', LOGIN_BACKOFF_MS: '250', RUN_LIMITS: 'free=2, enterprise=900' });
    expect(limits.perIp).toEqual({ limit: 50, windowMs: 60_000 });
    expect(limits.loginBackoff).toEqual({ freeFailures: 5, baseMs: 250, maxMs: 900_000 });
    expect(limits.runStarts.perPlan).toEqual({ free: 2, enterprise: 900 });
    expect(() => loadConfig({ RATE_LIMIT_PER_IP: '0' })).toThrow(/RATE_LIMIT_PER_IP=0: must be a whole number/);
    expect(() => loadConfig({ LOGIN_FREE_FAILURES: 'lots' })).toThrow(/LOGIN_FREE_FAILURES/);
    expect(() => loadConfig({ RUN_LIMITS: 'free:2' })).toThrow(/RUN_LIMITS: 'free:2' is not plan=count/);
  });
});
