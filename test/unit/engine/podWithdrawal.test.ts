// Egress pods that leave their identity while alive (label removed or changed), pods a relist
// omits while they carry our finalizer, and pods first seen terminating: each is drained from NRP
// before its finalizer comes off, and nothing is left behind (reference §2.3 DeletePod).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PodFact } from '../../../shared/engine/types.ts';
import { POD_FINALIZER } from '../../../shared/engine/types.ts';
import { initialState } from '../../../shared/engine/state.ts';
import { CLUSTER, node, pod } from '../../support/builders.ts';
import { World } from '../../support/world.ts';

const LOC = '10.0.0.4';
const IP1 = '10.244.0.10';
const IP2 = '10.244.0.11';

function podFact(w: World, name: string): PodFact {
  const o = w.get('Pod', name);
  assert.ok(o?.kind === 'Pod', `pod ${name} exists`);
  return o.fact;
}

function removedFinalizerAt(w: World, name: string): number {
  return w.commands.findIndex((c) => c.kind === 'RemoveFinalizer' && c.target.kind === 'Pod' && c.target.name === name);
}

/** node-a with pods p1 (and p2) of identity `a`, settled. */
function running(withP2 = false): World {
  const w = new World();
  w.apply({ kind: 'Node', fact: node('node-a', [LOC]) });
  w.apply({ kind: 'Pod', fact: pod('p1', 'a', { podIPs: [IP1] }) });
  if (withP2) w.apply({ kind: 'Pod', fact: pod('p2', 'a', { podIPs: [IP2] }) });
  assert.ok(w.settle());
  assert.deepEqual(w.nrp.snapshot(), { [LOC]: withP2 ? { [IP1]: ['a'], [IP2]: ['a'] } : { [IP1]: ['a'] } });
  assert.ok(podFact(w, 'p1').finalizers.includes(POD_FINALIZER));
  return w;
}

describe('an egress label removed from a live pod', () => {
  it('takes the address out of the identity, deletes the identity left without pods, releases and forgets the pod', () => {
    const w = running();
    w.apply({ kind: 'Pod', fact: { ...podFact(w, 'p1'), egressLabel: null } });
    assert.ok(w.settle());
    assert.deepEqual(w.nrp.snapshot(), {}, 'the address left NRP');
    assert.equal(w.nrp.services.has('a'), false, 'the identity without pods is deleted');
    assert.deepEqual(podFact(w, 'p1').finalizers, [], 'the finalizer came off');
    assert.equal(w.state.kube.pods.size, 0, 'the pod is forgotten');
    assert.equal(w.state.asked.size, 0);
    assert.deepEqual(w.nrp.violations, []);
  });

  it('keeps the identity of the pods still labelled', () => {
    const w = running(true);
    w.apply({ kind: 'Pod', fact: { ...podFact(w, 'p1'), egressLabel: null } });
    assert.ok(w.settle());
    assert.deepEqual(w.nrp.snapshot(), { [LOC]: { [IP2]: ['a'] } });
    assert.ok(w.nrp.services.has('a'));
    assert.deepEqual(podFact(w, 'p1').finalizers, []);
    assert.ok(podFact(w, 'p2').finalizers.includes(POD_FINALIZER));
  });

  it('releases the finalizer only after NRP stopped routing the address', () => {
    const w = running(true);
    w.apply({ kind: 'Pod', fact: { ...podFact(w, 'p1'), egressLabel: null } });
    const release = removedFinalizerAt(w, 'p1');
    assert.equal(release, -1, 'not released before the sync that removes the address');
    assert.ok(w.pendingSync, 'a sync removes the address');
    w.completeSync();
    assert.ok(removedFinalizerAt(w, 'p1') > 0);
  });
});

describe('an egress label changed on a live pod', () => {
  it('moves the address to the new identity and deletes the old one left without pods', () => {
    const w = running();
    w.apply({ kind: 'Pod', fact: { ...podFact(w, 'p1'), egressLabel: 'b' } });
    assert.ok(w.settle());
    assert.deepEqual(w.nrp.snapshot(), { [LOC]: { [IP1]: ['b'] } });
    assert.deepEqual([...w.nrp.services.keys()], ['b']);
    assert.ok(podFact(w, 'p1').finalizers.includes(POD_FINALIZER), 'still an egress pod: the finalizer stays');
    assert.deepEqual(w.nrp.violations, []);
  });
});

describe('a pod a relist omits while it carries our finalizer', () => {
  it('is withdrawn from its identity, drained and released, not forgotten with the finalizer on', () => {
    const w = running();
    // The label is removed while the forwarder is down: the engine hears nothing until a relist,
    // which no longer lists the pod (the watch selects pods by the label).
    w.cluster.set('Pod/default/p1', { kind: 'Pod', fact: { ...podFact(w, 'p1'), egressLabel: null, resourceVersion: '900' } });
    w.relist('1000');
    assert.ok(w.state.kube.pods.has('default/p1'), 'kept while it holds our finalizer');
    assert.ok(w.settle());
    assert.deepEqual(w.nrp.snapshot(), {});
    assert.equal(w.nrp.services.has('a'), false);
    assert.deepEqual(podFact(w, 'p1').finalizers, [], 'released');
    assert.equal(w.state.kube.pods.size, 0, 'forgotten once released');
  });

  it('is released when it was deleted meanwhile, and the answer that it is gone forgets it', () => {
    const w = running(true);
    w.cluster.delete('Pod/default/p1');
    w.relist('1000');
    // Kubernetes answers the release with 404; the forwarder passes that on as the pod's deletion.
    assert.ok(w.settle());
    assert.deepEqual(w.nrp.snapshot(), { [LOC]: { [IP2]: ['a'] } });
    assert.ok(removedFinalizerAt(w, 'p1') >= 0, 'the release is asked for');
    assert.equal(w.state.kube.pods.has('default/p1'), false);
    assert.equal(w.state.asked.size, 0);
  });
});

describe('a pod first seen terminating', () => {
  it('keeps its finalizer until NRP no longer maps its address', () => {
    const w = running(true);
    // p1 is deleted while the engine's state is lost; NRP still maps both addresses.
    w.cluster.set('Pod/default/p1', { kind: 'Pod', fact: { ...podFact(w, 'p1'), deleting: true } });
    w.state = initialState(CLUSTER);
    w.relist('after-loss');
    w.observeNrpDrift();
    assert.ok(w.pendingSync, 'a sync takes the address out');
    assert.equal(removedFinalizerAt(w, 'p1'), -1, 'not released while NRP maps it');
    w.completeSync();
    assert.ok(removedFinalizerAt(w, 'p1') >= 0, 'released once NRP no longer maps it');
    assert.ok(w.settle());
    assert.deepEqual(w.nrp.snapshot(), { [LOC]: { [IP2]: ['a'] } });
    assert.equal(w.get('Pod', 'p1'), undefined);
  });
});
