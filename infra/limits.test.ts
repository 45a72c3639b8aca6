import { afterAll, describe, expect, it } from 'vitest';
import { REDIS_URL } from '../test/support/stack';
import { lockMs, openLimits, type BackoffPolicy, type Limits } from './limits';

const policy: BackoffPolicy = { freeFailures: 2, baseMs: 300, maxMs: 500, memoryMs: 60_000 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('lockMs', () => {
  it('locks nothing for the free attempts, then doubles from the base up to the maximum', () => {
    const p = { freeFailures: 3, baseMs: 1_000, maxMs: 5_000, memoryMs: 0 };
    expect([1, 2, 3, 4, 5, 6, 1_000].map((n) => lockMs(p, n))).toEqual([0, 0, 1_000, 2_000, 4_000, 5_000, 5_000]);
  });
});

describe.each(['memory', 'redis'] as const)('the %s back-off', (kind) => {
  const opened: Limits[] = [];
  const open = async () => {
    const limits = await openLimits({ redisUrl: kind === 'redis' ? REDIS_URL : undefined, prefix: `cf:rl:test-backoff-${Date.now()}:` });
    opened.push(limits);
    return limits.backoff('login', policy);
  };
  afterAll(async () => {
    for (const limits of opened) await limits.close();
  });

  it('allows the free attempts, then refuses until the lock ends, with the time left; locks grow and stop at the maximum', async () => {
    const backoff = await open();
    const key = `k-${Math.random()}`;
    expect(await backoff.attempt(key)).toEqual({ allowed: true });
    expect(await backoff.attempt(key)).toEqual({ allowed: true }); // the second uses up the free ones: 300 ms lock
    const refused = await backoff.attempt(key);
    expect(refused).toEqual({ allowed: false, retryAfterMs: expect.any(Number) });
    if (refused.allowed) return;
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(300);
    expect(await backoff.attempt(`other-${key}`)).toEqual({ allowed: true }); // keys are apart
    await sleep(refused.retryAfterMs + 20);
    expect(await backoff.attempt(key)).toEqual({ allowed: true }); // third: 500 ms (600 capped)
    const longer = await backoff.attempt(key);
    expect(longer.allowed).toBe(false);
    if (!longer.allowed) expect(longer.retryAfterMs).toBeGreaterThan(300);
  });

  it('forgets a key after a success', async () => {
    const backoff = await open();
    const key = `k-${Math.random()}`;
    await backoff.attempt(key);
    await backoff.attempt(key);
    expect((await backoff.attempt(key)).allowed).toBe(false);
    await backoff.succeeded(key);
    expect(await backoff.attempt(key)).toEqual({ allowed: true });
    expect(await backoff.attempt(key)).toEqual({ allowed: true });
  });

  it('lets only the free attempts through when many arrive at once', async () => {
    const backoff = await open();
    const key = `k-${Math.random()}`;
    const verdicts = await Promise.all(Array.from({ length: 20 }, () => backoff.attempt(key)));
    expect(verdicts.filter((v) => v.allowed)).toHaveLength(policy.freeFailures);
  });
});
