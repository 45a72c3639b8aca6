import { useEffect, useRef, useState } from 'react';

/**
 * Text as it streams in, in a panel the user can resize (drag its corner) or expand into a large floating one;
 * it follows the newest words unless the user has scrolled up to read.
 */
export function StreamingText({ text }: { text: string }) {
  const [expanded, setExpanded] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  const following = useRef(true);

  useEffect(() => {
    const el = box.current;
    if (el && following.current) el.scrollTop = el.scrollHeight;
  }, [text, expanded]);

  return (
    <section className={`stream-panel${expanded ? ' expanded' : ''}`} aria-label="Streaming text">
      <div className="row between">
        <h4>Streaming</h4>
        <button className="btn ghost small" aria-pressed={expanded} onClick={() => setExpanded(!expanded)}>
          {expanded ? 'Collapse' : '⤢ Expand'}
        </button>
      </div>
      <div
        ref={box}
        className="stream-text out-text streaming"
        tabIndex={0}
        onScroll={(e) => {
          const el = e.currentTarget;
          following.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
        }}
      >
        {text}
      </div>
    </section>
  );
}
