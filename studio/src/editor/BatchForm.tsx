import { useMemo, useRef, useState, type ReactNode } from 'react';
import { MAX_BATCH_RUNS, validateRunInputs, type Graph } from '../../../workflows/pipeline';
import { api, ApiError, type StartedBatch } from '../lib/api';
import { lineInput, parseBatchItems } from '../lib/batchItems';
import { navigate } from '../lib/router';
import { inputFieldsOf } from '../lib/runInputs';

/**
 * The Run dialog's Batch mode: a list of inputs (typed, pasted lines, or a CSV pasted or uploaded whose header
 * names the inputs) and a number of variations (seeds) of each; every item × variation is an ordinary run.
 */
export function BatchForm({
  pipelineId,
  graph,
  recordVersion,
  onClose,
}: {
  pipelineId: string;
  graph: Graph;
  recordVersion(): Promise<number>;
  onClose(): void;
}) {
  const fields = useMemo(() => inputFieldsOf(graph), [graph]);
  const perLine = lineInput(fields);
  const [text, setText] = useState('');
  const [variations, setVariations] = useState(1);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const file = useRef<HTMLInputElement>(null);

  const parsed = useMemo(() => parseBatchItems(text, fields), [text, fields]);
  // A pipeline without inputs runs its variations of the one item it has.
  const items = 'items' in parsed ? (parsed.items.length === 0 && fields.length === 0 ? [{}] : parsed.items) : [];
  const runs = items.length * variations;
  const problem =
    'error' in parsed
      ? parsed.error
      : runs > MAX_BATCH_RUNS
        ? `${runs} runs: a batch makes at most ${MAX_BATCH_RUNS} (fewer items or variations)`
        : items
            .flatMap((inputs, i) => validateRunInputs(graph, inputs).map((p) => `Item ${i + 1}: ${p.message.replace(/^inputs\./, '')}`))
            .slice(0, 3)
            .join('; ') || null;

  const start = async () => {
    if (items.length === 0 || problem) return;
    setBusy(true);
    setError(null);
    try {
      await recordVersion(); // the batch runs the current version: the graph on the canvas
      const batch = await api<StartedBatch>('POST', `/pipelines/${pipelineId}/batches`, {
        items: items.map((inputs) => ({ inputs })),
        ...(variations > 1 ? { seeds: variations } : {}),
      });
      navigate(`/batches/${batch.id}`);
    } catch (err) {
      setError(err instanceof ApiError && err.problems.length ? err.problems.map((p) => p.message).join('; ') : (err as Error).message);
      setBusy(false);
    }
  };

  const placeholder = perLine
    ? `One ${perLine.name} per line, e.g.\na lighthouse keeper\na fox who learns to fly\n\nor a CSV whose first line names the inputs: ${fields.map((f) => f.name).join(',')}`
    : `A CSV whose first line names the inputs:\n${fields.map((f) => f.name).join(',')}`;

  return (
    <form
      className="batch-form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void start();
      }}
    >
      {fields.length > 0 && (
        <label className="field">
          <span>{perLine ? `Items: one ${perLine.name} per line, or a CSV` : 'Items: a CSV with a header row'}</span>
          <textarea
            name="batch-items"
            rows={6}
            autoFocus
            placeholder={placeholder}
            aria-invalid={'error' in parsed || undefined}
            value={text}
            onChange={(e) => setText(e.target.value)}
          />
        </label>
      )}
      <div className="row batch-options">
        {fields.length > 0 && (
          <>
            <input
              ref={file}
              type="file"
              accept=".csv,.txt,text/csv,text/plain"
              hidden
              onChange={(e) => {
                const chosen = e.target.files?.[0];
                if (chosen) void chosen.text().then(setText);
                e.target.value = '';
              }}
            />
            <button type="button" className="btn small" onClick={() => file.current?.click()}>
              Upload CSV…
            </button>
          </>
        )}
        <label className="field inline">
          <span>Variations of each</span>
          <input
            type="number"
            name="batch-variations"
            min={1}
            max={MAX_BATCH_RUNS}
            value={variations}
            onChange={(e) => setVariations(Math.max(1, Math.min(MAX_BATCH_RUNS, Math.floor(Number(e.target.value) || 1))))}
          />
        </label>
      </div>
      <p className="muted small" aria-live="polite" data-testid="batch-summary">
        {items.length === 0
          ? 'Nothing to run yet.'
          : `${items.length} item${items.length === 1 ? '' : 's'}${variations > 1 ? ` × ${variations} variations (each its own seed)` : ''} = ${runs} run${runs === 1 ? '' : 's'}, a few at a time.`}
      </p>
      {(problem || error) && (
        <div className="alert error" role="alert">
          {error ?? problem}
        </div>
      )}
      <div className="row end">
        <button type="button" className="btn" onClick={onClose}>
          Cancel
        </button>
        <button type="submit" className="btn primary" disabled={busy || items.length === 0 || !!problem}>
          {busy ? 'Starting…' : `▶ Start ${runs || ''} run${runs === 1 ? '' : 's'}`}
        </button>
      </div>
    </form>
  );
}

export type RunMode = 'single' | 'batch';

/** Switches the Run dialog between one run and a batch. */
export function RunModeTabs({ mode, onChange }: { mode: RunMode; onChange(mode: RunMode): void }) {
  return (
    <div className="row run-mode" role="tablist" aria-label="What to run">
      {(
        [
          ['single', 'One run'],
          ['batch', 'Batch / variations'],
        ] as const
      ).map(([value, label]) => (
        <button
          key={value}
          type="button"
          role="tab"
          aria-selected={mode === value}
          className={`btn small ${mode === value ? 'primary' : ''}`}
          onClick={() => onChange(value)}
        >
          {label}
        </button>
      ))}
    </div>
  );
}

/** The Run dialog in Batch mode: the same frame, with BatchForm inside. */
export function BatchDialog(props: Parameters<typeof BatchForm>[0] & { tabs: ReactNode }) {
  const { tabs, ...form } = props;
  return (
    <div className="modal-backdrop" onClick={props.onClose}>
      <div
        className="modal card"
        role="dialog"
        aria-label="Run pipeline"
        onClick={(e) => e.stopPropagation()}
        onKeyDown={(e) => e.key === 'Escape' && props.onClose()}
      >
        <h2>Run pipeline</h2>
        {tabs}
        <BatchForm {...form} />
      </div>
    </div>
  );
}
