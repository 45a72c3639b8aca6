import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { PassThrough } from 'node:stream';
import {
  DEFAULT_CONTENT_TYPE,
  META_SUFFIX,
  resolveRange,
  sha256Hex,
  toBuffer,
  validateContentType,
  validateKey,
  type BlobBody,
  type BlobStore,
  type PutResult,
} from './common';

interface Meta {
  contentType: string;
  size: number;
  sha256: string;
}

/** Errors meaning "there is no blob under this key" (including when a path component is a file or the key is a directory). */
function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR';
}

async function writeDurably(path: string, data: Buffer | string): Promise<void> {
  const fh = await open(path, 'wx', 0o644);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function syncDir(dir: string): Promise<void> {
  // Makes the renames durable; not every platform lets a directory be opened, which is fine.
  try {
    const fh = await open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    /* best effort */
  }
}

/**
 * Blobs as plain files under `${dataDir}/media/<key>`, each with a `<key>.meta.json` sidecar holding its content
 * type (and size/sha256, for humans). Writes go to a hidden temp file in the same directory, are fsynced, then
 * renamed over the real name, so readers and crashes only ever see a whole old or a whole new file.
 */
export class LocalBlobStore implements BlobStore {
  readonly kind = 'local' as const;

  private constructor(readonly root: string) {}

  static async open(dataDir: string): Promise<LocalBlobStore> {
    const root = resolve(dataDir, 'media');
    await mkdir(root, { recursive: true });
    return new LocalBlobStore(root);
  }

  private paths(key: string): { file: string; meta: string } {
    validateKey(key);
    const file = join(this.root, ...key.split('/'));
    // validateKey already rules this out; kept as a second line of defence against path traversal.
    if (!file.startsWith(this.root + sep)) throw new Error(`Invalid blob key ${JSON.stringify(key)}: escapes the media directory`);
    return { file, meta: file + META_SUFFIX };
  }

  private async contentType(metaPath: string): Promise<string> {
    try {
      const meta = JSON.parse(await readFile(metaPath, 'utf8')) as Partial<Meta>;
      return typeof meta.contentType === 'string' && meta.contentType ? meta.contentType : DEFAULT_CONTENT_TYPE;
    } catch {
      return DEFAULT_CONTENT_TYPE;
    }
  }

  async put(key: string, body: BlobBody, opts: { contentType: string }): Promise<PutResult> {
    const { file, meta } = this.paths(key);
    const contentType = validateContentType(opts?.contentType);
    const bytes = toBuffer(body);
    const sha256 = sha256Hex(bytes);
    const dir = dirname(file);
    await mkdir(dir, { recursive: true });
    const tmp = join(dir, `.${basename(file)}.${randomUUID()}`);
    const tmpFile = `${tmp}.tmp`;
    const tmpMeta = `${tmp}.meta.tmp`;
    try {
      await writeDurably(tmpFile, bytes);
      await writeDurably(tmpMeta, JSON.stringify({ contentType, size: bytes.length, sha256 } satisfies Meta));
      await rename(tmpFile, file);
      await rename(tmpMeta, meta);
      await syncDir(dir);
    } catch (err) {
      await Promise.all([unlink(tmpFile).catch(() => undefined), unlink(tmpMeta).catch(() => undefined)]);
      throw err;
    }
    return { key, size: bytes.length, sha256 };
  }

  async get(key: string): Promise<{ body: Buffer; contentType: string; size: number } | null> {
    const { file, meta } = this.paths(key);
    let body: Buffer;
    try {
      body = await readFile(file);
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
    return { body, contentType: await this.contentType(meta), size: body.length };
  }

  async stream(
    key: string,
    range?: { start: number; end?: number },
  ): Promise<{ stream: NodeJS.ReadableStream; contentType: string; size: number } | null> {
    const { file, meta } = this.paths(key);
    if (range) resolveRange(range, Number.MAX_SAFE_INTEGER); // validate before touching the disk
    let fh;
    try {
      fh = await open(file, 'r');
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
    try {
      // The open handle pins this version of the file: a concurrent overwrite or delete cannot tear the stream.
      const st = await fh.stat();
      if (!st.isFile()) {
        await fh.close();
        return null;
      }
      const contentType = await this.contentType(meta);
      const bytes = range ? resolveRange(range, st.size) : { start: 0, end: st.size - 1 };
      if (!bytes || bytes.end < bytes.start) {
        await fh.close();
        return { stream: new PassThrough().end(), contentType, size: st.size };
      }
      return { stream: fh.createReadStream({ start: bytes.start, end: bytes.end }), contentType, size: st.size };
    } catch (err) {
      await fh.close().catch(() => undefined);
      throw err;
    }
  }

  async head(key: string): Promise<{ size: number; contentType: string } | null> {
    const { file, meta } = this.paths(key);
    try {
      const st = await stat(file);
      if (!st.isFile()) return null;
      return { size: st.size, contentType: await this.contentType(meta) };
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    const { file, meta } = this.paths(key);
    // The blob first: a crash in between leaves only an orphan sidecar, which reads as "missing".
    for (const path of [file, meta]) {
      try {
        await unlink(path);
      } catch (err) {
        if (!isMissing(err)) throw err;
      }
    }
  }
}
