/**
 * The bad-input corpus: every route of the API, and for each the bad inputs that apply to it. Routes are
 * read from the Express app itself, so a new route is covered (and must get a fixture) automatically.
 */
import type { Express } from 'express';

export interface Route {
  method: string;
  /** Express path, e.g. `/api/runs/:id/artifacts/*path`. */
  path: string;
  /** What the route's requireScope middleware declares (api/scopes.ts); empty when it has none. */
  access: string[];
}

/** Every `/api` route the app answers, read from its router stack (Express 5 / router 2). */
export function apiRoutes(app: Express): Route[] {
  const routes: Route[] = [];
  const walk = (stack: any[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route && typeof layer.route.path === 'string') {
        const path = prefix + (layer.route.path === '/' && prefix ? '' : layer.route.path);
        const access = (layer.route.stack as { handle: { access?: string } }[]).flatMap((l) => (l.handle.access ? [l.handle.access] : []));
        for (const method of Object.keys(layer.route.methods))
          if (method !== '_all') routes.push({ method: method.toUpperCase(), path, access });
      } else if (Array.isArray(layer.handle?.stack) && typeof layer.rawPath === 'string') {
        walk(layer.handle.stack, prefix + (layer.rawPath === '/' ? '' : layer.rawPath));
      }
    }
  };
  walk((app as unknown as { router: { stack: unknown[] } }).router.stack, '');
  return routes.filter((r) => r.path.startsWith('/api/'));
}

export const routeKey = (r: Route) => `${r.method} ${r.path}`;

/** What one corpus request must get back. */
export type Expectation =
  /** Refused: 4xx JSON {error, message}; `status` pins the code, `names` must appear in the message. */
  | { kind: 'refused'; status?: number; names?: string }
  /** Either answer is fine as long as it is not a 5xx (and a 4xx is JSON {error, message}). */
  | { kind: 'not-5xx' }
  /** The legitimate request: 2xx (or one of `allow`). */
  | { kind: 'ok'; allow?: number[] };

export interface Probe {
  label: string;
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  expect: Expectation;
}

const refused = (names?: string, status?: number): Expectation => ({ kind: 'refused', names, status });
const not5xx: Expectation = { kind: 'not-5xx' };

const NUL = '\u0000';
const HIGH = '\uD800';
const LOW = '\uDC00';

/** 5,000 levels of `{"a": …}` / `[…]`, as JSON text (JSON.stringify of such a value would be just as deep). */
export const deepObjectJson = (depth = 5000) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
export const deepArrayJson = (depth = 5000) => '['.repeat(depth) + '1' + ']'.repeat(depth);
/** A value sent as this JSON text (for what JSON.stringify can't or won't write). */
const rawTexts: string[] = [];
const raw = (text: string): Json => `\u0001raw${rawTexts.push(text) - 1}\u0001`;

/** Values of Last-Event-ID / ?lastEventId that are no event's id. */
export const LAST_EVENT_IDS = ['99999999999', '2147483648', '-1', 'abc', '1e400', '9007199254740993', '1.5'];

const DANGEROUS_KEYS = ['__proto__', 'constructor', 'prototype'];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = (string | number)[];

function leaves(value: Json, path: Path = []): { path: Path; value: Json }[] {
  if (Array.isArray(value)) return [{ path, value }, ...value.flatMap((v, i) => leaves(v, [...path, i]))];
  if (value !== null && typeof value === 'object')
    return [{ path, value }, ...Object.entries(value).flatMap(([k, v]) => leaves(v, [...path, k]))];
  return [{ path, value }];
}

function replaced(root: Json, path: Path, replace: (old: Json) => Json): Json {
  if (path.length === 0) return replace(root);
  const [head, ...rest] = path;
  if (Array.isArray(root)) return root.map((v, i) => (i === head ? replaced(v, rest, replace) : v));
  const object = root as Record<string, Json>;
  const copy: Record<string, Json> = {};
  for (const key of Object.keys(object))
    Object.defineProperty(copy, key, {
      value: key === head ? replaced(object[key], rest, replace) : object[key],
      enumerable: true,
      writable: true,
      configurable: true,
    });
  return copy;
}

/** Sets `key` as an own property (even `__proto__`), so JSON.stringify sends it. */
function withKey(object: Json, key: string, value: Json): Json {
  const copy = { ...(object as Record<string, Json>) };
  Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true });
  return copy;
}

const describePath = (path: Path) => path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('') || '(root)';
const lastName = (path: Path) => {
  const last = path.at(-1);
  return typeof last === 'number' ? `[${last}]` : last;
};

const json = (value: Json) => JSON.stringify(value).replace(/"\\u0001raw(\d+)\\u0001"/g, (_, i: string) => rawTexts[Number(i)]);
const JSON_HEADERS = { 'content-type': 'application/json' };

/** Each string, number and object of a legitimate body, spoiled one at a time. */
export function bodyMutations(base: Json): { label: string; body: string; expect: Expectation }[] {
  const out: { label: string; body: string; expect: Expectation }[] = [];
  for (const { path, value } of leaves(base)) {
    const where = `body${describePath(path)}`;
    const name = lastName(path);
    if (typeof value === 'string') {
      out.push({ label: `${where} with a NUL`, body: json(replaced(base, path, () => `${value}${NUL}x`)), expect: refused(name) });
      out.push({
        label: `${where} with a lone high surrogate`,
        body: json(replaced(base, path, () => `${value}${HIGH}`)),
        expect: refused(name),
      });
      out.push({
        label: `${where} with a lone low surrogate`,
        body: json(replaced(base, path, () => `${LOW}${value}`)),
        expect: refused(name),
      });
      out.push({ label: `${where} only a NUL`, body: json(replaced(base, path, () => NUL)), expect: refused(name) });
    }
    if (typeof value === 'number') {
      for (const n of [2147483648, 2 ** 53 + 2, 1e308, -1, 0.5]) {
        out.push({ label: `${where} = ${n}`, body: json(replaced(base, path, () => n)), expect: not5xx });
      }
      out.push({ label: `${where} = 1e999 (Infinity)`, body: json(replaced(base, path, () => raw('1e999'))), expect: not5xx });
    }
    if (path.length > 0 && value !== null) {
      out.push({ label: `${where} 5000 levels deep`, body: json(replaced(base, path, () => raw(deepArrayJson()))), expect: refused(name) });
    }
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const key of DANGEROUS_KEYS) {
        out.push({
          label: `${where} with key ${key}`,
          body: json(replaced(base, path, (o) => withKey(o, key, { polluted: 'yes' }))),
          expect: refused(key),
        });
      }
      out.push({
        label: `${where} with a NUL in a key`,
        body: json(replaced(base, path, (o) => withKey(o, `a${NUL}b`, 'x'))),
        expect: refused(),
      });
      out.push({
        label: `${where} with a lone surrogate in a key`,
        body: json(replaced(base, path, (o) => withKey(o, `a${HIGH}`, 'x'))),
        expect: refused(),
      });
    }
  }
  return out;
}

/** Whole bodies that are wrong in shape, syntax, size or media type. */
export function wholeBodyCases(
  base: Json,
): { label: string; headers: Record<string, string>; body: string | Uint8Array; expect: Expectation }[] {
  const text = json(base);
  const encoded = new TextEncoder().encode(text);
  return [
    { label: 'truncated JSON', headers: JSON_HEADERS, body: text.slice(0, Math.max(1, text.length - 3)), expect: refused(undefined, 400) },
    { label: 'two JSON values', headers: JSON_HEADERS, body: `${text}${text}`, expect: refused(undefined, 400) },
    { label: 'a JSON array', headers: JSON_HEADERS, body: '[]', expect: refused() },
    { label: 'JSON null', headers: JSON_HEADERS, body: 'null', expect: refused() },
    { label: 'a JSON string', headers: JSON_HEADERS, body: '"x"', expect: refused() },
    { label: 'a JSON number', headers: JSON_HEADERS, body: '2147483648', expect: refused() },
    { label: 'an object 5000 levels deep', headers: JSON_HEADERS, body: deepObjectJson(), expect: refused() },
    { label: 'an array 5000 levels deep', headers: JSON_HEADERS, body: deepArrayJson(), expect: refused() },
    { label: 'an object 100000 levels deep', headers: JSON_HEADERS, body: deepObjectJson(100_000), expect: refused() },
    { label: 'text/plain body', headers: { 'content-type': 'text/plain' }, body: text, expect: refused(undefined, 415) },
    {
      label: 'form-encoded body',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'name=x&graph=y',
      expect: refused(undefined, 415),
    },
    { label: 'body without a content type', headers: {}, body: encoded, expect: refused(undefined, 415) },
    {
      label: 'UTF-8 bytes labelled UTF-16',
      headers: { 'content-type': 'application/json; charset=utf-16' },
      body: text,
      expect: refused(),
    },
    {
      label: 'JSON in Latin-1',
      headers: { 'content-type': 'application/json; charset=latin1' },
      body: text,
      expect: refused(undefined, 415),
    },
    {
      label: 'a +json media type',
      headers: { 'content-type': 'application/merge-patch+json' },
      body: text,
      expect: refused(undefined, 415),
    },
    {
      label: 'application/json; charset=utf-8',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: text,
      expect: { kind: 'ok', allow: [400, 404, 409] },
    },
    { label: 'gzip that is not gzip', headers: { ...JSON_HEADERS, 'content-encoding': 'gzip' }, body: text, expect: refused() },
    {
      label: 'an unknown content encoding',
      headers: { ...JSON_HEADERS, 'content-encoding': 'compress' },
      body: text,
      expect: refused(undefined, 415),
    },
    {
      label: 'a string of 900 kB',
      headers: JSON_HEADERS,
      body: json(typeof base === 'object' && base && !Array.isArray(base) ? { ...base, name: 'x'.repeat(900_000) } : 'x'),
      expect: refused(),
    },
  ];
}

export interface QueryCase {
  label: string;
  query: string;
  expect: Expectation;
  /** What a list route (one that reads ListQuery) must answer instead. */
  onList?: Expectation;
}

/** Query strings, on every GET route. */
export const QUERY_CASES: QueryCase[] = [
  ...['0', '-1', '1.5', '201', '99999999999', '1e400', 'abc'].map((v) => ({
    label: `limit=${v}`,
    query: `limit=${v}`,
    expect: not5xx,
    onList: refused('limit'),
  })),
  { label: 'limit=NUL', query: 'limit=%00', expect: refused('limit') },
  { label: 'limit twice', query: 'limit=1&limit=2', expect: not5xx, onList: refused('limit') },
  { label: 'before=0000-01-01', query: 'before=0000-01-01T00:00:00Z', expect: not5xx, onList: refused('before') },
  { label: 'before=0001-01-01', query: 'before=0001-01-01T00:00:00Z', expect: not5xx, onList: refused('before') },
  { label: 'before=1969-12-31', query: 'before=1969-12-31T23:59:59Z', expect: not5xx, onList: refused('before') },
  { label: 'before=9999-12-31', query: 'before=9999-12-31T23:59:59Z', expect: not5xx, onList: { kind: 'ok' } },
  {
    label: 'before=9999-12-31 at -14:00 (year 10000 in UTC)',
    query: 'before=9999-12-31T23:00:00-14:00',
    expect: not5xx,
    onList: refused('before'),
  },
  { label: 'before=Feb 30', query: 'before=2024-02-30T00:00:00Z', expect: not5xx, onList: refused('before') },
  { label: 'before=month 13', query: 'before=2024-13-01T00:00:00Z', expect: not5xx, onList: refused('before') },
  { label: 'before with +14:00', query: 'before=2024-01-01T00:00:00%2B14:00', expect: not5xx, onList: { kind: 'ok' } },
  { label: 'before=nope', query: 'before=nope', expect: not5xx, onList: refused('before') },
  { label: 'before=NUL', query: 'before=%00', expect: refused('before') },
  { label: 'before twice', query: 'before=2024-01-01T00:00:00Z&before=2024-01-02T00:00:00Z', expect: not5xx, onList: refused('before') },
  { label: 'after=nope', query: 'after=nope', expect: not5xx, onList: refused('after') },
  { label: 'after=unknown id', query: 'after=00000000-0000-4000-8000-000000000000', expect: not5xx, onList: { kind: 'ok' } },
  {
    label: 'after and before',
    query: 'after=00000000-0000-4000-8000-000000000000&before=2024-01-01T00:00:00Z',
    expect: not5xx,
    onList: { kind: 'ok' },
  },
  { label: 'projectId=nope', query: 'projectId=nope', expect: not5xx, onList: refused('projectId') },
  { label: 'projectId=NUL', query: 'projectId=%00', expect: refused('projectId') },
  ...['0', '-1', '1.5', 'abc', '1e3', '2147483647', '2147483648', '99999999999'].map((v) => ({
    label: `version=${v}`,
    query: `version=${v}`,
    expect: not5xx,
  })),
  ...LAST_EVENT_IDS.map((v) => ({ label: `lastEventId=${v}`, query: `lastEventId=${v}`, expect: not5xx })),
  { label: 'key __proto__', query: '__proto__=x', expect: refused('__proto__') },
  { label: 'key constructor', query: 'constructor=x', expect: refused('constructor') },
  { label: 'key with a NUL', query: 'a%00b=x', expect: refused() },
  { label: 'unused value with a NUL', query: 'q=%00', expect: refused('q') },
  { label: 'value with bad percent-encoding', query: 'q=%E0%A4%A', expect: not5xx },
  { label: 'value with an encoded surrogate', query: 'q=%ED%A0%80', expect: not5xx },
  { label: 'bracket keys', query: 'limit[a]=1&before[]=x', expect: not5xx },
];

/** Range headers, on every GET route (the blob routes honour them). */
export const RANGE_CASES = [
  'bytes=-0',
  'bytes=0-0,2-3',
  'bytes=99999999999999999999-',
  'bytes=-99999999999999999999',
  'bytes=5-1',
  'bytes=abc',
  'bytes=0-',
  'bytes=1000000-',
  'bytes=--1',
  'items=0-1',
];

/** Replacements for one path parameter. `%`-escapes are sent as they are. */
export const PATH_PARAM_CASES: { label: string; value: string; expect: Expectation }[] = [
  { label: 'not an id', value: 'not-a-uuid', expect: not5xx },
  { label: 'a NUL', value: '%00', expect: refused() },
  { label: 'an id with a NUL', value: '00000000-0000-4000-8000-000000000000%00', expect: refused() },
  { label: 'an encoded lone surrogate', value: '%ED%A0%80', expect: not5xx },
  { label: 'bad percent-encoding', value: '%E0%A4%A', expect: not5xx },
  { label: 'an unknown id', value: '00000000-0000-4000-8000-000000000000', expect: not5xx },
  { label: '__proto__', value: '__proto__', expect: not5xx },
  { label: 'constructor', value: 'constructor', expect: not5xx },
  { label: 'a long value', value: 'a'.repeat(4000), expect: not5xx },
  { label: 'dot-dot', value: '..', expect: not5xx },
  { label: 'an encoded slash', value: '..%2F..%2Fetc%2Fpasswd', expect: not5xx },
];

/** Replacements for a `*path` wildcard. */
export const WILDCARD_CASES: { label: string; value: string; expect: Expectation }[] = [
  ...PATH_PARAM_CASES,
  { label: 'a traversal', value: 'x/../../../../secret', expect: not5xx },
  { label: 'an encoded traversal', value: '%2E%2E/%2E%2E/secret', expect: not5xx },
  { label: 'a deep path', value: Array(200).fill('a').join('/'), expect: not5xx },
];
