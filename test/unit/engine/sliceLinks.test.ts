// An EndpointSlice belongs to the Service its kubernetes.io/service-name label names in its own
// namespace (kube-proxy's rule, ADR 0019). Slices are built as Kubernetes JSON and read through
// toFacts, as the forwarder reads them, so these tests judge the whole path from object to NRP.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EndpointSliceFact, EngineCommand, EngineObservation } from '../../../shared/engine/types.ts';
import { endpointSliceFact } from '../../../shared/kube/toFacts.ts';
import { node, service, uidOf } from '../../support/builders.ts';
import { World } from '../../support/world.ts';

const LOC = '10.0.0.4';
const web = service('web', { namespace: 'team-a', uid: uidOf('team-a/web') });
const WEB = web.uid.toLowerCase();

interface SliceSpec {
  namespace: string;
  name: string;
  label?: string;
  owners?: string[];
  ips: string[];
  node?: string;
}

function sliceOf(s: SliceSpec): EndpointSliceFact {
  const r = endpointSliceFact({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      namespace: s.namespace,
      name: s.name,
      uid: uidOf(`slice/${s.namespace}/${s.name}`),
      resourceVersion: '1',
      ...(s.label === undefined ? {} : { labels: { 'kubernetes.io/service-name': s.label } }),
      ...(s.owners === undefined ? {} : { ownerReferences: s.owners.map((uid) => ({ apiVersion: 'v1', kind: 'Service', name: 'x', uid })) }),
    },
    addressType: 'IPv4',
    endpoints: s.ips.map((ip) => ({ addresses: [ip], nodeName: s.node ?? 'node-a', conditions: { ready: true } })),
  });
  assert.ok(r.ok, r.ok ? '' : r.reason);
  return r.fact;
}

/** node-a and team-a/web created and synced with its own slice (10.244.0.5). */
function running(): World {
  const w = new World();
  w.apply({ kind: 'Node', fact: node('node-a', [LOC]) });
  w.apply({ kind: 'Service', fact: web });
  w.apply({ kind: 'EndpointSlice', fact: sliceOf({ namespace: 'team-a', name: 'web-1', label: 'web', owners: [web.uid], ips: ['10.244.0.5'] }) });
  assert.ok(w.settle());
  assert.deepEqual(w.nrp.snapshot(), { [LOC]: { '10.244.0.5': [WEB] } });
  return w;
}

function notLinkedEvents(commands: readonly EngineCommand[]): Extract<EngineCommand, { kind: 'RecordKubernetesEvent' }>[] {
  return commands.filter((c): c is Extract<EngineCommand, { kind: 'RecordKubernetesEvent' }> => c.kind === 'RecordKubernetesEvent' && c.reason === 'EndpointSliceNotLinked');
}

function notLinkedObservations(list: readonly EngineObservation[]): Extract<EngineObservation, { kind: 'InputRejected' }>[] {
  return list.filter((o): o is Extract<EngineObservation, { kind: 'InputRejected' }> => o.kind === 'InputRejected' && o.reason === 'EndpointSliceNotLinked');
}

describe('EndpointSlice linkage', () => {
  it('a slice in another namespace owned by the Service links nothing, and is told so on itself', () => {
    const w = running();
    const mark = w.commands.length;
    const obsMark = w.observations.length;
    w.apply({ kind: 'EndpointSlice', fact: sliceOf({ namespace: 'tenant-b', name: 'steal', label: 'web', owners: [web.uid], ips: ['10.244.6.6'] }) });
    assert.ok(w.settle());
    assert.deepEqual(w.nrp.snapshot(), { [LOC]: { '10.244.0.5': [WEB] } });
    const events = notLinkedEvents(w.commands.slice(mark));
    assert.equal(events.length, 1);
    assert.deepEqual(events[0]?.target, { kind: 'EndpointSlice', namespace: 'tenant-b', name: 'steal', uid: uidOf('slice/tenant-b/steal') });
    assert.equal(events[0]?.type, 'Warning');
    assert.match(events[0]?.message ?? '', /Service team-a\/web, not Service tenant-b\/web/);
    assert.equal(notLinkedObservations(w.observations.slice(obsMark)).length, 1);
  });

  it('an ownerReference alone, without the label, links nothing', () => {
    const w = running();
    const mark = w.commands.length;
    w.apply({ kind: 'EndpointSlice', fact: sliceOf({ namespace: 'team-a', name: 'owned-only', owners: [web.uid], ips: ['10.244.6.7'] }) });
    assert.ok(w.settle());
    assert.deepEqual(w.nrp.snapshot(), { [LOC]: { '10.244.0.5': [WEB] } });
    assert.equal(notLinkedEvents(w.commands.slice(mark)).length, 1);
  });

  it('an owner that is not the labelled Service links nothing, with a Warning Event and a rejection', () => {
    const w = running();
    const api = service('api', { namespace: 'team-a', uid: uidOf('team-a/api') });
    w.apply({ kind: 'Service', fact: api });
    assert.ok(w.settle());
    const mark = w.commands.length;
    const obsMark = w.observations.length;
    w.apply({ kind: 'EndpointSlice', fact: sliceOf({ namespace: 'team-a', name: 'mixed', label: 'api', owners: [web.uid], ips: ['10.244.6.8'] }) });
    assert.ok(w.settle());
    assert.deepEqual(w.nrp.snapshot(), { [LOC]: { '10.244.0.5': [WEB] } });
    assert.equal(notLinkedEvents(w.commands.slice(mark)).length, 1);
    const rejected = notLinkedObservations(w.observations.slice(obsMark));
    assert.equal(rejected.length, 1);
    assert.equal(rejected[0]?.key, 'team-a/mixed');
  });

  it('a labelled slice without an owner (a Service without a selector) is served', () => {
    const w = running();
    const mark = w.commands.length;
    w.apply({ kind: 'EndpointSlice', fact: sliceOf({ namespace: 'team-a', name: 'manual', label: 'web', ips: ['10.244.0.9'] }) });
    assert.ok(w.settle());
    assert.deepEqual(w.nrp.snapshot(), { [LOC]: { '10.244.0.5': [WEB], '10.244.0.9': [WEB] } });
    assert.equal(notLinkedEvents(w.commands.slice(mark)).length, 0);
  });

  it('a slice naming a Service that does not exist yet waits, without a Warning, and links when it comes', () => {
    const w = new World();
    w.apply({ kind: 'Node', fact: node('node-a', [LOC]) });
    w.apply({ kind: 'EndpointSlice', fact: sliceOf({ namespace: 'team-a', name: 'early', label: 'web', ips: ['10.244.0.5'] }) });
    assert.ok(w.settle());
    assert.deepEqual(w.nrp.snapshot(), {});
    assert.equal(notLinkedEvents(w.commands).length, 0);
    w.apply({ kind: 'Service', fact: web });
    assert.ok(w.settle());
    assert.deepEqual(w.nrp.snapshot(), { [LOC]: { '10.244.0.5': [WEB] } });
  });

  it('a Service re-created under the same name takes the slice; the old UID loses it', () => {
    const w = new World();
    w.apply({ kind: 'Node', fact: node('node-a', [LOC]) });
    w.apply({ kind: 'Service', fact: web });
    w.apply({ kind: 'EndpointSlice', fact: sliceOf({ namespace: 'team-a', name: 'manual', label: 'web', ips: ['10.244.0.5'] }) });
    assert.ok(w.settle());
    assert.deepEqual(w.nrp.snapshot(), { [LOC]: { '10.244.0.5': [WEB] } });
    w.remove('Service', 'web', 'team-a');
    assert.ok(w.settle());
    assert.deepEqual(w.nrp.snapshot(), {});
    const again = service('web', { namespace: 'team-a', uid: uidOf('team-a/web#2') });
    w.apply({ kind: 'Service', fact: again });
    assert.ok(w.settle());
    assert.deepEqual(w.nrp.snapshot(), { [LOC]: { '10.244.0.5': [again.uid.toLowerCase()] } });
    assert.equal(w.nrp.services.has(WEB), false);
  });
});
