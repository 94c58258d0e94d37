// NRP call metrics, recorded by the ARM client's pipeline while the real serviceOps and locations
// handlers run service operations and syncs against the NRP simulator.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { defaultEngineConfig } from '../../../shared/engine/config.ts';
import type { EngineEvent } from '../../../shared/engine/types.ts';
import { SERVICE_FINALIZER } from '../../../shared/engine/types.ts';
import { node, pod, service, syncedEvents } from '../../support/builders.ts';
import { createWith, startWorld, webCluster } from './telemetryWorld.ts';
import type { TelemetryWorld } from './telemetryWorld.ts';

const config = { backoff: { ...defaultEngineConfig.backoff, baseMs: 3_600_000, capMs: 3_600_000, jitter: 0 } };

/** A Service with no endpoints: its delete needs no drain and is dispatched at once. */
function bareService(name: string, nodeIp: string): EngineEvent[] {
  return [...syncedEvents(), { kind: 'NodeUpserted', node: node(`node-${name}`, [nodeIp]) }, { kind: 'ServiceUpserted', service: service(name, { resourceVersion: '10' }) }];
}

describe('NRP call metrics', () => {
  let w: TelemetryWorld;
  before(async () => {
    w = await startWorld({ config });
  });
  after(async () => {
    await w.stop();
  });

  it('counts each request by operation in engine_nrp_calls_total{operation,status=success}', async () => {
    const m = w.fresh();
    await createWith(w, 'nrp-a', webCluster('nrp-web-a', '10.3.0.4', '10.246.0.7'), 0);
    assert.equal(await m.count('engine_nrp_calls_total', { operation: 'loadBalancers.createOrUpdate', status: 'success' }), 1);
    assert.equal(await m.count('engine_nrp_calls_total', { operation: 'updateServices', status: 'success' }), 1);
    assert.equal(await m.count('engine_nrp_calls_total', { operation: 'updateAddressLocations', status: 'success' }), 1);
  });

  it('counts a request NRP failed in engine_nrp_calls_total{operation,status=failure}', async () => {
    const m = w.fresh();
    w.sim.faults.arm({ operation: 'loadBalancers.createOrUpdate', status: 500, times: 1 });
    await createWith(w, 'nrp-b', webCluster('nrp-web-b', '10.3.1.4', '10.246.1.7'), 0);
    assert.equal(await m.count('engine_nrp_calls_total', { operation: 'loadBalancers.createOrUpdate', status: 'failure' }), 1);
    assert.equal(await m.count('engine_nrp_calls_total', { operation: 'loadBalancers.createOrUpdate', status: 'success' }), 0);
  });

  it('times each request in engine_nrp_call_duration_seconds{operation}', async () => {
    const m = w.fresh();
    w.sim.faults.arm({ operation: 'updateServices', latencyMs: 300, times: 1 });
    await createWith(w, 'nrp-c', webCluster('nrp-web-c', '10.3.2.4', '10.246.2.7'), 0);
    const h = await m.histogram('engine_nrp_call_duration_seconds', { operation: 'updateServices' });
    assert.equal(h.count, 1);
    assert.ok(h.sum >= 0.3 && h.sum < 5, `updateServices took ${h.sum} s`);
  });

  it('counts 429 answers in engine_nrp_throttled_total{operation}', async () => {
    const m = w.fresh();
    // Retry-After 0: the shared pause it sets is over at once, so later cases do not wait.
    w.sim.faults.arm({ operation: 'publicIPAddresses.createOrUpdate', status: 429, retryAfterSeconds: 0, times: 1 });
    await createWith(w, 'nrp-d', webCluster('nrp-web-d', '10.3.3.4', '10.246.3.7'), 0);
    assert.equal(await m.count('engine_nrp_throttled_total', { operation: 'publicIPAddresses.createOrUpdate' }), 1);
    assert.equal(await m.count('engine_nrp_throttled_total', { operation: 'loadBalancers.createOrUpdate' }), 0);
  });

  it('counts failed requests by canonical code in engine_nrp_errors_total{operation,code}', async () => {
    const m = w.fresh();
    w.sim.faults.arm({ operation: 'natGateways.createOrUpdate', status: 503, times: 1 });
    w.sim.faults.arm({ operation: 'loadBalancers.createOrUpdate', status: 429, retryAfterSeconds: 0, times: 1 });
    await createWith(w, 'nrp-e', webCluster('nrp-web-e', '10.3.4.4', '10.246.4.7'), 0);
    assert.equal(await m.count('engine_nrp_errors_total', { operation: 'loadBalancers.createOrUpdate', code: 'throttled' }), 1);
    await createWith(w, 'nrp-e2', [
      ...syncedEvents(),
      { kind: 'NodeUpserted', node: node('node-nrp-e2', ['10.3.5.4']) },
      { kind: 'PodUpserted', pod: pod('egress-e2', 'team-e2', { resourceVersion: '10', nodeName: 'node-nrp-e2', hostIPs: ['10.3.5.4'], podIPs: ['10.246.5.10'] }) },
    ], 0);
    assert.equal(await m.count('engine_nrp_errors_total', { operation: 'natGateways.createOrUpdate', code: 'internal_error' }), 1);
    w.sim.faults.clear();
  });

  it('counts a failed first delete step in engine_delete_substep_failures_total{step}', async () => {
    await createWith(w, 'nrp-f', bareService('nrp-web-f', '10.3.6.4'), 0);
    const m = w.fresh();
    await w.h.sendEvents('nrp-f', [{ kind: 'ServiceUpserted', service: service('nrp-web-f', { resourceVersion: '20', deleting: true, finalizers: [SERVICE_FINALIZER] }) }]);
    await w.h.deliver('engine-events');
    w.sim.faults.arm({ operation: 'updateServices', status: 500, times: 1 });
    await w.h.deliver('service-ops');
    await w.h.pump();
    assert.equal(await m.count('engine_delete_substep_failures_total', { step: 'remove_backend_pool' }), 1);
    assert.equal(await m.count('engine_delete_substep_failures_total', { step: 'disassociate_nat_gateway' }), 0);
  });
});

describe('NRP throttle gate metrics', () => {
  let w: TelemetryWorld;
  before(async () => {
    // One write every 300 ms: a create's three writes queue at the gate.
    w = await startWorld({ config, writeBudget: { burst: 1, limit: 1, share: 1, windowMs: 300 } });
  });
  after(async () => {
    await w.stop();
  });

  it('records every request\'s wait at the gate in engine_nrp_throttle_gate_wait_seconds{kind}', async () => {
    const m = w.fresh();
    await createWith(w, 'gate-a', webCluster('gate-web-a', '10.3.7.4', '10.246.7.7'), 0);
    const writes = (await m.points('engine_nrp_calls_total'))
      .filter((p) => /createOrUpdate|delete|updateServices|updateAddressLocations/.test(p.labels.operation ?? ''))
      .reduce((n, p) => n + p.value, 0);
    const waited = await m.histogram('engine_nrp_throttle_gate_wait_seconds', { kind: 'write' });
    assert.equal(waited.count, writes);
    assert.ok(waited.sum >= 0.4, `writes waited ${waited.sum} s in all`);
    const reads = await m.histogram('engine_nrp_throttle_gate_wait_seconds', { kind: 'read' });
    assert.ok(reads.count > 0 && reads.sum < 0.1, `reads: ${JSON.stringify(reads)}`);
  });
});
