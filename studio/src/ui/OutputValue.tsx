import { useEffect, useState } from 'react';
import { artifactUrl, isArtifactRef, type ArtifactRef } from '../../../workflows/pipeline';
import { authorizedFetch } from '../lib/api';
import { bytes } from '../lib/format';
import { SignedAudio, useSignedUrl } from '../lib/signedUrls';
import { MediaPreview, pagePreviewKind } from './MediaPreview';

interface MediaLike {
  url: string;
  mimeType: string;
  size?: number;
}
function isMedia(v: unknown): v is MediaLike {
  return typeof v === 'object' && v !== null && typeof (v as MediaLike).url === 'string' && typeof (v as MediaLike).mimeType === 'string';
}

const TEXT_PREVIEW_BYTES = 4000;

/** A published text file (or a text artifact) shown as its text (the first few KB), with a link to the whole file. */
function TextMedia({ media, compact }: { media: MediaLike; compact: boolean }) {
  const [text, setText] = useState<string | null>(null);
  const href = useSignedUrl(media.url);
  useEffect(() => {
    const ctrl = new AbortController();
    authorizedFetch(media.url, { headers: { range: `bytes=0-${TEXT_PREVIEW_BYTES - 1}` }, signal: ctrl.signal })
      .then((r) => (r.ok ? r.text() : Promise.reject(new Error(String(r.status)))))
      .then(setText, () => setText(null));
    return () => ctrl.abort();
  }, [media.url]);
  return (
    <div className="out-media-text">
      {text !== null && (
        <div className={compact ? 'out-text clamp' : 'out-text'}>
          {text}
          {(media.size ?? 0) > TEXT_PREVIEW_BYTES ? '…' : ''}
        </div>
      )}
      <a className="out-file small" href={href} target="_blank" rel="noreferrer">
        {media.mimeType.split(';')[0]}
        {media.size !== undefined ? ` · ${bytes(media.size)}` : ''} — open
      </a>
    </div>
  );
}

/** One output value: text, a media record (audio/image inline), an artifact, a list, or JSON. */
export function OutputValue({ value, compact = false }: { value: unknown; compact?: boolean }) {
  if (typeof value === 'string') return <div className={compact ? 'out-text clamp' : 'out-text'}>{value}</div>;
  if (Array.isArray(value)) {
    const shown = compact ? value.slice(0, 3) : value;
    return (
      <ol className="out-list">
        {shown.map((v, i) => (
          <li key={i}>
            <OutputValue value={v} compact={compact} />
          </li>
        ))}
        {compact && value.length > shown.length && <li className="muted">…and {value.length - shown.length} more</li>}
      </ol>
    );
  }
  if (isMedia(value)) return <MediaValue media={value} compact={compact} />;
  if (isArtifactRef(value)) return <ArtifactValue artifact={value} compact={compact} />;
  if (value === null || value === undefined) return <span className="muted">—</span>;
  return <pre className={compact ? 'out-json clamp' : 'out-json'}>{JSON.stringify(value, null, 2)}</pre>;
}

/** A published media record: audio and images inline, text as a preview, anything else as a link. */
function MediaValue({ media, compact }: { media: MediaLike; compact: boolean }) {
  const src = useSignedUrl(media.url);
  if (media.mimeType.startsWith('audio/')) return <SignedAudio className="out-audio" preload="metadata" path={media.url} />;
  if (media.mimeType.startsWith('image/')) return <img className="out-image" src={src} alt="Generated image" loading="lazy" />;
  if (pagePreviewKind(media.mimeType))
    return <MediaPreview path={media.url} mimeType={media.mimeType} size={media.size} compact={compact} />;
  if (media.mimeType.startsWith('text/') || media.mimeType === 'application/json') return <TextMedia media={media} compact={compact} />;
  return (
    <a className="out-file" href={src} target="_blank" rel="noreferrer">
      {media.mimeType}
      {media.size !== undefined ? ` · ${bytes(media.size)}` : ''} — open
    </a>
  );
}

/** An intermediate file of the run (narration, illustration), served to the run's owner. */
function ArtifactValue({ artifact, compact }: { artifact: ArtifactRef; compact: boolean }) {
  const path = artifactUrl(artifact);
  const src = useSignedUrl(path);
  const facts = (
    <div className="out-artifact muted">
      {artifact.mimeType} · {bytes(artifact.size)}
      {artifact.durationMs ? ` · ${(artifact.durationMs / 1000).toFixed(1)} s` : ''}
      {artifact.width ? ` · ${artifact.width}×${artifact.height}` : ''}
    </div>
  );
  if (artifact.mimeType.startsWith('image/')) {
    const sketch = artifact.generator === 'local-sketch';
    return (
      <div className="out-artifact-image">
        <img className="out-image" src={src} alt={sketch ? 'Procedural sketch' : 'Generated image'} loading="lazy" />
        {sketch && (
          <span
            className="badge sketch"
            title="Drawn by the offline procedural renderer, not by an AI model. Set an image provider for AI pictures."
          >
            Sketch · not AI
          </span>
        )}
        {facts}
      </div>
    );
  }
  if (artifact.mimeType.startsWith('audio/'))
    return (
      <div>
        <SignedAudio className="out-audio" preload="metadata" path={path} />
        {facts}
      </div>
    );
  if (pagePreviewKind(artifact.mimeType))
    return (
      <MediaPreview path={path} mimeType={artifact.mimeType} size={artifact.size} durationMs={artifact.durationMs} compact={compact} />
    );
  // An output too big to travel inline: shown like a published text.
  if (artifact.mimeType.startsWith('text/') || artifact.mimeType === 'application/json') {
    return <TextMedia media={{ url: path, mimeType: artifact.mimeType, size: artifact.size }} compact={compact} />;
  }
  return facts;
}
