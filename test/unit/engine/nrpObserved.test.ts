// A full read of NRP replaces the mirror; drift is repaired by the next diff, lost registrations are
// rebuilt and registrations nobody wants are deleted as orphans.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decide } from '../../../shared/engine/decide.ts';
import { initialState } from '../../../shared/engine/state.ts';
import type { EngineCommand, ServiceOperation } from '../../../shared/engine/types.ts';
import { CLUSTER, ctxAt, node, pod, service, slice, syncedEvents } from '../../support/builders.ts';
import { OVERLAY, World } from '../../support/world.ts';

type Command<K extends EngineCommand['kind']> = Extract<EngineCommand, { kind: K }>;

function commands<K extends EngineCommand['kind']>(list: readonly EngineCommand[], kind: K): Command<K>[] {
  return list.filter((c): c is Command<K> => c.kind === kind);
}

function dispatched(list: readonly EngineCommand[], name: string): ServiceOperation[] {
  return commands(list, 'DispatchServiceOperation')
    .map((c) => c.operation)
    .filter((o) => o.serviceName === name);
}

function pendingOp(w: World, name: string): ServiceOperation {
  const op = [...w.pendingOps.values()].find((o) => o.serviceName === name);
  assert.ok(op, `a pending operation for ${name}`);
  return op;
}


const svc = service('web');
const NAME = svc.uid.toLowerCase();
const LOC = '10.0.0.4';

/** node-a, the Service `web` with one endpoint, and an egress pod of `egress-a`, all settled. */
function settledWorld(): World {
  const w = new World();
  w.apply({ kind: 'Node', fact: node('node-a', [LOC]) });
  w.apply({ kind: 'Service', fact: svc });
  w.apply({ kind: 'EndpointSlice', fact: slice('web-1', svc.uid, [{ ip: '10.244.0.5', node: 'node-a' }]) });
  w.apply({ kind: 'Pod', fact: pod('p1', 'egress-a', { podIPs: ['10.244.0.10'] }) });
  assert.ok(w.settle());
  assert.deepEqual(w.nrp.snapshot(), { [LOC]: { '10.244.0.5': [NAME], '10.244.0.10': ['egress-a'] } });
  return w;
}

describe('the NRP mirror', () => {
  it('is replaced by an observation, with names lower-cased and empty addresses dropped', () => {
    // Before the first listing nothing is an orphan and no sync runs, so both reads are taken in.
    const first = decide(
      initialState(CLUSTER),
      [{ kind: 'NrpObserved', nrpEpoch: 0, services: [{ name: 'old', type: 'Outbound' }], locations: [{ location: '10.0.0.1', addresses: [{ address: '10.244.1.1', services: ['old'] }] }] }],
      ctxAt(0),
    ).state;
    assert.deepEqual([...first.nrp.services.keys()], ['old']);
    const r = decide(
      first,
      [
        {
          kind: 'NrpObserved',
          nrpEpoch: first.nrpEpoch,
          services: [{ name: 'Egress-B', type: 'Outbound' }, { name: 'egress-a', type: 'InboundOutbound' }],
          locations: [
            {
              location: '10.0.0.2',
              addresses: [
                { address: '10.244.2.2', services: ['Egress-B', 'egress-a'] },
                { address: '10.244.2.3', services: [] },
              ],
            },
          ],
        },
      ],
      ctxAt(1),
    );
    assert.deepEqual([...r.state.nrp.services], [['egress-b', 'Outbound'], ['egress-a', 'InboundOutbound']]);
    assert.deepEqual([...r.state.nrp.locations.keys()], ['10.0.0.2']);
    const loc = r.state.nrp.locations.get('10.0.0.2');
    assert.equal(loc?.certain, true);
    assert.deepEqual([...(loc?.addresses ?? [])], [['10.244.2.2', ['egress-a', 'egress-b']]]);
  });

  it('ignores a read taken while a sync is in flight', () => {
    const w = settledWorld();
    w.apply({ kind: 'EndpointSlice', fact: slice('web-1', svc.uid, [{ ip: '10.244.0.5', node: 'node-a' }, { ip: '10.244.0.6', node: 'node-a' }]) });
    w.advance(60_000);
    assert.ok(w.pendingSync);
    const before = w.state.nrp;
    w.send([{ kind: 'NrpObserved', nrpEpoch: w.state.nrpEpoch, services: [], locations: [] }]);
    assert.deepEqual(w.observations.at(-1), { kind: 'NrpObservationIgnored', reason: 'syncInFlight' });
    assert.deepEqual(w.state.nrp, before);
    assert.equal(w.state.nrp.services.get(NAME), 'Inbound');
    assert.equal(w.state.ops.get(NAME)?.state, 'Created', 'an empty read does not make web look lost');
  });

  it('ignores a read that a sync completed after', () => {
    const w = settledWorld();
    const epoch = w.state.nrpEpoch - 1;
    w.send([{ kind: 'NrpObserved', nrpEpoch: epoch, services: [], locations: [] }]);
    assert.deepEqual(w.observations.at(-1), { kind: 'NrpObservationIgnored', reason: 'completedSinceRead' });
    assert.equal(w.state.nrp.services.get(NAME), 'Inbound');
    assert.equal(w.state.ops.get(NAME)?.state, 'Created');
  });

  it('sends a sync that removes addresses NRP has but the cluster does not', () => {
    const w = settledWorld();
    w.nrp.locations.get(LOC)?.set('10.244.0.99', [NAME]);
    w.nrp.locations.set('10.0.0.77', new Map([['10.244.7.7', ['egress-a']]]));
    const mark = w.commands.length;
    w.observeNrp();
    assert.ok(w.settle());
    const syncs = commands(w.commands.slice(mark), 'SyncLocations');
    assert.equal(syncs.length, 1);
    assert.deepEqual(syncs[0]?.sync.requests[0]?.addressLocations, [
      { addressLocation: LOC, addressUpdateAction: 'PartialUpdate', addresses: [{ address: '10.244.0.99', services: [] }] },
      { addressLocation: '10.0.0.77', addressUpdateAction: 'PartialUpdate', addresses: [] },
    ]);
    assert.deepEqual(w.nrp.snapshot(), { [LOC]: { '10.244.0.5': [NAME], '10.244.0.10': ['egress-a'] } });
  });

  it('restores an address whose mapping someone else removed', () => {
    const w = settledWorld();
    w.nrp.locations.get(LOC)?.delete('10.244.0.5');
    w.observeNrp();
    assert.ok(w.settle());
    assert.deepEqual(w.nrp.snapshot(), { [LOC]: { '10.244.0.5': [NAME], '10.244.0.10': ['egress-a'] } });
  });
});

describe('registrations that drifted', () => {
  it('recreates a service believed Created that NRP no longer has', () => {
    const w = settledWorld();
    w.nrp.services.delete(NAME);
    w.nrp.locations.get(LOC)?.delete('10.244.0.5');
    const mark = w.commands.length;
    w.observeNrp();
    assert.equal(w.state.ops.get(NAME)?.state, 'CreationInProgress', 'back to NotStarted and dispatched again');
    assert.deepEqual(dispatched(w.commands.slice(mark), NAME).map((o) => o.operation), ['create']);
    assert.ok(w.settle());
    assert.equal(w.nrp.services.get(NAME), 'Inbound');
    assert.equal(w.state.ops.get(NAME)?.state, 'Created');
    assert.deepEqual(w.nrp.snapshot(), { [LOC]: { '10.244.0.5': [NAME], '10.244.0.10': ['egress-a'] } });
    assert.deepEqual(w.nrp.violations, []);
  });

  it('recreates a lost NAT gateway as well', () => {
    const w = settledWorld();
    w.nrp.services.delete('egress-a');
    w.nrp.locations.get(LOC)?.delete('10.244.0.10');
    w.observeNrp();
    assert.equal(w.state.ops.get('egress-a')?.state, 'CreationInProgress');
    assert.ok(w.settle());
    assert.equal(w.nrp.services.get('egress-a'), 'Outbound');
    assert.deepEqual(w.nrp.snapshot(), { [LOC]: { '10.244.0.5': [NAME], '10.244.0.10': ['egress-a'] } });
  });

  it('does not reset an op whose create is still in flight', () => {
    const w = new World();
    w.apply({ kind: 'Service', fact: svc });
    const create = pendingOp(w, NAME);
    w.observeNrp();
    assert.equal(w.state.ops.get(NAME)?.state, 'CreationInProgress');
    const op = w.state.ops.get(NAME);
    assert.equal(op?.inFlight?.dispatchId, create.dispatchId);
    assert.equal(dispatched(w.commands, NAME).length, 1);
  });

  it('deletes a registered outbound service nobody wants as an orphan', () => {
    const w = new World();
    w.nrp.services.set('forgotten', 'Outbound');
    w.nrp.resources.add('forgotten');
    w.observeNrp();
    const del = dispatched(w.commands, 'forgotten');
    assert.equal(del.length, 1);
    assert.equal(del[0]?.operation, 'delete');
    assert.equal(del[0]?.orphan, true);
    assert.equal(del[0]?.config, null);
    assert.ok(w.settle());
    assert.equal(w.nrp.services.has('forgotten'), false);
    assert.equal(w.nrp.resources.size, 0);
    assert.equal(w.state.ops.size, 0);
  });

  it('drains an orphan inbound service before deleting it', () => {
    const orphan = '0badf00d-0000-4000-8000-0badf00d0bad';
    const w = new World();
    w.apply({ kind: 'Node', fact: node('node-a', [LOC]) });
    w.nrp.services.set(orphan, 'Inbound');
    w.nrp.locations.set(LOC, new Map([['10.244.0.50', [orphan]]]));
    w.observeNrp();
    assert.equal(w.state.ops.get(orphan)?.state, 'DeletionPending');
    assert.equal(w.state.ops.get(orphan)?.orphan, true);
    assert.deepEqual(dispatched(w.commands, orphan), []);
    assert.ok(w.pendingSync);
    assert.ok(w.settle());
    assert.equal(w.nrp.services.has(orphan), false);
    assert.deepEqual(w.nrp.snapshot(), {});
    assert.equal(w.nrp.overlayRefusals, 0);
    assert.deepEqual(w.nrp.violations, []);
  });

  it('keeps an untracked registered inbound service that the cluster wants, re-applying it without a create', () => {
    // After a restart: NRP is read before the first listing completes, so nothing is an orphan yet.
    const r = decide(
      initialState(CLUSTER),
      [{ kind: 'NrpObserved', nrpEpoch: 0, services: [{ name: NAME, type: 'Inbound' }], locations: [] }, { kind: 'ServiceUpserted', service: svc, snapshot: '10' }, ...syncedEvents('10')],
      ctxAt(0),
    );
    const ops = commands(r.commands, 'DispatchServiceOperation').map((c) => c.operation.operation);
    assert.deepEqual(ops, ['update']);
    assert.equal(r.state.ops.get(NAME)?.state, 'UpdateInProgress');
  });
});

describe('recovery through observation', () => {
  it('reads NRP again after an overlay-mapping refusal and converges', () => {
    const w = settledWorld();
    // Another writer mapped an address to `web` that the mirror does not know about.
    w.nrp.locations.get(LOC)?.set('10.244.0.66', [NAME]);
    w.remove('Service', 'web');
    w.completeSync(); // drains the known address: the mirror now believes nothing references web
    assert.equal(w.state.ops.get(NAME)?.state, 'DeletionInProgress');

    const mark = w.commands.length;
    w.completeOp(pendingOp(w, NAME).dispatchId);
    const observe = commands(w.commands.slice(mark), 'ObserveNrp');
    assert.equal(observe.length, 1);
    assert.match(observe[0]?.reason ?? '', new RegExp(OVERLAY));
    assert.equal(w.state.ops.get(NAME)?.state, 'DeletionPending', 'back to draining');
    assert.deepEqual([...(w.state.nrp.locations.get(LOC)?.addresses.keys() ?? [])].sort(), ['10.244.0.10', '10.244.0.66']);

    assert.ok(w.settle());
    assert.equal(w.nrp.services.has(NAME), false);
    assert.deepEqual(w.nrp.snapshot(), { [LOC]: { '10.244.0.10': ['egress-a'] } });
    assert.equal(w.state.ops.has(NAME), false);
    assert.equal(w.get('Service', 'web'), undefined, 'the Service finalizer came off');
    assert.equal(w.nrp.overlayRefusals, 1, 'refused once: the delete waited for the fresh read and the re-drain');
  });

  it('rebuilds lost engine state from an observation and a re-list without recreating anything', () => {
    const w = settledWorld();
    const writes = w.nrp.writes;
    w.state = initialState(CLUSTER);
    w.observeNrp();
    const mark = w.commands.length;
    w.relist('1000000');
    const ops = commands(w.commands.slice(mark), 'DispatchServiceOperation').map((c) => `${c.operation.serviceName}:${c.operation.operation}`);
    assert.deepEqual(ops, [`${NAME}:update`], 'the LB is re-applied, the NAT gateway is left alone');
    assert.deepEqual(commands(w.commands.slice(mark), 'SyncLocations'), [], 'the mirror already matches');
    assert.ok(w.settle());
    assert.equal(w.nrp.writes, writes + 1);
    assert.equal(w.state.ops.get(NAME)?.state, 'Created');
    assert.deepEqual(w.nrp.snapshot(), { [LOC]: { '10.244.0.5': [NAME], '10.244.0.10': ['egress-a'] } });
    assert.deepEqual(w.nrp.violations, []);
  });
});
