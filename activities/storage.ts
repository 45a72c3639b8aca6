import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/activity';
import { InvalidBlobKeyError } from '../infra/blobs';
import { fillTemplate, isArtifactRef, mediaUrl, type MediaRecord } from '../workflows/pipeline';
import type { ActivityDeps, NodeSteps } from './deps';

const EXTENSIONS: Record<string, string> = {
  'text/plain': '.txt',
  'application/json': '.json',
  'audio/wav': '.wav',
  'audio/mpeg': '.mp3',
  'image/png': '.png',
  'image/jpeg': '.jpg',
  'image/webp': '.webp',
  'text/html': '.html',
  'text/vtt': '.vtt',
  'video/mp4': '.mp4',
};

export function mediaKind(mimeType: string): string {
  if (mimeType.startsWith('image/')) return 'image';
  if (mimeType.startsWith('audio/')) return 'audio';
  // A page (a storybook) is not a text to read as such; video has no kind of its own yet (see media_kind_check).
  if (mimeType === 'text/html') return 'file';
  if (mimeType.startsWith('text/')) return 'text';
  if (mimeType === 'application/json') return 'json';
  return 'file';
}

/**
 * Media ids derive from (run, node, item) so that every retry of the same upload writes the same
 * object key and the same row: a crash between the two steps can never leave a second copy.
 */
function mediaId(runId: string, nodeId: string, itemIndex: number): string {
  const h = createHash('sha256').update(`${runId}/${nodeId}/${itemIndex}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16], 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * Where an upload's bytes live: inside the owner's namespace, in a folder of its own per media item, so no
 * name a user picks can reach another user's files, a run's artifacts, or their own earlier media.
 */
export function mediaStorageKey(userId: string, id: string, name: string): string {
  return `users/${userId}/media/${id}/${name}`;
}

const MAX_NAME_LENGTH = 120;

/**
 * Turns a user's file-name template (already filled) into one safe file name: path separators become "-",
 * `.`/`..` and hidden-name dots go, anything but letters, digits, ".", "_" and "-" becomes "_". `fallback`
 * (already safe) when nothing is left.
 */
export function fileName(raw: string, fallback: string): string {
  const segments = raw
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '') // é → e
    .split(/[\\/]+/)
    .map((segment) => segment.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, ''))
    .filter((segment) => segment !== '');
  let name = segments.join('-').replace(/\.meta\.json$/, '-meta.json'); // that suffix is the local store's sidecars
  if (name.length > MAX_NAME_LENGTH) {
    const ext = name.match(/\.[A-Za-z0-9]{1,10}$/)?.[0] ?? '';
    name = name.slice(0, MAX_NAME_LENGTH - ext.length) + ext;
  }
  return name || fallback;
}

function essence(contentType: string): string {
  return contentType.split(';')[0].trim().toLowerCase();
}

export function createStorageSteps({ blobs, store }: ActivityDeps): Pick<NodeSteps, 'upload'> {
  const upload: NodeSteps['upload'] = async ({ runId, nodeId, userId, projectId, pipelineId, itemIndex, params, inputs }) => {
    const existing = await store.findMedia(runId, nodeId, itemIndex);
    if (existing) return { media: toRecord(existing) };

    const file = inputs.file;
    let body: Buffer;
    /** What the media record says (`type/subtype`); the stored object keeps its full content type. */
    let mimeType: string;
    let contentType: string;
    if (isArtifactRef(file)) {
      // The ref was checked against the run's owner before this step ran; its bytes and their type are the store's.
      const blob = await blobs.get(file.key);
      if (!blob) throw ApplicationFailure.nonRetryable(`Artifact '${file.key}' is missing from storage`, 'InvalidInput');
      body = blob.body;
      contentType = blob.contentType;
      mimeType = essence(contentType);
    } else if (typeof file === 'string') {
      body = Buffer.from(file, 'utf8');
      mimeType = 'text/plain';
      contentType = 'text/plain; charset=utf-8';
    } else if (file === undefined) {
      throw ApplicationFailure.nonRetryable("Upload got nothing on its 'file' input", 'InvalidInput');
    } else {
      body = Buffer.from(JSON.stringify(file, null, 2), 'utf8');
      mimeType = contentType = 'application/json';
    }

    const id = mediaId(runId, nodeId, itemIndex);
    const suffix = itemIndex > 0 ? `-${itemIndex}` : '';
    const ext = EXTENSIONS[mimeType] ?? '';
    const name = fileName(
      fillTemplate(params.key, { user: userId, project: projectId, pipeline: pipelineId, run: runId, node: `${nodeId}${suffix}`, ext }),
      `${nodeId}${suffix}${ext}`,
    );
    let stored;
    try {
      stored = await blobs.put(mediaStorageKey(userId, id, name), body, { contentType });
    } catch (err) {
      if (err instanceof InvalidBlobKeyError) throw ApplicationFailure.nonRetryable(err.message, 'InvalidInput');
      throw err;
    }
    const row = await store.saveMedia({
      id,
      userId,
      projectId,
      runId,
      nodeId,
      itemIndex,
      storageKey: stored.key,
      mimeType,
      size: stored.size,
      sha256: stored.sha256,
      kind: mediaKind(mimeType),
    });
    return { media: toRecord(row) };
  };
  return { upload };
}

function toRecord(row: { id: string; mimeType: string; size: number }): MediaRecord {
  return { id: row.id, url: mediaUrl(row.id), mimeType: row.mimeType, size: row.size };
}
