// States for the state-store tests: a rich one driven through the real engine, large ones built
// directly (a 100,000-address mirror, a 1,000-endpoint slice), odd keys, and a 1,000-event churn.
import assert from 'node:assert/strict';
import { decide } from '../../../shared/engine/decide.ts';
import type { ClusterState, EngineEvent, NrpLocation, PodFact } from '../../../shared/engine/types.ts';
import { POD_FINALIZER, SERVICE_FINALIZER } from '../../../shared/engine/types.ts';
import { ctxAt, node, pod, service, slice, syncedState, uidOf, upsertPod, upsertService } from '../../support/builders.ts';
import { World } from '../../support/world.ts';

export { syncedState };

/** Copy-on-write helpers, as decide() itself would change a state. */
export function withServiceVersion(state: ClusterState, uid: string, resourceVersion: string): ClusterState {
  const cached = state.kube.services.get(uid);
  assert.ok(cached, `service ${uid} in state`);
  const services = new Map(state.kube.services).set(uid, { ...cached, fact: { ...cached.fact, resourceVersion } });
  return { ...state, kube: { ...state.kube, services } };
}

/**
 * A state with something in every part, reached by driving decide() through the World: nodes,
 * inbound services with slices, egress pods, ops in five states, a sync in flight with several
 * requests, tombstones, every kind synced, finalizer releases, and a non-trivial sequence.
 */
export function richState(): ClusterState {
  const w = new World({ config: { maxAddressesPerRequest: 2, maxConcurrentOperations: 20 } });
  w.apply({ kind: 'Node', fact: node('node-a', ['10.0.0.4']) });
  w.apply({ kind: 'Node', fact: node('node-b', ['10.0.0.5', 'fd00::5']) });
  w.apply({ kind: 'Node', fact: node('node-c', ['10.0.0.6']) });
  for (const name of ['web', 'api', 'db']) {
    const svc = service(name, { annotations: { 'example.com/team': name }, ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 }, { protocol: 'UDP', port: 53, targetPort: null }] });
    w.apply({ kind: 'Service', fact: svc });
    w.apply({
      kind: 'EndpointSlice',
      fact: slice(`${name}-1`, svc.uid, [
        { ip: `10.244.1.${name.length}`, node: 'node-a' },
        { ip: `10.244.2.${name.length}`, node: 'node-b', ready: false },
        { ip: `10.244.3.${name.length}`, node: 'node-b', ready: null },
      ]),
    });
  }
  w.apply({ kind: 'Pod', fact: pod('egress-1', 'gw-one', { nodeName: 'node-a', podIPs: ['10.244.0.10'] }) });
  w.apply({ kind: 'Pod', fact: pod('egress-2', 'gw-one', { nodeName: 'node-b', hostIPs: ['10.0.0.5'], podIPs: ['10.244.0.11'] }) });
  w.apply({ kind: 'Pod', fact: pod('egress-3', 'gw-two', { nodeName: 'node-a', podIPs: ['10.244.0.12'] }) });
  assert.ok(w.settle(), 'the cluster settles');

  // An op being created, one parked on a terminal error, one being deleted.
  const late = service('late');
  w.apply({ kind: 'Service', fact: late });
  const bad = service('bad', { ports: [{ name: 'dns', protocol: 'UDP', port: 53, targetPort: 53 }] });
  w.apply({ kind: 'Service', fact: bad });
  const badOp = [...w.pendingOps.values()].find((o) => o.serviceName === bad.uid.toLowerCase());
  assert.ok(badOp);
  w.completeOp(badOp.dispatchId, 'terminal');
  w.remove('Service', 'db');
  // Tombstones: a slice, a node and a pod go away.
  w.remove('EndpointSlice', 'api-1');
  w.remove('Node', 'node-c');
  w.remove('Pod', 'egress-3');
  // A pod whose finalizer was never added (the action lost) is deleted at once.
  w.losingKubeActions = true;
  w.apply({ kind: 'Pod', fact: pod('plain', 'gw-two', { podIPs: ['10.244.0.99'] }) });
  w.remove('Pod', 'plain');
  w.losingKubeActions = false;
  // A sync in flight with several requests (two addresses per request), once the one the
  // removals started has finished.
  w.completeSync();
  w.apply({
    kind: 'EndpointSlice',
    fact: slice('web-1', service('web').uid, [
      { ip: '10.244.1.3', node: 'node-a' },
      { ip: '10.244.1.30', node: 'node-a' },
      { ip: '10.244.1.31', node: 'node-b' },
      { ip: '10.244.1.32', node: 'node-b' },
      { ip: '10.244.1.33', node: 'node-a' },
    ]),
  });
  w.advance(60_000);

  // Finalizer releases, sent straight to decide() so that nothing removes the finalizers.
  const stray: PodFact = pod('stray', null, { finalizers: [POD_FINALIZER], resourceVersion: '100000' });
  const notOurs = service('not-ours', { type: 'ClusterIP', finalizers: [SERVICE_FINALIZER], resourceVersion: '100001' });
  const events: EngineEvent[] = [upsertPod(stray), upsertService(notOurs)];
  const state = decide(w.state, events, ctxAt(w.now)).state;

  const states = new Set([...state.ops.values()].map((o) => o.state));
  assert.ok(states.size >= 4, `ops in several states, got ${[...states].join(', ')}`);
assert.ok(state.sync.inFlight && state.sync.inFlight.requests.length >= 2, 'a sync in flight with several requests');
  assert.ok(state.kube.tombstones.size >= 3, `tombstones: ${[...state.kube.tombstones.keys()].join(', ')}`);
  assert.equal(state.kube.synced.size, 4);
  assert.ok(state.asked.size >= 2, 'finalizer releases asked for');
  assert.ok(state.nrp.locations.size >= 2 && state.nrp.services.size >= 3, 'a mirror');
  assert.ok([...state.kube.pods.values()].some((p) => p.registered !== null), 'registered egress pods');
  return state;
}

/** A mirror of `locations` locations with `perLocation` addresses each, every address in two services. */
export function withMirror(state: ClusterState, locations: number, perLocation: number): ClusterState {
  const services = new Map(state.nrp.services);
  const names = Array.from({ length: 50 }, (_, i) => uidOf(`svc-${i}`));
  for (const n of names) services.set(n, 'Inbound');
  const map = new Map<string, NrpLocation>();
  for (let l = 0; l < locations; l++) {
    const location = `10.${(l >> 8) & 255}.${l & 255}.4`;
    const addresses = new Map<string, readonly string[]>();
    for (let a = 0; a < perLocation; a++) {
      const first = names[(l + a) % names.length] ?? '';
      const second = names[(l + a + 1) % names.length] ?? '';
      addresses.set(`10.${100 + (l >> 8)}.${l & 255}.${a}`, [first, second].sort());
    }
    map.set(location, { addresses, certain: l % 7 !== 0 });
  }
  return { ...state, nrp: { services, locations: map } };
}

/**
 * A state whose mirror has one location `10.0.0.4` of `addresses` addresses, each in
 * `servicesPerAddress` of 100 inbound services: about 39 characters of JSON per service, so 1,000
 * addresses in 20 services are some 800,000 characters, several times what one row holds.
 */
export function withBigLocation(state: ClusterState, addresses: number, servicesPerAddress: number): ClusterState {
  const names = Array.from({ length: 100 }, (_, i) => uidOf(`big-svc-${i}`)).sort();
  const services = new Map(state.nrp.services);
  for (const n of names) services.set(n, 'Inbound');
  const map = new Map<string, readonly string[]>();
  for (let a = 0; a < addresses; a++) {
    const mine = Array.from({ length: servicesPerAddress }, (_, s) => names[(a + s * 7) % names.length] ?? '');
    map.set(`10.244.${a >> 8}.${a & 255}`, [...new Set(mine)].sort());
  }
  const locations = new Map(state.nrp.locations).set('10.0.0.4', { addresses: map, certain: true });
  return { ...state, nrp: { services, locations } };
}

/** `state` with the services of one address of location `location` replaced. */
export function withAddressServices(state: ClusterState, location: string, address: string, services: readonly string[] | null): ClusterState {
  const loc = state.nrp.locations.get(location);
  assert.ok(loc, `location ${location} in state`);
  const addresses = new Map(loc.addresses);
  if (services === null) addresses.delete(address);
  else addresses.set(address, services);
  const locations = new Map(state.nrp.locations).set(location, { ...loc, addresses });
  return { ...state, nrp: { ...state.nrp, locations } };
}

/** A state whose one EndpointSlice has `endpoints` endpoints over 50 nodes. */
export function withBigSlice(state: ClusterState, endpoints: number): ClusterState {
  const svc = service('big');
  const fact = slice(
    'big-1',
    svc.uid,
    Array.from({ length: endpoints }, (_, i) => ({ ip: `10.244.${i >> 8}.${i & 255}`, node: `aks-nodepool1-12345678-vmss${String(i % 50).padStart(6, '0')}`, ready: i % 3 !== 0 })),
  );
  const slices = new Map(state.kube.slices).set('default/big-1', { fact, snapshot: 'initial' });
  return { ...state, kube: { ...state.kube, slices } };
}

/** Keys that need escaping or are not ASCII, in every kind of row. */
export const ODD_KEYS = ['a/b', 'c#d', 'e?f', 'g\\h', 'i|j', 'k!l', "m'n", 'o%p', 'q\tr', 'sü', 'é😀 +&=:;,', 'trailing.'] as const;

export function withOddKeys(state: ClusterState): ClusterState {
  const services = new Map(state.kube.services);
  const pods = new Map(state.kube.pods);
  const tombstones = new Map(state.kube.tombstones);
  const locations = new Map(state.nrp.locations);
  const nrpServices = new Map(state.nrp.services);
  const asked = new Map(state.asked);
  ODD_KEYS.forEach((k, i) => {
    services.set(`svc-${k}`, { fact: service(`svc-${k}`), snapshot: null });
    pods.set(`ns/${k}`, { fact: pod(k, null, { namespace: 'ns' }), snapshot: 'initial', registered: null, live: false });
    tombstones.set(`Pod/ns/${k}`, { uid: uidOf(k), resourceVersion: String(i + 1), deletedAt: 1_000 + i });
    locations.set(`loc-${k}`, { addresses: new Map([[`addr-${k}`, [`name-${k}`]]]), certain: true });
    nrpServices.set(`name-${k}`, 'Outbound');
    asked.set(`Pod/ns/${k}`, { attempts: i + 1, nextAt: 2_000 + i, value: i % 2 === 0 ? null : `10.0.0.${i}` });
  });
  return {
    ...state,
    kube: { ...state.kube, services, pods, tombstones },
    nrp: { services: nrpServices, locations },
    asked,
  };
}

// --- a cluster at steady state and a 1,000-event batch of churn ------------------------------

export interface Churn {
  /** The settled cluster. */
  readonly before: ClusterState;
  /** After one decide() over 1,000 events. */
  readonly after: ClusterState;
  readonly events: number;
}

const NODES = 50;
const SERVICES = 200;
const ENDPOINTS = 10;
const EGRESS_PODS = 200;

function nodeIp(n: number): string {
  return `10.0.${n >> 8}.${(n & 255) + 1}`;
}

function endpointsOf(s: number, generation: number): { ip: string; node: string; ready: boolean }[] {
  return Array.from({ length: ENDPOINTS }, (_, e) => ({
    ip: `10.${128 + (s >> 8)}.${s & 255}.${(e + generation * ENDPOINTS) % 250}`,
    node: `node-${(s + e) % NODES}`,
    ready: true,
  }));
}

/**
 * 50 nodes, 200 inbound services with a 10-endpoint slice each, 200 egress pods over 10
 * identities, all created and synced; then 1,000 events of typical churn in one batch: slices
 * rolling (600), egress pods replaced (100 deleted, 100 created), services re-annotated (100),
 * 25 services deleted and 25 created, and node heartbeats that change nothing (50).
 */
export function churn(): Churn {
  const w = new World({ config: { maxConcurrentOperations: 1_000 } });
  for (let n = 0; n < NODES; n++) w.apply({ kind: 'Node', fact: node(`node-${n}`, [nodeIp(n)]) });
  for (let s = 0; s < SERVICES; s++) {
    const svc = service(`svc-${s}`);
    w.apply({ kind: 'Service', fact: svc });
    w.apply({ kind: 'EndpointSlice', fact: slice(`svc-${s}-1`, svc.uid, endpointsOf(s, 0)) });
  }
  for (let p = 0; p < EGRESS_PODS; p++) {
    w.apply({ kind: 'Pod', fact: pod(`egress-${p}`, `gw-${p % 10}`, { nodeName: `node-${p % NODES}`, hostIPs: [nodeIp(p % NODES)], podIPs: [`10.200.${p >> 8}.${p & 255}`] }) });
  }
  assert.ok(w.settle(5_000), 'the cluster settles');
  const before = w.state;

  let rv = 1_000_000;
  const next = (): string => String(++rv);
  const events: EngineEvent[] = [];
  for (let i = 0; i < 600; i++) {
    const s = i % SERVICES;
    const svc = service(`svc-${s}`);
    events.push({ kind: 'EndpointSliceUpserted', slice: slice(`svc-${s}-1`, svc.uid, endpointsOf(s, 1 + Math.floor(i / SERVICES)), { resourceVersion: next() }) });
  }
  for (let p = 0; p < 100; p++) {
    const old = w.get('Pod', `egress-${p}`);
    assert.ok(old?.kind === 'Pod');
    events.push({ kind: 'ObjectDeleted', objectKind: 'Pod', namespace: 'default', name: old.fact.name, uid: old.fact.uid, resourceVersion: next() });
    events.push(upsertPod(pod(`egress-new-${p}`, `gw-${p % 10}`, { nodeName: `node-${p % NODES}`, hostIPs: [nodeIp(p % NODES)], podIPs: [`10.201.${p >> 8}.${p & 255}`], resourceVersion: next() })));
  }
  for (let s = 0; s < 100; s++) {
    const current = w.get('Service', `svc-${s}`);
    assert.ok(current?.kind === 'Service');
    events.push(upsertService({ ...current.fact, annotations: { 'example.com/rollout': '2' }, resourceVersion: next() }));
  }
  for (let s = 150; s < 175; s++) {
    const svc = service(`svc-${s}`);
    events.push({ kind: 'ObjectDeleted', objectKind: 'Service', namespace: 'default', name: svc.name, uid: svc.uid, resourceVersion: next() });
  }
  for (let s = 0; s < 25; s++) events.push(upsertService(service(`new-${s}`, { resourceVersion: next() })));
  for (let n = 0; n < NODES; n++) {
    const current = w.get('Node', `node-${n}`);
    assert.ok(current?.kind === 'Node');
    events.push({ kind: 'NodeUpserted', node: current.fact });
  }
  assert.equal(events.length, 1_000);
  const after = decide(before, events, ctxAt(w.now + 60_000, { maxConcurrentOperations: 1_000 })).state;
  return { before, after, events: events.length };
}
