import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import type { BlobStore } from '../infra/blobs';
import { HttpError } from './http';

/**
 * Streams a stored object with its content type and HTTP Range support (so audio can seek). A client
 * that goes away mid-download closes the underlying file or S3 stream.
 */
export async function sendBlob(req: Request, res: Response, blobs: BlobStore, blob: { key: string; mimeType: string; size: number }) {
  const range = parseRange(req.get('range'), blob.size);
  const stored = await blobs.stream(blob.key, range ?? undefined);
  if (!stored) throw new HttpError(410, 'gone', 'The file is missing from storage');
  res.setHeader('Content-Type', blob.mimeType.startsWith('text/') ? `${blob.mimeType}; charset=utf-8` : blob.mimeType);
  res.setHeader('Accept-Ranges', 'bytes');
  res.setHeader('Cache-Control', 'private, max-age=3600');
  if (range) {
    const end = range.end ?? blob.size - 1;
    res.status(206).setHeader('Content-Range', `bytes ${range.start}-${end}/${blob.size}`);
    res.setHeader('Content-Length', String(end - range.start + 1));
  } else {
    res.setHeader('Content-Length', String(blob.size));
  }
  await pipeline(stored.stream, res).catch(() => undefined); // an aborted download is not an error
}

function parseRange(header: string | undefined, size: number): { start: number; end?: number } | null {
  const match = header?.match(/^bytes=(\d*)-(\d*)$/);
  if (!match || (match[1] === '' && match[2] === '')) return null;
  if (match[1] === '') {
    const suffix = Math.min(Number(match[2]), size);
    if (suffix === 0) throw new HttpError(416, 'range_not_satisfiable', `range: the last 0 bytes of ${size} is an empty range`);
    return { start: size - suffix, end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start > end || start >= size) throw new HttpError(416, 'range_not_satisfiable', `range: bytes ${start}-${end} is outside 0-${size - 1}`);
  return { start, end };
}
