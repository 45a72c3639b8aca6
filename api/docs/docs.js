// The API's reference page: reads /api/openapi.json and lays it out by resource. Self-contained (no CDN, no
// framework) and a separate file, so the page runs under a Content-Security-Policy without 'unsafe-inline'.
'use strict';

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/** An element with attributes and children (strings become text, never markup). */
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) if (value !== undefined && value !== false) el.setAttribute(name, value);
  for (const child of children.flat(Infinity)) if (child !== undefined && child !== null && child !== false) el.append(child);
  return el;
}

const refName = (ref) => ref.split('/').pop();
const anchor = (kind, name) => `${kind}-${name.replace(/[^A-Za-z0-9]+/g, '-')}`;
const indent = (depth) => '  '.repeat(depth);

/** What a schema's constraints say, briefly: "uuid", "1–200", "≤ 120 chars", "= 50". */
function notes(schema) {
  const out = [];
  if (schema.format) out.push(schema.format);
  // zod bounds every integer to the safe range: only narrower bounds say something.
  const bound = (n) => (n === undefined || Math.abs(n) === Number.MAX_SAFE_INTEGER ? undefined : n);
  const min = bound(schema.minimum) ?? (schema.exclusiveMinimum !== undefined ? `>${schema.exclusiveMinimum}` : undefined);
  const max = bound(schema.maximum);
  if (min !== undefined || max !== undefined) out.push(`${min ?? ''}–${max ?? ''}`);
  if (schema.minLength !== undefined || schema.maxLength !== undefined)
    out.push(`${schema.minLength ?? 0}–${schema.maxLength ?? '∞'} chars`);
  if (schema.minItems !== undefined || schema.maxItems !== undefined) out.push(`${schema.minItems ?? 0}–${schema.maxItems ?? '∞'} items`);
  if (schema.default !== undefined) out.push(`= ${JSON.stringify(schema.default)}`);
  return out.length ? h('span', { class: 'note' }, ` (${out.join(', ')})`) : null;
}

/** A JSON Schema as a TypeScript-like type: `{ id: string (uuid), tags?: string[] }`, references as links. */
function type(schema, depth = 0) {
  if (!schema || Object.keys(schema).length === 0) return 'any';
  if (schema.$ref) return h('a', { href: `#${anchor('schema', refName(schema.$ref))}` }, refName(schema.$ref));
  const union = schema.anyOf ?? schema.oneOf;
  if (union)
    return joined(
      union.map((s) => type(s, depth)),
      ' | ',
    );
  if (schema.allOf)
    return joined(
      schema.allOf.map((s) => type(s, depth)),
      ' & ',
    );
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (Array.isArray(schema.type))
    return joined(
      schema.type.map((t) => type({ ...schema, type: t }, depth)),
      ' | ',
    );
  if (schema.type === 'array') {
    const items = type(schema.items, depth);
    const simple = items instanceof Element || (typeof items === 'string' && !items.includes(' '));
    return [simple ? items : ['Array<', items, '>'], simple ? '[]' : '', notes(schema)];
  }
  if (schema.type === 'object' || schema.properties) return objectType(schema, depth);
  const note = notes(schema);
  return note ? [schema.type ?? 'any', note] : (schema.type ?? 'any');
}

function joined(parts, separator) {
  return parts.flatMap((part, i) => (i === 0 ? [part] : [separator, part]));
}

function objectType(schema, depth) {
  const properties = Object.entries(schema.properties ?? {});
  const extra = typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
  if (properties.length === 0 && !extra) return 'object';
  if (properties.length === 0) return ['{ [key: string]: ', type(extra, depth), ' }'];
  const required = new Set(schema.required ?? []);
  const lines = properties.map(([name, property]) => [
    `\n${indent(depth + 1)}${name}${required.has(name) ? '' : '?'}: `,
    type(property, depth + 1),
    property.description ? h('span', { class: 'comment' }, `  // ${property.description}`) : null,
  ]);
  if (extra) lines.push([`\n${indent(depth + 1)}[key: string]: `, type(extra, depth + 1)]);
  return ['{', ...lines.flat(), `\n${indent(depth)}}`];
}

const schemaBlock = (schema) => h('pre', { class: 'schema' }, type(schema));

function parametersTable(parameters) {
  if (!parameters?.length) return null;
  return [
    h('h4', {}, 'Parameters'),
    h(
      'table',
      {},
      h('tr', {}, h('th', {}, 'name'), h('th', {}, 'in'), h('th', {}, 'type'), h('th', {}, '')),
      parameters.map((p) =>
        h(
          'tr',
          {},
          h('td', {}, h('code', {}, p.name), p.required ? '' : '?'),
          h('td', {}, p.in),
          h('td', {}, h('code', {}, type(p.schema))),
          h('td', {}, p.description ?? ''),
        ),
      ),
    ),
  ];
}

function content(media) {
  return Object.entries(media ?? {}).map(([mediaType, { schema }]) => [
    h('div', { class: 'media-type' }, mediaType),
    schema ? schemaBlock(schema) : null,
  ]);
}

function operation(method, path, op) {
  const id = anchor('op', `${method} ${path}`);
  return h(
    'details',
    { class: 'operation', id },
    h(
      'summary',
      {},
      h('span', { class: `method ${method}` }, method.toUpperCase()),
      ' ',
      h('code', { class: 'path' }, path),
      ' ',
      h('span', { class: 'summary' }, op.summary ?? ''),
      op.security?.length
        ? h('span', { class: 'lock', title: 'Needs Authorization: Bearer <token or API key>' }, 'bearer')
        : h('span', { class: 'open' }, 'public'),
    ),
    op.description ? h('p', {}, op.description) : null,
    parametersTable(op.parameters),
    op.requestBody ? [h('h4', {}, `Body${op.requestBody.required ? '' : ' (optional)'}`), content(op.requestBody.content)] : null,
    h('h4', {}, 'Responses'),
    h(
      'dl',
      { class: 'responses' },
      Object.entries(op.responses ?? {}).map(([status, r]) => [
        h('dt', { class: `status s${status[0]}` }, status),
        h('dd', {}, h('p', {}, r.description ?? ''), content(r.content)),
      ]),
    ),
  );
}

function render(doc) {
  document.title = doc.info.title;
  document.querySelector('h1').textContent = `${doc.info.title} ${doc.info.version}`;
  const intro = document.getElementById('intro');
  intro.replaceChildren(doc.info.description ?? '', ' ', h('a', { href: '/api/openapi.json' }, 'OpenAPI document'));
  const schemes = Object.values(doc.components?.securitySchemes ?? {}).map((s) =>
    h('p', { class: 'auth' }, h('strong', {}, 'Authentication: '), s.description ?? s.scheme),
  );

  const byTag = new Map((doc.tags ?? []).map((t) => [t.name, []]));
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const tag = op.tags?.[0] ?? 'other';
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag).push(operation(method, path, op));
    }
  }
  const schemas = Object.entries(doc.components?.schemas ?? {});
  document.getElementById('contents').replaceChildren(
    h(
      'ul',
      {},
      [...byTag.keys()].map((tag) => h('li', {}, h('a', { href: `#${anchor('tag', tag)}` }, tag))),
      h('li', {}, h('a', { href: '#schemas' }, 'schemas')),
    ),
  );
  document.getElementById('reference').replaceChildren(
    ...schemes,
    ...[...byTag].map(([tag, ops]) => h('section', { id: anchor('tag', tag) }, h('h2', {}, tag), ops)),
    h(
      'section',
      { id: 'schemas' },
      h('h2', {}, 'schemas'),
      schemas.map(([name, schema]) => h('div', { class: 'component', id: anchor('schema', name) }, h('h3', {}, name), schemaBlock(schema))),
    ),
  );
  // A link to an operation or schema opens it.
  const open = () => {
    const target = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (!target) return;
    target.closest('details')?.setAttribute('open', '');
    target.scrollIntoView();
  };
  window.addEventListener('hashchange', open);
  open();
}

fetch('/api/openapi.json')
  .then((res) => (res.ok ? res.json() : Promise.reject(new Error(`${res.status} ${res.statusText}`))))
  .then(render)
  .catch((err) => {
    document.getElementById('intro').textContent = `Could not read /api/openapi.json: ${err.message}`;
  });
