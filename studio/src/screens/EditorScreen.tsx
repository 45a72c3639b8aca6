import '@xyflow/react/dist/style.css';
import { useEffect, useMemo, useState, type MouseEvent } from 'react';
import { ReactFlowProvider, useReactFlow } from '@xyflow/react';
import { useStore } from 'zustand';
import type { StoreApi } from 'zustand/vanilla';
import { validateGraph, type Graph } from '../../../workflows/pipeline';
import { editableGraph } from '../core/editableGraph';
import { Canvas } from '../editor/Canvas';
import { FlowContext, type FlowEnv } from '../editor/context';
import { Palette } from '../editor/Palette';
import { RunDialog } from '../editor/RunDialog';
import { SchedulePanel } from '../schedules/SchedulePanel';
import { SidePanel } from '../editor/SidePanel';
import { createEditorStore, type EditorState } from '../editor/store';
import { EditorToolbar } from '../editor/Toolbar';
import { useDraft } from '../editor/useDraft';
import { useShortcuts } from '../editor/useShortcuts';
import { useToast } from '../editor/useToast';
import { api, ApiError, loadCatalog, type NodeInfo, type Pipeline, type Project } from '../lib/api';
import { linkProps, navigate } from '../lib/router';
import { useColorMode } from '../lib/useColorMode';
import { useNarrow } from '../lib/useNarrow';
import { Loading } from '../ui/Loading';
import { DrawerToggle, SideDrawer } from '../ui/SideDrawer';
import { VersionsDialog } from '../versions/VersionsDialog';
import { WebhooksDialog } from '../webhooks/WebhooksDialog';

export default function EditorScreen({ pipelineId }: { pipelineId: string }) {
  const [pipeline, setPipeline] = useState<Pipeline | null>(null);
  const [catalog, setCatalog] = useState<NodeInfo[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const env = useMemo<FlowEnv>(() => ({ editor: createEditorStore() }), []);

  useEffect(() => {
    Promise.all([api<Pipeline>('GET', `/pipelines/${pipelineId}`), loadCatalog()]).then(
      ([p, c]) => {
        env.editor.getState().setCatalog(c);
        // New nodes take the project's defaults (provider, voice, style) where they fit; without them, the catalog's.
        api<Project>('GET', `/projects/${p.projectId}`).then(
          (project) => env.editor.getState().setProjectDefaults(project.settings ?? {}),
          () => undefined,
        );
        // The draft is what the user last saw, problems and all; without one, the current version.
        env.editor.getState().load(p.draft ? editableGraph(p.draft.graph) : p.graph);
        env.editor.getState().setProblems(p.draft?.problems ?? []);
        setCatalog(c);
        setPipeline(p);
      },
      (err) => setError((err as Error).message),
    );
  }, [pipelineId, env]);

  if (error)
    return (
      <div className="page">
        <div className="alert error" role="alert">
          {error}
        </div>
        <a {...linkProps('/')}>Back to projects</a>
      </div>
    );
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
  const [toast, setToast] = useToast(store);
  const [runGraph, setRunGraph] = useState<Graph | null>(null);
  const [webhooksOpen, setWebhooksOpen] = useState(false);
  const [versionsOpen, setVersionsOpen] = useState(false);
  const [scheduling, setScheduling] = useState(false);
  const colorMode = useColorMode();
  const narrow = useNarrow();
  const [inspectorOpen, setInspectorOpen] = useState(false);
  const flow = useReactFlow();
  const selectedId = useStore(store, (s) => {
    const sel = s.nodes.filter((n) => n.selected);
    return sel.length === 1 ? sel[0].id : null;
  });
  const nodeCount = useStore(store, (s) => s.nodes.length);

  const addAtCenter = (type: string) => {
    const box = document.querySelector('.canvas')?.getBoundingClientRect();
    const p = flow.screenToFlowPosition({ x: (box?.left ?? 0) + (box?.width ?? 800) / 2, y: (box?.top ?? 0) + (box?.height ?? 600) / 2 });
    const jitter = (store.getState().nodes.length % 5) * 24;
    store.getState().addNode(type, { x: p.x - 110 + jitter, y: p.y - 40 + jitter });
  };

  const notSaved = () => setToast({ text: 'The latest changes are not saved yet: check the connection and try again.', kind: 'error' });

  const saveVersion = async () => {
    if (!(await draft.flush())) return notSaved();
    const before = draft.version;
    try {
      const version = await draft.recordVersion();
      setToast({ text: version === before ? `No changes since version ${version}` : `Saved version ${version}`, kind: 'info' });
    } catch (err) {
      const count = err instanceof ApiError ? err.problems.length : 0;
      const text = count
        ? `Fix the ${count} problem${count === 1 ? '' : 's'} shown on the canvas to save a version.`
        : (err as Error).message;
      setToast({ text, kind: 'error' });
    }
  };

  useShortcuts(store, { paused: runGraph !== null || webhooksOpen || versionsOpen || scheduling, saveVersion: () => void saveVersion() });

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
      <EditorToolbar
        pipeline={pipeline}
        store={store}
        draft={draft}
        onToast={setToast}
        onLeave={(e, to) => void leave(e, to)}
        onSaveVersion={() => void saveVersion()}
        onRun={() => void openRun()}
        onWebhooks={() => setWebhooksOpen(true)}
        onVersions={() => setVersionsOpen(true)}
        onSchedule={() => setScheduling(true)}
        narrow={narrow}
        panelToggle={<DrawerToggle label="Inspector" open={inspectorOpen} onToggle={() => setInspectorOpen(!inspectorOpen)} />}
      />
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
        <SideDrawer narrow={narrow} open={inspectorOpen} label="Inspector" onClose={() => setInspectorOpen(false)}>
          <SidePanel store={store} selectedId={selectedId} />
        </SideDrawer>
      </div>
      {scheduling && <SchedulePanel pipelineId={pipeline.id} onClose={() => setScheduling(false)} />}
      {versionsOpen && <VersionsDialog pipelineId={pipeline.id} currentVersion={draft.version} onClose={() => setVersionsOpen(false)} />}
      {webhooksOpen && <WebhooksDialog pipelineId={pipeline.id} onClose={() => setWebhooksOpen(false)} />}
      {runGraph && (
        <RunDialog pipelineId={pipeline.id} graph={runGraph} recordVersion={draft.recordVersion} onClose={() => setRunGraph(null)} />
      )}
    </div>
  );
}
