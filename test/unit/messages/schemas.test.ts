// The schemas mirror the engine types: proven at compile time, bounded where Kubernetes and Azure
// bound the values, and no tighter (the engine rejects bad IPs and labels itself, with a reason).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import type { EngineCommand, ServiceOperation } from '../../../shared/engine/types.ts';
import { engineEventSchema } from '../../../shared/messages/engineEventSchema.ts';
import { isKubernetesAction } from '../../../shared/messages/kubernetesActionSchema.ts';
import { sameShape } from '../../../shared/messages/sameShape.ts';
import { serviceOperationSchema } from '../../../shared/messages/serviceOperationSchema.ts';
import { node, pod, service, slice } from '../../support/builders.ts';
import { busyWorld } from './busyWorld.ts';

describe('sameShape', () => {
  it('compiles only for a schema that mirrors its type exactly (checked by tsc)', () => {
    const port = z.object({ protocol: z.string(), port: z.number() });
    sameShape<z.output<typeof port>, { readonly protocol: string; readonly port: number }>(true);
    // @ts-expect-error a field the type marks optional is missing from the schema
    sameShape<z.output<typeof port>, { protocol: string; port: number; name?: string | undefined }>(true);
    // @ts-expect-error the schema allows null where the type does not
    sameShape<{ a: string | null }, { a: string }>(true);
    // @ts-expect-error the schema has a field the type lacks
    sameShape<{ a: string; b: number }, { a: string }>(true);
    assert.equal(port.safeParse({ protocol: 'TCP', port: 80 }).success, true);
  });
});

describe('fact schemas', () => {
  it('accept the largest names, namespaces and slices Kubernetes allows', () => {
    const name = 'a'.repeat(253);
    const namespace = 'n'.repeat(63);
    const endpoints = Array.from({ length: 1000 }, (_, i) => ({ ip: `10.244.${i >> 8}.${i & 255}`, node: name }));
    const events = [
      { kind: 'ServiceUpserted', service: service(name, { namespace }) },
      { kind: 'EndpointSliceUpserted', slice: slice(name, 'u', endpoints, { namespace }) },
      { kind: 'NodeUpserted', node: node(name, ['10.0.0.4']) },
      { kind: 'PodUpserted', pod: pod(name, 'team-a', { namespace, nodeName: name }) },
    ];
    for (const e of events) assert.equal(engineEventSchema.safeParse(e).success, true, e.kind);
  });

  it('reject one endpoint more than a slice may hold', () => {
    const endpoints = Array.from({ length: 1001 }, () => ({ ip: '10.244.0.1', node: 'node-a' }));
    assert.equal(engineEventSchema.safeParse({ kind: 'EndpointSliceUpserted', slice: slice('s', 'u', endpoints) }).success, false);
  });

  it('leave address syntax to the engine, which rejects a bad IP with a reason', () => {
    const event = { kind: 'PodUpserted', pod: pod('p', 'team-a', { podIPs: ['not-an-ip'] }) };
    assert.equal(engineEventSchema.safeParse(event).success, true);
  });

  it('accept a deletion of a cluster-scoped object without a namespace', () => {
    const event = { kind: 'ObjectDeleted', objectKind: 'Node', namespace: null, name: 'node-a', uid: 'u', resourceVersion: '9' };
    assert.equal(engineEventSchema.safeParse(event).success, true);
  });
});

describe('serviceOperationSchema', () => {
  it('accepts every operation a busy World dispatched, orphan deletes included', () => {
    const ops = busyWorld().commands.flatMap((c) => (c.kind === 'DispatchServiceOperation' ? [c.operation] : []));
    assert.ok(ops.some((o) => o.operation === 'delete') && ops.some((o) => o.serviceKind === 'outbound'));
    for (const op of ops) assert.deepEqual(serviceOperationSchema.parse(op), op);
  });

  it('accepts an orphan delete without a config', () => {
    const op: ServiceOperation = { cluster: 'c', dispatchId: 'c:op:x:1', correlationId: 'c:corr:x:1', serviceName: 'x', serviceKind: 'inbound', operation: 'delete', config: null, orphan: true, attempt: 1 };
    assert.equal(serviceOperationSchema.safeParse(op).success, true);
  });

  it('rejects an idle timeout outside what Azure Load Balancer allows', () => {
    const config = { kind: 'inbound', name: 'x', service: { namespace: 'default', name: 'web', uid: 'x' }, ipFamily: 'IPv4', ports: [], idleTimeoutMinutes: 31 };
    const op = { cluster: 'c', dispatchId: 'd', correlationId: 'k', serviceName: 'x', serviceKind: 'inbound', operation: 'create', config, orphan: false, attempt: 1 };
    assert.equal(serviceOperationSchema.safeParse(op).success, false);
  });
});

describe('isKubernetesAction', () => {
  it('picks exactly the commands the forwarder performs', () => {
    const commands: EngineCommand[] = busyWorld().commands;
    const picked = new Set(commands.filter(isKubernetesAction).map((c) => c.kind));
    assert.deepEqual([...picked].sort(), ['AddFinalizer', 'PatchServiceStatus', 'RecordKubernetesEvent', 'RemoveFinalizer']);
  });
});
