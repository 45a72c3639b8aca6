import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import type { BlobStore } from '../infra/blobs';
import { HttpError } from './http';

/**
 * Types a browser may show in place from the studio's origin: they can carry no script. HTML is shown in a
 * sandbox of its own (below); everything else (SVG, JSON, PDF…) is served as a download in a sandbox, so a
 * stored file can never run as the studio.
 */
const INLINE_TYPES = new Set([
  'text/plain',
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'image/avif',
  'audio/wav',
  'audio/x-wav',
  'audio/wave',
  'audio/mpeg',
  'audio/mp4',
  'audio/aac',
  'audio/ogg',
  'audio/opus',
  'audio/webm',
  'audio/flac',
  'video/mp4',
  'video/webm',
  'video/ogg',
]);
const INLINE_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox";
const ATTACHMENT_CSP = "default-src 'none'; sandbox";
/**
 * HTML pages (a storybook) are shown in place, in a sandbox without same-origin: their own inline script and
 * inlined pictures and sound work, but they run in an opaque origin, so they can reach no cookie, storage or
 * token of the studio's, and fetch nothing (connections, forms and other documents are all refused).
 */
const HTML_TYPES = new Set(['text/html']);
const HTML_CSP =
  "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data: blob:; media-src data: blob:; " +
  "font-src data:; form-action 'none'; base-uri 'none'; frame-ancestors 'self'; sandbox allow-scripts";

/**
 * Streams a stored object with safe headers and HTTP Range support (so audio can seek). A client that goes
 * away mid-download closes the underlying file or S3 stream.
 */
export async function sendBlob(req: Request, res: Response, blobs: BlobStore, blob: { key: string; mimeType: string; size: number }) {
  const range = parseRange(req.get('range'), blob.size);
  if (range === 'unsatisfiable') {
    res.status(416).setHeader('Content-Range', `bytes */${blob.size}`);
    res.json({ error: 'range_not_satisfiable', message: `range: ${req.get('range')} is outside the file's ${blob.size} bytes` });
    return;
  }
  const stored = await blobs.stream(blob.key, range ?? undefined);
  if (!stored) throw new HttpError(410, 'gone', 'The file is missing from storage');
  const type = servedType(blob.mimeType);
  res.setHeader('Content-Type', type.header);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  const page = HTML_TYPES.has(type.header.split(';')[0]);
  res.setHeader('Content-Security-Policy', page ? HTML_CSP : type.inline ? INLINE_CSP : ATTACHMENT_CSP);
  res.setHeader('Content-Disposition', `${type.inline || page ? 'inline' : 'attachment'}; filename="${downloadName(blob.key)}"`);
  res.setHeader('Accept-Ranges', 'bytes');
  res.setHeader('Cache-Control', 'private, max-age=3600');
  if (range) {
    res.status(206).setHeader('Content-Range', `bytes ${range.start}-${range.end}/${blob.size}`);
    res.setHeader('Content-Length', String(range.end - range.start + 1));
  } else {
    res.setHeader('Content-Length', String(blob.size));
  }
  await pipeline(stored.stream, res).catch(() => undefined); // an aborted download is not an error
}

/** The stored content type, reduced to `type/subtype` plus a charset (once; UTF-8 for text without one). */
function servedType(mimeType: string): { header: string; inline: boolean } {
  const [first, ...params] = mimeType.split(';');
  const essence = first.trim().toLowerCase();
  if (!/^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/.test(essence))
    return { header: 'application/octet-stream', inline: false };
  const charset = params.map((p) => p.trim().match(/^charset="?([a-z0-9._:-]+)"?$/i)?.[1]).find(Boolean);
  const header = charset
    ? `${essence}; charset=${charset.toLowerCase()}`
    : essence.startsWith('text/')
      ? `${essence}; charset=utf-8`
      : essence;
  return { header, inline: INLINE_TYPES.has(essence) };
}

/** The key's last segment (storage keys are made of safe characters; this keeps the header so regardless). */
function downloadName(key: string): string {
  return (key.split('/').at(-1) ?? '').replace(/[^A-Za-z0-9._-]/g, '_') || 'download';
}

/**
 * One `bytes=` range, resolved against the size: inclusive bounds, null to send the whole file (no header, or
 * one this server ignores as RFC 9110 allows: several ranges, another unit, malformed, last before first),
 * or 'unsatisfiable' (starts past the end, empty suffix, empty file).
 */
function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | null {
  const match = header?.trim().match(/^bytes=(\d*)-(\d*)$/);
  if (!match || (match[1] === '' && match[2] === '')) return null;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  if (match[2] !== '' && Number(match[2]) < start) return null;
  if (start >= size) return 'unsatisfiable';
  return { start, end: match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1) };
}
