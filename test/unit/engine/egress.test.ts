// Egress pods (reference §2.3 AddPod/DeletePod, §7.4): the outbound NAT gateway follows the live
// pods of an identity, and pod finalizers hold terminating pods until NRP stops routing them.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EngineCommand, LocationsSync, PodFact, ServiceOperation } from '../../../shared/engine/types.ts';
import { POD_FINALIZER } from '../../../shared/engine/types.ts';
import type { PodOptions } from '../../support/builders.ts';
import { node, pod, service } from '../../support/builders.ts';
import { World } from '../../support/world.ts';

type Command<K extends EngineCommand['kind']> = Extract<EngineCommand, { kind: K }>;

function commands<K extends EngineCommand['kind']>(list: readonly EngineCommand[], kind: K): Command<K>[] {
  return list.filter((c): c is Command<K> => c.kind === kind);
}

function dispatched(w: World, name: string): ServiceOperation[] {
  return commands(w.commands, 'DispatchServiceOperation')
    .map((c) => c.operation)
    .filter((o) => o.serviceName === name);
}

function pendingOp(w: World, name: string, operation?: ServiceOperation['operation']): ServiceOperation {
  const op = [...w.pendingOps.values()].find((o) => o.serviceName === name && (operation === undefined || o.operation === operation));
  assert.ok(op, `a pending ${operation ?? 'operation'} for ${name}`);
  return op;
}

/** Read through a call so that TypeScript does not keep a narrowing across World methods. */
function inFlightSync(w: World): LocationsSync | null {
  return w.pendingSync;
}

function podFact(w: World, name: string): PodFact | undefined {
  const o = w.get('Pod', name);
  return o?.kind === 'Pod' ? o.fact : undefined;
}

function holdsFinalizer(w: World, name: string): boolean {
  return podFact(w, name)?.finalizers.includes(POD_FINALIZER) ?? false;
}

function warnings(w: World, podName: string): string[] {
  return commands(w.commands, 'RecordKubernetesEvent')
    .filter((e) => e.target.kind === 'Pod' && e.target.name === podName && e.type === 'Warning')
    .map((e) => e.reason);
}

function removedFinalizerOf(w: World, podName: string): number {
  return w.commands.findIndex((c) => c.kind === 'RemoveFinalizer' && c.target.kind === 'Pod' && c.target.name === podName);
}

const LOC = '10.0.0.4';
const A = 'egress-a';

function world(config: ConstructorParameters<typeof World>[0] = {}): World {
  const w = new World(config);
  w.apply({ kind: 'Node', fact: node('node-a', [LOC]) });
  return w;
}

function addPod(w: World, name: string, label: string | null, o: PodOptions = {}): void {
  w.apply({ kind: 'Pod', fact: pod(name, label, o) });
}

/** node-a, and pods p1 (10.244.0.10) [and p2 (10.244.0.11)] of identity A, all synced. */
function running(pods: 1 | 2 = 1): World {
  const w = world();
  addPod(w, 'p1', A, { podIPs: ['10.244.0.10'] });
  if (pods === 2) addPod(w, 'p2', A, { podIPs: ['10.244.0.11'] });
  assert.ok(w.settle());
  assert.equal(w.state.ops.get(A)?.state, 'Created');
  return w;
}

describe('registering egress pods', () => {
  it('creates an IPv4 outbound service and adds the pod finalizer for the first labelled pod', () => {
    const w = world();
    addPod(w, 'p1', A);
    const ops = dispatched(w, A);
    assert.equal(ops.length, 1);
    assert.equal(ops[0]?.operation, 'create');
    assert.equal(ops[0]?.serviceKind, 'outbound');
    assert.deepEqual(ops[0]?.config, { kind: 'outbound', name: A, ipFamilies: ['IPv4'] });
    const p1 = podFact(w, 'p1');
    assert.ok(p1);
    assert.deepEqual(commands(w.commands, 'AddFinalizer'), [
      { kind: 'AddFinalizer', target: { kind: 'Pod', namespace: 'default', name: 'p1', uid: p1.uid }, finalizer: POD_FINALIZER },
    ]);
    assert.ok(holdsFinalizer(w, 'p1'));
  });

  it('asks for IPv4 and IPv6 when any node has an IPv6 InternalIP', () => {
    const w = world();
    w.apply({ kind: 'Node', fact: node('node-b', ['10.0.0.5', 'fd00::5']) });
    addPod(w, 'p1', A);
    assert.deepEqual(dispatched(w, A)[0]?.config, { kind: 'outbound', name: A, ipFamilies: ['IPv4', 'IPv6'] });
  });

  it('updates an IPv4-only NAT gateway to IPv4 and IPv6 when an IPv6 node joins', () => {
    const w = running();
    w.apply({ kind: 'Node', fact: node('node-b', ['10.0.0.5', 'fd00::5']) });
    const update = pendingOp(w, A, 'update');
    assert.deepEqual(update.config, { kind: 'outbound', name: A, ipFamilies: ['IPv4', 'IPv6'] });
    assert.ok(w.settle());
    assert.deepEqual(dispatched(w, A).map((o) => o.operation), ['create', 'update']);
    assert.equal(w.state.ops.get(A)?.state, 'Created');
    assert.deepEqual(w.state.ops.get(A)?.lastApplied, { kind: 'outbound', name: A, ipFamilies: ['IPv4', 'IPv6'] });
    assert.ok(w.nrp.resources.has(`${A}-pip-v6`), 'the IPv6 public IP was added');
    assert.deepEqual(w.nrp.snapshot(), { [LOC]: { '10.244.0.10': [A] } }, 'egress kept flowing');
  });

  it('grows the families of a NAT gateway whose create is in flight once the create completes', () => {
    const w = world();
    addPod(w, 'p1', A);
    const create = pendingOp(w, A, 'create');
    w.apply({ kind: 'Node', fact: node('node-b', ['10.0.0.5', 'fd00::5']) });
    assert.equal(w.state.ops.get(A)?.state, 'CreationInProgress');
    w.completeOp(create.dispatchId);
    assert.deepEqual(pendingOp(w, A, 'update').config, { kind: 'outbound', name: A, ipFamilies: ['IPv4', 'IPv6'] });
    assert.ok(w.settle());
    assert.ok(w.nrp.resources.has(`${A}-pip-v6`));
  });

  it('never takes a family away: the IPv6 node leaving does not update the gateway', () => {
    const w = world();
    w.apply({ kind: 'Node', fact: node('node-b', ['10.0.0.5', 'fd00::5']) });
    addPod(w, 'p1', A);
    assert.ok(w.settle());
    w.remove('Node', 'node-b');
    w.apply({ kind: 'Node', fact: node('node-a', [LOC], { resourceVersion: '9000' }) });
    addPod(w, 'p2', A, { podIPs: ['10.244.0.11'] });
    assert.ok(w.settle());
    assert.deepEqual(dispatched(w, A).map((o) => o.operation), ['create']);
    assert.deepEqual(w.state.ops.get(A)?.config, { kind: 'outbound', name: A, ipFamilies: ['IPv4', 'IPv6'] });
    assert.ok(w.nrp.resources.has(`${A}-pip-v6`));
  });

  it('adds no operation for a second pod of the same identity', () => {
    const w = world();
    addPod(w, 'p1', A, { podIPs: ['10.244.0.10'] });
    addPod(w, 'p2', A, { podIPs: ['10.244.0.11'] });
    assert.equal(dispatched(w, A).length, 1);
    assert.ok(holdsFinalizer(w, 'p2'));
    assert.ok(w.settle());
    assert.equal(dispatched(w, A).length, 1);
  });

  it('normalises the label to a lower-case identity', () => {
    const w = world();
    addPod(w, 'p1', 'Egress-A');
    assert.equal(dispatched(w, A)[0]?.serviceName, A);
  });

  it('registers nothing and adds no finalizer for an unlabelled pod', () => {
    const w = world();
    addPod(w, 'p1', null);
    assert.ok(w.settle());
    assert.equal(w.state.ops.size, 0);
    assert.deepEqual(commands(w.commands, 'AddFinalizer'), []);
    assert.deepEqual(w.nrp.snapshot(), {});
  });

  it('buffers pod addresses until the NAT gateway exists', () => {
    const w = world();
    addPod(w, 'p1', A, { podIPs: ['10.244.0.10'] });
    addPod(w, 'p2', A, { podIPs: ['10.244.0.11'] });
    assert.equal(w.pendingSync, null);
    assert.deepEqual(commands(w.commands, 'SyncLocations'), []);
    w.completeOp(pendingOp(w, A).dispatchId);
    const sync = inFlightSync(w);
    assert.ok(sync, 'the create success releases the pods to the diff');
    assert.deepEqual(sync.requests[0]?.addressLocations, [
      {
        addressLocation: LOC,
        addressUpdateAction: 'FullUpdate',
        addresses: [
          { address: '10.244.0.10', services: [A] },
          { address: '10.244.0.11', services: [A] },
        ],
      },
    ]);
  });

  it('places dual-stack pod IPs under the same-family host IPs', () => {
    const w = new World();
    w.apply({ kind: 'Node', fact: node('node-a', [LOC, 'fd00::4']) });
    addPod(w, 'p1', A, { hostIPs: [LOC, 'fd00::4'], podIPs: ['10.244.0.10', 'fd00:10::a'] });
    assert.ok(w.settle());
    assert.deepEqual(w.state.ops.get(A)?.config, { kind: 'outbound', name: A, ipFamilies: ['IPv4', 'IPv6'] });
    assert.deepEqual(w.nrp.snapshot(), { [LOC]: { '10.244.0.10': [A] }, 'fd00::4': { 'fd00:10::a': [A] } });

    w.remove('Pod', 'p1');
    assert.ok(w.settle());
    assert.deepEqual(w.nrp.snapshot(), {});
    assert.equal(w.nrp.resources.size, 0, 'both public IPs are gone');
    assert.equal(podFact(w, 'p1'), undefined);
  });
});

describe('the egress label value', () => {
  // What each value the API server accepts makes of a running pod: an identity, nothing (silently),
  // or nothing with a Warning Event and a rejection observation.
  const cases: readonly { readonly label: string | null; readonly identity: string | null; readonly warning: string | null }[] = [
    { label: null, identity: null, warning: null },
    { label: '', identity: null, warning: null },
    { label: 'egress-a', identity: A, warning: null },
    { label: 'Egress-A', identity: A, warning: null },
    { label: ' ', identity: null, warning: 'ServiceGatewayInvalidEgressLabel' },
    { label: '-not_valid-', identity: null, warning: 'ServiceGatewayInvalidEgressLabel' },
    { label: 'default-natgw', identity: null, warning: 'ServiceGatewayReservedEgressLabel' },
  ];
  for (const c of cases) {
    it(`${JSON.stringify(c.label)}: ${c.identity ?? 'no identity'}, ${c.warning ?? 'no Warning'}`, () => {
      const w = world();
      addPod(w, 'p1', c.label, { podIPs: ['10.244.0.10'] });
      assert.ok(w.settle());
      assert.deepEqual(warnings(w, 'p1'), c.warning === null ? [] : [c.warning]);
      const rejected = w.observations.filter((o) => o.kind === 'InputRejected' && o.objectKind === 'Pod');
      assert.equal(rejected.length, c.warning === null ? 0 : 1, JSON.stringify(rejected));
      assert.deepEqual([...w.state.ops.keys()], c.identity === null ? [] : [c.identity]);
      assert.deepEqual(w.nrp.snapshot(), c.identity === null ? {} : { [LOC]: { '10.244.0.10': [c.identity] } });
      assert.equal(holdsFinalizer(w, 'p1'), c.identity !== null);
    });
  }

  it('a live egress pod whose label is set to the empty value leaves its identity, silently', () => {
    const w = running();
    addPod(w, 'p1', '', { podIPs: ['10.244.0.10'] });
    assert.ok(w.settle());
    assert.deepEqual(warnings(w, 'p1'), []);
    assert.deepEqual(w.observations.filter((o) => o.kind === 'InputRejected'), []);
    assert.deepEqual(w.nrp.snapshot(), {});
    assert.equal(w.nrp.services.has(A), false);
  });
});

describe('egress families before the Node list', () => {
  /** Every kind listed but Node, and NRP read: pods are known, the nodes still to come. */
  function withoutNodes(): World {
    const w = new World({ synced: false });
    w.send([
      ...(['Service', 'EndpointSlice', 'Pod'] as const).map((objectKind) => ({ kind: 'KubernetesSynced' as const, objectKind, snapshot: 'initial' })),
      { kind: 'NrpDriftObserved', nrpEpoch: 0, services: [], locations: [] },
    ]);
    return w;
  }

  it('creates no identity before the Node list was synced, then gives a dual-stack cluster both families', () => {
    const w = withoutNodes();
    addPod(w, 'p1', A, { hostIPs: [LOC, 'fd00::4'], podIPs: ['10.244.0.10', 'fd00:10::a'] });
    assert.ok(w.settle());
    assert.deepEqual(dispatched(w, A), [], 'no NAT gateway on a guess');
    assert.ok(holdsFinalizer(w, 'p1'), 'the pod is protected meanwhile');
    w.apply({ kind: 'Node', fact: node('node-a', [LOC, 'fd00::4']) });
    assert.deepEqual(dispatched(w, A), [], 'one node is not the list');
    w.relist('initial');
    assert.deepEqual(dispatched(w, A).map((o) => [o.operation, o.config]), [['create', { kind: 'outbound', name: A, ipFamilies: ['IPv4', 'IPv6'] }]]);
    assert.ok(w.settle());
    assert.ok(w.nrp.resources.has(`${A}-pip-v6`));
    assert.deepEqual(w.nrp.snapshot(), { [LOC]: { '10.244.0.10': [A] }, 'fd00::4': { 'fd00:10::a': [A] } });
  });

  it('creates an IPv4 identity on a cluster whose listed nodes are IPv4-only', () => {
    const w = withoutNodes();
    addPod(w, 'p1', A);
    w.apply({ kind: 'Node', fact: node('node-a', [LOC]) });
    w.relist('initial');
    assert.deepEqual(dispatched(w, A).map((o) => o.config), [{ kind: 'outbound', name: A, ipFamilies: ['IPv4'] }]);
  });
});

describe('rejected egress input', () => {
  it('reports an invalid label as a Warning and registers nothing', () => {
    const w = world();
    addPod(w, 'p1', '-not_valid-');
    assert.deepEqual(warnings(w, 'p1'), ['ServiceGatewayInvalidEgressLabel']);
    assert.equal(w.state.ops.size, 0);
    assert.deepEqual(commands(w.commands, 'AddFinalizer'), []);
  });

  it('reports the reserved default-natgw identity, whatever its case', () => {
    const w = world();
    addPod(w, 'p1', 'Default-NATGW');
    assert.deepEqual(warnings(w, 'p1'), ['ServiceGatewayReservedEgressLabel']);
    assert.equal(w.state.ops.size, 0);
  });

  it('reports a pod IP that is not an IP address', () => {
    const w = world();
    addPod(w, 'p1', A, { podIPs: ['10.244.0.300'] });
    assert.deepEqual(warnings(w, 'p1'), ['ServiceGatewayInvalidPodIP']);
    assert.equal(w.state.ops.size, 0);
  });

  it('reports a pod IP with no host IP of its family', () => {
    const w = world();
    addPod(w, 'p1', A, { podIPs: ['fd00:10::a'], hostIPs: [LOC] });
    assert.deepEqual(warnings(w, 'p1'), ['ServiceGatewayNoNodeLocation']);
    assert.equal(w.state.ops.size, 0);
  });

  it('still registers the valid address of a pod with one bad IP', () => {
    const w = world();
    addPod(w, 'p1', A, { podIPs: ['10.244.0.10', 'garbage'] });
    // Reported on every update of the pod (our own finalizer patch included), always with this reason.
    assert.deepEqual([...new Set(warnings(w, 'p1'))], ['ServiceGatewayInvalidPodIP']);
    assert.ok(w.settle());
    assert.deepEqual(w.nrp.snapshot(), { [LOC]: { '10.244.0.10': [A] } });
  });

  it('does not register an identity equal to an inbound Service UID as outbound', () => {
    const w = world();
    const svc = service('web');
    const name = svc.uid.toLowerCase();
    w.apply({ kind: 'Service', fact: svc });
    addPod(w, 'p1', name, { podIPs: ['10.244.0.10'] });
    assert.ok(w.settle());
    assert.equal(w.state.ops.get(name)?.kind, 'inbound');
    assert.equal(w.nrp.services.get(name), 'Inbound');
    assert.ok(!dispatched(w, name).some((o) => o.serviceKind === 'outbound'));
    assert.equal(commands(w.commands, 'AddFinalizer').some((c) => c.target.kind === 'Pod'), false);
    assert.deepEqual(w.nrp.snapshot(), {});
  });
});

describe('egress pods leaving', () => {
  it('drains and deletes the NAT gateway after the last pod, holding its finalizer until the delete succeeded', () => {
    const w = running();
    w.remove('Pod', 'p1');
    assert.equal(w.state.ops.get(A)?.state, 'DeletionPending');
    // Nothing is left under the location: it is deleted (the drain of the pod's address).
    assert.deepEqual(w.pendingSync?.requests[0]?.addressLocations, [{ addressLocation: LOC, addressUpdateAction: 'PartialUpdate', addresses: [] }]);
    assert.ok(holdsFinalizer(w, 'p1'));

    w.completeSync();
    assert.equal(w.state.ops.get(A)?.state, 'DeletionInProgress');
    const del = pendingOp(w, A, 'delete');
    assert.ok(holdsFinalizer(w, 'p1'), 'still held while the NAT gateway exists');
    assert.equal(removedFinalizerOf(w, 'p1'), -1);

    const before = w.commands.length;
    w.completeOp(del.dispatchId);
    assert.ok(removedFinalizerOf(w, 'p1') >= before);
    assert.equal(podFact(w, 'p1'), undefined, 'the pod is gone once its finalizer came off');
    assert.equal(w.nrp.services.has(A), false);
    assert.equal(w.state.ops.has(A), false);
    assert.deepEqual(w.nrp.violations, []);
  });

  it('keeps holding the last pod while the NAT gateway delete fails, then releases it', () => {
    const w = running();
    w.remove('Pod', 'p1');
    w.completeSync();
    w.completeOp(pendingOp(w, A, 'delete').dispatchId, 'transient');
    assert.equal(w.state.ops.get(A)?.state, 'DeletionInProgress');
    assert.ok(holdsFinalizer(w, 'p1'));
    assert.ok(w.settle());
    assert.equal(podFact(w, 'p1'), undefined);
    assert.equal(w.nrp.services.has(A), false);
  });

  it('releases a pod that leaves while others remain once its addresses drained', () => {
    const w = running(2);
    w.remove('Pod', 'p1');
    assert.equal(w.state.ops.get(A)?.state, 'Created');
    assert.ok(holdsFinalizer(w, 'p1'), 'held while NRP routes its address');
    w.completeSync();
    assert.equal(podFact(w, 'p1'), undefined);
    assert.deepEqual(w.nrp.snapshot(), { [LOC]: { '10.244.0.11': [A] } });
    assert.equal(w.state.ops.get(A)?.state, 'Created');
  });

  it('drains and releases a pod that completed (phase Succeeded) while others remain', () => {
    const w = running(2);
    addPod(w, 'p1', A, { podIPs: ['10.244.0.10'], phase: 'Succeeded' });
    assert.ok(holdsFinalizer(w, 'p1'));
    assert.ok(w.settle());
    assert.equal(holdsFinalizer(w, 'p1'), false);
    assert.deepEqual(w.nrp.snapshot(), { [LOC]: { '10.244.0.11': [A] } });
  });

  it('revives a service in DeletionPending when a new pod arrives before any delete was attempted', () => {
    const w = running();
    w.remove('Pod', 'p1');
    assert.equal(w.state.ops.get(A)?.state, 'DeletionPending');
    addPod(w, 'p2', A, { podIPs: ['10.244.0.11'] });
    assert.equal(w.state.ops.get(A)?.state, 'Created');
    assert.ok(w.settle());
    assert.ok(!dispatched(w, A).some((o) => o.operation === 'delete'), 'no delete was dispatched');
    assert.equal(w.state.ops.get(A)?.state, 'Created');
    assert.deepEqual(w.nrp.snapshot(), { [LOC]: { '10.244.0.11': [A] } });
    assert.equal(podFact(w, 'p1'), undefined, 'the old pod is released after its drain');
  });

  it('recreates the NAT gateway after the delete when a new pod arrives during DeletionInProgress', () => {
    const w = running();
    w.remove('Pod', 'p1');
    w.completeSync();
    assert.equal(w.state.ops.get(A)?.state, 'DeletionInProgress');
    addPod(w, 'p2', A, { podIPs: ['10.244.0.11'] });
    assert.equal(w.state.ops.get(A)?.state, 'DeletionInProgress');
    assert.equal(w.state.ops.get(A)?.recreateAfterDeletion, true);
    w.completeOp(pendingOp(w, A, 'delete').dispatchId);
    assert.equal(w.nrp.services.has(A), false);
    assert.ok(w.settle());
    assert.deepEqual(dispatched(w, A).map((o) => o.operation), ['create', 'delete', 'create']);
    assert.equal(w.nrp.services.get(A), 'Outbound');
    assert.deepEqual(w.nrp.snapshot(), { [LOC]: { '10.244.0.11': [A] } });
    assert.ok(holdsFinalizer(w, 'p2'));
    assert.deepEqual(w.nrp.violations, []);
  });

  it('drops a never-dispatched outbound op whose only pod leaves, with no Azure call', () => {
    const w = world({ config: { maxConcurrentOperations: 1 } });
    w.apply({ kind: 'Service', fact: service('web') }); // takes the only slot
    addPod(w, 'p1', A);
    assert.equal(w.state.ops.get(A)?.state, 'NotStarted');
    w.remove('Pod', 'p1');
    assert.equal(w.state.ops.has(A), false);
    assert.equal(podFact(w, 'p1'), undefined, 'nothing to drain: the finalizer comes off at once');
    assert.ok(w.settle());
    assert.deepEqual(dispatched(w, A), []);
    assert.equal(w.nrp.services.has(A), false);
  });

  it('deletes the NAT gateway when the last pod is gone without ever holding a finalizer', () => {
    const w = running();
    const p1 = podFact(w, 'p1');
    assert.ok(p1);
    w.cluster.delete('Pod/default/p1');
    w.send([{ kind: 'ObjectDeleted', objectKind: 'Pod', namespace: 'default', name: 'p1', uid: p1.uid, resourceVersion: '1000' }]);
    assert.equal(w.state.ops.get(A)?.state, 'DeletionPending');
    assert.ok(w.settle());
    assert.equal(w.nrp.services.has(A), false);
    assert.deepEqual(w.nrp.snapshot(), {});
    assert.equal(w.nrp.overlayRefusals, 0);
  });

  it('drains the old identity\'s address when a pod\'s label changes from A to B', () => {
    const w = running();
    const mark = w.commands.length;
    addPod(w, 'p1', 'egress-b', { podIPs: ['10.244.0.10'] });
    assert.equal(w.state.ops.get(A)?.state, 'DeletionPending');
    assert.ok(w.settle());
    // The drain of A leaves nothing under the location, which is deleted; B then writes it whole.
    const sent = commands(w.commands.slice(mark), 'SyncLocations').flatMap((s) => s.sync.requests.flatMap((r) => r.addressLocations));
    assert.deepEqual(sent, [
      { addressLocation: LOC, addressUpdateAction: 'PartialUpdate', addresses: [] },
      { addressLocation: LOC, addressUpdateAction: 'FullUpdate', addresses: [{ address: '10.244.0.10', services: ['egress-b'] }] },
    ]);
    assert.equal(w.nrp.services.has(A), false);
    assert.equal(w.nrp.services.get('egress-b'), 'Outbound');
    assert.deepEqual(w.nrp.snapshot(), { [LOC]: { '10.244.0.10': ['egress-b'] } });
    assert.ok(holdsFinalizer(w, 'p1'), 'the pod is still live and protected');
    assert.deepEqual(w.nrp.violations, []);
  });

  it('does not hold a completed pod\'s finalizer when a new pod of the same identity reuses its IP', () => {
    const w = running();
    addPod(w, 'p2', A, { podIPs: ['10.244.0.10'] });
    addPod(w, 'p1', A, { podIPs: ['10.244.0.10'], phase: 'Succeeded' });
    assert.equal(holdsFinalizer(w, 'p1'), false, 'released although NRP still routes the (reused) address');
    assert.ok(w.settle());
    assert.deepEqual(w.nrp.snapshot(), { [LOC]: { '10.244.0.10': [A] } });
    assert.ok(holdsFinalizer(w, 'p2'));
  });

  it('releases a terminating pod when a new pod takes its IP before the drain completed', () => {
    const w = running();
    w.remove('Pod', 'p1');
    assert.ok(holdsFinalizer(w, 'p1'));
    addPod(w, 'p2', A, { podIPs: ['10.244.0.10'] });
    assert.ok(w.settle());
    assert.equal(podFact(w, 'p1'), undefined);
    assert.deepEqual(w.nrp.snapshot(), { [LOC]: { '10.244.0.10': [A] } });
    assert.equal(w.nrp.services.get(A), 'Outbound');
  });
});

describe('an egress label naming a LoadBalancer Service', () => {
  // The NRP name of an inbound service is its lower-cased UID; a tenant who learns it must not be
  // able to join that service's address with a pod, nor turn it into a NAT gateway.
  it('is refused with a Warning on the pod, and the inbound service keeps its name and addresses', () => {
    const w = new World();
    w.apply({ kind: 'Node', fact: node('node-a', ['10.0.0.4']) });
    const web = service('web');
    const name = web.uid.toLowerCase();
    w.apply({ kind: 'Service', fact: web });
    assert.ok(w.settle());
    w.apply({ kind: 'Pod', fact: pod('intruder', name, { namespace: 'tenant-b', podIPs: ['10.244.0.66'] }) });
    assert.ok(w.settle());
    assert.equal(w.nrp.services.get(name), 'Inbound');
    assert.equal(w.nrp.services.size, 1, 'no outbound service came of the label');
    assert.deepEqual(w.nrp.snapshot(), {}, 'the pod\'s IP is registered under nothing');
    const warnings = commands(w.commands, 'RecordKubernetesEvent').filter((c) => c.target.kind === 'Pod' && c.target.name === 'intruder');
    assert.deepEqual(warnings.map((c) => [c.type, c.reason]), [['Warning', 'ServiceGatewayInvalidEgressLabel']]);
    assert.match(warnings[0]?.message ?? '', /NRP name of a LoadBalancer Service/);
    assert.deepEqual(w.nrp.violations, []);
  });
});
