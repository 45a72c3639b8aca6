import { once } from 'node:events';
import type { Response } from 'express';
import { Zip, ZipDeflate, ZipPassThrough } from 'fflate';

/** One file of a zip: its path inside the archive, and its bytes whole or as a stream. */
export interface ZipEntry {
  name: string;
  bytes?: Uint8Array | string;
  stream?: AsyncIterable<Uint8Array | string>;
  mtime?: Date;
  /** Deflate it (text, JSON); by default it is stored as it is (pictures and sound are compressed already). */
  compress?: boolean;
}

/**
 * fflate writes no ZIP64: offsets past 4 GiB would break the archive. Callers cap what they put in below this
 * (the media archive stops at 2 GiB).
 */
export const ZIP_MAX_BYTES = 4 * 1024 ** 3 - 1024 ** 2;

const UNSAFE_CHARS = /[\u0000-\u001f\u007f<>:"\\|?*]/g;
const MAX_SEGMENT = 120;

/** A path that unpacks where it should on every system: safe characters, no `..`, no absolute path, short segments. */
export function safeZipPath(name: string): string {
  const segments = name
    .split('/')
    .map((segment) =>
      segment
        .replace(UNSAFE_CHARS, '_')
        .replace(/\s+/g, ' ')
        .trim()
        .replace(/^\.+|\.+$/g, ''),
    )
    .filter((segment) => segment !== '')
    .map((segment) => (segment.length > MAX_SEGMENT ? shorten(segment) : segment));
  return segments.join('/') || 'file';
}

/** Keeps the extension when cutting a long name. */
function shorten(segment: string): string {
  const ext = segment.match(/\.[A-Za-z0-9]{1,8}$/)?.[0] ?? '';
  return segment.slice(0, MAX_SEGMENT - ext.length).trimEnd() + ext;
}

/** Names made unique (case-insensitively, as Windows and macOS compare them): `a.png`, `a (2).png`, … */
export function uniqueNames(): (name: string) => string {
  const taken = new Set<string>();
  return (name) => {
    const dot = name.lastIndexOf('.');
    const [stem, ext] = dot > name.lastIndexOf('/') + 1 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
    let candidate = name;
    for (let n = 2; taken.has(candidate.toLowerCase()); n++) candidate = `${stem} (${n})${ext}`;
    taken.add(candidate.toLowerCase());
    return candidate;
  };
}

const encoder = new TextEncoder();
const toBytes = (chunk: Uint8Array | string) => (typeof chunk === 'string' ? encoder.encode(chunk) : chunk);

/**
 * Streams a zip of `entries` as the response, one file at a time and at the pace the client reads (nothing is
 * held whole in memory). Names are made safe and unique. A failure once bytes are out can only cut the
 * download short: the response is destroyed, so the client sees a broken transfer rather than a short zip.
 */
export async function streamZip(
  res: Response,
  entries: AsyncIterable<ZipEntry> | Iterable<ZipEntry>,
  opts: { fileName: string },
): Promise<void> {
  const fileName = safeZipPath(opts.fileName).replace(/\//g, '_');
  res.status(200);
  res.setHeader('Content-Type', 'application/zip');
  res.setHeader(
    'Content-Disposition',
    `attachment; filename="${fileName.replace(/[^\x20-\x7e]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(fileName)}`,
  );
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Content-Type-Options', 'nosniff');

  let failure: Error | null = null;
  const zip = new Zip((err, data, final) => {
    if (err) failure ??= err;
    else if (!res.destroyed) {
      res.write(data);
      if (final) res.end();
    }
  });
  const drained = async () => {
    if (res.writableNeedDrain && !res.destroyed) await once(res, 'drain').catch(() => undefined);
  };
  const unique = uniqueNames();
  try {
    for await (const entry of entries) {
      if (res.destroyed) return; // the client went away: read no more
      const name = unique(safeZipPath(entry.name));
      const file = entry.compress ? new ZipDeflate(name, { level: 6 }) : new ZipPassThrough(name);
      file.mtime = entry.mtime ?? new Date();
      zip.add(file);
      if (entry.stream) {
        for await (const chunk of entry.stream) {
          file.push(toBytes(chunk));
          if (failure) throw failure;
          await drained();
          if (res.destroyed) return;
        }
        file.push(new Uint8Array(0), true);
      } else {
        file.push(toBytes(entry.bytes ?? new Uint8Array(0)), true);
      }
      if (failure) throw failure;
      await drained();
    }
    zip.end();
    if (failure) throw failure;
  } catch (err) {
    zip.terminate();
    res.destroy(err instanceof Error ? err : new Error(String(err)));
  }
}
