// The forwarder's ValidatingAdmissionPolicy, evaluated as the API server evaluates it: the very CEL
// expressions of infra/k8s/admissionpolicy.yaml, run by a CEL evaluator (@bufbuild/cel) with
// `request`, `object`, `oldObject` and `variables` bound as admission binds them, against the
// writes the forwarder makes (allowed) and the ones its `patch` permission would otherwise allow.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { isCelError, run } from '@bufbuild/cel';
import type { CelInput } from '@bufbuild/cel';
import { loadAllYaml } from '@kubernetes/client-node';
import { EGRESS_LABEL, POD_FINALIZER, SERVICE_FINALIZER } from '../../../shared/engine/types.ts';

type Json = Record<string, unknown>;

const FORWARDER = 'system:serviceaccount:servicegateway-system:servicegateway-forwarder';
const text = readFileSync(new URL('../../../infra/k8s/admissionpolicy.yaml', import.meta.url), 'utf8');
// loadAllYaml turns built-in kinds into client models; renamed, the documents come back as written.
const docs = (loadAllYaml(text.replace(/^kind:[ \t]*/gm, 'kind: Unchecked')) as Json[]).map((d) => JSON.parse(JSON.stringify(d)) as Json);
const policyDoc = docs.find((d) => d['kind'] === 'UncheckedValidatingAdmissionPolicy');
assert.ok(policyDoc, 'admissionpolicy.yaml holds the policy');
const policy = policyDoc['spec'] as {
  matchConstraints: { resourceRules: { apiGroups: string[]; apiVersions: string[]; operations: string[]; resources: string[] }[] };
  matchConditions: { name: string; expression: string }[];
  variables: { name: string; expression: string }[];
  validations: { expression: string; message: string }[];
};

/** JSON as CEL sees it: objects as maps, lists as lists. */
function toCel(v: unknown): CelInput {
  if (Array.isArray(v)) return v.map(toCel);
  if (v !== null && typeof v === 'object') return new Map(Object.entries(v).map(([k, x]) => [k, toCel(x)]));
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v === null) return v;
  throw new Error(`not JSON: ${typeof v}`);
}

function evaluate(expression: string, bindings: Record<string, CelInput>): unknown {
  const result = run(expression, bindings);
  // failurePolicy Fail: an expression that errs denies the request; here it is a broken expression.
  if (isCelError(result)) assert.fail(`${expression.slice(0, 60)}…: ${String(result.message)}`);
  return result;
}

interface Request {
  readonly username?: string;
  readonly operation?: 'UPDATE' | 'CREATE' | 'DELETE';
  readonly resource: 'services' | 'pods';
  readonly subResource?: 'status';
  readonly object: Json;
  readonly oldObject: Json;
}

type Verdict = 'not matched' | 'allowed' | `denied: ${string}`;

/** What the API server decides: the rules and matchConditions select, then every validation must hold. */
function admit(r: Request): Verdict {
  const operation = r.operation ?? 'UPDATE';
  const path = r.subResource === undefined ? r.resource : `${r.resource}/${r.subResource}`;
  const ruled = policy.matchConstraints.resourceRules.some((rule) => rule.apiGroups.includes('') && rule.apiVersions.includes('v1') && rule.operations.includes(operation) && rule.resources.includes(path));
  if (!ruled) return 'not matched';
  const meta = r.object['metadata'] as Json;
  const request = toCel({
    operation,
    userInfo: { username: r.username ?? FORWARDER, groups: ['system:serviceaccounts'] },
    resource: { group: '', version: 'v1', resource: r.resource },
    subResource: r.subResource ?? '',
    name: meta['name'],
    namespace: meta['namespace'],
  });
  const bindings: Record<string, CelInput> = { request, object: toCel(r.object), oldObject: toCel(r.oldObject) };
  if (!policy.matchConditions.every((c) => evaluate(c.expression, bindings) === true)) return 'not matched';
  // The API server evaluates each variable once, in order, each seeing the ones before it.
  const variables = new Map<string, CelInput>();
  bindings['variables'] = variables;
  for (const v of policy.variables) variables.set(v.name, evaluate(v.expression, bindings) as CelInput);
  const failed = policy.validations.find((v) => evaluate(v.expression, bindings) !== true);
  return failed === undefined ? 'allowed' : `denied: ${failed.message}`;
}

const ONLY_FINALIZERS = 'denied: the Service Gateway forwarder may change only metadata.finalizers of a Service or Pod';
const OWN_FINALIZER = 'denied: the Service Gateway forwarder may add or remove only its own finalizer of the object\'s kind';
const ONLY_INGRESS = 'denied: through services/status the Service Gateway forwarder may change only status.loadBalancer.ingress';
const SERVED_INGRESS = 'denied: through services/status the Service Gateway forwarder may write only the ingress of a LoadBalancer Service it serves (no loadBalancerClass, its finalizer)';
const SERVED_FINALIZER = 'denied: the Service Gateway forwarder may add its finalizer only to a LoadBalancer Service without a loadBalancerClass, or to a pod with the egress label';

function service(change: (s: Json & { metadata: Json; spec: Json; status: Json }) => void = () => undefined): Json {
  const s = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: 'web', namespace: 'team-a', uid: '6f1c', resourceVersion: '41', generation: 1, creationTimestamp: '2026-01-01T00:00:00Z',
      labels: { app: 'web' }, finalizers: ['service.kubernetes.io/load-balancer-cleanup'],
      managedFields: [{ manager: 'kubectl', operation: 'Update', apiVersion: 'v1' }],
    },
    spec: { type: 'LoadBalancer', selector: { app: 'web' }, ports: [{ protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 31000 }], clusterIP: '10.0.1.7' },
    status: { loadBalancer: { ingress: [{ ip: '20.1.2.3', ipMode: 'VIP' }] } },
  };
  change(s);
  return s;
}

function pod(change: (p: Json & { metadata: Json; spec: { containers: Json[] } }) => void = () => undefined): Json {
  const p = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'egress-1', namespace: 'team-a', uid: '9a2e', resourceVersion: '77', labels: { [EGRESS_LABEL]: 'team-a' } },
    spec: { nodeName: 'node-a', containers: [{ name: 'app', image: 'registry.example/app:1.0' }] },
    status: { phase: 'Running', podIPs: [{ ip: '10.244.1.1' }] },
  };
  change(p);
  return p;
}

/** The object after the server applied the patch: a new resourceVersion and managedFields entry, whatever was sent. */
function written(obj: Json): Json {
  const meta = obj['metadata'] as Json;
  return { ...obj, metadata: { ...meta, resourceVersion: '42', managedFields: [{ manager: 'servicegateway-forwarder', operation: 'Update', apiVersion: 'v1' }] } };
}

const finalizers = (o: Json, list: string[]): void => {
  (o['metadata'] as Json)['finalizers'] = list;
};

describe('the forwarder admission policy, on Services', () => {
  const old = service();

  it('allows adding our finalizer, and removing it again', () => {
    const withOurs = service((s) => finalizers(s, ['service.kubernetes.io/load-balancer-cleanup', SERVICE_FINALIZER]));
    assert.equal(admit({ resource: 'services', oldObject: old, object: written(withOurs) }), 'allowed');
    assert.equal(admit({ resource: 'services', oldObject: withOurs, object: written(old) }), 'allowed');
    const none = service((s) => delete s.metadata['finalizers']);
    assert.equal(admit({ resource: 'services', oldObject: none, object: written(service((s) => finalizers(s, [SERVICE_FINALIZER]))) }), 'allowed', 'from no finalizers at all');
  });

  it('denies adding another finalizer, or the pod finalizer, or removing someone else\'s', () => {
    assert.equal(admit({ resource: 'services', oldObject: old, object: service((s) => finalizers(s, ['service.kubernetes.io/load-balancer-cleanup', 'example.com/hold'])) }), OWN_FINALIZER);
    assert.equal(admit({ resource: 'services', oldObject: old, object: service((s) => finalizers(s, ['service.kubernetes.io/load-balancer-cleanup', POD_FINALIZER])) }), OWN_FINALIZER);
    assert.equal(admit({ resource: 'services', oldObject: old, object: service((s) => finalizers(s, [SERVICE_FINALIZER])) }), OWN_FINALIZER);
  });

  it('denies changing labels, annotations or ownerReferences, even beside our finalizer', () => {
    assert.equal(admit({ resource: 'services', oldObject: old, object: service((s) => (s.metadata['labels'] = { app: 'other' })) }), ONLY_FINALIZERS);
    assert.equal(admit({ resource: 'services', oldObject: old, object: service((s) => delete s.metadata['labels']) }), ONLY_FINALIZERS);
    assert.equal(admit({ resource: 'services', oldObject: old, object: service((s) => (s.metadata['annotations'] = { 'service.beta.kubernetes.io/azure-load-balancer-internal': 'false' })) }), ONLY_FINALIZERS);
    assert.equal(admit({ resource: 'services', oldObject: old, object: service((s) => (s.metadata['ownerReferences'] = [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'x', uid: 'u' }])) }), ONLY_FINALIZERS);
    const both = service((s) => {
      finalizers(s, ['service.kubernetes.io/load-balancer-cleanup', SERVICE_FINALIZER]);
      s.metadata['labels'] = { app: 'web', hijacked: 'yes' };
    });
    assert.equal(admit({ resource: 'services', oldObject: old, object: both }), ONLY_FINALIZERS);
  });

  it('denies changing the spec: type, selector, ports', () => {
    assert.equal(admit({ resource: 'services', oldObject: old, object: service((s) => (s.spec['type'] = 'ClusterIP')) }), ONLY_FINALIZERS);
    assert.equal(admit({ resource: 'services', oldObject: old, object: service((s) => (s.spec['selector'] = { app: 'attacker' })) }), ONLY_FINALIZERS);
    assert.equal(admit({ resource: 'services', oldObject: old, object: service((s) => (s.spec['ports'] = [{ protocol: 'TCP', port: 22, targetPort: 22, nodePort: 31000 }])) }), ONLY_FINALIZERS);
  });
});

describe('the forwarder admission policy, on services/status', () => {
  /** A Service the engine serves and has claimed: the only kind whose ingress it may write. */
  const served = (change: Parameters<typeof service>[0] = () => undefined): Json =>
    service((s) => {
      finalizers(s, ['service.kubernetes.io/load-balancer-cleanup', SERVICE_FINALIZER]);
      change(s);
    });
  const old = served();

  it('allows a status patch that changes the ingress', () => {
    const moved = served((s) => (s.status['loadBalancer'] = { ingress: [{ ip: '20.1.2.4' }, { ip: '2001:db8::4' }] }));
    assert.equal(admit({ resource: 'services', subResource: 'status', oldObject: old, object: written(moved) }), 'allowed');
    const first = served((s) => (s.status['loadBalancer'] = {}));
    assert.equal(admit({ resource: 'services', subResource: 'status', oldObject: first, object: written(old) }), 'allowed', 'the first IP');
  });

  it('denies a status patch that changes the conditions', () => {
    const conditions = served((s) => (s.status['conditions'] = [{ type: 'LoadBalancerReady', status: 'True', reason: 'Ok', message: '', lastTransitionTime: '2026-01-01T00:00:00Z' }]));
    assert.equal(admit({ resource: 'services', subResource: 'status', oldObject: old, object: conditions }), ONLY_INGRESS);
    assert.equal(admit({ resource: 'services', subResource: 'status', oldObject: conditions, object: old }), ONLY_INGRESS, 'nor clears them');
  });

  it('denies a status request that carries spec, label or finalizer changes', () => {
    assert.equal(admit({ resource: 'services', subResource: 'status', oldObject: old, object: served((s) => (s.spec['type'] = 'NodePort')) }), ONLY_INGRESS);
    assert.equal(admit({ resource: 'services', subResource: 'status', oldObject: old, object: served((s) => (s.metadata['labels'] = {})) }), ONLY_INGRESS);
    assert.equal(admit({ resource: 'services', subResource: 'status', oldObject: old, object: served((s) => finalizers(s, [])) }), ONLY_INGRESS);
  });
});

describe('the forwarder admission policy, on Pods', () => {
  const old = pod();

  it('allows adding and removing the pod finalizer', () => {
    const withOurs = pod((p) => finalizers(p, [POD_FINALIZER]));
    assert.equal(admit({ resource: 'pods', oldObject: old, object: written(withOurs) }), 'allowed');
    assert.equal(admit({ resource: 'pods', oldObject: withOurs, object: written(old) }), 'allowed');
  });

  it('denies changing a container image, the labels, or another finalizer', () => {
    assert.equal(admit({ resource: 'pods', oldObject: old, object: pod((p) => (p.spec.containers[0]!['image'] = 'attacker.example/miner:latest')) }), ONLY_FINALIZERS);
    assert.equal(admit({ resource: 'pods', oldObject: old, object: pod((p) => (p.metadata['labels'] = {})) }), ONLY_FINALIZERS);
    assert.equal(admit({ resource: 'pods', oldObject: old, object: pod((p) => finalizers(p, [SERVICE_FINALIZER])) }), OWN_FINALIZER, 'the Service finalizer is not the pod\'s');
    assert.equal(admit({ resource: 'pods', oldObject: old, object: pod((p) => finalizers(p, ['example.com/hold'])) }), OWN_FINALIZER);
  });
});

describe('the forwarder admission policy selects the forwarder\'s updates only', () => {
  it('does not match another user\'s request, however it changes the object', () => {
    const request: Request = { resource: 'pods', oldObject: pod(), object: pod((p) => (p.spec.containers[0]!['image'] = 'other:2')) };
    assert.equal(admit(request), ONLY_FINALIZERS, 'denied to the forwarder');
    for (const username of ['system:serviceaccount:kube-system:deployment-controller', 'system:serviceaccount:servicegateway-system:default', 'alice@example.com', 'system:serviceaccount:servicegateway-system:servicegateway-forwarder-2']) {
      assert.equal(admit({ ...request, username }), 'not matched', username);
    }
  });

  it('does not match creates and deletes (the ClusterRole grants neither)', () => {
    assert.equal(admit({ resource: 'services', operation: 'CREATE', oldObject: service(), object: service() }), 'not matched');
    assert.equal(admit({ resource: 'pods', operation: 'DELETE', oldObject: pod(), object: pod() }), 'not matched');
  });

  it('is bound with validationActions Deny to this policy', () => {
    const binding = docs.find((d) => d['kind'] === 'UncheckedValidatingAdmissionPolicyBinding');
    assert.deepEqual(binding?.['spec'], { policyName: (policyDoc['metadata'] as Json)['name'], validationActions: ['Deny'] });
  });
});

const STATUS_WRITE = (s: Json & { status: Json }): void => {
  s.status['loadBalancer'] = { ingress: [{ ip: '8.8.8.8', ipMode: 'VIP' }] };
};

describe('the forwarder admission policy mirrors the writer\'s ownership rule (ownership.ts)', () => {
  it('denies an ingress status write on a ClusterIP Service (CVE-2020-8554: in-cluster traffic to 8.8.8.8 captured)', () => {
    const dns = service((s) => {
      s.metadata['namespace'] = 'kube-system';
      s.metadata['name'] = 'kube-dns';
      s.metadata['finalizers'] = [];
      s.spec['type'] = 'ClusterIP';
      s.status['loadBalancer'] = {};
    });
    const hijacked = service((s) => {
      s.metadata['namespace'] = 'kube-system';
      s.metadata['name'] = 'kube-dns';
      s.metadata['finalizers'] = [];
      s.spec['type'] = 'ClusterIP';
      STATUS_WRITE(s);
    });
    assert.equal(admit({ resource: 'services', subResource: 'status', oldObject: dns, object: written(hijacked) }), SERVED_INGRESS);
  });

  it('denies an ingress status write on another controller\'s LoadBalancer (loadBalancerClass set, no finalizer of ours)', () => {
    const foreign = service((s) => (s.spec['loadBalancerClass'] = 'example.com/metallb'));
    const overwritten = service((s) => {
      s.spec['loadBalancerClass'] = 'example.com/metallb';
      STATUS_WRITE(s);
    });
    assert.equal(admit({ resource: 'services', subResource: 'status', oldObject: foreign, object: written(overwritten) }), SERVED_INGRESS);
  });

  it('denies our Service finalizer on a Service the engine does not serve (its deletion would hang forever)', () => {
    const clusterIp = service((s) => {
      s.spec['type'] = 'ClusterIP';
      s.metadata['finalizers'] = [];
    });
    const held = service((s) => {
      s.spec['type'] = 'ClusterIP';
      s.metadata['finalizers'] = [SERVICE_FINALIZER];
    });
    assert.equal(admit({ resource: 'services', oldObject: clusterIp, object: written(held) }), SERVED_FINALIZER);
  });

  it('denies the pod finalizer on a pod without the egress label (any pod of the cluster could be kept from deletion)', () => {
    const plain = pod((p) => (p.metadata['labels'] = { app: 'coredns' }));
    const held = pod((p) => {
      p.metadata['labels'] = { app: 'coredns' };
      finalizers(p, [POD_FINALIZER]);
    });
    assert.equal(admit({ resource: 'pods', oldObject: plain, object: written(held) }), SERVED_FINALIZER);
  });

  it('denies an ingress status write on a LoadBalancer Service the engine has not claimed with its finalizer', () => {
    const unclaimed = service();
    const written8 = service(STATUS_WRITE);
    assert.equal(admit({ resource: 'services', subResource: 'status', oldObject: unclaimed, object: written(written8) }), SERVED_INGRESS);
  });

  it('still allows removing our finalizer from a Service that is no longer a LoadBalancer, or a pod that lost its label', () => {
    const held = service((s) => {
      s.spec['type'] = 'ClusterIP';
      finalizers(s, [SERVICE_FINALIZER]);
    });
    const released = service((s) => {
      s.spec['type'] = 'ClusterIP';
      finalizers(s, []);
    });
    assert.equal(admit({ resource: 'services', oldObject: held, object: written(released) }), 'allowed');
    const heldPod = pod((p) => {
      p.metadata['labels'] = { app: 'web' };
      finalizers(p, [POD_FINALIZER]);
    });
    const releasedPod = pod((p) => {
      p.metadata['labels'] = { app: 'web' };
      finalizers(p, []);
    });
    assert.equal(admit({ resource: 'pods', oldObject: heldPod, object: written(releasedPod) }), 'allowed');
  });
});
