// The row layout without a store: key escaping, value chunking and the row diff.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { initialState } from '../../../shared/engine/state.ts';
import { decodeKeyPart, diffRows, encodeKeyPart, rowsOf } from '../../../shared/state/stateRows.ts';
import { CHUNK_CHARS, toChunks } from '../../../shared/state/tableEntities.ts';
import { richState } from '../../integration/state/states.ts';

/** Any UTF-16 string, lone surrogates included. */
const anyString = fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 40 }).map((codes) => String.fromCharCode(...codes));

function isForbiddenInKeys(c: number): boolean {
  return c < 0x20 || (c >= 0x7f && c <= 0x9f) || '/\\#?'.includes(String.fromCharCode(c));
}

function hasLoneSurrogate(s: string): boolean {
  return [...s].some((ch) => ch.length === 1 && ch.charCodeAt(0) >= 0xd800 && ch.charCodeAt(0) <= 0xdfff);
}

describe('encodeKeyPart', () => {
  it('gives back every string it encoded', () => {
    fc.assert(fc.property(anyString, (s) => decodeKeyPart(encodeKeyPart(s)) === s), { numRuns: 2_000 });
  });

  it('never writes a character Table Storage forbids in keys, the separator or a lone surrogate', () => {
    fc.assert(
      fc.property(anyString, (s) => {
        const e = encodeKeyPart(s);
        for (let i = 0; i < e.length; i++) if (isForbiddenInKeys(e.charCodeAt(i)) || e[i] === '|') return false;
        return !hasLoneSurrogate(e);
      }),
      { numRuns: 2_000 },
    );
  });

  it('leaves plain Kubernetes names and non-ASCII text as they are', () => {
    assert.equal(encodeKeyPart('aks-nodepool1-12345678-vmss000003'), 'aks-nodepool1-12345678-vmss000003');
    assert.equal(encodeKeyPart('é😀'), 'é😀');
    assert.equal(encodeKeyPart('default/web-1'), 'default!2Fweb-1');
  });
});

describe('toChunks', () => {
  it('splits into parts of at most 30,000 characters that join back, never inside a surrogate pair', () => {
    const long = '😀'.repeat(CHUNK_CHARS) + 'x'.repeat(CHUNK_CHARS + 7);
    const parts = toChunks(long);
    assert.equal(parts.join(''), long);
    assert.ok(parts.length >= 4);
    for (const p of parts) {
      assert.ok(p.length <= CHUNK_CHARS);
      assert.ok(!hasLoneSurrogate(p));
    }
  });

  it('gives no parts for the empty string and one part for a short one', () => {
    assert.deepEqual(toChunks(''), []);
    assert.deepEqual(toChunks('{}'), ['{}']);
  });
});

describe('diffRows', () => {
  it('finds no change between a state and itself', () => {
    const state = richState();
    assert.deepEqual(diffRows(state, state), []);
  });

  it('finds every row of a state when compared with the initial state', () => {
    const state = richState();
    const changes = diffRows(initialState(state.cluster), state);
    assert.deepEqual(new Map(changes.map((c) => [c.rowKey, c.after])), rowsOf(state));
    assert.ok(changes.every((c) => c.before === null));
  });

  it('finds every row gone when compared the other way', () => {
    const state = richState();
    const changes = diffRows(state, initialState(state.cluster));
    assert.deepEqual(new Map(changes.map((c) => [c.rowKey, c.before])), rowsOf(state));
    assert.ok(changes.every((c) => c.after === null));
  });
});
