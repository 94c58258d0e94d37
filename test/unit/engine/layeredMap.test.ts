// A LayeredMap is a Map to the passes that write it while they iterate it, and forks of one map
// (the same state decided twice) never see each other's writes (docs/adr/0023).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import fc from 'fast-check';
import { LayeredMap } from '../../../shared/engine/layeredMap.ts';

type Make = () => Map<string, number>;

/** The same map three ways: a plain Map, a fresh fork of a plain Map, a fresh fork of a fork with layers. */
function makers(entries: [string, number][]): [string, Make][] {
  const layered = LayeredMap.fork(new Map(entries.slice(0, 1)));
  for (const [k, v] of entries.slice(1)) layered.set(k, v);
  return [
    ['Map', () => new Map(entries)],
    ['fork of a Map', () => LayeredMap.fork(new Map(entries))],
    ['fork of a LayeredMap', () => LayeredMap.fork(layered)],
  ];
}

describe('LayeredMap iterated while written', () => {
  const entries: [string, number][] = [['a', 1], ['b', 2], ['c', 3]];

  it('visits what a Map visits when the loop deletes, replaces and adds keys', () => {
    for (const [name, make] of makers(entries)) {
      const m = make();
      const seen: string[] = [];
      for (const [k, v] of m) {
        seen.push(`${k}${v}`);
        if (k === 'a') {
          m.delete('b');
          m.set('c', 9);
          m.set('d', 4);
        }
      }
      assert.deepEqual(seen, ['a1', 'c9', 'd4'], name);
    }
  });

  it('stops where a Map stops when the loop clears the map', () => {
    for (const [name, make] of makers(entries)) {
      const m = make();
      const seen: string[] = [];
      for (const [k] of m) {
        seen.push(k);
        m.clear();
      }
      assert.deepEqual(seen, ['a'], name);
      assert.equal(m.size, 0, name);
    }
  });
});

describe('LayeredMap forks', () => {
  const op = fc.oneof(
    fc.record({ kind: fc.constant('set' as const), at: fc.nat(), key: fc.integer({ min: 0, max: 20 }), value: fc.integer() }),
    fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), key: fc.integer({ min: 0, max: 20 }) }),
    fc.record({ kind: fc.constant('clear' as const), at: fc.nat() }),
    fc.record({ kind: fc.constant('fork' as const), at: fc.nat() }),
    fc.record({ kind: fc.constant('iterate' as const), at: fc.nat() }),
  );

  it('many forks of one map, written in any interleaving, each stay a Map of their own', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const maps: [Map<number, number>, Map<number, number>][] = [[LayeredMap.fork(new Map<number, number>()), new Map<number, number>()]];
        for (const o of ops) {
          const [map, model] = maps[o.at % maps.length]!;
          if (o.kind === 'set') {
            map.set(o.key, o.value);
            model.set(o.key, o.value);
          } else if (o.kind === 'delete') assert.equal(map.delete(o.key), model.delete(o.key));
          else if (o.kind === 'clear') {
            map.clear();
            model.clear();
          } else if (o.kind === 'fork') maps.push([LayeredMap.fork(map), new Map(model)]);
          else assert.deepEqual([...map], [...model]);
          for (const [m, expected] of maps) {
            assert.equal(m.size, expected.size);
            for (let k = 0; k <= 20; k++) assert.equal(m.get(k), expected.get(k));
          }
        }
        for (const [m, expected] of maps) assert.deepEqual([...m], [...expected]);
      }),
      { numRuns: 300 },
    );
  });
});

describe('LayeredMap in logs', () => {
  it('shows its entries to node:util inspect (console.log, debug output), not the empty native storage', () => {
    const base = LayeredMap.fork(new Map([['a', 1]]));
    base.set('b', 2);
    const m = LayeredMap.fork(base);
    m.set('c', 3);
    assert.equal(inspect(m), inspect(new Map([['a', 1], ['b', 2], ['c', 3]])));
  });
});
