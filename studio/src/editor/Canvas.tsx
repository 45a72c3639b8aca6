import { memo, useCallback, useEffect, useMemo, useState, type DragEvent } from 'react';
import {
  Background,
  BackgroundVariant,
  Controls,
  MiniMap,
  ReactFlow,
  useReactFlow,
  useStoreApi,
  type Connection,
  type Edge,
  type EdgeChange,
  type NodeChange,
  type FinalConnectionState,
  type IsValidConnection,
} from '@xyflow/react';
import { useStore } from 'zustand';
import { readableViewport } from '../core/viewport';
import { useFlowEnv, useRun } from './context';
import { DND_TYPE } from './Palette';
import { nodeTypes } from './PipelineNode';
import type { FlowNode } from './flow';

const PRO_OPTIONS = { hideAttribution: true };
const MINIMAP_STYLE = { width: 150, height: 100 };
const CATEGORY_COLORS: Record<string, string> = {
  inputs: '#0ea5e9',
  text: '#3b82f6',
  media: '#10a37f',
  flow: '#a855f7',
  outputs: '#f08c1a',
};

/**
 * Shows the pipeline at a zoom where its labels are readable: all of it when it fits, else its start (see
 * readableViewport). `waitForSizes` on opening: React Flow's fitView waits until the nodes are measured.
 */
export function useReadableFit() {
  const flow = useReactFlow();
  const rf = useStoreApi();
  return useCallback(
    async ({ duration, waitForSizes = false }: { duration?: number; waitForSizes?: boolean } = {}) => {
      if (waitForSizes) await flow.fitView({ padding: 0.2, maxZoom: 1.1 });
      const ids = flow.getNodes().map((n) => n.id);
      if (ids.length === 0) return;
      const { width, height } = rf.getState();
      await flow.setViewport(readableViewport(flow.getNodesBounds(ids), width, height), { duration });
    },
    [flow, rf],
  );
}

/** The React Flow canvas bound to the editor store; `readOnly` for the run view. */
export const Canvas = memo(CanvasView);

function CanvasView({
  readOnly = false,
  colorMode,
  onNodeClick,
}: {
  readOnly?: boolean;
  colorMode: 'light' | 'dark';
  onNodeClick?(id: string): void;
}) {
  const env = useFlowEnv();
  const store = env.editor;
  const nodes = useStore(store, (s) => s.nodes);
  const rawEdges = useStore(store, (s) => s.edges);
  const edgeProblems = useStore(store, (s) => s.problems.edges);
  const runNodes = useRun((s) => s?.nodes ?? null);
  const flow = useReactFlow();
  const catalogInfo = useStore(store, (s) => s.catalogInfo);
  const miniMapColor = useCallback(
    (n: FlowNode) => CATEGORY_COLORS[catalogInfo[n.data.nodeType]?.category ?? ''] ?? '#8892a6',
    [catalogInfo],
  );
  // Fit the view to what is loaded; an empty canvas keeps 1:1 so the first drop lands under the pointer.
  const [fitInitially] = useState(() => store.getState().nodes.length > 0);
  const fitReadable = useReadableFit();
  useEffect(() => {
    if (fitInitially) void fitReadable({ waitForSizes: true });
  }, [fitInitially, fitReadable]);

  const edges = useMemo<Edge[]>(
    () =>
      rawEdges.map((e) => {
        const problem = edgeProblems[e.id];
        const sourceStatus = runNodes?.[e.source]?.status;
        const className = [
          problem ? 'edge-problem' : '',
          sourceStatus === 'running' ? 'edge-active' : '',
          sourceStatus === 'succeeded' ? 'edge-done' : '',
        ]
          .filter(Boolean)
          .join(' ');
        return problem
          ? { ...e, className, label: problem[0], labelBgPadding: [6, 3] as [number, number], labelBgBorderRadius: 4, animated: false }
          : { ...e, className, animated: sourceStatus === 'running' };
      }),
    [rawEdges, edgeProblems, runNodes],
  );

  const isValidConnection = useCallback<IsValidConnection>(
    (c) =>
      store.getState().checkConnection({
        source: c.source,
        target: c.target,
        sourceHandle: c.sourceHandle ?? null,
        targetHandle: c.targetHandle ?? null,
      }) === null,
    [store],
  );

  const onConnect = useCallback((c: Connection) => void store.getState().connect(c), [store]);

  const onConnectEnd = useCallback(
    (_: MouseEvent | TouchEvent, state: FinalConnectionState) => {
      if (state.isValid !== false || !state.fromHandle || !state.toHandle || !state.fromNode || !state.toNode) return;
      const fromSource = state.fromHandle.type === 'source';
      const c: Connection = fromSource
        ? {
            source: state.fromNode.id,
            sourceHandle: state.fromHandle.id ?? null,
            target: state.toNode.id,
            targetHandle: state.toHandle.id ?? null,
          }
        : {
            source: state.toNode.id,
            sourceHandle: state.toHandle.id ?? null,
            target: state.fromNode.id,
            targetHandle: state.fromHandle.id ?? null,
          };
      store.getState().connect(c); // refused: records the reason for the toast
    },
    [store],
  );

  const onDragOver = useCallback(
    (e: DragEvent) => {
      if (readOnly) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = 'move';
    },
    [readOnly],
  );

  const onDrop = useCallback(
    (e: DragEvent) => {
      if (readOnly) return;
      const type = e.dataTransfer.getData(DND_TYPE);
      if (!type) return;
      e.preventDefault();
      const p = flow.screenToFlowPosition({ x: e.clientX, y: e.clientY });
      store.getState().addNode(type, { x: p.x - 110, y: p.y - 30 });
    },
    [flow, store, readOnly],
  );

  const onNodesChange = useCallback(
    (c: NodeChange<FlowNode>[]) =>
      store.getState().onNodesChange(readOnly ? c.filter((x) => x.type === 'select' || x.type === 'dimensions') : c),
    [store, readOnly],
  );
  const onEdgesChange = useCallback(
    (c: EdgeChange[]) => store.getState().onEdgesChange(readOnly ? c.filter((x) => x.type === 'select') : c),
    [store, readOnly],
  );
  const onNodeClickCb = useCallback((_: unknown, n: FlowNode) => onNodeClick?.(n.id), [onNodeClick]);

  return (
    <div className="canvas" onDragOver={onDragOver} onDrop={onDrop}>
      <ReactFlow<FlowNode>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        onConnectEnd={onConnectEnd}
        isValidConnection={isValidConnection}
        onNodeClick={onNodeClickCb}
        nodesDraggable={!readOnly}
        nodesConnectable={!readOnly}
        deleteKeyCode={null}
        colorMode={colorMode}
        minZoom={0.1}
        maxZoom={2}
        onlyRenderVisibleElements
        proOptions={PRO_OPTIONS}
      >
        <Background variant={BackgroundVariant.Dots} gap={18} size={1} />
        <MiniMap pannable zoomable nodeColor={miniMapColor} nodeBorderRadius={6} ariaLabel="Mini map" style={MINIMAP_STYLE} />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}
