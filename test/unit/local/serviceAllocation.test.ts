// The Kubernetes simulator's Service allocator when a range is full: the API server's answer (500,
// "range is full"), never a crash of the simulator; a LoadBalancer without node ports needs none.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ServiceAllocator } from '../../../local/sim/kube/serviceAllocation.ts';
import { KubeApiError } from '../../../local/sim/kube/status.ts';
import type { KubeObject } from '../../../local/sim/kube/types.ts';

const ALL_NODE_PORTS = new Set(Array.from({ length: 32_767 - 30_000 + 1 }, (_, i) => 30_000 + i));

function loadBalancer(spec: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'default', name: 'web' }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }], ...spec } };
}

describe('the simulator allocating Service node ports', () => {
  it('answers 500 "range is full" when every node port is taken', () => {
    const allocator = new ServiceAllocator();
    assert.throws(
      () => allocator.allocate(loadBalancer(), undefined, { clusterIPs: new Set(), nodePorts: ALL_NODE_PORTS }),
      (e: unknown) => e instanceof KubeApiError && e.status === 500 && e.reason === 'InternalError' && /failed to allocate a nodePort: range is full/.test(e.message),
    );
  });

  it('needs no node port for a LoadBalancer with allocateLoadBalancerNodePorts: false', () => {
    const allocator = new ServiceAllocator();
    const svc = loadBalancer({ allocateLoadBalancerNodePorts: false });
    assert.deepEqual(allocator.allocate(svc, undefined, { clusterIPs: new Set(), nodePorts: ALL_NODE_PORTS }), []);
  });
});
