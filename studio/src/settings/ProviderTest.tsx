import { useState } from 'react';
import { forgetOffer, testProvider } from '../lib/providerTest';
import type { ProviderTestResult } from '../lib/api';

const SHOWN = 8;

function Listed({ label, names }: { label: string; names: string[] | undefined }) {
  if (!names?.length) return null;
  const more = names.length - SHOWN;
  return (
    <div className="muted small" data-offered={label.toLowerCase()}>
      {label}: {names.slice(0, SHOWN).join(', ')}
      {more > 0 ? ` and ${more} more` : ''}
    </div>
  );
}

/** "Test connection": tries the saved settings (a cheap authenticated call) and shows what the provider offers, or what to fix. */
export function ProviderTest({ provider, label }: { provider: string; label: string }) {
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<ProviderTestResult | null>(null);
  const run = async () => {
    setBusy(true);
    setResult(null);
    forgetOffer(provider);
    try {
      setResult(await testProvider(provider));
    } catch (err) {
      setResult({ ok: false, detail: (err as Error).message });
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="provider-test" aria-live="polite">
      <button type="button" className="btn small" disabled={busy} onClick={() => void run()} aria-label={`Test the ${label} connection`}>
        {busy ? 'Testing…' : 'Test connection'}
      </button>
      {result &&
        (result.ok ? (
          <div className="provider-test-result" role="status">
            <span className="ok">✓ {result.detail}</span>
            <Listed label="Models" names={result.models} />
            <Listed label="Samplers" names={result.samplers} />
          </div>
        ) : (
          <div className="alert error" role="alert">
            {result.detail}
          </div>
        ))}
    </div>
  );
}
