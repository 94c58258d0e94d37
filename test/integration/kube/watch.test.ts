// Watches through client-node's Watch and makeInformer: replay from a resourceVersion, synthetic
// ADDED from 0, bookmarks, 410 on compacted history, selector transitions, stream ends, and an
// informer that relists after the server expires its watch.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { makeInformer } from '@kubernetes/client-node';
import type { V1Pod } from '@kubernetes/client-node';
import type { KubeSimulator } from '../../../local/sim/kube/server.ts';
import { WatchRecorder, name, pod, raw, startSim } from './harness.ts';
import type { Clients } from './harness.ts';

const PODS = '/api/v1/namespaces/default/pods';
const EGRESS = 'kubernetes.azure.com/service-egress-gateway';

describe('kube simulator: watches with client-node', () => {
  let sim: KubeSimulator & Clients;
  const open: WatchRecorder[] = [];
  const watch = async (path: string, query: Record<string, string | number | boolean | undefined>): Promise<WatchRecorder> => {
    const w = await WatchRecorder.start(sim.kc, path, query);
    open.push(w);
    return w;
  };

  before(async () => {
    sim = await startSim({ bookmarkIntervalMs: 40 });
  });
  afterEach(() => {
    for (const w of open.splice(0)) w.stop();
  });
  after(() => sim.stop());

  it('replays every change after a resourceVersion, then streams live ones', async () => {
    sim.apply(pod('w1'));
    const from = sim.resourceVersion();
    sim.apply({ ...pod('w1', { v: '2' }) });
    sim.apply(pod('w2'));
    sim.delete('Pod', 'default', 'w2');
    const w = await watch(PODS, { resourceVersion: from });
    await w.until((x) => x.events.length >= 3, 'the replay');
    assert.deepEqual(w.summary(), ['MODIFIED w1', 'ADDED w2', 'DELETED w2']);
    const rvs = w.events.map((e) => Number((e.object['metadata'] as { resourceVersion: string }).resourceVersion));
    assert.deepEqual(rvs, [...rvs].sort((a, b) => a - b), 'resourceVersions increase');
    assert.ok(rvs.every((rv) => rv > Number(from)));
    sim.apply(pod('w3'));
    await w.until((x) => x.events.length >= 4, 'the live event');
    assert.equal(w.summary()[3], 'ADDED w3');
  });

  it('starts from resourceVersion 0 with a synthetic ADDED for every current object', async () => {
    const w = await watch(PODS, { resourceVersion: '0' });
    await w.until((x) => x.events.length >= 2, 'the current pods');
    assert.deepEqual(w.summary().sort(), ['ADDED w1', 'ADDED w3']);
  });

  it('sends BOOKMARK events with the current resourceVersion when allowWatchBookmarks is set', async () => {
    const w = await watch(PODS, { resourceVersion: sim.resourceVersion(), allowWatchBookmarks: true });
    await w.until((x) => x.events.some((e) => e.type === 'BOOKMARK'), 'a bookmark', 1000);
    const b = w.events.find((e) => e.type === 'BOOKMARK');
    assert.equal(b?.object['kind'], 'Pod');
    assert.equal(b?.object['apiVersion'], 'v1');
    assert.deepEqual(b?.object['metadata'], { resourceVersion: sim.resourceVersion() });
    const plain = await watch(PODS, { resourceVersion: sim.resourceVersion() });
    await new Promise((r) => setTimeout(r, 120));
    assert.deepEqual(plain.events, [], 'no bookmarks unless asked for');
  });

  it('answers a watch from a compacted resourceVersion with HTTP 200 and one ERROR 410 Expired event', async () => {
    const old = sim.resourceVersion();
    sim.apply(pod('w4'));
    sim.compact();
    const w = await watch(PODS, { resourceVersion: old });
    await w.until((x) => x.done !== 'open', 'the stream to end');
    assert.equal(w.events.length, 1);
    assert.equal(w.events[0]?.type, 'ERROR');
    assert.equal(w.events[0]?.object['code'], 410);
    assert.equal(w.events[0]?.object['reason'], 'Expired');
    assert.equal(w.events[0]?.object['message'], `too old resource version: ${old} (${sim.resourceVersion()})`);
    assert.equal(w.done, null, 'a clean end, not an HTTP error');
  });

  it('keeps only historySize changes: a watch from before them gets 410, one from inside them replays', async () => {
    const small = await startSim({ historySize: 3 });
    try {
      const start = small.resourceVersion();
      for (let i = 0; i < 4; i += 1) small.apply(pod(`h${i}`));
      const tooOld = await WatchRecorder.start(small.kc, PODS, { resourceVersion: start });
      open.push(tooOld);
      await tooOld.until((x) => x.events.length === 1, 'the ERROR event');
      assert.equal(tooOld.events[0]?.object['code'], 410);
      const inside = await WatchRecorder.start(small.kc, PODS, { resourceVersion: String(Number(start) + 1) });
      open.push(inside);
      await inside.until((x) => x.events.length === 3, 'the replay');
      assert.deepEqual(inside.summary(), ['ADDED h1', 'ADDED h2', 'ADDED h3']);
    } finally {
      await small.stop();
    }
  });

  it('accepts watch=1 and answers with chunked JSON lines', async () => {
    sim.apply(pod('one'));
    const res = await raw(sim, 'GET', `${PODS}?watch=1&fieldSelector=metadata.name%3Done&timeoutSeconds=1`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('transfer-encoding'), 'chunked');
    const lines = res.text.trim().split('\n').map((l) => JSON.parse(l) as { type: string; object: unknown });
    assert.deepEqual(lines.map((l) => `${l.type} ${name(l.object)}`), ['ADDED one']);
  });

  it('turns a label change into DELETED and ADDED for a label-selector watch', async () => {
    const w = await watch(PODS, { resourceVersion: sim.resourceVersion(), labelSelector: EGRESS });
    sim.apply(pod('sel', { [EGRESS]: 'gw' }));
    sim.apply(pod('sel', { other: 'x' }));
    sim.apply(pod('sel', { [EGRESS]: 'gw2' }));
    sim.apply(pod('unrelated', { other: 'x' }));
    await w.until((x) => x.events.length >= 3, 'three transitions');
    assert.deepEqual(w.summary(), ['ADDED sel', 'DELETED sel', 'ADDED sel']);
    const [added, deleted] = w.events.map((e) => e.object['metadata'] as { labels: Record<string, string>; resourceVersion: string });
    assert.equal(deleted?.labels[EGRESS], 'gw', 'DELETED carries the last matching state');
    assert.equal(Number(deleted?.resourceVersion), Number(added?.resourceVersion) + 1, '… with the resourceVersion of the change');
  });

  it('ends the stream cleanly after timeoutSeconds', async () => {
    const t0 = Date.now();
    const w = await watch(PODS, { resourceVersion: sim.resourceVersion(), timeoutSeconds: 1 });
    await w.until((x) => x.done !== 'open', 'the timeout', 2500);
    assert.equal(w.done, null);
    assert.ok(Date.now() - t0 >= 900, `ended after ${Date.now() - t0} ms`);
  });

  it('ends every stream on closeWatches(), and a client re-watching from its last resourceVersion misses nothing', async () => {
    const w = await watch(PODS, { resourceVersion: sim.resourceVersion() });
    sim.apply(pod('c1'));
    await w.until((x) => x.events.length === 1, 'c1');
    sim.closeWatches();
    await w.until((x) => x.done !== 'open', 'the close');
    sim.apply(pod('c2'));
    const last = (w.events[0]?.object['metadata'] as { resourceVersion: string }).resourceVersion;
    const again = await watch(PODS, { resourceVersion: last });
    await again.until((x) => x.events.length === 1, 'c2');
    assert.deepEqual(again.summary(), ['ADDED c2']);
  });

  it('makes an informer relist after expireWatches(), dropping what was deleted meanwhile', async () => {
    const informer = makeInformer<V1Pod>(sim.kc, PODS, () => sim.core.listNamespacedPod({ namespace: 'default' }));
    const seen: string[] = [];
    informer.on('add', (p) => seen.push(`add ${name(p)}`));
    informer.on('delete', (p) => seen.push(`delete ${name(p)}`));
    await informer.start();
    try {
      const lists = (): number => sim.requests().filter((r) => r.path === PODS && !/watch=/.test(r.query)).length;
      const listsBefore = lists();
      assert.ok(informer.list().some((p) => name(p) === 'c2'));
      sim.expireWatches();
      sim.delete('Pod', 'default', 'c2');
      sim.apply(pod('after-expiry'));
      const deadline = Date.now() + 3000;
      while (!(seen.includes('delete c2') && informer.get('after-expiry', 'default')) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.ok(seen.includes('delete c2'), `events: ${seen.join(', ')}`);
      assert.ok(informer.get('after-expiry', 'default'), 'the relist brought the new pod');
      assert.equal(lists(), listsBefore + 1, 'exactly one relist');
    } finally {
      await informer.stop();
    }
  });
});
