import { useEffect, useRef, useState } from 'react';
import { authorizedFetch, type MediaItem } from '../lib/api';
import { bytes, timeAgo } from '../lib/format';
import { linkProps } from '../lib/router';
import { SignedAudio, useSignedUrl } from '../lib/signedUrls';
import { MediaPreview, pagePreviewKind } from '../ui/MediaPreview';
import { isVideo, kindLabel } from './kinds';

/** The most of a text file the viewer shows (the download has it all). */
const TEXT_LIMIT = 256 * 1024;

function FullText({ url }: { url: string }) {
  const [text, setText] = useState<{ body: string; cut: boolean } | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    const ctrl = new AbortController();
    setText(null);
    setFailed(false);
    authorizedFetch(url, { headers: { range: `bytes=0-${TEXT_LIMIT - 1}` }, signal: ctrl.signal })
      .then(async (r) => {
        if (!r.ok) throw new Error(String(r.status));
        const total = Number(r.headers.get('content-range')?.split('/')[1] ?? 0);
        setText({ body: await r.text(), cut: total > TEXT_LIMIT });
      })
      .catch(() => !ctrl.signal.aborted && setFailed(true));
    return () => ctrl.abort();
  }, [url]);
  if (failed) return <p className="muted">This file could not be read. It may have been deleted; download it to check.</p>;
  if (!text) return <span className="spinner" />;
  return (
    <pre className="viewer-text">
      {text.body}
      {text.cut && <span className="muted">{'\n'}… the rest is in the download.</span>}
    </pre>
  );
}

function Stage({ item }: { item: MediaItem }) {
  const src = useSignedUrl(item.url);
  if (item.kind === 'image') return src ? <img className="viewer-image" src={src} alt={item.title} /> : <span className="spinner" />;
  if (item.kind === 'audio') return <SignedAudio className="viewer-audio" path={item.url} preload="metadata" />;
  if (isVideo(item)) return src ? <video className="viewer-video" src={src} controls playsInline /> : <span className="spinner" />;
  if (pagePreviewKind(item.mimeType) === 'book') return <MediaPreview path={item.url} mimeType={item.mimeType} size={item.size} />;
  if (item.kind === 'text' || item.kind === 'json') return <FullText url={item.url} />;
  return <p className="muted">No preview for {item.mimeType.split(';')[0]} files: download it to open it.</p>;
}

function DownloadLink({ item }: { item: MediaItem }) {
  const src = useSignedUrl(item.url);
  return (
    <a className="btn small" href={src} download aria-disabled={!src}>
      Download
    </a>
  );
}

/**
 * The full-size viewer: one item at a time over the page; ← and → step through the list as it is filtered,
 * Esc (or the backdrop) closes and gives the focus back to where it was.
 */
export function MediaViewer(props: {
  /** The list the viewer steps through; `items[index]` must exist. */
  items: MediaItem[];
  index: number;
  onIndex: (index: number) => void;
  onClose: () => void;
}) {
  const { items, index, onIndex, onClose } = props;
  const item = items[index];
  const dialog = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    dialog.current?.focus();
    return () => before?.focus?.();
  }, []);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const typing = e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement;
      if (e.key === 'Tab' && dialog.current) {
        // The focus stays in the viewer while it is open.
        const focusable = [...dialog.current.querySelectorAll<HTMLElement>('a[href], button:not(:disabled), audio, video, [tabindex="0"]')];
        const [first, last] = [focusable[0], focusable.at(-1)];
        const inside = dialog.current.contains(document.activeElement);
        if (e.shiftKey && (!inside || document.activeElement === first || document.activeElement === dialog.current)) {
          e.preventDefault();
          last?.focus();
        } else if (!e.shiftKey && (!inside || document.activeElement === last)) {
          e.preventDefault();
          first?.focus();
        }
      } else if (e.key === 'Escape') {
        e.preventDefault();
        onClose();
      } else if (!typing && e.key === 'ArrowRight' && index < items.length - 1) {
        e.preventDefault();
        onIndex(index + 1);
      } else if (!typing && e.key === 'ArrowLeft' && index > 0) {
        e.preventDefault();
        onIndex(index - 1);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [index, items.length, onIndex, onClose]);

  return (
    <div className="viewer-backdrop" onClick={(e) => e.target === e.currentTarget && onClose()}>
      <div className="viewer" role="dialog" aria-modal="true" aria-label={item.title} tabIndex={-1} ref={dialog} data-id={item.id}>
        <header className="viewer-head">
          <div className="viewer-title">
            <strong title={item.title}>{item.title}</strong>
            <span className="muted small">
              {kindLabel(item)} · {bytes(item.size)} · {timeAgo(item.createdAt)} · {index + 1} of {items.length}
              {item.runId ? (
                <>
                  {' '}
                  · <a {...linkProps(`/runs/${item.runId}`)}>open its run</a>
                </>
              ) : null}
            </span>
          </div>
          <DownloadLink item={item} />
          <button className="btn ghost icon" aria-label="Close viewer (Esc)" title="Close (Esc)" onClick={onClose}>
            ✕
          </button>
        </header>
        <div className="viewer-stage">
          <button
            className="viewer-nav prev"
            aria-label="Previous (←)"
            title="Previous (←)"
            disabled={index === 0}
            onClick={() => onIndex(index - 1)}
          >
            ‹
          </button>
          <div className="viewer-content" key={item.id}>
            <Stage item={item} />
          </div>
          <button
            className="viewer-nav next"
            aria-label="Next (→)"
            title="Next (→)"
            disabled={index >= items.length - 1}
            onClick={() => onIndex(index + 1)}
          >
            ›
          </button>
        </div>
      </div>
    </div>
  );
}
