// The locations diff of reference §4: diff desired against the NRP mirror, cut the result into
// requests NRP accepts, and mirror what NRP acknowledged (or may have applied).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { DesiredLocations } from '../../../shared/engine/desired.ts';
import {
  applyAcknowledged,
  applyUncertain,
  countChanges,
  diffLocations,
  MAX_REQUEST_CHARS,
  servicesReferencedBy,
  toBatches,
} from '../../../shared/engine/locationsDiff.ts';
import type { AddressLocationUpdate, LocationsRequest, NrpLocation } from '../../../shared/engine/types.ts';
import { uidOf } from '../../support/builders.ts';

type Content = Record<string, Record<string, string[]>>;

function desiredOf(content: Content): DesiredLocations {
  const out: DesiredLocations = new Map();
  for (const [loc, addrs] of Object.entries(content)) out.set(loc, new Map(Object.entries(addrs)));
  return out;
}

function mirrorOf(content: Content, uncertain: readonly string[] = []): Map<string, NrpLocation> {
  const out = new Map<string, NrpLocation>();
  for (const [loc, addrs] of Object.entries(content)) {
    out.set(loc, { addresses: new Map(Object.entries(addrs)), certain: !uncertain.includes(loc) });
  }
  return out;
}

type LocationContent = ReadonlyMap<string, readonly string[]>;

/** Plain, order-independent content of locations, dropping empty locations unless asked to keep them. */
function plain(locations: Iterable<readonly [string, LocationContent]>, keepEmpty: boolean): Content {
  const out: Content = {};
  for (const [loc, addrs] of [...locations].sort((x, y) => (x[0] < y[0] ? -1 : 1))) {
    if (addrs.size === 0 && !keepEmpty) continue;
    const m: Record<string, string[]> = {};
    for (const a of [...addrs.keys()].sort()) m[a] = [...(addrs.get(a) ?? [])];
    out[loc] = m;
  }
  return out;
}

function contentOf(mirror: ReadonlyMap<string, NrpLocation>, keepEmpty = false): Content {
  return plain([...mirror].map(([loc, l]): [string, LocationContent] => [loc, l.addresses]), keepEmpty);
}

function desiredContent(desired: DesiredLocations): Content {
  return plain(desired, false);
}

function certaintyOf(mirror: ReadonlyMap<string, NrpLocation>): Record<string, boolean> {
  const out: Record<string, boolean> = {};
  for (const [loc, l] of mirror) out[loc] = l.certain;
  return out;
}

/** Addresses a request carries, a location deletion counting as one (what NRP limits). */
function sizeOf(r: LocationsRequest): number {
  return r.addressLocations.reduce((n, l) => n + Math.max(1, l.addresses.length), 0);
}

function applyAll(mirror: Map<string, NrpLocation>, requests: readonly LocationsRequest[]): Map<string, NrpLocation> {
  for (const r of requests) applyAcknowledged(mirror, r);
  return mirror;
}

const A = 'svc-a';
const B = 'svc-b';
const E = 'team-egress';

describe('diffLocations', () => {
  it('sends a location NRP does not have as FullUpdate with all its addresses', () => {
    const updates = diffLocations(desiredOf({ '10.0.0.4': { '10.244.0.8': [A], '10.244.0.7': [A, E] } }), mirrorOf({}));
    assert.deepEqual(updates, [
      {
        addressLocation: '10.0.0.4',
        addressUpdateAction: 'FullUpdate',
        addresses: [
          { address: '10.244.0.7', services: [A, E] },
          { address: '10.244.0.8', services: [A] },
        ],
      },
    ]);
  });

  it('deletes the location of a node that is gone with an empty address list', () => {
    const updates = diffLocations(desiredOf({}), mirrorOf({ '10.0.0.4': { '10.244.0.7': [A] } }));
    assert.deepEqual(updates, [{ addressLocation: '10.0.0.4', addressUpdateAction: 'PartialUpdate', addresses: [] }]);
  });

  it('removes an address NRP has but the cluster no longer wants with an empty services list', () => {
    const updates = diffLocations(
      desiredOf({ '10.0.0.4': { '10.244.0.7': [A] } }),
      mirrorOf({ '10.0.0.4': { '10.244.0.7': [A], '10.244.0.9': [B] } }),
    );
    assert.deepEqual(updates, [{ addressLocation: '10.0.0.4', addressUpdateAction: 'PartialUpdate', addresses: [{ address: '10.244.0.9', services: [] }] }]);
  });

  it('sends only the addresses whose service set changed, with the full new set', () => {
    const updates = diffLocations(
      desiredOf({ '10.0.0.4': { '10.244.0.7': [A, B], '10.244.0.8': [A], '10.244.0.6': [E] } }),
      mirrorOf({ '10.0.0.4': { '10.244.0.7': [A], '10.244.0.8': [A] } }),
    );
    assert.deepEqual(updates, [
      {
        addressLocation: '10.0.0.4',
        addressUpdateAction: 'PartialUpdate',
        addresses: [
          { address: '10.244.0.6', services: [E] },
          { address: '10.244.0.7', services: [A, B] },
        ],
      },
    ]);
  });

  it('sends nothing when NRP already holds what the cluster wants', () => {
    const content = { '10.0.0.4': { '10.244.0.7': [A, B] }, 'fd00::4': { 'fd00:244::7': [E] } };
    assert.deepEqual(diffLocations(desiredOf(content), mirrorOf(content)), []);
  });

  it('sends nothing for a known node location with no addresses that NRP does not have', () => {
    assert.deepEqual(diffLocations(desiredOf({ '10.0.0.4': {} }), mirrorOf({})), []);
  });

  it('deletes the location of a node that stays but has no addresses left, with an empty address list (as the reference)', () => {
    const updates = diffLocations(desiredOf({ '10.0.0.4': {} }), mirrorOf({ '10.0.0.4': { '10.244.0.7': [A], '10.244.0.8': [B] } }));
    assert.deepEqual(updates, [{ addressLocation: '10.0.0.4', addressUpdateAction: 'PartialUpdate', addresses: [] }]);
  });

  it('deletes an empty location NRP holds, whether or not the cluster knows its node', () => {
    const mirror = mirrorOf({ '10.0.0.4': {}, '10.0.0.5': {} });
    assert.deepEqual(diffLocations(desiredOf({ '10.0.0.4': {} }), mirror), [
      { addressLocation: '10.0.0.4', addressUpdateAction: 'PartialUpdate', addresses: [] },
      { addressLocation: '10.0.0.5', addressUpdateAction: 'PartialUpdate', addresses: [] },
    ]);
  });

  it('drops a location emptied by the cluster from the mirror once NRP acknowledged, after which the diff is empty', () => {
    const desired = desiredOf({ '10.0.0.4': {}, '10.0.0.5': { '10.244.1.7': [A] } });
    const mirror = mirrorOf({ '10.0.0.4': { '10.244.0.7': [A] }, '10.0.0.5': { '10.244.1.7': [A] } });
    applyAll(mirror, toBatches(diffLocations(desired, mirror), 100));
    assert.deepEqual([...mirror.keys()], ['10.0.0.5']);
    assert.deepEqual(diffLocations(desired, mirror), []);
  });

  it('rewrites an uncertain location whole with FullUpdate, even when it seems to match', () => {
    const content = { '10.0.0.4': { '10.244.0.7': [A] } };
    const updates = diffLocations(desiredOf(content), mirrorOf(content, ['10.0.0.4']));
    assert.deepEqual(updates, [
      { addressLocation: '10.0.0.4', addressUpdateAction: 'FullUpdate', addresses: [{ address: '10.244.0.7', services: [A] }] },
    ]);
  });

  it('deletes an uncertain location the cluster no longer wants anything under', () => {
    const m = mirrorOf({ '10.0.0.4': { '10.244.0.7': [A] }, '10.0.0.5': { '10.244.1.7': [A] } }, ['10.0.0.4', '10.0.0.5']);
    const updates = diffLocations(desiredOf({ '10.0.0.4': {} }), m);
    assert.deepEqual(updates, [
      { addressLocation: '10.0.0.4', addressUpdateAction: 'PartialUpdate', addresses: [] },
      { addressLocation: '10.0.0.5', addressUpdateAction: 'PartialUpdate', addresses: [] },
    ]);
  });

  it('sorts locations and addresses so equal inputs give equal output', () => {
    const desired = desiredOf({
      'fd00::4': { 'fd00:244::2': [A], 'fd00:244::1': [A] },
      '10.0.0.5': { '10.244.1.2': [B], '10.244.1.10': [B] },
      '10.0.0.4': { '10.244.0.9': [A] },
    });
    const mirror = mirrorOf({ '10.0.0.9': { '10.244.9.9': [A] }, '10.0.0.10': { '10.244.8.8': [A] } });
    const updates = diffLocations(desired, mirror);
    assert.deepEqual(
      updates.map((u) => u.addressLocation),
      ['10.0.0.10', '10.0.0.4', '10.0.0.5', '10.0.0.9', 'fd00::4'],
    );
    assert.deepEqual(
      updates.map((u) => u.addresses.map((a) => a.address)),
      [[], ['10.244.0.9'], ['10.244.1.10', '10.244.1.2'], [], ['fd00:244::1', 'fd00:244::2']],
    );
  });
});

/** A diff with several kinds of update: two new locations (one large), removals, changes and two deletions. */
function sampleUpdates(): { updates: AddressLocationUpdate[]; mirror: Map<string, NrpLocation> } {
  const big: Record<string, string[]> = {};
  for (let i = 10; i < 17; i++) big[`10.244.1.${i}`] = [i % 2 === 0 ? A : B];
  const desired = desiredOf({
    '10.0.0.1': { '10.244.0.1': [A], '10.244.0.2': [A, B] },
    '10.0.0.2': big,
    '10.0.0.3': { '10.244.3.1': [A], '10.244.3.2': [E], '10.244.3.3': [B] },
    'fd00::1': { 'fd00:244::1': [E] },
  });
  const mirror = mirrorOf({
    '10.0.0.3': { '10.244.3.1': [B], '10.244.3.4': [A], '10.244.3.5': [A] },
    '10.0.0.8': { '10.244.8.1': [A] },
    '10.0.0.9': { '10.244.9.1': [A], '10.244.9.2': [B] },
  });
  return { updates: diffLocations(desired, mirror), mirror };
}

describe('toBatches', () => {
  it('sends a small diff as one request with action PartialUpdate', () => {
    const { updates } = sampleUpdates();
    assert.deepEqual(toBatches(updates, 1_000), [{ action: 'PartialUpdate', addressLocations: updates }]);
  });

  it('sends nothing for an empty diff', () => {
    assert.deepEqual(toBatches([], 10), []);
  });

  for (const max of [1, 2, 3, 4, 5, 7, 8, 13]) {
    it(`never puts more than ${max} addresses in a request, counting a location deletion as one`, () => {
      const { updates } = sampleUpdates();
      const requests = toBatches(updates, max);
      assert.ok(requests.length > 0);
      for (const r of requests) {
        assert.equal(r.action, 'PartialUpdate');
        assert.ok(sizeOf(r) <= max, `request of ${sizeOf(r)} addresses over ${max}`);
        assert.ok(r.addressLocations.length > 0);
      }
      // Nothing is lost or duplicated: the total is the diff's total.
      assert.equal(requests.reduce((n, r) => n + sizeOf(r), 0), updates.reduce((n, u) => n + Math.max(1, u.addresses.length), 0));
    });
  }

  it('keeps every request small enough for a state row when addresses carry many services', () => {
    // A hostile tenant points 1,000 Services at the same 50 pods: 40,000 characters an address.
    const services = Array.from({ length: 1_000 }, (_, i) => uidOf(`svc-${i}`)).sort();
    const addresses = Array.from({ length: 50 }, (_, i) => ({ address: `10.244.0.${i + 1}`, services }));
    const updates = [{ addressLocation: '10.0.0.4', addressUpdateAction: 'FullUpdate' as const, addresses }];
    const requests = toBatches(updates, 1_000);
    assert.ok(requests.length > 1, 'split by size, not only by count');
    for (const r of requests) assert.ok(JSON.stringify(r).length <= MAX_REQUEST_CHARS, `a request of ${JSON.stringify(r).length} characters`);
    assert.deepEqual(requests.flatMap((r) => r.addressLocations.flatMap((l) => l.addresses)), addresses, 'nothing lost, in order');
    assert.equal(requests[0]?.addressLocations[0]?.addressUpdateAction, 'FullUpdate');
    assert.ok(requests.slice(1).every((r) => r.addressLocations.every((l) => l.addressUpdateAction === 'PartialUpdate')));
  });

  it('fills requests up to the limit', () => {
    const { updates } = sampleUpdates();
    // 2 + 7 + 5 + 1 + 1 + 1 = 17 units: 4, 4, 4, 4, 1.
    assert.deepEqual(toBatches(updates, 4).map(sizeOf), [4, 4, 4, 4, 1]);
  });

  it('keeps FullUpdate only in the first part of a split location', () => {
    const { updates } = sampleUpdates();
    const parts = toBatches(updates, 3)
      .flatMap((r) => r.addressLocations)
      .filter((l) => l.addressLocation === '10.0.0.2');
    assert.deepEqual(
      parts.map((l) => [l.addressUpdateAction, l.addresses.length]),
      // The first request already holds 10.0.0.1's two addresses: room for one more.
      [
        ['FullUpdate', 1],
        ['PartialUpdate', 3],
        ['PartialUpdate', 3],
      ],
    );
    assert.deepEqual(
      parts.flatMap((l) => l.addresses.map((a) => a.address)),
      updates.find((u) => u.addressLocation === '10.0.0.2')?.addresses.map((a) => a.address),
    );
  });

  it('never sends a location twice in one request (NRP would answer DuplicateLocationsInRequest)', () => {
    const { updates } = sampleUpdates();
    for (const max of [1, 2, 3, 5, 8, 100]) {
      for (const r of toBatches(updates, max)) {
        const locs = r.addressLocations.map((l) => l.addressLocation);
        assert.equal(new Set(locs).size, locs.length, `max ${max}: ${locs.join(',')}`);
      }
    }
  });

  it('sends location deletions as they are, never split or merged', () => {
    const { updates } = sampleUpdates();
    const deletions = toBatches(updates, 2)
      .flatMap((r) => r.addressLocations)
      .filter((l) => l.addresses.length === 0);
    assert.deepEqual(deletions, [
      { addressLocation: '10.0.0.8', addressUpdateAction: 'PartialUpdate', addresses: [] },
      { addressLocation: '10.0.0.9', addressUpdateAction: 'PartialUpdate', addresses: [] },
    ]);
  });

  it('has the same effect as the unbatched diff, for every limit', () => {
    const { updates, mirror } = sampleUpdates();
    const whole = applyAll(new Map(mirror), [{ action: 'PartialUpdate', addressLocations: updates }]);
    for (const max of [1, 2, 3, 4, 6, 9, 17, 1_000]) {
      const batched = applyAll(new Map(mirror), toBatches(updates, max));
      assert.deepEqual(contentOf(batched, true), contentOf(whole, true), `max ${max}`);
      assert.deepEqual(certaintyOf(batched), certaintyOf(whole), `max ${max}`);
    }
  });

  it('treats a limit below 1 as 1 and a fractional limit as its floor', () => {
    const { updates } = sampleUpdates();
    assert.deepEqual(toBatches(updates, 0), toBatches(updates, 1));
    assert.deepEqual(toBatches(updates, -5), toBatches(updates, 1));
    assert.deepEqual(toBatches(updates, 3.9), toBatches(updates, 3));
  });
});

describe('applyAcknowledged', () => {
  it('replaces a location with the content of a FullUpdate and marks it certain', () => {
    const mirror = mirrorOf({ '10.0.0.4': { '10.244.0.1': [A], '10.244.0.2': [B] } }, ['10.0.0.4']);
    applyAcknowledged(mirror, {
      action: 'PartialUpdate',
      addressLocations: [{ addressLocation: '10.0.0.4', addressUpdateAction: 'FullUpdate', addresses: [{ address: '10.244.0.3', services: [E] }] }],
    });
    assert.deepEqual(contentOf(mirror), { '10.0.0.4': { '10.244.0.3': [E] } });
    assert.deepEqual(certaintyOf(mirror), { '10.0.0.4': true });
  });

  it('sets and deletes single addresses with a PartialUpdate, keeping the others', () => {
    const mirror = mirrorOf({ '10.0.0.4': { '10.244.0.1': [A], '10.244.0.2': [B], '10.244.0.3': [A] } });
    applyAcknowledged(mirror, {
      action: 'PartialUpdate',
      addressLocations: [
        {
          addressLocation: '10.0.0.4',
          addressUpdateAction: 'PartialUpdate',
          addresses: [
            { address: '10.244.0.1', services: [] },
            { address: '10.244.0.2', services: [A, B] },
            { address: '10.244.0.9', services: [E] },
          ],
        },
      ],
    });
    assert.deepEqual(contentOf(mirror), { '10.0.0.4': { '10.244.0.2': [A, B], '10.244.0.3': [A], '10.244.0.9': [E] } });
  });

  it('deletes a location sent with an empty address list, and only that one', () => {
    const mirror = mirrorOf({ '10.0.0.4': { '10.244.0.1': [A] }, '10.0.0.5': { '10.244.1.1': [A] } });
    applyAcknowledged(mirror, { action: 'PartialUpdate', addressLocations: [{ addressLocation: '10.0.0.4', addressUpdateAction: 'PartialUpdate', addresses: [] }] });
    assert.deepEqual([...mirror.keys()], ['10.0.0.5']);
  });

  it('creates a certain location from a PartialUpdate to a location it did not have', () => {
    const mirror = mirrorOf({});
    applyAcknowledged(mirror, {
      action: 'PartialUpdate',
      addressLocations: [{ addressLocation: 'fd00::4', addressUpdateAction: 'PartialUpdate', addresses: [{ address: 'fd00:244::1', services: [E] }] }],
    });
    assert.deepEqual(contentOf(mirror), { 'fd00::4': { 'fd00:244::1': [E] } });
    assert.deepEqual(certaintyOf(mirror), { 'fd00::4': true });
  });

  it('leaves an uncertain location uncertain after a PartialUpdate', () => {
    const mirror = mirrorOf({ '10.0.0.4': { '10.244.0.1': [A] } }, ['10.0.0.4']);
    applyAcknowledged(mirror, {
      action: 'PartialUpdate',
      addressLocations: [{ addressLocation: '10.0.0.4', addressUpdateAction: 'PartialUpdate', addresses: [{ address: '10.244.0.2', services: [A] }] }],
    });
    assert.deepEqual(certaintyOf(mirror), { '10.0.0.4': false });
  });
});

describe('applyUncertain', () => {
  it('keeps the union of old and requested services, sorted, and marks the location uncertain', () => {
    const mirror = mirrorOf({ '10.0.0.4': { '10.244.0.1': [B], '10.244.0.2': [A] } });
    applyUncertain(mirror, {
      action: 'PartialUpdate',
      addressLocations: [
        {
          addressLocation: '10.0.0.4',
          addressUpdateAction: 'PartialUpdate',
          addresses: [
            { address: '10.244.0.1', services: [A] },
            { address: '10.244.0.2', services: [] },
            { address: '10.244.0.3', services: [E] },
          ],
        },
      ],
    });
    assert.deepEqual(contentOf(mirror), { '10.0.0.4': { '10.244.0.1': [A, B], '10.244.0.2': [A], '10.244.0.3': [E] } });
    assert.deepEqual(certaintyOf(mirror), { '10.0.0.4': false });
  });

  it('keeps a location whose deletion may not have happened, marked uncertain', () => {
    const mirror = mirrorOf({ '10.0.0.4': { '10.244.0.1': [A] } });
    applyUncertain(mirror, { action: 'PartialUpdate', addressLocations: [{ addressLocation: '10.0.0.4', addressUpdateAction: 'PartialUpdate', addresses: [] }] });
    assert.deepEqual(contentOf(mirror), { '10.0.0.4': { '10.244.0.1': [A] } });
    assert.deepEqual(certaintyOf(mirror), { '10.0.0.4': false });
  });

  it('keeps addresses a FullUpdate may have dropped, and adds the ones it may have written', () => {
    const mirror = mirrorOf({ '10.0.0.4': { '10.244.0.1': [A] } });
    applyUncertain(mirror, {
      action: 'PartialUpdate',
      addressLocations: [
        { addressLocation: '10.0.0.4', addressUpdateAction: 'FullUpdate', addresses: [{ address: '10.244.0.2', services: [B] }] },
        { addressLocation: '10.0.0.5', addressUpdateAction: 'FullUpdate', addresses: [{ address: '10.244.1.1', services: [A] }] },
      ],
    });
    assert.deepEqual(contentOf(mirror), { '10.0.0.4': { '10.244.0.1': [A], '10.244.0.2': [B] }, '10.0.0.5': { '10.244.1.1': [A] } });
    assert.deepEqual(certaintyOf(mirror), { '10.0.0.4': false, '10.0.0.5': false });
  });

  it('leads the next diff to rewrite the touched location whole', () => {
    const desired = desiredOf({ '10.0.0.4': { '10.244.0.2': [A] } });
    const mirror = mirrorOf({ '10.0.0.4': { '10.244.0.1': [A] } });
    const [request] = toBatches(diffLocations(desired, mirror), 100);
    assert.ok(request);
    applyUncertain(mirror, request);
    assert.deepEqual(diffLocations(desired, mirror), [
      { addressLocation: '10.0.0.4', addressUpdateAction: 'FullUpdate', addresses: [{ address: '10.244.0.2', services: [A] }] },
    ]);
  });
});

describe('countChanges', () => {
  it('counts added, removed and updated addresses against the mirror', () => {
    const { updates, mirror } = sampleUpdates();
    // Added: 2 (10.0.0.1) + 7 (10.0.0.2) + 2 new in 10.0.0.3 + 1 (fd00::1) = 12.
    // Removed: 2 in 10.0.0.3 + 1 (10.0.0.8 deleted) + 2 (10.0.0.9 deleted) = 5.
    // Updated: 10.244.3.1 moved from svc-b to svc-a = 1.
    assert.deepEqual(countChanges(updates, mirror), { added: 12, removed: 5, updated: 1 });
  });

  it('counts what a FullUpdate drops from an uncertain location as removed', () => {
    const mirror = mirrorOf({ '10.0.0.4': { '10.244.0.1': [A], '10.244.0.2': [A] } }, ['10.0.0.4']);
    const updates = diffLocations(desiredOf({ '10.0.0.4': { '10.244.0.1': [A], '10.244.0.3': [B] } }), mirror);
    assert.deepEqual(countChanges(updates, mirror), { added: 1, removed: 1, updated: 0 });
  });

  it('counts nothing for an empty diff', () => {
    assert.deepEqual(countChanges([], mirrorOf({ '10.0.0.4': { '10.244.0.1': [A] } })), { added: 0, removed: 0, updated: 0 });
  });
});

describe('servicesReferencedBy', () => {
  it('collects every service any address of the requests names', () => {
    const { updates } = sampleUpdates();
    assert.deepEqual([...servicesReferencedBy(toBatches(updates, 3))].sort(), [A, B, E]);
  });

  it('finds none in removals and location deletions', () => {
    const requests: LocationsRequest[] = [
      {
        action: 'PartialUpdate',
        addressLocations: [
          { addressLocation: '10.0.0.4', addressUpdateAction: 'PartialUpdate', addresses: [] },
          { addressLocation: '10.0.0.5', addressUpdateAction: 'PartialUpdate', addresses: [{ address: '10.244.1.1', services: [] }] },
        ],
      },
    ];
    assert.equal(servicesReferencedBy(requests).size, 0);
  });
});

// ---------------------------------------------------------------------------------------------
// Property: whatever NRP holds, the batched diff brings it to exactly what the cluster wants.

const LOCATIONS = ['10.0.0.1', '10.0.0.2', '10.0.0.10', 'fd00::1', 'fd00::a'];
const ADDRESSES = ['10.244.0.1', '10.244.0.2', '10.244.0.10', '10.244.1.1', 'fd00:244::1', 'fd00:244::2'];
const SERVICES = ['svc-a', 'svc-b', 'svc-c', 'team-x'];

const servicesArb = fc.subarray(SERVICES, { minLength: 1 });
const contentArb = fc.dictionary(fc.constantFrom(...LOCATIONS), fc.dictionary(fc.constantFrom(...ADDRESSES), servicesArb, { maxKeys: 6 }), { maxKeys: 5 });
const caseArb = fc.record({
  desired: contentArb,
  mirror: contentArb,
  uncertain: fc.subarray(LOCATIONS),
  max: fc.integer({ min: 1, max: 8 }),
});

describe('diffLocations with toBatches, for random desired and mirror', () => {
  it('brings the mirror to exactly the non-empty desired content, no empty location left, after which the diff is empty', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const desired = desiredOf(c.desired);
        const mirror = mirrorOf(c.mirror, c.uncertain);
        const updates = diffLocations(desired, mirror);
        const requests = toBatches(updates, c.max);
        for (const r of requests) {
          assert.ok(sizeOf(r) <= c.max);
          const locs = r.addressLocations.map((l) => l.addressLocation);
          assert.equal(new Set(locs).size, locs.length);
        }
        const batched = applyAll(new Map(mirror), requests);
        // Exactly: no location is left behind empty (reference: an emptied location is deleted).
        assert.deepEqual(contentOf(batched, true), desiredContent(desired));
        assert.deepEqual(diffLocations(desired, batched), []);
        // The batches' effects, concatenated, are the unbatched diff's effect.
        const whole = applyAll(new Map(mirror), [{ action: 'PartialUpdate', addressLocations: updates }]);
        assert.deepEqual(contentOf(batched, true), contentOf(whole, true));
        assert.deepEqual(certaintyOf(batched), certaintyOf(whole));
      }),
      { numRuns: 500 },
    );
  });

  it('never loses an address that may be in NRP when a request has an unknown outcome', () => {
    fc.assert(
      fc.property(caseArb, fc.nat(), (c, pick) => {
        const desired = desiredOf(c.desired);
        const mirror = mirrorOf(c.mirror, c.uncertain);
        const requests = toBatches(diffLocations(desired, mirror), c.max);
        fc.pre(requests.length > 0);
        const index = pick % requests.length;
        const request = requests[index];
        assert.ok(request);
        const before = applyAll(new Map(mirror), requests.slice(0, index));
        const after = applyAll(new Map(before), [request]);
        const guessed = new Map(before);
        applyUncertain(guessed, request);
        // Every (address, service) pair present before or after the request is still believed present.
        for (const m of [before, after]) {
          for (const [loc, l] of m) {
            for (const [addr, svcs] of l.addresses) {
              const held = guessed.get(loc)?.addresses.get(addr) ?? [];
              for (const s of svcs) assert.ok(held.includes(s), `${loc}/${addr}/${s}`);
            }
          }
        }
        for (const l of request.addressLocations) assert.equal(guessed.get(l.addressLocation)?.certain, false);
        // And the next diff, computed from that guess, repairs whatever actually happened.
        const repair = toBatches(diffLocations(desired, guessed), c.max);
        for (const actual of [before, after]) {
          assert.deepEqual(contentOf(applyAll(new Map(actual), repair)), desiredContent(desired));
        }
      }),
      { numRuns: 300 },
    );
  });
});
