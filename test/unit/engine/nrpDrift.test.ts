// A read of NRP against the mirror: only the differences, in parts that each fit a message, and
// applying every part equals applying the whole read.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { driftParts, nrpDrift } from '../../../shared/engine/nrpDrift.ts';
import type { NrpLocation, NrpMirror, NrpServiceType, ObservedLocation } from '../../../shared/engine/types.ts';
import { EngineDriver } from '../../support/engineDriver.ts';

function mirror(services: [string, NrpServiceType][], locations: [string, [string, string[]][]][], uncertain: string[] = []): NrpMirror {
  return {
    services: new Map(services),
    locations: new Map(locations.map(([l, addrs]): [string, NrpLocation] => [l, { addresses: new Map(addrs), certain: !uncertain.includes(l) }])),
  };
}

const loc = (location: string, addrs: [string, string[]][]): ObservedLocation => ({ location, addresses: addrs.map(([address, services]) => ({ address, services })) });

describe('nrpDrift', () => {
  it('is empty when NRP holds exactly the mirror', () => {
    const m = mirror([['a', 'Inbound']], [['10.0.0.4', [['10.244.0.1', ['a']]]]]);
    assert.deepEqual(nrpDrift(m, [{ name: 'a', type: 'Inbound' }], [loc('10.0.0.4', [['10.244.0.1', ['a']]])]), { services: [], locations: [] });
  });

  it('lists a service NRP has that the mirror lacks, one it lost, and one whose type changed', () => {
    const m = mirror([['gone', 'Inbound'], ['both', 'Inbound']], []);
    const d = nrpDrift(m, [{ name: 'NEW', type: 'Outbound' }, { name: 'both', type: 'InboundOutbound' }], []);
    assert.deepEqual(d.services, [{ name: 'both', type: 'InboundOutbound' }, { name: 'gone', type: null }, { name: 'new', type: 'Outbound' }]);
  });

  it('lists a changed location with all its addresses, a missing one as empty, and an extra one whole', () => {
    const m = mirror([], [['10.0.0.4', [['10.244.0.1', ['a']]]], ['10.0.0.5', [['10.244.1.1', ['a']]]]]);
    const d = nrpDrift(m, [], [loc('10.0.0.4', [['10.244.0.1', ['a', 'b']], ['10.244.0.2', ['a']]]), loc('10.0.0.6', [['10.244.2.1', ['c']]])]);
    assert.deepEqual(d.locations, [
      loc('10.0.0.4', [['10.244.0.1', ['a', 'b']], ['10.244.0.2', ['a']]]),
      { location: '10.0.0.5', addresses: [] },
      loc('10.0.0.6', [['10.244.2.1', ['c']]]),
    ]);
  });

  it('compares canonical IPs and lower-case, sorted service names', () => {
    const m = mirror([], [['fd00::4', [['fd00:244::1', ['a', 'b']]]]]);
    assert.deepEqual(nrpDrift(m, [], [loc('FD00:0::4', [['fd00:244:0::1', ['B', 'a']]])]).locations, []);
  });

  it('reports an uncertain mirror location even when it matches, so it becomes certain', () => {
    const m = mirror([], [['10.0.0.4', [['10.244.0.1', ['a']]]]], ['10.0.0.4']);
    assert.equal(nrpDrift(m, [], [loc('10.0.0.4', [['10.244.0.1', ['a']]])]).locations.length, 1);
  });
});

describe('driftParts', () => {
  const big = {
    services: Array.from({ length: 30 }, (_, i) => ({ name: `svc-${i}`, type: 'Inbound' as const })),
    locations: Array.from({ length: 40 }, (_, i) => loc(`10.0.${i}.4`, Array.from({ length: 10 }, (_, j): [string, string[]] => [`10.244.${i}.${j}`, ['svc-1']]))),
  };

  it('keeps every part within the size unless one location alone is larger', () => {
    const parts = driftParts(big, 2_000);
    assert.ok(parts.length > 5, `${parts.length} parts`);
    for (const p of parts) assert.ok(JSON.stringify(p).length <= 2_100, `a part of ${JSON.stringify(p).length} chars`);
  });

  it('loses and repeats nothing: the parts concatenate to the drift, services first', () => {
    const parts = driftParts(big, 2_000);
    assert.deepEqual(parts.flatMap((p) => p.services), big.services);
    assert.deepEqual(parts.flatMap((p) => p.locations), big.locations);
    const firstWithLocation = parts.findIndex((p) => p.locations.length > 0);
    assert.ok(parts.slice(firstWithLocation + 1).every((p) => p.services.length === 0));
  });

  it('gives one part for a small drift, and one empty part for no drift (the engine learns the read happened)', () => {
    assert.equal(driftParts(big, 1_000_000).length, 1);
    assert.deepEqual(driftParts({ services: [], locations: [] }, 100), [{ services: [], locations: [] }]);
  });

  it('leads, applied part by part, to the same mirror as the whole read', () => {
    const observed = { services: big.services, locations: big.locations };
    const whole = new EngineDriver();
    whole.send([{ kind: 'NrpObserved', nrpEpoch: whole.state.nrpEpoch, ...observed }]);
    const parted = new EngineDriver();
    const parts = driftParts(nrpDrift(parted.state.nrp, observed.services, observed.locations), 2_000);
    parted.send(parts.map((p) => ({ kind: 'NrpDriftObserved', nrpEpoch: parted.state.nrpEpoch, ...p })));
    assert.deepEqual(parted.state.nrp.services, whole.state.nrp.services);
    assert.deepEqual(parted.state.nrp.locations, whole.state.nrp.locations);
  });
});
