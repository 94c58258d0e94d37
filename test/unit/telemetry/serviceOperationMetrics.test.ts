// Service operation metrics, each read after driving a Kubernetes change through the real engine,
// serviceOps and locations handlers, the production ARM adapter and the NRP simulator.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { defaultEngineConfig } from '../../../shared/engine/config.ts';
import { SERVICE_FINALIZER } from '../../../shared/engine/types.ts';
import { node, pod, service, syncedEvents, uidOf } from '../../support/builders.ts';
import { createWith, startWorld, webCluster } from './telemetryWorld.ts';
import type { TelemetryWorld } from './telemetryWorld.ts';

// Retries far in the future: a failure in one case never retries inside a later one.
const config = { backoff: { ...defaultEngineConfig.backoff, baseMs: 3_600_000, capMs: 3_600_000, jitter: 0 } };

describe('service operation metrics', () => {
  let w: TelemetryWorld;
  /** One try per burst: the first failure parks the op for the cooldown. */
  let parks: TelemetryWorld;
  before(async () => {
    [w, parks] = await Promise.all([startWorld({ config }), startWorld({ config: { ...config, maxServiceRetries: 1 } })]);
  });
  after(async () => {
    await Promise.all([w.stop(), parks.stop()]);
  });

  it('counts a successful create in engine_service_operations_total{operation=create,status=success}', async () => {
    const m = w.fresh();
    await createWith(w, 'ops-a', webCluster('web-a', '10.1.0.4', '10.244.1.7'), 0);
    assert.equal(await m.count('engine_service_operations_total', { operation: 'create', status: 'success' }), 1);
    assert.equal(await m.count('engine_service_operations_total', { operation: 'create', status: 'failure' }), 0);
  });

  it('counts a create NRP failed in engine_service_operations_total{operation=create,status=failure}', async () => {
    const m = w.fresh();
    w.sim.faults.arm({ operation: 'loadBalancers.createOrUpdate', status: 500, times: 1 });
    await createWith(w, 'ops-b', webCluster('web-b', '10.1.1.4', '10.244.2.7'), 0);
    assert.equal(await m.count('engine_service_operations_total', { operation: 'create', status: 'failure' }), 1);
    assert.equal(await m.count('engine_service_operations_total', { operation: 'create', status: 'success' }), 0);
  });

  it('times a create from its dispatch to its completion in engine_service_operation_duration_seconds{operation}', async () => {
    const m = w.fresh();
    await createWith(w, 'ops-c', webCluster('web-c', '10.1.2.4', '10.244.3.7'), 3_000);
    assert.deepEqual(await m.histogram('engine_service_operation_duration_seconds', { operation: 'create' }), { count: 1, sum: 3 });
  });

  it('counts the retry a failed create schedules in engine_operation_retries_total{operation}', async () => {
    const m = w.fresh();
    w.sim.faults.arm({ operation: 'publicIPAddresses.createOrUpdate', status: 503, times: 1 });
    await createWith(w, 'ops-d', webCluster('web-d', '10.1.3.4', '10.244.4.7'), 0);
    assert.equal(await m.count('engine_operation_retries_total', { operation: 'create' }), 1);
    assert.equal(await m.count('engine_operation_retries_total', { operation: 'delete' }), 0);
  });

  // An ARM 400 is never terminal (only the engine's own refusal of a config is): it is retried, and
  // parked for the cooldown once its tries are spent.
  const arm400Cases = [
    {
      name: 'counts a create NRP rejected with a 400 as a retry in engine_operation_retries_total, never in engine_service_operations_parked_total{reason=terminal_error}',
      world: () => w,
      fault: { operation: 'loadBalancers.createOrUpdate', code: 'InvalidRequestFormat' },
      cluster: ['ops-e', 'web-e', '10.1.4.4', '10.244.5.7'],
      want: { retries: 1, retriesExceeded: 0 },
    },
    {
      name: 'counts a create parked after its tries on an ARM 400 in engine_service_operations_parked_total{reason=retries_exceeded}',
      world: () => parks,
      fault: { operation: 'publicIPAddresses.createOrUpdate', code: 'InvalidResourceReference' },
      cluster: ['ops-p', 'web-p', '10.1.12.4', '10.244.13.7'],
      want: { retries: 0, retriesExceeded: 1 },
    },
  ] as const;
  for (const c of arm400Cases) {
    it(c.name, async () => {
      const world = c.world();
      const m = world.fresh();
      world.sim.faults.arm({ ...c.fault, status: 400, times: 1 });
      const [cluster, name, nodeIp, podIp] = c.cluster;
      await createWith(world, cluster, webCluster(name, nodeIp, podIp), 0);
      assert.equal(await m.count('engine_operation_retries_total', { operation: 'create' }), c.want.retries);
      assert.equal(await m.count('engine_service_operations_parked_total', { reason: 'retries_exceeded' }), c.want.retriesExceeded);
      assert.equal(await m.count('engine_service_operations_parked_total', { reason: 'terminal_error' }), 0);
    });
  }

  it('counts the endpoints that waited for their service in engine_buffered_endpoints_total', async () => {
    const m = w.fresh();
    await createWith(w, 'ops-f', webCluster('web-f', '10.1.5.4', '10.244.6.7'), 0);
    assert.equal(await m.count('engine_buffered_endpoints_total'), 1);
    assert.equal(await m.count('engine_buffered_pods_total'), 0);
  });

  it('counts the pod addresses that waited for their egress identity in engine_buffered_pods_total', async () => {
    const m = w.fresh();
    const events = [
      ...syncedEvents(),
      { kind: 'NodeUpserted', node: node('node-g', ['10.1.6.4']) },
      { kind: 'PodUpserted', pod: pod('egress-g', 'team-g', { resourceVersion: '10', nodeName: 'node-g', hostIPs: ['10.1.6.4'], podIPs: ['10.244.7.10'] }) },
    ] as const;
    await createWith(w, 'ops-g', events, 0);
    assert.equal(await m.count('engine_buffered_pods_total'), 1);
    assert.equal(await m.count('engine_buffered_endpoints_total'), 0);
  });

  it('records how long the addresses waited in engine_buffer_duration_seconds', async () => {
    const m = w.fresh();
    await createWith(w, 'ops-h', webCluster('web-h', '10.1.7.4', '10.244.8.7'), 2_500);
    assert.deepEqual(await m.histogram('engine_buffer_duration_seconds'), { count: 1, sum: 2.5 });
  });

  it('reports operations per state in engine_pending_service_operations{cluster,state}', async () => {
    const m = w.fresh();
    await w.h.sendEvents('ops-i', webCluster('web-i', '10.1.8.4', '10.244.9.7'));
    await w.h.deliver('engine-events');
    assert.equal(await m.value('engine_pending_service_operations', { cluster: 'ops-i', state: 'CreationInProgress' }), 1);
    assert.equal(await m.value('engine_pending_service_operations', { cluster: 'ops-i', state: 'Created' }), 0);
    await w.h.pump();
    assert.equal(await m.value('engine_pending_service_operations', { cluster: 'ops-i', state: 'CreationInProgress' }), 0);
    assert.equal(await m.value('engine_pending_service_operations', { cluster: 'ops-i', state: 'Created' }), 1);
    const states = (await m.points('engine_pending_service_operations')).filter((p) => p.labels.cluster === 'ops-i').map((p) => p.labels.state).sort();
    assert.deepEqual(states, ['Created', 'CreationInProgress', 'DeletionInProgress', 'DeletionPending', 'NotStarted', 'UpdateInProgress']);
  });

  it('reports how long the oldest operation has been in flight in engine_pending_operation_oldest_age_seconds{cluster,state}', async () => {
    const m = w.fresh();
    await w.h.sendEvents('ops-j', webCluster('web-j', '10.1.9.4', '10.244.10.7'));
    await w.h.deliver('engine-events');
    w.h.now += 4_000;
    assert.equal(await m.value('engine_pending_operation_oldest_age_seconds', { cluster: 'ops-j', state: 'CreationInProgress' }), 4);
    await w.h.pump();
    assert.equal(await m.value('engine_pending_operation_oldest_age_seconds', { cluster: 'ops-j', state: 'CreationInProgress' }), undefined);
  });

  it('measures from the forwarder observing a Service to NRP acknowledging its create in engine_event_to_nrp_latency_seconds{operation=create}', async () => {
    const m = w.fresh();
    await createWith(w, 'ops-l', webCluster('web-l', '10.1.11.4', '10.244.12.7'), 2_000);
    assert.deepEqual(await m.histogram('engine_event_to_nrp_latency_seconds', { operation: 'create' }), { count: 1, sum: 2 });
  });

  it('counts a delete in engine_service_operations_total{operation=delete,status=success}', async () => {
    const m = w.fresh();
    await createWith(w, 'ops-k', webCluster('web-k', '10.1.10.4', '10.244.11.7'), 0);
    await w.h.sendEvents('ops-k', [{ kind: 'ServiceUpserted', service: service('web-k', { resourceVersion: '20', deleting: true, finalizers: [SERVICE_FINALIZER] }) }]);
    await w.h.pump();
    assert.equal(await m.count('engine_service_operations_total', { operation: 'delete', status: 'success' }), 1);
    assert.equal(w.sim.snapshot().services.some((s) => s.name === uidOf('web-k')), false);
  });
});
