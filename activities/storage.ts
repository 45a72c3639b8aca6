import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/activity';
import { fillTemplate, isArtifactRef, type MediaRecord } from '../workflows/pipeline';
import type { ActivityDeps, NodeStep } from './deps';

const EXTENSIONS: Record<string, string> = {
  'text/plain': '.txt',
  'application/json': '.json',
  'audio/wav': '.wav',
  'audio/mpeg': '.mp3',
  'image/png': '.png',
  'image/jpeg': '.jpg',
  'image/webp': '.webp',
};

export function mediaKind(mimeType: string): string {
  if (mimeType.startsWith('image/')) return 'image';
  if (mimeType.startsWith('audio/')) return 'audio';
  if (mimeType.startsWith('text/')) return 'text';
  if (mimeType === 'application/json') return 'json';
  return 'file';
}

export function mediaUrl(id: string): string {
  return `/api/media/${id}/content`;
}

/**
 * Media ids derive from (run, node, item) so that every retry of the same upload writes the same
 * object key and the same row: a crash between the two steps can never leave a second copy.
 */
function mediaId(runId: string, nodeId: string, itemIndex: number): string {
  const h = createHash('sha256').update(`${runId}/${nodeId}/${itemIndex}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16], 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function createStorageSteps({ blobs, store }: ActivityDeps): { upload: NodeStep } {
  const upload: NodeStep = async ({ runId, nodeId, userId, projectId, pipelineId, itemIndex, params, inputs }) => {
    const existing = await store.findMedia(runId, nodeId, itemIndex);
    if (existing) return { media: toRecord(existing) };

    const file = inputs.file;
    let body: Buffer;
    let mimeType: string;
    if (isArtifactRef(file)) {
      const blob = await blobs.get(file.key);
      if (!blob) throw ApplicationFailure.nonRetryable(`Artifact '${file.key}' is missing from storage`, 'InvalidInput');
      body = blob.body;
      mimeType = file.mimeType;
    } else if (typeof file === 'string') {
      body = Buffer.from(file, 'utf8');
      mimeType = 'text/plain';
    } else if (file === undefined) {
      throw ApplicationFailure.nonRetryable("Upload got nothing on its 'file' input", 'InvalidInput');
    } else {
      body = Buffer.from(JSON.stringify(file, null, 2), 'utf8');
      mimeType = 'application/json';
    }

    const id = mediaId(runId, nodeId, itemIndex);
    const suffix = itemIndex > 0 ? `-${itemIndex}` : '';
    const key = fillTemplate(String(params.key), {
      user: userId,
      project: projectId,
      pipeline: pipelineId,
      run: runId,
      node: `${nodeId}${suffix}`,
      ext: EXTENSIONS[mimeType] ?? '',
    }).replace(/^\/+/, '');
    let stored;
    try {
      stored = await blobs.put(key, body, { contentType: mimeType === 'text/plain' ? 'text/plain; charset=utf-8' : mimeType });
    } catch (err) {
      if (err instanceof Error && /key/i.test(err.message)) throw ApplicationFailure.nonRetryable(err.message, 'InvalidInput');
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
