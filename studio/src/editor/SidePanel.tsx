import { useMemo } from 'react';
import { useStore } from 'zustand';
import type { StoreApi } from 'zustand/vanilla';
import { portsFor } from '../core/ports';
import { ParamsForm } from './ParamsForm';
import { kindClass } from './PipelineNode';
import type { EditorState } from './store';

/** The inspector: the selected node's settings and ports, or else the pipeline's problems and the shortcuts. */
export function SidePanel({ store, selectedId }: { store: StoreApi<EditorState>; selectedId: string | null }) {
  // Select the node's data, not the node: dragging changes its position but must not re-render the form.
  const data = useStore(store, (s) => (selectedId ? s.nodes.find((n) => n.id === selectedId)?.data : undefined));
  const node = data && selectedId ? { id: selectedId, data } : undefined;
  const info = useStore(store, (s) => (data ? s.catalogInfo[data.nodeType] : undefined));
  const problems = useStore(store, (s) => (selectedId ? s.problems.nodes[selectedId] : undefined));
  const general = useStore(store, (s) => s.problems);
  const ports = useMemo(() => (data ? portsFor(data.nodeType, data.params, info) : null), [data, info]);

  if (!node || !ports) {
    const all = [
      ...general.general,
      ...Object.entries(general.nodes).flatMap(([id, m]) => m.map((x) => `${id}: ${x}`)),
      ...Object.values(general.edges).flat(),
    ];
    return (
      <aside className="side-panel" aria-label="Inspector">
        <h3>Pipeline</h3>
        {all.length > 0 ? (
          <div className="alert error">
            <strong>
              {all.length} problem{all.length === 1 ? '' : 's'}
            </strong>
            <ul>
              {[...new Set(all)].slice(0, 12).map((m, i) => (
                <li key={i}>{m}</li>
              ))}
            </ul>
          </div>
        ) : (
          <p className="muted small">Select a node to edit its settings.</p>
        )}
        <h4>Shortcuts</h4>
        <ul className="shortcuts small">
          <li>
            <kbd>Ctrl</kbd>+<kbd>Z</kbd> undo · <kbd>Ctrl</kbd>+<kbd>Shift</kbd>+<kbd>Z</kbd> redo
          </li>
          <li>
            <kbd>Ctrl</kbd>+<kbd>C</kbd> / <kbd>Ctrl</kbd>+<kbd>V</kbd> copy / paste
          </li>
          <li>
            <kbd>Del</kbd> delete selection · <kbd>Shift</kbd>+drag to select many
          </li>
        </ul>
      </aside>
    );
  }
  return (
    <aside className="side-panel" aria-label="Inspector">
      <div className="row between">
        <h3>{info?.title ?? node.data.nodeType}</h3>
        <code className="muted small">{node.id}</code>
      </div>
      {info && <p className="muted small">{info.description}</p>}
      {problems && problems.length > 0 && (
        <div className="alert error" role="alert">
          <ul>
            {problems.map((m, i) => (
              <li key={i}>{m}</li>
            ))}
          </ul>
        </div>
      )}
      <label className="field">
        <span>Label</span>
        <input
          value={node.data.label ?? ''}
          placeholder={info?.title}
          onChange={(e) => store.getState().setLabel(node.id, e.target.value)}
        />
      </label>
      <ParamsForm
        schema={info?.params as never}
        values={node.data.params}
        inputs={ports.inputs}
        nodeType={node.data.nodeType}
        onChange={(patch) => store.getState().updateParams(node.id, patch)}
      />
      <h4>Ports</h4>
      <ul className="port-list small">
        {ports.inputs.map((p) => (
          <li key={`i-${p.handle}`}>
            <span className={`dot ${kindClass(p.kind)}`} /> in <b>{p.handle}</b> · {p.kind}
            {p.optional ? ' (optional)' : ''}
          </li>
        ))}
        {ports.outputs.map((p) => (
          <li key={`o-${p.handle}`}>
            <span className={`dot ${kindClass(p.kind)}`} /> out <b>{p.handle}</b> · {p.kind}
          </li>
        ))}
      </ul>
      <button className="btn small danger" onClick={() => store.getState().deleteSelected()}>
        Delete node
      </button>
    </aside>
  );
}
