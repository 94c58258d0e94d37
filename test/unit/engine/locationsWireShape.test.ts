// The updateAddressLocations body, byte for byte (reference §4, §5): field order, empty arrays as
// `[]` never `null`, an empty address list deleting a location and an empty services list deleting
// an address. The reference pins the same contract in sync_operations_wire_shape_test.go.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decide } from '../../../shared/engine/decide.ts';
import type { DesiredLocations } from '../../../shared/engine/desired.ts';
import { diffLocations, toBatches } from '../../../shared/engine/locationsDiff.ts';
import type { EngineCommand, LocationsRequest, NrpLocation } from '../../../shared/engine/types.ts';
import { ctxAt, node, service, slice, syncedState, upsertNode, upsertService, upsertSlice } from '../../support/builders.ts';

const SVC_A = '6f1c2d3e-0000-4000-8000-00000000000a';
const SVC_B = '6f1c2d3e-0000-4000-8000-00000000000b';
const EGRESS = 'team-egress';

function desiredOf(content: Record<string, Record<string, string[]>>): DesiredLocations {
  const out: DesiredLocations = new Map();
  for (const [loc, addrs] of Object.entries(content)) out.set(loc, new Map(Object.entries(addrs)));
  return out;
}

function mirrorOf(content: Record<string, Record<string, string[]>>): Map<string, NrpLocation> {
  const out = new Map<string, NrpLocation>();
  for (const [loc, addrs] of Object.entries(content)) out.set(loc, { addresses: new Map(Object.entries(addrs)), certain: true });
  return out;
}

/** The one request a small diff becomes, as it goes on the wire. */
function wire(desired: DesiredLocations, mirror: ReadonlyMap<string, NrpLocation>): string {
  const requests = toBatches(diffLocations(desired, mirror), 1_000);
  assert.equal(requests.length, 1);
  return JSON.stringify(requests[0]);
}

/** Every object in the body has exactly the reference's keys, in the reference's order. */
function assertShape(request: LocationsRequest): void {
  assert.deepEqual(Object.keys(request), ['action', 'addressLocations']);
  for (const l of request.addressLocations) {
    assert.deepEqual(Object.keys(l), ['addressLocation', 'addressUpdateAction', 'addresses']);
    assert.equal(Array.isArray(l.addresses), true);
    for (const a of l.addresses) {
      assert.deepEqual(Object.keys(a), ['address', 'services']);
      assert.equal(Array.isArray(a.services), true);
    }
  }
}

describe('the updateAddressLocations body', () => {
  it('sends a new location with two addresses of two services as FullUpdate', () => {
    const json = wire(desiredOf({ '10.0.0.4': { '10.244.0.8': [SVC_A], '10.244.0.7': [SVC_A, SVC_B] } }), mirrorOf({}));
    assert.equal(
      json,
      '{"action":"PartialUpdate","addressLocations":[{"addressLocation":"10.0.0.4","addressUpdateAction":"FullUpdate","addresses":[' +
        `{"address":"10.244.0.7","services":["${SVC_A}","${SVC_B}"]},` +
        `{"address":"10.244.0.8","services":["${SVC_A}"]}]}]}`,
    );
  });

  it('deletes a location with "addresses":[]', () => {
    const json = wire(desiredOf({}), mirrorOf({ '10.0.0.5': { '10.244.1.7': [SVC_A] } }));
    assert.equal(json, '{"action":"PartialUpdate","addressLocations":[{"addressLocation":"10.0.0.5","addressUpdateAction":"PartialUpdate","addresses":[]}]}');
  });

  it('removes an address with "services":[]', () => {
    const json = wire(
      desiredOf({ '10.0.0.4': { '10.244.0.7': [SVC_A] } }),
      mirrorOf({ '10.0.0.4': { '10.244.0.7': [SVC_A], '10.244.0.9': [SVC_A, EGRESS] } }),
    );
    assert.equal(
      json,
      '{"action":"PartialUpdate","addressLocations":[{"addressLocation":"10.0.0.4","addressUpdateAction":"PartialUpdate","addresses":[{"address":"10.244.0.9","services":[]}]}]}',
    );
  });

  it('sends a dual-stack pod as two locations, each address under its own family', () => {
    const json = wire(desiredOf({ 'fd00::4': { 'fd00:244::10': [EGRESS] }, '10.0.0.4': { '10.244.0.10': [EGRESS] } }), mirrorOf({}));
    assert.equal(
      json,
      '{"action":"PartialUpdate","addressLocations":[' +
        '{"addressLocation":"10.0.0.4","addressUpdateAction":"FullUpdate","addresses":[{"address":"10.244.0.10","services":["team-egress"]}]},' +
        '{"addressLocation":"fd00::4","addressUpdateAction":"FullUpdate","addresses":[{"address":"fd00:244::10","services":["team-egress"]}]}]}',
    );
  });

  it('uses [] and never null, with the reference field order, in a mixed batch split over requests', () => {
    const desired = desiredOf({
      '10.0.0.4': { '10.244.0.7': [SVC_A], '10.244.0.8': [SVC_B], '10.244.0.9': [EGRESS] },
      '10.0.0.6': { '10.244.2.7': [SVC_A] },
      'fd00::4': { 'fd00:244::7': [EGRESS] },
    });
    const mirror = mirrorOf({ '10.0.0.5': { '10.244.1.7': [SVC_A] }, '10.0.0.6': { '10.244.2.7': [SVC_A], '10.244.2.8': [SVC_B] } });
    const requests = toBatches(diffLocations(desired, mirror), 2);
    assert.ok(requests.length > 1);
    for (const r of requests) {
      assertShape(r);
      const json = JSON.stringify(r);
      assert.ok(!json.includes('null'), json);
      assert.deepEqual(JSON.parse(json), r);
    }
    const all = requests.map((r) => JSON.stringify(r)).join('\n');
    assert.match(all, /"addresses":\[\]/);
    assert.match(all, /"services":\[\]/);
  });

  it('is byte-equal for equal content given in a different order', () => {
    const a = wire(desiredOf({ '10.0.0.5': { '10.244.1.2': [SVC_A], '10.244.1.1': [SVC_B] }, '10.0.0.4': { '10.244.0.1': [SVC_A] } }), mirrorOf({}));
    const b = wire(desiredOf({ '10.0.0.4': { '10.244.0.1': [SVC_A] }, '10.0.0.5': { '10.244.1.1': [SVC_B], '10.244.1.2': [SVC_A] } }), mirrorOf({}));
    assert.equal(a, b);
  });
});

describe('the SyncLocations command decide() emits', () => {
  it('carries exactly the reference body once a Service is created', () => {
    const uid = 'ABCDEF01-2345-4678-9ABC-DEF012345678';
    const name = uid.toLowerCase();
    const svc = service('web', { uid });
    const events = [
      upsertNode(node('node-a', ['10.0.0.4', 'fd00::4'])),
      upsertNode(node('node-b', ['10.0.0.5'])),
      upsertService(svc),
      upsertSlice(
        slice('web-1', uid, [
          { ip: '10.244.1.7', node: 'node-b' },
          { ip: '10.244.0.8', node: 'node-a' },
          { ip: '10.244.0.7', node: 'node-a', ready: null },
          { ip: '10.244.0.9', node: 'node-a', ready: false },
        ]),
      ),
    ];
    const first = decide(syncedState(0), events, ctxAt(1_000));
    // Nothing may reference the service before NRP has it.
    assert.equal(first.commands.filter((c) => c.kind === 'SyncLocations').length, 0);
    const dispatch = first.commands.find((c): c is Extract<EngineCommand, { kind: 'DispatchServiceOperation' }> => c.kind === 'DispatchServiceOperation');
    assert.ok(dispatch);
    assert.equal(dispatch.operation.operation, 'create');
    assert.equal(dispatch.operation.serviceName, name);

    const second = decide(
      first.state,
      [
        {
          kind: 'ServiceOperationCompleted',
          serviceName: name,
          dispatchId: dispatch.operation.dispatchId,
          outcome: { result: 'success', publicIp: '20.1.2.3' },
        },
      ],
      ctxAt(2_000),
    );
    const syncs = second.commands.filter((c): c is Extract<EngineCommand, { kind: 'SyncLocations' }> => c.kind === 'SyncLocations');
    assert.equal(syncs.length, 1);
    const sync = syncs[0];
    assert.ok(sync);
    assert.equal(sync.sync.cluster, 'test-cluster');
    assert.equal(
      JSON.stringify(sync.sync.requests),
      '[{"action":"PartialUpdate","addressLocations":[' +
        '{"addressLocation":"10.0.0.4","addressUpdateAction":"FullUpdate","addresses":[' +
        `{"address":"10.244.0.7","services":["${name}"]},{"address":"10.244.0.8","services":["${name}"]}]},` +
        `{"addressLocation":"10.0.0.5","addressUpdateAction":"FullUpdate","addresses":[{"address":"10.244.1.7","services":["${name}"]}]}]}]`,
    );
  });
});
