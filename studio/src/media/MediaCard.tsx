import { memo, useEffect, useRef, useState } from 'react';
import { authorizedFetch, type MediaItem } from '../lib/api';
import { bytes, timeAgo } from '../lib/format';
import { linkProps } from '../lib/router';
import { SignedAudio, useSignedUrl } from '../lib/signedUrls';
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
  if (item.kind === 'text' || item.kind === 'json') return <TextPreview url={item.url} />;
  return <span className="media-glyph">{item.mimeType.split(';')[0]}</span>;
}

/** The title as text, or an input while renaming: Enter or leaving the field saves, Esc cancels, empty restores the default. */
function Title({ item, onRename, onOpen }: { item: MediaItem; onRename: (name: string | null) => Promise<unknown>; onOpen: () => void }) {
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
      <button
        className="btn ghost icon small"
        aria-label={`Rename ${item.title}`}
        title="Rename"
        onClick={() => {
          setDraft(item.name ?? item.title);
          setEditing(true);
        }}
      >
        ✎
      </button>
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
        <Title item={item} onRename={(name) => props.onRename(item.id, name)} onOpen={open} />
        <div className="media-facts muted">
          <span>
            {kindLabel(item)} · {bytes(item.size)} · {timeAgo(item.createdAt)}
            {item.runId ? (
              <>
                {' '}
                · <a {...linkProps(`/runs/${item.runId}`)}>run</a>
              </>
            ) : null}
          </span>
          <span className="media-actions">
            <a className="btn ghost icon small" href={src} download aria-label={`Download ${item.title}`} title="Download">
              ⬇
            </a>
            <button
              className="btn ghost icon small"
              aria-label={`Delete ${item.title}`}
              title="Delete"
              onClick={() => props.onDelete(item)}
            >
              🗑
            </button>
          </span>
        </div>
      </div>
    </div>
  );
});
