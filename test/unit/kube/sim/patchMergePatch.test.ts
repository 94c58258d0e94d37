// JSON Merge Patch (RFC 7386) through applyPatch('merge', ...): the RFC's Section 3 and
// Appendix A examples, the API server's refusal of a non-object patch, and a property: the merge
// patch computed from a to b, applied to a, gives b.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { applyPatch } from '../../../../local/sim/kube/patch.ts';
import { deepFreeze, failureOf, valueOf } from './patchTestHelpers.ts';
import type { Json } from './patchTestHelpers.ts';

function mergePatch(target: Json, patch: unknown) {
  return applyPatch('merge', 'Pod', deepFreeze(target), deepFreeze(patch));
}

describe('RFC 7386 examples', () => {
  it('Section 3: the example document and patch give the RFC result', () => {
    const target = {
      title: 'Goodbye!',
      author: { givenName: 'John', familyName: 'Doe' },
      tags: ['example', 'sample'],
      content: 'This will be unchanged',
    };
    const patch = { title: 'Hello!', phoneNumber: '+01-123-456-7890', author: { familyName: null }, tags: ['example'] };
    assert.deepEqual(valueOf(mergePatch(target, patch)), {
      title: 'Hello!',
      author: { givenName: 'John' },
      tags: ['example'],
      content: 'This will be unchanged',
      phoneNumber: '+01-123-456-7890',
    });
  });

  // Appendix A, row by row: [original, patch, result].
  const rows: [unknown, unknown, unknown][] = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [['a', 'b'], ['c', 'd'], ['c', 'd']],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];

  // The API server only patches objects with object patches, so every row is checked one level
  // down, under "x" (a null patch there removes "x", as null does for a member); the rows that are
  // objects on both sides are also checked at the top.
  rows.forEach(([original, patch, result], i) => {
    it(`Appendix A row ${i + 1} gives the RFC result`, () => {
      const nested = valueOf(mergePatch({ x: original }, { x: patch }));
      assert.deepEqual(nested, result === null ? {} : { x: result });
      const objects = [original, patch].every((v) => typeof v === 'object' && v !== null && !Array.isArray(v));
      if (objects) assert.deepEqual(valueOf(mergePatch(original as Json, patch)), result);
    });
  });
});

describe('merge patch', () => {
  it('refuses a patch that is not an object with 400', () => {
    for (const patch of [['c'], null, 'bar', 1]) {
      assert.equal(failureOf(mergePatch({ a: 'b' }, patch)).status, 400, JSON.stringify(patch));
    }
  });

  it('replaces lists whole, as for an EndpointSlice endpoints list', () => {
    const target = { endpoints: [{ addresses: ['10.0.0.1'] }, { addresses: ['10.0.0.2'] }] };
    const result = valueOf(mergePatch(target, { endpoints: [{ addresses: ['10.0.0.3'] }] }));
    assert.deepEqual(result, { endpoints: [{ addresses: ['10.0.0.3'] }] });
  });

  it('merges labels and removes one with null', () => {
    const target = { metadata: { name: 'web', labels: { app: 'web', tier: 'front' } } };
    const result = valueOf(mergePatch(target, { metadata: { labels: { tier: null, track: 'stable' } } }));
    assert.deepEqual(result, { metadata: { name: 'web', labels: { app: 'web', track: 'stable' } } });
  });
});

// A tiny merge patch generator for the property: the members of b that differ from a, null for
// the members a has and b lacks, recursing where both are objects.
type JsonValue = string | number | boolean | JsonValue[] | { [key: string]: JsonValue };

function isObject(value: unknown): value is Record<string, JsonValue> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function put(object: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
}

function diff(a: Record<string, JsonValue>, b: Record<string, JsonValue>): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  for (const key of Object.keys(a)) {
    if (!Object.hasOwn(b, key)) put(patch, key, null);
  }
  for (const [key, value] of Object.entries(b)) {
    const old = Object.hasOwn(a, key) ? a[key] : undefined;
    if (isObject(old) && isObject(value)) {
      const inner = diff(old, value);
      if (Object.keys(inner).length > 0) put(patch, key, inner);
    } else if (!isDeepStrictEqual(old, value)) {
      put(patch, key, value);
    }
  }
  return patch;
}

const { object: jsonObject } = fc.letrec<{ value: JsonValue; object: Record<string, JsonValue> }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string({ maxLength: 4 }),
    fc.integer(),
    fc.boolean(),
    fc.array(tie('value'), { maxLength: 3 }),
    tie('object'),
  ),
  object: fc.dictionary(fc.string({ maxLength: 3 }), tie('value'), { maxKeys: 4, noNullPrototype: true }),
}));

describe('merge patch property', () => {
  it('applying the merge patch from a to b onto a gives b, for objects without nulls', () => {
    fc.assert(fc.property(jsonObject, jsonObject, (a, b) => {
      const result = valueOf(mergePatch(a, diff(a, b)));
      assert.deepStrictEqual(result, b);
    }), { numRuns: 300 });
  });
});
