import { useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import type { MediaItem } from '../lib/api';
import { MediaCard } from './MediaCard';

const ROW_HEIGHT = 262;
const MIN_TILE = 220;
const GAP = 16;
/** Rows kept in the DOM above and below the viewport. */
const OVERSCAN = 2;

/**
 * The library as a virtualised grid: only the rows in (and just around) the viewport are in the DOM, and
 * `onNearEnd` asks for the next page a few rows before the end, so thousands of items scroll smoothly.
 */
export function MediaGrid(props: {
  items: MediaItem[];
  selected: Set<string>;
  empty: ReactNode;
  loading: boolean;
  onNearEnd: () => void;
  onToggle: (id: string, range: boolean) => void;
  onOpen: (id: string) => void;
  onRename: (id: string, name: string | null) => Promise<unknown>;
  onDelete: (item: MediaItem) => void;
  /** Scroll this item into view (the viewer's current one). */
  reveal?: string | null;
}) {
  const { items, onNearEnd } = props;
  const scroller = useRef<HTMLDivElement>(null);
  const [view, setView] = useState({ top: 0, height: 800, width: 1000 });

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

  const columns = Math.max(1, Math.floor((view.width + GAP) / (MIN_TILE + GAP)));
  const rows = Math.ceil(items.length / columns);
  const first = Math.max(0, Math.floor(view.top / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(rows, Math.ceil((view.top + view.height) / ROW_HEIGHT) + OVERSCAN);

  useEffect(() => {
    if (last >= rows - 3) onNearEnd();
  }, [last, rows, onNearEnd]);

  useEffect(() => {
    const el = scroller.current;
    const at = props.reveal ? items.findIndex((m) => m.id === props.reveal) : -1;
    if (!el || at < 0) return;
    const top = Math.floor(at / columns) * ROW_HEIGHT;
    if (top < el.scrollTop || top + ROW_HEIGHT > el.scrollTop + el.clientHeight) el.scrollTop = Math.max(0, top - ROW_HEIGHT);
  }, [props.reveal, items, columns]);

  const visible = [];
  for (let r = first; r < last; r++) {
    visible.push(
      <div
        key={r}
        className="media-row"
        style={{ top: r * ROW_HEIGHT, gridTemplateColumns: `repeat(${columns}, minmax(0, 1fr))`, height: ROW_HEIGHT - GAP }}
      >
        {items.slice(r * columns, r * columns + columns).map((item) => (
          <MediaCard
            key={item.id}
            item={item}
            selected={props.selected.has(item.id)}
            onToggle={props.onToggle}
            onOpen={props.onOpen}
            onRename={props.onRename}
            onDelete={props.onDelete}
          />
        ))}
      </div>,
    );
  }

  return (
    <div className="media-scroller" ref={scroller} data-count={items.length}>
      {items.length === 0 && !props.loading ? (
        props.empty
      ) : (
        <div className="media-space" style={{ height: rows * ROW_HEIGHT }}>
          {visible}
        </div>
      )}
      {props.loading && (
        <div className="loading small">
          <span className="spinner small" /> Loading media…
        </div>
      )}
    </div>
  );
}
