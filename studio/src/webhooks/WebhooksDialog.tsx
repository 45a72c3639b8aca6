import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { z } from 'zod';
import type { WebhookBody } from '../../../api/contract';
import { WEBHOOK_EVENTS, type WebhookEvent } from '../../../workflows/pipeline/webhooks';
import { api, type CreatedWebhook, type Webhook, type WebhookDeliveryAttempt } from '../lib/api';
import { timeAgo } from '../lib/format';

const EVENT_LABELS: Record<WebhookEvent, string> = {
  'run.succeeded': 'Run succeeded',
  'run.failed': 'Run failed',
  'run.cancelled': 'Run cancelled',
};
/** How often an open delivery log asks for new attempts. */
const LOG_REFRESH_MS = 2000;

/**
 * A pipeline's webhooks: add one (its signing secret is shown once, right then), send it a test event, read its
 * delivery log (every attempt with its status code and response time), delete it.
 */
export function WebhooksDialog({ pipelineId, onClose }: { pipelineId: string; onClose(): void }) {
  const [webhooks, setWebhooks] = useState<Webhook[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<CreatedWebhook | null>(null);

  const load = useCallback(() => {
    api<{ webhooks: Webhook[] }>('GET', `/pipelines/${pipelineId}/webhooks`).then(
      (r) => setWebhooks(r.webhooks),
      (err) => setError((err as Error).message),
    );
  }, [pipelineId]);
  useEffect(load, [load]);

  return (
    <div className="modal-backdrop" onClick={onClose}>
      <div
        className="modal card webhooks"
        role="dialog"
        aria-label="Webhooks"
        onClick={(e) => e.stopPropagation()}
        onKeyDown={(e) => e.key === 'Escape' && onClose()}
      >
        <div className="row between">
          <h2>Webhooks</h2>
          <button className="btn ghost small" onClick={onClose} aria-label="Close">
            ✕
          </button>
        </div>
        <p className="muted small">
          When a run of this pipeline ends, each webhook gets a signed JSON summary (Standard Webhooks). A receiver that is down gets it
          again later, for up to 24 hours; the run never waits for it.
        </p>
        {error && (
          <div className="alert error" role="alert">
            {error}
          </div>
        )}
        {created && <SecretOnce created={created} onDone={() => setCreated(null)} />}
        {webhooks === null ? (
          <p className="muted">Loading…</p>
        ) : webhooks.length === 0 ? (
          <p className="muted small">No webhooks yet.</p>
        ) : (
          <ul className="webhook-list">
            {webhooks.map((w) => (
              <WebhookItem key={w.id} webhook={w} onDeleted={load} />
            ))}
          </ul>
        )}
        <AddWebhook
          pipelineId={pipelineId}
          onCreated={(made) => {
            setCreated(made);
            load();
          }}
        />
      </div>
    </div>
  );
}

function SecretOnce({ created, onDone }: { created: CreatedWebhook; onDone(): void }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="secret-once" role="status" aria-label="Signing secret">
      <strong>Signing secret for {created.url}</strong>
      <p className="small">Copy it now: it is shown only this once. Your receiver checks each delivery's signature with it.</p>
      <div className="row">
        <code className="secret" data-secret>
          {created.secret}
        </code>
        <button
          className="btn small"
          onClick={() =>
            void navigator.clipboard?.writeText(created.secret).then(
              () => setCopied(true),
              () => undefined,
            )
          }
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
        <button className="btn small primary" onClick={onDone}>
          I have copied it
        </button>
      </div>
    </div>
  );
}

function AddWebhook({ pipelineId, onCreated }: { pipelineId: string; onCreated(made: CreatedWebhook): void }) {
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<WebhookEvent[]>(['run.succeeded', 'run.failed']);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const add = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body: z.input<typeof WebhookBody> = { url: url.trim(), events };
      onCreated(await api<CreatedWebhook>('POST', `/pipelines/${pipelineId}/webhooks`, body));
      setUrl('');
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const toggle = (event: WebhookEvent, on: boolean) =>
    setEvents(on ? WEBHOOK_EVENTS.filter((x) => x === event || events.includes(x)) : events.filter((x) => x !== event));

  return (
    <form className="add-webhook" onSubmit={(e) => void add(e)} aria-label="Add a webhook" noValidate>
      <h4>Add a webhook</h4>
      <label className="field">
        <span>Endpoint URL</span>
        <input type="url" placeholder="https://example.com/hooks/creativeflow" value={url} onChange={(e) => setUrl(e.target.value)} />
      </label>
      <div className="row" role="group" aria-label="Events">
        {WEBHOOK_EVENTS.map((event) => (
          <label key={event} className="radio">
            <input type="checkbox" checked={events.includes(event)} onChange={(e) => toggle(event, e.target.checked)} />
            {EVENT_LABELS[event]}
          </label>
        ))}
      </div>
      {error && (
        <div className="alert error" role="alert">
          {error}
        </div>
      )}
      <div className="row end">
        <button className="btn primary small" disabled={busy || !url.trim() || events.length === 0}>
          {busy ? 'Adding…' : 'Add webhook'}
        </button>
      </div>
    </form>
  );
}

function WebhookItem({ webhook, onDeleted }: { webhook: Webhook; onDeleted(): void }) {
  const [showLog, setShowLog] = useState(false);
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  const [busy, setBusy] = useState(false);

  const act = async (work: () => Promise<unknown>, done?: string) => {
    setBusy(true);
    setMessage(null);
    try {
      await work();
      if (done) setMessage({ text: done, error: false });
    } catch (err) {
      setMessage({ text: (err as Error).message, error: true });
    } finally {
      setBusy(false);
    }
  };
  const sendTest = () =>
    act(async () => {
      await api('POST', `/webhooks/${webhook.id}/test`, {});
      setShowLog(true);
    }, 'Test event sent: its delivery shows in the log.');
  const remove = () => {
    if (!window.confirm(`Delete the webhook to ${webhook.url}? Its delivery log goes with it.`)) return;
    void act(async () => {
      await api('DELETE', `/webhooks/${webhook.id}`);
      onDeleted();
    });
  };

  return (
    <li className="webhook" data-webhook={webhook.id}>
      <div className="row between">
        <code className="webhook-url" title={webhook.url}>
          {webhook.url}
        </code>
        <span className="muted small">added {timeAgo(webhook.createdAt)}</span>
      </div>
      <div className="chips">
        {webhook.events.map((e) => (
          <span key={e} className="chip">
            {e}
          </span>
        ))}
      </div>
      <div className="row">
        <button className="btn small" disabled={busy} onClick={() => void sendTest()}>
          Send test event
        </button>
        <button className="btn small" onClick={() => setShowLog(!showLog)} aria-expanded={showLog}>
          {showLog ? 'Hide delivery log' : 'Delivery log'}
        </button>
        <div className="spacer" />
        <button className="btn small danger" disabled={busy} onClick={remove}>
          Delete
        </button>
      </div>
      {message && (
        <div className={message.error ? 'alert error' : 'muted small'} role={message.error ? 'alert' : undefined}>
          {message.text}
        </div>
      )}
      {showLog && <DeliveryLog webhookId={webhook.id} />}
    </li>
  );
}

function DeliveryLog({ webhookId }: { webhookId: string }) {
  const [attempts, setAttempts] = useState<WebhookDeliveryAttempt[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let stopped = false;
    const load = async () => {
      try {
        const { deliveries } = await api<{ deliveries: WebhookDeliveryAttempt[] }>('GET', `/webhooks/${webhookId}/deliveries?limit=50`);
        if (stopped) return;
        setAttempts(deliveries);
        setError(null);
      } catch (err) {
        if (!stopped) setError((err as Error).message);
      }
    };
    void load();
    const timer = setInterval(() => void load(), LOG_REFRESH_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [webhookId]);

  if (error) return <div className="alert error">{error}</div>;
  if (!attempts) return <p className="muted small">Loading the log…</p>;
  if (attempts.length === 0)
    return (
      <p className="muted small" data-delivery-log="empty">
        Nothing delivered yet.
      </p>
    );
  return (
    <table className="table delivery-log" aria-label="Delivery log">
      <thead>
        <tr>
          <th>When</th>
          <th>Event</th>
          <th>Attempt</th>
          <th>Status</th>
          <th>Time</th>
        </tr>
      </thead>
      <tbody>
        {attempts.map((a) => (
          <tr key={a.id} data-status={a.statusCode ?? 'none'}>
            <td title={a.createdAt}>{timeAgo(a.createdAt)}</td>
            <td>{a.event}</td>
            <td>{a.attempt}</td>
            <td className={a.error ? 'delivery-failed' : 'delivery-ok'}>
              {a.statusCode ?? '—'}
              {a.error && a.statusCode === null ? ` ${a.error}` : ''}
            </td>
            <td>{a.responseMs === null ? '—' : `${a.responseMs} ms`}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
