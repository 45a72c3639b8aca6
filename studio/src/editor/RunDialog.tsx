import { useMemo, useState } from 'react';
import { validateRunInputs, type Graph } from '../../../workflows/pipeline';
import { api, ApiError } from '../lib/api';
import { navigate } from '../lib/router';
import { initialValues, inputFieldsOf, inputsFrom } from '../lib/runInputs';
import { BatchDialog, RunModeTabs, type RunMode } from './BatchForm';
import { CostPreview } from './CostPreview';

/**
 * Asks for the pipeline's inputs and starts a run of exactly the graph on the canvas: inputs are checked
 * with the API's own rules first, then `recordVersion` makes the shown graph a version, and that version runs.
 */
export function RunDialog({
  pipelineId,
  graph,
  recordVersion,
  onClose,
}: {
  pipelineId: string;
  /** The graph on the canvas, already valid. */
  graph: Graph;
  recordVersion(): Promise<number>;
  onClose(): void;
}) {
  const inputs = useMemo(() => inputFieldsOf(graph), [graph]);
  const [values, setValues] = useState<Record<string, string>>(() => initialValues(inputs));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [invalid, setInvalid] = useState<Set<string>>(new Set());
  const [mode, setMode] = useState<RunMode>('single');
  const [budget, setBudget] = useState('');
  const typed = useMemo(() => {
    const read = inputsFrom(inputs, values);
    return 'inputs' in read ? read.inputs : null;
  }, [inputs, values]);
  const labels = useMemo(() => Object.fromEntries(graph.nodes.map((n) => [n.id, n.label ?? n.id])), [graph]);
  const [fresh, setFresh] = useState(false);

  const refuse = (message: string, nodeIds: (string | undefined)[] = []) => {
    setError(message);
    setInvalid(new Set(nodeIds.filter((id): id is string => !!id)));
    setBusy(false);
  };

  const start = async () => {
    setBusy(true);
    setError(null);
    const read = inputsFrom(inputs, values);
    if ('error' in read) return refuse(read.error, [read.nodeId]);
    const body = read.inputs;
    const problems = validateRunInputs(graph, body);
    if (problems.length > 0)
      return refuse(
        problems.map((p) => p.message).join('; '),
        problems.map((p) => p.nodeId),
      );
    const budgetUsd = budget.trim() === '' ? undefined : Number(budget);
    if (budgetUsd !== undefined && !(budgetUsd >= 0))
      return refuse('Budget: an amount in US dollars, like 0.50, or empty for no budget of its own');
    try {
      const version = await recordVersion();
      const run = await api<{ id: string }>('POST', `/pipelines/${pipelineId}/runs`, {
        inputs: body,
        version,
        budgetUsd,
        ...(fresh ? { cache: 'fresh' } : {}),
      });
      navigate(`/runs/${run.id}`);
    } catch (err) {
      if (err instanceof ApiError && err.problems.length)
        refuse(
          err.problems.map((p) => p.message).join('; '),
          err.problems.map((p) => p.nodeId),
        );
      else refuse((err as Error).message);
    }
  };

  const tabs = <RunModeTabs mode={mode} onChange={setMode} />;
  if (mode === 'batch')
    return <BatchDialog pipelineId={pipelineId} graph={graph} recordVersion={recordVersion} onClose={onClose} tabs={tabs} />;

  return (
    <div className="modal-backdrop" onClick={onClose}>
      <form
        className="modal card"
        role="dialog"
        aria-label="Run pipeline"
        noValidate
        onClick={(e) => e.stopPropagation()}
        onSubmit={(e) => {
          e.preventDefault();
          void start();
        }}
        onKeyDown={(e) => e.key === 'Escape' && onClose()}
      >
        <h2>Run pipeline</h2>
        {tabs}
        {inputs.length === 0 && <p className="muted">This pipeline takes no inputs.</p>}
        {inputs.map((i, index) => (
          <label key={i.id} className="field">
            <span>
              {i.name} {i.required ? <em className="muted">(required)</em> : <em className="muted">(optional)</em>}
            </span>
            <textarea
              name={`input-${i.name}`}
              rows={i.kind === 'json' ? 4 : 2}
              autoFocus={index === 0}
              aria-invalid={invalid.has(i.id) || undefined}
              // The description shows once, under the box: not as its placeholder too.
              placeholder={i.kind === 'json' ? '{"any": "JSON"}' : i.description ? undefined : `Text for {{${i.name}}}`}
              value={values[i.name] ?? ''}
              onChange={(e) => setValues({ ...values, [i.name]: e.target.value })}
            />
            {i.description && <small className="muted">{i.description}</small>}
          </label>
        ))}
        <CostPreview pipelineId={pipelineId} graph={graph} inputs={typed} labels={labels} />
        <label className="field">
          <span>
            Budget (USD) <em className="muted">(optional)</em>
          </span>
          <input
            name="budgetUsd"
            type="number"
            min={0}
            step={0.01}
            inputMode="decimal"
            placeholder="The project's, if it sets one"
            value={budget}
            onChange={(e) => setBudget(e.target.value)}
          />
          <small className="muted">The run stops before a model call that would cross it; that node fails with budget_exceeded.</small>
        </label>
        <label className="field check" title="Nodes with a fixed seed (or a cache choice) normally reuse an identical earlier result">
          <input type="checkbox" name="fresh" checked={fresh} onChange={(e) => setFresh(e.target.checked)} /> Fresh: compute every node
          again, ignoring cached results
        </label>
        {error && (
          <div className="alert error" role="alert">
            {error}
          </div>
        )}
        <div className="row end">
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn primary" disabled={busy}>
            {busy ? 'Starting…' : '▶ Start run'}
          </button>
        </div>
      </form>
    </div>
  );
}
