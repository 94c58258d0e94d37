import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chainsByKey, objectKey } from '../../../forwarder/actions/actionChains.ts';
import type { ObjectRef } from '../../../shared/engine/types.ts';

const svc = (name: string, uid = `uid-${name}`, namespace = 'default'): ObjectRef => ({ kind: 'Service', namespace, name, uid });

describe('actions per object', () => {
  it('keys an object by kind, namespace and name, not UID: a re-created object stays in order with the old one', () => {
    assert.equal(objectKey(svc('web', 'a')), objectKey(svc('web', 'b')));
    assert.notEqual(objectKey(svc('web')), objectKey({ ...svc('web'), kind: 'Pod' }));
    assert.notEqual(objectKey(svc('web')), objectKey(svc('web', 'uid-web', 'other')));
    assert.notEqual(objectKey(svc('a/b')), objectKey(svc('b', 'uid', 'default/a')), 'names cannot run into namespaces');
    const node = { kind: 'Node', namespace: null, name: 'n1', uid: 'u' } as const;
    assert.notEqual(objectKey(node), objectKey({ ...node, namespace: 'null' }), 'a cluster-scoped object is not one in a namespace called "null"');
  });

  it('groups items by key, each group in the items\' order, groups in order of first appearance', () => {
    const items = ['x1', 'y1', 'x2', 'z1', 'y2', 'x3'];
    assert.deepEqual(chainsByKey(items, (i) => i[0]!), [['x1', 'x2', 'x3'], ['y1', 'y2'], ['z1']]);
  });

  it('returns no groups for no items', () => {
    assert.deepEqual(chainsByKey([], () => 'k'), []);
  });
});
