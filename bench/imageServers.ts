/**
 * What the ComfyUI and AUTOMATIC1111 providers add around the server's own time: fake servers (test/support/
 * fakeImageServers.ts, in a process of their own so their work does not share this event loop) that take a fixed
 * `stepMs` per sampling step; each picture's overhead is the provider's wall time minus the time the server spent
 * on the job (queueing, websocket, history, download, PNG parameters, progress polling). Sequential pictures,
 * 512×512; prints p50 / p95 per image. Asserts nothing.
 *
 *   npx tsx bench/imageServers.ts [images=30] [steps=20] [stepMs=10]
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { createAutomatic1111ImageProvider } from '../activities/providers/servers/automatic1111';
import { createComfyUIImageProvider } from '../activities/providers/servers/comfyui';
import type { ImageProvider } from '../activities/providers/types';
import { startFakeA1111, startFakeComfyUI } from '../test/support/fakeImageServers';

const [images, steps, stepMs] = [Number(process.argv[2] ?? 30), Number(process.argv[3] ?? 20), Number(process.argv[4] ?? 10)];

if (process.env.FAKE_IMAGE_SERVERS_ONLY) {
  const [comfy, a1111] = await Promise.all([startFakeComfyUI({ stepMs }), startFakeA1111({ stepMs })]);
  console.log(JSON.stringify({ comfy: comfy.baseUrl, a1111: a1111.baseUrl }));
} else {
  const child = spawn(process.execPath, [...process.execArgv, import.meta.filename, String(images), String(steps), String(stepMs)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, FAKE_IMAGE_SERVERS_ONLY: '1' },
  });
  const [line] = await createInterface({ input: child.stdout! })
    [Symbol.asyncIterator]()
    .next()
    .then((r) => [r.value as string]);
  const servers = JSON.parse(line) as { comfy: string; a1111: string };
  const percentile = (values: number[], p: number) =>
    values.toSorted((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))];
  const lastServerMs = async (base: string) => ((await (await fetch(`${base}/__fake/server-ms`)).json()) as number[]).at(-1)!;

  const measure = async (label: string, base: string, provider: ImageProvider) => {
    const overheads: number[] = [];
    const server: number[] = [];
    let progressEvents = 0;
    for (let i = 0; i <= images; i++) {
      const started = performance.now();
      await provider.generate(
        { prompt: 'a lighthouse on a rocky coast at sunset', width: 512, height: 512, steps, seed: i, key: `bench/${label}/${i}` },
        { signal: new AbortController().signal, onProgress: () => progressEvents++ },
      );
      const wall = performance.now() - started;
      if (i === 0) continue; // warm-up: connections, JIT
      server.push(await lastServerMs(base));
      overheads.push(wall - server.at(-1)!);
    }
    console.log(
      `${label.padEnd(34)} server ${percentile(server, 0.5).toFixed(1)} ms/image · provider overhead p50 ${percentile(overheads, 0.5).toFixed(1)} ms, ` +
        `p95 ${percentile(overheads, 0.95).toFixed(1)} ms (${(progressEvents / (images + 1)).toFixed(1)} progress events/image)`,
    );
  };

  console.log(`${images} pictures each, ${steps} steps × ${stepMs} ms on the fake server, 512×512, one at a time`);
  await measure('ComfyUI (websocket)', servers.comfy, createComfyUIImageProvider({ baseUrl: servers.comfy }));
  const noSocket = () => {
    throw new Error('no websocket');
  };
  await measure(
    'ComfyUI (no websocket: polling)',
    servers.comfy,
    createComfyUIImageProvider({ baseUrl: servers.comfy, openSocket: noSocket }),
  );
  await measure('AUTOMATIC1111', servers.a1111, createAutomatic1111ImageProvider({ baseUrl: servers.a1111 }));
  await measure(
    'AUTOMATIC1111 (progress every 50 ms)',
    servers.a1111,
    createAutomatic1111ImageProvider({ baseUrl: servers.a1111, pollMs: 50 }),
  );
  child.kill();
}
