// A location too large for one state row, cut into parts by addresses (locationRows.ts), with small
// limits so that many parts are cheap to make. The row layout itself is tested in stateRows.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { NrpLocation } from '../../../shared/engine/types.ts';
import { locationFromParts, locationPartsJson } from '../../../shared/state/locationRows.ts';
import { uidOf } from '../../support/builders.ts';

const NAMES = Array.from({ length: 40 }, (_, i) => uidOf(`svc-${i}`)).sort();

function location(addresses: number, servicesPerAddress: (a: number) => number, certain = true): NrpLocation {
  const map = new Map<string, readonly string[]>();
  for (let a = 0; a < addresses; a++) {
    const n = servicesPerAddress(a);
    map.set(`10.244.${a >> 8}.${a & 255}`, [...new Set(Array.from({ length: n }, (_, s) => NAMES[(a + s * 3) % NAMES.length] ?? ''))].sort());
  }
  return { addresses: map, certain };
}

function stored(parts: readonly string[]): Map<number, { rowKey: string; json: string }> {
  return new Map(parts.map((json, n) => [n, { rowKey: `loc|10.0.0.4${n === 0 ? '' : `|${n}`}`, json }]));
}

/** Part numbers whose JSON differs between two cuts. */
function rewritten(a: readonly string[], b: readonly string[]): number[] {
  const out: number[] = [];
  for (let n = 0; n < Math.max(a.length, b.length); n++) if (a[n] !== b[n]) out.push(n);
  return out;
}

describe('locationPartsJson', () => {
  it('cuts any location into parts that fit and give it back, and one that fits into one part', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 400 }),
        fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 1, maxLength: 50 }),
        fc.integer({ min: 3_000, max: 30_000 }),
        fc.boolean(),
        (addresses, services, maxChars, certain) => {
          const loc = location(addresses, (a) => services[a % services.length] ?? 1, certain);
          const parts = locationPartsJson(loc, maxChars);
          for (const p of parts) assert.ok(p.length <= maxChars, `${p.length} > ${maxChars}`);
          const whole = JSON.stringify({ addresses: [...loc.addresses].sort((x, y) => (x[0] < y[0] ? -1 : 1)), certain });
          if (whole.length <= maxChars) assert.deepEqual(parts, [whole]);
          else assert.ok(parts.length > 1);
          assert.deepEqual(locationFromParts(stored(parts), 'location'), loc);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('gives the same parts for the same content, whatever order the map was filled in', () => {
    const loc = location(300, (a) => 1 + (a % 9));
    const reversed: NrpLocation = { addresses: new Map([...loc.addresses].reverse()), certain: true };
    assert.deepEqual(locationPartsJson(reversed, 5_000), locationPartsJson(loc, 5_000));
  });

  it('rewrites one part for nearly every change of one address', () => {
    // Parts of some 60 addresses: a change renumbers the parts after it only when it adds or
    // removes a cut (its address ends a part), about one change in 60.
    const loc = location(2_000, (a) => 1 + (a % 9));
    const before = locationPartsJson(loc, 30_000);
    assert.ok(before.length >= 20, `${before.length} parts`);
    const counts: number[] = [];
    for (const [address] of [...loc.addresses].filter((_, i) => i % 10 === 3)) {
      for (const services of [['one-service'], null]) {
        const addresses = new Map(loc.addresses);
        if (services === null) addresses.delete(address);
        else addresses.set(address, services);
        counts.push(rewritten(before, locationPartsJson({ addresses, certain: true }, 30_000)).length);
      }
    }
    assert.ok(counts.every((n) => n >= 1));
    const single = counts.filter((n) => n === 1).length;
    assert.ok(single >= 0.95 * counts.length, `${single} of ${counts.length} changes rewrote one part`);
  });

  it('rewrites only part 0 when only whether the location is certain changes', () => {
    const loc = location(400, (a) => 1 + (a % 9));
    assert.deepEqual(rewritten(locationPartsJson(loc, 5_000), locationPartsJson({ ...loc, certain: false }, 5_000)), [0]);
  });

  it('leaves an address too large for any part in a part of its own, which the store then refuses', () => {
    const loc = location(50, (a) => (a === 20 ? 40 : 1));
    const parts = locationPartsJson(loc, 1_200);
    const over = parts.filter((p) => p.length > 1_200);
    assert.equal(over.length, 1);
    const big = JSON.parse(over[0] ?? '{}') as { addresses: [string, string[]][] };
    assert.deepEqual(big.addresses.map((a) => a[0]), ['10.244.0.20']);
    assert.deepEqual(locationFromParts(stored(parts), 'location'), loc);
  });
});
