import { memo, useEffect, useMemo, useState } from 'react';
import { Handle, Position, type NodeProps } from '@xyflow/react';
import type { PortSpec } from '../../../workflows/pipeline';
import { portsFor } from '../core/ports';
import { duration, usd } from '../lib/format';
import { OutputValue } from '../ui/OutputValue';
import { useEditor, useRun } from './context';
import type { FlowNode } from './flow';

export function kindClass(kind: string): string {
  return `kind-${kind.replace('[]', '')}${kind.endsWith('[]') ? ' list' : ''}`;
}

function useNow(active: boolean): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => setNow(Date.now()), 200);
    return () => clearInterval(t);
  }, [active]);
  return now;
}

const STATUS_LABEL: Record<string, string> = {
  queued: 'Queued',
  running: 'Running',
  succeeded: 'Done',
  failed: 'Failed',
  cancelled: 'Cancelled',
  waiting: 'Waiting for you',
};

function Port({ port, side }: { port: PortSpec; side: 'in' | 'out' }) {
  return (
    <div className={`port ${side}`} data-port={port.handle} title={`${port.handle}: ${port.kind}${port.optional ? ' (optional)' : ''}`}>
      <Handle
        type={side === 'in' ? 'target' : 'source'}
        position={side === 'in' ? Position.Left : Position.Right}
        id={port.handle}
        className={`handle ${kindClass(port.kind)}`}
      />
      <span className="port-label">{port.label ?? port.handle}</span>
      <span className={`port-kind ${kindClass(port.kind)}`}>{port.kind}</span>
    </div>
  );
}

function RunBadge({ id }: { id: string }) {
  const state = useRun((s) => s?.nodes[id]);
  const runStatus = useRun((s) => s?.status);
  const running = state?.status === 'running';
  const now = useNow(running);
  if (!state) {
    if (!runStatus) return null;
    const label = runStatus === 'cancelled' || runStatus === 'failed' ? 'Not run' : 'Queued';
    return <div className="run-badge status-queued">{label}</div>;
  }
  const attempt = state.attempt ?? state.attempts;
  const elapsed = state.startedAt
    ? (state.finishedAt ? new Date(state.finishedAt).getTime() : now) - new Date(state.startedAt).getTime()
    : null;
  const retrying = running && attempt > 1;
  if (state.cached) {
    const { fromRunId, savedUsd } = state.cached;
    return (
      <div
        className="run-badge status-cached"
        data-status={state.status}
        data-cached-from={fromRunId}
        title="Reused from an earlier run: no call made"
      >
        <span>
          cached · from run {fromRunId.slice(0, 8)} · saved {usd(savedUsd)}
        </span>
      </div>
    );
  }
  return (
    <div className={`run-badge status-${retrying ? 'retrying' : state.status}`} data-status={state.status}>
      {running && <span className="spinner small" aria-hidden />}
      <span>{retrying ? `Retrying · attempt ${attempt}` : (STATUS_LABEL[state.status] ?? state.status)}</span>
      {elapsed !== null && <span className="elapsed">{duration(elapsed)}</span>}
    </div>
  );
}

function RunOutput({ id }: { id: string }) {
  const state = useRun((s) => s?.nodes[id]);
  if (!state) return null;
  if (state.status === 'failed' && state.error)
    return (
      <div className="node-error" role="alert">
        {state.error}
      </div>
    );
  const fraction = state.progress?.fraction;
  if (state.status === 'running') {
    return (
      <div className="node-live">
        {fraction !== undefined && <progress max={1} value={fraction} />}
        {state.progress?.message && <div className="muted small">{state.progress.message}</div>}
        {state.streamText && <div className="out-text clamp streaming">{state.streamText}</div>}
      </div>
    );
  }
  if (!state.output) return null;
  const entries = Object.entries(state.output);
  return (
    <div className="node-output">
      {entries.map(([handle, value]) => (
        <div key={handle} className="node-output-item" data-output={handle}>
          {entries.length > 1 && <div className="muted small">{handle}</div>}
          <OutputValue value={value} compact />
        </div>
      ))}
    </div>
  );
}

function PipelineNodeView({ id, data, selected }: NodeProps<FlowNode>) {
  const info = useEditor((s) => s.catalogInfo[data.nodeType]);
  const problems = useEditor((s) => s.problems.nodes[id]);
  const inRun = useRun((s) => s !== null);
  const ports = useMemo(() => portsFor(data.nodeType, data.params, info), [data.nodeType, data.params, info]);
  const subtitle = data.nodeType === 'input' ? `{{${String(data.params.name ?? '')}}}` : null;
  return (
    <div
      className={`pnode cat-${info?.category ?? 'unknown'}${selected ? ' selected' : ''}${problems?.length ? ' has-problems' : ''}`}
      data-node-id={id}
      data-node-type={data.nodeType}
    >
      <div className="pnode-head">
        <span className="pnode-title">{data.label || info?.title || data.nodeType}</span>
        <span className="pnode-id">{id}</span>
      </div>
      {subtitle && <div className="pnode-sub">{subtitle}</div>}
      <div className="pnode-ports">
        <div className="ports-in">
          {ports.inputs.map((p) => (
            <Port key={p.handle} port={p} side="in" />
          ))}
        </div>
        <div className="ports-out">
          {ports.outputs.map((p) => (
            <Port key={p.handle} port={p} side="out" />
          ))}
        </div>
      </div>
      {!inRun && problems && problems.length > 0 && (
        <ul className="node-problems" role="alert">
          {problems.slice(0, 3).map((m, i) => (
            <li key={i}>{m}</li>
          ))}
          {problems.length > 3 && <li>…{problems.length - 3} more</li>}
        </ul>
      )}
      {inRun && (
        <div className="pnode-run">
          <RunBadge id={id} />
          <RunOutput id={id} />
        </div>
      )}
    </div>
  );
}

export const PipelineNode = memo(PipelineNodeView);
export const nodeTypes = { pipeline: PipelineNode };
