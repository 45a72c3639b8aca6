import { join, resolve } from 'node:path';
import { outboundPolicyFromEnv, type OutboundPolicy } from './netguard';
import { loadPlans } from './plans';

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
  };
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
