import { describe, expect, it } from 'vitest';
import { findUnsafe, MAX_DEPTH, textProblem } from './safeInput';

const nested = (depth: number): unknown => {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
};

describe('the edge guard', () => {
  it('names the path of a NUL character', () => {
    const body = { graph: { nodes: [{ params: { template: 'ok' } }, { params: { template: 'bad\u0000' } }] } };
    expect(findUnsafe(body, 'body')).toBe('body.graph.nodes[1].params.template: contains a NUL character (\\u0000)');
  });

  it('refuses lone surrogates but keeps surrogate pairs (emoji)', () => {
    expect(textProblem('otters 🦦 and 𝄞')).toBeUndefined();
    expect(textProblem('cut in half \uD83E')).toMatch(/lone surrogate/);
    expect(textProblem('\uDD9Astarts with a low half')).toMatch(/lone surrogate/);
    expect(textProblem('\uDD9A\uD83E')).toMatch(/lone surrogate/); // reversed pair
    expect(findUnsafe({ inputs: { topic: ['x', '\uD800'] } }, 'body')).toBe(
      'body.inputs.topic[1]: contains a lone surrogate (not valid Unicode)',
    );
  });

  it('refuses nesting deeper than the limit, walking any depth without recursion', () => {
    expect(findUnsafe(nested(MAX_DEPTH), 'body')).toBeUndefined();
    expect(findUnsafe(nested(MAX_DEPTH + 1), 'body')).toBe(`body${'.a'.repeat(MAX_DEPTH)}: is nested deeper than ${MAX_DEPTH} levels`);
    const deep = JSON.parse('['.repeat(200_000) + ']'.repeat(200_000));
    expect(findUnsafe(deep, 'body')).toMatch(/^body(\[0\]){64}: is nested deeper than 64 levels$/);
  });

  it('refuses keys that reach a prototype, and unsafe text in keys', () => {
    expect(findUnsafe(JSON.parse('{"inputs": {"__proto__": {"polluted": true}}}'), 'body')).toBe(
      "body.inputs.__proto__: '__proto__' is a reserved name",
    );
    expect(findUnsafe({ a: { constructor: 1 } }, 'body')).toBe("body.a.constructor: 'constructor' is a reserved name");
    expect(findUnsafe({ prototype: 1 }, 'query')).toBe("query.prototype: 'prototype' is a reserved name");
    expect(findUnsafe({ 'a\u0000b': 1 }, 'body')).toBe('body["a\\u0000b"]: the name contains a NUL character (\\u0000)');
    expect(findUnsafe({ 'two words': { '\uD800': 1 } }, 'body')).toBe(
      'body["two words"]["\\ud800"]: the name contains a lone surrogate (not valid Unicode)',
    );
  });

  it('lets ordinary JSON through', () => {
    expect(
      findUnsafe({ name: 'Story', graph: { nodes: [], edges: [] }, n: 1, ok: true, none: null, list: [1, 'two', { three: 3 }] }, 'body'),
    ).toBeUndefined();
    expect(findUnsafe(undefined, 'body')).toBeUndefined();
    expect(findUnsafe('plain', 'body')).toBeUndefined();
  });
});
