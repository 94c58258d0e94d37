// A legitimate slice must not be unlinked by an owner of another API group. toFacts kept every ownerReference
// whose kind is "Service", whatever its apiVersion, so an owner of another API group (a CRD kind
// named Service, e.g. serving.knative.dev/v1) counted as a "stranger" Service and unlinked the slice
// that its label rightly joins to the core Service: its endpoints were drained from NRP although
// kube-proxy serves them.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EndpointSliceFact } from '../../../shared/engine/types.ts';
import { endpointSliceFact } from '../../../shared/kube/toFacts.ts';
import { node, service, uidOf } from '../../support/builders.ts';
import { World } from '../../support/world.ts';

const LOC = '10.0.0.4';
const web = service('web', { namespace: 'team-a', uid: uidOf('team-a/web') });
const WEB = web.uid.toLowerCase();

function slice(ownerReferences: unknown[]): EndpointSliceFact {
  const r = endpointSliceFact({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      namespace: 'team-a', name: 'web-crd', uid: uidOf('slice/team-a/web-crd'), resourceVersion: '1',
      labels: { 'kubernetes.io/service-name': 'web' },
      ownerReferences,
    },
    addressType: 'IPv4',
    endpoints: [{ addresses: ['10.244.0.5'], nodeName: 'node-a', conditions: { ready: true } }],
  });
  assert.ok(r.ok, r.ok ? '' : r.reason);
  return r.fact;
}

describe('EndpointSlice linkage and owners of other API groups', () => {
  it('a labelled slice owned by a custom resource of kind Service (another group) is still served', () => {
    const w = new World();
    w.apply({ kind: 'Node', fact: node('node-a', [LOC]) });
    w.apply({ kind: 'Service', fact: web });
    w.apply({ kind: 'EndpointSlice', fact: slice([{ apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'web', uid: uidOf('knative/team-a/web') }]) });
    assert.ok(w.settle());
    assert.deepEqual(w.nrp.snapshot(), { [LOC]: { '10.244.0.5': [WEB] } });
  });
});
