// Names the strict schema accepts (DNS-1123 subdomains up to 253 characters) must make Event names
// the API server accepts: `<target name>.<16 hex>` was 270 characters for a long target name, so
// an EndpointSliceNotLinked Warning on a tenant's long-named slice was never recorded (422).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KubeWriter, eventName } from '../../../forwarder/actions/kubeWriter.ts';
import type { Json, KubeApi } from '../../../forwarder/kubeApi.ts';
import { kubernetesActionSchema } from '../../../shared/messages/kubernetesActionSchema.ts';

const longName = ['a'.repeat(63), 'b'.repeat(63), 'c'.repeat(63), 'd'.repeat(61)].join('.'); // 253 characters

describe('Events about objects with long names', () => {
  it('an Event the schema accepts gets a name Kubernetes accepts (at most 253 characters)', async () => {
    assert.equal(longName.length, 253);
    const action = kubernetesActionSchema.parse({
      kind: 'RecordKubernetesEvent',
      target: { kind: 'EndpointSlice', namespace: 'tenant-b', name: longName, uid: '7c3c1f0e-0000-4000-8000-000000000001' },
      type: 'Warning',
      reason: 'EndpointSliceNotLinked',
      message: 'not linked',
    });
    const posted: Json[] = [];
    const api: Pick<KubeApi, 'request'> = {
      request: (_method, _path, options) => {
        posted.push((options as { body: Json }).body);
        return Promise.resolve({});
      },
    };
    await new KubeWriter({ api, instance: 'test' }).apply(action);
    const name = ((posted[0]?.['metadata'] ?? {}) as Json)['name'] as string;
    assert.ok(name.length <= 253, `Event name is ${name.length} characters`);
  });

  it('cuts a long name to a valid DNS-1123 subdomain, never ending the cut on a dot or a dash', () => {
    const subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
    for (const cut of ['.', '-', 'x']) {
      const target = `${'a'.repeat(235)}${cut}${'b'.repeat(17)}`;
      const name = eventName(target, '0123456789abcdef');
      assert.ok(name.length <= 253, `${name.length}`);
      assert.match(name, subdomain);
    }
    assert.equal(eventName('web', '0123456789abcdef'), 'web.0123456789abcdef', 'a short name is kept whole');
  });
});
