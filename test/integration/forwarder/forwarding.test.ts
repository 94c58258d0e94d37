import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { CLUSTER, egressPod, events, httpGet, lbService, node, plainPod, slice, startRig, summary, uidOf, waitFor } from './harness.ts';
import type { Received, Rig } from './harness.ts';
import type { ForwarderOptions } from '../../../forwarder/forwarder.ts';
import { POD_FINALIZER } from '../../../shared/engine/types.ts';

describe('the forwarder, cluster to engine', () => {
  let rig: Rig;
  before(async () => {
    rig = await startRig();
  });
  after(async () => {
    await rig.close();
  });
  afterEach(async () => {
    await rig.forwarder?.stop(1_000);
    rig.forwarder = null;
    await rig.take();
  });

  it('sends a snapshot of what is ours, each kind closed by its marker, and is ready only then', async () => {
    rig.kube.apply(node('node-a', '10.0.0.4'));
    const web = rig.kube.apply(lbService('web'));
    rig.kube.apply(lbService('internal', { type: 'ClusterIP' }));
    rig.kube.apply(slice('web-abc', uidOf(web), ['10.244.0.5']));
    rig.kube.apply(egressPod('worker-1', '10.244.0.21'));
    rig.kube.apply(plainPod('other', '10.244.0.30'));
    const f = await rig.start();
    await f.whenReady();
    assert.equal((await httpGet(f.httpPort!, '/readyz')).status, 200);
    assert.equal((await httpGet(f.httpPort!, '/healthz')).status, 200);
    const got = await rig.take(8);
    const seen = events(got).map(summary);
    assert.deepEqual([...seen].sort(), ['#EndpointSlice', '#Node', '#Pod', '#Service', 'EndpointSlice/default/web-abc', 'Node/node-a', 'Pod/apps/worker-1', 'Service/default/web'].sort());
    for (const kind of ['Node', 'Service', 'EndpointSlice', 'Pod']) {
      const markerAt = seen.indexOf(`#${kind}`);
      seen.forEach((s, i) => {
        if (s.startsWith(`${kind}/`)) assert.ok(i < markerAt, `${s} must come before the ${kind} marker`);
      });
    }
    for (const r of got) {
      assert.equal(r.body.cluster, CLUSTER);
      assert.match(r.body.traceparent ?? '', /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      // A pack carries its first event's trace beside the body; every event keeps its own inside.
      if (r.packId === undefined || r.messageId.endsWith('#0')) assert.equal(r.diagnosticId, r.body.traceparent);
      const e = r.body.event;
      if (r.packId !== undefined) assert.match(r.packId, new RegExp(`^${CLUSTER}:pack:\\d+:[0-9a-f]{32}$`));
      else if (e.kind === 'ServiceUpserted') assert.equal(r.messageId, `${CLUSTER}:Service/default/web@${e.service.resourceVersion}#${e.snapshot ?? ''}`);
    }
    const metrics = (await httpGet(f.httpPort!, '/metrics')).text;
    assert.match(metrics, /forwarder_changes_sent_total\{kind="Service"\} 2/);
    assert.match(metrics, /forwarder_snapshot_sent\{kind="Pod"\} 1/);
  });

  it('sends deltas, skips updates the engine does not read, and reports deletes', async () => {
    const f = await rig.start();
    await f.whenReady();
    await rig.take();
    // A heartbeat-like node update: only conditions change.
    const n = rig.kube.get('Node', null, 'node-a')!;
    rig.kube.apply({ ...n, status: { ...(n['status'] as object), conditions: [{ type: 'Ready', status: 'True' }] } });
    rig.kube.apply(lbService('web', { ports: [{ name: 'http', protocol: 'TCP', port: 81, targetPort: 8080 }] }));
    rig.kube.delete('Pod', 'apps', 'worker-1');
    rig.kube.apply(plainPod('other', '10.244.0.31'));
    const got = events(await rig.take(2));
    assert.deepEqual(got.map(summary), ['Service/default/web', '-Pod/apps/worker-1']);
    const svc = got[0]!;
    assert.ok(svc.kind === 'ServiceUpserted' && svc.snapshot === undefined && svc.service.ports[0]?.port === 81);
    const metrics = (await httpGet(f.httpPort!, '/metrics')).text;
    assert.match(metrics, /forwarder_changes_total\{kind="Node",result="unchanged"\} 1/);
  });

  it('reports an egress pod that lost its label with the label gone, and what Kubernetes answered its release with', async () => {
    const f = await rig.start();
    await f.whenReady();
    await rig.take();
    const labelled = rig.kube.apply({ ...egressPod('leaver', '10.244.0.41'), metadata: { ...(egressPod('leaver', '10.244.0.41')['metadata'] as object), finalizers: [POD_FINALIZER] } });
    const first = events(await rig.take(1));
    assert.ok(first[0]?.kind === 'PodUpserted' && first[0].pod.egressLabel === 'team-a');
    // The label is removed: the label-selector watch says DELETED, with the body from before.
    const m = labelled['metadata'] as Record<string, unknown>;
    rig.kube.apply({ ...labelled, metadata: { ...m, labels: { app: 'x' } } });
    const left = events(await rig.take(1));
    assert.equal(left.length, 1);
    assert.ok(left[0]?.kind === 'PodUpserted', summary(left[0]!));
    assert.equal(left[0].pod.egressLabel, null);
    assert.deepEqual(left[0].pod.finalizers, [POD_FINALIZER]);
    // The engine releases it; the watch no longer sees the pod, the action's answer is passed on.
    const target = { kind: 'Pod' as const, namespace: 'apps', name: 'leaver', uid: uidOf(labelled) };
    const sender = rig.client.createSender('k8s-actions');
    const action = { kind: 'RemoveFinalizer' as const, target, finalizer: POD_FINALIZER };
    await sender.sendMessages({ body: { v: 1, cluster: CLUSTER, action }, contentType: 'application/json', messageId: 'release-1', sessionId: CLUSTER });
    const released = events(await rig.take(1));
    assert.ok(released[0]?.kind === 'PodUpserted' && released[0].pod.finalizers.length === 0 && released[0].pod.egressLabel === null, JSON.stringify(released));
    // Asked again after the pod was deleted: its deletion is reported at the watch's latest resourceVersion.
    rig.kube.delete('Pod', 'apps', 'leaver');
    await sender.sendMessages({ body: { v: 1, cluster: CLUSTER, action }, contentType: 'application/json', messageId: 'release-2', sessionId: CLUSTER });
    const gone = events(await rig.take(1));
    assert.ok(gone[0]?.kind === 'ObjectDeleted' && gone[0].objectKind === 'Pod' && gone[0].uid === target.uid, JSON.stringify(gone));
    await sender.close();
  });

  it('tells the engine once when a Service it knew stops being a LoadBalancer', async () => {
    const f = await rig.start();
    await f.whenReady();
    await rig.take();
    rig.kube.apply(lbService('web', { type: 'ClusterIP' }));
    const got = events(await rig.take(1));
    assert.deepEqual(got.map(summary), ['-Service/default/web']);
    rig.kube.apply(lbService('web', { type: 'ClusterIP', ports: [{ protocol: 'TCP', port: 82 }] }));
    rig.kube.apply(lbService('web'));
    assert.deepEqual(events(await rig.take(1)).map(summary), ['Service/default/web']);
  });

  it('relists after its watch expired and sends a newer snapshot', async () => {
    const f = await rig.start();
    await f.whenReady();
    const first = events(await rig.take(4)).filter((e) => e.kind === 'KubernetesSynced');
    rig.kube.apply(egressPod('worker-2', '10.244.0.22'));
    await rig.take(1);
    rig.kube.expireWatches();
    const again = events(await rig.take(4));
    const markers = again.filter((e) => e.kind === 'KubernetesSynced');
    assert.equal(markers.length, 4);
    for (const m of markers) {
      const before = first.find((x) => x.kind === 'KubernetesSynced' && m.kind === 'KubernetesSynced' && x.objectKind === m.objectKind);
      assert.ok(before?.kind === 'KubernetesSynced' && m.kind === 'KubernetesSynced' && BigInt(m.snapshot) > BigInt(before.snapshot));
    }
    assert.ok(again.some((e) => e.kind === 'PodUpserted' && e.pod.name === 'worker-2' && e.snapshot !== undefined));
    assert.match((await httpGet(f.httpPort!, '/metrics')).text, /forwarder_relists_total\{kind="Pod",reason="expired"\} 1/);
  });

  it('re-watches from where it was when a watch just ends, without a relist', async () => {
    const f = await rig.start();
    await f.whenReady();
    await rig.take();
    const lists = (): number => rig.kube.requests().filter((r) => r.method === 'GET' && !r.query.includes('watch') && r.path.endsWith('/pods')).length;
    const before = lists();
    rig.kube.closeWatches();
    rig.kube.apply(egressPod('worker-3', '10.244.0.23'));
    const got = events(await rig.take(1));
    assert.deepEqual(got.map(summary), ['Pod/apps/worker-3']);
    assert.equal(lists(), before);
  });

  it('keeps a quiet kind current with bookmarks, so a compacted history does not force a relist', async () => {
    const f = await rig.start();
    await f.whenReady();
    await rig.take();
    // Changes to another kind move the resourceVersion on; the Pod watch only sees bookmarks.
    for (let i = 0; i < 5; i++) rig.kube.apply(node(`node-q${i}`, `10.0.1.${i}`));
    await rig.take(5);
    await new Promise((r) => setTimeout(r, 500)); // > 2 bookmark intervals
    rig.kube.compact();
    rig.kube.closeWatches();
    rig.kube.apply(egressPod('worker-4', '10.244.0.24'));
    const got = events(await rig.take(1));
    assert.deepEqual(got.map(summary), ['Pod/apps/worker-4']);
    assert.doesNotMatch((await httpGet(f.httpPort!, '/metrics')).text, /forwarder_relists_total\{kind="Pod",reason="expired"\}/);
  });

  it('after a restart sends a snapshot that lets the engine forget what was deleted meanwhile', async () => {
    let f = await rig.start();
    await f.whenReady();
    await rig.take();
    await f.stop(1_000);
    rig.kube.delete('Pod', 'apps', 'worker-2');
    rig.kube.apply(egressPod('worker-5', '10.244.0.25'));
    f = await rig.start();
    await f.whenReady();
    const got = events(await rig.take(4));
    const pods = got.filter((e) => e.kind === 'PodUpserted').map(summary).sort();
    assert.ok(pods.includes('Pod/apps/worker-5'));
    assert.ok(!pods.includes('Pod/apps/worker-2'));
    assert.ok(got.some((e) => e.kind === 'KubernetesSynced' && e.objectKind === 'Pod'));
  });

  it('coalesces a burst of 1,000 changes to the latest state of each object while Service Bus is away, and loses nothing', async () => {
    const f = await rig.start();
    await f.whenReady();
    await rig.take();
    await rig.goOffline();
    for (let round = 0; round < 100; round++) {
      for (let p = 0; p < 10; p++) rig.kube.apply(egressPod(`burst-${p}`, `10.245.${p}.${round + 1}`));
    }
    await waitFor(async () => /forwarder_changes_total\{kind="Pod",result="coalesced"\} 990\b/.test((await httpGet(f.httpPort!, '/metrics')).text), 'the whole burst to reach the outbox');
    assert.equal(f.outboxSize(), 10);
    await rig.broker.comeOnline();
    const got = events(await rig.take(10, 20_000));
    assert.equal(got.length, 10);
    for (const e of got) assert.ok(e.kind === 'PodUpserted' && e.pod.podIPs[0]?.endsWith('.100'), JSON.stringify(e));
    const metrics = (await httpGet(f.httpPort!, '/metrics')).text;
    assert.match(metrics, /forwarder_changes_total\{kind="Pod",result="coalesced"\} 990/);
  });

  it('packs the changes of one send round into few messages, in order per object', async () => {
    const f = await rig.start({ sendLingerMs: 300 });
    await f.whenReady();
    await rig.take();
    const got: Received[] = [];
    for (let round = 0; round < 3; round++) {
      for (let p = 0; p < 40; p++) rig.kube.apply(egressPod(`pack-${p}`, `10.248.${p}.${round + 1}`));
      // Each round is taken before the next, so every object changes three times in the stream.
      got.push(...(await rig.take(40 * (round + 1) - got.length, 10_000)));
    }
    const packs = new Set(got.map((r) => r.packId ?? r.messageId));
    assert.ok(packs.size < got.length / 5, `${got.length} events came in ${packs.size} messages`);
    const ips = new Map<string, string[]>();
    for (const e of events(got)) if (e.kind === 'PodUpserted') ips.set(e.pod.name, [...(ips.get(e.pod.name) ?? []), e.pod.podIPs[0] ?? '']);
    for (const [name, seen] of ips) assert.deepEqual(seen, [...seen].sort((a, b) => Number(a.split('.')[3]) - Number(b.split('.')[3])), `${name} in order`);
    const metrics = (await httpGet(f.httpPort!, '/metrics')).text;
    assert.match(metrics, /forwarder_messages_sent_total\{format="pack"\} [1-9]/);
  });

  /**
   * Eight new pods while Service Bus is away, into an outbox that `bound` keeps below eight: the
   * changes past it are dropped and counted with the bound's `reason`, and all eight arrive once
   * the relist that follows the drain has run.
   */
  async function overflowAndRepair(bound: Partial<ForwarderOptions>, reason: 'objects' | 'bytes', prefix: string, subnet: number): Promise<string> {
    const f = await rig.start(bound);
    await f.whenReady();
    await rig.take();
    await rig.goOffline();
    for (let p = 0; p < 8; p++) rig.kube.apply(egressPod(`${prefix}-${p}`, `10.${subnet}.0.${p + 1}`));
    const dropped = new RegExp(`forwarder_changes_total\\{kind="Pod",result="dropped",reason="${reason}"\\} [1-9]`);
    await waitFor(async () => dropped.test((await httpGet(f.httpPort!, '/metrics')).text) || undefined, `changes dropped at the ${reason} bound`);
    assert.ok(f.outboxSize() < 8, `${f.outboxSize()} queued`);
    await rig.broker.comeOnline();
    const got = events(await rig.take(9, 20_000));
    const names = new Set(got.filter((e) => e.kind === 'PodUpserted').map(summary));
    for (let p = 0; p < 8; p++) assert.ok(names.has(`Pod/apps/${prefix}-${p}`), `${prefix}-${p} must arrive`);
    assert.ok(got.some((e) => e.kind === 'KubernetesSynced' && e.objectKind === 'Pod'));
    const metrics = (await httpGet(f.httpPort!, '/metrics')).text;
    assert.match(metrics, /forwarder_relists_total\{kind="Pod",reason="requested"\} 1/);
    return metrics;
  }

  it('drops changes beyond its capacity, counts them, and repairs the loss with a relist', async () => {
    await overflowAndRepair({ queueCapacity: 5 }, 'objects', 'cap', 246);
  });

  it('drops changes beyond its byte bound, counts them apart from the object bound, and repairs the loss with a relist', async () => {
    // About 400 bytes a pod message: four fit, the object bound is far away.
    const metrics = await overflowAndRepair({ queueBytes: 1_600 }, 'bytes', 'bytes', 247);
    assert.doesNotMatch(metrics, /result="dropped",reason="objects"/);
    assert.match(metrics, /forwarder_outbox_bytes \d+/);
  });

  it('keeps retrying through an API server outage and fails liveness only after the stall limit', async () => {
    const f = await rig.start({ stallMs: 300 });
    await f.whenReady();
    await rig.take();
    rig.kube.faults.arm({ verb: 'watch', resource: 'pods', status: 503, times: 1_000_000 });
    rig.kube.faults.arm({ verb: 'list', resource: 'pods', status: 503, times: 1_000_000 });
    rig.kube.closeWatches();
    await waitFor(async () => (await httpGet(f.httpPort!, '/healthz')).status === 503, 'liveness to fail');
    assert.match((await httpGet(f.httpPort!, '/healthz')).text, /Pod/);
    rig.kube.faults.clear();
    rig.kube.apply(egressPod('worker-6', '10.244.0.26'));
    await waitFor(async () => (await httpGet(f.httpPort!, '/healthz')).status === 200, 'liveness to recover', 10_000);
    const got = events(await rig.take(1, 10_000));
    assert.ok(got.some((e) => e.kind === 'PodUpserted' && e.pod.name === 'worker-6'));
  });
});
