// What the functions do with bad input, duplicates, crashes at each step, and racing writers.
// First: the fake Functions core must be in place before any function module registers itself.
import '../../support/functionsCore.ts';
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { ClusterState, EngineEvent } from '../../../shared/engine/types.ts';
import { applyEngineBatch } from '../../../functions/engine.ts';
import { node, service, slice, uidOf, webCluster } from '../../support/builders.ts';
import { startHarness } from '../../support/functionsHarness.ts';
import type { Harness } from '../../support/functionsHarness.ts';

let clusterSeq = 0;
function nextCluster(): string {
  clusterSeq += 1;
  return `c${clusterSeq}`;
}

/**
 * Does what the forwarder does with the status patches the engine asked for: the Service's update
 * with the IP is reported back, so no ask is left pending. Returns the events it sent.
 */
async function confirmStatus(h: Harness, cluster: string): Promise<EngineEvent[]> {
  const actions = (await h.drain('k8s-actions')).map((m) => (m.body as { action: { kind: string; ingressIp?: string } }).action);
  const ips = actions.flatMap((a) => (a.kind === 'PatchServiceStatus' && a.ingressIp !== undefined ? [a.ingressIp] : []));
  const events: EngineEvent[] = [{ kind: 'ServiceUpserted', service: service('web', { resourceVersion: '12', ingressIPs: ips.slice(-1) }) }];
  await h.sendEvents(cluster, events);
  await h.pump();
  return events;
}

/** What NRP and the store hold for a cluster, as plain data to compare runs. */
async function outcome(h: Harness, cluster: string): Promise<unknown> {
  const { state } = await h.deps.store.load(cluster);
  return {
    nrp: h.network.nrp.snapshot(),
    services: [...h.network.nrp.services].sort(),
    ops: [...state.ops.values()].map((o) => [o.name, o.state]),
    mirror: [...state.nrp.locations].map(([l, v]) => [l, [...v.addresses]]),
  };
}

describe('functions under failure', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.stop();
  });
  beforeEach(async () => {
    // Each case starts from an empty NRP and empty side queues.
    h.network.nrp.services.clear();
    h.network.nrp.locations.clear();
    h.network.nrp.resources.clear();
    await h.drain('k8s-actions');
    await h.drain('rejected-messages');
  });

  it('sends a malformed message to rejected-messages with a reason naming the field, and applies the rest', async () => {
    const cluster = nextCluster();
    await h.sendEvents(cluster, webCluster());
    const sender = h.client.createSender('engine-events');
    await sender.sendMessages({ body: { v: 1, cluster, event: { kind: 'NodeUpserted', node: { name: 'node-b', uid: 'u', resourceVersion: 7, internalIPs: [] } } }, sessionId: cluster, messageId: 'bad-1' });
    await sender.close();
    await h.pump();
    const rejected = await h.drain('rejected-messages');
    assert.equal(rejected.length, 1);
    const body = rejected[0]?.body as { queue: string; messageId: string; reason: string };
    assert.equal(body.queue, 'engine-events');
    assert.equal(body.messageId, 'bad-1');
    assert.match(body.reason, /event\.node\.resourceVersion/);
    assert.deepEqual(h.network.nrp.snapshot(), { '10.0.0.4': { '10.244.0.7': [uidOf('web')] } });
    assert.equal(h.broker.peekState('engine-events').deadLettered, 0);
  });

  it('rejects a message that names another cluster than the session it arrived on, and changes neither cluster', async () => {
    const cluster = nextCluster();
    const other = nextCluster();
    await h.sendEvents(cluster, webCluster());
    await h.pump();
    const before = await h.deps.store.load(cluster);
    const sender = h.client.createSender('engine-events');
    const intruder = service('intruder', { resourceVersion: '30' });
    await sender.sendMessages({ body: { v: 1, cluster: other, event: { kind: 'ServiceUpserted', service: intruder } }, sessionId: cluster, messageId: 'cross-1' });
    await sender.close();
    await h.pump();
    const rejected = (await h.drain('rejected-messages')).map((m) => m.body as { messageId: string; reason: string });
    assert.deepEqual(rejected.map((r) => r.messageId), ['cross-1']);
    assert.match(rejected[0]?.reason ?? '', new RegExp(`"${other}" but arrived on session "${cluster}"`));
    assert.deepEqual((await h.deps.store.load(cluster)).state, before.state);
    assert.equal((await h.deps.store.load(other)).state.kube.services.size, 0);
  });

  it('withholds an object whose state row would not fit, warns its owner, and applies the rest of the batch', async () => {
    const cluster = nextCluster();
    // An EndpointSlice that fits a message (about 245,000 characters) but not a state row.
    const endpoints = (nodeChars: number) => Array.from({ length: 1_000 }, (_, i) => ({ ip: [`10.245.${i >> 8}.${i & 255}`], node: `n${String(i).padStart(4, '0')}${'x'.repeat(nodeChars)}`, ready: true }));
    let nodeChars = 150;
    while (JSON.stringify(slice('huge-1', uidOf('huge'), endpoints(nodeChars))).length < 243_000) nodeChars += 5;
    const huge = slice('huge-1', uidOf('huge'), endpoints(nodeChars), { resourceVersion: '12' });
    await h.sendEvents(cluster, [...webCluster(), { kind: 'EndpointSliceUpserted', slice: huge }]);
    await h.pump();
    assert.equal(h.broker.peekState('engine-events').deadLettered, 0);
    assert.equal(h.broker.peekState('engine-events').active, 0, 'the batch was completed, not redelivered');
    assert.deepEqual(h.network.nrp.snapshot(), { '10.0.0.4': { '10.244.0.7': [uidOf('web')] } }, 'the unrelated events were applied');
    const { state } = await h.deps.store.load(cluster);
    assert.equal(state.kube.slices.has('default/huge-1'), false);
    const actions = (await h.drain('k8s-actions')).map((m) => (m.body as { action: { kind: string; reason?: string; target: { kind: string; name: string } } }).action);
    const warning = actions.find((a) => a.kind === 'RecordKubernetesEvent' && a.reason === 'ObjectTooLarge');
    assert.deepEqual(warning?.target.kind === 'EndpointSlice' ? warning.target.name : null, 'huge-1');
  });

  it('takes a pack as its events in order beside one-event messages, and rejects only a bad entry of it, with the reason', async () => {
    const cluster = nextCluster();
    const [first, ...rest] = webCluster();
    const observedAt = new Date(0).toISOString();
    const bad = { event: { kind: 'NodeUpserted', node: { name: 'broken' } }, observedAt };
    const pack = { v: 1, cluster, events: [{ event: first, observedAt }, bad, ...rest.map((event) => ({ event, observedAt }))] };
    const tick = { v: 1, cluster, event: { kind: 'Tick' } };
    const result = await applyEngineBatch(h.deps, cluster, [
      { body: JSON.stringify(pack), messageId: `${cluster}:pack:1`, deliveryCount: 1 },
      { body: tick, messageId: `${cluster}:tick`, deliveryCount: 1 },
    ]);
    assert.equal(result.events, webCluster().length + 1);
    assert.deepEqual(result.rejected.map((r) => r.message.messageId), [`${cluster}:pack:1#1`]);
    assert.match(result.rejected[0]!.reason, /^events\[1\]\.event\.node\./);
    const { state } = await h.deps.store.load(cluster);
    assert.ok(state.kube.services.has(uidOf('web').toLowerCase()));
    assert.ok(state.kube.slices.has('default/web-1'));
    const rejected = (await h.drain('rejected-messages')).map((m) => m.body as { messageId: string; reason: string; body: string });
    const mine = rejected.filter((r) => r.messageId.startsWith(`${cluster}:`));
    assert.deepEqual(mine.map((r): unknown[] => [r.messageId, JSON.parse(r.body) as unknown]), [[`${cluster}:pack:1#1`, bad]]);
  });

  it('changes nothing when the same events arrive again', async () => {
    const cluster = nextCluster();
    await h.sendEvents(cluster, webCluster());
    await h.pump();
    const events = [...webCluster(), ...(await confirmStatus(h, cluster))];
    const before = await outcome(h, cluster);
    const writes = h.network.nrp.writes;
    const { state } = await h.deps.store.load(cluster);
    const result = await applyEngineBatch(h.deps, cluster, events.map((e, i) => ({ body: { v: 1, cluster, event: e }, messageId: `dup-${i}`, deliveryCount: 1 })));
    assert.equal(result.sent, 0, 'duplicates produced messages');
    const { state: after } = await h.deps.store.load(cluster);
    assert.deepEqual(after.ops, state.ops);
    assert.deepEqual(after.kube, state.kube);
    assert.equal(h.network.nrp.writes, writes);
    assert.deepEqual(await outcome(h, cluster), before);
  });

  it('changes nothing for an event older than what is stored, or for another object with the same name', async () => {
    const cluster = nextCluster();
    await h.sendEvents(cluster, webCluster());
    await h.pump();
    await confirmStatus(h, cluster);
    const { state } = await h.deps.store.load(cluster);
    const stale: EngineEvent[] = [
      { kind: 'ServiceUpserted', service: service('web', { resourceVersion: '9', ports: [{ protocol: 'TCP', port: 81, targetPort: 9090 }] }) },
      { kind: 'ObjectDeleted', objectKind: 'EndpointSlice', namespace: 'default', name: 'web-1', uid: 'another-uid', resourceVersion: '99' },
    ];
    const result = await applyEngineBatch(h.deps, cluster, stale.map((e, i) => ({ body: { v: 1, cluster, event: e }, messageId: `stale-${i}`, deliveryCount: 1 })));
    assert.equal(result.sent, 0);
    assert.deepEqual(result.observations.filter((o) => o.kind === 'EventIgnored').map((o) => (o.kind === 'EventIgnored' ? o.reason : '')), ['olderResourceVersion', 'uidMismatch']);
    const { state: after } = await h.deps.store.load(cluster);
    assert.deepEqual(after.kube, state.kube);
    assert.deepEqual(after.ops, state.ops);
  });

  for (const crash of ['afterLoad', 'beforeSave', 'afterSave'] as const) {
    const step = { afterLoad: 'after loading', beforeSave: 'after sending, before saving', afterSave: 'after saving' }[crash];
    it(`reaches the same end state when the engine crashes ${step} and the batch is redelivered`, async () => {
      const reference = nextCluster();
      await h.sendEvents(reference, webCluster());
      await h.pump();
      const want = await outcome(h, reference);
      h.network.nrp.services.clear();
      h.network.nrp.locations.clear();
      h.network.nrp.resources.clear();

      const cluster = nextCluster();
      await h.sendEvents(cluster, webCluster());
      h.store.crash = crash;
      assert.equal(await h.deliver('engine-events'), true);
      assert.equal(h.store.crash, null, 'the crash was not reached');
      // The host abandoned the batch: it is delivered again, with a higher delivery count.
      await h.pump();
      const got = await outcome(h, cluster);
      assert.deepEqual(JSON.parse(JSON.stringify(got).replaceAll(cluster, 'X')), JSON.parse(JSON.stringify(want).replaceAll(reference, 'X')));
      assert.deepEqual(h.network.nrp.violations, []);
    });
  }

  it('loses no update when two engine invocations race on one cluster', async () => {
    const cluster = nextCluster();
    await h.sendEvents(cluster, webCluster());
    await h.pump();
    const a: EngineEvent = { kind: 'NodeUpserted', node: node('node-b', ['10.0.0.5'], { resourceVersion: '30' }) };
    const b: EngineEvent = { kind: 'NodeUpserted', node: node('node-c', ['10.0.0.6'], { resourceVersion: '31' }) };
    const msg = (e: EngineEvent, id: string) => [{ body: { v: 1, cluster, event: e }, messageId: id, deliveryCount: 1 }];
    const [ra, rb] = await Promise.all([applyEngineBatch(h.deps, cluster, msg(a, 'race-a')), applyEngineBatch(h.deps, cluster, msg(b, 'race-b'))]);
    const { state } = await h.deps.store.load(cluster);
    assert.ok(state.kube.nodes.has('node-b') && state.kube.nodes.has('node-c'), 'an update was lost');
    assert.ok(ra.attempts + rb.attempts >= 3, `expected a conflict and a retry (attempts ${ra.attempts} + ${rb.attempts})`);
  });

  it('reads NRP on request and reports it to the engine, which repairs drift', async () => {
    const cluster = nextCluster();
    await h.sendEvents(cluster, webCluster());
    await h.pump();
    // Someone removes the address behind the engine's back.
    h.network.nrp.locations.clear();
    const { requestObservations } = await import('../../../functions/locations.ts');
    await requestObservations({ ...h.deps, clusters: [cluster] }, 'test');
    await h.pump();
    assert.deepEqual(h.network.nrp.snapshot(), { '10.0.0.4': { '10.244.0.7': [uidOf('web')] } });
  });

  it('reads a large NRP in message-sized parts and removes 30,000 addresses nobody wants', async () => {
    const cluster = nextCluster();
    await h.sendEvents(cluster, webCluster());
    await h.pump();
    // Someone else's leftovers: 30,000 addresses under 300 locations, referencing the live service.
    const uid = uidOf('web');
    for (let l = 0; l < 300; l++) {
      const addrs = new Map<string, string[]>();
      for (let a = 0; a < 100; a++) addrs.set(`10.${100 + Math.floor(l / 250)}.${l % 250}.${a + 1}`, [uid]);
      h.network.nrp.locations.set(`10.1.${Math.floor(l / 250)}.${(l % 250) + 1}`, addrs);
    }
    const { requestObservations } = await import('../../../functions/locations.ts');
    await requestObservations({ ...h.deps, clusters: [cluster] }, 'test');
    // The read itself: its parts go to the engine queue, each under the message limit.
    assert.equal(await h.deliver('locations-sync'), true);
    const parts = h.broker.peekState('engine-events').active;
    assert.ok(parts >= 5, `a 30,000-address drift came in ${parts} message(s)`);
    await h.pump(500);
    assert.deepEqual(h.network.nrp.snapshot(), { '10.0.0.4': { '10.244.0.7': [uid] } });
    assert.deepEqual(h.network.nrp.violations, []);
  });
});

export type { ClusterState };
