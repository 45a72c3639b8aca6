import type { Response } from 'express';
import { Zip, ZipDeflate, ZipPassThrough } from 'fflate';

/** One file of an archive: its bytes, or a source opened when its turn comes. */
export interface ZipEntry {
  /** Its path in the archive ('/'-separated); sendZip makes it safe and unique. */
  name: string;
  bytes?: Uint8Array | string;
  /** Opened when the entry is written; null (the object is gone) leaves the entry out. */
  open?: () => Promise<AsyncIterable<Uint8Array | string> | null>;
  modifiedAt?: Date;
}

/** What went into the archive: the names as written, and the entries left out because their source was gone. */
export interface ZipReport {
  written: { name: string; entry: ZipEntry; bytes: number }[];
  missing: ZipEntry[];
}

/** Formats worth deflating (text); everything else (pictures, sound, video, archives) is stored as it is. */
const DEFLATED = /\.(txt|json|md|csv|tsv|html|xml|svg|srt|vtt)$/i;
const MAX_SEGMENT = 120;
const ZIP_CSP = "default-src 'none'; sandbox";

/**
 * Streams a zip of `entries` as the response, one entry at a time, as the client takes it (nothing is held
 * whole but the entries given as bytes). `last` may add entries once the others are written (a manifest of
 * what was). A failure before anything was sent is thrown (the error handler answers); after, the response is
 * destroyed so the client sees a broken download rather than a short archive that looks whole.
 */
export async function sendZip(
  res: Response,
  fileName: string,
  entries: AsyncIterable<ZipEntry> | Iterable<ZipEntry>,
  last?: (report: ZipReport) => ZipEntry[],
): Promise<ZipReport> {
  const report: ZipReport = { written: [], missing: [] };
  const names = new UniqueNames();
  let failed: Error | undefined;
  const zip = new Zip((err, chunk, final) => {
    if (err) failed ??= err;
    else if (!res.destroyed) {
      if (!res.headersSent) sendHeaders(res, fileName);
      res.write(chunk);
      if (final) res.end();
    }
  });
  const gone = () => res.destroyed || res.writableEnded;
  /** Until the client has taken what was written (or left). */
  const drained = () =>
    new Promise<void>((resolve) => {
      if (!res.writableNeedDrain || res.destroyed) return resolve();
      const done = () => {
        res.off('drain', done);
        res.off('close', done);
        resolve();
      };
      res.on('drain', done);
      res.on('close', done);
    });

  const write = async (entry: ZipEntry) => {
    const name = names.take(entry.name);
    const source = entry.open ? await entry.open() : entry.bytes !== undefined ? [entry.bytes] : null;
    if (!source) {
      report.missing.push(entry);
      return;
    }
    const file = DEFLATED.test(name) ? new ZipDeflate(name, { level: 6 }) : new ZipPassThrough(name);
    if (entry.modifiedAt) file.mtime = entry.modifiedAt;
    zip.add(file);
    let bytes = 0;
    for await (const chunk of source) {
      if (gone()) break; // the client left: leaving the loop closes the source
      const data = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      bytes += data.byteLength;
      file.push(data);
      if (failed) throw failed;
      await drained();
    }
    file.push(new Uint8Array(0), true);
    report.written.push({ name, entry, bytes });
  };

  try {
    for await (const entry of entries) {
      if (gone()) return report;
      await write(entry);
    }
    for (const entry of last?.(report) ?? []) await write(entry);
    if (gone()) return report;
    zip.end();
    if (failed) throw failed;
  } catch (err) {
    zip.terminate();
    if (!res.headersSent) {
      for (const header of ['Content-Type', 'Content-Disposition', 'Content-Security-Policy']) res.removeHeader(header);
      throw err;
    }
    console.error(`[zip] ${fileName}: failed after the download began: ${(err as Error).message}`);
    res.destroy(err as Error);
  }
  return report;
}

function sendHeaders(res: Response, fileName: string) {
  const ascii = fileName.replace(/[^A-Za-z0-9._-]/g, '_');
  res.setHeader('Content-Type', 'application/zip');
  res.setHeader('Content-Disposition', `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Content-Security-Policy', ZIP_CSP);
  res.setHeader('Cache-Control', 'private, no-store');
}

/**
 * Archive paths that unpack where they should: no absolute paths, no `..`, no backslashes or characters
 * Windows refuses, segments of at most 120 characters; a name met again (ignoring case) gets `-2`, `-3`…
 * before its extension.
 */
export class UniqueNames {
  private readonly taken = new Set<string>();

  take(raw: string): string {
    const safe = safeArchivePath(raw);
    let name = safe;
    for (let n = 2; this.taken.has(name.toLowerCase()); n++) {
      const dot = safe.lastIndexOf('.');
      const slash = safe.lastIndexOf('/');
      name = dot > slash + 1 ? `${safe.slice(0, dot)}-${n}${safe.slice(dot)}` : `${safe}-${n}`;
    }
    this.taken.add(name.toLowerCase());
    return name;
  }
}

export function safeArchivePath(raw: string): string {
  const segments = raw
    .split(/[\\/]+/)
    .map((segment) =>
      segment
        .normalize('NFC')
        .replace(/[\u0000-\u001f\u007f<>:"|?*]+/g, '_')
        .replace(/^[.\s]+|[.\s]+$/g, '')
        .slice(0, MAX_SEGMENT),
    )
    .filter((segment) => segment !== '');
  return segments.join('/') || 'file';
}
