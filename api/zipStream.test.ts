import { Writable } from 'node:stream';
import type { Response } from 'express';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { safeZipPath, streamZip, uniqueNames } from './zipStream';

/** Enough of an Express response to collect what streamZip writes, reading slowly so backpressure is met. */
function collector(highWaterMark = 16) {
  const chunks: Buffer[] = [];
  const headers: Record<string, string> = {};
  const res = new Writable({
    highWaterMark,
    write(chunk, _encoding, done) {
      chunks.push(Buffer.from(chunk));
      setImmediate(done);
    },
  }) as Writable & { status(code: number): unknown; setHeader(name: string, value: string): void; statusCode: number };
  res.status = (code) => (res.statusCode = code);
  res.setHeader = (name, value) => void (headers[name.toLowerCase()] = value);
  const finished = new Promise<void>((resolve, reject) => res.on('finish', resolve).on('error', reject));
  return { res, headers, finished, bytes: () => new Uint8Array(Buffer.concat(chunks)) };
}

async function* chunksOf(text: string, size: number) {
  for (let i = 0; i < text.length; i += size) yield Buffer.from(text.slice(i, i + size));
}

describe('zip stream', () => {
  it('makes every path safe to unpack: no traversal, no absolute path, no reserved characters, never empty', () => {
    expect(safeZipPath('../../etc/passwd')).toBe('etc/passwd');
    expect(safeZipPath('/abs/./name.png')).toBe('abs/name.png');
    expect(safeZipPath('a:b*c?"d"<e>|f\u0000g\\h.txt')).toBe('a_b_c__d__e__f_g_h.txt');
    expect(safeZipPath('  ...  ')).toBe('file');
    expect(safeZipPath(`${'x'.repeat(300)}.webm`)).toMatch(/^x{115}\.webm$/);
    expect(safeZipPath('Pictures · a fox · illustration.png')).toBe('Pictures · a fox · illustration.png');
  });

  it('names files uniquely, case-insensitively, keeping the extension', () => {
    const unique = uniqueNames();
    expect(['a.png', 'A.png', 'a.png', 'dir/a.png', 'notes', 'notes', '.hidden'].map(unique)).toEqual([
      'a.png',
      'A (2).png',
      'a (3).png',
      'dir/a.png',
      'notes',
      'notes (2)',
      '.hidden',
    ]);
  });

  it('streams entries from bytes and streams, at the pace of a slow reader, into a zip with the exact contents', async () => {
    const { res, headers, finished, bytes } = collector();
    const long = 'otters '.repeat(20_000);
    await streamZip(
      res as unknown as Response,
      [
        { name: 'story.txt', stream: chunksOf(long, 1000), compress: true },
        { name: 'story.txt', bytes: 'second' },
        { name: 'empty.bin', bytes: new Uint8Array(0) },
        { name: 'pic.png', stream: chunksOf('\u0089PNG', 2) },
      ],
      { fileName: 'Café: run.zip' },
    );
    await finished;
    expect(headers['content-type']).toBe('application/zip');
    expect(headers['content-disposition']).toBe(`attachment; filename="Caf__ run.zip"; filename*=UTF-8''Caf%C3%A9_%20run.zip`);
    const files = unzipSync(bytes());
    expect(Object.keys(files)).toEqual(['story.txt', 'story (2).txt', 'empty.bin', 'pic.png']);
    expect(Buffer.from(files['story.txt']).toString()).toBe(long);
    expect(Buffer.from(files['story (2).txt']).toString()).toBe('second');
    expect(files['empty.bin']).toHaveLength(0);
    expect(bytes().length).toBeLessThan(long.length / 10); // text was deflated
  });

  it('cuts the download (destroys the response) when an entry fails mid-way, so no short zip looks whole', async () => {
    const { res, finished } = collector();
    const errored = finished.then(
      () => 'finished',
      (err) => err,
    );
    async function* failing() {
      yield Buffer.from('half');
      throw new Error('storage went away');
    }
    await streamZip(res as unknown as Response, [{ name: 'a.txt', stream: failing() }], { fileName: 'x.zip' });
    expect(res.destroyed).toBe(true);
    expect(String(await errored)).toContain('storage went away');
  });
});
