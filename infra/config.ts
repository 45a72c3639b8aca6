import { join, resolve } from 'node:path';

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
  /** Load the local models when the worker starts (WARM_MODELS=false skips it: light starts, e.g. in tests). */
  warmModels: boolean;
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
  const dataDir = resolve(env.DATA_DIR ?? join(rootDir, 'data'));
  return {
    rootDir,
    dataDir,
    port: Number(env.PORT ?? 3000),
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
    warmModels: !['0', 'false', 'no'].includes((env.WARM_MODELS ?? '').toLowerCase()),
  };
}
