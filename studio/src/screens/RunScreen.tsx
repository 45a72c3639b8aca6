import '@xyflow/react/dist/style.css';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { ReactFlowProvider } from '@xyflow/react';
import { useStore } from 'zustand';
import { createRunStore, isTerminal } from '../core/runState';
import { Canvas, useReadableFit } from '../editor/Canvas';
import { FlowContext, type FlowEnv } from '../editor/context';
import { createEditorStore } from '../editor/store';
import { api, loadCatalog, type Pipeline, type RunDetail } from '../lib/api';
import { useColorMode } from '../lib/useColorMode';
import { useNarrow } from '../lib/useNarrow';
import { followRun } from '../run/followRun';
import { RunSidePanel } from '../run/RunSidePanel';
import { RunToolbar } from '../run/RunToolbar';
import { Loading } from '../ui/Loading';
import { DrawerToggle, SideDrawer } from '../ui/SideDrawer';

/** A run on the canvas of the version it ran: live while it runs, with each node's status and output. */
export default function RunScreen({ runId }: { runId: string }) {
  const env = useMemo<FlowEnv>(() => ({ editor: createEditorStore(), run: createRunStore() }), []);
  const [run, setRun] = useState<RunDetail | null>(null);
  const [pipeline, setPipeline] = useState<Pipeline | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let stopFollowing: (() => void) | null = null;
    let stopped = false;
    (async () => {
      const detail = await api<RunDetail>('GET', `/runs/${runId}`);
      const [p, catalog] = await Promise.all([
        api<Pipeline>('GET', `/pipelines/${detail.pipelineId}?version=${detail.pipelineVersion}`),
        loadCatalog(),
      ]);
      if (stopped) return;
      env.editor.getState().setCatalog(catalog);
      env.editor.getState().load(p.graph);
      env.run!.getState().reset({ status: detail.status, error: detail.error, outputs: detail.outputs, nodes: detail.nodes });
      setRun(detail);
      setPipeline(p);
      if (isTerminal(detail.status)) {
        env.run!.getState().setConnection('closed');
        return;
      }
      stopFollowing = followRun(runId, env.run!, { failed: setError, finished: setRun });
    })().catch((err) => setError((err as Error).message));
    return () => {
      stopped = true;
      stopFollowing?.();
    };
  }, [runId, env]);

  if (error)
    return (
      <div className="page">
        <div className="alert error" role="alert">
          {error}
        </div>
      </div>
    );
  if (!run || !pipeline) return <Loading label="Loading run…" />;
  return (
    <FlowContext.Provider value={env}>
      <ReactFlowProvider>
        <RunView run={run} pipeline={pipeline} env={env} />
      </ReactFlowProvider>
    </FlowContext.Provider>
  );
}

/** Re-renders every half second while `active`: elapsed times count up. */
function useTicker(active: boolean) {
  const [, set] = useState(0);
  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => set((n) => n + 1), 500);
    return () => clearInterval(t);
  }, [active]);
}

function RunView({ run, pipeline, env }: { run: RunDetail; pipeline: Pipeline; env: FlowEnv }) {
  const runStore = env.run!;
  const status = useStore(runStore, (s) => s.status);
  const runError = useStore(runStore, (s) => s.error);
  const [selected, setSelected] = useState<string | null>(null);
  const colorMode = useColorMode();
  const narrow = useNarrow();
  const [detailsOpen, setDetailsOpen] = useState(false);
  const done = isTerminal(status);
  useTicker(!done);
  // Clicking a node asks for its details: on a narrow window that opens the drawer.
  const showNode = useCallback(
    (id: string) => {
      setSelected(id);
      if (narrow) setDetailsOpen(true);
    },
    [narrow],
  );
  const fitReadable = useReadableFit();
  useEffect(() => {
    // Outputs make nodes taller: fit the finished run again (readable, as on opening).
    if (done) {
      const t = setTimeout(() => void fitReadable({ duration: 250 }), 150);
      return () => clearTimeout(t);
    }
  }, [done, fitReadable]);

  return (
    <div className="editor run-view">
      <RunToolbar
        run={run}
        pipeline={pipeline}
        runStore={runStore}
        narrow={narrow}
        panelToggle={<DrawerToggle label="Details" open={detailsOpen} onToggle={() => setDetailsOpen(!detailsOpen)} />}
      />
      {runError && status === 'failed' && (
        <div className="banner error" role="alert">
          Run failed: {runError}
        </div>
      )}
      <div className="editor-body run-body">
        <div className="canvas-wrap">
          <Canvas readOnly colorMode={colorMode} onNodeClick={showNode} />
        </div>
        <SideDrawer narrow={narrow} open={detailsOpen} label="Details" onClose={() => setDetailsOpen(false)}>
          <RunSidePanel
            run={run}
            pipeline={pipeline}
            runStore={runStore}
            selected={selected}
            catalogInfo={env.editor.getState().catalogInfo}
          />
        </SideDrawer>
      </div>
    </div>
  );
}
