import { useStore } from 'zustand';
import type { StoreApi } from 'zustand/vanilla';
import type { RunViewState } from '../core/runState';
import type { NodeInfo, Pipeline, RunDetail } from '../lib/api';
import { between, duration, triggerLabel, usd } from '../lib/format';
import { CostTable } from '../ui/CostTable';
import { OutputValue } from '../ui/OutputValue';
import { ParamsView } from '../ui/ParamsView';
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
          <dd title={run.trigger.scheduleId ? `schedule ${run.trigger.scheduleId}` : undefined}>{triggerLabel(run.trigger)}</dd>
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
        {run.estimate?.nodes[node.id] && (
          <>
            <dt>Cost</dt>
            <dd title={run.estimate.nodes[node.id].basis}>
              {usd(run.costs[node.id] ?? 0)} (estimate ~{usd(run.estimate.nodes[node.id].usd)})
            </dd>
          </>
        )}
      </dl>
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
      <ParamsView schema={catalogInfo[node.type]?.params as never} values={node.params} />
    </aside>
  );
}
