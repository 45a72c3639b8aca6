import { useCallback, useEffect, useRef, useState } from 'react';
import { api, type CreatedShare, type ShareInfo } from '../lib/api';
import { timeAgo } from '../lib/format';

/**
 * A run's share links: make one (its address is shown once, right then: only a fingerprint of it is kept),
 * copy it, and revoke any live one. A link opens a read-only page of the run's pictures, sound and texts.
 */
export function ShareDialog({ runId, onClose }: { runId: string; onClose(): void }) {
  const [shares, setShares] = useState<ShareInfo[] | null>(null);
  const [created, setCreated] = useState<{ id: string; url: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const dialog = useRef<HTMLDivElement>(null);

  const load = useCallback(() => {
    api<{ shares: ShareInfo[] }>('GET', `/runs/${runId}/shares`).then(
      (r) => setShares(r.shares),
      (err) => setError(`Could not load this run's links: ${(err as Error).message}`),
    );
  }, [runId]);
  useEffect(load, [load]);
  useEffect(() => dialog.current?.focus(), []);

  const create = async () => {
    setBusy(true);
    setError(null);
    try {
      const made = await api<CreatedShare>('POST', `/runs/${runId}/share`, {});
      setCreated({ id: made.id, url: new URL(made.url, window.location.origin).href });
      load();
    } catch (err) {
      setError(`Could not make a link: ${(err as Error).message}`);
    } finally {
      setBusy(false);
    }
  };

  const revoke = async (id: string) => {
    setError(null);
    try {
      await api('DELETE', `/shares/${id}`);
      if (created?.id === id) setCreated(null);
      load();
    } catch (err) {
      setError(`Could not revoke the link: ${(err as Error).message}`);
    }
  };

  return (
    <div className="modal-backdrop" onClick={onClose}>
      <div
        ref={dialog}
        className="modal card share-dialog"
        role="dialog"
        aria-modal="true"
        aria-label="Share this run"
        tabIndex={-1}
        onClick={(e) => e.stopPropagation()}
        onKeyDown={(e) => e.key === 'Escape' && onClose()}
      >
        <div className="row between">
          <h2>Share this run</h2>
          <button className="btn ghost small" onClick={onClose} aria-label="Close">
            ✕
          </button>
        </div>
        <p className="muted small">
          Anyone with a link sees a read-only page of this run's pictures, sound and texts — no login, and nothing else of your account.
          Revoke a link and it stops working at once.
        </p>
        {error && (
          <div className="alert error" role="alert">
            {error}
          </div>
        )}
        {created && <LinkOnce url={created.url} />}
        <button className="btn primary" onClick={() => void create()} disabled={busy}>
          {busy ? 'Making a link…' : created ? 'Make another link' : 'Make a share link'}
        </button>
        <h4>Live links</h4>
        {shares === null ? (
          <p className="muted small">Loading…</p>
        ) : shares.length === 0 ? (
          <p className="muted small">No live links: nobody can open this run but you.</p>
        ) : (
          <ul className="share-list" aria-label="Live links">
            {shares.map((s) => (
              <li key={s.id} className="row between" data-share-id={s.id}>
                <span className="small">
                  Made {timeAgo(s.createdAt)} · {s.views === 0 ? 'not opened yet' : `opened ${s.views} ${s.views === 1 ? 'time' : 'times'}`}
                  {s.lastViewedAt && s.views > 0 ? `, last ${timeAgo(s.lastViewedAt)}` : ''}
                  {created?.id === s.id ? ' · the link above' : ''}
                </span>
                <button className="btn small danger" onClick={() => void revoke(s.id)}>
                  Revoke
                </button>
              </li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}

function LinkOnce({ url }: { url: string }) {
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);
  return (
    <div className="secret-once" role="status" aria-label="New share link">
      <strong>Your new link</strong>
      <p className="small">Copy it now: it is shown only this once (CreativeFlow keeps only a fingerprint of it).</p>
      <div className="row share-link-row">
        <input className="share-link" readOnly value={url} aria-label="Share link" onFocus={(e) => e.currentTarget.select()} />
        <button
          className="btn small"
          onClick={() =>
            void navigator.clipboard?.writeText(url).then(
              () => setCopied('yes'),
              () => setCopied('failed'),
            )
          }
        >
          {copied === 'yes' ? 'Copied' : 'Copy'}
        </button>
        <a className="btn small" href={url} target="_blank" rel="noreferrer noopener">
          Open
        </a>
      </div>
      {copied === 'failed' && <p className="small">The browser would not copy: select the link and copy it yourself.</p>}
    </div>
  );
}
