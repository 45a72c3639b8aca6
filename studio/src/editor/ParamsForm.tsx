import { useRef } from 'react';
import type { PortSpec } from '../../../workflows/pipeline';
import { paramLabel } from '../core/paramLabels';
import { isImageServer } from '../../../workflows/pipeline/providers';
import { ServerChoiceField } from './ServerChoiceField';

/** A JSON Schema property as zod's toJSONSchema writes it (the subset the form understands). */
interface Prop {
  type?: string | string[];
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  maxLength?: number;
  default?: unknown;
  description?: string;
  anyOf?: Prop[];
  /** Labels of the enum's values, same order (GET /api/nodes: installed models and voices). */
  'x-enum-labels'?: string[];
  /** The enum holds only when these params have these values (the local provider's models); free text otherwise. */
  'x-enum-for'?: Record<string, unknown>;
}
interface ObjectSchema {
  properties?: Record<string, Prop>;
  required?: string[];
}

const LONG_TEXT_KEYS = new Set(['template', 'instruction', 'instructions', 'prompt', 'text', 'system', 'description']);

function typeOf(p: Prop): string | undefined {
  if (Array.isArray(p.type)) return p.type.find((t) => t !== 'null');
  if (p.type) return p.type;
  const inner = p.anyOf?.find((a) => a.type && a.type !== 'null');
  return inner ? typeOf(inner) : undefined;
}

function placeholderChips(description: string | undefined, inputs: PortSpec[], key: string): string[] {
  const fromText = key === 'template' ? [] : [...(description ?? '').matchAll(/\{\{\s*([A-Za-z_][\w-]*)\s*\}\}/g)].map((m) => m[1]);
  const fromPorts = inputs.map((p) => p.handle);
  return [...new Set([...fromText, ...fromPorts])];
}

export function ParamsForm({
  schema,
  values,
  inputs,
  nodeType,
  onChange,
}: {
  schema: ObjectSchema | undefined;
  values: Record<string, unknown>;
  inputs: PortSpec[];
  nodeType: string;
  onChange(patch: Record<string, unknown>): void;
}) {
  const props = Object.entries(schema?.properties ?? {});
  if (props.length === 0) return <p className="muted small">This node has no settings.</p>;
  return (
    <div className="params-form">
      {props.map(([key, prop]) => (
        <Field
          key={key}
          name={key}
          prop={prop}
          value={values[key]}
          inputs={inputs}
          nodeType={nodeType}
          provider={typeof values.provider === 'string' ? values.provider : undefined}
          enumApplies={enumApplies(prop, values)}
          onChange={(v) => onChange({ [key]: v })}
        />
      ))}
    </div>
  );
}

/** Whether a property's enum restricts it given the other params (see x-enum-for). */
export function enumApplies(prop: Prop, values: Record<string, unknown>): boolean {
  const when = prop['x-enum-for'];
  if (!when) return true;
  return Object.entries(when).every(([key, expected]) => (values[key] ?? expected) === expected);
}

function Field({
  name,
  prop,
  value,
  inputs,
  nodeType,
  provider,
  enumApplies,
  onChange,
}: {
  name: string;
  prop: Prop;
  value: unknown;
  inputs: PortSpec[];
  nodeType: string;
  /** The node's provider param, if it has one: an image server's models and samplers come from the server. */
  provider?: string;
  enumApplies: boolean;
  onChange(v: unknown): void;
}) {
  const textarea = useRef<HTMLTextAreaElement>(null);
  const type = typeOf(prop);
  const label = paramLabel(name);
  const id = `param-${name}`;
  const help = prop.description && <small className="muted">{prop.description}</small>;

  if ((name === 'model' || name === 'sampler') && provider && isImageServer(provider)) {
    return (
      <ServerChoiceField
        id={id}
        name={name}
        label={label}
        provider={provider}
        value={typeof value === 'string' ? value : ''}
        help={prop.description}
        onChange={onChange}
      />
    );
  }

  if (prop.enum && enumApplies) {
    const labels = prop['x-enum-labels'];
    // A saved value this install no longer has stays visible (and selected) instead of silently changing.
    const missing = value !== undefined && value !== '' && !prop.enum.includes(value);
    return (
      <label className="field" htmlFor={id}>
        <span>{label}</span>
        <select
          id={id}
          name={name}
          value={value === undefined ? '' : String(value)}
          onChange={(e) =>
            onChange(
              prop.enum!.find((v) => String(v) === e.target.value) ?? (missing && e.target.value === String(value) ? value : undefined),
            )
          }
        >
          {prop.default === undefined && <option value="">{labels ? 'Default' : '—'}</option>}
          {prop.enum.map((v, i) => (
            <option key={String(v)} value={String(v)}>
              {labels?.[i] ?? String(v)}
            </option>
          ))}
          {missing && <option value={String(value)}>{`${String(value)} (not installed)`}</option>}
        </select>
        {help}
      </label>
    );
  }
  if (type === 'boolean') {
    return (
      <label className="field check" htmlFor={id}>
        <input
          id={id}
          name={name}
          type="checkbox"
          checked={value === undefined ? prop.default === true : value === true}
          onChange={(e) => onChange(e.target.checked)}
        />
        <span>{label}</span>
        {help}
      </label>
    );
  }
  if (type === 'number' || type === 'integer') {
    const min = prop.minimum ?? prop.exclusiveMinimum;
    const max = prop.maximum ?? prop.exclusiveMaximum;
    const step = type === 'integer' ? 1 : min !== undefined && max !== undefined ? (max - min) / 100 : 'any';
    const slider = min !== undefined && max !== undefined && (type !== 'integer' || max - min <= 10_000) && max - min > 0;
    const num = typeof value === 'number' ? value : typeof prop.default === 'number' ? prop.default : '';
    const set = (raw: string) => {
      if (raw === '') return onChange(undefined);
      const n = Number(raw);
      if (Number.isFinite(n)) onChange(n);
    };
    return (
      <div className="field">
        <label htmlFor={id}>{label}</label>
        <div className="row">
          {slider && (
            <input
              aria-label={`${label} slider`}
              type="range"
              min={min}
              max={max}
              step={step}
              value={num === '' ? min : num}
              onChange={(e) => set(e.target.value)}
            />
          )}
          <input
            id={id}
            name={name}
            className={slider ? 'num short' : 'num'}
            type="number"
            min={min}
            max={max}
            step={step}
            value={num}
            onChange={(e) => set(e.target.value)}
          />
        </div>
        {help}
        {min !== undefined && max !== undefined && !slider && (
          <small className="muted">
            {min} – {max.toLocaleString()}
          </small>
        )}
      </div>
    );
  }
  const str = value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  const long = LONG_TEXT_KEYS.has(name) || (prop.maxLength ?? 0) > 500 || str.includes('\n');
  const setStr = (v: string) => onChange(v === '' && prop.default === undefined ? undefined : v);
  if (long || nodeType === 'template') {
    const chips = placeholderChips(prop.description, inputs, name);
    const insert = (chip: string) => {
      const el = textarea.current;
      const text = `{{${chip}}}`;
      if (!el) return setStr(str + text);
      const start = el.selectionStart ?? str.length;
      const end = el.selectionEnd ?? str.length;
      setStr(str.slice(0, start) + text + str.slice(end));
      requestAnimationFrame(() => {
        el.focus();
        el.setSelectionRange(start + text.length, start + text.length);
      });
    };
    return (
      <div className="field">
        <label htmlFor={id}>{label}</label>
        <textarea
          ref={textarea}
          id={id}
          name={name}
          rows={name === 'template' || name.startsWith('instruction') ? 6 : 3}
          value={str}
          onChange={(e) => setStr(e.target.value)}
          spellCheck={false}
        />
        {chips.length > 0 && (
          <div className="chips" aria-label="Available placeholders">
            <span className="muted small">{name === 'template' ? 'Inputs:' : 'Insert:'}</span>
            {chips.map((c) => (
              <button key={c} type="button" className="chip" onClick={() => insert(c)}>{`{{${c}}}`}</button>
            ))}
          </div>
        )}
        {name === 'template' && <small className="muted">Each {'{{name}}'} becomes an input port.</small>}
        {help}
      </div>
    );
  }
  const chips = placeholderChips(prop.description, [], name);
  return (
    <label className="field" htmlFor={id}>
      <span>{label}</span>
      <input
        id={id}
        name={name}
        type="text"
        value={str}
        placeholder={prop.default !== undefined ? String(prop.default) : ''}
        onChange={(e) => setStr(e.target.value)}
        spellCheck={false}
      />
      {chips.length > 0 && <small className="muted">Placeholders: {chips.map((c) => `{{${c}}}`).join(' ')}</small>}
      {!chips.length && help}
    </label>
  );
}
