import '@xyflow/react/dist/style.css';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ReactFlowProvider, useReactFlow } from '@xyflow/react';
import { useStore } from 'zustand';
import { GraphSchema, type Graph } from '../../../workflows/pipeline';
import { Loading } from '../ui/Loading';
import { Canvas } from '../editor/Canvas';
import { FlowContext, type FlowEnv } from '../editor/context';
import { Palette } from '../editor/Palette';
import { ParamsForm } from '../editor/ParamsForm';
import { kindClass } from '../editor/PipelineNode';
import { createEditorStore, portsFor, type EditorState } from '../editor/store';
import { api, ApiError, loadCatalog, type NodeInfo, type Pipeline } from '../lib/api';
import { linkProps, navigate } from '../lib/router';
import { useColorMode } from '../lib/useColorMode';
import type { StoreApi } from 'zustand/vanilla';

type SaveState = { kind: 'saved' } | { kind: 'dirty' } | { kind: 'saving' } | { kind: 'invalid'; count: number } | { kind: 'error'; message: string };

const SAVE_DEBOUNCE_MS = 700;

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || el.isContentEditable);
}

/** Debounced autosave of the graph: PUT on every edit burst; server problems land on nodes/edges. */
function useAutosave(store: StoreApi<EditorState>, pipelineId: string) {
  const [state, setState] = useState<SaveState>({ kind: 'saved' });
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const seq = useRef(0);
  const savedRevision = useRef(0);
  const inflight = useRef<Promise<boolean> | null>(null);

  const save = useCallback(async (): Promise<boolean> => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    const revision = store.getState().revision;
    if (revision === savedRevision.current) return inflight.current ?? true; // unchanged since loaded or saved
    const mine = ++seq.current;
    setState({ kind: 'saving' });
    const run = (async () => {
      try {
        await api('PUT', `/pipelines/${pipelineId}`, { graph: store.getState().toGraph() });
        if (mine === seq.current) {
          savedRevision.current = revision;
          store.getState().setProblems([]);
          setState(store.getState().revision === revision ? { kind: 'saved' } : { kind: 'dirty' });
        }
        return true;
      } catch (err) {
        if (mine === seq.current) {
          if (err instanceof ApiError && err.problems.length) {
            store.getState().setProblems(err.problems);
            setState({ kind: 'invalid', count: err.problems.length });
          } else {
            setState({ kind: 'error', message: (err as Error).message });
          }
        }
        return false;
      }
    })();
    inflight.current = run;
    return run;
  }, [store, pipelineId]);

  useEffect(
    () =>
      store.subscribe((s, prev) => {
        if (s.revision === prev.revision || s.revision === 0) return;
        setState((st) => (st.kind === 'dirty' ? st : { kind: 'dirty' }));
        if (timer.current) clearTimeout(timer.current);
        timer.current = setTimeout(() => void save(), SAVE_DEBOUNCE_MS);
      }),
    [store, save],
  );

  useEffect(() => {
    const warn = (e: BeforeUnloadEvent) => {
      if (timer.current) {
        void save();
        e.preventDefault();
      }
    };
    window.addEventListener('beforeunload', warn);
    return () => {
      window.removeEventListener('beforeunload', warn);
      if (timer.current) void save();
    };
  }, [save]);

  return { state, save };
}

function SaveBadge({ state }: { state: SaveState }) {
  const text =
    state.kind === 'saved'
      ? 'Saved'
      : state.kind === 'dirty'
        ? 'Unsaved changes'
        : state.kind === 'saving'
          ? 'Saving…'
          : state.kind === 'invalid'
            ? `Not saved: ${state.count} problem${state.count === 1 ? '' : 's'}`
            : `Error: ${state.message}`;
  return (
    <span className={`save-badge save-${state.kind}`} role="status" data-save={state.kind} title={text}>
      {text}
    </span>
  );
}

export default function EditorScreen({ pipelineId }: { pipelineId: string }) {
  const [pipeline, setPipeline] = useState<Pipeline | null>(null);
  const [catalog, setCatalog] = useState<NodeInfo[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const env = useMemo<FlowEnv>(() => ({ editor: createEditorStore() }), []);

  useEffect(() => {
    Promise.all([api<Pipeline>('GET', `/pipelines/${pipelineId}`), loadCatalog()]).then(
      ([p, c]) => {
        env.editor.getState().setCatalog(c);
        env.editor.getState().load(p.graph);
        setCatalog(c);
        setPipeline(p);
      },
      (err) => setError((err as Error).message),
    );
  }, [pipelineId, env]);

  if (error) return <div className="page"><div className="alert error" role="alert">{error}</div><a {...linkProps('/')}>Back to projects</a></div>;
  if (!pipeline || !catalog) return <Loading label="Opening pipeline…" />;
  return (
    <FlowContext.Provider value={env}>
      <ReactFlowProvider>
        <Editor pipeline={pipeline} catalog={catalog} store={env.editor} />
      </ReactFlowProvider>
    </FlowContext.Provider>
  );
}

function Editor({ pipeline, catalog, store }: { pipeline: Pipeline; catalog: NodeInfo[]; store: StoreApi<EditorState> }) {
  const { state: saveState, save } = useAutosave(store, pipeline.id);
  const [name, setName] = useState(pipeline.name);
  const [toast, setToast] = useState<{ text: string; kind: 'error' | 'info' } | null>(null);
  const [runOpen, setRunOpen] = useState(false);
  const colorMode = useColorMode();
  const flow = useReactFlow();
  const fileInput = useRef<HTMLInputElement>(null);
  const canUndo = useStore(store, (s) => s.past.length > 0);
  const canRedo = useStore(store, (s) => s.future.length > 0);
  const selectedId = useStore(store, (s) => {
    const sel = s.nodes.filter((n) => n.selected);
    return sel.length === 1 ? sel[0].id : null;
  });
  const nodeCount = useStore(store, (s) => s.nodes.length);
  const refusal = useStore(store, (s) => s.refusal);

  useEffect(() => {
    if (refusal) setToast({ text: refusal.message, kind: 'error' });
  }, [refusal]);
  useEffect(() => {
    if (!toast) return;
    const t = setTimeout(() => setToast(null), 5000);
    return () => clearTimeout(t);
  }, [toast]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (isTyping(e.target) || runOpen) return;
      const mod = e.ctrlKey || e.metaKey;
      const key = e.key.toLowerCase();
      const s = store.getState();
      if (mod && key === 'z' && !e.shiftKey) s.undo();
      else if (mod && ((key === 'z' && e.shiftKey) || key === 'y')) s.redo();
      else if (mod && key === 'c') s.copy();
      else if (mod && key === 'v') s.paste();
      else if (mod && key === 's') void save();
      else if (!mod && (e.key === 'Delete' || e.key === 'Backspace')) s.deleteSelected();
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [store, save, runOpen]);

  const addAtCenter = (type: string) => {
    const box = document.querySelector('.canvas')?.getBoundingClientRect();
    const p = flow.screenToFlowPosition({ x: (box?.left ?? 0) + (box?.width ?? 800) / 2, y: (box?.top ?? 0) + (box?.height ?? 600) / 2 });
    const jitter = (store.getState().nodes.length % 5) * 24;
    store.getState().addNode(type, { x: p.x - 110 + jitter, y: p.y - 40 + jitter });
  };

  const rename = async () => {
    const trimmed = name.trim();
    if (!trimmed || trimmed === pipeline.name) return setName(pipeline.name);
    try {
      await api('PUT', `/pipelines/${pipeline.id}`, { name: trimmed });
      pipeline.name = trimmed;
    } catch (err) {
      setToast({ text: (err as Error).message, kind: 'error' });
    }
  };

  const exportJson = () => {
    const blob = new Blob([JSON.stringify(store.getState().toGraph(), null, 2)], { type: 'application/json' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `${name.replace(/[^\w-]+/g, '_') || 'pipeline'}.json`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  };

  const importJson = async (file: File) => {
    try {
      const raw = JSON.parse(await file.text());
      const parsed = GraphSchema.safeParse(raw.graph ?? raw);
      if (!parsed.success) throw new Error(`Not a pipeline graph: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
      store.getState().replace(parsed.data as Graph);
      requestAnimationFrame(() => flow.fitView({ padding: 0.2 }));
      setToast({ text: `Imported ${parsed.data.nodes.length} nodes`, kind: 'info' });
    } catch (err) {
      setToast({ text: `Import failed: ${(err as Error).message}`, kind: 'error' });
    }
  };

  const openRun = async () => {
    const ok = await save();
    if (!ok) {
      setToast({ text: 'Fix the problems shown on the canvas before running.', kind: 'error' });
      return;
    }
    setRunOpen(true);
  };

  return (
    <div className="editor">
      <div className="toolbar">
        <a className="btn ghost small" {...linkProps(`/projects/${pipeline.projectId}`)} title="Back to the project">←</a>
        <input
          className="title-input"
          aria-label="Pipeline name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          onBlur={() => void rename()}
          onKeyDown={(e) => e.key === 'Enter' && (e.target as HTMLInputElement).blur()}
        />
        <SaveBadge state={saveState} />
        <div className="spacer" />
        <div className="btn-group">
          <button className="btn small" onClick={() => store.getState().undo()} disabled={!canUndo} title="Undo (Ctrl+Z)">↶ Undo</button>
          <button className="btn small" onClick={() => store.getState().redo()} disabled={!canRedo} title="Redo (Ctrl+Shift+Z)">↷ Redo</button>
        </div>
        <button className="btn small" onClick={() => flow.fitView({ padding: 0.2, duration: 200 })} title="Fit the whole pipeline in view">Fit view</button>
        <button className="btn small" onClick={exportJson} title="Download the graph as JSON">Export</button>
        <button className="btn small" onClick={() => fileInput.current?.click()} title="Load a graph from a JSON file">Import</button>
        <input
          ref={fileInput}
          type="file"
          accept="application/json,.json"
          hidden
          onChange={(e) => {
            const f = e.target.files?.[0];
            if (f) void importJson(f);
            e.target.value = '';
          }}
        />
        <a className="btn small" {...linkProps(`/pipelines/${pipeline.id}/runs`)}>History</a>
        <button className="btn primary" onClick={() => void openRun()} disabled={nodeCount === 0 || saveState.kind === 'saving'}>
          ▶ Run
        </button>
      </div>
      <div className="editor-body">
        <Palette catalog={catalog} onAdd={addAtCenter} />
        <div className="canvas-wrap">
          <Canvas colorMode={colorMode} />
          {nodeCount === 0 && (
            <div className="canvas-empty">
              <h3>An empty canvas</h3>
              <p>Drag nodes from the palette on the left (or press Enter on one), then connect an output port to an input port.</p>
            </div>
          )}
          {toast && (
            <div className={`toast ${toast.kind}`} role="alert" onClick={() => setToast(null)}>
              {toast.text}
            </div>
          )}
        </div>
        <SidePanel store={store} selectedId={selectedId} />
      </div>
      {runOpen && <RunDialog pipelineId={pipeline.id} store={store} onClose={() => setRunOpen(false)} />}
    </div>
  );
}

function SidePanel({ store, selectedId }: { store: StoreApi<EditorState>; selectedId: string | null }) {
  // Select the node's data, not the node: dragging changes its position but must not re-render the form.
  const data = useStore(store, (s) => (selectedId ? s.nodes.find((n) => n.id === selectedId)?.data : undefined));
  const node = data && selectedId ? { id: selectedId, data } : undefined;
  const info = useStore(store, (s) => (data ? s.catalogInfo[data.nodeType] : undefined));
  const problems = useStore(store, (s) => (selectedId ? s.problems.nodes[selectedId] : undefined));
  const general = useStore(store, (s) => s.problems);
  const ports = useMemo(() => (node ? portsFor(node.data.nodeType, node.data.params, info) : null), [node?.data.nodeType, node?.data.params, info]);

  if (!node || !ports) {
    const all = [...general.general, ...Object.entries(general.nodes).flatMap(([id, m]) => m.map((x) => `${id}: ${x}`)), ...Object.values(general.edges).flat()];
    return (
      <aside className="side-panel" aria-label="Inspector">
        <h3>Pipeline</h3>
        {all.length > 0 ? (
          <div className="alert error">
            <strong>{all.length} problem{all.length === 1 ? '' : 's'}</strong>
            <ul>{[...new Set(all)].slice(0, 12).map((m, i) => <li key={i}>{m}</li>)}</ul>
          </div>
        ) : (
          <p className="muted small">Select a node to edit its settings.</p>
        )}
        <h4>Shortcuts</h4>
        <ul className="shortcuts small">
          <li><kbd>Ctrl</kbd>+<kbd>Z</kbd> undo · <kbd>Ctrl</kbd>+<kbd>Shift</kbd>+<kbd>Z</kbd> redo</li>
          <li><kbd>Ctrl</kbd>+<kbd>C</kbd> / <kbd>Ctrl</kbd>+<kbd>V</kbd> copy / paste</li>
          <li><kbd>Del</kbd> delete selection · <kbd>Shift</kbd>+drag to select many</li>
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
          <ul>{problems.map((m, i) => <li key={i}>{m}</li>)}</ul>
        </div>
      )}
      <label className="field">
        <span>Label</span>
        <input value={node.data.label ?? ''} placeholder={info?.title} onChange={(e) => store.getState().setLabel(node.id, e.target.value)} />
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
        {ports.inputs.map((p) => <li key={`i-${p.handle}`}><span className={`dot ${kindClass(p.kind)}`} /> in <b>{p.handle}</b> · {p.kind}{p.optional ? ' (optional)' : ''}</li>)}
        {ports.outputs.map((p) => <li key={`o-${p.handle}`}><span className={`dot ${kindClass(p.kind)}`} /> out <b>{p.handle}</b> · {p.kind}</li>)}
      </ul>
      <button className="btn small danger" onClick={() => store.getState().deleteSelected()}>Delete node</button>
    </aside>
  );
}

function RunDialog({ pipelineId, store, onClose }: { pipelineId: string; store: StoreApi<EditorState>; onClose(): void }) {
  const inputs = useMemo(
    () =>
      store
        .getState()
        .nodes.filter((n) => n.data.nodeType === 'input')
        .map((n) => ({
          id: n.id,
          name: String(n.data.params.name ?? 'prompt'),
          kind: String(n.data.params.kind ?? 'text'),
          required: n.data.params.required !== false,
          default: n.data.params.default,
          description: n.data.params.description as string | undefined,
        })),
    [store],
  );
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(inputs.map((i) => [i.name, i.default === undefined ? '' : typeof i.default === 'string' ? i.default : JSON.stringify(i.default)])),
  );
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const start = async () => {
    setBusy(true);
    setError(null);
    try {
      const body: Record<string, unknown> = {};
      for (const i of inputs) {
        const raw = values[i.name] ?? '';
        if (raw === '' && !i.required) continue;
        body[i.name] = i.kind === 'json' ? JSON.parse(raw || 'null') : raw;
      }
      const res = await api<{ id: string }>('POST', `/pipelines/${pipelineId}/runs`, { inputs: body });
      navigate(`/runs/${res.id}`);
    } catch (err) {
      setError(err instanceof ApiError && err.problems.length ? err.problems.map((p) => p.message).join('; ') : (err as Error).message);
      setBusy(false);
    }
  };

  return (
    <div className="modal-backdrop" onClick={onClose}>
      <form
        className="modal card"
        role="dialog"
        aria-label="Run pipeline"
        onClick={(e) => e.stopPropagation()}
        onSubmit={(e) => {
          e.preventDefault();
          void start();
        }}
        onKeyDown={(e) => e.key === 'Escape' && onClose()}
      >
        <h2>Run pipeline</h2>
        {inputs.length === 0 && <p className="muted">This pipeline takes no inputs.</p>}
        {inputs.map((i, index) => (
          <label key={i.id} className="field">
            <span>
              {i.name} {i.required ? <em className="muted">(required)</em> : <em className="muted">(optional)</em>}
            </span>
            <textarea
              name={`input-${i.name}`}
              rows={i.kind === 'json' ? 4 : 2}
              autoFocus={index === 0}
              placeholder={i.kind === 'json' ? '{"any": "JSON"}' : i.description ?? `Text for {{${i.name}}}`}
              value={values[i.name] ?? ''}
              onChange={(e) => setValues({ ...values, [i.name]: e.target.value })}
            />
            {i.description && <small className="muted">{i.description}</small>}
          </label>
        ))}
        {error && <div className="alert error" role="alert">{error}</div>}
        <div className="row end">
          <button type="button" className="btn" onClick={onClose}>Cancel</button>
          <button type="submit" className="btn primary" disabled={busy}>{busy ? 'Starting…' : '▶ Start run'}</button>
        </div>
      </form>
    </div>
  );
}
