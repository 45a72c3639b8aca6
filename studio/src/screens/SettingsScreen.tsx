import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { z } from 'zod';
import type { ProviderCredentialBody } from '../../../api/contract';
import { api, ApiError, type Generation, type PlanUsage, type ProviderSetting, type User } from '../lib/api';
import { bytes, timeAgo } from '../lib/format';
import { linkProps } from '../lib/router';
import { setTheme } from '../lib/theme';
import { isImageServer } from '../../../workflows/pipeline/providers';
import { ApiKeys } from '../settings/ApiKeys';
import { OutputCache } from '../settings/OutputCache';
import { ImageServers } from '../settings/ImageServers';
import { ProviderTest } from '../settings/ProviderTest';

const PROVIDER_NAMES: Record<string, string> = {
  openai: 'OpenAI (or any OpenAI-compatible server)',
  elevenlabs: 'ElevenLabs',
  stability: 'Stability AI',
};

function ProviderRow({ p, onChanged }: { p: ProviderSetting; onChanged(): void }) {
  const [apiKey, setApiKey] = useState('');
  const [baseUrl, setBaseUrl] = useState(p.baseUrl ?? '');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setMessage(null);
    try {
      const body: z.input<typeof ProviderCredentialBody> = { apiKey, ...(baseUrl.trim() ? { baseUrl: baseUrl.trim() } : {}) };
      await api('PUT', `/settings/providers/${p.provider}`, body);
      setApiKey('');
      setMessage({ text: 'Saved. The key is stored encrypted and never shown again.', error: false });
      onChanged();
    } catch (err) {
      setMessage({ text: (err as Error).message, error: true });
    } finally {
      setBusy(false);
    }
  };
  const remove = async () => {
    setBusy(true);
    try {
      await api('DELETE', `/settings/providers/${p.provider}`);
      setMessage({ text: 'Removed.', error: false });
      onChanged();
    } catch (err) {
      setMessage({ text: (err as Error).message, error: true });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="provider" onSubmit={save} aria-label={`${p.provider} key`}>
      <div className="row between">
        <strong>{PROVIDER_NAMES[p.provider] ?? p.provider}</strong>
        <span className={`status-pill ${p.configured ? 'status-succeeded' : ''}`}>
          {p.source === 'user' ? 'your key' : p.source === 'environment' ? 'server key' : 'not set'}
        </span>
      </div>
      <div className="row">
        <input
          type="password"
          autoComplete="off"
          placeholder={p.configured ? 'Replace the key…' : 'API key'}
          value={apiKey}
          onChange={(e) => setApiKey(e.target.value)}
          aria-label={`${p.provider} API key`}
        />
      </div>
      {p.provider === 'openai' && (
        <input
          type="url"
          placeholder="Base URL (optional, e.g. http://localhost:11434/v1)"
          value={baseUrl}
          onChange={(e) => setBaseUrl(e.target.value)}
          aria-label="Base URL"
        />
      )}
      <div className="row">
        <button className="btn small primary" disabled={busy || !apiKey.trim()}>
          Save key
        </button>
        {p.source === 'user' && (
          <button type="button" className="btn small danger" disabled={busy} onClick={() => void remove()}>
            Remove
          </button>
        )}
        {p.updatedAt && <span className="muted small">updated {timeAgo(p.updatedAt)}</span>}
      </div>
      {message && <div className={message.error ? 'alert error' : 'muted small'}>{message.text}</div>}
      {p.configured && <ProviderTest provider={p.provider} label={PROVIDER_NAMES[p.provider] ?? p.provider} />}
    </form>
  );
}

const USAGE_ROWS: { key: keyof PlanUsage['usage']; label: string; show(n: number): string }[] = [
  { key: 'monthlyGenerations', label: 'Generations this month', show: String },
  { key: 'concurrentRuns', label: 'Runs in progress', show: String },
  { key: 'storageBytes', label: 'Storage', show: bytes },
  { key: 'monthlySpendUsd', label: 'Spend this month', show: (n) => `$${n.toFixed(2)}` },
];

/** The plan's limits with what is used of each; monthly ones reset on the first of the month (UTC). */
function UsageSection({ usage }: { usage: PlanUsage }) {
  return (
    <section className="card" aria-label="Usage">
      <h3>Usage · {usage.plan} plan</h3>
      <table className="table">
        <tbody>
          {USAGE_ROWS.map(({ key, label, show }) => {
            const { used, limit } = usage.usage[key];
            return (
              <tr key={key} data-quota={key}>
                <td>{label}</td>
                <td>
                  {show(used)} / {show(limit)}
                </td>
                <td>
                  <progress max={limit || 1} value={Math.min(used, limit)} aria-label={label} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <p className="muted small">
        Up to {usage.nodesPerPipeline} nodes per pipeline. Monthly counts reset {new Date(usage.resetsAt).toISOString().slice(0, 10)}.
      </p>
    </section>
  );
}

export default function SettingsScreen() {
  const [user, setUser] = useState<User | null>(null);
  const [theme, setThemeState] = useState(() => localStorage.getItem('cf.theme') ?? 'system');
  const [providers, setProviders] = useState<ProviderSetting[] | null | 'unavailable'>(null);
  const [generations, setGenerations] = useState<Generation[] | null>(null);
  const [usage, setUsage] = useState<PlanUsage | null>(null);

  const loadProviders = useCallback(() => {
    api<{ providers: ProviderSetting[] }>('GET', '/settings/providers').then(
      (r) => setProviders(r.providers),
      (err) => setProviders(err instanceof ApiError && err.status === 404 ? 'unavailable' : 'unavailable'),
    );
  }, []);

  useEffect(() => {
    api<{ user: User }>('GET', '/auth/me').then(
      (r) => setUser(r.user),
      () => undefined,
    );
    loadProviders();
    api<PlanUsage>('GET', '/settings/usage').then(setUsage, () => undefined);
    api<{ generations: Generation[] }>('GET', '/settings/generations?limit=20').then(
      (r) => setGenerations(r.generations),
      () => setGenerations([]),
    );
  }, [loadProviders]);

  return (
    <div className="page narrow">
      <h1>Settings</h1>
      <section className="card">
        <h3>Account</h3>
        <p>
          {user ? (
            <>
              Signed in as <strong>{user.email}</strong>
              {user.plan ? <> · plan {user.plan}</> : null}
            </>
          ) : (
            'Loading…'
          )}
        </p>
      </section>
      {usage && <UsageSection usage={usage} />}
      <section className="card">
        <h3>Appearance</h3>
        <div className="row" role="radiogroup" aria-label="Theme">
          {(['system', 'light', 'dark'] as const).map((t) => (
            <label key={t} className="radio">
              <input
                type="radio"
                name="theme"
                checked={theme === t}
                onChange={() => {
                  setTheme(t);
                  setThemeState(t);
                }}
              />
              {t === 'system' ? 'Follow the system' : t === 'light' ? 'Light' : 'Dark'}
            </label>
          ))}
        </div>
      </section>
      <section className="card">
        <h3>Providers &amp; keys</h3>
        <p className="muted small">
          Every AI node runs offline on local models by default. To use a cloud provider, add its key here and pick the provider in the
          node's settings.
        </p>
        {providers === null ? (
          <p className="muted">Loading…</p>
        ) : providers === 'unavailable' ? (
          <p className="muted">Coming soon: this server has no provider-key API yet; it reads keys from its environment.</p>
        ) : (
          <div className="providers">
            {providers
              .filter((p) => !isImageServer(p.provider))
              .map((p) => (
                <ProviderRow key={p.provider} p={p} onChanged={loadProviders} />
              ))}
          </div>
        )}
      </section>
      {Array.isArray(providers) && <ImageServers servers={providers.filter((p) => isImageServer(p.provider))} onChanged={loadProviders} />}
      <ApiKeys />
      <OutputCache />
      {generations && generations.length > 0 && (
        <section className="card">
          <h3>Recent generations</h3>
          <table className="table">
            <thead>
              <tr>
                <th>When</th>
                <th>Node</th>
                <th>Service</th>
                <th>Status</th>
                <th>Time</th>
                <th>Cost</th>
              </tr>
            </thead>
            <tbody>
              {generations.map((g) => (
                <tr key={g.id}>
                  <td>{g.runId ? <a {...linkProps(`/runs/${g.runId}`)}>{timeAgo(g.createdAt)}</a> : timeAgo(g.createdAt)}</td>
                  <td>{g.nodeId ?? g.type}</td>
                  <td>
                    {g.aiService}
                    {g.model ? ` · ${g.model}` : ''}
                  </td>
                  <td>{g.status}</td>
                  <td>{g.processingMs != null ? `${(g.processingMs / 1000).toFixed(1)} s` : '—'}</td>
                  <td>${g.costUsd.toFixed(4)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </div>
  );
}
