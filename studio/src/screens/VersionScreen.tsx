import '@xyflow/react/dist/style.css';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { ReactFlowProvider } from '@xyflow/react';
import { Canvas } from '../editor/Canvas';
import { FlowContext, type FlowEnv } from '../editor/context';
import { createEditorStore } from '../editor/store';
import { api, loadCatalog, type Pipeline, type PipelineVersionDetail } from '../lib/api';
import { linkProps, navigate } from '../lib/router';
import { useColorMode } from '../lib/useColorMode';
import { useNarrow } from '../lib/useNarrow';
import { Loading } from '../ui/Loading';
import { DrawerToggle, SideDrawer } from '../ui/SideDrawer';
import { VersionBanner } from '../versions/VersionBanner';
import { VersionNodePanel } from '../versions/VersionNodePanel';

/** An old version of a pipeline on a read-only canvas (/pipelines/:id?version=N), with Restore as latest. */
export default function VersionScreen({ pipelineId, version }: { pipelineId: string; version: string }) {
  const env = useMemo<FlowEnv>(() => ({ editor: createEditorStore() }), []);
  const [detail, setDetail] = useState<PipelineVersionDetail | null>(null);
  const [pipeline, setPipeline] = useState<Pipeline | null>(null);
  const [error, setError] = useState<string | null>(null);
  const colorMode = useColorMode();
  const narrow = useNarrow();
  const [selected, setSelected] = useState<string | null>(null);
  const [detailsOpen, setDetailsOpen] = useState(false);
  const showNode = useCallback(
    (id: string) => {
      setSelected(id);
      if (narrow) setDetailsOpen(true);
    },
    [narrow],
  );

  useEffect(() => {
    Promise.all([
      api<PipelineVersionDetail>('GET', `/pipelines/${pipelineId}/versions/${encodeURIComponent(version)}`),
      api<Pipeline>('GET', `/pipelines/${pipelineId}`),
      loadCatalog(),
    ]).then(
      ([d, p, catalog]) => {
        env.editor.getState().setCatalog(catalog);
        env.editor.getState().load(d.graph);
        setDetail(d);
        setPipeline(p);
      },
      (err) => setError((err as Error).message),
    );
  }, [pipelineId, version, env]);

  if (error)
    return (
      <div className="page">
        <div className="alert error" role="alert">
          {error}
        </div>
        <a {...linkProps(`/pipelines/${pipelineId}`)}>Open the latest version</a>
      </div>
    );
  if (!detail || !pipeline) return <Loading label={`Opening version ${version}…`} />;
  return (
    <FlowContext.Provider value={env}>
      <ReactFlowProvider>
        <div className="editor version-view">
          <div className="toolbar">
            <a className="btn ghost small" {...linkProps(`/pipelines/${pipelineId}`)} title="Back to editing">
              ←
            </a>
            <strong className="run-title">{pipeline.name}</strong>
            <span className="spacer" />
            {narrow && <DrawerToggle label="Details" open={detailsOpen} onToggle={() => setDetailsOpen(!detailsOpen)} />}
          </div>
          <VersionBanner detail={detail} hasDraft={pipeline.draft !== null} onRestored={() => navigate(`/pipelines/${pipelineId}`)} />
          <div className="editor-body run-body">
            <div className="canvas-wrap">
              <Canvas readOnly colorMode={colorMode} onNodeClick={showNode} />
            </div>
            <SideDrawer narrow={narrow} open={detailsOpen} label="Details" onClose={() => setDetailsOpen(false)}>
              <VersionNodePanel detail={detail} selected={selected} catalogInfo={env.editor.getState().catalogInfo} />
            </SideDrawer>
          </div>
        </div>
      </ReactFlowProvider>
    </FlowContext.Provider>
  );
}
