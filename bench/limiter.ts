/**
 * What the guard costs a request: p50/p90 latency of a trivial route bare, behind the per-address limiter alone,
 * and behind the whole gate (helmet, CORS, the limiter), with the limiter's memory store and its Redis store
 * (REDIS_URL, default the local one). Sequential keep-alive requests, variants interleaved in rounds so drift
 * hits all alike. Prints a table; asserts nothing.
 *
 *   npx tsx bench/limiter.ts [requests per variant=3000]
 */
import { Agent, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import { createGuard } from '../api/guard';
import { loadConfig } from '../infra/config';
import { openLimits, type Limits } from '../infra/limits';

const perVariant = Number(process.argv[2] ?? 3000);
const rounds = 10;
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `cf:rl:bench-${Date.now()}:`;
const config = loadConfig({ RATE_LIMIT_PER_IP: String(1e9), RATE_LIMIT_PREFIX: prefix });

const memory = await openLimits({ prefix });
const redis = await openLimits({ redisUrl, prefix });

const limiterAlone = (limits: Limits): RequestHandler =>
  rateLimit({
    windowMs: 60_000,
    limit: 1e9,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    identifier: 'api',
    store: limits.store('bench'),
    passOnStoreError: true,
  });
const gate = (limits: Limits): RequestHandler =>
  createGuard({ config, limits, planOf: async () => 'free', requireUser: (_req, _res, next) => next() }).gate;

const variants: [string, RequestHandler[]][] = [
  ['bare route', []],
  ['limiter, memory store', [limiterAlone(memory)]],
  ['limiter, Redis store', [limiterAlone(redis)]],
  ['whole gate, memory store', [gate(memory)]],
  ['whole gate, Redis store', [gate(redis)]],
];

const agent = new Agent({ keepAlive: true, maxSockets: 1 });
const get = (port: number) =>
  new Promise<number>((resolve, reject) => {
    const t0 = performance.now();
    request({ host: '127.0.0.1', port, path: '/ping', agent }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve(performance.now() - t0) : reject(new Error(`status ${res.statusCode}`))));
    })
      .on('error', reject)
      .end();
  });

const servers: Server[] = [];
const ports: number[] = [];
for (const [, middlewares] of variants) {
  const app = express();
  app.disable('x-powered-by');
  for (const m of middlewares) app.use(m);
  app.get('/ping', (_req, res) => void res.json({ ok: true }));
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  servers.push(server);
  ports.push((server.address() as AddressInfo).port);
}

try {
  for (const port of ports) for (let i = 0; i < 200; i++) await get(port); // warm up
  const samples: number[][] = variants.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (const [v, port] of ports.entries()) for (let i = 0; i < perVariant / rounds; i++) samples[v].push(await get(port));
  }
  const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * p)];
  const bare = pct(samples[0], 0.5);
  console.log(`${perVariant} sequential keep-alive GETs per variant, ${rounds} interleaved rounds`);
  console.log('variant                     p50 ms   p90 ms   added p50');
  for (const [v, [name]] of variants.entries()) {
    const p50 = pct(samples[v], 0.5);
    const added = v === 0 ? '' : `${((p50 - bare) * 1000).toFixed(0)} µs`;
    console.log(`${name.padEnd(26)}  ${p50.toFixed(3).padStart(6)}   ${pct(samples[v], 0.9).toFixed(3).padStart(6)}   ${added}`);
  }
} finally {
  agent.destroy();
  for (const server of servers) await new Promise((resolve) => server.close(resolve));
  await memory.close();
  await redis.close();
}
