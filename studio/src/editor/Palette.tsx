import { useMemo, useState } from 'react';
import type { NodeInfo } from '../lib/api';
import { kindClass } from './PipelineNode';

export const DND_TYPE = 'application/x-creativeflow-node';
const ORDER = ['inputs', 'text', 'media', 'flow', 'outputs'];
const TITLES: Record<string, string> = { inputs: 'Inputs', text: 'Text', media: 'Media', flow: 'Flow', outputs: 'Outputs' };

export function Palette({ catalog, onAdd }: { catalog: NodeInfo[]; onAdd(type: string): void }) {
  const [filter, setFilter] = useState('');
  const groups = useMemo(() => {
    const f = filter.trim().toLowerCase();
    const shown = catalog.filter((n) => !f || `${n.title} ${n.type} ${n.description}`.toLowerCase().includes(f));
    const cats = [...new Set(shown.map((n) => n.category))].sort((a, b) => ((ORDER.indexOf(a) + 99) % 99) - ((ORDER.indexOf(b) + 99) % 99));
    return cats.map((c) => ({ category: c, nodes: shown.filter((n) => n.category === c) }));
  }, [catalog, filter]);
  return (
    <aside className="palette" aria-label="Node palette">
      <input
        className="palette-filter"
        type="search"
        placeholder="Find a node…"
        value={filter}
        onChange={(e) => setFilter(e.target.value)}
        aria-label="Find a node"
      />
      {groups.map((g) => (
        <section key={g.category}>
          <h4>{TITLES[g.category] ?? g.category}</h4>
          {g.nodes.map((n) => (
            <div
              key={n.type}
              className={`palette-item cat-${n.category}`}
              data-palette-type={n.type}
              draggable
              role="button"
              tabIndex={0}
              title={`${n.description}\nDrag onto the canvas, or press Enter to add.`}
              onDragStart={(e) => {
                e.dataTransfer.setData(DND_TYPE, n.type);
                e.dataTransfer.effectAllowed = 'move';
              }}
              onDoubleClick={() => onAdd(n.type)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' || e.key === ' ') {
                  e.preventDefault();
                  onAdd(n.type);
                }
              }}
            >
              <div className="palette-title">{n.title}</div>
              <div className="palette-kinds">
                {n.inputs.map((p) => (
                  <span key={`i${p.handle}`} className={`dot ${kindClass(p.kind)}`} title={`in: ${p.handle} (${p.kind})`} />
                ))}
                {n.inputs.length > 0 && n.outputs.length > 0 && <span className="arrow">→</span>}
                {n.outputs.map((p) => (
                  <span key={`o${p.handle}`} className={`dot ${kindClass(p.kind)}`} title={`out: ${p.handle} (${p.kind})`} />
                ))}
              </div>
            </div>
          ))}
        </section>
      ))}
      {groups.length === 0 && <p className="muted small">No node matches.</p>}
    </aside>
  );
}
