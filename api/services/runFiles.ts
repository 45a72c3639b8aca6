import { catalog, findArtifactRefs, isArtifactRef, type GraphNode } from '../../workflows/pipeline';
import type { RunContents } from '../repositories/shares';
import { UniqueNames } from '../zipStream';

export type FileKind = 'text' | 'audio' | 'image' | 'video' | 'json' | 'file';

/** One thing a run made: a stored object (an artifact or a media item's bytes) or a text output. */
export interface RunFile {
  /** Unique in the run, step label + kind: `cover-image.png`, `story-text.txt`, `scene-art-image-2.png`. */
  name: string;
  nodeId: string;
  /** What the share page writes under it: the step's label, or its type's title (never an id). */
  caption: string;
  kind: FileKind;
  mimeType: string;
  size: number;
  source: { key: string } | { text: string };
  /** A media item: an Upload step's copy. */
  media: boolean;
  /** An Upload step published this output: its media item stands for it where each thing is shown once. */
  published: boolean;
}

const EXTENSIONS: Record<string, string> = {
  'text/plain': '.txt',
  'application/json': '.json',
  'audio/wav': '.wav',
  'audio/x-wav': '.wav',
  'audio/mpeg': '.mp3',
  'audio/ogg': '.ogg',
  'image/png': '.png',
  'image/jpeg': '.jpg',
  'image/webp': '.webp',
  'video/mp4': '.mp4',
  'video/webm': '.webm',
};
const TEXT_TYPE = 'text/plain; charset=utf-8';

const essence = (mimeType: string) => mimeType.split(';')[0].trim().toLowerCase();

export function kindOf(mimeType: string): FileKind {
  const type = essence(mimeType);
  for (const kind of ['image', 'audio', 'video', 'text'] as const) if (type.startsWith(`${kind}/`)) return kind;
  return type === 'application/json' ? 'json' : 'file';
}

/** The extension of a stored object: its key's, or its type's. */
function extensionOf(key: string, mimeType: string): string {
  return (
    key
      .split('/')
      .at(-1)
      ?.match(/\.[A-Za-z0-9]{1,8}$/)?.[0]
      .toLowerCase() ??
    EXTENSIONS[essence(mimeType)] ??
    ''
  );
}

/** `Scene Art` → `scene-art`; the node id when nothing is left. */
function slug(text: string, fallback: string): string {
  const slugged = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return slugged || fallback.replace(/[^A-Za-z0-9_-]+/g, '-').slice(0, 60) || 'step';
}

/**
 * Every file and text output of a run, in the order of its graph's steps: each step's artifacts and texts
 * (input steps' values are the run's inputs, not files), each followed by the media items Upload steps made
 * of it, captioned as the step they publish.
 */
export function runFiles({ run, graph, nodes, media }: RunContents): RunFile[] {
  const names = new UniqueNames();
  const files: RunFile[] = [];
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const uploadsOf = (nodeId: string, handle: string) =>
    graph.edges
      .filter((e) => e.source === nodeId && e.sourceHandle === handle && byId.get(e.target)?.type === 'upload')
      .map((e) => e.target);
  const titleOf = (node: GraphNode) => node.label?.trim() || catalog.get(node.type)?.title || 'Step';
  const emitted = new Set<(typeof media)[number]>();

  const add = (
    node: GraphNode,
    caption: string,
    file: Omit<RunFile, 'name' | 'nodeId' | 'caption'>,
    item: number | undefined,
    ext: string,
  ) => {
    const suffix = item === undefined ? '' : `-${item + 1}`;
    files.push({
      ...file,
      nodeId: node.id,
      caption: item === undefined ? caption : `${caption} ${item + 1}`,
      name: names.take(`${slug(node.label?.trim() || node.id, node.id)}-${file.kind}${suffix}${ext}`),
    });
  };
  /** An Upload step's media items, captioned as what it publishes. */
  const addMedia = (upload: GraphNode, caption: string) => {
    const own = media.filter((m) => m.nodeId === upload.id && !emitted.has(m)).sort((a, b) => a.itemIndex - b.itemIndex);
    for (const m of own) {
      emitted.add(m);
      const item = own.length > 1 || m.itemIndex > 0 ? m.itemIndex : undefined;
      const file = {
        kind: kindOf(m.mimeType),
        mimeType: m.mimeType,
        size: m.size,
        source: { key: m.storageKey },
        media: true,
        published: false,
      };
      add(upload, caption, file, item, extensionOf(m.storageKey, m.mimeType));
    }
  };

  for (const node of graph.nodes) {
    if (node.type === 'input') continue;
    if (node.type === 'upload') {
      const source = byId.get(graph.edges.find((e) => e.target === node.id)?.source ?? '');
      addMedia(node, node.label?.trim() || (source && source.type !== 'input' ? titleOf(source) : titleOf(node)));
      continue;
    }
    const output = nodes[node.id]?.output;
    if (!output) continue;
    for (const [handle, value] of Object.entries(output)) {
      const uploads = uploadsOf(node.id, handle);
      const published = uploads.length > 0;
      const values = Array.isArray(value) ? value : [value];
      values.forEach((v, i) => {
        const item = Array.isArray(value) ? i : undefined;
        if (typeof v === 'string') {
          const text = {
            kind: 'text' as const,
            mimeType: TEXT_TYPE,
            size: Buffer.byteLength(v, 'utf8'),
            source: { text: v },
            media: false,
            published,
          };
          add(node, titleOf(node), text, item, '.txt');
          return;
        }
        for (const { ref } of isArtifactRef(v) ? [{ ref: v as unknown as Record<string, unknown> }] : findArtifactRefs(v)) {
          const { key, mimeType, size } = ref;
          // Artifacts of this run only: a ref anywhere else is nothing this run may hand out.
          if (typeof key !== 'string' || !key.startsWith(`runs/${run.id}/`)) continue;
          const type = typeof mimeType === 'string' ? mimeType : 'application/octet-stream';
          const file = {
            kind: kindOf(type),
            mimeType: type,
            size: typeof size === 'number' ? size : 0,
            source: { key },
            media: false,
            published,
          };
          add(node, titleOf(node), file, item, extensionOf(key, type));
        }
      });
      for (const upload of uploads) addMedia(byId.get(upload)!, byId.get(upload)!.label?.trim() || titleOf(node));
    }
  }

  // Media of steps the graph no longer names (never expected): still the run's.
  for (const m of media.filter((m) => !emitted.has(m))) {
    const kind = kindOf(m.mimeType);
    files.push({
      name: names.take(`${slug(m.nodeId ?? '', 'media')}-${kind}${extensionOf(m.storageKey, m.mimeType)}`),
      nodeId: m.nodeId ?? '',
      caption: 'Upload',
      kind,
      mimeType: m.mimeType,
      size: m.size,
      source: { key: m.storageKey },
      media: true,
      published: false,
    });
  }
  return files;
}

/** What a share page shows: pictures, sound, video and texts, each once (an Upload step's copy, not its source too). */
export function sharedFiles(files: RunFile[]): RunFile[] {
  return files.filter((f) => !f.published && f.kind !== 'json' && f.kind !== 'file');
}
