// The strict convergence check: nothing pending, NRP equal to what the cluster asks for, public
// IPs written back, nothing stuck terminating; and one line of `why` per shortfall.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PendingWork, Pipeline } from '../../../local/host/pipeline.types.ts';
import { isConverged } from '../../../local/scenario/converged.ts';
import { CONFIRM_MS, settle } from '../../../local/scenario/settle.ts';
import type { KubeObject } from '../../../local/sim/kube/server.ts';
import type { NrpSnapshot } from '../../../local/sim/nrp/types.ts';

const UID = 'AAAAAAAA-0000-4000-8000-000000000001';
const uid = UID.toLowerCase();

interface World {
  kube: Record<string, KubeObject[]>;
  nrp: NrpSnapshot;
  pending: PendingWork;
}

function world(): World {
  return {
    kube: {
      Node: [{ kind: 'Node', metadata: { name: 'node-b', uid: 'n', resourceVersion: '1' }, status: { addresses: [{ type: 'InternalIP', address: 'FD00::5' }] } }],
      Service: [{
        kind: 'Service', metadata: { namespace: 'default', name: 'web', uid: UID, resourceVersion: '2', finalizers: ['servicegateway.azure.com/service-cleanup'] },
        spec: { type: 'LoadBalancer', ipFamilies: ['IPv6'], ports: [{ protocol: 'TCP', port: 80 }] }, status: { loadBalancer: { ingress: [{ ip: '2603::1' }] } },
      }],
      EndpointSlice: [{
        kind: 'EndpointSlice', addressType: 'IPv6', metadata: { namespace: 'default', name: 'web-1', uid: 's', resourceVersion: '3', labels: { 'kubernetes.io/service-name': 'web' }, ownerReferences: [{ kind: 'Service', uid: UID }] },
        endpoints: [{ addresses: ['FD00:244:0:0::7'], nodeName: 'node-b' }],
      }],
    },
    nrp: {
      services: [{ name: uid, type: 'Inbound', backendPoolIds: [], natGatewayId: null }],
      loadBalancers: [{ name: uid, rules: [] }],
      publicIPs: [{ name: `${uid}-pip`, ipAddress: '2603::1', version: 'IPv6' }],
      natGateways: [],
      locations: [{ location: 'fd00::5', addresses: [{ address: 'fd00:244::7', services: [uid] }] }],
    },
    pending: { queues: { 'engine-events': 0, 'service-ops': 0 }, forwarderOutbox: 0, invocationsInFlight: 0, operations: {}, locationsPending: false },
  };
}

function fake(w: World): Pick<Pipeline, 'kube' | 'nrp' | 'pending'> {
  const kube = { list: (kind: string) => w.kube[kind] ?? [], events: () => [] };
  const nrp = { snapshot: () => w.nrp };
  return { kube: kube as unknown as Pipeline['kube'], nrp: nrp as unknown as Pipeline['nrp'], pending: () => Promise.resolve(w.pending) };
}

describe('isConverged', () => {
  it('is converged when nothing is pending and NRP matches, comparing IPs in canonical lower-case form', async () => {
    assert.deepEqual(await isConverged(fake(world())), { converged: true, why: [] });
  });

  it('names every piece of pending work', async () => {
    const w = world();
    w.pending = { queues: { 'service-ops': 2 }, forwarderOutbox: 1, invocationsInFlight: 3, operations: { [uid]: 'CreationInProgress' }, locationsPending: true };
    const r = await isConverged(fake(w));
    assert.equal(r.converged, false);
    assert.deepEqual(r.why, [
      'queue service-ops: 2 message(s) pending',
      'forwarder outbox: 1 change(s) not sent',
      '3 function invocation(s) running',
      `operation ${uid} is CreationInProgress`,
      'a locations sync is pending',
    ]);
  });

  it('names a missing address mapping and a missing load balancer', async () => {
    const w = world();
    w.nrp = { ...w.nrp, loadBalancers: [], locations: [] };
    assert.deepEqual((await isConverged(fake(w))).why, [`load balancer ${uid} is missing`, 'location fd00::5 address fd00:244::7: want [' + uid + '] got []']);
  });

  it('names what is left over of a Service that is gone', async () => {
    const w = world();
    w.kube['Service'] = [];
    const why = (await isConverged(fake(w))).why;
    assert.ok(why.includes(`NRP service ${uid} (Inbound) should not exist`), why.join('\n'));
    assert.ok(why.includes(`public IP ${uid}-pip is left over`), why.join('\n'));
  });

  it('wants the public IP in the Service status', async () => {
    const w = world();
    const svc = w.kube['Service']?.[0];
    if (svc) svc['status'] = { loadBalancer: {} };
    assert.deepEqual((await isConverged(fake(w))).why, ['Service default/web has no ingress IP yet']);
  });

  it('names an object stuck terminating with its finalizers', async () => {
    const w = world();
    w.kube['Pod'] = [{ kind: 'Pod', metadata: { namespace: 'apps', name: 'p', deletionTimestamp: '2025-01-01T00:00:00Z', finalizers: ['servicegateway.azure.com/pod-cleanup'] } }];
    assert.deepEqual((await isConverged(fake(w))).why, ['Pod apps/p is still terminating (finalizers [servicegateway.azure.com/pod-cleanup])']);
  });
});

describe('settle', () => {
  it('returns only after convergence is seen twice, at least the confirmation interval apart', async () => {
    const results = [false, true, false, true, true, true, true];
    let calls = 0;
    const started = Date.now();
    const r = await settle(() => Promise.resolve({ converged: results[Math.min(calls++, results.length - 1)] ?? true, why: [] }), Date.now() + 10_000);
    assert.equal(r.converged, true);
    assert.ok(calls >= 6, `converged after ${calls} polls`);
    assert.ok(Date.now() - started >= CONFIRM_MS);
  });

  it('gives up at the deadline and says why', async () => {
    const r = await settle(() => Promise.resolve({ converged: false, why: ['queue x: 1 message(s) pending'] }), Date.now() + 150);
    assert.deepEqual(r, { converged: false, why: ['queue x: 1 message(s) pending'], timedOut: true });
  });
});
