// Object validation after defaulting: the field paths and messages of the real validators.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyDefaults } from '../../../../local/sim/kube/defaults.ts';
import { resourceOfKind } from '../../../../local/sim/kube/resources.ts';
import type { KubeObject } from '../../../../local/sim/kube/types.ts';
import { podUpdateErrors, validateObject } from '../../../../local/sim/kube/validation.ts';

function errorsOf(obj: KubeObject, old?: KubeObject): string[] {
  const kind = String(obj['kind']);
  applyDefaults(kind, obj);
  return validateObject(resourceOfKind(kind), obj, old).map((e) => `${e.field}: ${e.detail}`);
}

function svc(spec: Record<string, unknown>, name = 'web'): KubeObject {
  return { kind: 'Service', metadata: { name, namespace: 'default' }, spec };
}

describe('validateObject: Service', () => {
  it('accepts a defaulted LoadBalancer Service', () => {
    assert.deepEqual(errorsOf(svc({ type: 'LoadBalancer', ports: [{ port: 80 }] })), []);
  });

  it('requires a DNS-1035 label as the name', () => {
    const [e] = errorsOf(svc({ ports: [{ port: 80 }] }, '1web'));
    assert.match(e ?? '', /^metadata\.name: Invalid value: "1web": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character/);
  });

  it('requires a name', () => {
    assert.deepEqual(errorsOf(svc({ ports: [{ port: 80 }] }, '')), ['metadata.name: Required value: name or generateName is required']);
  });

  it('rejects a port outside 1-65535, an unknown protocol and an unknown type', () => {
    assert.deepEqual(errorsOf(svc({ type: 'Special', ports: [{ port: 0, targetPort: 80, protocol: 'ICMP' }] })), [
      'spec.type: Unsupported value: "Special": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
      'spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive',
      'spec.ports[0].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"',
    ]);
  });

  it('requires ports unless headless, and names for more than one port', () => {
    assert.deepEqual(errorsOf(svc({ type: 'ClusterIP' })), ['spec.ports: Required value']);
    assert.deepEqual(errorsOf(svc({ clusterIP: 'None' })), []);
    assert.deepEqual(errorsOf(svc({ ports: [{ port: 80 }, { name: 'b', port: 81 }] })), ['spec.ports[0].name: Required value']);
  });

  it('refuses a changed cluster IP on update', () => {
    const old = svc({ clusterIP: '10.0.1.1', ports: [{ port: 80 }] });
    assert.deepEqual(errorsOf(svc({ clusterIP: '10.0.1.2', ports: [{ port: 80 }] }), old), ['spec.clusterIPs[0]: Invalid value: ["10.0.1.2"]: may not change once set']);
  });
});

describe('validateObject: metadata', () => {
  it('rejects bad label keys and values', () => {
    const obj = svc({ ports: [{ port: 80 }] });
    (obj['metadata'] as Record<string, unknown>)['labels'] = { 'bad key': 'ok', good: 'bad value!' };
    const errs = errorsOf(obj);
    assert.equal(errs.length, 2);
    assert.ok(errs.every((e) => e.startsWith('metadata.labels: Invalid value:')));
  });

  it('forbids adding a finalizer to an object being deleted', () => {
    const old = svc({ ports: [{ port: 80 }] });
    (old['metadata'] as Record<string, unknown>)['deletionTimestamp'] = '2026-01-01T00:00:00Z';
    (old['metadata'] as Record<string, unknown>)['finalizers'] = ['a.io/x'];
    const next = svc({ ports: [{ port: 80 }] });
    (next['metadata'] as Record<string, unknown>)['finalizers'] = ['a.io/x', 'b.io/y'];
    assert.deepEqual(errorsOf(next, old), ['metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"b.io/y"}']);
  });
});

describe('validateObject: EndpointSlice', () => {
  const slice = (addressType: unknown, addresses: string[]): KubeObject => ({
    kind: 'EndpointSlice', metadata: { name: 's', namespace: 'default' }, addressType, endpoints: [{ addresses }], ports: [{ port: 8080 }],
  });

  it('accepts IPv4, IPv6 and FQDN addresses of the right shape', () => {
    assert.deepEqual(errorsOf(slice('IPv4', ['10.0.0.1'])), []);
    assert.deepEqual(errorsOf(slice('IPv6', ['fd00::1'])), []);
    assert.deepEqual(errorsOf(slice('FQDN', ['web.example.com'])), []);
  });

  it('rejects an unknown addressType and an address of the wrong family', () => {
    assert.deepEqual(errorsOf(slice('IPv5', ['10.0.0.1'])), ['addressType: Unsupported value: "IPv5": supported values: "FQDN", "IPv4", "IPv6"']);
    assert.deepEqual(errorsOf(slice('IPv4', ['fd00::1'])), ['endpoints[0].addresses[0]: Invalid value: "fd00::1": must be a valid IPv4 address']);
  });

  it('keeps addressType immutable', () => {
    assert.deepEqual(errorsOf(slice('IPv6', ['fd00::1']), slice('IPv4', ['10.0.0.1'])), ['addressType: Invalid value: "IPv6": field is immutable']);
  });
});

describe('validateObject and podUpdateErrors: Pod', () => {
  const p = (containers: unknown[], extra: Record<string, unknown> = {}): KubeObject => ({ kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers, ...extra } });

  it('requires containers with a name and an image', () => {
    assert.deepEqual(errorsOf(p([])), ['spec.containers: Required value']);
    assert.deepEqual(errorsOf(p([{ name: 'c' }])), ['spec.containers[0].image: Required value']);
  });

  it('allows an image change but not a node name on update', () => {
    const old = p([{ name: 'c', image: 'a:1' }]);
    assert.deepEqual(podUpdateErrors(p([{ name: 'c', image: 'a:2' }]), old), []);
    assert.equal(podUpdateErrors(p([{ name: 'c', image: 'a:1' }], { nodeName: 'n' }), old).length, 1);
  });
});
