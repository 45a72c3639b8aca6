import { linkProps } from '../lib/router';
import { useProviderOffer } from '../lib/providerTest';

const SERVER_NAMES: Record<string, string> = { comfyui: 'ComfyUI', automatic1111: 'AUTOMATIC1111' };

/**
 * A model or sampler param of a node on an image server: a choice among what the server offers (asked once per
 * page), the server's default when empty. When the server cannot be asked, the name can still be typed.
 */
export function ServerChoiceField({
  id,
  name,
  label,
  provider,
  value,
  help,
  onChange,
}: {
  id: string;
  name: 'model' | 'sampler';
  label: string;
  provider: string;
  value: string;
  help?: string;
  onChange(v: string | undefined): void;
}) {
  const offer = useProviderOffer(provider);
  const server = SERVER_NAMES[provider] ?? provider;
  const choices = offer?.state === 'ready' ? ((name === 'model' ? offer.result.models : offer.result.samplers) ?? []) : [];
  if (offer?.state === 'ready' && choices.length > 0) {
    return (
      <label className="field" htmlFor={id}>
        <span>{label}</span>
        <select id={id} name={name} value={value} onChange={(e) => onChange(e.target.value || undefined)}>
          <option value="">{name === 'model' ? `${server}'s default` : 'Default'}</option>
          {!choices.includes(value) && value && <option value={value}>{value} (not on the server)</option>}
          {choices.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
        <small className="muted">
          {name === 'model' ? `The checkpoints on your ${server} server.` : `The samplers your ${server} server offers.`}
        </small>
      </label>
    );
  }
  return (
    <label className="field" htmlFor={id}>
      <span>{label}</span>
      <input
        id={id}
        name={name}
        type="text"
        value={value}
        placeholder={offer?.state === 'loading' ? `Asking ${server}…` : ''}
        onChange={(e) => onChange(e.target.value || undefined)}
        spellCheck={false}
      />
      {offer?.state === 'failed' ? (
        <small className="muted" role="status">
          Could not list what {server} offers: {offer.detail} <a {...linkProps('/settings')}>Open Settings → Providers</a>
        </small>
      ) : (
        help && <small className="muted">{help}</small>
      )}
    </label>
  );
}
