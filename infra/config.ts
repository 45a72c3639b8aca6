import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import { outboundPolicyFromEnv, type OutboundPolicy } from './netguard';
import { loadPlans } from './plans';
import { StartupError } from './startupError';

/** Everything the processes read from the environment, read once. Unset means "embedded default". */
export interface Config {
  rootDir: string;
  dataDir: string;
  port: number;
  /** The interface the API listens on: loopback unless told otherwise (containers set 0.0.0.0). */
  host: string;
  temporalAddress: string | undefined;
  temporalNamespace: string;
  taskQueue: string;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  s3: S3Config | undefined;
  jwtSecret: string | undefined;
  /** How long an access token lives (ACCESS_TOKEN_TTL: seconds, or `30s` / `15m` / `1h`; default 15 min); refresh tokens renew it. */
  accessTokenTtlSeconds: number;
  /** Load the local models when the worker starts (WARM_MODELS=false skips it: light starts, e.g. in tests). */
  warmModels: boolean;
  /** Where users reach the studio and API (PUBLIC_URL, default http://localhost:PORT): absolute links in webhooks. */
  publicUrl: string;
  webhooks: WebhookConfig;
  /**
   * Which proxies' X-Forwarded-For to believe (TRUST_PROXY, as Express's 'trust proxy': a hop count, or the
   * proxies' addresses/subnets and `loopback`/`linklocal`/`uniquelocal`). false: the client is the socket's peer.
   */
  trustProxy: false | number | string[];
  /** Origins whose pages may call the API from a browser (CORS_ORIGINS, comma-separated); none: same origin only. */
  corsOrigins: string[];
  limits: LimitsConfig;
  /** Runs of one batch in flight at once (BATCH_CONCURRENCY, default 3); the rest wait in the batch's workflow. */
  batchConcurrency: number;
  telemetry: TelemetryConfig;
}

/** Metrics and the Temporal Web UI link (infra/telemetry.ts; logs read LOG_LEVEL / LOG_FORMAT in infra/log.ts). */
export interface TelemetryConfig {
  /**
   * Where this process's Prometheus metrics are served: their own HTTP listener, outside the API app and its
   * users, on METRICS_HOST (loopback by default: scrapers on the same host or network namespace) and METRICS_PORT
   * (default 9464; `off` serves none). A process that runs a worker also opens the Temporal SDK's exporter on
   * TEMPORAL_METRICS_PORT (default 9465; off with METRICS_PORT=off unless set).
   */
  metrics: { host: string; port: number | undefined; temporalPort: number | undefined };
  /** TEMPORAL_UI_URL: the Temporal Web UI the run view links to (the dev server's own UI by default). */
  temporalUiUrl: string | undefined;
}

export interface WebhookConfig {
  /**
   * Which addresses a webhook URL may lead to: public ones only, unless WEBHOOKS_ALLOW_PRIVATE=true or
   * WEBHOOKS_ALLOWED_HOSTS names hosts and ranges (checked on the resolved address, at creation and on every delivery).
   */
  outbound: OutboundPolicy;
  /** The wait before the first retry of a failed delivery (WEBHOOKS_FIRST_RETRY_MS, default 5 s); it doubles after each. */
  firstRetryMs: number;
}

/** Rate limits (see api/guard.ts); run starts per plan are in infra/plans.ts, RUN_LIMITS overrides them. */
export interface LimitsConfig {
  /** Put before every limiter key in Redis, so installs sharing a Redis keep apart (RATE_LIMIT_PREFIX). */
  prefix: string;
  /** Any request, per client address (RATE_LIMIT_PER_IP per RATE_LIMIT_WINDOW_MS). */
  perIp: { limit: number; windowMs: number };
  /** Login and registration, per AUTH_LIMIT_WINDOW_MS. */
  auth: { windowMs: number; loginFailuresPerIp: number; registrationsPerIp: number; registrationsPerEmail: number };
  /** Per account: LOGIN_FREE_FAILURES failed logins cost nothing, then each locks it for LOGIN_BACKOFF_MS, doubling up to LOGIN_BACKOFF_MAX_MS. */
  loginBackoff: { freeFailures: number; baseMs: number; maxMs: number };
  /** Run starts per user per RUN_LIMIT_WINDOW_MS; `perPlan` overrides the plan table (RUN_LIMITS=free=10,pro=60). */
  runStarts: { windowMs: number; perPlan: Record<string, number> };
}

export interface S3Config {
  bucket: string;
  endpoint: string | undefined;
  region: string;
  accessKeyId: string | undefined;
  secretAccessKey: string | undefined;
  forcePathStyle: boolean;
}

const rootDir = resolve(import.meta.dirname, '..');

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  loadPlans(env); // a bad PLANS_JSON stops startup, naming the problem, rather than the first run
  const dataDir = resolve(env.DATA_DIR ?? join(rootDir, 'data'));
  const port = Number(env.PORT ?? 3000);
  return {
    rootDir,
    dataDir,
    port,
    host: env.HOST || '127.0.0.1',
    temporalAddress: env.TEMPORAL_ADDRESS || undefined,
    temporalNamespace: env.TEMPORAL_NAMESPACE ?? 'default',
    taskQueue: env.TEMPORAL_TASK_QUEUE ?? 'creativeflow',
    databaseUrl: env.DATABASE_URL || undefined,
    redisUrl: env.REDIS_URL || undefined,
    s3: env.S3_BUCKET
      ? {
          bucket: env.S3_BUCKET,
          endpoint: env.S3_ENDPOINT || undefined,
          region: env.S3_REGION ?? 'us-east-1',
          accessKeyId: env.S3_ACCESS_KEY_ID || undefined,
          secretAccessKey: env.S3_SECRET_ACCESS_KEY || undefined,
          forcePathStyle: env.S3_FORCE_PATH_STYLE !== 'false',
        }
      : undefined,
    jwtSecret: env.JWT_SECRET || undefined,
    accessTokenTtlSeconds: duration(env.ACCESS_TOKEN_TTL, 'ACCESS_TOKEN_TTL') ?? 15 * 60,
    warmModels: !['0', 'false', 'no'].includes((env.WARM_MODELS ?? '').toLowerCase()),
    publicUrl: (env.PUBLIC_URL || `http://localhost:${port}`).replace(/\/+$/, ''),
    webhooks: {
      outbound: outboundPolicyFromEnv(env, 'WEBHOOKS'),
      firstRetryMs: positiveInteger(env.WEBHOOKS_FIRST_RETRY_MS, 'WEBHOOKS_FIRST_RETRY_MS') ?? 5_000,
    },
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    corsOrigins: parseOrigins(env.CORS_ORIGINS),
    limits: {
      prefix: env.RATE_LIMIT_PREFIX || 'cf:rl:',
      perIp: { limit: count(env, 'RATE_LIMIT_PER_IP', 1200), windowMs: count(env, 'RATE_LIMIT_WINDOW_MS', 60_000) },
      auth: {
        windowMs: count(env, 'AUTH_LIMIT_WINDOW_MS', 15 * 60_000),
        loginFailuresPerIp: count(env, 'LOGIN_FAILURES_PER_IP', 30),
        registrationsPerIp: count(env, 'REGISTRATIONS_PER_IP', 10),
        registrationsPerEmail: count(env, 'REGISTRATIONS_PER_EMAIL', 3),
      },
      loginBackoff: {
        freeFailures: count(env, 'LOGIN_FREE_FAILURES', 5),
        baseMs: count(env, 'LOGIN_BACKOFF_MS', 30_000),
        maxMs: count(env, 'LOGIN_BACKOFF_MAX_MS', 15 * 60_000),
      },
      runStarts: { windowMs: count(env, 'RUN_LIMIT_WINDOW_MS', 60_000), perPlan: parsePlanLimits(env.RUN_LIMITS) },
    },
    batchConcurrency: count(env, 'BATCH_CONCURRENCY', 3),
    telemetry: telemetryConfig(env),
  };
}

function telemetryConfig(env: NodeJS.ProcessEnv): TelemetryConfig {
  const metricsPort = metricsPortOf(env, 'METRICS_PORT', 9464);
  return {
    metrics: {
      host: env.METRICS_HOST || '127.0.0.1',
      port: metricsPort,
      temporalPort: metricsPort === undefined && !env.TEMPORAL_METRICS_PORT ? undefined : metricsPortOf(env, 'TEMPORAL_METRICS_PORT', 9465),
    },
    temporalUiUrl: (env.TEMPORAL_UI_URL || '').replace(/\/+$/, '') || undefined,
  };
}

/** A listening port (0: any free one), or undefined for `off`. */
function metricsPortOf(env: NodeJS.ProcessEnv, name: string, fallback: number): number | undefined {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  if (['off', 'false', 'no'].includes(raw.toLowerCase())) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535) throw new StartupError(`${name}=${raw}: must be a port number, or off`);
  return value;
}

function positiveInteger(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new Error(`${name} must be a whole number of milliseconds above 0, not '${value}'`);
  return Number(value);
}

/** A duration in seconds: a whole number, optionally with a unit (`s`, `m`, `h`). */
function duration(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const match = /^(\d+)([smh]?)$/.exec(value.trim());
  if (!match || Number(match[1]) < 1) throw new Error(`${name} must be a duration above 0 such as 900, 30s, 15m or 1h, not '${value}'`);
  return Number(match[1]) * { '': 1, s: 1, m: 60, h: 3600 }[match[2] as '' | 's' | 'm' | 'h'];
}

/** A positive whole number from the environment, or the default when unset. */
function count(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) throw new StartupError(`${name}=${raw}: must be a whole number of at least 1`);
  return value;
}

function parseTrustProxy(raw: string | undefined): Config['trustProxy'] {
  const value = raw?.trim() ?? '';
  if (value === '' || value === 'false' || value === '0') return false;
  if (value === 'true') {
    throw new StartupError(
      "TRUST_PROXY=true would believe any client's X-Forwarded-For: name your proxies instead (their addresses or subnets, e.g. 10.0.0.0/8, or loopback), or how many there are in front of the API (e.g. 1)",
    );
  }
  if (/^\d+$/.test(value)) return Number(value);
  const proxies = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const proxy of proxies) {
    const [address, bits, ...rest] = proxy.split('/');
    const named = ['loopback', 'linklocal', 'uniquelocal'].includes(proxy);
    if (!named && (!isIP(address) || rest.length > 0 || (bits !== undefined && !/^\d{1,3}$/.test(bits)))) {
      throw new StartupError(`TRUST_PROXY: '${proxy}' is not an address, a subnet (address/bits) or loopback/linklocal/uniquelocal`);
    }
  }
  return proxies;
}

function parseOrigins(raw: string | undefined): string[] {
  const origins = (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return origins.map((origin) => {
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    const normalised = origin.replace(/\/$/, '').toLowerCase();
    if (!parsed || !/^https?:$/.test(parsed.protocol) || parsed.origin !== normalised || origin.includes('*')) {
      throw new StartupError(`CORS_ORIGINS: '${origin}' is not an origin (scheme://host[:port], no path, no wildcard)`);
    }
    return parsed.origin;
  });
}

/** `free=10,pro=60`: run starts per window by plan name. */
function parsePlanLimits(raw: string | undefined): Record<string, number> {
  const entries = (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return Object.fromEntries(
    entries.map((entry) => {
      const match = entry.match(/^([a-z0-9_-]+)=(\d+)$/i);
      if (!match || Number(match[2]) < 1) throw new StartupError(`RUN_LIMITS: '${entry}' is not plan=count (e.g. free=10,pro=60)`);
      return [match[1], Number(match[2])];
    }),
  );
}
