// The row layout without a store: key escaping, value chunking, the row diff and locations in parts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { initialState } from '../../../shared/engine/state.ts';
import type { ClusterState } from '../../../shared/engine/types.ts';
import { StateCorruptError } from '../../../shared/state/stateCodec.ts';
import { MAX_VALUE_CHARS, oversizeRows } from '../../../shared/state/stateLimits.ts';
import { assembleState, decodeKeyPart, diffRows, encodeKeyPart, metaJsonOf, rowKeyOf, rowsOf } from '../../../shared/state/stateRows.ts';
import type { RowChange } from '../../../shared/state/stateRows.ts';
import { locationPartsJson } from '../../../shared/state/locationRows.ts';
import { CHUNK_CHARS, toChunks } from '../../../shared/state/tableEntities.ts';
import { service, slice } from '../../support/builders.ts';
import { richState, syncedState, withAddressServices, withBigLocation } from '../../integration/state/states.ts';

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

// --- a location too large for one row --------------------------------------------------------

const LOC = '10.0.0.4';
const HEAD = rowKeyOf('loc', LOC);

function isLocationRow(rowKey: string): boolean {
  return rowKey === HEAD || rowKey.startsWith(`${HEAD}|`);
}

function locationRowKeys(state: ClusterState): string[] {
  return [...rowsOf(state).keys()].filter(isLocationRow);
}

/** Apply a save's changes to stored rows, as a store does, checking each starts from the stored row. */
function applied(stored: Map<string, string>, changes: readonly RowChange[]): Map<string, string> {
  const out = new Map(stored);
  for (const c of changes) {
    assert.ok(c.before === (stored.get(c.rowKey) ?? null), `${c.rowKey}: the change starts from the row as stored`);
    if (c.after === null) out.delete(c.rowKey);
    else out.set(c.rowKey, c.after);
  }
  return out;
}

function reassembled(state: ClusterState, rows: Iterable<readonly [string, string]> = rowsOf(state)): ClusterState {
  return assembleState(state.cluster, metaJsonOf(state), rows).state;
}

describe('location rows', () => {
  const base = syncedState(0, 'rows');
  const big = withBigLocation(base, 1_000, 20);

  it('keep a location that fits in one row `loc|<location>`, as its rows were always written', () => {
    const small = withBigLocation(base, 2, 1);
    const rows = [...rowsOf(small)].filter(([k]) => k.startsWith('loc|'));
    const addresses = [...(small.nrp.locations.get(LOC)?.addresses ?? [])].sort((a, b) => (a[0] < b[0] ? -1 : 1));
    assert.deepEqual(rows, [[HEAD, JSON.stringify({ addresses, certain: true })]]);
  });

  it('read a location row as written before parts existed, and rewrite nothing of it while its content is unchanged', () => {
    const legacy = '{"addresses":[["10.244.0.1",["svc-a","svc-b"]],["10.244.0.2",["svc-a"]]],"certain":false}';
    const loaded = reassembled(base, [...rowsOf(base), [HEAD, legacy]]);
    const expected = { addresses: new Map([['10.244.0.1', ['svc-a', 'svc-b']], ['10.244.0.2', ['svc-a']]]), certain: false };
    assert.deepEqual(loaded.nrp.locations.get(LOC), expected);
    const rebuilt: ClusterState = { ...loaded, nrp: { ...loaded.nrp, locations: new Map([[LOC, expected]]) } };
    assert.deepEqual(diffRows(loaded, rebuilt), []);
    assert.equal(rowsOf(rebuilt).get(HEAD), legacy);
  });

  it('split a location too large for one row into parts that each fit, part 0 keyed as before', () => {
    assert.deepEqual(oversizeRows(base, big), [], 'no row of the location is over the limit');
    const keys = locationRowKeys(big);
    assert.ok(keys.length >= 4, `${keys.length} rows`);
    assert.deepEqual(keys, keys.map((_, i) => (i === 0 ? HEAD : rowKeyOf('loc', LOC, String(i)))));
    for (const [k, v] of rowsOf(big)) assert.ok(v.length <= MAX_VALUE_CHARS, `${k}: ${v.length} characters`);
    assert.deepEqual(reassembled(big), big);
  });

  it('read the parts back whatever order the rows come in', () => {
    assert.deepEqual(reassembled(big, [...rowsOf(big)].reverse()), big);
  });

  it('are the same rows for the same content, whatever order its map was filled in', () => {
    const loc = big.nrp.locations.get(LOC);
    assert.ok(loc);
    const shuffled = new Map([...loc.addresses].reverse());
    const other: ClusterState = { ...big, nrp: { ...big.nrp, locations: new Map([[LOC, { addresses: shuffled, certain: true }]]) } };
    assert.deepEqual(diffRows(big, other), []);
  });

  it('rewrite only the part that holds a changed address', () => {
    for (const address of ['10.244.0.0', '10.244.1.17', '10.244.2.200', '10.244.3.231']) {
      const changes = diffRows(big, withAddressServices(big, LOC, address, ['one-service']));
      assert.equal(changes.length, 1, `${address}: ${changes.map((c) => c.rowKey).join(', ')}`);
    }
  });

  it('delete the parts a shrinking location no longer needs, and every part of a deleted location', () => {
    const parts = locationRowKeys(big);
    const shrunk = withBigLocation(big, 10, 2);
    const changes = diffRows(big, shrunk);
    assert.deepEqual(changes.filter((c) => c.after === null).map((c) => c.rowKey), parts.slice(1));
    assert.deepEqual(changes.filter((c) => c.after !== null).map((c) => c.rowKey), [HEAD]);
    const gone: ClusterState = { ...big, nrp: { ...big.nrp, locations: new Map() } };
    assert.deepEqual(diffRows(big, gone).map((c) => [c.rowKey, c.after]), parts.map((k) => [k, null]));
  });

  it('start a change from the rows as stored, so a location cut otherwise (other limits, an older cut) leaves no stale part', () => {
    const loc = big.nrp.locations.get(LOC);
    assert.ok(loc);
    const stored = new Map([...rowsOf(big)].filter(([k]) => !isLocationRow(k)));
    const otherCut = locationPartsJson(loc, 60_000);
    assert.ok(otherCut.length > locationRowKeys(big).length, `${otherCut.length} parts as stored`);
    otherCut.forEach((json, n) => stored.set(n === 0 ? HEAD : rowKeyOf('loc', LOC, String(n)), json));
    const loaded = reassembled(big, stored);
    assert.deepEqual(loaded, big);

    const next = withAddressServices(loaded, LOC, '10.244.1.17', ['one-service']);
    const after = applied(stored, diffRows(loaded, next));
    assert.deepEqual(reassembled(next, after), next);
    assert.deepEqual([...after.keys()].filter(isLocationRow).sort(), locationRowKeys(next).sort());
  });

  it('refuse a location with a part missing, a part too many, a part without part 0 or a bad part number', () => {
    const rows = [...rowsOf(big)];
    const parts = locationRowKeys(big);
    const without = (key: string): [string, string][] => rows.filter(([k]) => k !== key);
    const cases: [string, [string, string][]][] = [
      ['a gap', without(parts[2] ?? '')],
      ['the last part missing', without(parts[parts.length - 1] ?? '')],
      ['part 0 missing', without(HEAD)],
      ['a part too many', [...rows, [rowKeyOf('loc', LOC, String(parts.length)), JSON.stringify({ addresses: [['10.244.9.9', ['x']]] })]]],
      ['part number 0', [...rows, [rowKeyOf('loc', LOC, '0'), JSON.stringify({ addresses: [] })]]],
      ['part number 01', [...rows, [rowKeyOf('loc', LOC, '01'), JSON.stringify({ addresses: [] })]]],
      ['part number x', [...rows, [rowKeyOf('loc', LOC, 'x'), JSON.stringify({ addresses: [] })]]],
      ['parts out of address order', rows.map(([k, v]): [string, string] => [k === parts[1] ? (parts[2] ?? '') : k === parts[2] ? (parts[1] ?? '') : k, v])],
    ];
    for (const [what, broken] of cases) assert.throws(() => reassembled(big, broken), StateCorruptError, what);
  });
});

describe('slice rows from before the service-name label', () => {
  const svc = service('web', { namespace: 'team-a' });
  const withService: ClusterState = { ...initialState('c'), kube: { ...initialState('c').kube, services: new Map([[svc.uid.toLowerCase(), { fact: svc, snapshot: null }]]) } };
  /** A slice row as written before slices carried `serviceName`: the owner's UID as `serviceUid`. */
  const legacyRow = (namespace: string): [string, string] => {
    const fact: Record<string, unknown> = { ...slice('web-1', svc.uid, [{ ip: '10.244.0.5', node: 'node-a' }], { namespace }), serviceUid: svc.uid };
    delete fact['serviceName'];
    delete fact['ownerServiceUids'];
    return [rowKeyOf('slice', `${namespace}/web-1`), JSON.stringify({ fact, snapshot: null })];
  };

  it('link to their owner when it is a Service of their own namespace', () => {
    const loaded = reassembled(withService, [...rowsOf(withService), legacyRow('team-a')]);
    const fact = loaded.kube.slices.get('team-a/web-1')?.fact;
    assert.equal(fact?.serviceName, 'web');
    assert.deepEqual(fact?.ownerServiceUids, [svc.uid]);
  });

  it('link nothing when their owner is in another namespace', () => {
    const loaded = reassembled(withService, [...rowsOf(withService), legacyRow('tenant-b')]);
    assert.equal(loaded.kube.slices.get('tenant-b/web-1')?.fact.serviceName, null);
  });
});
