import { useState, type FormEvent } from 'react';
import type { z } from 'zod';
import type { ProviderCredentialBody } from '../../../api/contract';
import { api, type ProviderSetting } from '../lib/api';
import { timeAgo } from '../lib/format';
import { forgetOffer } from '../lib/providerTest';
import { ProviderTest } from './ProviderTest';

const SERVERS: Record<string, { name: string; example: string; hint: string }> = {
  comfyui: {
    name: 'ComfyUI',
    example: 'http://gpu-box:8188',
    hint: 'Start ComfyUI with --listen so it answers on the network.',
  },
  automatic1111: {
    name: 'AUTOMATIC1111 / Forge',
    example: 'http://gpu-box:7860',
    hint: 'Start the web UI with --api --listen (and --api-auth user:password to require a password).',
  },
};

function ServerRow({ p, onChanged }: { p: ProviderSetting; onChanged(): void }) {
  const server = SERVERS[p.provider];
  const [baseUrl, setBaseUrl] = useState(p.source === 'user' ? (p.baseUrl ?? '') : '');
  const [authorization, setAuthorization] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);

  const act = async (work: () => Promise<string>) => {
    setBusy(true);
    setMessage(null);
    try {
      setMessage({ text: await work(), error: false });
      forgetOffer(p.provider);
      onChanged();
    } catch (err) {
      setMessage({ text: (err as Error).message, error: true });
    } finally {
      setBusy(false);
    }
  };
  const save = (e: FormEvent) => {
    e.preventDefault();
    void act(async () => {
      const body: z.input<typeof ProviderCredentialBody> = {
        baseUrl: baseUrl.trim(),
        ...(authorization.trim() ? { authorization: authorization.trim() } : {}),
      };
      await api('PUT', `/settings/providers/${p.provider}`, body);
      setAuthorization('');
      return 'Saved. Test the connection to see the models it offers.';
    });
  };
  const remove = () =>
    void act(async () => {
      await api('DELETE', `/settings/providers/${p.provider}`);
      setBaseUrl('');
      return 'Removed.';
    });

  return (
    <form className="provider" onSubmit={save} aria-label={`${server.name} server`}>
      <div className="row between">
        <strong>{server.name}</strong>
        <span className={`status-pill ${p.configured ? 'status-succeeded' : ''}`}>
          {p.source === 'user' ? 'your server' : p.source === 'environment' ? "the install's server" : 'not set'}
        </span>
      </div>
      {p.source === 'environment' && (
        <p className="muted small">This install uses {p.baseUrl ?? 'a server'} for everyone. Add your own address to use yours instead.</p>
      )}
      <div className="row">
        <input
          type="url"
          required
          placeholder={`Base URL, e.g. ${server.example}`}
          value={baseUrl}
          onChange={(e) => setBaseUrl(e.target.value)}
          aria-label={`${server.name} base URL`}
        />
      </div>
      <div className="row">
        <input
          type="password"
          autoComplete="off"
          placeholder={
            p.source === 'user'
              ? 'Authorization header (type it again to keep one)'
              : 'Authorization header (optional), e.g. Basic dXNlcjpwYXNz'
          }
          value={authorization}
          onChange={(e) => setAuthorization(e.target.value)}
          aria-label={`${server.name} Authorization header`}
        />
      </div>
      <small className="muted">{server.hint}</small>
      <div className="row">
        <button className="btn small primary" disabled={busy || !baseUrl.trim()}>
          Save server
        </button>
        {p.source === 'user' && (
          <button type="button" className="btn small danger" disabled={busy} onClick={remove}>
            Remove
          </button>
        )}
        {p.updatedAt && <span className="muted small">updated {timeAgo(p.updatedAt)}</span>}
      </div>
      {message && <div className={message.error ? 'alert error' : 'muted small'}>{message.text}</div>}
      {p.configured && <ProviderTest provider={p.provider} label={server.name} />}
    </form>
  );
}

/** Settings → Image servers: the user's own ComfyUI or AUTOMATIC1111 / Forge, by address, for the illustration node. */
export function ImageServers({ servers, onChanged }: { servers: ProviderSetting[]; onChanged(): void }) {
  return (
    <section className="card" aria-label="Image servers">
      <h3>Image servers</h3>
      <p className="muted small">
        Run illustrations on your own GPU: add a ComfyUI or AUTOMATIC1111 / Forge server, then pick it as the provider of an Illustration
        node. Pictures from your server cost nothing here unless the operator sets a price. A server on your own network needs the operator
        to allow its address (PROVIDER_ALLOWED_HOSTS).
      </p>
      <div className="providers">
        {servers.map((p) => (
          <ServerRow key={p.provider} p={p} onChanged={onChanged} />
        ))}
      </div>
    </section>
  );
}
