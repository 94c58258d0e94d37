// The oracle from Kubernetes JSON, as the API simulator holds it: which NRP services and address
// locations a small cluster asks for, by the reference's rules.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AdmissionMemory } from '../../../local/scenario/admissionMemory.ts';
import { expectedNrpOfObjects, factsOf } from '../../../local/scenario/expectedNrp.ts';
import { EGRESS_LABEL } from '../../../shared/engine/types.ts';

const WEB = '3F1C2A9E-5B7D-4C1E-9A0B-7E6D5C4B3A21';
const LEGACY = '11111111-2222-4333-8444-555555555555';
const INTERNAL = '66666666-7777-4888-8999-000000000000';

let rv = 0;
const meta = (name: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ name, uid: `uid-${name}`, resourceVersion: String(++rv), ...extra });

const nodeObj = (name: string, ips: string[]): Record<string, unknown> => ({
  apiVersion: 'v1', kind: 'Node', metadata: meta(name),
  status: { addresses: [...ips.map((address) => ({ type: 'InternalIP', address })), { type: 'Hostname', address: name }] },
});

const serviceObj = (name: string, uid: string, spec: Record<string, unknown> = {}, metaExtra: Record<string, unknown> = {}): Record<string, unknown> => ({
  apiVersion: 'v1', kind: 'Service', metadata: { ...meta(name, metaExtra), namespace: 'default', uid },
  spec: { type: 'LoadBalancer', ports: [{ protocol: 'TCP', port: 80, targetPort: 8080 }], ipFamilies: ['IPv4'], ...spec },
});

const sliceObj = (name: string, owner: string, addressType: string, endpoints: { ip: string; node: string; ready?: boolean }[]): Record<string, unknown> => ({
  apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', addressType,
  // Named `<service>-<suffix>` and labelled with the Service, as the EndpointSlice controller does.
  metadata: {
    ...meta(name),
    namespace: 'default',
    labels: { 'kubernetes.io/service-name': name.replace(/-[^-]+$/, '') },
    ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: 'x', uid: owner }],
  },
  endpoints: endpoints.map((e) => ({ addresses: [e.ip], nodeName: e.node, conditions: e.ready === undefined ? {} : { ready: e.ready } })),
});

const podObj = (name: string, label: string | null, hostIPs: string[], podIPs: string[], phase = 'Running'): Record<string, unknown> => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: { ...meta(name), namespace: 'apps', ...(label === null ? {} : { labels: { [EGRESS_LABEL]: label } }) },
  spec: { nodeName: 'node-b', containers: [{ name: 'c', image: 'busybox' }] },
  status: { phase, hostIPs: hostIPs.map((ip) => ({ ip })), podIPs: podIPs.map((ip) => ({ ip })) },
});

const cluster = (): Record<string, unknown>[] => [
  { apiVersion: 'v1', kind: 'Namespace', metadata: meta('apps') },
  nodeObj('node-a', ['10.0.0.4']),
  nodeObj('node-b', ['fd00::5', '10.0.0.5']),
  serviceObj('web', WEB),
  sliceObj('web-v4', WEB, 'IPv4', [
    { ip: '10.244.0.10', node: 'node-a', ready: true },
    { ip: '10.244.1.11', node: 'node-b' },
    { ip: '10.244.1.12', node: 'node-b', ready: false },
  ]),
  sliceObj('web-v6', WEB, 'IPv6', [{ ip: 'fd00:244::11', node: 'node-b' }]),
  serviceObj('internal', INTERNAL, { type: 'ClusterIP' }),
  sliceObj('internal-1', INTERNAL, 'IPv4', [{ ip: '10.244.0.30', node: 'node-a' }]),
  serviceObj('legacy', LEGACY, { sessionAffinity: 'ClientIP' }),
  sliceObj('legacy-1', LEGACY, 'IPv4', [{ ip: '10.244.0.40', node: 'node-a' }]),
  podObj('worker', 'Team-A', ['10.0.0.5', 'fd00::5'], ['10.244.1.20', 'fd00:244::20']),
  podObj('bad-label', 'not a valid label!', ['10.0.0.5'], ['10.244.1.21']),
  podObj('reserved', 'default-natgw', ['10.0.0.5'], ['10.244.1.22']),
  podObj('finished', 'team-b', ['10.0.0.5'], ['10.244.1.23'], 'Succeeded'),
  podObj('plain', null, ['10.0.0.5'], ['10.244.1.24']),
];

describe('expectedNrpOfObjects', () => {
  const want = expectedNrpOfObjects(cluster());

  it('registers the admitted LoadBalancer Service (lower-cased UID) and the egress identity (lower-cased label)', () => {
    assert.deepEqual([...want.services].sort(), [[WEB.toLowerCase(), 'Inbound'], ['team-a', 'Outbound']]);
  });

  it('maps ready endpoints under their node, each family under the node IP of its own family, and leaves out the not-ready one', () => {
    const web = WEB.toLowerCase();
    assert.deepEqual(want.locations, {
      '10.0.0.4': { '10.244.0.10': [web] },
      '10.0.0.5': { '10.244.1.11': [web], '10.244.1.20': ['team-a'] },
      'fd00::5': { 'fd00:244::11': [web], 'fd00:244::20': ['team-a'] },
    });
  });

  it('ignores a ClusterIP Service, a rejected Service, invalid and reserved egress labels, and finished pods', () => {
    const all = JSON.stringify(want.locations);
    for (const ip of ['10.244.0.30', '10.244.0.40', '10.244.1.21', '10.244.1.22', '10.244.1.23', '10.244.1.24']) assert.ok(!all.includes(`"${ip}"`), `${ip} should not be mapped`);
    assert.equal(want.services.has(INTERNAL.toLowerCase()), false);
    assert.equal(want.services.has(LEGACY.toLowerCase()), false);
  });

  it('drops a Service that is being deleted, with its endpoints', () => {
    const objects = cluster().map((o) => (o['kind'] === 'Service' && (o['metadata'] as { uid: string }).uid === WEB
      ? { ...o, metadata: { ...(o['metadata'] as object), deletionTimestamp: '2025-01-01T00:00:00Z', finalizers: ['servicegateway.azure.com/service-cleanup'] } }
      : o));
    const w = expectedNrpOfObjects(objects);
    assert.deepEqual([...w.services.keys()], ['team-a']);
    assert.deepEqual(Object.keys(w.locations).sort(), ['10.0.0.5', 'fd00::5']);
  });

  it('keeps the load balancer of a Service that was admitted before its spec became invalid', () => {
    const memory = new AdmissionMemory();
    memory.applied(serviceObj('legacy', LEGACY), false);
    const w = expectedNrpOfObjects(cluster(), memory.admitted);
    assert.equal(w.services.get(LEGACY.toLowerCase()), 'Inbound');
    assert.deepEqual(w.locations['10.0.0.4'], { '10.244.0.10': [WEB.toLowerCase()], '10.244.0.40': [LEGACY.toLowerCase()] });
    memory.deleted(LEGACY);
    assert.equal(expectedNrpOfObjects(cluster(), memory.admitted).services.has(LEGACY.toLowerCase()), false);
  });

  it('forgets an admitted Service once it is no longer of type LoadBalancer', () => {
    const memory = new AdmissionMemory();
    memory.applied(serviceObj('legacy', LEGACY), false);
    memory.applied(serviceObj('legacy', LEGACY, { type: 'ClusterIP' }), false);
    assert.equal(expectedNrpOfObjects(cluster(), memory.admitted).services.has(LEGACY.toLowerCase()), false);
  });

  it('skips objects the forwarder cannot read (a Namespace, a Pod without status)', () => {
    const pod = podObj('no-status', 'team-c', ['10.0.0.5'], ['10.244.1.30']);
    delete pod['status'];
    assert.deepEqual(factsOf([{ apiVersion: 'v1', kind: 'Namespace', metadata: meta('x') }, pod]), []);
  });
});
