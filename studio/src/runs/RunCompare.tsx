import type { ReactNode } from 'react';
import type { GraphNode } from '../../../workflows/pipeline/graph';
import type { Pipeline, RunDetail } from '../lib/api';
import { between, duration, triggerLabel, usd } from '../lib/format';
import { linkProps } from '../lib/router';
import { OutputValue } from '../ui/OutputValue';

export interface CompareSide {
  run: RunDetail;
  /** The version the run ran: its nodes' names and order. */
  pipeline: Pipeline;
}

const SIDES = ['a', 'b'] as const;
const sameValue = (x: unknown, y: unknown) => JSON.stringify(x) === JSON.stringify(y);
const totalCost = (run: RunDetail) => {
  const costs = Object.values(run.costs);
  return costs.length ? costs.reduce((sum, c) => sum + c, 0) : null;
};

/** The nodes of both runs in the first one's graph order, then the second's own (two pipelines may differ). */
function nodeRows(a: CompareSide, b: CompareSide): { id: string; node: GraphNode }[] {
  const rows = new Map<string, GraphNode>();
  for (const side of [a, b]) for (const n of side.pipeline.graph.nodes) if (!rows.has(n.id)) rows.set(n.id, n);
  return [...rows].map(([id, node]) => ({ id, node }));
}

function Row({ label, cells, differs, nodeId }: { label: ReactNode; cells: [ReactNode, ReactNode]; differs?: boolean; nodeId?: string }) {
  return (
    <tr className={differs ? 'differs' : undefined} data-node={nodeId}>
      <th scope="row">{label}</th>
      {cells.map((cell, i) => (
        <td key={SIDES[i]} data-side={SIDES[i]}>
          {cell}
        </td>
      ))}
    </tr>
  );
}

function NodeCell({ side, id }: { side: CompareSide; id: string }) {
  const state = side.run.nodes[id];
  if (!side.pipeline.graph.nodes.some((n) => n.id === id)) return <span className="muted small">Not in this pipeline</span>;
  if (!state) return <span className="muted small">Not run</span>;
  const took = between(state.startedAt, state.finishedAt);
  const cost = side.run.costs[id];
  return (
    <div className="compare-node">
      <div className="row small">
        <span className={`status-pill status-${state.status}`}>{state.status}</span>
        <span className="muted" data-took>
          {state.finishedAt && took !== null ? duration(took) : '—'}
        </span>
        {cost !== undefined && <span className="muted">{usd(cost)}</span>}
      </div>
      {state.error && <div className="node-error small">{state.error}</div>}
      {state.output &&
        Object.entries(state.output).map(([handle, value]) => (
          <div key={handle} className="output-block">
            <div className="muted small">{handle}</div>
            <OutputValue value={value} />
          </div>
        ))}
    </div>
  );
}

/** Two runs side by side: their facts, each input (differences marked), then every node's status, time, cost and outputs. */
export function RunCompare({ a, b }: { a: CompareSide; b: CompareSide }) {
  const both = [a, b] as const;
  const pair = (cell: (side: CompareSide) => ReactNode): [ReactNode, ReactNode] => [cell(a), cell(b)];
  const inputNames = [...new Set([...Object.keys(a.run.inputs), ...Object.keys(b.run.inputs)])];
  const took = (run: RunDetail) => between(run.startedAt ?? run.createdAt, run.finishedAt);

  return (
    <table className="table compare-table">
      <colgroup>
        <col className="compare-label" />
        <col />
        <col />
      </colgroup>
      <thead>
        <tr>
          <th scope="col" />
          {both.map((side, i) => (
            <th key={SIDES[i]} scope="col" data-side={SIDES[i]}>
              <a {...linkProps(`/runs/${side.run.id}`)}>
                {side.pipeline.name} <span className="muted">v{side.run.pipelineVersion}</span>
              </a>
              <div className="muted small">{new Date(side.run.createdAt).toLocaleString()}</div>
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        <Row
          label="Status"
          cells={pair(({ run }) => (
            <span className={`status-pill status-${run.status}`} data-run-status={run.status}>
              {run.status}
            </span>
          ))}
        />
        <Row label="Started by" cells={pair(({ run }) => triggerLabel(run.trigger))} />
        <Row
          label="Took"
          cells={pair(({ run }) => {
            const ms = took(run);
            return run.finishedAt && ms !== null ? duration(ms) : 'Still running';
          })}
        />
        <Row
          label="Cost"
          cells={pair(({ run }) => {
            const cost = totalCost(run);
            return cost === null ? <span className="muted">No model calls billed</span> : usd(cost);
          })}
        />
        <tr className="compare-section">
          <th colSpan={3}>Inputs</th>
        </tr>
        {inputNames.length === 0 && <Row label={<span className="muted">None</span>} cells={['', '']} />}
        {inputNames.map((name) => (
          <Row
            key={name}
            label={name}
            differs={!sameValue(a.run.inputs[name], b.run.inputs[name])}
            cells={pair(({ run }) => (name in run.inputs ? <OutputValue value={run.inputs[name]} /> : <span className="muted">—</span>))}
          />
        ))}
        <tr className="compare-section">
          <th colSpan={3}>Steps</th>
        </tr>
        {nodeRows(a, b).map(({ id, node }) => (
          <Row
            key={id}
            nodeId={id}
            label={
              <>
                {node.label ?? node.type}
                <div>
                  <code className="muted small">{id}</code>
                </div>
              </>
            }
            cells={pair((side) => (
              <NodeCell side={side} id={id} />
            ))}
          />
        ))}
      </tbody>
    </table>
  );
}
