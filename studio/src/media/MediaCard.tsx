import { memo, useEffect, useRef, useState } from 'react';
import { authorizedFetch, type MediaItem } from '../lib/api';
import { bytes, timeAgo } from '../lib/format';
import { linkProps } from '../lib/router';
import { SignedAudio, useSignedUrl } from '../lib/signedUrls';
import { MediaPreview, pagePreviewKind } from '../ui/MediaPreview';
import { isVideo, kindLabel } from './kinds';

/** A text file's first lines, fetched when its card stays in view a moment (fast scrolling costs no requests). */
function TextPreview({ url }: { url: string }) {
  const [text, setText] = useState<string | null>(null);
  useEffect(() => {
    const ctrl = new AbortController();
    const timer = setTimeout(() => {
      authorizedFetch(url, { headers: { range: 'bytes=0-599' }, signal: ctrl.signal })
        .then((r) => (r.ok ? r.text() : ''))
        .then(setText, () => undefined);
    }, 200);
    return () => {
      clearTimeout(timer);
      ctrl.abort();
    };
  }, [url]);
  return <div className="media-text">{text ?? '…'}</div>;
}

function Preview({ item, src }: { item: MediaItem; src: string | undefined }) {
  if (item.kind === 'image') return src ? <img src={src} alt="" loading="lazy" draggable={false} /> : <span className="spinner small" />;
  if (isVideo(item)) return src ? <video src={src} preload="metadata" muted playsInline /> : <span className="spinner small" />;
  if (pagePreviewKind(item.mimeType) === 'book') return <MediaPreview path={item.url} mimeType={item.mimeType} size={item.size} compact />;
  if (item.kind === 'text' || item.kind === 'json') return <TextPreview url={item.url} />;
  return <span className="media-glyph">{item.mimeType.split(';')[0]}</span>;
}

const icon = (d: string) => (
  <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
    <path d={d} fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round" strokeLinejoin="round" />
  </svg>
);
const PencilIcon = () => icon('m10.5 2.5 3 3-8 8h-3v-3l8-8Z');
const DownloadIcon = () => icon('M8 2v8m0 0 3.5-3.5M8 10 4.5 6.5M2.5 13.5h11');
const TrashIcon = () => icon('M2.5 4h11M6.5 4V2.5h3V4M4 4l.6 9.5h6.8L12 4M6.8 6.5v5M9.2 6.5v5');

/** The title as text, or an input while renaming: Enter or leaving the field saves, Esc cancels, empty restores the default. */
function Title(props: {
  item: MediaItem;
  src: string | undefined;
  onRename: (name: string | null) => Promise<unknown>;
  onOpen: () => void;
  onDelete: () => void;
}) {
  const { item, onRename, onOpen } = props;
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(item.title);
  const [saving, setSaving] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (editing) input.current?.select();
  }, [editing]);

  const save = async () => {
    const name = draft.trim();
    if (name === item.title) return setEditing(false);
    setSaving(true);
    try {
      await onRename(name === '' ? null : name);
      setEditing(false);
      setProblem(null);
    } catch (err) {
      setProblem((err as Error).message);
    } finally {
      setSaving(false);
    }
  };

  if (editing)
    return (
      <div className="media-rename">
        <input
          ref={input}
          aria-label="Name"
          value={draft}
          maxLength={200}
          disabled={saving}
          placeholder="Empty: back to the default title"
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') void save();
            if (e.key === 'Escape') {
              e.stopPropagation();
              setEditing(false);
              setProblem(null);
            }
          }}
          onBlur={() => void save()}
        />
        {problem && <span className="small error-text">{problem}</span>}
      </div>
    );
  return (
    <div className="media-title-row">
      <button className="media-title" title={item.title} onClick={onOpen} onDoubleClick={() => setEditing(true)}>
        {item.title}
      </button>
      <span className="media-actions">
        <button
          className="btn ghost icon small"
          aria-label={`Rename ${item.title}`}
          title="Rename"
          onClick={() => {
            setDraft(item.name ?? item.title);
            setEditing(true);
          }}
        >
          <PencilIcon />
        </button>
        <a className="btn ghost icon small" href={props.src} download aria-label={`Download ${item.title}`} title="Download">
          <DownloadIcon />
        </a>
        <button className="btn ghost icon small" aria-label={`Delete ${item.title}`} title="Delete" onClick={props.onDelete}>
          <TrashIcon />
        </button>
      </span>
    </div>
  );
}

export const MediaCard = memo(function MediaCard(props: {
  item: MediaItem;
  selected: boolean;
  onToggle: (id: string, range: boolean) => void;
  onOpen: (id: string) => void;
  onRename: (id: string, name: string | null) => Promise<unknown>;
  onDelete: (item: MediaItem) => void;
}) {
  const { item, selected } = props;
  const src = useSignedUrl(item.url);
  const open = () => props.onOpen(item.id);
  return (
    <div className={`media-tile card${selected ? ' selected' : ''}`} data-kind={isVideo(item) ? 'video' : item.kind} data-id={item.id}>
      <div className="media-preview">
        {item.kind === 'audio' ? (
          <SignedAudio preload="none" path={item.url} />
        ) : (
          <button className="media-open" aria-label={`Open ${item.title}`} onClick={open}>
            <Preview item={item} src={src} />
          </button>
        )}
        <label className="media-check" title="Select">
          <input
            type="checkbox"
            checked={selected}
            aria-label={`Select ${item.title}`}
            onChange={(e) => props.onToggle(item.id, (e.nativeEvent as MouseEvent).shiftKey)}
          />
        </label>
      </div>
      <div className="media-meta small">
        <Title
          item={item}
          src={src}
          onRename={(name) => props.onRename(item.id, name)}
          onOpen={open}
          onDelete={() => props.onDelete(item)}
        />
        <div className="media-facts muted">
          {kindLabel(item)} · {bytes(item.size)} · {timeAgo(item.createdAt)}
          {item.runId ? (
            <>
              {' '}
              · <a {...linkProps(`/runs/${item.runId}`)}>run</a>
            </>
          ) : null}
        </div>
      </div>
    </div>
  );
});
