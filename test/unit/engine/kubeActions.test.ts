// Kubernetes actions are level-triggered: a finalizer removal or an ingress IP the engine asked for
// is asked for again, with backoff and at once after a relist, until a fact shows it done; a lost
// k8s-actions message costs a delay, never a Service stuck Terminating or never showing its IP.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ASK_AGAIN_MAX_MS, ASK_AGAIN_MIN_MS, ASK_MEMORY_MS } from '../../../shared/engine/kubeActions.ts';
import type { EngineCommand, PodFact, ServiceFact } from '../../../shared/engine/types.ts';
import { POD_FINALIZER, SERVICE_FINALIZER } from '../../../shared/engine/types.ts';
import { decodeAsked } from '../../../shared/state/stateCodec.ts';
import { node, pod, service, slice, uidOf } from '../../support/builders.ts';
import { World } from '../../support/world.ts';

const NODE_IP = '10.0.0.4';
const LB_IP = '20.1.2.3';

function count(w: World, kind: EngineCommand['kind'], name: string): number {
  return w.commands.filter((c) => c.kind === kind && 'target' in c && c.target.name === name).length;
}

function webFact(w: World): ServiceFact | undefined {
  const o = w.get('Service', 'web');
  return o?.kind === 'Service' ? o.fact : undefined;
}

function podFact(w: World, name: string): PodFact | undefined {
  const o = w.get('Pod', name);
  return o?.kind === 'Pod' ? o.fact : undefined;
}

/** Completes every dispatched operation and sync without letting time pass. */
function completeAll(w: World): void {
  for (let i = 0; i < 50 && (w.pendingOps.size > 0 || w.pendingSync); i++) {
    const op = w.pendingOps.keys().next();
    if (!op.done) w.completeOp(op.value, 'success');
    else w.completeSync();
  }
}

/** A cluster with node-a and the LoadBalancer Service `web` with one endpoint, settled. */
function withWeb(): World {
  const w = new World();
  w.apply({ kind: 'Node', fact: node('node-a', [NODE_IP]) });
  w.apply({ kind: 'Service', fact: service('web') });
  w.apply({ kind: 'EndpointSlice', fact: slice('web-1', uidOf('web'), [{ ip: '10.244.0.10', node: 'node-a' }]) });
  return w;
}

describe('the ingress IP of a Service', () => {
  it('is asked for again, with backoff, until the Service shows it', () => {
    const w = withWeb();
    w.losingKubeActions = true;
    completeAll(w);
    assert.equal(count(w, 'PatchServiceStatus', 'web'), 1);
    w.advance(ASK_AGAIN_MIN_MS - 1);
    assert.equal(count(w, 'PatchServiceStatus', 'web'), 1, 'not asked again before the backoff');
    w.advance(1);
    assert.equal(count(w, 'PatchServiceStatus', 'web'), 2);
    w.advance(ASK_AGAIN_MIN_MS);
    assert.equal(count(w, 'PatchServiceStatus', 'web'), 2, 'the second wait is twice the first');
    w.advance(ASK_AGAIN_MIN_MS);
    assert.equal(count(w, 'PatchServiceStatus', 'web'), 3);
    w.losingKubeActions = false;
    w.advance(4 * ASK_AGAIN_MIN_MS);
    assert.deepEqual(webFact(w)?.ingressIPs, [LB_IP]);
    assert.ok(w.state.asked.get(`Status/${uidOf('web')}`)?.confirmedAt !== undefined, 'a confirmed action is only remembered');
    assert.ok(w.settle());
    assert.equal(count(w, 'PatchServiceStatus', 'web'), 4, 'and never asked for again');
    assert.equal(w.wakeAt, null, 'a memory wakes nothing');
    w.advance(ASK_MEMORY_MS);
    assert.equal(w.state.asked.size, 0, 'it is forgotten by the first decision after it ran out');
  });

  it('backs off to at most the maximum between asks', () => {
    const w = withWeb();
    w.losingKubeActions = true;
    completeAll(w);
    for (let i = 0; i < 12; i++) w.advance(ASK_AGAIN_MAX_MS);
    const before = count(w, 'PatchServiceStatus', 'web');
    w.advance(ASK_AGAIN_MAX_MS);
    assert.equal(count(w, 'PatchServiceStatus', 'web'), before + 1);
  });

  it('is asked for at once when a relist of Services finishes', () => {
    const w = withWeb();
    w.losingKubeActions = true;
    completeAll(w);
    w.losingKubeActions = false;
    w.relist('after-restart');
    assert.equal(count(w, 'PatchServiceStatus', 'web'), 2);
    assert.deepEqual(webFact(w)?.ingressIPs, [LB_IP]);
  });

  it('is written back at once to an adopted Service whose status lost it, long after the last patch', () => {
    const w = withWeb();
    assert.ok(w.settle());
    w.advance(ASK_MEMORY_MS);
    const fact = webFact(w);
    assert.ok(fact);
    w.apply({ kind: 'Service', fact: { ...fact, ingressIPs: [] } });
    assert.equal(count(w, 'PatchServiceStatus', 'web'), 2);
    assert.deepEqual(webFact(w)?.ingressIPs, [LB_IP]);
  });

  it('is asked again with growing backoff when another controller keeps clearing it', () => {
    const w = withWeb();
    completeAll(w);
    assert.deepEqual(webFact(w)?.ingressIPs, [LB_IP]);
    const askedAt = [w.now];
    for (let fight = 0; fight < 5; fight++) {
      const fact = webFact(w);
      assert.ok(fact);
      const before = count(w, 'PatchServiceStatus', 'web');
      w.apply({ kind: 'Service', fact: { ...fact, ingressIPs: [] } });
      for (let s = 0; s < 1_000 && count(w, 'PatchServiceStatus', 'web') === before; s++) w.advance(1_000);
      assert.deepEqual(webFact(w)?.ingressIPs, [LB_IP], 'the engine wins each round');
      askedAt.push(w.now);
    }
    const gaps = askedAt.slice(1).map((t, i) => t - (askedAt[i] ?? 0));
    assert.deepEqual(gaps, [1, 2, 4, 8, 16].map((k) => k * ASK_AGAIN_MIN_MS), `asked at ${askedAt.join(', ')}`);
    // The fight stops: once the memory ran out, a clear by hand is written back at once.
    w.advance(ASK_MEMORY_MS + 16 * ASK_AGAIN_MIN_MS);
    const fact = webFact(w);
    assert.ok(fact);
    const before = count(w, 'PatchServiceStatus', 'web');
    w.apply({ kind: 'Service', fact: { ...fact, ingressIPs: [] } });
    assert.equal(count(w, 'PatchServiceStatus', 'web'), before + 1);
    assert.equal(w.state.asked.get(`Status/${uidOf('web')}`)?.attempts, 1, 'counting from the first attempt again');
  });

  it('is not asked for a Service that is being deleted', () => {
    const w = withWeb();
    w.losingKubeActions = true;
    completeAll(w);
    const fact = webFact(w);
    assert.ok(fact);
    w.losingKubeActions = false;
    w.apply({ kind: 'Service', fact: { ...fact, deleting: true, finalizers: [SERVICE_FINALIZER] } });
    w.advance(ASK_AGAIN_MAX_MS);
    assert.equal(count(w, 'PatchServiceStatus', 'web'), 1);
  });
});

describe('the Service finalizer', () => {
  it('is asked off again until the Service is gone', () => {
    const w = withWeb();
    assert.ok(w.settle());
    const fact = webFact(w);
    assert.ok(fact);
    assert.ok(fact.finalizers.includes(SERVICE_FINALIZER));
    w.losingKubeActions = true;
    w.apply({ kind: 'Service', fact: { ...fact, deleting: true } });
    completeAll(w);
    assert.equal(count(w, 'RemoveFinalizer', 'web'), 1);
    w.advance(ASK_AGAIN_MIN_MS);
    assert.equal(count(w, 'RemoveFinalizer', 'web'), 2);
    w.losingKubeActions = false;
    w.advance(2 * ASK_AGAIN_MIN_MS);
    assert.equal(webFact(w), undefined, 'the Service is gone');
    assert.equal(w.state.asked.size, 0);
    assert.ok(w.settle());
  });
});

/** The egress pod p1 deleted, drained and its finalizer asked off once, that ask lost (and the next ones). */
function egressPodReleasedOnce(): World {
  const w = new World();
  w.apply({ kind: 'Node', fact: node('node-a', [NODE_IP]) });
  w.apply({ kind: 'Pod', fact: pod('p1', 'egress-a', { podIPs: ['10.244.0.10'] }) });
  assert.ok(w.settle());
  const p1 = podFact(w, 'p1');
  assert.ok(p1);
  assert.ok(p1.finalizers.includes(POD_FINALIZER));
  w.losingKubeActions = true;
  w.apply({ kind: 'Pod', fact: { ...p1, deleting: true } });
  for (let i = 0; i < 20 && count(w, 'RemoveFinalizer', 'p1') === 0; i++) {
    completeAll(w);
    if (w.wakeAt !== null) w.advance(Math.max(0, w.wakeAt - w.now));
  }
  return w;
}

describe('a pod finalizer', () => {
  it('is asked off again, after its drain, until the pod is gone', () => {
    const w = egressPodReleasedOnce();
    assert.equal(count(w, 'RemoveFinalizer', 'p1'), 1, 'released once drained');
    assert.deepEqual(w.nrp.referencing('egress-a'), [], 'only after NRP stopped routing it');
    w.advance(ASK_AGAIN_MIN_MS);
    assert.equal(count(w, 'RemoveFinalizer', 'p1'), 2);
    w.losingKubeActions = false;
    w.relist('after-restart');
    assert.equal(podFact(w, 'p1'), undefined, 'the pod is gone');
    assert.ok(w.settle());
  });
});

describe('a pod re-created under the same name', () => {
  it('gets its finalizer asked off at once, not after the backoff of the pod before it', () => {
    const w = egressPodReleasedOnce();
    assert.equal(count(w, 'RemoveFinalizer', 'p1'), 1);
    // Lost engine-events (no relist repairs them): the old pod force-removed, and a pod restored
    // from a backup under its name (our finalizer in its manifest). Its deletion is heard.
    w.losingKubeActions = false;
    w.losingKubeEvents = true;
    w.cluster.delete('Pod/default/p1');
    const restored = pod('p1', 'egress-a', { uid: 'uid-p1-restored', podIPs: ['10.244.0.11'], finalizers: [POD_FINALIZER] });
    w.apply({ kind: 'Pod', fact: restored });
    w.losingKubeEvents = false;
    w.apply({ kind: 'Pod', fact: { ...restored, deleting: true } });
    completeAll(w);
    const released = w.commands.filter((c) => c.kind === 'RemoveFinalizer' && c.target.uid === 'uid-p1-restored');
    assert.equal(released.length, 1, 'the restored pod, never routed, is released at once');
    assert.equal(podFact(w, 'p1'), undefined);
  });
});

describe('stored asks', () => {
  it('reads a finalizer release of an earlier version as due at once', () => {
    assert.deepEqual(decodeAsked('true', 'release row'), { attempts: 1, nextAt: 0, value: null });
  });
});
