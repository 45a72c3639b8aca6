import { useEffect, useState } from 'react';
import type { CostEstimate, Graph, RunInputs } from '../../../workflows/pipeline';
import { api } from '../lib/api';
import { usd } from '../lib/format';
import { CostTable } from '../ui/CostTable';

/** Long enough that typing an input asks once, when the typing pauses. */
const DEBOUNCE_MS = 400;

/** The Run dialog's estimate of what the run will cost, per node and in total, asked again as the inputs change. */
export function CostPreview({
  pipelineId,
  graph,
  inputs,
  labels,
}: {
  pipelineId: string;
  /** The graph on the canvas: what Run will record and run. */
  graph: Graph;
  /** The inputs as typed so far; null while they don't parse. */
  inputs: RunInputs | null;
  labels: Record<string, string>;
}) {
  const [estimate, setEstimate] = useState<CostEstimate | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [asking, setAsking] = useState(true);
  const key = inputs && JSON.stringify(inputs);

  useEffect(() => {
    if (key === null) return;
    let current = true;
    setAsking(true);
    const timer = setTimeout(() => {
      api<CostEstimate>('POST', `/pipelines/${pipelineId}/estimate`, { inputs: JSON.parse(key), graph })
        .then(
          (answer) => current && (setEstimate(answer), setError(null)),
          (err: Error) => current && setError(`No estimate: ${err.message}`),
        )
        .finally(() => current && setAsking(false));
    }, DEBOUNCE_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [key, pipelineId, graph]);

  return (
    <section className="estimate" aria-label="Cost estimate" aria-busy={asking}>
      <h3>
        Estimated cost {estimate && <span data-estimate-total>~{usd(estimate.totalUsd)}</span>}{' '}
        <em className="muted small">{asking ? 'estimating…' : 'an estimate: the charge is what the providers report'}</em>
      </h3>
      {error && <p className="muted small">{error}</p>}
      {estimate && <CostTable estimate={estimate} labels={labels} />}
    </section>
  );
}
