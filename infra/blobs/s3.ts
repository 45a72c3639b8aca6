import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  type BucketLocationConstraint,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { PassThrough, Readable } from 'node:stream';
import type { S3Config } from '../config';
import {
  DEFAULT_CONTENT_TYPE,
  resolveRange,
  sha256Hex,
  toBuffer,
  validateContentType,
  validateKey,
  type BlobBody,
  type BlobStore,
  type PutResult,
} from './common';

interface AwsError {
  name?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
}

function errorName(err: unknown): string | undefined {
  const e = err as AwsError | undefined;
  return e?.name ?? e?.Code;
}

function statusCode(err: unknown): number | undefined {
  return (err as AwsError | undefined)?.$metadata?.httpStatusCode;
}

/** "No such object" — but not "no such bucket", which is a configuration problem and must surface. */
function isMissingObject(err: unknown): boolean {
  const name = errorName(err);
  if (name === 'NoSuchBucket') return false;
  return name === 'NoSuchKey' || name === 'NotFound' || statusCode(err) === 404;
}

function isInvalidRange(err: unknown): boolean {
  return errorName(err) === 'InvalidRange' || statusCode(err) === 416;
}

/** Total object size from `Content-Range: bytes a-b/total`, falling back to Content-Length. */
function totalSize(contentRange: string | undefined, contentLength: number | undefined): number {
  const total = contentRange?.match(/\/(\d+)\s*$/)?.[1];
  return total !== undefined ? Number(total) : (contentLength ?? 0);
}

export function s3ClientConfig(config: S3Config): S3ClientConfig {
  return {
    region: config.region,
    endpoint: config.endpoint,
    forcePathStyle: config.forcePathStyle,
    credentials:
      config.accessKeyId && config.secretAccessKey
        ? { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey }
        : undefined, // the SDK's default chain (env, profile, instance role)
    // Only send/verify the flexible checksums when an operation requires them: many S3-compatible servers
    // (older MinIO, R2, moto versions) reject or mangle the default CRC32 trailers. sha256 is computed here anyway.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  };
}

/** Blobs as objects in one S3 (or S3-compatible) bucket, under the same keys. */
export class S3BlobStore implements BlobStore {
  readonly kind = 's3' as const;

  private constructor(
    readonly client: S3Client,
    readonly bucket: string,
  ) {}

  /** Connects and makes sure the bucket exists, creating it when missing. */
  static async open(config: S3Config): Promise<S3BlobStore> {
    if (!config.bucket) throw new Error('S3 blob store: a bucket name is required');
    const client = new S3Client(s3ClientConfig(config));
    const store = new S3BlobStore(client, config.bucket);
    try {
      await store.ensureBucket(config.region);
    } catch (err) {
      client.destroy();
      const where = config.endpoint ? ` at ${config.endpoint}` : '';
      const name = errorName(err);
      const detail = name && name !== 'Error' ? `${name}: ${(err as Error).message}` : (err as Error).message;
      throw new Error(`S3 blob store: cannot use bucket "${config.bucket}"${where}: ${detail}`, {
        cause: err,
      });
    }
    return store;
  }

  private async ensureBucket(region: string): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
      return;
    } catch (err) {
      if (!(errorName(err) === 'NotFound' || errorName(err) === 'NoSuchBucket' || statusCode(err) === 404)) throw err;
    }
    try {
      await this.client.send(
        new CreateBucketCommand({
          Bucket: this.bucket,
          // us-east-1 is the default location and must not be named explicitly.
          CreateBucketConfiguration:
            region && region !== 'us-east-1' ? { LocationConstraint: region as BucketLocationConstraint } : undefined,
        }),
      );
    } catch (err) {
      // Another replica created it between our HEAD and CREATE.
      if (errorName(err) !== 'BucketAlreadyOwnedByYou') throw err;
    }
  }

  async put(key: string, body: BlobBody, opts: { contentType: string }): Promise<PutResult> {
    validateKey(key);
    const contentType = validateContentType(opts?.contentType);
    const bytes = toBuffer(body);
    const sha256 = sha256Hex(bytes);
    // PUT of a whole object is atomic and replaces any previous version, so retrying is safe.
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: bytes,
        ContentType: contentType,
        ContentLength: bytes.length,
        Metadata: { sha256 },
      }),
    );
    return { key, size: bytes.length, sha256 };
  }

  async get(key: string): Promise<{ body: Buffer; contentType: string; size: number } | null> {
    validateKey(key);
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      const body = res.Body ? Buffer.from(await res.Body.transformToByteArray()) : Buffer.alloc(0);
      return { body, contentType: res.ContentType ?? DEFAULT_CONTENT_TYPE, size: body.length };
    } catch (err) {
      if (isMissingObject(err)) return null;
      throw err;
    }
  }

  async stream(
    key: string,
    range?: { start: number; end?: number },
  ): Promise<{ stream: NodeJS.ReadableStream; contentType: string; size: number } | null> {
    validateKey(key);
    if (range) resolveRange(range, Number.MAX_SAFE_INTEGER); // validate before the request
    try {
      const res = await this.client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Range: range ? `bytes=${range.start}-${range.end ?? ''}` : undefined,
        }),
      );
      const size = totalSize(res.ContentRange, res.ContentLength);
      const contentType = res.ContentType ?? DEFAULT_CONTENT_TYPE;
      const body = res.Body;
      if (!body) return { stream: new PassThrough().end(), contentType, size };
      // In Node the SDK's body is an http.IncomingMessage (a Readable) with helper methods mixed in.
      const stream = body instanceof Readable ? body : Readable.fromWeb(body.transformToWebStream() as never);
      return { stream, contentType, size };
    } catch (err) {
      if (isMissingObject(err)) return null;
      if (range && isInvalidRange(err)) {
        // The range starts past the end (or the object is empty): like the local store, an empty stream.
        const head = await this.head(key);
        return head ? { stream: new PassThrough().end(), contentType: head.contentType, size: head.size } : null;
      }
      throw err;
    }
  }

  async head(key: string): Promise<{ size: number; contentType: string } | null> {
    validateKey(key);
    try {
      const res = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { size: res.ContentLength ?? 0, contentType: res.ContentType ?? DEFAULT_CONTENT_TYPE };
    } catch (err) {
      if (isMissingObject(err)) return null;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    validateKey(key);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (err) {
      if (!isMissingObject(err)) throw err;
    }
  }
}
