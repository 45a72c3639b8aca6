import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3Server } from '../../test/support/s3server';
import type { S3Config } from '../config';
import { createBlobStore, InvalidBlobKeyError, type BlobStore } from './index';

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer | string>) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** Every file under `dir`, as paths relative to it. */
function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name).slice(dir.length + 1))
    .sort();
}

interface Harness {
  store: BlobStore;
  dataDir: string;
  s3?: S3Config;
}

const BAD_KEYS = [
  '',
  '../escape',
  'a/../../escape',
  'a/..',
  '..',
  '/etc/passwd',
  'a//b',
  'trailing/',
  './a',
  'a/./b',
  'with space',
  'back\\slash',
  'uni\u00e9',
  'q?x',
  '.hidden',
  'dir/.hidden',
  'x.meta.json',
  `${'a'.repeat(201)}`,
];

const backends: { name: 'local' | 's3'; setup(): Promise<Harness & { teardown(): Promise<void> }> }[] = [
  {
    name: 'local',
    async setup() {
      const dataDir = mkdtempSync(join(tmpdir(), 'cf-blobs-'));
      const store = await createBlobStore({ dataDir });
      return { store, dataDir, teardown: async () => rmSync(dataDir, { recursive: true, force: true }) };
    },
  },
  {
    name: 's3',
    async setup() {
      const server = await startS3Server();
      const dataDir = mkdtempSync(join(tmpdir(), 'cf-blobs-s3-'));
      const s3: S3Config = {
        bucket: `blobs-${randomUUID().slice(0, 8)}`,
        endpoint: server.endpoint,
        region: 'us-east-1',
        accessKeyId: 'test',
        secretAccessKey: 'test',
        forcePathStyle: true,
      };
      const store = await createBlobStore({ s3, dataDir });
      return {
        store,
        dataDir,
        s3,
        teardown: async () => {
          await server.stop();
          rmSync(dataDir, { recursive: true, force: true });
        },
      };
    },
  },
];

describe.each(backends)('BlobStore ($name)', ({ name, setup }) => {
  let h: Harness & { teardown(): Promise<void> };
  let store: BlobStore;
  const prefix = `t-${randomUUID().slice(0, 8)}`;
  const key = (k: string) => `${prefix}/${k}`;

  beforeAll(async () => {
    h = await setup();
    store = h.store;
  });
  afterAll(async () => {
    await h?.teardown();
  });

  it('reports its kind', () => {
    expect(store.kind).toBe(name);
  });

  it('puts, gets and heads a Buffer', async () => {
    const body = Buffer.from('hello, blob store');
    const res = await store.put(key('a/b/hello.txt'), body, { contentType: 'text/plain; charset=utf-8' });
    expect(res).toEqual({ key: key('a/b/hello.txt'), size: body.length, sha256: sha(body) });

    const got = await store.get(key('a/b/hello.txt'));
    expect(got).not.toBeNull();
    expect(got!.body.equals(body)).toBe(true);
    expect(got!.contentType).toBe('text/plain; charset=utf-8');
    expect(got!.size).toBe(body.length);

    expect(await store.head(key('a/b/hello.txt'))).toEqual({ size: body.length, contentType: 'text/plain; charset=utf-8' });
  });

  it('stores strings as UTF-8 and Uint8Array views by their own bytes', async () => {
    const text = 'héllo ✓';
    const r1 = await store.put(key('text.txt'), text, { contentType: 'text/plain' });
    expect(r1.size).toBe(Buffer.byteLength(text));
    expect(r1.sha256).toBe(sha(text));
    expect((await store.get(key('text.txt')))!.body.toString('utf8')).toBe(text);

    const backing = new Uint8Array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const view = backing.subarray(3, 7); // non-zero byteOffset
    const r2 = await store.put(key('bytes.bin'), view, { contentType: 'application/octet-stream' });
    expect(r2.size).toBe(4);
    expect([...(await store.get(key('bytes.bin')))!.body]).toEqual([3, 4, 5, 6]);
  });

  it('handles binary and empty bodies', async () => {
    const bin = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    await store.put(key('all-bytes.bin'), bin, { contentType: 'application/octet-stream' });
    expect((await store.get(key('all-bytes.bin')))!.body.equals(bin)).toBe(true);

    const res = await store.put(key('empty'), Buffer.alloc(0), { contentType: 'application/x-empty' });
    expect(res).toEqual({ key: key('empty'), size: 0, sha256: sha('') });
    const got = await store.get(key('empty'));
    expect(got!.size).toBe(0);
    expect(got!.body.length).toBe(0);
    expect(await store.head(key('empty'))).toEqual({ size: 0, contentType: 'application/x-empty' });
    const streamed = await store.stream(key('empty'));
    expect((await readAll(streamed!.stream)).length).toBe(0);
    const ranged = await store.stream(key('empty'), { start: 0 });
    expect(ranged!.size).toBe(0);
    expect((await readAll(ranged!.stream)).length).toBe(0);
  });

  it('streams whole objects and inclusive byte ranges, reporting the full size', async () => {
    const body = Buffer.from('0123456789abcdefghij'); // 20 bytes
    await store.put(key('range.txt'), body, { contentType: 'audio/mpeg' });

    const whole = await store.stream(key('range.txt'));
    expect(whole!.contentType).toBe('audio/mpeg');
    expect(whole!.size).toBe(20);
    expect((await readAll(whole!.stream)).toString()).toBe(body.toString());

    const mid = await store.stream(key('range.txt'), { start: 2, end: 5 });
    expect(mid!.size).toBe(20);
    expect(mid!.contentType).toBe('audio/mpeg');
    expect((await readAll(mid!.stream)).toString()).toBe('2345');

    const open = await store.stream(key('range.txt'), { start: 15 });
    expect((await readAll(open!.stream)).toString()).toBe('fghij');

    const single = await store.stream(key('range.txt'), { start: 0, end: 0 });
    expect((await readAll(single!.stream)).toString()).toBe('0');

    const clamped = await store.stream(key('range.txt'), { start: 18, end: 1000 });
    expect((await readAll(clamped!.stream)).toString()).toBe('ij');

    const past = await store.stream(key('range.txt'), { start: 20 });
    expect(past!.size).toBe(20);
    expect((await readAll(past!.stream)).length).toBe(0);
  });

  it('rejects malformed ranges', async () => {
    await store.put(key('r2.txt'), 'abcdef', { contentType: 'text/plain' });
    await expect(store.stream(key('r2.txt'), { start: -1 })).rejects.toThrow(RangeError);
    await expect(store.stream(key('r2.txt'), { start: 4, end: 2 })).rejects.toThrow(RangeError);
    await expect(store.stream(key('r2.txt'), { start: 1.5 })).rejects.toThrow(RangeError);
  });

  it('returns null for missing keys and deletes idempotently', async () => {
    expect(await store.get(key('nope'))).toBeNull();
    expect(await store.head(key('nope'))).toBeNull();
    expect(await store.stream(key('nope'))).toBeNull();
    expect(await store.stream(key('nope'), { start: 0, end: 3 })).toBeNull();
    await expect(store.delete(key('nope'))).resolves.toBeUndefined();
    // A "directory" (a prefix of other keys) is not a blob either.
    await store.put(key('dir/child.txt'), 'x', { contentType: 'text/plain' });
    expect(await store.get(key('dir'))).toBeNull();
    expect(await store.head(key('dir'))).toBeNull();
    expect(await store.stream(key('dir'))).toBeNull();
  });

  it('deletes', async () => {
    await store.put(key('del.txt'), 'bye', { contentType: 'text/plain' });
    expect(await store.head(key('del.txt'))).not.toBeNull();
    await store.delete(key('del.txt'));
    expect(await store.get(key('del.txt'))).toBeNull();
    expect(await store.head(key('del.txt'))).toBeNull();
    expect(await store.stream(key('del.txt'))).toBeNull();
    await store.delete(key('del.txt'));
  });

  it('overwrites the same key (body and content type), idempotently', async () => {
    const first = await store.put(key('over.json'), '{"v":1}', { contentType: 'application/json' });
    const again = await store.put(key('over.json'), '{"v":1}', { contentType: 'application/json' });
    expect(again).toEqual(first);
    const second = await store.put(key('over.json'), 'version two, longer', { contentType: 'text/plain' });
    expect(second.sha256).not.toBe(first.sha256);
    const got = await store.get(key('over.json'));
    expect(got!.body.toString()).toBe('version two, longer');
    expect(got!.contentType).toBe('text/plain');
    expect(await store.head(key('over.json'))).toEqual({ size: 19, contentType: 'text/plain' });
  });

  it('survives concurrent writers of one key: the result is one whole version', async () => {
    const versions = Array.from({ length: 8 }, (_, i) => Buffer.alloc(64 * 1024 + i, String.fromCharCode(65 + i)));
    await Promise.all(versions.map((v, i) => store.put(key('race.bin'), v, { contentType: `application/x-v${i}` })));
    const got = await store.get(key('race.bin'));
    expect(versions.some((v) => v.equals(got!.body))).toBe(true);
  });

  it.each(BAD_KEYS)('rejects the bad key %j in every method', async (bad) => {
    // Callers tell a bad key (the caller's mistake, never worth a retry) from a failing store by this class.
    await expect(store.put(bad, 'x', { contentType: 'text/plain' })).rejects.toThrow(InvalidBlobKeyError);
    await expect(store.get(bad)).rejects.toThrow(InvalidBlobKeyError);
    await expect(store.head(bad)).rejects.toThrow(InvalidBlobKeyError);
    await expect(store.stream(bad)).rejects.toThrow(InvalidBlobKeyError);
    await expect(store.delete(bad)).rejects.toThrow(InvalidBlobKeyError);
  });

  it('rejects a missing content type', async () => {
    await expect(store.put(key('ct'), 'x', { contentType: '' })).rejects.toThrow(/content type/i);
  });

  if (name === 'local') {
    it('keeps files under dataDir/media/<key> with a sidecar, and leaves no temp files', async () => {
      await store.put(key('layout/file.txt'), 'on disk', { contentType: 'text/markdown' });
      const media = join(h.dataDir, 'media');
      expect(readFileSync(join(media, prefix, 'layout', 'file.txt'), 'utf8')).toBe('on disk');
      const meta = JSON.parse(readFileSync(join(media, prefix, 'layout', 'file.txt.meta.json'), 'utf8'));
      expect(meta).toMatchObject({ contentType: 'text/markdown', size: 7, sha256: sha('on disk') });
      expect(listFiles(media).filter((f) => f.endsWith('.tmp'))).toEqual([]);
      await store.delete(key('layout/file.txt'));
      expect(existsSync(join(media, prefix, 'layout', 'file.txt'))).toBe(false);
      expect(existsSync(join(media, prefix, 'layout', 'file.txt.meta.json'))).toBe(false);
    });

    it('a failed write leaves neither a partial file nor temp files behind', async () => {
      await store.put(key('occupied/child.txt'), 'child', { contentType: 'text/plain' });
      // The target is a non-empty directory, so the final rename fails after the temp file was written.
      await expect(store.put(key('occupied'), 'new', { contentType: 'text/plain' })).rejects.toThrow();
      const media = join(h.dataDir, 'media');
      expect(listFiles(media).filter((f) => f.endsWith('.tmp'))).toEqual([]);
      expect(await store.get(key('occupied'))).toBeNull();
      expect((await store.get(key('occupied/child.txt')))!.body.toString()).toBe('child');
    });

    it('a stream opened before an overwrite still reads the old version whole', async () => {
      const old = Buffer.alloc(256 * 1024, 'o');
      await store.put(key('pinned.bin'), old, { contentType: 'application/octet-stream' });
      const s = await store.stream(key('pinned.bin'));
      await store.put(key('pinned.bin'), Buffer.alloc(1000, 'n'), { contentType: 'application/octet-stream' });
      expect((await readAll(s!.stream)).equals(old)).toBe(true);
      expect((await store.head(key('pinned.bin')))!.size).toBe(1000);
    });

    it('reads a blob without a sidecar as application/octet-stream', async () => {
      await store.put(key('nometa.bin'), 'x', { contentType: 'image/png' });
      rmSync(join(h.dataDir, 'media', prefix, 'nometa.bin.meta.json'));
      expect(await store.head(key('nometa.bin'))).toEqual({ size: 1, contentType: 'application/octet-stream' });
    });
  }

  if (name === 's3') {
    it('creates its bucket on start and reopens an existing one', async () => {
      const again = await createBlobStore({ s3: h.s3!, dataDir: h.dataDir });
      expect(again.kind).toBe('s3');
      await h.store.put(key('shared.txt'), 'visible to both', { contentType: 'text/plain' });
      expect((await again.get(key('shared.txt')))!.body.toString()).toBe('visible to both');
    });

    it('fails clearly when the endpoint is unreachable', async () => {
      await expect(
        createBlobStore({
          s3: { ...h.s3!, endpoint: 'http://127.0.0.1:1', bucket: 'nowhere' },
          dataDir: h.dataDir,
        }),
      ).rejects.toThrow(/bucket "nowhere"/);
    });
  }
});
