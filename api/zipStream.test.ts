import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import express, { type Express } from 'express';
import { unzipSync } from 'fflate';
import { afterEach, describe, expect, it } from 'vitest';
import { safeArchivePath, sendZip, UniqueNames, type ZipEntry, type ZipReport } from './zipStream';

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

async function serve(app: Express): Promise<string> {
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server!.once('listening', r));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
}

/** The bytes as a stream of 64 KiB chunks, recording how much was read and whether it was closed before its end. */
function source(bytes: Buffer) {
  const state = { destroyed: false, read: 0 };
  const stream = Readable.from(
    (function* () {
      for (let i = 0; i < bytes.length; i += 65536) {
        state.read += Math.min(65536, bytes.length - i);
        yield bytes.subarray(i, i + 65536);
      }
    })(),
  );
  stream.on('close', () => (state.destroyed = !stream.readableEnded));
  return { stream, state };
}

describe('zip archives streamed to a response', () => {
  it('makes archive paths that unpack where they should, each once', () => {
    expect(safeArchivePath('../../etc/passwd')).toBe('etc/passwd');
    expect(safeArchivePath('/abs\\win\\path.txt')).toBe('abs/win/path.txt');
    expect(safeArchivePath('con:tr<o>l\u0000.txt')).toBe('con_tr_o_l_.txt');
    expect(safeArchivePath('...')).toBe('file');
    const names = new UniqueNames();
    expect(['cover.png', 'Cover.png', 'cover.png', 'notes', 'notes'].map((n) => names.take(n))).toEqual([
      'cover.png',
      'Cover-2.png',
      'cover-3.png',
      'notes',
      'notes-2',
    ]);
  });

  it('streams every entry whole to a slow reader, deflating texts, and reports what was left out', async () => {
    const big = [randomBytes(3 * 1024 * 1024), randomBytes(2 * 1024 * 1024)];
    let report: ZipReport | undefined;
    const app = express().get('/zip', async (_req, res) => {
      const entries: ZipEntry[] = [
        { name: 'a.wav', open: async () => source(big[0]).stream },
        { name: 'gone.png', open: async () => null },
        { name: 'b.png', open: async () => source(big[1]).stream },
        { name: 'story.txt', bytes: 'once upon a time '.repeat(10_000) },
      ];
      report = await sendZip(res, 'Tales of ü.zip', entries, (r) => [
        { name: 'manifest.json', bytes: JSON.stringify(r.missing.map((e) => e.name)) },
      ]);
    });
    const res = await fetch(`${await serve(app)}/zip`);
    expect(res.headers.get('content-type')).toBe('application/zip');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="Tales_of__.zip"; filename*=UTF-8''Tales%20of%20%C3%BC.zip`);
    const chunks: Uint8Array[] = [];
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      chunks.push(chunk);
      await new Promise((r) => setTimeout(r, 1)); // a slow client: the server waits for it
    }
    const zip = Buffer.concat(chunks);
    const files = unzipSync(zip);
    expect(Object.keys(files)).toEqual(['a.wav', 'b.png', 'story.txt', 'manifest.json']);
    expect(Buffer.from(files['a.wav']).equals(big[0])).toBe(true);
    expect(Buffer.from(files['b.png']).equals(big[1])).toBe(true);
    expect(new TextDecoder().decode(files['manifest.json'])).toBe('["gone.png"]');
    expect(zip.byteLength).toBeLessThan(big[0].length + big[1].length + 20_000); // the text went in deflated
    expect(report!.written.map((w) => [w.name, w.bytes])).toEqual([
      ['a.wav', big[0].length],
      ['b.png', big[1].length],
      ['story.txt', 170_000],
      ['manifest.json', 12],
    ]);
  });

  it('stops reading and closes the source when the client leaves mid-download', async () => {
    const { stream, state } = source(randomBytes(64 * 1024 * 1024));
    let finished: Promise<unknown> | undefined;
    const app = express().get('/zip', (_req, res) => {
      finished = sendZip(res, 'big.zip', [{ name: 'big.wav', open: async () => stream }]);
    });
    const abort = new AbortController();
    const res = await fetch(`${await serve(app)}/zip`, { signal: abort.signal });
    const reader = res.body!.getReader();
    await reader.read();
    abort.abort();
    await finished;
    await expect.poll(() => state.destroyed).toBe(true);
    expect(state.read).toBeLessThan(32 * 1024 * 1024);
  });

  it('throws a failure before the first byte (the error handler answers), and breaks the download after', async () => {
    const failing = (afterBytes: number): ZipEntry => ({
      name: 'x.wav',
      open: async () =>
        Readable.from(
          (async function* () {
            if (afterBytes > 0) yield randomBytes(afterBytes);
            throw new Error('storage went away');
          })(),
        ),
    });
    const app = express()
      .get('/early', async (_req, res) => {
        await sendZip(
          res,
          'early.zip',
          (async function* () {
            await Promise.reject(new Error('no run'));
            yield failing(0);
          })(),
        );
      })
      .get('/late', async (_req, res) => {
        await sendZip(res, 'late.zip', [failing(256 * 1024)]);
      })
      .use(((err, _req, res, _next) => {
        res.status(500).json({ error: 'internal', message: (err as Error).message });
      }) as express.ErrorRequestHandler);
    const base = await serve(app);
    const early = await fetch(`${base}/early`);
    expect([early.status, early.headers.get('content-type'), early.headers.get('content-disposition')]).toEqual([
      500,
      'application/json; charset=utf-8',
      null,
    ]);
    const late = await fetch(`${base}/late`);
    expect(late.status).toBe(200);
    await expect(late.arrayBuffer()).rejects.toThrow();
  });
});
