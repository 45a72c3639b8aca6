import { bytes } from '../lib/format';
import { useSignedUrl } from '../lib/signedUrls';

/** How a stored file is previewed in place: a book (an HTML page, sandboxed), a video, or not here. */
export type PagePreviewKind = 'book' | 'video';

export function pagePreviewKind(mimeType: string): PagePreviewKind | null {
  const essence = mimeType.split(';')[0].trim().toLowerCase();
  if (essence === 'text/html') return 'book';
  if (essence.startsWith('video/')) return 'video';
  return null;
}

/**
 * A signed link to a book or video and how to show it, for any screen that previews media (run view, media
 * library): `kind` is null for files these previews don't cover.
 */
export function useMediaPreview(path: string, mimeType: string): { kind: PagePreviewKind | null; src: string | undefined } {
  const kind = pagePreviewKind(mimeType);
  const src = useSignedUrl(path);
  return { kind, src: kind ? src : undefined };
}

interface PreviewProps {
  /** `/api/media/<id>/content` or `/api/runs/<id>/artifacts/…`. */
  path: string;
  mimeType: string;
  size?: number;
  durationMs?: number;
  /** On a canvas node: a small player, and the book as a link (a page inside a node would steal its drags). */
  compact?: boolean;
}

/**
 * A storybook or a video, in place. The book runs in an iframe sandboxed without same-origin (the API serves it
 * with the same sandbox), so its reading-along script works but can reach nothing of the studio's.
 */
export function MediaPreview({ path, mimeType, size, durationMs, compact = false }: PreviewProps) {
  const { kind, src } = useMediaPreview(path, mimeType);
  const facts = [mimeType.split(';')[0], size !== undefined ? bytes(size) : '', durationMs ? `${(durationMs / 1000).toFixed(1)} s` : '']
    .filter(Boolean)
    .join(' · ');
  const open = (
    <a className="out-file small" href={src} target="_blank" rel="noreferrer">
      {kind === 'book' ? 'Open the book' : 'Open'} ({facts})
    </a>
  );
  if (kind === 'video') {
    return (
      <div className="out-video-block">
        {src ? (
          <video className={compact ? 'out-video compact' : 'out-video'} src={src} controls preload="metadata" />
        ) : (
          <div className="out-video placeholder" />
        )}
        {open}
      </div>
    );
  }
  if (kind === 'book' && !compact) {
    return (
      <div className="out-book-block">
        {src ? (
          <iframe className="out-book" src={src} sandbox="allow-scripts" title="Storybook" loading="lazy" />
        ) : (
          <div className="out-book placeholder" />
        )}
        {open}
      </div>
    );
  }
  return open;
}
