// Received bodies: accepted as JSON text, UTF-8 bytes or parsed values; rejected with a reason
// that names the failing field and the problem; never a throw.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_MESSAGE_BYTES } from '../../../shared/messages/bounds.ts';
import {
  parseEngineMessage,
  parseKubernetesActionMessage,
  parseLocationsSyncMessage,
  parseMessage,
  parseServiceOpMessage,
} from '../../../shared/messages/parseMessage.ts';
import type { ParseResult } from '../../../shared/messages/parseMessage.ts';
import type { EngineEvent } from '../../../shared/engine/types.ts';
import { service } from '../../support/builders.ts';
import { CLUSTER } from './busyWorld.ts';

function reasonOf<T>(result: ParseResult<T>): string {
  assert.equal(result.ok, false, 'expected the body to be rejected');
  return result.ok ? '' : result.reason;
}

function valueOf<T>(result: ParseResult<T>): T {
  if (!result.ok) assert.fail(`expected the body to parse, got: ${result.reason}`);
  return result.value;
}

const upsert: EngineEvent = { kind: 'ServiceUpserted', service: service('web') };
const body = { v: 1, cluster: CLUSTER, event: upsert };

/** A body with its service replaced by `patch` applied to a plain copy. */
function withService(patch: (s: Record<string, unknown>) => void): unknown {
  const copy = JSON.parse(JSON.stringify(body)) as { event: { service: Record<string, unknown> } };
  patch(copy.event.service);
  return copy;
}

/** A valid NrpObserved body with `count` addresses. */
function observation(count: number): unknown {
  const addresses = Array.from({ length: count }, (_, i) => ({ address: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, services: ['0123456789abcdef'] }));
  return { v: 1, cluster: CLUSTER, event: { kind: 'NrpObserved', nrpEpoch: 1, services: [], locations: [{ location: '10.0.0.4', addresses }] } };
}

/** The largest (or, with `over`, the smallest) observation body on that side of `bytes`. */
function observationNear(bytes: number, over: boolean): unknown {
  const size = (n: number): number => Buffer.byteLength(JSON.stringify(observation(n)));
  let lo = 0;
  let hi = 1;
  while (size(hi) <= bytes) hi *= 2;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (size(mid) <= bytes) lo = mid;
    else hi = mid;
  }
  return observation(over ? hi : lo);
}

describe('parseEngineMessage', () => {
  it('accepts a body given as a parsed object', () => {
    assert.deepEqual(valueOf(parseEngineMessage(body)), body);
  });

  it('accepts a body given as JSON text', () => {
    assert.deepEqual(valueOf(parseEngineMessage(JSON.stringify(body))), body);
  });

  it('accepts a body given as a Buffer of UTF-8 JSON', () => {
    assert.deepEqual(valueOf(parseEngineMessage(Buffer.from(JSON.stringify(body), 'utf8'))), body);
  });

  it('accepts a body given as a plain Uint8Array', () => {
    const bytes = new TextEncoder().encode(JSON.stringify(body));
    assert.deepEqual(valueOf(parseEngineMessage(bytes)), body);
  });

  it('keeps non-ASCII text intact through the bytes', () => {
    const annotated = withService((s) => (s.annotations = { 'example.com/note': 'grüße 🚀' }));
    const value = valueOf(parseEngineMessage(Buffer.from(JSON.stringify(annotated))));
    assert.equal(value.event.kind === 'ServiceUpserted' && value.event.service.annotations['example.com/note'], 'grüße 🚀');
  });

  it('names the missing cluster', () => {
    assert.match(reasonOf(parseEngineMessage({ v: 1, event: { kind: 'Tick' } })), /^cluster: missing \(expected string\)$/);
  });

  it('names a wrong type deep inside the event with its full path', () => {
    const bad = withService((s) => (s.ports = [{ protocol: 'TCP', port: '80', targetPort: 8080 }]));
    assert.equal(reasonOf(parseEngineMessage(bad)), 'event.service.ports[0].port: expected number, received "80"');
  });

  it('names an unknown event kind and the kinds it expected', () => {
    const reason = reasonOf(parseEngineMessage({ v: 1, cluster: CLUSTER, event: { kind: 'ServiceExploded' } }));
    assert.match(reason, /^event\.kind: unknown kind "ServiceExploded" \(expected one of "ServiceUpserted", /);
    assert.match(reason, /"Tick"\)$/);
  });

  it('names a missing event kind', () => {
    assert.match(reasonOf(parseEngineMessage({ v: 1, cluster: CLUSTER, event: {} })), /^event\.kind: missing kind \(expected one of /);
  });

  it('rejects an unsupported version with the version it got', () => {
    assert.equal(reasonOf(parseEngineMessage({ ...body, v: 2 })), 'v: unsupported version 2 (expected 1)');
  });

  it('rejects a body without a version', () => {
    assert.equal(reasonOf(parseEngineMessage({ cluster: CLUSTER, event: { kind: 'Tick' } })), 'v: missing version (expected 1)');
  });

  it('quotes a map key that is not an identifier in the path', () => {
    const bad = withService((s) => (s.annotations = { 'service.beta.kubernetes.io/azure-load-balancer-internal': true }));
    assert.equal(
      reasonOf(parseEngineMessage(bad)),
      'event.service.annotations["service.beta.kubernetes.io/azure-load-balancer-internal"]: expected string, received true',
    );
  });

  it('names an over-long map key, cut short in the path', () => {
    const key = `example.com/${'k'.repeat(400)}`;
    const bad = withService((s) => (s.annotations = { [key]: 'v' }));
    assert.equal(reasonOf(parseEngineMessage(bad)), `event.service.annotations["${key.slice(0, 120)}…"]: key expected <= 317 characters, received 412 characters`);
  });

  it('lists every alternative of a plain union that none matched', () => {
    const bad = withService((s) => (s.ports = [{ protocol: 'TCP', port: 80, targetPort: true }]));
    assert.equal(reasonOf(parseEngineMessage(bad)), 'event.service.ports[0].targetPort: expected number | string | null, received true');
  });

  it('says how long a string is when it is over its bound', () => {
    const bad = withService((s) => (s.namespace = 'n'.repeat(64)));
    assert.equal(reasonOf(parseEngineMessage(bad)), 'event.service.namespace: expected <= 63 characters, received 64 characters');
  });

  it('says how many items an array has when it is over its bound', () => {
    const bad = withService((s) => (s.finalizers = Array.from({ length: 65 }, (_, i) => `example.com/f${i}`)));
    assert.equal(reasonOf(parseEngineMessage(bad)), 'event.service.finalizers: expected <= 64 items, received 65 items');
  });

  it('rejects a cluster name that could not be a SessionId or key part', () => {
    assert.match(reasonOf(parseEngineMessage({ ...body, cluster: 'a:b' })), /^cluster: expected a cluster name of 1-63 .*, received "a:b"$/);
  });

  it('rejects an observedAt that is not an ISO date-time', () => {
    assert.equal(reasonOf(parseEngineMessage({ ...body, observedAt: 'yesterday' })), 'observedAt: expected an ISO 8601 UTC date-time, received "yesterday"');
  });

  it('reports several problems at once and counts the ones it leaves out', () => {
    const reason = reasonOf(parseEngineMessage({ v: 3, cluster: 7, event: { kind: 'NodeUpserted', node: { name: 1, uid: 2, resourceVersion: 3, internalIPs: 4 } } }));
    const parts = reason.split('; ');
    assert.equal(parts.length, 6, reason);
    assert.equal(parts[0], 'v: unsupported version 3 (expected 1)');
    assert.equal(parts[1], 'cluster: expected string, received 7');
    assert.equal(parts[2], 'event.node.name: expected string, received 1');
    assert.equal(parts[5], 'and 1 more');
  });

  it('rejects a body that is not an object', () => {
    assert.equal(reasonOf(parseEngineMessage(42)), 'body: expected object, received 42');
    assert.equal(reasonOf(parseEngineMessage(null)), 'body: expected object, received null');
    assert.equal(reasonOf(parseEngineMessage(undefined)), 'body: missing');
  });

  it('rejects text that is not JSON', () => {
    assert.match(reasonOf(parseEngineMessage('{"v":1,')), /^body: not JSON \(/);
  });

  it('rejects bytes that are not UTF-8', () => {
    assert.equal(reasonOf(parseEngineMessage(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]))), 'body: bytes are not UTF-8');
  });

  it('rejects an over-size body as text, bytes and object, naming its size and the limit', () => {
    const huge = observationNear(MAX_MESSAGE_BYTES, true);
    const text = JSON.stringify(huge);
    const bytes = Buffer.byteLength(text);
    assert.ok(bytes > MAX_MESSAGE_BYTES);
    const expected = `body: ${bytes} bytes, over the ${MAX_MESSAGE_BYTES}-byte message limit`;
    assert.equal(reasonOf(parseEngineMessage(text)), expected);
    assert.equal(reasonOf(parseEngineMessage(Buffer.from(text))), expected);
    assert.equal(reasonOf(parseEngineMessage(huge)), expected);
  });

  it('accepts a body right at the size limit', () => {
    const text = JSON.stringify(observationNear(MAX_MESSAGE_BYTES, false));
    assert.ok(Buffer.byteLength(text) > MAX_MESSAGE_BYTES - 100);
    assert.equal(parseEngineMessage(text).ok, true);
  });

  it('never throws, whatever the body holds', () => {
    const cyclic: Record<string, unknown> = { v: 1 };
    cyclic.self = cyclic;
    const trap = { v: 1, cluster: CLUSTER, get event(): unknown { throw new Error('boom'); } };
    for (const b of [cyclic, { v: 1n }, trap, Symbol('x'), () => 1, new ArrayBuffer(2)]) {
      const r = parseEngineMessage(b);
      assert.equal(r.ok, false);
      assert.ok(!r.ok && r.reason.length > 0);
    }
  });

  it('drops fields it does not know, so a newer writer of the same version is still read', () => {
    const value = valueOf(parseEngineMessage({ ...body, addedLater: true, event: { kind: 'Tick', alsoLater: 1 } }));
    assert.deepEqual(value, { v: 1, cluster: CLUSTER, event: { kind: 'Tick' } });
  });
});

describe('parseServiceOpMessage', () => {
  const operation = {
    cluster: CLUSTER,
    dispatchId: `${CLUSTER}:op:team-a:4`,
    correlationId: `${CLUSTER}:corr:team-a:3`,
    serviceName: 'team-a',
    serviceKind: 'outbound',
    operation: 'create',
    config: { kind: 'outbound', name: 'team-a', ipFamilies: ['IPv4'] },
    orphan: false,
    attempt: 1,
  };

  it('accepts a service operation', () => {
    assert.deepEqual(valueOf(parseServiceOpMessage({ v: 1, operation })), { v: 1, operation });
  });

  it('rejects a create without a config', () => {
    assert.equal(reasonOf(parseServiceOpMessage({ v: 1, operation: { ...operation, config: null } })), 'operation.config: a create needs a config');
  });

  it('rejects a config of the other kind than the service', () => {
    assert.equal(reasonOf(parseServiceOpMessage({ v: 1, operation: { ...operation, serviceKind: 'inbound' } })), 'operation.config.kind: outbound config for an inbound service');
  });

  it('names a bad port rule inside an inbound config', () => {
    const inbound = {
      ...operation,
      serviceKind: 'inbound',
      config: { kind: 'inbound', name: 'x', service: { namespace: 'default', name: 'web', uid: 'x' }, ipFamily: 'IPv4', ports: [{ protocol: 'SCTP', port: 80, backendPort: 80 }], idleTimeoutMinutes: 4 },
    };
    assert.equal(reasonOf(parseServiceOpMessage({ v: 1, operation: inbound })), 'operation.config.ports[0].protocol: expected "TCP" | "UDP", received "SCTP"');
  });
});

describe('parseLocationsSyncMessage', () => {
  it('accepts a sync trigger and a request to read NRP', () => {
    const trigger = { v: 1, cluster: CLUSTER, syncId: `${CLUSTER}:sync:5` };
    const observe = { v: 1, cluster: CLUSTER, observe: true, reason: 'ServiceWithOverlayMappingsCannotBeDeleted for x' };
    assert.deepEqual(valueOf(parseLocationsSyncMessage(trigger)), trigger);
    assert.deepEqual(valueOf(parseLocationsSyncMessage(observe)), observe);
  });

  it('names the missing syncId of a trigger', () => {
    assert.equal(reasonOf(parseLocationsSyncMessage({ v: 1, cluster: CLUSTER })), 'syncId: missing (expected string)');
  });

  it('rejects an observe flag that is not true', () => {
    assert.match(reasonOf(parseLocationsSyncMessage({ v: 1, cluster: CLUSTER, observe: false, reason: 'x' })), /^observe: unknown observe false/);
  });
});

describe('parseKubernetesActionMessage', () => {
  const target = { kind: 'Service', namespace: 'default', name: 'web', uid: 'u-1' };

  it('accepts each of the four actions', () => {
    const actions = [
      { kind: 'PatchServiceStatus', target, ingressIp: '20.1.2.3', family: 'IPv4' },
      { kind: 'AddFinalizer', target, finalizer: 'servicegateway.azure.com/service-cleanup' },
      { kind: 'RemoveFinalizer', target: { ...target, kind: 'Pod' }, finalizer: 'servicegateway.azure.com/pod-cleanup' },
      { kind: 'RecordKubernetesEvent', target, type: 'Warning', reason: 'SyncLoadBalancerFailed', message: 'create failed' },
    ];
    for (const action of actions) assert.deepEqual(valueOf(parseKubernetesActionMessage({ v: 1, cluster: CLUSTER, action })), { v: 1, cluster: CLUSTER, action });
  });

  it('rejects a command the forwarder does not perform', () => {
    assert.match(reasonOf(parseKubernetesActionMessage({ v: 1, cluster: CLUSTER, action: { kind: 'WakeAt', at: 5 } })), /^action\.kind: unknown kind "WakeAt"/);
  });

  it('rejects a finalizer that is not ours', () => {
    assert.match(reasonOf(parseKubernetesActionMessage({ v: 1, cluster: CLUSTER, action: { kind: 'RemoveFinalizer', target, finalizer: 'kubernetes.io/other' } })), /^action\.finalizer: unknown finalizer "kubernetes.io\/other" \(expected one of "servicegateway/);
  });

  it('is what parseMessage does for the k8s-actions queue', () => {
    const b = { v: 1, cluster: CLUSTER, action: { kind: 'AddFinalizer', target, finalizer: 'x' } };
    assert.deepEqual(parseMessage('k8s-actions', b), parseKubernetesActionMessage(b));
  });
});
