import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { z } from 'zod';
import type { ApiKeyBody } from '../../../api/contract';
import { api, type ApiKeyInfo, type CreatedApiKey } from '../lib/api';
import { timeAgo } from '../lib/format';

type Scope = z.infer<typeof ApiKeyBody>['scope'];

const SCOPES: { scope: Scope; label: string }[] = [
  { scope: 'read', label: 'Read: see pipelines, runs and media' },
  { scope: 'run', label: 'Run: read, and start and cancel runs' },
  { scope: 'admin', label: 'Admin: everything but managing keys' },
];

/** Settings → API keys: keys for scripts (`Authorization: Bearer cf_…`), each secret shown once, when it is made. */
export function ApiKeys() {
  const [keys, setKeys] = useState<ApiKeyInfo[] | null>(null);
  const [name, setName] = useState('');
  const [scope, setScope] = useState<Scope>('run');
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);

  const load = useCallback(() => {
    api<{ keys: ApiKeyInfo[] }>('GET', '/keys').then(
      (r) => setKeys(r.keys),
      (err) => setError((err as Error).message),
    );
  }, []);
  useEffect(load, [load]);

  const create = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body: z.input<typeof ApiKeyBody> = { name: name.trim(), scope };
      setCreated(await api<CreatedApiKey>('POST', '/keys', body));
      setCopied(false);
      setName('');
      load();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const revoke = async (id: string) => {
    setBusy(true);
    setError(null);
    try {
      await api('DELETE', `/keys/${id}`);
      setConfirming(null);
      if (created?.id === id) setCreated(null);
      load();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const copy = async () => {
    if (!created) return;
    try {
      await navigator.clipboard.writeText(created.key);
      setCopied(true);
    } catch {
      setError('Copying was refused by the browser: select the key and copy it by hand.');
    }
  };

  return (
    <section className="card" aria-label="API keys">
      <h3>API keys</h3>
      <p className="muted small">
        For scripts and other programs: send <code>Authorization: Bearer cf_…</code> to the same REST API the studio uses. A key can do only
        what its scope allows, and stops working the moment you revoke it.
      </p>
      <form className="row key-form" onSubmit={create} aria-label="New API key">
        <input
          placeholder="Key name, e.g. nightly script"
          value={name}
          maxLength={120}
          onChange={(e) => setName(e.target.value)}
          aria-label="Key name"
        />
        <select value={scope} onChange={(e) => setScope(e.target.value as Scope)} aria-label="Scope">
          {SCOPES.map((s) => (
            <option key={s.scope} value={s.scope}>
              {s.label}
            </option>
          ))}
        </select>
        <button className="btn small primary" disabled={busy || !name.trim()}>
          Create key
        </button>
      </form>
      {created && (
        <div className="new-key" role="status">
          <p>
            <strong>Copy the key “{created.name}” now:</strong> it is shown only this once (the server keeps only its hash).
          </p>
          <div className="row">
            <code className="secret" data-secret>
              {created.key}
            </code>
            <button type="button" className="btn small" onClick={() => void copy()}>
              {copied ? 'Copied' : 'Copy'}
            </button>
            <button type="button" className="btn small" onClick={() => setCreated(null)}>
              Done
            </button>
          </div>
        </div>
      )}
      {error && (
        <div className="alert error" role="alert">
          {error}
        </div>
      )}
      {keys === null ? (
        <p className="muted">Loading…</p>
      ) : keys.length === 0 ? (
        <p className="muted small">No keys yet.</p>
      ) : (
        <table className="table api-keys">
          <thead>
            <tr>
              <th>Name</th>
              <th>Scope</th>
              <th>Key</th>
              <th>Created</th>
              <th>Last used</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {keys.map((k) => (
              <tr key={k.id} data-key={k.id}>
                <td>{k.name}</td>
                <td>{k.scope}</td>
                <td>
                  <code>{k.prefix}…</code>
                </td>
                <td title={new Date(k.createdAt).toLocaleString()}>{timeAgo(k.createdAt)}</td>
                <td title={k.lastUsedAt ? new Date(k.lastUsedAt).toLocaleString() : undefined}>
                  {k.lastUsedAt ? timeAgo(k.lastUsedAt) : 'never'}
                </td>
                <td>
                  {confirming === k.id ? (
                    <span className="row">
                      <button type="button" className="btn small danger" disabled={busy} onClick={() => void revoke(k.id)}>
                        Revoke “{k.name}”
                      </button>
                      <button type="button" className="btn small" onClick={() => setConfirming(null)}>
                        Keep
                      </button>
                    </span>
                  ) : (
                    <button type="button" className="btn small" onClick={() => setConfirming(k.id)}>
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
