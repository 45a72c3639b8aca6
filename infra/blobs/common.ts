import { createHash } from 'node:crypto';

export type BlobBody = Buffer | Uint8Array | string;

export interface PutResult {
  key: string;
  size: number;
  /** Lower-case hex SHA-256 of the stored bytes. */
  sha256: string;
}

export interface BlobStore {
  kind: 'local' | 's3';
  /** Stores the bytes under `key`, replacing whatever was there (idempotent). Strings are stored as UTF-8. */
  put(key: string, body: BlobBody, opts: { contentType: string }): Promise<PutResult>;
  /** The whole object, or null when there is none under `key`. */
  get(key: string): Promise<{ body: Buffer; contentType: string; size: number } | null>;
  /**
   * The bytes as a stream, or null when missing. `range` is inclusive at both ends like HTTP `Range`
   * (`end` omitted = to the last byte; an `end` past the last byte is clamped; a `start` past the end gives
   * an empty stream). `size` is always the size of the whole object, not of the range.
   */
  stream(
    key: string,
    range?: { start: number; end?: number },
  ): Promise<{ stream: NodeJS.ReadableStream; contentType: string; size: number } | null>;
  head(key: string): Promise<{ size: number; contentType: string } | null>;
  /** Removes the object; deleting a missing key is not an error. */
  delete(key: string): Promise<void>;
}

export const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

/** Suffix of the local store's content-type sidecar files, reserved so no key can collide with one. */
export const META_SUFFIX = '.meta.json';

const KEY_CHARS = /^[A-Za-z0-9._/-]+$/;
const MAX_KEY_LENGTH = 1024;
const MAX_SEGMENT_LENGTH = 200;

export class InvalidBlobKeyError extends Error {
  constructor(key: string, reason: string) {
    super(`Invalid blob key ${JSON.stringify(key.length > 200 ? `${key.slice(0, 200)}…` : key)}: ${reason}`);
    this.name = 'InvalidBlobKeyError';
  }
}

/**
 * Keys are relative, slash-separated paths of `[A-Za-z0-9._-]` segments. The rules are the same for every
 * store so a key that works locally works on S3 and back: no `..` or `.` segments, no absolute paths, no empty
 * segments, no segment starting with `.` (hidden names are the local store's temp files) and no key ending in
 * `.meta.json` (the local store's sidecars).
 */
export function validateKey(key: unknown): string {
  if (typeof key !== 'string' || key.length === 0) throw new InvalidBlobKeyError(String(key), 'must be a non-empty string');
  if (key.length > MAX_KEY_LENGTH) throw new InvalidBlobKeyError(key, `longer than ${MAX_KEY_LENGTH} characters`);
  if (!KEY_CHARS.test(key)) throw new InvalidBlobKeyError(key, 'only letters, digits, ".", "_", "-" and "/" are allowed');
  if (key.startsWith('/')) throw new InvalidBlobKeyError(key, 'must be relative, not an absolute path');
  for (const segment of key.split('/')) {
    if (segment === '') throw new InvalidBlobKeyError(key, 'empty path segment (leading, trailing or doubled "/")');
    if (segment === '..' || segment === '.') throw new InvalidBlobKeyError(key, `"${segment}" segments are not allowed`);
    if (segment.startsWith('.')) throw new InvalidBlobKeyError(key, 'segments must not start with "."');
    if (segment.length > MAX_SEGMENT_LENGTH)
      throw new InvalidBlobKeyError(key, `a segment is longer than ${MAX_SEGMENT_LENGTH} characters`);
  }
  if (key.endsWith(META_SUFFIX)) throw new InvalidBlobKeyError(key, `keys ending in "${META_SUFFIX}" are reserved`);
  return key;
}

export function validateContentType(contentType: unknown): string {
  if (typeof contentType !== 'string' || contentType.trim() === '' || /[\r\n]/.test(contentType)) {
    throw new Error(`Invalid blob content type ${JSON.stringify(contentType)}`);
  }
  return contentType;
}

export function toBuffer(body: BlobBody): Buffer {
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (Buffer.isBuffer(body)) return body;
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  throw new TypeError('Blob body must be a Buffer, Uint8Array or string');
}

export function sha256Hex(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Checks a range and resolves it against the object size: inclusive `[start, end]`, or null for "no bytes". */
export function resolveRange(range: { start: number; end?: number }, size: number): { start: number; end: number } | null {
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || start < 0) throw new RangeError(`Invalid range start ${String(start)}`);
  if (end !== undefined && (!Number.isSafeInteger(end) || end < start)) throw new RangeError(`Invalid range end ${String(end)}`);
  const last = Math.min(end ?? size - 1, size - 1);
  return start > last ? null : { start, end: last };
}
