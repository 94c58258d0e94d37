// The PATCH entry point: Content-Type → patch type, dispatch to the four patch kinds, the
// server-side apply body (YAML or JSON text, applied as a strategic merge patch), the rule that
// the result must be an object, and that no input is ever mutated or shared with the result.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyPatch, patchTypeOf } from '../../../../local/sim/kube/patch.ts';
import type { PatchType } from '../../../../local/sim/kube/patch.ts';
import { deepFreeze, failureOf, valueOf } from './patchTestHelpers.ts';
import type { Json } from './patchTestHelpers.ts';

function service(): Json {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'default', labels: { app: 'web' }, finalizers: ['f'] },
    spec: { type: 'LoadBalancer', ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
  };
}

describe('patchTypeOf', () => {
  it('maps each patch media type to its patch type', () => {
    assert.equal(patchTypeOf('application/json-patch+json'), 'json');
    assert.equal(patchTypeOf('application/merge-patch+json'), 'merge');
    assert.equal(patchTypeOf('application/strategic-merge-patch+json'), 'strategic');
    assert.equal(patchTypeOf('application/apply-patch+yaml'), 'apply');
  });

  it('ignores parameters, case and spaces', () => {
    assert.equal(patchTypeOf('application/merge-patch+json; charset=utf-8'), 'merge');
    assert.equal(patchTypeOf(' Application/Apply-Patch+YAML ;charset=UTF-8'), 'apply');
  });

  it('answers null (415) for other or missing content types', () => {
    for (const contentType of [undefined, '', 'application/json', 'text/plain', 'application/yaml', 'application/json-patch']) {
      assert.equal(patchTypeOf(contentType), null, String(contentType));
    }
  });
});

describe('applyPatch', () => {
  it('dispatches on the patch type: the same list patch merges for strategic and replaces for merge', () => {
    const patch = { spec: { ports: [{ port: 443 }] } };
    const merged = valueOf(applyPatch('strategic', 'Service', deepFreeze(service()), deepFreeze(patch)));
    const replaced = valueOf(applyPatch('merge', 'Service', deepFreeze(service()), deepFreeze(patch)));
    assert.deepEqual((merged.spec as Json).ports, [{ port: 443 }, { name: 'http', port: 80, targetPort: 8080 }]);
    assert.deepEqual((replaced.spec as Json).ports, [{ port: 443 }]);
  });

  it('refuses a result that is not an object with 422', () => {
    for (const value of [[1], 'x', null, 3]) {
      const failure = failureOf(applyPatch('json', 'Service', service(), [{ op: 'replace', path: '', value }]));
      assert.equal(failure.status, 422, JSON.stringify(value));
    }
    assert.deepEqual(valueOf(applyPatch('json', 'Service', service(), [{ op: 'replace', path: '', value: { a: 1 } }])), { a: 1 });
  });

  it('never mutates the target or the patch, and the result shares nothing with them', () => {
    const cases: [PatchType, unknown][] = [
      ['json', [{ op: 'add', path: '/spec/ports/0/targetPort', value: 9090 }, { op: 'remove', path: '/metadata/labels/app' },
        { op: 'copy', from: '/spec/ports/0', path: '/spec/ports/-' }, { op: 'move', from: '/metadata/finalizers', path: '/f' },
        { op: 'add', path: '/spec/selector', value: { app: 'web' } }, { op: 'replace', path: '/spec/selector/app', value: 'api' }]],
      ['merge', { metadata: { labels: { app: null, x: 'y' } }, spec: { ports: [{ port: 1 }] } }],
      ['strategic', { metadata: { labels: { app: null }, finalizers: ['g'] }, spec: { ports: [{ port: 80, targetPort: 9090 }] } }],
      ['apply', 'metadata:\n  labels:\n    x: y\nspec:\n  ports:\n  - port: 80\n    targetPort: 9090\n'],
    ];
    for (const [type, patch] of cases) {
      const target = deepFreeze(service());
      const result = valueOf(applyPatch(type, 'Service', target, deepFreeze(patch)));
      assert.deepEqual(target, service(), type);
      assert.notDeepEqual(result, service(), type);
      // Frozen parts of the inputs would make these writes throw.
      (result.metadata as Json).touched = true;
      ((result.spec as Json).ports as Json[]).push({ port: 1 });
    }
  });
});

describe('applyPatch with server-side apply', () => {
  it('applies a YAML configuration as a strategic merge patch', () => {
    const yaml = [
      'apiVersion: v1',
      'kind: Service',
      'metadata:',
      '  name: web',
      '  annotations:',
      '    example.com/owner: team-a',
      'spec:',
      '  ports:',
      '  - name: http',
      '    port: 80',
      '    targetPort: 8081',
      '',
    ].join('\n');
    const result = valueOf(applyPatch('apply', 'Service', deepFreeze(service()), yaml));
    assert.deepEqual(result.metadata, {
      name: 'web', namespace: 'default', labels: { app: 'web' }, finalizers: ['f'],
      annotations: { 'example.com/owner': 'team-a' },
    });
    assert.deepEqual((result.spec as Json).ports, [{ name: 'http', port: 80, targetPort: 8081 }]);
    assert.equal((result.spec as Json).type, 'LoadBalancer');
  });

  it('accepts JSON text, which is YAML too', () => {
    const result = valueOf(applyPatch('apply', 'Service', service(), '{"spec":{"type":"ClusterIP"}}'));
    assert.equal((result.spec as Json).type, 'ClusterIP');
  });

  it('keeps a built-in kind as plain JSON: timestamps stay strings and unknown fields stay', () => {
    const yaml = 'apiVersion: v1\nkind: Service\nmetadata:\n  creationTimestamp: 2024-05-01T10:00:00Z\nspec:\n  simulatorOnly: true\n';
    const result = valueOf(applyPatch('apply', 'Service', service(), yaml));
    assert.equal((result.metadata as Json).creationTimestamp, '2024-05-01T10:00:00Z');
    assert.equal((result.spec as Json).simulatorOnly, true);
    assert.equal(Object.getPrototypeOf(result.metadata), Object.prototype);
  });

  it('accepts a leading "---", CRLF line endings and block scalars', () => {
    const yaml = '# web\r\n---\r\napiVersion: v1\r\nkind: Service\r\nmetadata:\r\n  annotations:\r\n    note: |\r\n      line one\r\n        indented\r\n';
    const result = valueOf(applyPatch('apply', 'Service', service(), yaml));
    assert.deepEqual((result.metadata as Json).annotations, { note: 'line one\n  indented\n' });
  });

  it('refuses bad YAML, a body that is not one object, and a body that is not text with 400', () => {
    const bodies: unknown[] = ['spec: [\n', 'a: 1\n---\nb: 2\n', '- a\n- b\n', 'just text', '', 'x: .nan\n', { spec: {} }];
    for (const body of bodies) {
      const failure = failureOf(applyPatch('apply', 'Service', service(), body));
      assert.equal(failure.status, 400, JSON.stringify(body));
    }
  });

  it('names the YAML problem in the message', () => {
    assert.match(failureOf(applyPatch('apply', 'Service', service(), 'spec: [\n')).message, /YAML/);
  });
});
