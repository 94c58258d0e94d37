// The whole local pipeline: Kubernetes API simulator -> real forwarder -> broker -> real function
// handlers under the local host -> NRP simulator, state in Azurite; and back to the cluster.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startPipeline } from '../../../local/host/pipeline.ts';
import type { Pipeline } from '../../../local/host/pipeline.ts';

const UID = '11111111-2222-3333-4444-555555555555';
type Obj = Record<string, unknown>;
const meta = (o: Obj | undefined): Obj => (o?.['metadata'] ?? {}) as Obj;

async function idle(p: Pipeline, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let quiet = 0;
  while (Date.now() < deadline) {
    const w = await p.pending();
    const busy = Object.values(w.queues).some((n) => n > 0) || w.forwarderOutbox > 0 || w.invocationsInFlight > 0 || Object.keys(w.operations).length > 0 || w.locationsPending;
    quiet = busy ? 0 : quiet + 1;
    if (quiet >= 3) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`the pipeline did not go idle: ${JSON.stringify(await p.pending())}`);
}

function web(): Obj[] {
  return [
    { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-a' }, status: { addresses: [{ type: 'InternalIP', address: '10.0.0.4' }] } },
    { apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'default', name: 'web', uid: UID }, spec: { type: 'LoadBalancer', selector: { app: 'web' }, ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 }] } },
    {
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
      metadata: { namespace: 'default', name: 'web-1', labels: { 'kubernetes.io/service-name': 'web' }, ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: UID }] },
      addressType: 'IPv4', endpoints: [{ addresses: ['10.244.0.5'], nodeName: 'node-a', conditions: { ready: true } }], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    },
  ];
}

describe('the local pipeline', () => {
  let p: Pipeline;
  before(async () => {
    p = await startPipeline({ cluster: 'e2e' });
  });
  after(async () => {
    await p.stop();
  });

  it('creates the load balancer, registers the endpoint, writes the IP back, and cleans everything up on delete', async () => {
    for (const o of web()) p.kube.apply(o);
    await idle(p);
    const nrp = p.nrp.snapshot();
    assert.deepEqual(nrp.services.map((s) => [s.name, s.type]), [[UID, 'Inbound']]);
    assert.deepEqual(nrp.locations, [{ location: '10.0.0.4', addresses: [{ address: '10.244.0.5', services: [UID] }] }]);
    const svc = p.kube.get('Service', 'default', 'web');
    const ip = nrp.publicIPs[0]?.ipAddress;
    assert.ok(ip);
    assert.deepEqual((svc?.['status'] as Obj)['loadBalancer'], { ingress: [{ ip }] });
    assert.deepEqual(meta(svc)['finalizers'], ['servicegateway.azure.com/service-cleanup']);
    assert.ok(p.kube.events().some((e) => e['reason'] === 'EnsuredLoadBalancer'));
    const calls = p.nrp.calls();
    assert.equal(calls['loadBalancers.createOrUpdate'], 1);
    assert.equal(calls['updateServices'], 1);

    p.kube.delete('Service', 'default', 'web');
    await idle(p);
    assert.equal(p.kube.get('Service', 'default', 'web'), undefined);
    assert.deepEqual(p.nrp.snapshot(), { services: [], loadBalancers: [], publicIPs: [], natGateways: [], locations: [] });
  });
});
