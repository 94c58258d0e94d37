// Kubernetes JSON to engine facts: the scenario objects map to the expected facts, every default
// applies, bad objects are reported with a reason naming the field, and only the azure-*
// annotations are kept.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EGRESS_LABEL } from '../../../shared/engine/types.ts';
import type { EndpointSliceFact, NodeFact, PodFact, ServiceFact } from '../../../shared/engine/types.ts';
import { endpointSliceFact, factOf, nodeFact, podFact, serviceFact } from '../../../shared/kube/toFacts.ts';
import type { FactResult } from '../../../shared/kube/toFacts.ts';

type Json = Record<string, unknown>;

const SVC_UID = '3f1c2a9e-5b7d-4c1e-9a0b-7e6d5c4b3a21';

// Objects as written in shared/scenarios/basic-inbound.json (the Pod from egress-lifecycle.json).
// Scenario files omit what the API server assigns; `served` adds uid and resourceVersion.
function scenarioNode(): Json {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'node-a' },
    status: {
      addresses: [
        { type: 'InternalIP', address: '10.0.0.4' },
        { type: 'Hostname', address: 'node-a' },
      ],
    },
  };
}

function scenarioService(): Json {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { namespace: 'default', name: 'web', uid: SVC_UID },
    spec: {
      type: 'LoadBalancer',
      selector: { app: 'web' },
      ports: [
        { name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 },
        { name: 'dns', protocol: 'UDP', port: 53, targetPort: 5353 },
      ],
      ipFamilies: ['IPv4'],
    },
  };
}

function scenarioSlice(): Json {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      namespace: 'default',
      name: 'web-x1',
      labels: { 'kubernetes.io/service-name': 'web' },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: SVC_UID }],
    },
    addressType: 'IPv4',
    endpoints: [
      { addresses: ['10.244.0.10'], conditions: { ready: true }, nodeName: 'node-a' },
      { addresses: ['10.244.1.11'], conditions: { ready: true }, nodeName: 'node-b' },
      { addresses: ['10.244.1.12'], conditions: { ready: false }, nodeName: 'node-b' },
    ],
    ports: [
      { name: 'http', protocol: 'TCP', port: 8080 },
      { name: 'dns', protocol: 'UDP', port: 5353 },
    ],
  };
}

function scenarioPod(): Json {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      namespace: 'apps',
      name: 'worker-1',
      uid: '9b2f6a10-0c1d-4e2f-8a3b-4c5d6e7f8091',
      labels: { [EGRESS_LABEL]: 'team-a' },
    },
    spec: { nodeName: 'node-a', containers: [{ name: 'c', image: 'busybox' }] },
    status: {
      phase: 'Running',
      hostIP: '10.0.0.4',
      hostIPs: [{ ip: '10.0.0.4' }],
      podIP: '10.244.0.21',
      podIPs: [{ ip: '10.244.0.21' }],
    },
  };
}

function served(o: Json, uid: string, resourceVersion = '100'): Json {
  const metadata = o['metadata'] as Json;
  return { ...o, metadata: { uid, ...metadata, resourceVersion } };
}

function ok<T>(r: FactResult<T>): T {
  if (!r.ok) assert.fail(`expected ok, got reason ${r.reason}`);
  return r.fact;
}

function reason<T>(r: FactResult<T>): string {
  if (r.ok) assert.fail('expected a reason');
  return r.reason;
}

/** Deep-copies `o` and applies `edit` to the copy. */
function edited(o: Json, edit: (c: Json) => void): Json {
  const c = structuredClone(o);
  edit(c);
  return c;
}

const svc = (): Json => served(scenarioService(), SVC_UID);
const slice = (): Json => served(scenarioSlice(), 'slice-uid-1');
const node = (): Json => served(scenarioNode(), 'node-uid-a');
const pod = (): Json => served(scenarioPod(), '9b2f6a10-0c1d-4e2f-8a3b-4c5d6e7f8091');

const spec = (o: Json): Json => o['spec'] as Json;
const meta = (o: Json): Json => o['metadata'] as Json;
const status = (o: Json): Json => o['status'] as Json;

describe('scenario objects map to facts', () => {
  it('Service', () => {
    const expected: ServiceFact = {
      namespace: 'default',
      name: 'web',
      uid: SVC_UID,
      resourceVersion: '100',
      type: 'LoadBalancer',
      loadBalancerClass: null,
      deleting: false,
      finalizers: [],
      annotations: {},
      ipFamilies: ['IPv4'],
      sessionAffinity: null,
      loadBalancerIP: null,
      ports: [
        { name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 },
        { name: 'dns', protocol: 'UDP', port: 53, targetPort: 5353 },
      ],
      ingressIPs: [],
    };
    assert.deepEqual(ok(serviceFact(svc())), expected);
  });

  it('EndpointSlice: the kubernetes.io/service-name label, the Service owner uids, endpoints with ready', () => {
    const expected: EndpointSliceFact = {
      namespace: 'default',
      name: 'web-x1',
      uid: 'slice-uid-1',
      resourceVersion: '100',
      serviceName: 'web',
      ownerServiceUids: [SVC_UID],
      addressType: 'IPv4',
      endpoints: [
        { addresses: ['10.244.0.10'], nodeName: 'node-a', ready: true },
        { addresses: ['10.244.1.11'], nodeName: 'node-b', ready: true },
        { addresses: ['10.244.1.12'], nodeName: 'node-b', ready: false },
      ],
    };
    assert.deepEqual(ok(endpointSliceFact(slice())), expected);
  });

  it('Node: only InternalIP addresses', () => {
    const expected: NodeFact = { name: 'node-a', uid: 'node-uid-a', resourceVersion: '100', internalIPs: ['10.0.0.4'] };
    assert.deepEqual(ok(nodeFact(node())), expected);
  });

  it('Pod: egress label, phase, node, plural IPs', () => {
    const expected: PodFact = {
      namespace: 'apps',
      name: 'worker-1',
      uid: '9b2f6a10-0c1d-4e2f-8a3b-4c5d6e7f8091',
      resourceVersion: '100',
      egressLabel: 'team-a',
      phase: 'Running',
      nodeName: 'node-a',
      hostIPs: ['10.0.0.4'],
      podIPs: ['10.244.0.21'],
      deleting: false,
      finalizers: [],
    };
    assert.deepEqual(ok(podFact(pod())), expected);
  });

  it('factOf dispatches on kind', () => {
    for (const [o, kind] of [
      [svc(), 'Service'],
      [slice(), 'EndpointSlice'],
      [node(), 'Node'],
      [pod(), 'Pod'],
    ] as const) {
      const r = factOf(o);
      assert.ok(r.ok, kind);
      assert.equal(r.kind, kind);
    }
    const r = factOf(svc());
    assert.ok(r.ok && r.kind === 'Service');
    assert.deepEqual(r.fact, ok(serviceFact(svc())));
  });
});

describe('defaults', () => {
  it('Service port: protocol TCP and targetPort null when absent; name kept only when set', () => {
    const o = edited(svc(), (c) => {
      spec(c)['ports'] = [{ port: 443 }, { port: 8443, targetPort: 'https', protocol: 'TCP', name: null }];
    });
    assert.deepEqual(ok(serviceFact(o)).ports, [
      { protocol: 'TCP', port: 443, targetPort: null },
      { protocol: 'TCP', port: 8443, targetPort: 'https' },
    ]);
  });

  it('Service: ipFamilies [], ports [], finalizers [], nulls and not deleting when absent (or null)', () => {
    const o = edited(svc(), (c) => {
      const s = spec(c);
      delete s['ipFamilies'];
      delete s['ports'];
      s['loadBalancerClass'] = null;
      meta(c)['deletionTimestamp'] = null;
    });
    const f = ok(serviceFact(o));
    assert.deepEqual(f.ipFamilies, []);
    assert.deepEqual(f.ports, []);
    assert.deepEqual(f.finalizers, []);
    assert.deepEqual(f.annotations, {});
    assert.equal(f.loadBalancerClass, null);
    assert.equal(f.sessionAffinity, null);
    assert.equal(f.loadBalancerIP, null);
    assert.equal(f.deleting, false);
  });

  it('Service: set fields are carried; deleting when deletionTimestamp is present', () => {
    const o = edited(svc(), (c) => {
      Object.assign(spec(c), {
        loadBalancerClass: 'azure/service-gateway',
        sessionAffinity: 'ClientIP',
        loadBalancerIP: '20.1.2.3',
        ipFamilies: ['IPv6', 'IPv4'],
      });
      Object.assign(meta(c), {
        deletionTimestamp: '2024-05-01T10:00:00Z',
        finalizers: ['servicegateway.azure.com/service-cleanup'],
      });
    });
    const f = ok(serviceFact(o));
    assert.equal(f.loadBalancerClass, 'azure/service-gateway');
    assert.equal(f.sessionAffinity, 'ClientIP');
    assert.equal(f.loadBalancerIP, '20.1.2.3');
    assert.deepEqual(f.ipFamilies, ['IPv6', 'IPv4']);
    assert.equal(f.deleting, true);
    assert.deepEqual(f.finalizers, ['servicegateway.azure.com/service-cleanup']);
  });

  it('EndpointSlice: ready null when the condition (or conditions) is absent; nodeName null; endpoints []', () => {
    const o = edited(slice(), (c) => {
      c['endpoints'] = [{ addresses: ['10.244.0.10'], conditions: {} }, { addresses: ['10.244.0.11'], conditions: null }];
    });
    assert.deepEqual(ok(endpointSliceFact(o)).endpoints, [
      { addresses: ['10.244.0.10'], nodeName: null, ready: null },
      { addresses: ['10.244.0.11'], nodeName: null, ready: null },
    ]);
    const empty = edited(slice(), (c) => {
      c['endpoints'] = null;
    });
    assert.deepEqual(ok(endpointSliceFact(empty)).endpoints, []);
  });

  it('EndpointSlice without a Service owner keeps its label and no owner uid', () => {
    const none = edited(slice(), (c) => {
      delete meta(c)['ownerReferences'];
    });
    assert.equal(ok(endpointSliceFact(none)).serviceName, 'web');
    assert.deepEqual(ok(endpointSliceFact(none)).ownerServiceUids, []);
    const other = edited(slice(), (c) => {
      meta(c)['ownerReferences'] = [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'x', uid: 'dep-uid' }];
    });
    assert.deepEqual(ok(endpointSliceFact(other)).ownerServiceUids, []);
  });

  it('EndpointSlice: the service-name label, not an ownerReference, names its Service', () => {
    // A tenant's slice owned by another namespace's Service: the owner uid is kept only to be
    // checked, never as the link (the old fact carried it as `serviceUid`).
    const foreign = edited(slice(), (c) => {
      meta(c)['namespace'] = 'tenant-b';
      delete meta(c)['labels'];
    });
    const fact = ok(endpointSliceFact(foreign)) as EndpointSliceFact & { serviceUid?: unknown };
    assert.equal(fact.serviceUid, undefined);
    assert.equal(fact.serviceName, null);
    assert.deepEqual(fact.ownerServiceUids, [SVC_UID]);
    const empty = edited(slice(), (c) => {
      (meta(c)['labels'] as Json)['kubernetes.io/service-name'] = '';
    });
    assert.equal(ok(endpointSliceFact(empty)).serviceName, null);
  });

  it('Node without status or InternalIPs has no internalIPs', () => {
    const o = edited(node(), (c) => {
      delete c['status'];
    });
    assert.deepEqual(ok(nodeFact(o)).internalIPs, []);
    const hostOnly = edited(node(), (c) => {
      status(c)['addresses'] = [{ type: 'Hostname', address: 'node-a' }];
    });
    assert.deepEqual(ok(nodeFact(hostOnly)).internalIPs, []);
  });

  it('Pod: singular hostIP/podIP fallbacks when the plural lists are absent or empty', () => {
    const o = edited(pod(), (c) => {
      const s = status(c);
      delete s['hostIPs'];
      s['podIPs'] = [];
    });
    const f = ok(podFact(o));
    assert.deepEqual(f.hostIPs, ['10.0.0.4']);
    assert.deepEqual(f.podIPs, ['10.244.0.21']);
  });

  it('Pod: plural lists win over the singular; dual-stack kept in order', () => {
    const o = edited(pod(), (c) => {
      status(c)['podIPs'] = [{ ip: '10.244.0.21' }, { ip: 'fd00::21' }];
    });
    assert.deepEqual(ok(podFact(o)).podIPs, ['10.244.0.21', 'fd00::21']);
  });

  it('Pod: no label, no node, no IPs (Pending); deleting with finalizers', () => {
    const o = edited(pod(), (c) => {
      const m = meta(c);
      delete m['labels'];
      m['deletionTimestamp'] = '2024-05-01T10:00:00Z';
      m['finalizers'] = ['servicegateway.azure.com/pod-cleanup'];
      delete spec(c)['nodeName'];
      c['status'] = { phase: 'Pending' };
    });
    const f = ok(podFact(o));
    assert.equal(f.egressLabel, null);
    assert.equal(f.nodeName, null);
    assert.equal(f.phase, 'Pending');
    assert.deepEqual(f.hostIPs, []);
    assert.deepEqual(f.podIPs, []);
    assert.equal(f.deleting, true);
    assert.deepEqual(f.finalizers, ['servicegateway.azure.com/pod-cleanup']);
  });
});

describe('annotations', () => {
  it('only the annotations the engine reads are kept, however large the others (those of other azure-* controllers too)', () => {
    const huge = JSON.stringify({ spec: 'x'.repeat(200_000) });
    const o = edited(svc(), (c) => {
      meta(c)['annotations'] = {
        'kubectl.kubernetes.io/last-applied-configuration': huge,
        'service.beta.kubernetes.io/azure-load-balancer-tcp-idle-timeout': '10',
        'service.beta.kubernetes.io/azure-pip-name': 'my-pip',
        'service.beta.kubernetes.io/azure-pip-tags': 'k=v,'.repeat(60_000),
        'service.beta.kubernetes.io/port_80_health-probe_protocol': 'http',
        'example.com/other': 'y',
      };
    });
    const f = ok(serviceFact(o));
    assert.deepEqual(f.annotations, { 'service.beta.kubernetes.io/azure-load-balancer-tcp-idle-timeout': '10' });
    assert.ok(JSON.stringify(f).length < 2_000);
  });

  it('a malformed annotation the engine does not read is ignored; one it reads is reported', () => {
    const ignored = edited(svc(), (c) => {
      meta(c)['annotations'] = { 'example.com/n': 5 };
    });
    assert.deepEqual(ok(serviceFact(ignored)).annotations, {});
    const bad = edited(svc(), (c) => {
      meta(c)['annotations'] = { 'service.beta.kubernetes.io/azure-load-balancer-internal': 5, 'service.beta.kubernetes.io/azure-pip-name': 6 };
    });
    assert.equal(reason(serviceFact(bad)), 'metadata.annotations["service.beta.kubernetes.io/azure-load-balancer-internal"]: expected string');
  });
});

describe('reasons for bad objects', () => {
  it('not an object', () => {
    for (const v of [null, undefined, 'x', 3, []]) {
      assert.equal(reason(serviceFact(v)), 'object: expected object');
      assert.equal(reason(podFact(v)), 'object: expected object');
    }
  });

  it('metadata: missing, uid, resourceVersion, name, namespace', () => {
    // The scenario Node as written: the API server has not assigned a uid yet.
    assert.equal(reason(nodeFact(scenarioNode())), 'metadata.uid: missing');
    assert.equal(reason(serviceFact(scenarioService())), 'metadata.resourceVersion: missing');
    assert.equal(reason(serviceFact(edited(svc(), (c) => delete c['metadata']))), 'metadata: missing');
    assert.equal(reason(serviceFact(edited(svc(), (c) => (c['metadata'] = [])))), 'metadata: expected object');
    assert.equal(reason(podFact(edited(pod(), (c) => delete meta(c)['name']))), 'metadata.name: missing');
    assert.equal(reason(podFact(edited(pod(), (c) => (meta(c)['name'] = '')))), 'metadata.name: empty');
    assert.equal(reason(endpointSliceFact(edited(slice(), (c) => delete meta(c)['namespace']))), 'metadata.namespace: missing');
    assert.equal(reason(serviceFact(edited(svc(), (c) => (meta(c)['uid'] = 7)))), 'metadata.uid: expected string');
    assert.equal(
      reason(serviceFact(edited(svc(), (c) => (meta(c)['finalizers'] = 'x')))),
      'metadata.finalizers: expected array',
    );
    assert.equal(
      reason(serviceFact(edited(svc(), (c) => (meta(c)['deletionTimestamp'] = true)))),
      'metadata.deletionTimestamp: expected string',
    );
  });

  it('Service: spec, type and ports', () => {
    assert.equal(reason(serviceFact(edited(svc(), (c) => delete c['spec']))), 'spec: missing');
    assert.equal(reason(serviceFact(edited(svc(), (c) => delete spec(c)['type']))), 'spec.type: missing');
    assert.equal(reason(serviceFact(edited(svc(), (c) => (spec(c)['ports'] = {})))), 'spec.ports: expected array');
    assert.equal(reason(serviceFact(edited(svc(), (c) => (spec(c)['ports'] = [{ protocol: 'TCP' }])))), 'spec.ports[0].port: missing');
    assert.equal(
      reason(serviceFact(edited(svc(), (c) => (spec(c)['ports'] = [{ port: 80 }, { port: 70000 }])))),
      'spec.ports[1].port: expected integer 1-65535',
    );
    assert.equal(
      reason(serviceFact(edited(svc(), (c) => (spec(c)['ports'] = [{ port: 80, targetPort: true }])))),
      'spec.ports[0].targetPort: expected integer or string',
    );
    assert.equal(
      reason(serviceFact(edited(svc(), (c) => (spec(c)['ports'] = [{ port: 80, targetPort: 0 }])))),
      'spec.ports[0].targetPort: expected integer 1-65535',
    );
    assert.equal(reason(serviceFact(edited(svc(), (c) => (spec(c)['ipFamilies'] = [4])))), 'spec.ipFamilies[0]: expected string');
  });

  it('EndpointSlice: addressType, endpoints, addresses, ready, owner uid', () => {
    assert.equal(reason(endpointSliceFact(edited(slice(), (c) => delete c['addressType']))), 'addressType: missing');
    assert.equal(
      reason(endpointSliceFact(edited(slice(), (c) => (c['endpoints'] = [{ conditions: { ready: true } }])))),
      'endpoints[0].addresses: missing',
    );
    assert.equal(
      reason(endpointSliceFact(edited(slice(), (c) => (c['endpoints'] = [{ addresses: ['a'], conditions: { ready: 'yes' } }])))),
      'endpoints[0].conditions.ready: expected boolean',
    );
    assert.equal(
      reason(endpointSliceFact(edited(slice(), (c) => (c['endpoints'] = [{ addresses: ['a'], nodeName: 3 }])))),
      'endpoints[0].nodeName: expected string',
    );
    assert.equal(
      reason(endpointSliceFact(edited(slice(), (c) => delete (meta(c)['ownerReferences'] as Json[])[0]!['uid']))),
      'metadata.ownerReferences[0].uid: missing',
    );
  });

  it('Node: malformed addresses', () => {
    assert.equal(reason(nodeFact(edited(node(), (c) => (status(c)['addresses'] = 'x')))), 'status.addresses: expected array');
    assert.equal(
      reason(nodeFact(edited(node(), (c) => (status(c)['addresses'] = [{ type: 'InternalIP' }])))),
      'status.addresses[0].address: missing',
    );
  });

  it('Pod: status, phase, label, IPs', () => {
    assert.equal(reason(podFact(edited(pod(), (c) => delete c['status']))), 'status: missing');
    assert.equal(reason(podFact(edited(pod(), (c) => delete status(c)['phase']))), 'status.phase: missing');
    assert.equal(
      reason(podFact(edited(pod(), (c) => ((meta(c)['labels'] as Json)[EGRESS_LABEL] = 1)))),
      `metadata.labels["${EGRESS_LABEL}"]: expected string`,
    );
    assert.equal(reason(podFact(edited(pod(), (c) => (status(c)['podIPs'] = [{}])))), 'status.podIPs[0].ip: missing');
    assert.equal(
      reason(podFact(edited(pod(), (c) => ((status(c)['hostIPs'] = null), (status(c)['hostIP'] = 4))))),
      'status.hostIP: expected string',
    );
  });

  it('factOf: kind missing, wrong type, unsupported; a bad object keeps its reason', () => {
    assert.deepEqual(factOf({ metadata: {} }), { ok: false, reason: 'kind: missing' });
    assert.deepEqual(factOf({ kind: 1 }), { ok: false, reason: 'kind: expected string' });
    assert.deepEqual(factOf({ kind: 'ConfigMap' }), { ok: false, reason: 'kind: unsupported "ConfigMap"' });
    assert.deepEqual(factOf('x'), { ok: false, reason: 'object: expected object' });
    assert.deepEqual(factOf(scenarioNode()), { ok: false, reason: 'metadata.uid: missing' });
    const long = factOf({ kind: 'K'.repeat(10_000) });
    assert.ok(!long.ok && long.reason.length < 100);
  });
});
