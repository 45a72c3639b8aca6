/**
 * A run archive's zip writer (api/zipStream.ts) on big files: MB/s from the blob store (local files) to a
 * client reading the download, and how much the process's resident memory grew meanwhile (it must stay far
 * below the archive's size: entries stream through, nothing is held whole).
 *
 *   npx tsx bench/archive.ts [files=4] [mbPerFile=100]
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { createBlobStore } from '../infra/blobs';
import { sendZip, type ZipEntry } from '../api/zipStream';

const files = Number(process.argv[2] ?? 4);
const mbPerFile = Number(process.argv[3] ?? 100);

const dataDir = mkdtempSync(join(tmpdir(), 'cf-bench-archive-'));
try {
  const blobs = await createBlobStore({ dataDir });
  const keys: string[] = [];
  for (let i = 0; i < files; i++) {
    const key = `runs/bench/step-${i}/audio.wav`;
    await blobs.put(key, randomBytes(mbPerFile * 1024 * 1024), { contentType: 'audio/wav' });
    keys.push(key);
  }
  const text = 'Once upon a time, an otter. '.repeat(40_000); // ~1 MB of text, deflated

  const app = express();
  app.get('/archive', async (_req, res) => {
    const entries: ZipEntry[] = [
      ...keys.map((key, i) => ({
        name: `narration-audio-${i + 1}.wav`,
        open: async () => ((await blobs.stream(key))?.stream as AsyncIterable<Uint8Array> | undefined) ?? null,
      })),
      { name: 'story-text.txt', bytes: text },
    ];
    await sendZip(res, 'bench.zip', entries);
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const { port } = server.address() as AddressInfo;

  global.gc?.();
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const t0 = performance.now();
  const res = await fetch(`http://127.0.0.1:${port}/archive`);
  let received = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) received += chunk.byteLength;
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  server.close();

  const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
  console.log(`archive of ${files} × ${mbPerFile} MB + 1 MB of text: ${mb(received)} MB in ${seconds.toFixed(2)} s`);
  console.log(`  throughput: ${(received / 1024 / 1024 / seconds).toFixed(0)} MB/s`);
  console.log(`  resident memory grew by ${mb(peak - baseline)} MB at most (archive ${mb(received)} MB)`);
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
