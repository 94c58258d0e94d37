// Strategic merge patch merge keys beyond Service ports: Pod containers, initContainers and their
// env and ports, volumes with $retainKeys, Pod and Node status lists, and ownerReferences, as the
// Kubernetes API types' patchMergeKey tags define them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyPatch } from '../../../../local/sim/kube/patch.ts';
import { deepFreeze, failureOf, valueOf } from './patchTestHelpers.ts';
import type { Json } from './patchTestHelpers.ts';

function strategic(kind: string, target: Json, patch: unknown) {
  return applyPatch('strategic', kind, deepFreeze(target), deepFreeze(patch));
}

function pod(): Json {
  return {
    kind: 'Pod',
    metadata: { name: 'web-0' },
    spec: {
      containers: [
        { name: 'app', image: 'app:1', ports: [{ containerPort: 8080, name: 'http' }], env: [{ name: 'A', value: '1' }] },
        { name: 'sidecar', image: 'proxy:1' },
      ],
      initContainers: [{ name: 'init', image: 'init:1', env: [{ name: 'X', value: 'x' }] }],
      volumes: [{ name: 'data', emptyDir: {} }],
      tolerations: [{ key: 'a', operator: 'Exists' }, { key: 'b', operator: 'Exists' }],
    },
    status: { podIPs: [{ ip: '10.244.0.5' }], conditions: [{ type: 'Ready', status: 'False' }] },
  };
}

describe('strategic merge patch: Pod, Node and metadata merge keys', () => {
  it('merges containers by name, and their env by name and ports by containerPort', () => {
    const result = valueOf(strategic('Pod', pod(), {
      spec: {
        containers: [{
          name: 'app',
          image: 'app:2',
          env: [{ name: 'B', value: '2' }, { name: 'A', value: '9' }],
          ports: [{ containerPort: 8080, protocol: 'TCP' }],
        }],
      },
    }));
    const containers = (result.spec as Json).containers as Json[];
    assert.deepEqual(containers.map((c) => c.name), ['app', 'sidecar']);
    assert.equal(containers[0]?.image, 'app:2');
    assert.deepEqual(containers[0]?.env, [{ name: 'B', value: '2' }, { name: 'A', value: '9' }]);
    assert.deepEqual(containers[0]?.ports, [{ containerPort: 8080, name: 'http', protocol: 'TCP' }]);
    assert.deepEqual(containers[1], { name: 'sidecar', image: 'proxy:1' });
  });

  it('merges initContainers and their env by name, and removes an env var with $patch: delete', () => {
    const result = valueOf(strategic('Pod', pod(), {
      spec: { initContainers: [{ name: 'init', env: [{ $patch: 'delete', name: 'X' }, { name: 'Y', value: 'y' }] }] },
    }));
    assert.deepEqual((result.spec as Json).initContainers, [{ name: 'init', image: 'init:1', env: [{ name: 'Y', value: 'y' }] }]);
  });

  it('$retainKeys on a volume drops the old volume source when switching to another', () => {
    const result = valueOf(strategic('Pod', pod(), {
      spec: { volumes: [{ name: 'data', $retainKeys: ['configMap', 'name'], configMap: { name: 'cfg' } }] },
    }));
    assert.deepEqual((result.spec as Json).volumes, [{ name: 'data', configMap: { name: 'cfg' } }]);
  });

  it('refuses $retainKeys that does not list a key the patch sets with 400', () => {
    const failure = failureOf(strategic('Pod', pod(), {
      spec: { volumes: [{ name: 'data', $retainKeys: ['name'], configMap: { name: 'cfg' } }] },
    }));
    assert.equal(failure.status, 400);
    assert.match(failure.message, /configMap/);
  });

  it('merges Pod status.podIPs by ip and status.conditions by type', () => {
    const result = valueOf(strategic('Pod', pod(), {
      status: { podIPs: [{ ip: 'fd00::5' }], conditions: [{ type: 'Ready', status: 'True' }] },
    }));
    assert.deepEqual((result.status as Json).podIPs, [{ ip: 'fd00::5' }, { ip: '10.244.0.5' }]);
    assert.deepEqual((result.status as Json).conditions, [{ type: 'Ready', status: 'True' }]);
  });

  it('merges Node status.addresses and conditions by type', () => {
    const node = {
      kind: 'Node',
      status: {
        addresses: [{ type: 'InternalIP', address: '10.0.0.4' }, { type: 'Hostname', address: 'node-a' }],
        conditions: [{ type: 'Ready', status: 'True' }, { type: 'MemoryPressure', status: 'False' }],
      },
    };
    const result = valueOf(strategic('Node', node, {
      status: {
        '$setElementOrder/addresses': [{ type: 'InternalIP' }, { type: 'Hostname' }],
        addresses: [{ type: 'InternalIP', address: '10.0.0.5' }],
        conditions: [{ type: 'Ready', status: 'False', reason: 'KubeletNotReady' }],
      },
    }));
    assert.deepEqual((result.status as Json).addresses, [
      { type: 'InternalIP', address: '10.0.0.5' }, { type: 'Hostname', address: 'node-a' },
    ]);
    assert.deepEqual((result.status as Json).conditions, [
      { type: 'Ready', status: 'False', reason: 'KubeletNotReady' }, { type: 'MemoryPressure', status: 'False' },
    ]);
  });

  it('merges metadata.ownerReferences by uid', () => {
    const slice = { kind: 'EndpointSlice', metadata: { ownerReferences: [{ kind: 'Service', name: 'web', uid: 'u1' }] } };
    const result = valueOf(strategic('EndpointSlice', slice, {
      metadata: { ownerReferences: [{ uid: 'u1', controller: true }, { kind: 'Service', name: 'api', uid: 'u2' }] },
    }));
    assert.deepEqual((result.metadata as Json).ownerReferences, [
      { kind: 'Service', name: 'web', uid: 'u1', controller: true }, { kind: 'Service', name: 'api', uid: 'u2' },
    ]);
  });
});
