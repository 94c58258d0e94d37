// Deduplication keys: the same logical message always gets the same id, different ones never share
// one (across clusters too), and every id fits Service Bus's 128 characters.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EngineEvent } from '../../../shared/engine/types.ts';
import { POD_FINALIZER, SERVICE_FINALIZER } from '../../../shared/engine/types.ts';
import { MAX_ID_CHARS } from '../../../shared/messages/bounds.ts';
import type { KubernetesAction } from '../../../shared/messages/kubernetesActionSchema.ts';
import {
  boundedId,
  canonicalJson,
  engineEventMessageId,
  kubernetesActionMessageId,
  serviceOperationMessageId,
  wakeMessageId,
} from '../../../shared/messages/messageIds.ts';
import { toOutgoingMessages } from '../../../shared/messages/toOutgoingMessages.ts';
import { node, pod, service } from '../../support/builders.ts';
import { CLUSTER } from './busyWorld.ts';

const LONG_CLUSTER = `c${'x'.repeat(62)}`;
const LONG_NAMESPACE = 'n'.repeat(63);
const longName = (suffix: string): string => `${'p'.repeat(250)}${suffix}`;
const target = { kind: 'Service', namespace: 'default', name: 'web', uid: 'u-1' } as const;

describe('boundedId', () => {
  it('leaves an id that fits as it is', () => {
    const id = 'x'.repeat(MAX_ID_CHARS);
    assert.equal(boundedId(id), id);
  });

  it('shortens a long id to 128 characters, deterministically', () => {
    const raw = 'y'.repeat(400);
    assert.equal(boundedId(raw).length, MAX_ID_CHARS);
    assert.equal(boundedId(raw), boundedId('y'.repeat(400)));
  });

  it('keeps two long ids that differ only at the end distinct', () => {
    assert.notEqual(boundedId(`${'z'.repeat(300)}a`), boundedId(`${'z'.repeat(300)}b`));
  });

  it('never leaves half a surrogate pair at the cut', () => {
    const raw = `${'a'.repeat(94)}${'😀'.repeat(40)}`;
    const id = boundedId(raw);
    assert.ok(id.length <= MAX_ID_CHARS);
    assert.doesNotMatch(id, /[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });
});

describe('canonicalJson', () => {
  it('gives the same text for objects built in a different key order', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [1, { f: 2, e: 3 }], c: null } }), canonicalJson({ a: { c: null, d: [1, { e: 3, f: 2 }] }, b: 1 }));
  });
});

describe('engineEventMessageId', () => {
  it('keys a Kubernetes fact by cluster, kind, object and resourceVersion', () => {
    const event: EngineEvent = { kind: 'ServiceUpserted', service: service('web', { resourceVersion: '42' }) };
    assert.equal(engineEventMessageId(CLUSTER, event, 0), `${CLUSTER}:Service/default/web@42`);
    assert.equal(engineEventMessageId(CLUSTER, { kind: 'NodeUpserted', node: node('node-a', [], { resourceVersion: '7' }) }, 0), `${CLUSTER}:Node/node-a@7`);
  });

  it('gives the same object at the same resourceVersion different ids in different clusters', () => {
    const event: EngineEvent = { kind: 'ServiceUpserted', service: service('web') };
    assert.notEqual(engineEventMessageId('cluster-a', event, 0), engineEventMessageId('cluster-b', event, 0));
  });

  it('does not let a re-listed object be dropped as a duplicate of its watch event', () => {
    const fact = service('web', { resourceVersion: '42' });
    const watched = engineEventMessageId(CLUSTER, { kind: 'ServiceUpserted', service: fact }, 0);
    const listed = engineEventMessageId(CLUSTER, { kind: 'ServiceUpserted', service: fact, snapshot: '900' }, 0);
    assert.notEqual(listed, watched);
    assert.equal(listed, `${CLUSTER}:Service/default/web@42#900`);
  });

  it('does not let a deletion be dropped as a duplicate of the last upsert at the same resourceVersion', () => {
    const fact = pod('p', null, { resourceVersion: '42' });
    const upserted = engineEventMessageId(CLUSTER, { kind: 'PodUpserted', pod: fact }, 0);
    const deleted = engineEventMessageId(CLUSTER, { kind: 'ObjectDeleted', objectKind: 'Pod', namespace: 'default', name: 'p', uid: fact.uid, resourceVersion: '42' }, 0);
    assert.notEqual(deleted, upserted);
  });

  it('stays within 128 characters and distinct for the longest names Kubernetes allows', () => {
    const a: EngineEvent = { kind: 'PodUpserted', pod: pod(longName('-a'), null, { namespace: LONG_NAMESPACE, resourceVersion: '18446744073709551615' }) };
    const b: EngineEvent = { kind: 'PodUpserted', pod: pod(longName('-b'), null, { namespace: LONG_NAMESPACE, resourceVersion: '18446744073709551615' }) };
    const ids = [engineEventMessageId(LONG_CLUSTER, a, 0), engineEventMessageId(LONG_CLUSTER, b, 0)];
    for (const id of ids) assert.ok(id.length <= MAX_ID_CHARS, `${id.length} characters`);
    assert.notEqual(ids[0], ids[1]);
    assert.equal(engineEventMessageId(LONG_CLUSTER, a, 0), ids[0], 'deterministic');
  });

  it('keys completions by what they complete', () => {
    const done: EngineEvent = { kind: 'ServiceOperationCompleted', serviceName: 'x', dispatchId: `${CLUSTER}:op:x:3`, outcome: { result: 'success', publicIp: null } };
    const synced: EngineEvent = { kind: 'LocationsSyncCompleted', syncId: `${CLUSTER}:sync:4`, applied: 1, failure: null };
    assert.equal(engineEventMessageId(CLUSTER, done, 1), `${CLUSTER}:op:x:3:done`);
    assert.equal(engineEventMessageId(CLUSTER, synced, 1), `${CLUSTER}:sync:4:done`);
  });

  it('keeps a completion id within 128 characters when the dispatch id is long', () => {
    const dispatchId = `${LONG_CLUSTER}:op:${'e'.repeat(73)}:123456789`;
    const done: EngineEvent = { kind: 'ServiceOperationCompleted', serviceName: 'e'.repeat(73), dispatchId, outcome: { result: 'success', publicIp: null } };
    const id = engineEventMessageId(LONG_CLUSTER, done, 1);
    assert.ok(id.length <= MAX_ID_CHARS);
    assert.notEqual(id, serviceOperationMessageId(LONG_CLUSTER, dispatchId), 'the completion is not the operation');
  });

  it('tells two NRP reads at the same epoch apart by what they saw', () => {
    const read = (services: string[]): EngineEvent => ({ kind: 'NrpObserved', nrpEpoch: 3, services: services.map((name) => ({ name, type: 'Inbound' })), locations: [] });
    assert.notEqual(engineEventMessageId(CLUSTER, read(['a']), 0), engineEventMessageId(CLUSTER, read(['a', 'b']), 0));
    assert.equal(engineEventMessageId(CLUSTER, read(['a']), 0), engineEventMessageId(CLUSTER, read(['a']), 99));
  });
});

describe('wakeMessageId', () => {
  it('is the same for every request to wake the cluster at the same time', () => {
    const first = toOutgoingMessages(CLUSTER, [{ kind: 'WakeAt', at: 65_000 }], { now: 1_000 });
    const again = toOutgoingMessages(CLUSTER, [{ kind: 'WakeAt', at: 65_000 }], { now: 30_000 });
    assert.equal(first[0]?.messageId, `${CLUSTER}:wake:65000`);
    assert.equal(again[0]?.messageId, first[0]?.messageId);
    assert.notEqual(wakeMessageId(CLUSTER, 65_001), wakeMessageId(CLUSTER, 65_000));
  });
});

describe('kubernetesActionMessageId', () => {
  const add: KubernetesAction = { kind: 'AddFinalizer', target, finalizer: SERVICE_FINALIZER };

  it('is equal for equal actions, however their fields were ordered', () => {
    const reordered: KubernetesAction = { finalizer: SERVICE_FINALIZER, target: { uid: 'u-1', name: 'web', namespace: 'default', kind: 'Service' }, kind: 'AddFinalizer' };
    assert.equal(kubernetesActionMessageId(CLUSTER, reordered), kubernetesActionMessageId(CLUSTER, add));
  });

  it('differs between different actions on the same object', () => {
    const actions: KubernetesAction[] = [
      add,
      { kind: 'RemoveFinalizer', target, finalizer: SERVICE_FINALIZER },
      { kind: 'AddFinalizer', target: { ...target, kind: 'Pod' }, finalizer: POD_FINALIZER },
      { kind: 'AddFinalizer', target: { ...target, uid: 'u-2' }, finalizer: SERVICE_FINALIZER },
      { kind: 'PatchServiceStatus', target, ingressIp: '20.1.2.3', family: 'IPv4' },
      { kind: 'PatchServiceStatus', target, ingressIp: '20.1.2.4', family: 'IPv4' },
      { kind: 'RecordKubernetesEvent', target, type: 'Warning', reason: 'SyncLoadBalancerFailed', message: 'one' },
      { kind: 'RecordKubernetesEvent', target, type: 'Warning', reason: 'SyncLoadBalancerFailed', message: 'two' },
    ];
    const ids = actions.map((a) => kubernetesActionMessageId(CLUSTER, a));
    assert.equal(new Set(ids).size, actions.length);
  });

  it('differs between clusters and fits 128 characters with the longest cluster name', () => {
    const id = kubernetesActionMessageId(LONG_CLUSTER, { kind: 'RecordKubernetesEvent', target, type: 'Normal', reason: 'r', message: 'm'.repeat(10_000) });
    assert.ok(id.length <= MAX_ID_CHARS);
    assert.notEqual(kubernetesActionMessageId('cluster-a', add), kubernetesActionMessageId('cluster-b', add));
  });
});
