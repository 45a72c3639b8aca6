import '@xyflow/react/dist/style.css';
import { useEffect, useMemo, useState } from 'react';
import { ReactFlowProvider, useReactFlow } from '@xyflow/react';
import { useStore } from 'zustand';
import type { LiveEvent, RunEvent } from '../../../workflows/pipeline';
import { Loading } from '../ui/Loading';
import { Canvas } from '../editor/Canvas';
import { FlowContext, type FlowEnv } from '../editor/context';
import { createEditorStore } from '../editor/store';
import { api, loadCatalog, type Pipeline, type RunDetail } from '../lib/api';
import { between, duration, triggerLabel } from '../lib/format';
import { linkProps, navigate } from '../lib/router';
import { openEventStream } from '../lib/sse';
import { useColorMode } from '../lib/useColorMode';
import { OutputValue } from '../run/Output';
import { createRunStore, isTerminal } from '../run/runStore';

const EVENT_TYPES = ['run.status', 'node.status', 'node.attempt', 'node.progress'] as const;

export default function RunScreen({ runId }: { runId: string }) {
  const env = useMemo<FlowEnv>(() => ({ editor: createEditorStore(), run: createRunStore() }), []);
  const [run, setRun] = useState<RunDetail | null>(null);
  const [pipeline, setPipeline] = useState<Pipeline | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let closeStream: (() => void) | null = null;
    let stopped = false;
    (async () => {
      const detail = await api<RunDetail>('GET', `/runs/${runId}`);
      const [p, catalog] = await Promise.all([api<Pipeline>('GET', `/pipelines/${detail.pipelineId}?version=${detail.pipelineVersion}`), loadCatalog()]);
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
      // Live: replays recorded events then streams; after a drop it resumes with Last-Event-ID.
      env.run!.getState().setConnection('connecting');
      closeStream = openEventStream(`/api/runs/${runId}/events`, {
        onOpen: () => env.run!.getState().setConnection('live'),
        onDrop: () => {
          if (!isTerminal(env.run!.getState().status)) env.run!.getState().setConnection('reconnecting');
        },
        onFail: (status) => {
          if (!stopped) setError(`Live updates stopped (HTTP ${status}); reload the page`);
        },
        onEvent: (type, data) => {
          if (!(EVENT_TYPES as readonly string[]).includes(type)) return;
          const event = JSON.parse(data) as RunEvent | LiveEvent;
          env.run!.getState().apply(event);
          if (event.type === 'run.status' && isTerminal(event.status)) {
            closeStream?.();
            env.run!.getState().setConnection('closed');
            // Pick up the final outputs and timings.
            api<RunDetail>('GET', `/runs/${runId}`).then((d) => {
              if (stopped) return;
              env.run!.getState().reset({ status: d.status, error: d.error, outputs: d.outputs, nodes: { ...env.run!.getState().nodes, ...d.nodes } });
              setRun(d);
            }, () => undefined);
          }
        },
      });
    })().catch((err) => setError((err as Error).message));
    return () => {
      stopped = true;
      closeStream?.();
    };
  }, [runId, env]);

  if (error) return <div className="page"><div className="alert error" role="alert">{error}</div></div>;
  if (!run || !pipeline) return <Loading label="Loading run…" />;
  return (
    <FlowContext.Provider value={env}>
      <ReactFlowProvider>
        <RunView run={run} pipeline={pipeline} env={env} />
      </ReactFlowProvider>
    </FlowContext.Provider>
  );
}

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
  const connection = useStore(runStore, (s) => s.connection);
  const nodeStates = useStore(runStore, (s) => s.nodes);
  const [selected, setSelected] = useState<string | null>(null);
  const [cancelling, setCancelling] = useState(false);
  const colorMode = useColorMode();
  const done = isTerminal(status);
  useTicker(!done);
  const flow = useReactFlow();
  useEffect(() => {
    // Outputs make nodes taller: show the whole finished run.
    if (done) {
      const t = setTimeout(() => void flow.fitView({ padding: 0.15, maxZoom: 1.1, duration: 250 }), 150);
      return () => clearTimeout(t);
    }
  }, [done, flow]);

  const counts = useMemo(() => {
    const total = pipeline.graph.nodes.length;
    const finished = Object.values(nodeStates).filter((n) => n.status === 'succeeded').length;
    return { total, finished };
  }, [nodeStates, pipeline]);

  const cancel = async () => {
    setCancelling(true);
    try {
      await api('POST', `/runs/${run.id}/cancel`);
    } catch {
      setCancelling(false);
    }
  };

  const [rerunning, setRerunning] = useState(false);
  const runAgain = async () => {
    setRerunning(true);
    try {
      const res = await api<{ id: string }>('POST', `/pipelines/${pipeline.id}/runs`, { inputs: run.inputs ?? {} });
      navigate(`/runs/${res.id}`);
    } catch {
      setRerunning(false);
    }
  };

  const elapsed = between(run.startedAt ?? run.createdAt, done ? run.finishedAt : null);

  return (
    <div className="editor run-view">
      <div className="toolbar">
        <a className="btn ghost small" {...linkProps(`/pipelines/${pipeline.id}`)} title="Back to the editor">←</a>
        <strong className="run-title">{pipeline.name}</strong>
        <span className={`status-pill status-${status}`} data-run-status={status}>{status}</span>
        <span className="muted small">
          {counts.finished}/{counts.total} steps done{elapsed !== null ? ` · ${duration(elapsed)}` : ''}
        </span>
        <progress className="run-progress" max={counts.total || 1} value={counts.finished} aria-label="Run progress" />
        {!done && <span className={`conn conn-${connection}`}>{connection === 'live' ? '● live' : connection === 'reconnecting' ? 'reconnecting…' : 'connecting…'}</span>}
        <div className="spacer" />
        <a className="btn small" {...linkProps(`/pipelines/${pipeline.id}/runs`)}>History</a>
        {!done && (
          <button className="btn small danger" onClick={() => void cancel()} disabled={cancelling}>
            {cancelling ? 'Cancelling…' : '■ Cancel'}
          </button>
        )}
        {done && (
          <button className="btn small" onClick={() => void runAgain()} disabled={rerunning} title="Start a new run with the same inputs">
            {rerunning ? 'Starting…' : '↻ Run again'}
          </button>
        )}
        <a className="btn small primary" {...linkProps(`/pipelines/${pipeline.id}`)}>Edit pipeline</a>
      </div>
      {runError && status === 'failed' && <div className="banner error" role="alert">Run failed: {runError}</div>}
      <div className="editor-body run-body">
        <div className="canvas-wrap">
          <Canvas readOnly colorMode={colorMode} onNodeClick={setSelected} />
        </div>
        <RunSidePanel run={run} pipeline={pipeline} env={env} selected={selected} />
      </div>
    </div>
  );
}

/** What the run published (every Upload's media), large and readable: the story, its audio, its pictures. */
function Results({ pipeline, env }: { pipeline: Pipeline; env: FlowEnv }) {
  const nodes = useStore(env.run!, (s) => s.nodes);
  const published = pipeline.graph.nodes.filter((n) => n.type === 'upload' && nodes[n.id]?.output);
  if (published.length === 0) return null;
  return (
    <>
      <h4>Results</h4>
      {published.map((n) => (
        <div key={n.id} className="output-block" data-result={n.id}>
          <div className="muted small">{n.label ?? n.id}</div>
          {Object.values(nodes[n.id]!.output!).map((v, i) => <OutputValue key={i} value={v} />)}
        </div>
      ))}
    </>
  );
}

function RunSidePanel({ run, pipeline, env, selected }: { run: RunDetail; pipeline: Pipeline; env: FlowEnv; selected: string | null }) {
  const state = useStore(env.run!, (s) => (selected ? s.nodes[selected] : undefined));
  const node = pipeline.graph.nodes.find((n) => n.id === selected);
  if (!node) {
    return (
      <aside className="side-panel" aria-label="Run details">
        <h3>Run</h3>
        <dl className="facts small">
          <dt>Started</dt>
          <dd>{new Date(run.createdAt).toLocaleString()}</dd>
          <dt>Version</dt>
          <dd>v{run.pipelineVersion}</dd>
          <dt>Trigger</dt>
          <dd>{triggerLabel(run.trigger)}</dd>
        </dl>
        <h4>Inputs</h4>
        {Object.keys(run.inputs ?? {}).length === 0 ? (
          <p className="muted small">None</p>
        ) : (
          <dl className="facts small">
            {Object.entries(run.inputs).map(([k, v]) => (
              <div key={k}>
                <dt>{k}</dt>
                <dd>{typeof v === 'string' ? v : JSON.stringify(v)}</dd>
              </div>
            ))}
          </dl>
        )}
        <Results pipeline={pipeline} env={env} />
        <p className="muted small">Click a node to see its full output, settings and timings.</p>
      </aside>
    );
  }
  const took = state ? between(state.startedAt, state.finishedAt) : null;
  return (
    <aside className="side-panel" aria-label="Node details" data-selected-node={node.id}>
      <div className="row between">
        <h3>{node.label ?? node.type}</h3>
        <code className="muted small">{node.id}</code>
      </div>
      <dl className="facts small">
        <dt>Status</dt>
        <dd>{state?.status ?? 'not started'}</dd>
        <dt>Attempts</dt>
        <dd>{state?.attempt ?? state?.attempts ?? 0}</dd>
        <dt>Started</dt>
        <dd>{state?.startedAt ? new Date(state.startedAt).toLocaleTimeString() : '—'}</dd>
        <dt>Finished</dt>
        <dd>{state?.finishedAt ? new Date(state.finishedAt).toLocaleTimeString() : '—'}</dd>
        <dt>Took</dt>
        <dd>{took !== null ? duration(took) : '—'}</dd>
      </dl>
      {state?.error && <div className="alert error" role="alert">{state.error}</div>}
      {state?.streamText && state.status === 'running' && (
        <>
          <h4>Streaming</h4>
          <div className="out-text">{state.streamText}</div>
        </>
      )}
      <h4>Output</h4>
      {state?.output ? (
        Object.entries(state.output).map(([handle, value]) => (
          <div key={handle} className="output-block">
            <div className="muted small">{handle}</div>
            <OutputValue value={value} />
          </div>
        ))
      ) : (
        <p className="muted small">No output yet.</p>
      )}
      <h4>Settings</h4>
      <pre className="out-json">{JSON.stringify(node.params, null, 2)}</pre>
    </aside>
  );
}
