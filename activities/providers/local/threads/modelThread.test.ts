import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../../types';
import { closeModelThreads, createModelThread, type ModelThread } from './modelThread';

const testModel = new URL('./testModel.ts', import.meta.url);
const cancelled = () => new ProviderError('test job cancelled', false);
const signal = () => new AbortController().signal;

function thread(overrides: Partial<Parameters<typeof createModelThread>[0]> = {}): ModelThread {
  return createModelThread({ name: 'test', module: testModel, abortError: cancelled, options: { hello: 'thread' }, ...overrides });
}

afterEach(async () => {
  await closeModelThreads();
});

describe('model thread', () => {
  it('runs the TypeScript module in another thread, once, warm, with its options', async () => {
    const t = thread();
    await t.warm();
    const first = await t.run<{ threadId: number; warmed: number; options: unknown }>('whoami', undefined, { signal: signal() });
    const second = await t.run<{ threadId: number }>('whoami', undefined, { signal: signal() });
    expect(first.threadId).not.toBe(threadId);
    expect(second.threadId).toBe(first.threadId);
    expect(first.warmed).toBe(1);
    expect(first.options).toEqual({ hello: 'thread' });
  });

  it('delivers progress in order before the result', async () => {
    const seen: unknown[] = [];
    const result = await thread().run<number, number>('count', { n: 50 }, { signal: signal(), onProgress: (p) => seen.push(p) });
    expect(result).toBe(50);
    expect(seen).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  });

  it('runs one job of a model at a time, in the order they came', async () => {
    const t = thread();
    const jobs = ['a', 'b', 'c'].map((tag) =>
      t.run<{ tag: string; overlapped: number; endedAt: number }>('hold', { ms: 60, tag }, { signal: signal() }),
    );
    const done = await Promise.all(jobs);
    expect(done.map((d) => d.overlapped)).toEqual([1, 1, 1]);
    expect(done.map((d) => d.tag)).toEqual(['a', 'b', 'c']);
    expect(done[0].endedAt).toBeLessThanOrEqual(done[1].endedAt);
    expect(done[1].endedAt).toBeLessThanOrEqual(done[2].endedAt);
  });

  it('lets more jobs share the thread when asked', async () => {
    const t = thread({ concurrency: 2 });
    const done = await Promise.all(['a', 'b'].map((tag) => t.run<{ overlapped: number }>('hold', { ms: 80, tag }, { signal: signal() })));
    expect(Math.max(...done.map((d) => d.overlapped))).toBe(2);
  });

  it('stops a running job when aborted and rejects it as the model does', async () => {
    const t = thread();
    const abort = new AbortController();
    const started = Date.now();
    const job = t.run('hold', { ms: 10_000, tag: 'long' }, { signal: abort.signal });
    setTimeout(() => abort.abort(), 100);
    const err = await job.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).message).toBe('hold long cancelled');
    expect((err as ProviderError).retryable).toBe(false);
    expect(Date.now() - started).toBeLessThan(5_000);
    // The thread is free again at once.
    await expect(t.run('count', { n: 2 }, { signal: signal() })).resolves.toBe(2);
  });

  it('stops synchronous work that watches its signal, mid-call', async () => {
    const t = thread();
    await t.warm();
    const abort = new AbortController();
    const started = Date.now();
    const job = t.run('spin', { ms: 20_000 }, { signal: abort.signal });
    setTimeout(() => abort.abort(), 100);
    await expect(job).rejects.toThrow('spin cancelled');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('drops a waiting job when aborted, leaving the others in order', async () => {
    const t = thread();
    const abort = new AbortController();
    const first = t.run<{ tag: string }>('hold', { ms: 150, tag: 'first' }, { signal: signal() });
    const second = t.run<never>('hold', { ms: 150, tag: 'second' }, { signal: abort.signal }).catch((e: unknown) => e as Error);
    const third = t.run<{ tag: string }>('hold', { ms: 10, tag: 'third' }, { signal: signal() });
    abort.abort();
    expect((await second).message).toBe('test job cancelled');
    expect((await first).tag).toBe('first');
    expect((await third).tag).toBe('third');
  });

  it('rejects at once when the signal is already aborted', async () => {
    const abort = new AbortController();
    abort.abort();
    await expect(thread().run('count', { n: 1 }, { signal: abort.signal })).rejects.toThrow('test job cancelled');
  });

  it('passes errors back with their name and message', async () => {
    const err = await thread()
      .run('fail', undefined, { signal: signal() })
      .catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(ProviderError);
    expect([(err as Error).name, (err as Error).message]).toEqual(['AbortError', 'plain failure']);
  });

  it('fails the jobs of a crashed thread clearly, and the next job gets a fresh thread', async () => {
    const t = thread();
    const before = await t.run<{ threadId: number }>('whoami', undefined, { signal: signal() });
    const crashing = t.run('crash', undefined, { signal: signal() });
    const queued = t.run<{ threadId: number }>('whoami', undefined, { signal: signal() });
    const err = await crashing.catch((e: unknown) => e as ProviderError);
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).message).toMatch(/^local test model thread crashed: model blew up/);
    expect((err as ProviderError).retryable).toBe(true);
    const after = await queued;
    expect(after.threadId).not.toBe(before.threadId);
  });

  it('moves whole buffers to the thread and back, and copies views of shared memory', async () => {
    const t = thread();
    const big = Buffer.alloc(64 * 1024, 7);
    const result = await t.run<{ bytes: Uint8Array }>('invert', { bytes: big }, { signal: signal() });
    expect(big.byteLength).toBe(0); // moved, not copied
    expect(result.bytes.length).toBe(64 * 1024);
    expect(result.bytes.every((b) => b === 248)).toBe(true);

    const pooled = Buffer.from('abc'); // a view into Node's shared pool
    const back = await t.run<{ bytes: Uint8Array }>('invert', { bytes: pooled }, { signal: signal() });
    expect(pooled.toString()).toBe('abc');
    expect([...back.bytes]).toEqual([...Buffer.from('abc')].map((b) => 255 - b));
  });

  it('fails jobs still held when closed, and starts afresh afterwards', async () => {
    const t = thread();
    const job = t.run<never>('hold', { ms: 10_000, tag: 'held' }, { signal: signal() }).catch((e: unknown) => e as Error);
    await new Promise((r) => setTimeout(r, 50));
    await t.close();
    expect((await job).message).toBe('local test model closed');
    await expect(t.run('count', { n: 1 }, { signal: signal() })).resolves.toBe(1);
  });
});

describe('model threads and the process', () => {
  it('an idle model thread does not keep the process alive; a busy one does until its job is done', () => {
    const script = `
      import { createModelThread } from ${JSON.stringify(new URL('./modelThread.ts', import.meta.url).href)};
      const t = createModelThread({ name: 'test', module: new URL(${JSON.stringify(testModel.href)}), abortError: () => new Error('x') });
      await t.warm();
      // Nothing else keeps the loop alive while this job runs: only the busy thread does.
      void t.run('hold', { ms: 300, tag: 'last' }, { signal: new AbortController().signal }).then((r) => console.log('done', r.tag));
    `;
    const dir = mkdtempSync(join(tmpdir(), 'cf-model-thread-'));
    const file = join(dir, 'idle.mjs');
    writeFileSync(file, script);
    const started = Date.now();
    const child = spawnSync(process.execPath, ['--import', 'tsx', file], { encoding: 'utf8', timeout: 30_000 });
    rmSync(dir, { recursive: true, force: true });
    expect(child.stderr).not.toMatch(/Error/);
    expect(child.stdout.trim()).toBe('done last');
    expect(child.status).toBe(0);
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});
