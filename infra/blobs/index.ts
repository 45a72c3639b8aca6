import type { S3Config } from '../config';
import type { BlobStore } from './common';
import { LocalBlobStore } from './local';

export { InvalidBlobKeyError, validateKey, type BlobBody, type BlobStore, type PutResult } from './common';
export { LocalBlobStore } from './local';

/**
 * The media store, picked once: S3 (or any S3-compatible server) when `s3` is configured, otherwise plain files
 * under `${dataDir}/media`. Both implement the same contract and accept the same keys.
 */
export async function createBlobStore(opts: { s3?: S3Config; dataDir: string }): Promise<BlobStore> {
  // The AWS SDK loads only when it is used: it is a good share of a start-up's module loading.
  if (opts.s3) return (await import('./s3')).S3BlobStore.open(opts.s3);
  return LocalBlobStore.open(opts.dataDir);
}
