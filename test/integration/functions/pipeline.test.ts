// The functions end to end on one machine: events in on engine-events, service operations and
// location syncs through their functions, completions back, until NRP holds what the cluster asks
// for. Real handlers, real Service Bus client and broker, real Table Storage (Azurite).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { EngineEvent } from '../../../shared/engine/types.ts';
import { POD_FINALIZER, SERVICE_FINALIZER } from '../../../shared/engine/types.ts';
import { node, pod, service, slice, syncedEvents, uidOf } from '../../support/builders.ts';
import { startHarness } from '../../support/functionsHarness.ts';
import type { Harness } from '../../support/functionsHarness.ts';
import { triggerOf } from '../../support/functionsCore.ts';

const UID = uidOf('web');

function cluster(name: string): EngineEvent[] {
  void name;
  return [
    ...syncedEvents(),
    { kind: 'NodeUpserted', node: node('node-a', ['10.0.0.4']) },
    { kind: 'ServiceUpserted', service: service('web', { resourceVersion: '10' }) },
    { kind: 'EndpointSliceUpserted', slice: slice('web-1', UID, [{ ip: '10.244.0.7', node: 'node-a' }], { resourceVersion: '11' }) },
  ];
}

describe('functions pipeline', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.stop();
  });

  it('registers engine as a session-enabled batch trigger on engine-events', () => {
    const t = triggerOf('engine');
    assert.equal(t.type, 'serviceBusTrigger');
    assert.equal(t.queueName, 'engine-events');
    assert.equal(t.isSessionsEnabled, true);
    assert.equal(t.cardinality, 'many');
    assert.equal(t.connection, 'ServiceBusConnection');
  });

  it('registers serviceOps and locations on their queues, the backstop timer and the debug route', () => {
    assert.equal(triggerOf('serviceOps').queueName, 'service-ops');
    assert.equal(triggerOf('locations').queueName, 'locations-sync');
    assert.equal(triggerOf('locations').isSessionsEnabled, true);
    assert.equal(triggerOf('serviceOps').isSessionsEnabled, undefined);
    assert.equal(triggerOf('locationsBackstop').schedule, '0 */5 * * * *');
    const debug = triggerOf('debug');
    assert.equal(debug.authLevel, 'function');
    assert.equal(debug.route, 'debug/difftracker/{view}');
    assert.deepEqual(debug.methods, ['GET']);
  });

  it('creates the load balancer, registers the endpoint and writes the ingress IP back', async () => {
    await h.sendEvents('alpha', cluster('alpha'));
    const deliveries = await h.pump();
    assert.ok(deliveries >= 4, `only ${deliveries} deliveries`);
    assert.deepEqual([...h.network.nrp.services], [[UID, 'Inbound']]);
    assert.deepEqual(h.network.nrp.snapshot(), { '10.0.0.4': { '10.244.0.7': [UID] } });
    assert.deepEqual(h.network.nrp.violations, []);
    const actions = (await h.drain('k8s-actions')).map((m) => (m.body as { action: { kind: string } }).action.kind).sort();
    assert.deepEqual(actions, ['AddFinalizer', 'PatchServiceStatus', 'RecordKubernetesEvent']);
    const { state } = await h.deps.store.load('alpha');
    assert.equal(state.ops.get(UID)?.state, 'Created');
    assert.equal(state.sync.inFlight, null);
  });

  it('deletes everything of a deleted Service and leaves no row naming it', async () => {
    await h.sendEvents('alpha', [{ kind: 'ServiceUpserted', service: service('web', { resourceVersion: '20', deleting: true, finalizers: [SERVICE_FINALIZER] }) }]);
    await h.pump();
    assert.deepEqual([...h.network.nrp.services], []);
    assert.deepEqual(h.network.nrp.snapshot(), {});
    assert.deepEqual([...h.network.nrp.resources], []);
    const released = (await h.drain('k8s-actions')).map((m) => (m.body as { action: { kind: string } }).action.kind);
    assert.ok(released.includes('RemoveFinalizer'), `actions: ${released.join(', ')}`);
    // Kubernetes then deletes the Service; its slice goes with it.
    await h.sendEvents('alpha', [
      { kind: 'ObjectDeleted', objectKind: 'Service', namespace: 'default', name: 'web', uid: UID, resourceVersion: '21' },
      { kind: 'ObjectDeleted', objectKind: 'EndpointSlice', namespace: 'default', name: 'web-1', uid: uidOf('slice/web-1'), resourceVersion: '22' },
    ]);
    await h.pump();
    const rows: string[] = [];
    for await (const e of h.table.listEntities({ queryOptions: { filter: `PartitionKey eq 'alpha'` } })) {
      const text = JSON.stringify(e);
      if (text.includes(UID) && e.deleted !== true) rows.push(String(e.rowKey));
    }
    assert.deepEqual(rows.filter((r) => !r.startsWith('tomb|')), [], 'rows still naming the service (tombstones aside)');
  });
});

describe('functions pipeline, egress', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.stop();
  });

  it('creates a NAT gateway for an egress identity and removes every trace of it after its last pod', async () => {
    const events: EngineEvent[] = [
      ...syncedEvents(),
      { kind: 'NodeUpserted', node: node('node-a', ['10.0.0.4']) },
      { kind: 'PodUpserted', pod: pod('egress-1', 'team-a', { resourceVersion: '10' }) },
    ];
    await h.sendEvents('alpha', events);
    await h.pump();
    assert.deepEqual([...h.network.nrp.services], [['team-a', 'Outbound']]);
    assert.deepEqual(h.network.nrp.snapshot(), { '10.0.0.4': { '10.244.0.10': ['team-a'] } });
    const added = (await h.drain('k8s-actions')).map((m) => (m.body as { action: { kind: string; finalizer?: string } }).action);
    assert.ok(added.some((a) => a.kind === 'AddFinalizer' && a.finalizer === POD_FINALIZER));

    // The pod is deleted; Kubernetes holds it (our finalizer) until the engine lets it go.
    await h.sendEvents('alpha', [{ kind: 'PodUpserted', pod: pod('egress-1', 'team-a', { resourceVersion: '11', deleting: true, finalizers: [POD_FINALIZER] }) }]);
    await h.pump();
    assert.deepEqual([...h.network.nrp.services], []);
    assert.deepEqual(h.network.nrp.snapshot(), {});
    assert.deepEqual([...h.network.nrp.resources], []);
    const released = (await h.drain('k8s-actions')).map((m) => (m.body as { action: { kind: string } }).action.kind);
    assert.ok(released.includes('RemoveFinalizer'), `actions: ${released.join(', ')}`);
    await h.sendEvents('alpha', [{ kind: 'ObjectDeleted', objectKind: 'Pod', namespace: 'default', name: 'egress-1', uid: uidOf('pod/egress-1'), resourceVersion: '12' }]);
    await h.pump();

    const { state } = await h.deps.store.load('alpha');
    assert.equal(state.ops.has('team-a'), false);
    assert.equal(state.nrp.services.has('team-a'), false);
    const rows: string[] = [];
    for await (const e of h.table.listEntities({ queryOptions: { filter: `PartitionKey eq 'alpha'` } })) {
      if (JSON.stringify(e).includes('team-a') && e.deleted !== true && !String(e.rowKey).startsWith('tomb|')) rows.push(String(e.rowKey));
    }
    assert.deepEqual(rows, [], 'rows still naming the identity (tombstones aside)');
  });
});
