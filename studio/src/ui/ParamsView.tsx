import { paramLabel } from '../core/paramLabels';

interface ParamsSchema {
  properties?: Record<string, { default?: unknown; description?: string }>;
}

function shown(value: unknown): string {
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  if (typeof value === 'number') return value.toLocaleString();
  if (typeof value === 'string') return value;
  return JSON.stringify(value, null, 2);
}

/**
 * A node's settings, read-only, in the order and with the labels of its settings form (the catalog's schema):
 * a setting left empty shows the default it ran with, or "—".
 */
export function ParamsView({ schema, values }: { schema: ParamsSchema | undefined; values: Record<string, unknown> }) {
  const known = Object.keys(schema?.properties ?? {});
  const keys = [...known, ...Object.keys(values).filter((k) => !known.includes(k))];
  if (keys.length === 0) return <p className="muted small">This node has no settings.</p>;
  return (
    <dl className="facts params-view small" aria-label="Settings">
      {keys.map((key) => {
        const prop = schema?.properties?.[key];
        const set = values[key] !== undefined && values[key] !== '';
        const value = set ? values[key] : prop?.default;
        return (
          <div key={key} data-param={key}>
            <dt title={prop?.description}>{paramLabel(key)}</dt>
            <dd className={typeof value === 'string' && value.length > 60 ? 'long' : undefined}>
              {value === undefined || value === '' ? (
                <span className="muted">—</span>
              ) : (
                <>
                  {shown(value)}
                  {!set && <span className="muted"> (default)</span>}
                </>
              )}
            </dd>
          </div>
        );
      })}
    </dl>
  );
}
