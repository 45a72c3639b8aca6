import { useCallback, useEffect, useState } from 'react';
import { api, type CacheEntry } from '../lib/api';
import { timeAgo, usd } from '../lib/format';
import { linkProps } from '../lib/router';

/** Settings → Output cache: node results a later identical run reuses instead of paying again; clear one or all. */
export function OutputCache() {
  const [entries, setEntries] = useState<CacheEntry[] | null>(null);
  const [confirmingAll, setConfirmingAll] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(() => {
    api<{ entries: CacheEntry[] }>('GET', '/cache').then(
      (r) => setEntries(r.entries),
      (err) => setError((err as Error).message),
    );
  }, []);
  useEffect(load, [load]);

  const drop = async (path: string) => {
    setBusy(true);
    setError(null);
    try {
      await api('DELETE', path);
      setConfirmingAll(false);
      load();
    } catch (err) {
      setError(`${(err as Error).message} — reload the page and try again.`);
    } finally {
      setBusy(false);
    }
  };

  const saved = (entries ?? []).reduce((sum, e) => sum + e.savedUsd, 0);
  return (
    <section className="card" aria-label="Output cache">
      <h3>Output cache</h3>
      <p className="muted small">
        A node with a fixed seed (or a cache choice in its settings) reuses an identical earlier result instead of calling the provider
        again. Start a run with “Fresh” to bypass it; clear an entry here to compute that node again next time.
      </p>
      {error && (
        <div className="alert error" role="alert">
          {error}
        </div>
      )}
      {entries === null ? (
        <p className="muted">Loading…</p>
      ) : entries.length === 0 ? (
        <p className="muted small">Nothing cached yet: results are kept as your runs succeed.</p>
      ) : (
        <>
          <div className="row">
            <span className="muted small">
              {entries.length} {entries.length === 1 ? 'entry' : 'entries'} · reusing each once saves {usd(saved)}
            </span>
            {confirmingAll ? (
              <span className="row">
                <button type="button" className="btn small danger" disabled={busy} onClick={() => void drop('/cache')}>
                  Clear all {entries.length}
                </button>
                <button type="button" className="btn small" onClick={() => setConfirmingAll(false)}>
                  Keep
                </button>
              </span>
            ) : (
              <button type="button" className="btn small" onClick={() => setConfirmingAll(true)}>
                Clear cache
              </button>
            )}
          </div>
          <table className="table cache-entries">
            <thead>
              <tr>
                <th>Node</th>
                <th>Pipeline</th>
                <th>Created</th>
                <th>Saves</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.id} data-cache-entry={e.id}>
                  <td>
                    {e.nodeId} <span className="muted small">({e.nodeType})</span>
                  </td>
                  <td>{e.pipelineName ?? <span className="muted">deleted pipeline</span>}</td>
                  <td title={new Date(e.createdAt).toLocaleString()}>
                    <a {...linkProps(`/runs/${e.runId}`)}>{timeAgo(e.createdAt)}</a>
                  </td>
                  <td>{usd(e.savedUsd)}</td>
                  <td>
                    <button
                      type="button"
                      className="btn small"
                      disabled={busy}
                      aria-label={`Remove the cached ${e.nodeId} result`}
                      onClick={() => void drop(`/cache/${e.id}`)}
                    >
                      Remove
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
