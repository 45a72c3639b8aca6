import '@xyflow/react/dist/style.css';
import { useEffect, useMemo, useRef, useState, type MouseEvent } from 'react';
import { ReactFlowProvider, useReactFlow } from '@xyflow/react';
import { useStore } from 'zustand';
import { GraphSchema, validateGraph, type Graph } from '../../../workflows/pipeline';
import { Loading } from '../ui/Loading';
import { Canvas } from '../editor/Canvas';
import { FlowContext, type FlowEnv } from '../editor/context';
import { Palette } from '../editor/Palette';
import { RunDialog } from '../editor/RunDialog';
import { SchedulePanel } from '../schedules/SchedulePanel';
import { SidePanel } from '../editor/SidePanel';
import { createEditorStore, editableGraph, type EditorState } from '../editor/store';
import { useDraft, type SaveStatus } from '../editor/useDraft';
import { api, ApiError, loadCatalog, type NodeInfo, type Pipeline } from '../lib/api';
import { linkProps, navigate } from '../lib/router';
import { useColorMode } from '../lib/useColorMode';
import type { StoreApi } from 'zustand/vanilla';

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || el.isContentEditable);
}

function SaveBadge({ status, hasDraft, version }: { status: SaveStatus; hasDraft: boolean; version: number }) {
  const text =
    status.kind === 'saved'
      ? hasDraft
        ? 'Draft saved'
        : `Saved as version ${version}`
      : status.kind === 'dirty'
        ? 'Unsaved changes'
        : status.kind === 'saving'
          ? 'Saving…'
          : status.kind === 'offline'
            ? 'Offline — retrying'
            : `Not saved: ${status.message}`;
  return (
    <span className={`save-badge save-${status.kind}`} role="status" data-save={status.kind} title={text}>
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
        // The draft is what the user last saw, problems and all; without one, the current version.
        env.editor.getState().load(p.draft ? editableGraph(p.draft.graph) : p.graph);
        env.editor.getState().setProblems(p.draft?.problems ?? []);
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
  const draft = useDraft(store, pipeline);
  const { status: saveStatus, problems, recordVersion } = draft;
  const [name, setName] = useState(pipeline.name);
  const [savedName, setSavedName] = useState(pipeline.name);
  const [toast, setToast] = useState<{ text: string; kind: 'error' | 'info' } | null>(null);
  const [runGraph, setRunGraph] = useState<Graph | null>(null);
  const [scheduling, setScheduling] = useState(false);
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
      if (isTyping(e.target) || runGraph || scheduling) return;
      const mod = e.ctrlKey || e.metaKey;
      const key = e.key.toLowerCase();
      const s = store.getState();
      if (mod && key === 'z' && !e.shiftKey) s.undo();
      else if (mod && ((key === 'z' && e.shiftKey) || key === 'y')) s.redo();
      else if (mod && key === 'c') s.copy();
      else if (mod && key === 'v') s.paste();
      else if (mod && key === 's') void saveVersion();
      else if (!mod && (e.key === 'Delete' || e.key === 'Backspace')) s.deleteSelected();
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  const addAtCenter = (type: string) => {
    const box = document.querySelector('.canvas')?.getBoundingClientRect();
    const p = flow.screenToFlowPosition({ x: (box?.left ?? 0) + (box?.width ?? 800) / 2, y: (box?.top ?? 0) + (box?.height ?? 600) / 2 });
    const jitter = (store.getState().nodes.length % 5) * 24;
    store.getState().addNode(type, { x: p.x - 110 + jitter, y: p.y - 40 + jitter });
  };

  const rename = async () => {
    const trimmed = name.trim();
    if (!trimmed || trimmed === savedName) return setName(savedName);
    try {
      await api('PUT', `/pipelines/${pipeline.id}`, { name: trimmed });
      setSavedName(trimmed);
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

  const problemsText = `${problems.length} problem${problems.length === 1 ? '' : 's'}`;
  const notSaved = () => setToast({ text: 'The latest changes are not saved yet: check the connection and try again.', kind: 'error' });

  const saveVersion = async () => {
    if (!(await draft.flush())) return notSaved();
    const before = draft.version;
    try {
      const version = await recordVersion();
      setToast({ text: version === before ? `No changes since version ${version}` : `Saved version ${version}`, kind: 'info' });
    } catch (err) {
      const count = err instanceof ApiError ? err.problems.length : 0;
      const text = count ? `Fix the ${count} problem${count === 1 ? '' : 's'} shown on the canvas to save a version.` : (err as Error).message;
      setToast({ text, kind: 'error' });
    }
  };

  /** Runs what the canvas shows: once saved and valid, the Run dialog records it as a version and runs that. */
  const openRun = async () => {
    if (!(await draft.flush())) return notSaved();
    const checked = validateGraph(store.getState().toGraph());
    if (!checked.graph) {
      store.getState().setProblems(checked.problems);
      return setToast({ text: 'Fix the problems shown on the canvas before running.', kind: 'error' });
    }
    setRunGraph(checked.graph);
  };

  /** ← saves what is pending before leaving, and asks when it cannot. */
  const leave = async (e: MouseEvent<HTMLAnchorElement>, to: string) => {
    if (e.metaKey || e.ctrlKey || e.button !== 0) return;
    e.preventDefault();
    if (!(await draft.flush()) && !window.confirm('Your latest changes are not saved yet. Leave anyway?')) return;
    navigate(to);
  };

  return (
    <div className="editor">
      <div className="toolbar">
        <a className="btn ghost small" href={`/projects/${pipeline.projectId}`} onClick={(e) => void leave(e, `/projects/${pipeline.projectId}`)} title="Back to the project">←</a>
        <input
          className="title-input"
          aria-label="Pipeline name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          onBlur={() => void rename()}
          onKeyDown={(e) => e.key === 'Enter' && (e.target as HTMLInputElement).blur()}
        />
        <SaveBadge status={saveStatus} hasDraft={draft.hasDraft} version={draft.version} />
        {problems.length > 0 && (
          <span className="problem-count" data-problems={problems.length} title="The draft is saved; fix these to run it or save a version">
            {problemsText}
          </span>
        )}
        <div className="spacer" />
        <div className="btn-group">
          <button className="btn small" onClick={() => store.getState().undo()} disabled={!canUndo} title="Undo (Ctrl+Z)" aria-label="Undo">↶ <span className="label">Undo</span></button>
          <button className="btn small" onClick={() => store.getState().redo()} disabled={!canRedo} title="Redo (Ctrl+Shift+Z)" aria-label="Redo">↷ <span className="label">Redo</span></button>
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
        <button className="btn small" onClick={() => setScheduling(true)} title="Run this pipeline on a calendar or at an interval">
          Schedule
        </button>
        <button
          className="btn small"
          onClick={() => void saveVersion()}
          disabled={!draft.hasDraft && saveStatus.kind === 'saved'}
          title="Record the draft as a new version (Ctrl+S); a run does this too"
        >
          Save version
        </button>
        <button className="btn primary" onClick={() => void openRun()} disabled={nodeCount === 0}>
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
      {scheduling && <SchedulePanel pipelineId={pipeline.id} onClose={() => setScheduling(false)} />}
      {runGraph && <RunDialog pipelineId={pipeline.id} graph={runGraph} recordVersion={recordVersion} onClose={() => setRunGraph(null)} />}
    </div>
  );
}
