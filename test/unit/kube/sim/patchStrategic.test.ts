// Strategic merge patch through applyPatch('strategic', ...), with the patches kubectl really
// sends (`kubectl patch` default type, client-side `kubectl apply`): merge keys per kind and
// field, atomic lists, the $patch / $setElementOrder / $deleteFromPrimitiveList / $retainKeys
// directives, and the list order the real API server produces.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyPatch } from '../../../../local/sim/kube/patch.ts';
import { deepFreeze, failureOf, valueOf } from './patchTestHelpers.ts';
import type { Json } from './patchTestHelpers.ts';

function strategic(kind: string, target: Json, patch: unknown) {
  return applyPatch('strategic', kind, deepFreeze(target), deepFreeze(patch));
}

function service(ports: Json[]): Json {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'default', finalizers: ['service.kubernetes.io/load-balancer-cleanup'] },
    spec: { type: 'LoadBalancer', selector: { app: 'web' }, ports, ipFamilies: ['IPv4'] },
    status: { loadBalancer: { ingress: [{ ip: '20.1.2.3' }] } },
  };
}

function portsOf(result: Json): unknown {
  return (result.spec as Json).ports;
}

describe('strategic merge patch: maps and atomic lists', () => {
  it('merges maps recursively, replaces scalars, and deletes a key set to null', () => {
    const result = valueOf(strategic('Service', service([{ port: 80 }]), {
      metadata: { labels: { tier: 'front' } },
      spec: { type: 'ClusterIP', selector: null },
    }));
    assert.deepEqual(result.metadata, { name: 'web', namespace: 'default', labels: { tier: 'front' },
      finalizers: ['service.kubernetes.io/load-balancer-cleanup'] });
    assert.equal((result.spec as Json).type, 'ClusterIP');
    assert.equal(Object.hasOwn(result.spec as Json, 'selector'), false);
  });

  it('replaces an EndpointSlice endpoints list and its ports whole', () => {
    const slice = {
      kind: 'EndpointSlice',
      endpoints: [{ addresses: ['10.244.0.10'], conditions: { ready: true } }, { addresses: ['10.244.0.11'] }],
      ports: [{ name: 'http', port: 8080 }, { name: 'dns', port: 53 }],
    };
    const result = valueOf(strategic('EndpointSlice', slice, {
      endpoints: [{ addresses: ['10.244.0.12'], conditions: { ready: false } }],
      ports: [{ name: 'http', port: 9090 }],
    }));
    assert.deepEqual(result.endpoints, [{ addresses: ['10.244.0.12'], conditions: { ready: false } }]);
    assert.deepEqual(result.ports, [{ name: 'http', port: 9090 }]);
  });

  it('replaces spec.ipFamilies, status.loadBalancer.ingress and Pod tolerations whole', () => {
    const svc = valueOf(strategic('Service', service([{ port: 80 }]), {
      spec: { ipFamilies: ['IPv6'] }, status: { loadBalancer: { ingress: [{ ip: '20.9.9.9' }] } },
    }));
    assert.deepEqual((svc.spec as Json).ipFamilies, ['IPv6']);
    assert.deepEqual(svc.status, { loadBalancer: { ingress: [{ ip: '20.9.9.9' }] } });
    const tolerations = [{ key: 'a', operator: 'Exists' }, { key: 'b', operator: 'Exists' }];
    const p = valueOf(strategic('Pod', { kind: 'Pod', spec: { tolerations } }, { spec: { tolerations: [{ key: 'c', operator: 'Exists' }] } }));
    assert.deepEqual((p.spec as Json).tolerations, [{ key: 'c', operator: 'Exists' }]);
  });

  it('uses the kind to pick merge keys: spec.ports merges only for a Service', () => {
    const target = { spec: { ports: [{ port: 80, name: 'http' }] } };
    const patch = { spec: { ports: [{ port: 443 }] } };
    assert.deepEqual(portsOf(valueOf(strategic('Service', target, patch))), [{ port: 443 }, { port: 80, name: 'http' }]);
    assert.deepEqual(portsOf(valueOf(strategic('Widget', target, patch))), [{ port: 443 }]);
  });

  it('refuses a patch that is not an object with 400', () => {
    for (const patch of [[{ op: 'add' }], null, 'x']) {
      assert.equal(failureOf(strategic('Service', service([]), patch)).status, 400, JSON.stringify(patch));
    }
  });
});

describe('strategic merge patch: Service ports as kubectl sends them', () => {
  const live = service([{ name: 'http', port: 80, targetPort: 8080 }, { name: 'https', port: 443, targetPort: 443 }]);

  it('kubectl apply changing one port merges it by port number and keeps the order', () => {
    const result = valueOf(strategic('Service', live, {
      spec: { '$setElementOrder/ports': [{ port: 80 }, { port: 443 }], ports: [{ port: 443, targetPort: 8443 }] },
    }));
    assert.deepEqual(portsOf(result), [
      { name: 'http', port: 80, targetPort: 8080 },
      { name: 'https', port: 443, targetPort: 8443 },
    ]);
  });

  it('kubectl apply removing a port sends $patch: delete with the merge key', () => {
    const result = valueOf(strategic('Service', live, {
      spec: { '$setElementOrder/ports': [{ port: 443 }], ports: [{ $patch: 'delete', port: 80 }] },
    }));
    assert.deepEqual(portsOf(result), [{ name: 'https', port: 443, targetPort: 443 }]);
  });

  it('kubectl apply adding a port puts it where $setElementOrder says', () => {
    const result = valueOf(strategic('Service', live, {
      spec: {
        '$setElementOrder/ports': [{ port: 80 }, { port: 8443 }, { port: 443 }],
        ports: [{ name: 'alt', port: 8443, targetPort: 8443 }],
      },
    }));
    assert.deepEqual((portsOf(result) as Json[]).map((p) => p.port), [80, 8443, 443]);
  });

  it('without $setElementOrder a new port goes before the existing ones, as the API server puts it', () => {
    const result = valueOf(strategic('Service', live, { spec: { ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] } }));
    assert.deepEqual((portsOf(result) as Json[]).map((p) => p.port), [53, 80, 443]);
  });

  it('deleting a port that is not there changes nothing', () => {
    const result = valueOf(strategic('Service', live, { spec: { ports: [{ $patch: 'delete', port: 9999 }] } }));
    assert.deepEqual(portsOf(result), portsOf(live));
  });

  it('$patch: replace in the list makes the other elements the whole list', () => {
    const result = valueOf(strategic('Service', live, { spec: { ports: [{ $patch: 'replace' }, { port: 53, protocol: 'UDP' }] } }));
    assert.deepEqual(portsOf(result), [{ port: 53, protocol: 'UDP' }]);
  });

  it('refuses a list element without its merge key, and $patch: delete without it, with 400', () => {
    for (const ports of [[{ name: 'http', targetPort: 1 }], [{ $patch: 'delete', name: 'http' }], ['80']]) {
      const failure = failureOf(strategic('Service', live, { spec: { ports } }));
      assert.equal(failure.status, 400, JSON.stringify(ports));
      assert.match(failure.message, /spec\.ports/);
    }
  });

  it('refuses a patch list whose order contradicts $setElementOrder with 400', () => {
    const failure = failureOf(strategic('Service', live, {
      spec: { '$setElementOrder/ports': [{ port: 80 }, { port: 443 }], ports: [{ port: 443 }, { port: 80 }] },
    }));
    assert.equal(failure.status, 400);
    assert.match(failure.message, /\$setElementOrder/);
  });
});

describe('strategic merge patch: finalizers, a merged list of strings', () => {
  const live = { kind: 'Service', metadata: { name: 'web', finalizers: ['x', 'y'] } };
  const finalizers = (result: Json) => (result.metadata as Json).finalizers;

  it('adding a finalizer is a union: nothing duplicated, the new one first (as the API server orders it)', () => {
    assert.deepEqual(finalizers(valueOf(strategic('Service', live, { metadata: { finalizers: ['a'] } }))), ['a', 'x', 'y']);
    assert.deepEqual(finalizers(valueOf(strategic('Service', live, { metadata: { finalizers: ['y'] } }))), ['x', 'y']);
  });

  it('adds finalizers to an object that has none', () => {
    const result = valueOf(strategic('Service', { metadata: { name: 'web' } }, { metadata: { finalizers: ['a', 'b'] } }));
    assert.deepEqual(finalizers(result), ['a', 'b']);
  });

  it('$deleteFromPrimitiveList removes the listed values and leaves the rest in order', () => {
    const result = valueOf(strategic('Service', live, { metadata: { '$deleteFromPrimitiveList/finalizers': ['x', 'nope'] } }));
    assert.deepEqual(finalizers(result), ['y']);
  });

  it('kubectl apply adding and removing finalizers at once follows $setElementOrder', () => {
    const result = valueOf(strategic('Service', live, {
      metadata: {
        '$setElementOrder/finalizers': ['y', 'z'],
        '$deleteFromPrimitiveList/finalizers': ['x'],
        finalizers: ['z'],
      },
    }));
    assert.deepEqual(finalizers(result), ['y', 'z']);
  });

  it('null removes the whole list', () => {
    const result = valueOf(strategic('Service', live, { metadata: { finalizers: null } }));
    assert.equal(Object.hasOwn(result.metadata as Json, 'finalizers'), false);
  });

  it('refuses a $deleteFromPrimitiveList that is not a list with 400', () => {
    assert.equal(failureOf(strategic('Service', live, { metadata: { '$deleteFromPrimitiveList/finalizers': 'x' } })).status, 400);
  });
});

describe('strategic merge patch: map directives', () => {
  it('$patch: replace on a map makes the patch the whole map', () => {
    const result = valueOf(strategic('Service', service([]), { spec: { selector: { $patch: 'replace', app: 'api' } } }));
    assert.deepEqual((result.spec as Json).selector, { app: 'api' });
  });

  it('$patch: delete on a map empties it, as the API server does', () => {
    const result = valueOf(strategic('Service', service([]), { spec: { selector: { $patch: 'delete' } } }));
    assert.deepEqual((result.spec as Json).selector, {});
  });

  it('refuses an unknown $patch value with 400', () => {
    for (const patch of [{ spec: { $patch: 'merge' } }, { spec: { ports: [{ $patch: 'merge', port: 80 }] } }, { spec: { $patch: 'nope' } }]) {
      assert.equal(failureOf(strategic('Service', service([{ port: 80 }]), patch)).status, 400, JSON.stringify(patch));
    }
  });

  it('directives never appear in the result, also inside values the object did not have', () => {
    const result = valueOf(strategic('Pod', { kind: 'Pod', metadata: { name: 'p' } }, {
      metadata: { labels: { $patch: 'replace', a: 'b', gone: null } },
      spec: {
        containers: [{ name: 'c', env: [{ name: 'A', value: '1' }, { $patch: 'delete', name: 'B' }] }],
        '$setElementOrder/volumes': [{ name: 'v' }],
        volumes: [{ name: 'v', $retainKeys: ['name', 'emptyDir'], emptyDir: {} }],
        tolerations: [{ key: 't', $patch: 'delete', value: null }],
      },
    }));
    assert.deepEqual(result, {
      kind: 'Pod',
      metadata: { name: 'p', labels: { a: 'b' } },
      spec: {
        containers: [{ name: 'c', env: [{ name: 'A', value: '1' }] }],
        volumes: [{ name: 'v', emptyDir: {} }],
        tolerations: [{ key: 't' }],
      },
    });
    assert.doesNotMatch(JSON.stringify(result), /\$/);
  });
});
