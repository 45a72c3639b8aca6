import { useState } from 'react';
import type { GraphNode, NodeState } from '../../../workflows/pipeline/graph';
import { api } from '../lib/api';
import { OutputValue } from '../ui/OutputValue';

/** When a waiting approval decides by itself, or null when it waits as long as it takes. */
function deadlineOf(node: GraphNode, state: NodeState): Date | null {
  const minutes = node.params.timeoutMinutes;
  if (typeof minutes !== 'number' || !state.startedAt) return null;
  return new Date(new Date(state.startedAt).getTime() + minutes * 60_000);
}

/**
 * A waiting approval step: its instructions, what is to be approved (a text to edit in place; audio, pictures and
 * anything else shown as they are), and Approve / Reject with an optional comment.
 */
export function ApprovalPanel({ runId, node, state }: { runId: string; node: GraphNode; state: NodeState }) {
  const pending = state.output?.out;
  const editable = typeof pending === 'string';
  const [text, setText] = useState(editable ? pending : '');
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState<'approve' | 'reject' | null>(null);
  const [sent, setSent] = useState<'approved' | 'rejected' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const deadline = deadlineOf(node, state);
  const onTimeout = node.params.onTimeout === 'approve' ? 'approves' : 'rejects';

  const decide = async (approve: boolean) => {
    setBusy(approve ? 'approve' : 'reject');
    setError(null);
    try {
      const edited = approve && editable && text !== pending ? { value: text } : {};
      const answer = await api<{ decision: 'approved' | 'rejected' }>(
        'POST',
        `/runs/${runId}/nodes/${encodeURIComponent(node.id)}/decision`,
        {
          approve,
          ...edited,
          ...(comment.trim() ? { comment: comment.trim() } : {}),
        },
      );
      setSent(answer.decision);
    } catch (err) {
      setError(`${(err as Error).message}. Reload the run to see where it stands.`);
    } finally {
      setBusy(null);
    }
  };

  const id = `approval-${node.id}`;
  return (
    <section className="approval" aria-labelledby={`${id}-title`} data-approval={node.id}>
      <h4 id={`${id}-title`}>Waiting for you · {node.label ?? node.id}</h4>
      <p className="approval-instructions">{String(node.params.instructions ?? '')}</p>
      {deadline && (
        <p className="muted small">
          Decides by itself at {deadline.toLocaleTimeString()}: it {onTimeout} then.
        </p>
      )}
      {editable ? (
        <label className="field">
          <span>Text to approve (edit it if needed)</span>
          <textarea value={text} rows={8} onChange={(e) => setText(e.target.value)} disabled={!!sent} />
        </label>
      ) : (
        <div className="output-block">
          <div className="muted small">To approve</div>
          <OutputValue value={pending} />
        </div>
      )}
      <label className="field">
        <span>Comment (optional; a rejection shows it as the reason)</span>
        <input value={comment} maxLength={2000} onChange={(e) => setComment(e.target.value)} disabled={!!sent} />
      </label>
      {error && (
        <div className="alert error" role="alert">
          {error}
        </div>
      )}
      {sent ? (
        <p className="approval-sent" role="status">
          {sent === 'approved' ? 'Approved: the run goes on.' : 'Rejected: the run stops.'}
        </p>
      ) : (
        <div className="row approval-actions">
          <button type="button" className="btn primary" disabled={!!busy} onClick={() => void decide(true)}>
            {busy === 'approve' ? 'Approving…' : editable && text !== pending ? 'Approve edited text' : 'Approve'}
          </button>
          <button type="button" className="btn danger" disabled={!!busy} onClick={() => void decide(false)}>
            {busy === 'reject' ? 'Rejecting…' : 'Reject'}
          </button>
        </div>
      )}
    </section>
  );
}
