import { useStore } from 'zustand';
import { useState } from 'react';
import type { StoreApi } from 'zustand/vanilla';
import { isTerminal, type RunViewState } from '../core/runState';
import type { NodeInfo, Pipeline, RunDetail } from '../lib/api';
import { between, duration, triggerLabel, usd } from '../lib/format';
import { linkProps } from '../lib/router';
import { CostTable } from '../ui/CostTable';
import { OutputValue } from '../ui/OutputValue';
import { ApprovalPanel } from './ApprovalPanel';
import { ParamsView } from '../ui/ParamsView';
import { startRerun } from './rerun';
import { StreamingText } from './StreamingText';

/** What the run published (every Upload's media), large and readable: the story, its audio, its pictures. */
function Results({ pipeline, runStore }: { pipeline: Pipeline; runStore: StoreApi<RunViewState> }) {
  const nodes = useStore(runStore, (s) => s.nodes);
  const published = pipeline.graph.nodes.filter((n) => n.type === 'upload' && nodes[n.id]?.output);
  if (published.length === 0) return null;
  return (
    <>
      <h4>Results</h4>
      {published.map((n) => (
        <div key={n.id} className="output-block" data-result={n.id}>
          <div className="muted small">{n.label ?? n.id}</div>
          {Object.values(nodes[n.id]!.output!).map((v, i) => (
            <OutputValue key={i} value={v} />
          ))}
        </div>
      ))}
    </>
  );
}

/** Starts a new run from this node: what is upstream is reused, this node and what follows run again. */
function RunFromHere({ runId, nodeId }: { runId: string; nodeId: string }) {
  const [starting, setStarting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const start = async () => {
    setStarting(true);
    setError(null);
    try {
      await startRerun(runId, { fromNodeId: nodeId });
    } catch (err) {
      setError(`Could not start: ${(err as Error).message}`);
      setStarting(false);
    }
  };
  return (
    <div className="run-from-here">
      <button className="btn small primary" onClick={() => void start()} disabled={starting}>
        {starting ? 'Starting…' : '▶ Run from here'}
      </button>
      <p className="muted small">
        Runs this step and everything after it with the pipeline's current version; the steps before it reuse this run's outputs, at no
        cost.
      </p>
      {error && (
        <div className="alert error" role="alert">
          {error}
        </div>
      )}
    </div>
  );
}

/** Every approval step of the run that waits for a decision, ready to decide. */
function WaitingApprovals({ run, pipeline, runStore }: { run: RunDetail; pipeline: Pipeline; runStore: StoreApi<RunViewState> }) {
  const nodes = useStore(runStore, (s) => s.nodes);
  const waiting = pipeline.graph.nodes.filter((n) => n.type === 'approval' && nodes[n.id]?.status === 'waiting');
  return waiting.map((n) => <ApprovalPanel key={n.id} runId={run.id} node={n} state={nodes[n.id]!} />);
}

/** The run's facts, inputs and results; with a node selected, that node's status, timings, output and settings. */
export function RunSidePanel({
  run,
  pipeline,
  runStore,
  selected,
  catalogInfo,
}: {
  run: RunDetail;
  pipeline: Pipeline;
  runStore: StoreApi<RunViewState>;
  selected: string | null;
  /** The node catalog by type: labels and defaults of the settings. */
  catalogInfo: Record<string, NodeInfo>;
}) {
  const state = useStore(runStore, (s) => (selected ? s.nodes[selected] : undefined));
  const done = useStore(runStore, (s) => isTerminal(s.status));
  const node = pipeline.graph.nodes.find((n) => n.id === selected);
  if (!node) {
    return (
      <aside className="side-panel" aria-label="Run details">
        <h3>Run</h3>
        <WaitingApprovals run={run} pipeline={pipeline} runStore={runStore} />
        <dl className="facts small">
          <dt>Started</dt>
          <dd>{new Date(run.createdAt).toLocaleString()}</dd>
          <dt>Version</dt>
          <dd>v{run.pipelineVersion}</dd>
          <dt>Trigger</dt>
          <dd title={run.trigger.scheduleId ? `schedule ${run.trigger.scheduleId}` : undefined}>{triggerLabel(run.trigger)}</dd>
          {run.parentRunId && (
            <>
              <dt>Re-ran</dt>
              <dd>
                <a {...linkProps(`/runs/${run.parentRunId}`)}>run {run.parentRunId.slice(0, 8)}</a>
              </dd>
            </>
          )}
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
        <Results pipeline={pipeline} runStore={runStore} />
        {run.estimate && (
          <>
            <h4>Cost</h4>
            <CostTable
              estimate={run.estimate}
              actual={run.costs}
              labels={Object.fromEntries(pipeline.graph.nodes.map((n) => [n.id, n.label ?? n.id]))}
            />
            {run.budgetUsd !== null && <p className="muted small">Budget {usd(run.budgetUsd)}</p>}
          </>
        )}
        <p className="muted small">Click a node to see its full output, settings and timings.</p>
      </aside>
    );
  }
  const took = state ? between(state.startedAt, state.finishedAt) : null;
  return (
    <aside className="side-panel" aria-label="Node details" data-selected-node={node.id}>
      <div className="row between">
        <h3>{node.label ?? catalogInfo[node.type]?.title ?? node.type}</h3>
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
        {state?.cached && (
          <>
            <dt>Reused</dt>
            <dd data-cached-from={state.cached.fromRunId}>
              from <a {...linkProps(`/runs/${state.cached.fromRunId}`)}>run {state.cached.fromRunId.slice(0, 8)}</a> · saved{' '}
              {usd(state.cached.savedUsd)}
            </dd>
          </>
        )}
        {run.estimate?.nodes[node.id] && (
          <>
            <dt>Cost</dt>
            <dd title={run.estimate.nodes[node.id].basis}>
              {usd(run.costs[node.id] ?? 0)} (estimate ~{usd(run.estimate.nodes[node.id].usd)})
            </dd>
          </>
        )}
      </dl>
      {done && <RunFromHere runId={run.id} nodeId={node.id} />}
      {state?.error && (
        <div className="alert error" role="alert">
          {state.error}
        </div>
      )}
      {state?.status === 'running' && state.progress && (state.progress.message || state.progress.fraction !== undefined) && (
        <div className="node-live" aria-live="polite">
          {state.progress.fraction !== undefined && <progress max={1} value={state.progress.fraction} aria-label="Step progress" />}
          {state.progress.message && <div className="muted small">{state.progress.message}</div>}
        </div>
      )}
      {state?.streamText && state.status === 'running' && <StreamingText text={state.streamText} />}
      {node.type === 'approval' && state?.status === 'waiting' && <ApprovalPanel runId={run.id} node={node} state={state} />}
      <h4>Output</h4>
      {state?.status === 'waiting' ? (
        <p className="muted small">None until it is decided.</p>
      ) : state?.output ? (
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
      <ParamsView schema={catalogInfo[node.type]?.params as never} values={node.params} />
    </aside>
  );
}
