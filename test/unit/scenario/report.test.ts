// The report's shape and ordering (shared/scenarios/README.md, "Report"), from a stand-in
// pipeline whose simulators return fixed, deliberately unsorted data: a pure formatting test.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pipeline } from '../../../local/host/pipeline.types.ts';
import { buildReport } from '../../../local/scenario/report.ts';
import type { StateSnapshot } from '../../../local/scenario/reportTypes.ts';
import type { BrokerHandle, QueueState } from '../../../local/sim/bus/types.ts';
import type { KubeObject } from '../../../local/sim/kube/server.ts';
import type { NrpSnapshot } from '../../../local/sim/nrp/types.ts';
import { EGRESS_LABEL } from '../../../shared/engine/types.ts';

const unused = (): never => {
  throw new Error('not used by the report');
};

const service = (namespace: string, name: string, ingress: Record<string, string>[], finalizers: string[]): KubeObject => ({
  apiVersion: 'v1', kind: 'Service', metadata: { namespace, name, uid: `uid-${name}`, finalizers }, spec: { type: 'LoadBalancer' }, status: { loadBalancer: { ingress } },
});
const pod = (name: string, labels: Record<string, string>, finalizers: string[]): KubeObject => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { namespace: 'apps', name, labels, ...(finalizers.length ? { finalizers } : {}) },
});
const event = (kind: string, namespace: string | undefined, name: string, type: string, reason: string): KubeObject => ({
  apiVersion: 'v1', kind: 'Event', type, reason, involvedObject: { kind, name, ...(namespace === undefined ? {} : { namespace }) },
});

const KUBE: Record<string, KubeObject[]> = {
  Service: [
    service('default', 'web', [{ ip: '20.0.0.9' }, { hostname: 'lb.example' }, { ip: '20.0.0.1' }], ['z-finalizer', 'servicegateway.azure.com/service-cleanup']),
    service('apps', 'zeta', [], []),
    service('apps', 'alpha', [], []),
  ],
  Pod: [
    pod('worker-2', { [EGRESS_LABEL]: 'team-a' }, []),
    pod('plain', { app: 'x' }, []),
    pod('worker-1', {}, ['servicegateway.azure.com/pod-cleanup']),
  ],
};
const EVENTS: KubeObject[] = [
  event('Service', 'default', 'web', 'Warning', 'UnsupportedProtocol'),
  event('Service', 'default', 'web', 'Normal', 'EnsuredLoadBalancer'),
  event('Node', undefined, 'node-a', 'Normal', 'Seen'),
  event('Service', 'default', 'web', 'Warning', 'UnsupportedProtocol'),
  event('Pod', 'apps', 'worker-1', 'Warning', 'ServiceGatewayInvalidEgressLabel'),
];

const NRP: NrpSnapshot = {
  services: [
    { name: 'team-a', type: 'Outbound', backendPoolIds: [], natGatewayId: '/x/natGateways/team-a' },
    { name: 'abc', type: 'Inbound', backendPoolIds: ['/p/2', '/p/1'], natGatewayId: null },
  ],
  loadBalancers: [{ name: 'abc', rules: [{ protocol: 'Udp', frontendPort: 53, backendPort: 53 }, { protocol: 'Tcp', frontendPort: 80, backendPort: 8080 }] }],
  publicIPs: [{ name: 'team-a-pip', ipAddress: '20.0.0.2', version: 'IPv4' }, { name: 'abc-pip', ipAddress: '20.0.0.1', version: 'IPv4' }],
  natGateways: [{ name: 'team-a', publicIPs: ['team-a-pip-v6', 'team-a-pip'] }],
  locations: [
    { location: '10.0.0.5', addresses: [{ address: '10.244.1.9', services: ['team-a', 'abc'] }, { address: '10.244.1.10', services: ['abc'] }] },
    { location: '10.0.0.4', addresses: [{ address: '10.244.0.7', services: ['abc'] }] },
  ],
};

const CALLS = { 'publicIPAddresses.createOrUpdate': 2, updateServices: 3, updateAddressLocations: 4, throttled: 1 };

const queue = (deadLetters: { reason: string | undefined; description?: string }[], active = 0): QueueState => ({
  active, scheduled: 0, locked: 0, deadLettered: deadLetters.length, lockedSessions: [],
  deadLetters: deadLetters.map((d, i) => ({ messageId: `m${i}`, sessionId: undefined, sequenceNumber: i, reason: d.reason, description: d.description, deliveryCount: 10, body: {} })),
});
const QUEUES: Record<string, QueueState> = {
  'service-ops': queue([{ reason: 'MaxDeliveryCountExceeded' }]),
  'engine-events': queue([{ reason: 'MaxDeliveryCountExceeded' }, { reason: undefined, description: 'bad body' }, { reason: 'InvalidMessage' }]),
  'locations-sync': queue([]),
  'k8s-actions': queue([]),
  'rejected-messages': queue([], 2),
};

const broker: BrokerHandle = {
  connectionString: 'Endpoint=sb://127.0.0.1:1',
  port: 1,
  stop: unused,
  goOffline: unused,
  comeOnline: unused,
  peekState: (q) => QUEUES[q] ?? unused(),
  sweep: unused,
  answerBusy: unused,
  answerDrainsLate: unused,
};

const pipeline: Pipeline = {
  cluster: 'demo',
  httpUrl: null,
  kube: {
    url: 'http://127.0.0.1:1', port: 1, kubeconfig: unused, writeKubeconfig: unused, apply: unused, delete: unused, get: unused,
    list: (kind) => KUBE[kind] ?? [], events: () => EVENTS, resourceVersion: unused, compact: unused, closeWatches: unused, expireWatches: unused,
    faults: { arm: unused, clear: unused }, requests: unused, stop: unused,
  },
  nrp: {
    baseUrl: 'http://127.0.0.1:2', port: 2, subscriptionId: 's', resourceGroup: 'rg', location: 'eastus2', serviceGatewayName: 'sg',
    serviceGatewayId: '/sg', virtualNetworkId: '/vnet', stop: unused, faults: { arm: unused, clear: unused, pending: unused },
    calls: () => ({ ...CALLS }), resetCalls: unused, snapshot: () => NRP,
  },
  broker,
  armTablesFault: unused,
  armBusFault: unused,
  restart: unused,
  pending: unused,
  engineState: unused,
  stop: unused,
};

const SNAPSHOT: StateSnapshot = { nrp: NRP, kubernetes: { services: [], pods: [], events: [] } };
const report = buildReport(pipeline, { name: 'basic-inbound' }, { durationMs: 2140.4, converged: true, latencies: [300, 100, 400, 200], snapshots: { created: SNAPSHOT } });

describe('buildReport', () => {
  it('has the README fields in the README order', () => {
    assert.deepEqual(Object.keys(report), ['scenario', 'converged', 'durationMs', 'nrp', 'kubernetes', 'calls', 'deadLetters', 'latencyMs', 'snapshots']);
    assert.equal(report.scenario, 'basic-inbound');
    assert.equal(report.converged, true);
    assert.equal(report.durationMs, 2140);
  });

  it('lists every Service sorted by namespace and name, with sorted ingress IPs (hostnames left out) and finalizers', () => {
    assert.deepEqual(report.kubernetes.services, [
      { namespace: 'apps', name: 'alpha', uid: 'uid-alpha', ingressIPs: [], finalizers: [] },
      { namespace: 'apps', name: 'zeta', uid: 'uid-zeta', ingressIPs: [], finalizers: [] },
      { namespace: 'default', name: 'web', uid: 'uid-web', ingressIPs: ['20.0.0.1', '20.0.0.9'], finalizers: ['servicegateway.azure.com/service-cleanup', 'z-finalizer'] },
    ]);
  });

  it('lists only pods with a finalizer or the egress label, sorted', () => {
    assert.deepEqual(report.kubernetes.pods, [
      { namespace: 'apps', name: 'worker-1', finalizers: ['servicegateway.azure.com/pod-cleanup'] },
      { namespace: 'apps', name: 'worker-2', finalizers: [] },
    ]);
  });

  it('lists each event once as Kind/namespace/name, sorted by object, type and reason', () => {
    assert.deepEqual(report.kubernetes.events, [
      { object: 'Node/node-a', type: 'Normal', reason: 'Seen' },
      { object: 'Pod/apps/worker-1', type: 'Warning', reason: 'ServiceGatewayInvalidEgressLabel' },
      { object: 'Service/default/web', type: 'Normal', reason: 'EnsuredLoadBalancer' },
      { object: 'Service/default/web', type: 'Warning', reason: 'UnsupportedProtocol' },
    ]);
  });

  it('sorts the NRP section by name, location and address, and every list inside it', () => {
    assert.deepEqual(report.nrp.services.map((s) => s.name), ['abc', 'team-a']);
    assert.deepEqual(report.nrp.services[0]?.backendPoolIds, ['/p/1', '/p/2']);
    assert.deepEqual(report.nrp.loadBalancers[0]?.rules.map((r) => r.protocol), ['Tcp', 'Udp']);
    assert.deepEqual(report.nrp.publicIPs.map((p) => p.name), ['abc-pip', 'team-a-pip']);
    assert.deepEqual(report.nrp.natGateways[0]?.publicIPs, ['team-a-pip', 'team-a-pip-v6']);
    assert.deepEqual(report.nrp.locations, [
      { location: '10.0.0.4', addresses: [{ address: '10.244.0.7', services: ['abc'] }] },
      { location: '10.0.0.5', addresses: [{ address: '10.244.1.10', services: ['abc'] }, { address: '10.244.1.9', services: ['abc', 'team-a'] }] },
    ]);
  });

  it('takes the NRP write calls as the simulator counted them', () => {
    assert.deepEqual(report.calls, CALLS);
  });

  it('reports the dead letters of every queue, sorted by queue and reason, and not the parked rejected messages', () => {
    assert.deepEqual(report.deadLetters, [
      { queue: 'engine-events', reason: 'InvalidMessage' },
      { queue: 'engine-events', reason: 'MaxDeliveryCountExceeded' },
      { queue: 'engine-events', reason: 'bad body' },
      { queue: 'service-ops', reason: 'MaxDeliveryCountExceeded' },
    ]);
  });

  it('gives nearest-rank p50 and p99 of the latencies', () => {
    assert.deepEqual(report.latencyMs, { p50: 200, p99: 400 });
  });

  it('gives zero latencies when nothing changed', () => {
    const empty = buildReport(pipeline, { name: 'x' }, { durationMs: 0, converged: false, latencies: [], snapshots: {} });
    assert.deepEqual(empty.latencyMs, { p50: 0, p99: 0 });
  });

  it('carries the snapshots by name', () => {
    assert.deepEqual(report.snapshots, { created: SNAPSHOT });
  });

  it('serialises to JSON that parses back to the same report', () => {
    assert.deepEqual(JSON.parse(JSON.stringify(report)), report);
  });
});
