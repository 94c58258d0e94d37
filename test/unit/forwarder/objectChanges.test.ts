import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EGRESS_LABEL, POD_FINALIZER, SERVICE_FINALIZER } from '../../../shared/engine/types.ts';
import type { EngineEventMessage } from '../../../shared/messages/envelopes.ts';
import type { Translation } from '../../../forwarder/objectChanges.ts';
import { KindChanges } from '../../../forwarder/objectChanges.ts';

const ctx = { now: Date.UTC(2026, 10, 25), traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' };

function service(rv: string, spec: Record<string, unknown> = {}, meta: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    kind: 'Service',
    metadata: { namespace: 'default', name: 'web', uid: 'u-1', resourceVersion: rv, ...meta },
    spec: { type: 'LoadBalancer', ports: [{ protocol: 'TCP', port: 80, targetPort: 8080 }], ...spec },
  };
}

function node(rv: string, ip: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { kind: 'Node', metadata: { name: 'n1', uid: 'n-1', resourceVersion: rv }, status: { addresses: [{ type: 'InternalIP', address: ip }], ...extra } };
}

function pod(rv: string, meta: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    kind: 'Pod',
    metadata: { namespace: 'apps', name: 'p', uid: 'p-1', resourceVersion: rv, labels: {}, ...meta },
    spec: { nodeName: 'n1' },
    status: { phase: 'Running', podIPs: [{ ip: '10.244.0.5' }], hostIPs: [{ ip: '10.0.0.4' }] },
  };
}

function sent(t: Translation): EngineEventMessage {
  assert.equal(t.action, 'send', JSON.stringify(t));
  if (t.action !== 'send') throw new Error('unreachable');
  return t.change.message.body as EngineEventMessage;
}

describe('what a change means for the engine', () => {
  it('sends a LoadBalancer Service as an upsert keyed by object, UID and resourceVersion', () => {
    const t = new KindChanges('demo', 'Service').upsert(service('5'), ctx);
    const body = sent(t);
    assert.equal(body.event.kind, 'ServiceUpserted');
    assert.equal(body.traceparent, ctx.traceparent);
    assert.equal(body.observedAt, '2026-11-25T00:00:00.000Z');
    if (t.action === 'send') {
      assert.equal(t.change.key, 'Service/default/web/u-1');
      assert.equal(t.change.message.messageId, 'demo:Service/default/web@5');
      assert.equal(t.change.message.sessionId, 'demo');
    }
  });

  it('skips a Service that is not ours and was never sent', () => {
    const k = new KindChanges('demo', 'Service');
    assert.deepEqual(k.upsert(service('5', { type: 'ClusterIP' }), ctx), { action: 'skip', why: 'notOurs' });
    assert.deepEqual(k.upsert(service('6', { loadBalancerClass: 'example.com/other' }), ctx), { action: 'skip', why: 'notOurs' });
  });

  it('keeps sending a Service that stopped being a LoadBalancer while it carries our finalizer, then says it is gone', () => {
    const k = new KindChanges('demo', 'Service');
    sent(k.upsert(service('5', {}, { finalizers: [SERVICE_FINALIZER] }), ctx));
    const still = sent(k.upsert(service('6', { type: 'ClusterIP' }, { finalizers: [SERVICE_FINALIZER] }), ctx));
    assert.equal(still.event.kind, 'ServiceUpserted');
    const gone = sent(k.upsert(service('7', { type: 'ClusterIP' }), ctx));
    assert.deepEqual(gone.event, { kind: 'ObjectDeleted', objectKind: 'Service', namespace: 'default', name: 'web', uid: 'u-1', resourceVersion: '7' });
    assert.deepEqual(k.upsert(service('8', { type: 'ClusterIP' }), ctx), { action: 'skip', why: 'notOurs' });
  });

  it('skips an update that changes nothing the engine reads', () => {
    const k = new KindChanges('demo', 'Node');
    sent(k.upsert(node('1', '10.0.0.4'), ctx));
    assert.deepEqual(k.upsert(node('2', '10.0.0.4', { conditions: [{ type: 'Ready', status: 'True' }] }), ctx), { action: 'skip', why: 'unchanged' });
    assert.equal(sent(k.upsert(node('3', '10.0.0.5'), ctx)).event.kind, 'NodeUpserted');
  });

  it('withholds an unreadable object (with the field in the reason) instead of dropping it', () => {
    const t = new KindChanges('demo', 'Service').upsert(service('5', { ports: [{ port: 70000 }] }), ctx);
    assert.equal(t.action, 'withhold');
    if (t.action === 'withhold') {
      assert.equal(t.key, 'Service/default/web');
      assert.match(t.reason, /spec\.ports\[0\]\.port/);
      const e = (t.change.message.body as EngineEventMessage).event;
      assert.equal(e.kind, 'ObjectWithheld');
      if (e.kind === 'ObjectWithheld') {
        assert.equal(e.reason, 'ObjectUnreadable');
        assert.equal(e.snapshot, undefined);
        assert.match(e.detail, /spec\.ports\[0\]\.port/);
      }
    }
    const noUid = new KindChanges('demo', 'Pod').delete({ metadata: { namespace: 'a', name: 'b', resourceVersion: '1' } }, ctx);
    assert.deepEqual(noUid, { action: 'reject', key: 'Pod/a/b', reason: 'metadata.uid: missing' });
    const notOurs = new KindChanges('demo', 'Service').upsert(service('5', { type: 'ClusterIP', ports: [{ port: 70000 }] }), ctx);
    assert.equal(notOurs.action, 'reject', 'an unreadable Service that cannot be ours is only logged');
  });

  it('sends a deleted Pod as ObjectDeleted, but a "deleted" Pod still holding our finalizer as the update it is', () => {
    const k = new KindChanges('demo', 'Pod');
    const lostLabel = sent(k.delete(pod('9', { finalizers: [POD_FINALIZER] }), ctx));
    assert.equal(lostLabel.event.kind, 'PodUpserted');
    const gone = sent(k.delete(pod('10'), ctx));
    assert.equal(gone.event.kind, 'ObjectDeleted');
  });

  it('takes the egress label off a Pod reported deleted with our finalizer: it left the label selector', () => {
    const k = new KindChanges('demo', 'Pod');
    const labelled = pod('9', { finalizers: [POD_FINALIZER], labels: { [EGRESS_LABEL]: 'team-a', app: 'web' } });
    const live = sent(k.upsert(labelled, ctx));
    assert.equal(live.event.kind === 'PodUpserted' ? live.event.pod.egressLabel : 'no pod', 'team-a');
    // The watch's DELETED carries the body from before the label was removed, at the new resourceVersion.
    const left = sent(k.delete({ ...labelled, metadata: { ...(labelled['metadata'] as object), resourceVersion: '11' } }, ctx));
    assert.equal(left.event.kind, 'PodUpserted');
    if (left.event.kind !== 'PodUpserted') return;
    assert.equal(left.event.pod.egressLabel, null);
    assert.equal(left.event.pod.resourceVersion, '11');
    assert.deepEqual(left.event.pod.finalizers, [POD_FINALIZER]);
  });

  it("passes on Kubernetes' answer to a finalizer removal, and a pod found gone as its deletion", () => {
    const k = new KindChanges('demo', 'Pod');
    const released = sent(k.answered(pod('12'), { namespace: 'apps', name: 'p', uid: 'p-1' }, null, ctx));
    assert.equal(released.event.kind === 'PodUpserted' ? released.event.pod.finalizers.length : -1, 0);
    // An answer remembers nothing: the watch's next change is sent even if it matches the answer.
    const labelled = pod('13', { finalizers: [POD_FINALIZER], labels: { [EGRESS_LABEL]: 'team-a' } });
    sent(k.answered(labelled, { namespace: 'apps', name: 'p', uid: 'p-1' }, null, ctx));
    assert.equal(sent(k.upsert(pod('14', { finalizers: [POD_FINALIZER], labels: { [EGRESS_LABEL]: 'team-a' } }), ctx)).event.kind, 'PodUpserted');
    const gone = sent(k.answered(null, { namespace: 'apps', name: 'p', uid: 'p-1' }, '40', ctx));
    assert.deepEqual(gone.event, { kind: 'ObjectDeleted', objectKind: 'Pod', namespace: 'apps', name: 'p', uid: 'p-1', resourceVersion: '40' });
    assert.deepEqual(k.answered(null, { namespace: 'apps', name: 'p', uid: 'p-1' }, null, ctx), { action: 'skip', why: 'unchanged' }, 'no resourceVersion yet: nothing to say');
  });

  it('does not report the deletion of a Service the engine never heard of', () => {
    const k = new KindChanges('demo', 'Service');
    assert.deepEqual(k.delete(service('3', { type: 'ClusterIP' }), ctx), { action: 'skip', why: 'notOurs' });
    sent(k.upsert(service('4'), ctx));
    assert.equal(sent(k.delete(service('5'), ctx)).event.kind, 'ObjectDeleted');
  });

  it('turns a list into tagged upserts of our objects and a marker, and remembers only those', () => {
    const k = new KindChanges('demo', 'Service');
    const other = service('4', { type: 'ClusterIP' }, { name: 'internal', uid: 'u-2' });
    const bad = service('6', { ports: [{ port: 0 }] }, { name: 'bad', uid: 'u-3' });
    const s = k.snapshot([service('5'), other, bad], '42', ctx);
    const body = s.changes[0]!.message.body as EngineEventMessage;
    assert.equal(body.event.kind === 'ServiceUpserted' ? body.event.snapshot : null, '42');
    assert.equal(s.changes[0]!.message.messageId, 'demo:Service/default/web@5#42');
    assert.deepEqual((s.marker.message.body as EngineEventMessage).event, { kind: 'KubernetesSynced', objectKind: 'Service', snapshot: '42' });
    assert.equal(s.marker.marker, true);
    assert.equal(s.rejected.length, 0);
    assert.equal(s.withheld.length, 1);
    assert.match(s.withheld[0]!.reason, /spec\.ports\[0\]\.port/);
    // The unreadable one is in the list as withheld, tagged, so the engine keeps what it knew of it.
    assert.equal(s.changes.length, 2);
    const withheld = (s.changes[1]!.message.body as EngineEventMessage).event;
    assert.deepEqual(withheld.kind === 'ObjectWithheld' ? [withheld.uid, withheld.snapshot] : null, ['u-3', '42']);
    assert.equal(k.remembered, 1);
    assert.deepEqual(k.upsert(service('7'), ctx), { action: 'skip', why: 'unchanged' });
  });

  it('withholds a fact that does not fit the message schema (as too large) instead of throwing', () => {
    const endpoints = Array.from({ length: 5000 }, (_, i) => ({ addresses: [`10.1.${Math.floor(i / 250)}.${i % 250}`], nodeName: 'n1'.repeat(60) }));
    const slice = { kind: 'EndpointSlice', metadata: { namespace: 'default', name: 's', uid: 'e-1', resourceVersion: '1', ownerReferences: [{ kind: 'Service', uid: 'u-1' }] }, addressType: 'IPv4', endpoints };
    const t = new KindChanges('demo', 'EndpointSlice').upsert(slice, ctx);
    assert.equal(t.action, 'withhold');
    const e = t.action === 'withhold' ? (t.change.message.body as EngineEventMessage).event : null;
    assert.equal(e?.kind === 'ObjectWithheld' ? e.reason : null, 'ObjectTooLarge');
  });
});
