import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { MEDIA_ARCHIVE_MAX_ITEMS } from '../../../api/contract';
import { api, type MediaItem, type PipelineSummary } from '../lib/api';
import { linkProps } from '../lib/router';
import { downloadZip } from '../media/archive';
import { KIND_OPTIONS } from '../media/kinds';
import { MediaGrid } from '../media/MediaGrid';
import { MediaViewer } from '../media/MediaViewer';
import { useMediaLibrary, type KindFilter, type MediaFilters } from '../media/useMediaLibrary';
import { usePendingDelete } from '../media/usePendingDelete';
import '../media/media.css';

const SEARCH_DELAY_MS = 250;

/** The media library: search, filters, a virtualised grid with selection, a full-size viewer and zips. */
export default function MediaScreen() {
  const [search, setSearch] = useState('');
  const [kind, setKind] = useState<KindFilter | ''>('');
  const [pipelineId, setPipelineId] = useState('');
  const [q, setQ] = useState('');
  useEffect(() => {
    const timer = setTimeout(() => setQ(search), SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [search]);
  const filters = useMemo<MediaFilters>(() => ({ q, kind, pipelineId }), [q, kind, pipelineId]);
  const filtered = !!(q.trim() || kind || pipelineId);

  const library = useMediaLibrary(filters);
  const [problem, setProblem] = useState<string | null>(null);
  const deletion = usePendingDelete({ onDeleted: library.drop, onFailed: setProblem });
  const shown = useMemo(
    () => (deletion.hidden.size ? library.items.filter((m) => !deletion.hidden.has(m.id)) : library.items),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [library.items, deletion.pending],
  );

  const [pipelines, setPipelines] = useState<PipelineSummary[]>([]);
  useEffect(() => {
    api<{ pipelines: PipelineSummary[] }>('GET', '/pipelines?limit=200').then(
      (r) => setPipelines([...r.pipelines].sort((a, b) => a.name.localeCompare(b.name))),
      () => undefined,
    );
  }, []);

  const [selected, setSelected] = useState<Set<string>>(new Set());
  const lastToggled = useRef<string | null>(null);
  useEffect(() => setSelected(new Set()), [filters]);
  const onToggle = useCallback(
    (id: string, range: boolean) => {
      setSelected((prev) => {
        const next = new Set(prev);
        const on = !prev.has(id);
        const from = range && lastToggled.current ? shown.findIndex((m) => m.id === lastToggled.current) : -1;
        const to = shown.findIndex((m) => m.id === id);
        const span = from >= 0 && to >= 0 ? shown.slice(Math.min(from, to), Math.max(from, to) + 1) : [shown[to]];
        for (const m of span) {
          if (!m) continue;
          if (on) next.add(m.id);
          else next.delete(m.id);
        }
        return next;
      });
      lastToggled.current = id;
    },
    [shown],
  );
  const selectedItems = shown.filter((m) => selected.has(m.id));

  const [viewing, setViewing] = useState<string | null>(null);
  const viewIndex = viewing ? shown.findIndex((m) => m.id === viewing) : -1;
  const onOpen = useCallback((id: string) => setViewing(id), []);
  const closeViewer = useCallback(() => setViewing(null), []);
  const { loadMore } = library;
  const onViewerIndex = useCallback(
    (index: number) => {
      setViewing(shown[index]?.id ?? null);
      if (index >= shown.length - 3) loadMore();
    },
    [shown, loadMore],
  );
  useEffect(() => {
    if (viewing && viewIndex < 0) setViewing(null);
  }, [viewing, viewIndex]);

  const onDelete = useCallback(
    (item: MediaItem) => {
      setSelected((prev) => {
        const next = new Set(prev);
        next.delete(item.id);
        return next;
      });
      deletion.remove([item]);
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [deletion.remove],
  );

  const [zipping, setZipping] = useState(false);
  const zip = async () => {
    setZipping(true);
    setProblem(null);
    try {
      await downloadZip(selectedItems.map((m) => m.id));
    } catch (err) {
      setProblem(`${(err as Error).message}. Try again, or pick fewer items.`);
    } finally {
      setZipping(false);
    }
  };
  const tooMany = selectedItems.length > MEDIA_ARCHIVE_MAX_ITEMS;

  const clearFilters = () => {
    setSearch('');
    setQ('');
    setKind('');
    setPipelineId('');
  };
  const empty = filtered ? (
    <div className="empty">
      <h3>No media matches</h3>
      <p>Nothing{q.trim() ? ` has “${q.trim()}” in its title, pipeline or run inputs` : ' fits these filters'}.</p>
      <button className="btn" onClick={clearFilters}>
        Clear filters
      </button>
    </div>
  ) : (
    <div className="empty">
      <h3>Nothing here yet</h3>
      <p>
        Everything an <strong>Upload</strong> node publishes lands here. Run a pipeline that ends in an Upload to fill it.
      </p>
      <a className="btn primary" {...linkProps('/')}>
        Go to projects
      </a>
    </div>
  );

  return (
    <div className="page media-page">
      <div className="media-head">
        <h1>Media library</h1>
        <div className="media-filters" role="search">
          <input
            type="search"
            className="media-search"
            aria-label="Search media"
            placeholder="Search titles, pipelines, inputs…"
            value={search}
            maxLength={200}
            onChange={(e) => setSearch(e.target.value)}
          />
          <select aria-label="Kind" value={kind} onChange={(e) => setKind(e.target.value as KindFilter | '')}>
            {KIND_OPTIONS.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
          <select aria-label="Pipeline" value={pipelineId} onChange={(e) => setPipelineId(e.target.value)}>
            <option value="">All pipelines</option>
            {pipelines.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </div>
      </div>

      {selectedItems.length > 0 && (
        <div className="media-selection" role="toolbar" aria-label="Selected media">
          <strong>{selectedItems.length} selected</strong>
          <button className="btn small primary" disabled={zipping || tooMany} onClick={() => void zip()}>
            {zipping ? (
              <>
                <span className="spinner small" /> Making the zip…
              </>
            ) : (
              'Download as zip'
            )}
          </button>
          <button
            className="btn small danger"
            onClick={() => {
              deletion.remove(selectedItems);
              setSelected(new Set());
            }}
          >
            Delete {selectedItems.length}
          </button>
          <button className="btn small ghost" onClick={() => setSelected(new Set(shown.map((m) => m.id)))}>
            Select all {shown.length}
            {library.done ? '' : '+'}
          </button>
          <button className="btn small ghost" onClick={() => setSelected(new Set())}>
            Clear selection
          </button>
          {tooMany && <span className="small error-text">A zip holds at most {MEDIA_ARCHIVE_MAX_ITEMS} items: select fewer.</span>}
        </div>
      )}

      {(library.error || problem) && (
        <div className="alert error" role="alert">
          {library.error ?? problem}
        </div>
      )}

      <MediaGrid
        items={shown}
        selected={selected}
        empty={empty}
        loading={library.loading}
        onNearEnd={library.loadMore}
        onToggle={onToggle}
        onOpen={onOpen}
        onRename={library.rename}
        onDelete={onDelete}
        reveal={viewing}
      />
      <p className="muted small" data-testid="media-count">
        {shown.length}
        {library.done ? '' : '+'} item{shown.length === 1 ? '' : 's'}
        {filtered ? ' match' : ''}
      </p>

      {deletion.pending && (
        <div className="media-undo" role="status">
          Deleted {deletion.pending.length === 1 ? `“${deletion.pending[0].title}”` : `${deletion.pending.length} items`}.
          <button className="btn small" onClick={deletion.undo}>
            Undo
          </button>
        </div>
      )}

      {viewIndex >= 0 && <MediaViewer items={shown} index={viewIndex} onIndex={onViewerIndex} onClose={closeViewer} />}
    </div>
  );
}
