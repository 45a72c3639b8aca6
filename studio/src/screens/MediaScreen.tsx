import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { api, authorizedFetch, type MediaItem } from '../lib/api';
import { bytes, timeAgo } from '../lib/format';
import { linkProps } from '../lib/router';
import { rememberSignedUrl, SignedAudio, useSignedUrl } from '../lib/signedUrls';
import { MediaPreview, pagePreviewKind } from '../ui/MediaPreview';

const PAGE = 200;
const ROW_HEIGHT = 236;
const MIN_TILE = 220;
const GAP = 16;

/** A text file's first lines, fetched when its tile scrolls into view. */
function TextPreview({ url }: { url: string }) {
  const [text, setText] = useState<string | null>(null);
  useEffect(() => {
    // Only tiles that stay in view a moment fetch: fast scrolling past thousands costs no requests.
    const ctrl = new AbortController();
    const timer = setTimeout(() => {
      authorizedFetch(url, { headers: { range: 'bytes=0-599' }, signal: ctrl.signal })
        .then((r) => r.text())
        .then(setText, () => undefined);
    }, 200);
    return () => {
      clearTimeout(timer);
      ctrl.abort();
    };
  }, [url]);
  return <div className="media-text">{text ?? '…'}</div>;
}

function Tile({ item }: { item: MediaItem }) {
  const src = useSignedUrl(item.url);
  return (
    <div className="media-tile card" data-kind={item.kind}>
      <div className="media-preview">
        {item.kind === 'image' ? (
          <img src={src} alt={item.nodeId ?? 'image'} loading="lazy" />
        ) : item.kind === 'audio' ? (
          <SignedAudio preload="none" path={item.url} />
        ) : pagePreviewKind(item.mimeType) ? (
          <MediaPreview path={item.url} mimeType={item.mimeType} size={item.size} compact />
        ) : item.kind === 'text' || item.kind === 'json' ? (
          <TextPreview url={item.url} />
        ) : (
          <span className="muted">{item.mimeType}</span>
        )}
      </div>
      <div className="media-meta small">
        <a href={src} target="_blank" rel="noreferrer" title={item.storageKey}>
          {item.nodeId ?? item.storageKey.split('/').pop()} <span className="muted">· {item.mimeType.split(';')[0]}</span>
        </a>
        <span className="muted">
          {bytes(item.size)} · {timeAgo(item.createdAt)}
          {item.runId ? (
            <>
              {' '}
              · <a {...linkProps(`/runs/${item.runId}`)}>run</a>
            </>
          ) : null}
        </span>
      </div>
    </div>
  );
}

/**
 * The media library as a virtualised grid: only the rows in (and just around) the viewport are in the DOM,
 * and pages of 200 load as the end comes near, so thousands of items scroll smoothly.
 */
export default function MediaScreen() {
  const [items, setItems] = useState<MediaItem[]>([]);
  const [done, setDone] = useState(false);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [filter, setFilter] = useState<'all' | 'image' | 'audio' | 'text'>('all');
  const scroller = useRef<HTMLDivElement>(null);
  const [view, setView] = useState({ top: 0, height: 800, width: 1000 });

  const loadMore = useCallback(async () => {
    if (loading || done) return;
    setLoading(true);
    try {
      const after = items.length ? `&after=${items[items.length - 1].id}` : '';
      const r = await api<{ media: MediaItem[] }>('GET', `/media?limit=${PAGE}${after}`);
      for (const m of r.media) rememberSignedUrl(m.url, m.signedUrl);
      setItems((prev) => [...prev, ...r.media.filter((m) => !prev.some((p) => p.id === m.id))]);
      if (r.media.length < PAGE) setDone(true);
    } catch (err) {
      setError((err as Error).message);
      setDone(true);
    } finally {
      setLoading(false);
    }
  }, [items, loading, done]);

  useEffect(() => {
    void loadMore();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const measure = () => setView({ top: el.scrollTop, height: el.clientHeight, width: el.clientWidth });
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    el.addEventListener('scroll', measure, { passive: true });
    return () => {
      ro.disconnect();
      el.removeEventListener('scroll', measure);
    };
  }, []);

  const shown =
    filter === 'all' ? items : items.filter((i) => (filter === 'text' ? i.kind === 'text' || i.kind === 'json' : i.kind === filter));
  const columns = Math.max(1, Math.floor((view.width - 2 * GAP + GAP) / (MIN_TILE + GAP)));
  const rows = Math.ceil(shown.length / columns);
  const first = Math.max(0, Math.floor(view.top / ROW_HEIGHT) - 2);
  const last = Math.min(rows, Math.ceil((view.top + view.height) / ROW_HEIGHT) + 2);

  useEffect(() => {
    if (!done && !loading && last >= rows - 3) void loadMore();
  }, [last, rows, done, loading, loadMore]);

  const visible = [];
  for (let r = first; r < last; r++) {
    visible.push(
      <div
        key={r}
        className="media-row"
        style={{ top: r * ROW_HEIGHT, gridTemplateColumns: `repeat(${columns}, 1fr)`, height: ROW_HEIGHT - GAP }}
      >
        {shown.slice(r * columns, r * columns + columns).map((item) => (
          <Tile key={item.id} item={item} />
        ))}
      </div>,
    );
  }

  return (
    <div className="page media-page">
      <div className="row between">
        <h1>Media library</h1>
        <div className="row" role="tablist" aria-label="Filter media">
          {(['all', 'image', 'audio', 'text'] as const).map((f) => (
            <button
              key={f}
              role="tab"
              aria-selected={filter === f}
              className={`btn small ${filter === f ? 'primary' : ''}`}
              onClick={() => setFilter(f)}
            >
              {f === 'all' ? 'All' : f === 'image' ? 'Images' : f === 'audio' ? 'Audio' : 'Text'}
            </button>
          ))}
        </div>
      </div>
      {error && <div className="alert error">{error}</div>}
      <div className="media-scroller" ref={scroller} data-count={shown.length}>
        {shown.length === 0 && !loading ? (
          <div className="empty">
            <h3>Nothing here yet</h3>
            <p>
              Everything an <strong>Upload</strong> node publishes lands here. Run a pipeline that ends in an Upload to fill it.
            </p>
            <a className="btn primary" {...linkProps('/')}>
              Go to projects
            </a>
          </div>
        ) : (
          <div className="media-space" style={{ height: rows * ROW_HEIGHT }}>
            {visible}
          </div>
        )}
        {loading && (
          <div className="loading small">
            <span className="spinner small" /> Loading media…
          </div>
        )}
      </div>
      <p className="muted small">
        {shown.length}
        {done ? '' : '+'} item{shown.length === 1 ? '' : 's'}
      </p>
    </div>
  );
}
