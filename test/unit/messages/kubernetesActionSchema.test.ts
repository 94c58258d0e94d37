// The k8s-actions schema is exactly what the engine means: every action its decide() emits parses
// as it was sent, and nothing else does: no unknown key, no finalizer on the other kind, no status
// patch of a Pod, no name or namespace Kubernetes itself would refuse (so none can bend a URL).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { POD_FINALIZER, SERVICE_FINALIZER } from '../../../shared/engine/types.ts';
import { isKubernetesAction, kubernetesActionSchema } from '../../../shared/messages/kubernetesActionSchema.ts';
import { parseKubernetesActionMessage } from '../../../shared/messages/parseMessage.ts';
import { CLUSTER, busyWorld } from './busyWorld.ts';

const service = { kind: 'Service', namespace: 'default', name: 'web', uid: 'u-1' } as const;
const pod = { kind: 'Pod', namespace: 'team-a', name: 'egress-1', uid: 'u-2' } as const;
const patch = { kind: 'PatchServiceStatus', target: service, ingressIp: '20.1.2.3', family: 'IPv4' } as const;

function reasonOf(action: unknown): string {
  const parsed = parseKubernetesActionMessage({ v: 1, cluster: CLUSTER, action });
  assert.equal(parsed.ok, false, `expected ${JSON.stringify(action)} to be refused`);
  return parsed.ok ? '' : parsed.reason;
}

describe('kubernetesActionSchema', () => {
  it('accepts, unchanged, every Kubernetes action a busy World\'s engine emitted', () => {
    const actions = busyWorld().commands.filter(isKubernetesAction);
    assert.deepEqual(new Set(actions.map((a) => a.kind)), new Set(['PatchServiceStatus', 'AddFinalizer', 'RemoveFinalizer', 'RecordKubernetesEvent']));
    assert.ok(actions.some((a) => a.target.kind === 'Pod') && actions.some((a) => a.target.kind === 'Service'));
    for (const a of actions) assert.deepEqual(kubernetesActionSchema.parse(a), a);
  });

  for (const name of ['../kube-system', '..', '.', 'web/status', 'a%2Fb', 'Web', 'web.', '-web', 'a'.repeat(254)]) {
    it(`refuses the object name ${JSON.stringify(name.length > 20 ? `${name.slice(0, 8)}…` : name)}`, () => {
      assert.match(reasonOf({ ...patch, target: { ...service, name } }), /^action\.target\.name: expected (a DNS-1123 subdomain|<= 253 characters)/);
    });
  }

  for (const namespace of ['../kube-system', '..', 'kube-system/pods', 'a%2F', 'a.b', 'Default', 'n'.repeat(64)]) {
    it(`refuses the namespace ${JSON.stringify(namespace.length > 20 ? `${namespace.slice(0, 8)}…` : namespace)}`, () => {
      assert.match(reasonOf({ kind: 'AddFinalizer', target: { ...pod, namespace }, finalizer: POD_FINALIZER }), /^action\.target\.namespace: expected (a DNS-1123 label|<= 63 characters)/);
    });
  }

  it('refuses an Event about an object whose name or namespace Kubernetes would refuse', () => {
    const event = { kind: 'RecordKubernetesEvent', target: { ...service, kind: 'Node', namespace: null }, type: 'Warning', reason: 'R', message: 'm' };
    assert.equal(kubernetesActionSchema.safeParse(event).success, true);
    assert.match(reasonOf({ ...event, target: { ...event.target, name: '../x' } }), /^action\.target\.name: expected a DNS-1123 subdomain/);
    assert.match(reasonOf({ ...event, target: { ...event.target, namespace: '..' } }), /^action\.target\.namespace: expected a DNS-1123 label/);
  });

  it('refuses a PatchServiceStatus that carries anything beside the ingress IP and its family', () => {
    assert.match(reasonOf({ ...patch, status: { conditions: [] } }), /^action: unexpected field status/);
    assert.match(reasonOf({ ...patch, spec: { type: 'ClusterIP' } }), /^action: unexpected field spec/);
    assert.match(reasonOf({ ...patch, target: { ...service, subresource: 'status' } }), /^action\.target: unexpected field subresource/);
  });

  it('refuses a PatchServiceStatus of a Pod, and an ingress IP of another family or none at all', () => {
    assert.match(reasonOf({ ...patch, target: { ...service, kind: 'Pod' } }), /^action\.target\.kind: expected "Service"/);
    assert.match(reasonOf({ ...patch, ingressIp: '2001:db8::1' }), /^action\.ingressIp: expected an IP address of the action's family/);
    assert.match(reasonOf({ ...patch, ingressIp: 'evil.example.com' }), /^action\.ingressIp: expected an IP address/);
  });

  it('refuses each finalizer on the other kind: the pod finalizer on a Service, the Service finalizer on a Pod', () => {
    for (const kind of ['AddFinalizer', 'RemoveFinalizer']) {
      assert.match(reasonOf({ kind, target: service, finalizer: POD_FINALIZER }), /^action\.target\.kind: expected "Pod"/);
      assert.match(reasonOf({ kind, target: pod, finalizer: SERVICE_FINALIZER }), /^action\.target\.kind: expected "Service"/);
      assert.match(reasonOf({ kind, target: pod, finalizer: POD_FINALIZER, patch: { metadata: {} } }), /^action: unexpected field patch/);
    }
  });
});
