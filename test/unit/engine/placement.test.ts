// Where pod IPs go (reference §1.1, §1.3): each address under its node's same-family InternalIP.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isLivePod, placePodAddresses, placeSliceEndpoints, podEgress } from '../../../shared/engine/placement.ts';
import type { Placement } from '../../../shared/engine/placement.ts';
import type { NodeFact, RejectReason } from '../../../shared/engine/types.ts';
import { node, pod, slice } from '../../support/builders.ts';
import type { EndpointSpec } from '../../support/builders.ts';

function nodesOf(...facts: NodeFact[]): Map<string, { readonly fact: NodeFact }> {
  return new Map(facts.map((fact) => [fact.name, { fact }]));
}

const NODES = nodesOf(
  node('node-a', ['10.0.0.4']),
  node('node-b', ['10.0.0.5', 'FD00:0::5']),
  node('node-6', ['fd00::6']),
  // Several InternalIPs of one family: the smallest canonical string wins.
  node('node-m', ['10.0.0.9', '10.0.0.10']),
);

const reasons = (p: Placement): RejectReason[] => p.rejected.map((r) => r.reason);

describe('placeSliceEndpoints', () => {
  it('places ready endpoints under their node InternalIP, canonicalising the address', () => {
    const p = placeSliceEndpoints(slice('s', 'uid', [{ ip: ['10.244.0.7', '010.244.0.8'], node: 'node-a' }]), NODES);
    assert.deepEqual(p, {
      placed: [
        { location: '10.0.0.4', address: '10.244.0.7' },
        { location: '10.0.0.4', address: '10.244.0.8' },
      ],
      rejected: [],
    });
  });

  it('skips endpoints that are not ready, without a rejection', () => {
    const p = placeSliceEndpoints(slice('s', 'uid', [{ ip: '10.244.0.7', node: 'node-a', ready: false }]), NODES);
    assert.deepEqual(p, { placed: [], rejected: [] });
  });

  it('counts an unset ready condition as ready', () => {
    const p = placeSliceEndpoints(slice('s', 'uid', [{ ip: '10.244.0.7', node: 'node-a', ready: null }]), NODES);
    assert.deepEqual(p.placed, [{ location: '10.0.0.4', address: '10.244.0.7' }]);
  });

  it('uses the smallest canonical InternalIP of a node with several', () => {
    const p = placeSliceEndpoints(slice('s', 'uid', [{ ip: '10.244.9.1', node: 'node-m' }]), NODES);
    assert.deepEqual(p.placed, [{ location: '10.0.0.10', address: '10.244.9.1' }]);
  });

  it('puts an IPv6 endpoint under the node IPv6 InternalIP in canonical form', () => {
    const p = placeSliceEndpoints(slice('s6', 'uid', [{ ip: 'FD00:244:0::7', node: 'node-b' }], { addressType: 'IPv6' }), NODES);
    assert.deepEqual(p, { placed: [{ location: 'fd00::5', address: 'fd00:244::7' }], rejected: [] });
  });

  const rejections: readonly { readonly name: string; readonly endpoint: EndpointSpec; readonly addressType?: string; readonly reason: RejectReason }[] = [
    { name: 'rejects an endpoint without nodeName as NoNodeName', endpoint: { ip: '10.244.0.7', node: null }, reason: 'NoNodeName' },
    { name: 'rejects an endpoint on a node it does not know as UnknownNode', endpoint: { ip: '10.244.0.7', node: 'node-z' }, reason: 'UnknownNode' },
    {
      name: 'rejects an IPv4 endpoint on an IPv6-only node as NoSameFamilyLocation',
      endpoint: { ip: '10.244.0.7', node: 'node-6' },
      reason: 'NoSameFamilyLocation',
    },
    {
      name: 'rejects an IPv6 endpoint on an IPv4-only node as NoSameFamilyLocation',
      endpoint: { ip: 'fd00:244::7', node: 'node-a' },
      addressType: 'IPv6',
      reason: 'NoSameFamilyLocation',
    },
    { name: 'rejects an address that is not an IP as BadIp', endpoint: { ip: '10.244.0.300', node: 'node-a' }, reason: 'BadIp' },
    { name: 'rejects a hostname address as BadIp', endpoint: { ip: 'pod.example.com', node: 'node-a' }, reason: 'BadIp' },
    {
      name: 'rejects an IPv6 address in an IPv4 slice as FamilyMismatch',
      endpoint: { ip: 'fd00:244::7', node: 'node-b' },
      addressType: 'IPv4',
      reason: 'FamilyMismatch',
    },
    {
      name: 'rejects an IPv4 address in an IPv6 slice as FamilyMismatch',
      endpoint: { ip: '10.244.0.7', node: 'node-b' },
      addressType: 'IPv6',
      reason: 'FamilyMismatch',
    },
  ];
  for (const c of rejections) {
    it(c.name, () => {
      const p = placeSliceEndpoints(slice('s', 'uid', [c.endpoint], { addressType: c.addressType ?? 'IPv4' }), NODES);
      assert.deepEqual(p.placed, []);
      assert.deepEqual(reasons(p), [c.reason]);
      assert.ok((p.rejected[0]?.detail ?? '').length > 0);
    });
  }

  it('ignores an FQDN slice entirely', () => {
    const p = placeSliceEndpoints(slice('f', 'uid', [{ ip: 'db.example.com', node: 'node-a' }, { ip: '10.244.0.7', node: 'node-a' }], { addressType: 'FQDN' }), NODES);
    assert.deepEqual(p, { placed: [], rejected: [] });
  });

  it('keeps placing the good addresses of a slice around the bad ones', () => {
    const p = placeSliceEndpoints(
      slice('mix', 'uid', [
        { ip: '10.244.0.1', node: 'node-a' },
        { ip: 'nope', node: 'node-a' },
        { ip: '10.244.0.2', node: null },
        { ip: '10.244.0.3', node: 'node-a', ready: false },
        { ip: '10.244.0.4', node: 'node-b' },
      ]),
      NODES,
    );
    assert.deepEqual(p.placed, [
      { location: '10.0.0.4', address: '10.244.0.1' },
      { location: '10.0.0.5', address: '10.244.0.4' },
    ]);
    assert.deepEqual(reasons(p), ['BadIp', 'NoNodeName']);
  });
});

describe('placePodAddresses', () => {
  it('puts a pod IP under the same-family host IP', () => {
    const p = placePodAddresses(pod('p', 'team-a', { hostIPs: ['10.0.0.4'], podIPs: ['10.244.0.10'] }));
    assert.deepEqual(p, { placed: [{ location: '10.0.0.4', address: '10.244.0.10' }], rejected: [] });
  });

  it('puts a dual-stack pod under two locations, one per family', () => {
    const p = placePodAddresses(pod('p', 'team-a', { hostIPs: ['FD00::4', '10.0.0.4'], podIPs: ['10.244.0.10', 'fd00:244:0:0::10'] }));
    assert.deepEqual(p, {
      placed: [
        { location: '10.0.0.4', address: '10.244.0.10' },
        { location: 'fd00::4', address: 'fd00:244::10' },
      ],
      rejected: [],
    });
  });

  it('rejects a pod IP with no host IP of its family as NoSameFamilyLocation', () => {
    const p = placePodAddresses(pod('p', 'team-a', { hostIPs: ['10.0.0.4'], podIPs: ['10.244.0.10', 'fd00:244::10'] }));
    assert.deepEqual(p.placed, [{ location: '10.0.0.4', address: '10.244.0.10' }]);
    assert.deepEqual(reasons(p), ['NoSameFamilyLocation']);
  });

  it('rejects a pod IP that does not parse as BadIp', () => {
    const p = placePodAddresses(pod('p', 'team-a', { podIPs: ['10.244.0.999'] }));
    assert.deepEqual(p.placed, []);
    assert.deepEqual(reasons(p), ['BadIp']);
  });

  it('places nothing and rejects nothing for a pod without IPs yet', () => {
    assert.deepEqual(placePodAddresses(pod('p', 'team-a', { podIPs: [], hostIPs: [] })), { placed: [], rejected: [] });
  });
});

describe('isLivePod', () => {
  const cases: readonly { readonly phase: string; readonly deleting: boolean; readonly live: boolean }[] = [
    { phase: 'Running', deleting: false, live: true },
    { phase: 'Pending', deleting: false, live: true },
    { phase: 'Succeeded', deleting: false, live: false },
    { phase: 'Failed', deleting: false, live: false },
    { phase: 'Unknown', deleting: false, live: false },
    { phase: 'Running', deleting: true, live: false },
    { phase: 'Pending', deleting: true, live: false },
  ];
  for (const c of cases) {
    it(`calls a ${c.deleting ? 'terminating ' : ''}${c.phase} pod ${c.live ? 'live' : 'not live'}`, () => {
      assert.equal(isLivePod(pod('p', 'team-a', { phase: c.phase, deleting: c.deleting })), c.live);
    });
  }
});

describe('podEgress', () => {
  it('reads a pod without the label as having no egress', () => {
    assert.deepEqual(podEgress(pod('p', null)), { kind: 'none' });
  });

  it('reads an empty label value as no egress, not as an invalid identity', () => {
    assert.deepEqual(podEgress(pod('p', '')), { kind: 'none' });
  });

  it('lower-cases a valid identity', () => {
    assert.deepEqual(podEgress(pod('p', 'Team-A')), { kind: 'identity', identity: 'team-a' });
  });

  it('reports an invalid and a reserved label with their reasons', () => {
    const bad = podEgress(pod('p', 'team-'));
    const reserved = podEgress(pod('p', 'Default-NATGW'));
    assert.equal(bad.kind === 'invalid' ? bad.rejection.reason : bad.kind, 'InvalidEgressLabel');
    assert.equal(reserved.kind === 'invalid' ? reserved.rejection.reason : reserved.kind, 'ReservedEgressLabel');
  });
});
