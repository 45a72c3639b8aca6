import type { CostEstimate } from '../../../workflows/pipeline/graph';
import { usd } from '../lib/format';

/**
 * What a run's AI nodes are estimated to cost, and (after the run) what they did cost, per node and in total.
 * Labelled as an estimate: the charge is what the provider reports using.
 */
export function CostTable({
  estimate,
  actual,
  labels,
}: {
  estimate: CostEstimate;
  /** What each node's calls cost, by node id (a run's `costs`); absent before the run. */
  actual?: Record<string, number>;
  /** A node's name as the canvas shows it, by node id. */
  labels: Record<string, string>;
}) {
  const priced = new Set([...Object.keys(estimate.nodes), ...Object.keys(actual ?? {})]);
  // In the pipeline's order, as the canvas lists them.
  const ids = [...Object.keys(labels).filter((id) => priced.has(id)), ...[...priced].filter((id) => !(id in labels))];
  if (ids.length === 0) return <p className="muted small">No node of this pipeline calls a model: it costs nothing.</p>;
  const actualTotal = actual ? Object.values(actual).reduce((sum, c) => sum + c, 0) : 0;
  return (
    <table className="table cost-table small" aria-label={actual ? 'Cost: estimate and actual' : 'Estimated cost'}>
      <thead>
        <tr>
          <th>Node</th>
          <th>Estimate</th>
          {actual && <th>Actual</th>}
        </tr>
      </thead>
      <tbody>
        {ids.map((id) => {
          const node = estimate.nodes[id];
          return (
            <tr key={id} data-cost-node={id}>
              <td>
                {labels[id] ?? id}
                {node && <div className="muted">{node.basis}</div>}
              </td>
              <td>{node ? `~${usd(node.usd)}` : '—'}</td>
              {actual && <td>{usd(actual[id] ?? 0)}</td>}
            </tr>
          );
        })}
        <tr data-cost-node="total">
          <td>
            <strong>Total</strong>
          </td>
          <td>
            <strong>~{usd(estimate.totalUsd)}</strong>
          </td>
          {actual && (
            <td>
              <strong>{usd(actualTotal)}</strong>
            </td>
          )}
        </tr>
      </tbody>
    </table>
  );
}
