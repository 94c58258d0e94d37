// JSON Patch (RFC 6902) through applyPatch('json', ...): the RFC's Appendix A examples, each
// operation's edge cases, and the API server's status codes (400 for a body that is not an array
// of operation objects, 422 for an operation that cannot be applied).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyPatch } from '../../../../local/sim/kube/patch.ts';
import { deepFreeze, failureOf, valueOf } from './patchTestHelpers.ts';
import type { Json } from './patchTestHelpers.ts';

function jsonPatch(target: Json, patch: unknown) {
  return applyPatch('json', 'Service', deepFreeze(target), deepFreeze(patch));
}

describe('RFC 6902 Appendix A examples', () => {
  const applies: [string, Json, unknown[], Json][] = [
    ['A.1 adding an object member', { foo: 'bar' }, [{ op: 'add', path: '/baz', value: 'qux' }], { baz: 'qux', foo: 'bar' }],
    ['A.2 adding an array element', { foo: ['bar', 'baz'] }, [{ op: 'add', path: '/foo/1', value: 'qux' }], { foo: ['bar', 'qux', 'baz'] }],
    ['A.3 removing an object member', { baz: 'qux', foo: 'bar' }, [{ op: 'remove', path: '/baz' }], { foo: 'bar' }],
    ['A.4 removing an array element', { foo: ['bar', 'qux', 'baz'] }, [{ op: 'remove', path: '/foo/1' }], { foo: ['bar', 'baz'] }],
    ['A.5 replacing a value', { baz: 'qux', foo: 'bar' }, [{ op: 'replace', path: '/baz', value: 'boo' }], { baz: 'boo', foo: 'bar' }],
    ['A.6 moving a value',
      { foo: { bar: 'baz', waldo: 'fred' }, qux: { corge: 'grault' } },
      [{ op: 'move', from: '/foo/waldo', path: '/qux/thud' }],
      { foo: { bar: 'baz' }, qux: { corge: 'grault', thud: 'fred' } }],
    ['A.7 moving an array element',
      { foo: ['all', 'grass', 'cows', 'eat'] },
      [{ op: 'move', from: '/foo/1', path: '/foo/3' }],
      { foo: ['all', 'cows', 'eat', 'grass'] }],
    ['A.8 testing a value: success',
      { baz: 'qux', foo: ['a', 2, 'c'] },
      [{ op: 'test', path: '/baz', value: 'qux' }, { op: 'test', path: '/foo/1', value: 2 }],
      { baz: 'qux', foo: ['a', 2, 'c'] }],
    ['A.10 adding a nested member object', { foo: 'bar' }, [{ op: 'add', path: '/child', value: { grandchild: {} } }],
      { foo: 'bar', child: { grandchild: {} } }],
    ['A.11 ignoring unrecognized elements', { foo: 'bar' }, [{ op: 'add', path: '/baz', value: 'qux', xyz: 123 }],
      { foo: 'bar', baz: 'qux' }],
    ['A.14 ~ escape ordering', { '/': 9, '~1': 10 }, [{ op: 'test', path: '/~01', value: 10 }], { '/': 9, '~1': 10 }],
    ['A.16 adding an array value', { foo: ['bar'] }, [{ op: 'add', path: '/foo/-', value: ['abc', 'def'] }],
      { foo: ['bar', ['abc', 'def']] }],
  ];
  for (const [name, target, patch, expected] of applies) {
    it(`${name} gives the RFC's result`, () => {
      assert.deepEqual(valueOf(jsonPatch(target, patch)), expected);
    });
  }

  // A.13 (an operation object with two "op" members) cannot be written as a decoded body:
  // JSON.parse keeps only the last member, so it is left out.
  const fails: [string, Json, unknown[]][] = [
    ['A.9 testing a value: error', { baz: 'qux' }, [{ op: 'test', path: '/baz', value: 'bar' }]],
    ['A.12 adding to a nonexistent target', { foo: 'bar' }, [{ op: 'add', path: '/baz/bat', value: 'qux' }]],
    ['A.15 comparing strings and numbers', { '/': 9, '~1': 10 }, [{ op: 'test', path: '/~01', value: '10' }]],
  ];
  for (const [name, target, patch] of fails) {
    it(`${name} is refused with 422`, () => {
      assert.equal(failureOf(jsonPatch(target, patch)).status, 422);
    });
  }
});

describe('JSON Patch operations', () => {
  it('add replaces an existing member and inserts at the array end with "-" or the length', () => {
    const result = valueOf(jsonPatch({ a: 1, list: [1] }, [
      { op: 'add', path: '/a', value: 2 },
      { op: 'add', path: '/list/-', value: 2 },
      { op: 'add', path: '/list/2', value: 3 },
    ]));
    assert.deepEqual(result, { a: 2, list: [1, 2, 3] });
  });

  it('add refuses an index past the end and an index with a leading zero', () => {
    for (const path of ['/list/2', '/list/01', '/list/x']) {
      const failure = failureOf(jsonPatch({ list: [1] }, [{ op: 'add', path, value: 9 }]));
      assert.equal(failure.status, 422, path);
    }
  });

  it('add with the empty path replaces the whole document', () => {
    assert.deepEqual(valueOf(jsonPatch({ a: 1 }, [{ op: 'add', path: '', value: { b: 2 } }])), { b: 2 });
  });

  it('remove deletes a member and an array element, and refuses what does not exist', () => {
    assert.deepEqual(valueOf(jsonPatch({ a: 1, b: [1, 2] }, [
      { op: 'remove', path: '/a' }, { op: 'remove', path: '/b/0' },
    ])), { b: [2] });
    for (const path of ['/missing', '/b/2', '/b/-', '/a/deeper']) {
      const failure = failureOf(jsonPatch({ a: 1, b: [1, 2] }, [{ op: 'remove', path }]));
      assert.equal(failure.status, 422, path);
      assert.match(failure.message, /remove/);
      assert.ok(failure.message.includes(JSON.stringify(path)), failure.message);
    }
  });

  it('replace keeps the member in place and refuses a path that does not exist', () => {
    const result = valueOf(jsonPatch({ a: 1, b: 2, c: [0, 1] }, [
      { op: 'replace', path: '/a', value: 'x' }, { op: 'replace', path: '/c/1', value: 'y' },
    ]));
    assert.deepEqual(Object.keys(result), ['a', 'b', 'c']);
    assert.deepEqual(result, { a: 'x', b: 2, c: [0, 'y'] });
    const failure = failureOf(jsonPatch({ a: 1 }, [{ op: 'replace', path: '/b', value: 1 }]));
    assert.equal(failure.status, 422);
    assert.match(failure.message, /replace.*"\/b"/);
  });

  it('move refuses a missing source and a move into its own child, and moving onto itself changes nothing', () => {
    assert.equal(failureOf(jsonPatch({ a: {} }, [{ op: 'move', from: '/x', path: '/y' }])).status, 422);
    assert.equal(failureOf(jsonPatch({ a: { b: 1 } }, [{ op: 'move', from: '/a', path: '/a/b/c' }])).status, 422);
    // Once /l/0 is removed, /l/0/x would name the next element: the RFC forbids the move outright.
    assert.equal(failureOf(jsonPatch({ l: [{}, {}] }, [{ op: 'move', from: '/l/0', path: '/l/0/x' }])).status, 422);
    assert.deepEqual(valueOf(jsonPatch({ a: { b: 1 } }, [{ op: 'move', from: '/a', path: '/a' }])), { a: { b: 1 } });
  });

  it('copy makes an independent copy that later operations can change alone', () => {
    const result = valueOf(jsonPatch({ a: { n: 1 } }, [
      { op: 'copy', from: '/a', path: '/b' },
      { op: 'replace', path: '/b/n', value: 2 },
    ]));
    assert.deepEqual(result, { a: { n: 1 }, b: { n: 2 } });
  });

  it('test compares JSON values structurally, ignoring member order', () => {
    const target = { spec: { ports: [{ port: 80, protocol: 'TCP' }] } };
    assert.deepEqual(valueOf(jsonPatch(target, [
      { op: 'test', path: '/spec/ports/0', value: { protocol: 'TCP', port: 80 } },
    ])), target);
  });

  it('a failed test names the operation and the path and applies nothing', () => {
    const target = { metadata: { resourceVersion: '7' }, spec: { a: 1 } };
    const failure = failureOf(jsonPatch(target, [
      { op: 'replace', path: '/spec/a', value: 2 },
      { op: 'test', path: '/metadata/resourceVersion', value: '6' },
    ]));
    assert.equal(failure.status, 422);
    assert.match(failure.message, /test/);
    assert.match(failure.message, /\/metadata\/resourceVersion/);
    assert.deepEqual(target.spec, { a: 1 });
  });

  it('decodes ~1 and ~0 in paths, as annotation keys with "/" need', () => {
    const result = valueOf(jsonPatch({ metadata: { annotations: {} } }, [
      { op: 'add', path: '/metadata/annotations/example.com~1owner', value: 'me' },
      { op: 'add', path: '/metadata/annotations/til~0de', value: 'x' },
    ]));
    assert.deepEqual(result, { metadata: { annotations: { 'example.com/owner': 'me', 'til~de': 'x' } } });
  });

  it('a member named __proto__ is an ordinary member, not the prototype', () => {
    const result = valueOf(jsonPatch({}, [{ op: 'add', path: '/__proto__', value: { polluted: true } }]));
    assert.equal(Object.getPrototypeOf(result), Object.prototype);
    assert.deepEqual(Object.keys(result), ['__proto__']);
    assert.equal(({} as Json).polluted, undefined);
  });

  it('refuses malformed operations with 422', () => {
    const cases: unknown[][] = [
      [{ op: 'frobnicate', path: '/a' }],
      [{ path: '/a', value: 1 }],
      [{ op: 'add', value: 1 }],
      [{ op: 'add', path: '/a' }],
      [{ op: 'copy', path: '/b' }],
      [{ op: 'add', path: 'a', value: 1 }],
      [{ op: 'add', path: '/a~2', value: 1 }],
      [{ op: 'remove', path: '' }],
    ];
    for (const patch of cases) {
      assert.equal(failureOf(jsonPatch({ a: 1 }, patch)).status, 422, JSON.stringify(patch));
    }
  });

  it('refuses a body that is not an array of operation objects with 400', () => {
    for (const patch of [{ op: 'add', path: '/a', value: 1 }, 'add', null, [1], [[]], [null]]) {
      assert.equal(failureOf(jsonPatch({ a: 1 }, patch)).status, 400, JSON.stringify(patch));
    }
  });

  it('an empty patch returns an equal copy', () => {
    const target = { a: { b: [1] } };
    const result = valueOf(jsonPatch(target, []));
    assert.deepEqual(result, target);
    assert.notEqual(result.a, target.a);
  });
});
