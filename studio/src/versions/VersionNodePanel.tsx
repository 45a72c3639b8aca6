import type { NodeInfo, PipelineVersionDetail } from '../lib/api';
import { ParamsView } from '../ui/ParamsView';

/** The selected node of an old version: what this version did to it, and its settings, read-only. */
export function VersionNodePanel({
  detail,
  selected,
  catalogInfo,
}: {
  detail: PipelineVersionDetail;
  selected: string | null;
  catalogInfo: Record<string, NodeInfo>;
}) {
  const node = detail.graph.nodes.find((n) => n.id === selected);
  const { changes } = detail;
  if (!node) {
    return (
      <aside className="side-panel" aria-label="Version details">
        <h3>Version {detail.version}</h3>
        <p className="muted small">Select a step to read its settings as they were in this version.</p>
        {changes.removed.length > 0 && <p className="small">Removed in this version: {changes.removed.join(', ')}</p>}
      </aside>
    );
  }
  const what = changes.added.includes(node.id)
    ? 'added'
    : changes.changed.includes(node.id)
      ? 'changed'
      : changes.moved.includes(node.id)
        ? 'moved'
        : 'unchanged';
  return (
    <aside className="side-panel" aria-label="Version details">
      <h3>{node.label ?? catalogInfo[node.type]?.title ?? node.type}</h3>
      <p className="muted small" data-node-change={what}>
        {node.id} · {what} in version {detail.version}
      </p>
      <h4>Settings</h4>
      <ParamsView schema={catalogInfo[node.type]?.params as never} values={node.params} />
    </aside>
  );
}
